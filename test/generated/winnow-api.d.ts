export interface paths {
    "/api/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the server is up (no token needed) */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/session": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether this browser has a live session (never 401: the web app asks before anything else) */
        get: operations["getSession"];
        put?: never;
        /** Sign in with an API token; sets an httpOnly session cookie */
        post: operations["signIn"];
        /** Sign this browser out: its session stops working at once */
        delete: operations["signOut"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List datasets with sample counts and last sync */
        get: operations["listDatasets"];
        put?: never;
        /** Create a dataset from an S3 folder or a local folder (nothing is copied, nothing is sent to the bucket) */
        post: operations["createDataset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A dataset with its locations, sample and thumbnail counts and its last sync */
        get: operations["getDataset"];
        put?: never;
        post?: never;
        /** Delete a dataset from the catalog (the bucket is never touched) */
        delete: operations["deleteDataset"];
        options?: never;
        head?: never;
        /** Change a dataset: name, keys, output, filters, relevant filenames, thumbnails (not its input location; secrets are never returned) */
        patch: operations["updateDataset"];
        trace?: never;
    };
    "/api/datasets/{name}/clean-outputs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Delete the thumbnails of removed samples left in the output's .winnow/ folder (as `winnow dataset clean-outputs`) */
        post: operations["cleanDatasetOutputs"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Probe list, read, write, overwrite and delete with real calls; check the bucket answers CORS preflights from this origin */
        post: operations["verifyDataset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The minimal IAM policy for this dataset: list and read the input folder, write and delete only under <output>/.winnow/ */
        get: operations["getDatasetPolicy"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/sync": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Progress of the running or last sync (started by this server; on PostgreSQL, by any) */
        get: operations["getSync"];
        put?: never;
        /** Start a sync in the background (returns the running one if there is one) */
        post: operations["startSync"];
        /** Cancel the running sync; the next one resumes where it stopped */
        delete: operations["cancelSync"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/samples": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One keyset page of samples with image and thumbnail URLs (presigned for S3) */
        get: operations["listSamples"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/sample": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One sample by key, with fresh URLs (ask again when an image fails with 403/expired) */
        get: operations["getSample"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/embeddings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The running or last embedding job started by this server, and how many samples have vectors per model */
        get: operations["getEmbeddingStatus"];
        put?: never;
        /** Compute embeddings in the background (returns the running job if there is one) */
        post: operations["startEmbedding"];
        /** Cancel the running embedding job; the next one continues where it stopped */
        delete: operations["cancelEmbedding"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/embeddings/{model}/map": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The 2-D map of the vectors as packed arrays (keys, and x,y as base64 float32), cached until the vectors change */
        get: operations["getEmbeddingMap"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/embeddings/{model}/neighbours": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The samples nearest to one sample (cosine distance) */
        get: operations["getNeighbours"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Registered image models */
        get: operations["listModels"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/selections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pick samples by strategies combined with strengths (diversity, typicality, balance, similarity, weights, random), into a tag */
        post: operations["selectSamples"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/duplicates": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exact copies and near-duplicates in groups, each with the one to keep (most pixels, then most bytes, then the first key); optionally tag the rest */
        post: operations["findDuplicates"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/tags": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The dataset's tags with their sizes */
        get: operations["listTags"];
        put?: never;
        /** A tag from a list of keys, or the union, intersection or difference of other tags */
        post: operations["createTag"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/tags/{tag}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A tag and its samples' keys, in the order they were chosen */
        get: operations["getTag"];
        put?: never;
        post?: never;
        /** Delete a tag (its samples stay in the dataset) */
        delete: operations["deleteTag"];
        options?: never;
        head?: never;
        /** Rename a tag or change its description */
        patch: operations["updateTag"];
        trace?: never;
    };
    "/api/datasets/{name}/tags/{tag}/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The tag as a file: txt (one key per line), json or csv (with size, dimensions and, when asked, URLs) */
        get: operations["exportTag"];
        put?: never;
        /** Write the tag as a file under <output>/.winnow/exports/ in the bucket */
        post: operations["exportTagToOutput"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The metadata fields and labels the samples have */
        get: operations["listMetadataFields"];
        put?: never;
        /** Import per-sample fields from CSV or JSON (line-numbered problems; all or nothing) */
        post: operations["importMetadata"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/metadata/{field}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One metadata field's value for every sample that has it (the map colours by it) */
        get: operations["getFieldValues"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/metadata/lightly": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Read Lightly's .lightly/ folder beside the images as metadata and labels (read-only) */
        post: operations["importLightlyMetadata"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/datasets/{name}/similar": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The samples most like an uploaded image (embedded with the dataset's model), nearest first */
        post: operations["findSimilarToImage"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Jobs, newest first, with their state, progress, retries and errors */
        get: operations["listJobs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job */
        get: operations["getJob"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a job that has not finished; a running one stops at its next committed step */
        post: operations["cancelJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/jobs/{id}/retry": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Run a failed or cancelled job again; it resumes where it stopped */
        post: operations["retryJob"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Health: {
            /** @enum {string} */
            status: "ok";
        };
        /**
         * @example {
         *       "error": {
         *         "code": "DatasetNotFound",
         *         "message": "No dataset named \"farm\".",
         *         "hint": "List the datasets on the Datasets page."
         *       }
         *     }
         */
        Error: {
            error: {
                code: string;
                message: string;
                hint: string | null;
            };
        };
        Session: {
            signedIn: boolean;
        };
        DatasetList: {
            datasets: components["schemas"]["DatasetSummary"][];
        };
        DatasetSummary: {
            name: string;
            input: string;
            samples: number;
            lastSyncedAt: string | null;
            syncStatus: string | null;
        };
        Dataset: {
            id: string;
            name: string;
            input: {
                /** @enum {string} */
                purpose: "input" | "output";
                uri: string;
                /** @enum {string} */
                kind: "s3" | "gcs" | "azure" | "local";
                region: string | null;
                endpoint: string | null;
                pathStyle: boolean;
                accessKeyId: string | null;
                hasSecret: boolean;
                sseKmsKeyId: string | null;
                roleArn: string | null;
                externalId: string | null;
                roleSessionSeconds: number | null;
                /** @description The S3-compatible preset the datasource was made with (r2, minio, gcs, …). */
                preset: string | null;
            };
            output: {
                /** @enum {string} */
                purpose: "input" | "output";
                uri: string;
                /** @enum {string} */
                kind: "s3" | "gcs" | "azure" | "local";
                region: string | null;
                endpoint: string | null;
                pathStyle: boolean;
                accessKeyId: string | null;
                hasSecret: boolean;
                sseKmsKeyId: string | null;
                roleArn: string | null;
                externalId: string | null;
                roleSessionSeconds: number | null;
                /** @description The S3-compatible preset the datasource was made with (r2, minio, gcs, …). */
                preset: string | null;
            };
            include: string[];
            exclude: string[];
            hasRelevantFilenames: boolean;
            /** @description Longest side of the thumbnails each sync makes; null when thumbnails are off. */
            thumbnailSize: number | null;
            createdAt: string;
        };
        CreateDataset: {
            /** @example farm-animals */
            name: string;
            input: {
                /**
                 * @description s3://bucket/prefix/, gs://bucket/prefix/, azure://account/container/prefix/ or a local folder.
                 * @example s3://datalake/projects/farm-animals/
                 */
                uri: string;
                region?: string;
                /** @description Custom S3 endpoint (MinIO, Ceph, R2, Wasabi). Private and loopback addresses only when the operator allows them. */
                endpoint?: string;
                pathStyle?: boolean;
                accessKeyId?: string;
                /** @description Write-only: stored encrypted, never returned. */
                secretAccessKey?: string;
                /** @description Write-only. */
                sessionToken?: string;
                roleArn?: string;
                externalId?: string;
                roleSessionSeconds?: number;
                sseKmsKeyId?: string;
                /**
                 * @description S3-compatible store: sets the endpoint (from its template), path-style addressing and the region rule. gs:// locations always use gcs.
                 * @enum {string}
                 */
                preset?: "minio" | "ceph" | "r2" | "wasabi" | "b2" | "gcs";
                /** @description The account id a preset's endpoint template needs (Cloudflare R2). */
                accountId?: string;
                /** @description Azure: a SAS token for the container or directory. Write-only: stored encrypted, never returned. */
                sasToken?: string;
                /** @description Azure: the storage account key. Write-only: stored encrypted, never returned. */
                accountKey?: string;
            };
            output?: {
                uri: string;
                region?: string;
                /** @description Custom S3 endpoint (MinIO, Ceph, R2, Wasabi). Private and loopback addresses only when the operator allows them. */
                endpoint?: string;
                pathStyle?: boolean;
                accessKeyId?: string;
                /** @description Write-only: stored encrypted, never returned. */
                secretAccessKey?: string;
                /** @description Write-only. */
                sessionToken?: string;
                roleArn?: string;
                externalId?: string;
                roleSessionSeconds?: number;
                sseKmsKeyId?: string;
                /**
                 * @description S3-compatible store: sets the endpoint (from its template), path-style addressing and the region rule. gs:// locations always use gcs.
                 * @enum {string}
                 */
                preset?: "minio" | "ceph" | "r2" | "wasabi" | "b2" | "gcs";
                /** @description The account id a preset's endpoint template needs (Cloudflare R2). */
                accountId?: string;
                /** @description Azure: a SAS token for the container or directory. Write-only: stored encrypted, never returned. */
                sasToken?: string;
                /** @description Azure: the storage account key. Write-only: stored encrypted, never returned. */
                accountKey?: string;
            };
            include?: string[];
            exclude?: string[];
            /** @description Make thumbnails of this size (longest side, px) after every sync: JPEG, or WebP for images with an alpha channel. */
            thumbnails?: {
                /** @example 400 */
                size: number;
            };
        };
        DatasetDetails: {
            id: string;
            name: string;
            input: {
                /** @enum {string} */
                purpose: "input" | "output";
                uri: string;
                /** @enum {string} */
                kind: "s3" | "gcs" | "azure" | "local";
                region: string | null;
                endpoint: string | null;
                pathStyle: boolean;
                accessKeyId: string | null;
                hasSecret: boolean;
                sseKmsKeyId: string | null;
                roleArn: string | null;
                externalId: string | null;
                roleSessionSeconds: number | null;
                /** @description The S3-compatible preset the datasource was made with (r2, minio, gcs, …). */
                preset: string | null;
            };
            output: {
                /** @enum {string} */
                purpose: "input" | "output";
                uri: string;
                /** @enum {string} */
                kind: "s3" | "gcs" | "azure" | "local";
                region: string | null;
                endpoint: string | null;
                pathStyle: boolean;
                accessKeyId: string | null;
                hasSecret: boolean;
                sseKmsKeyId: string | null;
                roleArn: string | null;
                externalId: string | null;
                roleSessionSeconds: number | null;
                /** @description The S3-compatible preset the datasource was made with (r2, minio, gcs, …). */
                preset: string | null;
            };
            include: string[];
            exclude: string[];
            hasRelevantFilenames: boolean;
            /** @description Longest side of the thumbnails each sync makes; null when thumbnails are off. */
            thumbnailSize: number | null;
            createdAt: string;
            samples: {
                total: number;
                pending: number;
                ok: number;
                error: number;
                removed: number;
            };
            thumbnails: {
                ok: number;
                rejected: number;
                missing: number;
            };
            lastSync: {
                generation: number;
                /** @enum {string} */
                status: "running" | "completed" | "failed" | "interrupted";
                /** @enum {string} */
                phase: "listing" | "probing" | "done";
                startedAt: string;
                finishedAt: string | null;
                error: string | null;
            } | null;
            /** @description Thumbnails Winnow wrote for samples since removed that are still in the bucket, because the keys could not delete them; `winnow dataset clean-outputs` deletes them once delete is granted. */
            orphanedOutputs: {
                count: number;
                /** @description The first of their full keys in the output location (up to 20). */
                first: string[];
                /** @description Whether the output's keys may delete, as last seen (verify, or a sync); null: not known yet. */
                deleteAllowed: boolean | null;
            };
            relevantFilenames: components["schemas"]["RelevantFilenamesSummary"];
        };
        /** @description The relevant-filenames list against the bucket at the last completed sync; null without a list or before the first sync. */
        RelevantFilenamesSummary: {
            /** @description Distinct keys in the list. */
            listed: number;
            /** @description Not found in the bucket (a typo, or deleted since the list was made). */
            missing: {
                count: number;
                /** @description The first keys of the group, in key order (up to 20). */
                first: string[];
            };
            /** @description Naming another location than the input (another bucket, a sibling folder). */
            outside: {
                count: number;
                /** @description The first keys of the group, in key order (up to 20). */
                first: string[];
            };
            /** @description Named by more than one line. */
            repeated: {
                count: number;
                /** @description The first keys of the group, in key order (up to 20). */
                first: string[];
            };
            /** @description Dropped by the dataset's own filters: not an image, excluded by a glob, or under .winnow/. */
            skipped: {
                count: number;
                /** @description The first keys of the group, in key order (up to 20). */
                first: string[];
            };
        } | null;
        /** @description Only the fields given change; each applies from the next sync. */
        EditDataset: {
            /** @description A new name (same rules as at creation). */
            name?: string;
            /** @description Changes to the input's connection: keys, role, region, endpoint, SSE-KMS key. A field left out keeps its value, null clears it; secrets left out keep the stored ones (a new access key id needs its secret). `uri`, if given, must be the dataset's input: the input location cannot change. */
            input?: {
                /**
                 * @description s3://bucket/prefix/, gs://bucket/prefix/, azure://account/container/prefix/ or a local folder.
                 * @example s3://datalake/projects/farm-animals/
                 */
                uri?: string | null;
                region?: string | null;
                endpoint?: string | null;
                pathStyle?: boolean | null;
                accessKeyId?: string | null;
                secretAccessKey?: string | null;
                sessionToken?: string | null;
                roleArn?: string | null;
                externalId?: string | null;
                roleSessionSeconds?: number | null;
                sseKmsKeyId?: string | null;
                /** @enum {string|null} */
                preset?: "minio" | "ceph" | "r2" | "wasabi" | "b2" | "gcs" | null;
                accountId?: string | null;
                sasToken?: string | null;
                accountKey?: string | null;
            };
            /** @description A new or changed output location (its own keys optional, else the input's); null writes under the input again. Moving the output forgets the thumbnails made under the old one (the next sync makes them again; the old objects stay). */
            output?: {
                /**
                 * @description s3://bucket/prefix/, gs://bucket/prefix/, azure://account/container/prefix/ or a local folder.
                 * @example s3://datalake/projects/farm-animals/
                 */
                uri?: string | null;
                region?: string | null;
                endpoint?: string | null;
                pathStyle?: boolean | null;
                accessKeyId?: string | null;
                secretAccessKey?: string | null;
                sessionToken?: string | null;
                roleArn?: string | null;
                externalId?: string | null;
                roleSessionSeconds?: number | null;
                sseKmsKeyId?: string | null;
                /** @enum {string|null} */
                preset?: "minio" | "ceph" | "r2" | "wasabi" | "b2" | "gcs" | null;
                accountId?: string | null;
                sasToken?: string | null;
                accountKey?: string | null;
            } | null;
            include?: string[];
            exclude?: string[];
            /** @description A new relevant-filenames list (one key per line, # comments); null drops the list. */
            relevantFilenames?: {
                text: string;
                source?: string;
            } | null;
            /** @description Thumbnail size (longest side, px); null turns thumbnails off. */
            thumbnails?: {
                size: number;
            } | null;
        };
        DatasetOutputCleanup: {
            dataset: string;
            /** @description Thumbnails of removed samples deleted from <output>/.winnow/. */
            deleted: number;
            /** @description Thumbnails of removed samples still in the bucket. */
            left: number;
            /** @description Why some were left (delete denied, or a delete failed). */
            reason: string | null;
            /** @description The command that deletes the ones left once delete is granted. */
            command: string | null;
        };
        VerifyReport: {
            dataset: string;
            input: string;
            output: string;
            /** @enum {string} */
            mode: "full" | "read-write" | "read-only" | "list-only" | "no-access";
            summary: string;
            checks: {
                list: {
                    ok: boolean;
                    skipped: boolean;
                    operation: string;
                    action: string;
                    resource: string;
                    errorCode?: string;
                    /** @description The storage service's own error code (S3 or GCS error code, or Azure's x-ms-error-code). */
                    s3Code?: string;
                    message?: string;
                    fix?: string;
                };
                read: {
                    ok: boolean;
                    skipped: boolean;
                    operation: string;
                    action: string;
                    resource: string;
                    errorCode?: string;
                    /** @description The storage service's own error code (S3 or GCS error code, or Azure's x-ms-error-code). */
                    s3Code?: string;
                    message?: string;
                    fix?: string;
                };
                write: {
                    ok: boolean;
                    skipped: boolean;
                    operation: string;
                    action: string;
                    resource: string;
                    errorCode?: string;
                    /** @description The storage service's own error code (S3 or GCS error code, or Azure's x-ms-error-code). */
                    s3Code?: string;
                    message?: string;
                    fix?: string;
                };
                overwrite: {
                    ok: boolean;
                    skipped: boolean;
                    operation: string;
                    action: string;
                    resource: string;
                    errorCode?: string;
                    /** @description The storage service's own error code (S3 or GCS error code, or Azure's x-ms-error-code). */
                    s3Code?: string;
                    message?: string;
                    fix?: string;
                };
                delete: {
                    ok: boolean;
                    skipped: boolean;
                    operation: string;
                    action: string;
                    resource: string;
                    errorCode?: string;
                    /** @description The storage service's own error code (S3 or GCS error code, or Azure's x-ms-error-code). */
                    s3Code?: string;
                    message?: string;
                    fix?: string;
                };
            };
            leftBehind?: string;
            /** @description Whether the bucket answers a browser CORS preflight from the app (S3 inputs whose read probe passed). */
            cors: {
                ok: boolean;
                origin: string;
                message: string;
                configuration: {
                    [key: string]: unknown;
                }[] | null;
            } | null;
        };
        DatasetPolicy: {
            /** @description IAM identity policy document to attach to the dataset’s user or role. */
            policy: {
                [key: string]: unknown;
            };
            lights: {
                list: boolean;
                read: boolean;
                write: boolean;
                overwrite: boolean;
                delete: boolean;
            };
        };
        SyncJob: {
            id: string;
            dataset: string;
            /** @enum {string} */
            status: "running" | "completed" | "failed" | "cancelled";
            startedAt: string;
            finishedAt: string | null;
            progress: {
                /** @enum {string} */
                phase: "listing" | "probing";
                listed: number;
                added: number;
                updated: number;
                probed: number;
                toProbe: number;
                failed: number;
                /** @description A fanned-out listing's shards: how many are done, of how many. */
                shards?: {
                    done: number;
                    total: number;
                };
            } | null;
            retrying: components["schemas"]["StorageRetry"];
            retries: number;
            report: {
                dataset: string;
                generation: number;
                resumed: boolean;
                listed: number;
                added: number;
                updated: number;
                removed: number;
                failed: number;
                total: number;
                withoutDimensions: number;
                readDenied: boolean;
                warnings: string[];
                thumbnails: {
                    dataset: string;
                    size: number;
                    location: string;
                    total: number;
                    generated: number;
                    skipped: number;
                    failed: number;
                    retryable: number;
                    durationMs: number;
                } | null;
                /** @description Every key of the relevant-filenames list not found in the bucket, in key order. */
                relevantMissing: string[];
                /** @description Every line of the list naming another location than the input. */
                relevantOutside: string[];
                /** @description Every key named by more than one line of the list. */
                relevantRepeated: string[];
                /** @description Every listed key the dataset's own filters drop (not an image, excluded, .winnow/). */
                relevantSkipped: string[];
                orphanedOutputs: components["schemas"]["OutputCleanup"];
                /** @description How many shards this run's listing was split into (0: it was listed in one stream). */
                shards: number;
                durationMs: number;
                timings: {
                    listingMs: number;
                    probingMs: number;
                };
            } | null;
            error: {
                code: string;
                message: string;
                hint: string | null;
            } | null;
        } | null;
        /** @description A storage call being retried after a backoff: the job is waiting on the storage, not stuck. */
        StorageRetry: {
            /** @description The attempt going out now (2 for the first retry). */
            attempt: number;
            maxAttempts: number;
            /** @example 503 SlowDown */
            reason: string;
            at: string;
            /**
             * @description The storage call being retried.
             * @example GetObject
             */
            operation?: string;
            /** @description The backoff before this attempt went out, in milliseconds. */
            delayMs?: number;
            /**
             * @description The last error's code.
             * @example SlowDown
             */
            code?: string;
        } | null;
        OutputCleanup: {
            /** @description Thumbnails of removed samples deleted from <output>/.winnow/. */
            deleted: number;
            /** @description Thumbnails of removed samples still in the bucket. */
            left: number;
            /** @description Why some were left (delete denied, or a delete failed). */
            reason: string | null;
            /** @description The command that deletes the ones left once delete is granted. */
            command: string | null;
        };
        SamplePage: {
            samples: components["schemas"]["Sample"][];
            nextCursor: string | null;
        };
        Sample: {
            key: string;
            size: number;
            width: number | null;
            height: number | null;
            format: string | null;
            /** @enum {string} */
            status: "pending" | "ok" | "error";
            error: string | null;
            etag: string | null;
            lastModified: string | null;
            firstSeenAt: string;
            lastSeenAt: string;
            /** @description Presigned GET URL (S3) or Winnow file route (local); null with urls=false. */
            url: string | null;
            thumbnail: {
                key: string;
                width: number;
                height: number;
            } | null;
            /** @description The thumbnail (JPEG, or WebP for images with an alpha channel) when one exists for the present content; otherwise show url. */
            thumbnailUrl: string | null;
            thumbnailError: string | null;
        };
        EmbedJobResponse: {
            job: components["schemas"]["EmbedJob"];
        };
        EmbedJob: {
            id: string;
            dataset: string;
            model: string;
            /** @enum {string} */
            status: "running" | "completed" | "failed" | "cancelled";
            startedAt: string;
            finishedAt: string | null;
            progress: {
                model: string;
                total: number;
                toEmbed: number;
                done: number;
                embedded: number;
                failed: number;
            } | null;
            retrying: components["schemas"]["StorageRetry"];
            retries: number;
            report: {
                dataset: string;
                model: string;
                dimensions: number;
                embedded: number;
                fromThumbnails?: number;
                skipped: number;
                failed: number;
                retryable: number;
                removed: number;
                total: number;
                imagesPerSecond: number;
                durationMs: number;
            } | null;
            error: {
                code: string;
                message: string;
                hint: string | null;
            } | null;
        } | null;
        EmbeddingStatus: {
            job: components["schemas"]["EmbedJob"];
            samples: number;
            models: {
                name: string;
                dimensions: number;
                source: string;
                embedded: number;
                rejected: number;
            }[];
        };
        EmbeddingMap: {
            dataset: string;
            model: string;
            /** @enum {string} */
            method: "pca" | "umap";
            points: number;
            /** @description Sample keys, one per point. */
            keys: string[];
            /** @description Base64 of little-endian float32 x, y pairs, one pair per point in the order of keys (8 bytes a point). */
            coordinates: string;
        };
        Neighbours: {
            dataset: string;
            model: string;
            key: string;
            neighbours: {
                key: string;
                distance: number;
            }[];
            queryMs: number;
        };
        ModelList: {
            models: components["schemas"]["Model"][];
        };
        Model: {
            name: string;
            dimensions: number;
            inputSize: number;
            /** @enum {string} */
            layout: "nchw" | "nhwc";
            output: string;
            /** @enum {string} */
            source: "default" | "user" | "imported";
            sha256: string;
            createdAt: string;
        };
        SelectionReport: {
            dataset: string;
            tag: string | null;
            /** @description The new picks, relative to the input, in the order they were picked. */
            keys: string[];
            picks: {
                key: string;
                score: number;
                contributions: {
                    [key: string]: number;
                };
                distanceToSelected?: number;
            }[];
            pool: number;
            preselected: number;
            tagSize: number | null;
            model: string | null;
            /** @enum {string} */
            vectors: "full" | "none";
            seed: number;
            /** @enum {string} */
            stoppedBecause: "count" | "min-distance" | "no-candidates";
            coverageRadius: number | null;
            durationMs: number;
        };
        SelectRequest: {
            strategies: {
                /** @enum {string} */
                name: "diversity" | "typicality" | "balance" | "similarity" | "weights" | "random";
                strength?: number;
                /** @description balance: a text field (e.g. label); weights: a numeric field. */
                field?: string;
                /** @description balance: uniform, or each category's share. */
                target?: "uniform" | {
                    [key: string]: number;
                };
                /** @description similarity: the tag whose samples to be similar to. */
                queryTag?: string;
                /** @description similarity: keys to be similar to. */
                queryKeys?: string[];
            }[];
            thresholds?: {
                field: string;
                /** @enum {string} */
                operator: ">" | ">=" | "<" | "<=" | "==" | "!=";
                value: number;
            }[];
            /** @description How many to add; give this or proportion. */
            count?: number;
            /** @description The share of the pool the selection should reach. */
            proportion?: number;
            /** @description Its samples count as already selected and join the result. */
            fromTag?: string;
            /** @description The tag the picks go into; its samples count as already selected. Without it nothing is stored. */
            tag?: string;
            seed?: number;
            model?: string;
            minDistance?: number;
            /** @description Pick, but store nothing (a preview). */
            dryRun?: boolean;
            description?: string;
        };
        DuplicatesReport: {
            dataset: string;
            model: string;
            threshold: number;
            /** @description Thumbnail-descriptor distance a near-duplicate candidate must also be under. */
            descriptorThreshold: number;
            groups: {
                /** @description Relative to the input, the kept one first. */
                keys: string[];
                keep: string;
                /** @description The largest cosine distance of a pair that joined the group; 0 for byte-identical copies. */
                maxDistance: number;
            }[];
            /** @description Samples in a group that are not its kept one. */
            duplicates: number;
            samples: number;
            embedded: number;
            /** @description Samples read to hash their content in this run (kept for later runs). */
            hashed: number;
            pairsWithoutDescriptor: number;
            tag: string | null;
            tagSize: number | null;
            durationMs: number;
        };
        DuplicatesRequest: {
            /** @description Cosine distance for near-duplicate candidates; default calibrated for the bundled model (0.2). */
            threshold?: number;
            model?: string;
            /** @description Tag every sample but the kept one of each group. Without it nothing is stored. */
            tag?: string;
            /**
             * @description create: refuse a tag name in use (409); replace: empty it first; append: add to it.
             * @default create
             * @enum {string}
             */
            tagMode: "create" | "replace" | "append";
            description?: string;
        };
        TagList: {
            tags: components["schemas"]["Tag"][];
        };
        Tag: {
            name: string;
            description: string | null;
            size: number;
            createdAt: string;
            updatedAt: string;
        };
        CreateTag: {
            name: string;
            description?: string;
            /** @description Keys relative to the input. */
            keys?: string[];
            combine?: {
                /** @enum {string} */
                operation: "union" | "intersection" | "difference";
                of: string[];
            };
            /**
             * @description create: refuse a name in use (409); replace: empty an existing tag first; append: add to it.
             * @default create
             * @enum {string}
             */
            mode: "create" | "replace" | "append";
        };
        TagDetails: {
            name: string;
            description: string | null;
            size: number;
            createdAt: string;
            updatedAt: string;
            keys: string[];
        };
        UpdateTag: {
            name?: string;
            description?: string | null;
        };
        TagExportLocation: {
            location: string;
            count: number;
        };
        MetadataFields: {
            fields: {
                field: string;
                numbers: number;
                texts: number;
            }[];
        };
        FieldValues: {
            field: string;
            /** @description Samples holding the field, in key order. */
            keys: string[];
            /** @description Each key's value: a number or a text. */
            values: (number | string)[];
        };
        MetadataImportReport: {
            dataset: string;
            samples: number;
            values: number;
            fields: {
                field: string;
                numbers: number;
                texts: number;
            }[];
        };
        MetadataImport: {
            /** @enum {string} */
            format: "csv" | "json";
            /** @description The file's contents: CSV (key column, then fields) or JSON ({ "<key>": { field: value } }). */
            text: string;
        };
        SimilarToImage: {
            dataset: string;
            model: string;
            neighbours: {
                key: string;
                distance: number;
            }[];
            queryMs: number;
        };
        JobList: {
            jobs: components["schemas"]["Job"][];
        };
        Job: {
            id: string;
            /** @enum {string} */
            name: "sync" | "sync-shard" | "thumbnails" | "thumbnails-batch" | "embed" | "embed-batch";
            /** @description The payload: the dataset and the options the job was started with. */
            data: {
                [key: string]: unknown;
            };
            /** @enum {string} */
            state: "created" | "retry" | "active" | "completed" | "cancelled" | "failed";
            /** @description Attempts that failed (or whose worker died) and were tried again. */
            retryCount: number;
            retryLimit: number;
            createdAt: string;
            startedAt: string | null;
            finishedAt: string | null;
            /** @description When the job, or its next retry, may start. */
            startAfter: string;
            /** @description What the job last reported: `phase` and that phase's counters; `retrying` (a StorageRetry, or null) and `storageRetries` (storage calls retried in this attempt), as the worker running it wrote them. */
            progress: {
                [key: string]: unknown;
            } | null;
            /** @description The workflow's report, once completed. */
            result: {
                [key: string]: unknown;
            } | null;
            error: {
                code: string;
                message: string;
                hint: string | null;
            } | null;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Up */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSession: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Session state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    signIn: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    token: string;
                };
            };
        };
        responses: {
            /** @description Signed in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    signOut: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Signed out (or was not signed in) */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listDatasets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Datasets, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetList"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createDataset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateDataset"];
            };
        };
        responses: {
            /** @description Created */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Dataset"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The operator does not allow this (e.g. a local folder outside WINNOW_LOCAL_ROOTS). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDataset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The dataset */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetDetails"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteDataset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateDataset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["EditDataset"];
            };
        };
        responses: {
            /** @description The dataset as changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Dataset"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The operator does not allow this (e.g. a local folder outside WINNOW_LOCAL_ROOTS). */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cleanDatasetOutputs: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was deleted, and what was left and why */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetOutputCleanup"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket refused or failed the call (the message names the S3 call and the IAM action). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket did not answer in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    verifyDataset: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The five lights, each with its reason and fix */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["VerifyReport"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket refused or failed the call (the message names the S3 call and the IAM action). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket did not answer in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getDatasetPolicy: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The policy and the lights it grants */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DatasetPolicy"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSync: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job, or null when this server started none */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        job: components["schemas"]["SyncJob"];
                    };
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startSync: {
        parameters: {
            query?: {
                /** @description Index keys without reading headers (a list-only policy). */
                skipVerify?: "true" | "false";
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Started (or already running) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        job: components["schemas"]["SyncJob"];
                    };
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelSync: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled job, or null */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        job: components["schemas"]["SyncJob"];
                    };
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listSamples: {
        parameters: {
            query?: {
                limit?: number;
                /** @description nextCursor of the previous page. */
                cursor?: string;
                status?: "pending" | "ok" | "error";
                extension?: string;
                folder?: string;
                /** @description Case-insensitive substring of the key. */
                q?: string;
                /** @description Only samples in this tag (none when there is no such tag). */
                tag?: string;
                sort?: "key" | "date";
                order?: "asc" | "desc";
                /** @description false skips presigning. */
                urls?: "true" | "false";
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page; pass nextCursor back as cursor */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SamplePage"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getSample: {
        parameters: {
            query: {
                /** @description The key relative to the input folder. */
                key: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sample */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sample"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getEmbeddingStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The running or last job, and the vectors stored per model */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbeddingStatus"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    startEmbedding: {
        parameters: {
            query?: {
                /** @description A registered model; default: the bundled one. */
                model?: string;
                batchSize?: number;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Started (or already running) */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbedJobResponse"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelEmbedding: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled job, or null */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbedJobResponse"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getEmbeddingMap: {
        parameters: {
            query?: {
                method?: "pca" | "umap";
            };
            header?: never;
            path: {
                name: string;
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The 2-D map as packed arrays */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EmbeddingMap"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getNeighbours: {
        parameters: {
            query: {
                key: string;
                k?: number;
            };
            header?: never;
            path: {
                name: string;
                model: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Nearest first, the query left out */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Neighbours"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listModels: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Models */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ModelList"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    selectSamples: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SelectRequest"];
            };
        };
        responses: {
            /** @description The picks, in order, each with its reasons */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SelectionReport"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    findDuplicates: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DuplicatesRequest"];
            };
        };
        responses: {
            /** @description The groups, the kept key first in each */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DuplicatesReport"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket refused or failed the call (the message names the S3 call and the IAM action). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket did not answer in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listTags: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Tags, by name */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TagList"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    createTag: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateTag"];
            };
        };
        responses: {
            /** @description Created (or replaced, or extended) */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tag"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getTag: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The tag */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TagDetails"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    deleteTag: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    updateTag: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateTag"];
            };
        };
        responses: {
            /** @description The tag as it now is */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Tag"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    exportTag: {
        parameters: {
            query?: {
                format?: "txt" | "json" | "csv";
                /** @description json/csv: add each image's URL (presigned for S3). */
                urls?: "true" | "false";
            };
            header?: never;
            path: {
                name: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain": string;
                    "text/csv": string;
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket refused or failed the call (the message names the S3 call and the IAM action). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket did not answer in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    exportTagToOutput: {
        parameters: {
            query?: {
                format?: "txt" | "json" | "csv";
                /** @description json/csv: add each image's URL (presigned for S3). */
                urls?: "true" | "false";
            };
            header?: never;
            path: {
                name: string;
                tag: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Where it was written */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TagExportLocation"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket refused or failed the call (the message names the S3 call and the IAM action). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket did not answer in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listMetadataFields: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Fields, with how many samples hold a number or a text */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetadataFields"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    importMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MetadataImport"];
            };
        };
        responses: {
            /** @description What was stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetadataImportReport"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getFieldValues: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
                field: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Keys and values, in key order */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FieldValues"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    importLightlyMetadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was stored */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetadataImportReport"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket refused or failed the call (the message names the S3 call and the IAM action). */
            502: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The bucket did not answer in time. */
            504: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    findSimilarToImage: {
        parameters: {
            query?: {
                k?: number;
                model?: string;
            };
            header?: never;
            path: {
                name: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "image/jpeg": string;
                "image/png": string;
                "image/webp": string;
                "image/gif": string;
                "image/avif": string;
                "image/tiff": string;
                "image/bmp": string;
            };
        };
        responses: {
            /** @description Nearest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SimilarToImage"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is larger than the server accepts. */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The body is not JSON. */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The image cannot be read (corrupt, truncated, not an image, or too large). */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    listJobs: {
        parameters: {
            query?: {
                /** @description Only these states, comma-separated: created, retry, active, completed, cancelled, failed. */
                state?: string;
                /** @description Only these jobs, comma-separated: sync, sync-shard (one key range of a big sync), thumbnails, thumbnails-batch, embed, embed-batch (a range of samples of a run on PostgreSQL). */
                name?: string;
                /** @description Only jobs of this dataset. */
                dataset?: string;
                /** @description At most this many, newest first. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The jobs */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["JobList"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    getJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    cancelJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The cancelled job */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
    retryJob: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The job, queued again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Job"];
                };
            };
            /** @description The request is invalid: a path parameter, the query or the JSON body (the message names the field). */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No valid API token or session cookie. */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description No such dataset or sample. */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description It exists already, or another job holds the dataset. */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The request was sent to a host name this server does not answer to. */
            421: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
            /** @description The server failed; its log says why. */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Error"];
                };
            };
        };
    };
}

/**
 * S3-compatible stores Winnow knows how to reach: where their endpoint is, how they address
 * buckets, what they call regions and what they do not support. Pure data; `datasource-settings.ts`
 * applies a preset to what the user gave, and the README's table is this one.
 */
export type PresetId = 'minio' | 'ceph' | 'r2' | 'wasabi' | 'b2' | 'gcs';

export interface S3Preset {
  id: PresetId;
  label: string;
  /**
   * The endpoint with `{accountId}` and `{region}` filled in; undefined for self-hosted stores,
   * whose endpoint the user gives.
   */
  endpointTemplate: string | undefined;
  /** Path-style addressing unless the user says otherwise. */
  pathStyle: boolean;
  /** `fixed`: the only region the store signs with; `default`: used when none is given (undefined: one must be given). */
  region: { fixed: string } | { default: string | undefined; example: string };
  /** Whether writes may carry SSE-KMS headers (x-amz-server-side-encryption: aws:kms). */
  sseKms: boolean;
  /** Facts a user trips over, shown by `winnow policy generate` and in the README. */
  quirks: readonly string[];
  /** How to give Winnow keys that reach only the dataset's folder, in this store's terms. */
  leastPrivilege: string;
}

export const S3_PRESETS: Readonly<Record<PresetId, S3Preset>> = {
  minio: {
    id: 'minio',
    label: 'MinIO',
    endpointTemplate: undefined,
    pathStyle: true,
    region: { default: 'us-east-1', example: 'us-east-1' },
    sseKms: true,
    quirks: [
      'Give the server address with --endpoint (e.g. http://minio.internal:9000); private addresses need WINNOW_API_ALLOW_PRIVATE_ENDPOINTS=true for API users.',
      'SSE-KMS works only when the MinIO server has a KMS (KES) configured.',
      "The region is the server's MINIO_SITE_REGION, us-east-1 unless set.",
    ],
    leastPrivilege:
      'A MinIO user or service account with the IAM-style policy `winnow policy generate --preset minio` prints (MinIO evaluates s3:prefix conditions like AWS).',
  },
  ceph: {
    id: 'ceph',
    label: 'Ceph Object Gateway (RGW)',
    endpointTemplate: undefined,
    pathStyle: true,
    region: { default: 'us-east-1', example: 'us-east-1' },
    sseKms: true,
    quirks: [
      'Give the gateway address with --endpoint.',
      "The region is the zonegroup's api_name when the cluster sets one.",
      'SSE-KMS needs a KMS backend (Vault, Barbican, KMIP) configured in RGW.',
    ],
    leastPrivilege: "An RGW user whose bucket policy (or user policy through RGW's IAM API) is the AWS-style policy `winnow policy generate` prints.",
  },
  r2: {
    id: 'r2',
    label: 'Cloudflare R2',
    endpointTemplate: 'https://{accountId}.r2.cloudflarestorage.com',
    pathStyle: true,
    region: { fixed: 'auto' },
    sseKms: false,
    quirks: [
      'The endpoint needs the Cloudflare account id (--account-id); buckets in the EU jurisdiction use https://<account-id>.eu.r2.cloudflarestorage.com (give it with --endpoint).',
      'The region is always "auto".',
      'No SSE-KMS: R2 encrypts every object itself and rejects aws:kms headers.',
      'R2 API tokens are scoped to buckets, not to folders: a token that may read one folder may read the whole bucket.',
    ],
    leastPrivilege:
      'An R2 API token with "Object Read only" on the input bucket (and "Object Read & Write" on the output bucket for thumbnails); R2 cannot limit a token to a prefix, so keep datasets in buckets of their own.',
  },
  wasabi: {
    id: 'wasabi',
    label: 'Wasabi',
    endpointTemplate: 'https://s3.{region}.wasabisys.com',
    pathStyle: false,
    region: { default: 'us-east-1', example: 'eu-central-1' },
    sseKms: false,
    quirks: ["The endpoint follows the bucket's region (--region).", 'No SSE-KMS: Wasabi supports SSE-S3 and SSE-C only.'],
    leastPrivilege: 'A Wasabi sub-user with the AWS-style policy `winnow policy generate` prints (Wasabi IAM evaluates s3:prefix conditions).',
  },
  b2: {
    id: 'b2',
    label: 'Backblaze B2',
    endpointTemplate: 'https://s3.{region}.backblazeb2.com',
    pathStyle: false,
    region: { default: undefined, example: 'us-west-004' },
    sseKms: false,
    quirks: [
      "The region is part of the bucket's S3 endpoint, e.g. us-west-004 (shown on the bucket's page); it must be given.",
      'No SSE-KMS: B2 supports SSE-B2 and SSE-C only.',
    ],
    leastPrivilege:
      "An application key restricted to the bucket and to the dataset's folder as its file-name prefix, with listFiles and readFiles (and writeFiles, deleteFiles for an output under the same prefix).",
  },
  gcs: {
    id: 'gcs',
    label: 'Google Cloud Storage (XML API, HMAC keys)',
    endpointTemplate: 'https://storage.googleapis.com',
    pathStyle: true,
    region: { fixed: 'auto' },
    sseKms: false,
    quirks: [
      'Used for gs:// locations: the HMAC key of a service account signs S3-style requests to the XML API.',
      'No SSE-KMS headers: set a default Cloud KMS key on the bucket instead.',
      'Overwriting an object needs storage.objects.delete as well as storage.objects.create.',
    ],
    leastPrivilege: 'A service account with the custom role and IAM conditions `winnow policy generate --input gs://…` prints, and an HMAC key for it.',
  },
};

export const PRESET_IDS = Object.keys(S3_PRESETS) as PresetId[];

export function isPresetId(value: string): value is PresetId {
  return Object.hasOwn(S3_PRESETS, value);
}

/** The preset's endpoint for this account and region, or undefined when the user must give one. */
export function presetEndpoint(preset: S3Preset, values: { accountId?: string | undefined; region: string }): string | undefined {
  return preset.endpointTemplate?.replace('{accountId}', values.accountId ?? '').replace('{region}', values.region);
}

/** Whether the preset's endpoint needs the account id. */
export function needsAccountId(preset: S3Preset): boolean {
  return preset.endpointTemplate?.includes('{accountId}') === true;
}

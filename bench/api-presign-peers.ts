import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { requireDataset } from '../src/catalog/dataset.service.js';
import type { Context } from '../src/context.js';
import type { DatasetStoreCache } from '../src/datasources/store-cache.js';
import { BENCH_CREDENTIALS } from './api-presign.js';
import { createWindowedUrlCache } from './cached-presigner.js';
import { createFastPresigner } from './fast-presigner.js';

export type PresignPeer =
  /** What src/datasources/s3.object-store.ts did first: a getSignedUrl per URL. */
  | { kind: 'get-signed-url-per-call' }
  /** bench/fast-presigner.ts: one S3RequestPresigner reused. */
  | { kind: 'fast' }
  /** The fast presigner with each key's URL cached for a window (bench/cached-presigner.ts). */
  | { kind: 'fast-cached'; windowSeconds: number; maxEntries?: number };

/** The dataset stores of src, with the input store's presignGet swapped for a peer or a bench prototype. */
export function presignPeerStores(context: Context, real: DatasetStoreCache, peer: PresignPeer): DatasetStoreCache {
  const cache = new Map<string, ReturnType<DatasetStoreCache['get']>>();
  return {
    get(name) {
      let entry = cache.get(name);
      if (!entry) {
        entry = real.get(name).then(async ({ dataset, stores }) => {
          const { location } = stores.input;
          if (location.kind !== 's3') return { dataset, stores };
          const { datasources } = await requireDataset(context, name);
          const row = datasources.find((candidate) => candidate.purpose === 'input')!;
          // The client settings of createS3ObjectStore; the bench dataset was created with these static keys.
          const client = new S3Client({
            region: row.region ?? 'us-east-1',
            endpoint: row.endpoint ?? undefined,
            forcePathStyle: row.path_style === 1 || location.bucket.includes('.'),
            credentials: BENCH_CREDENTIALS,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          });
          const fast = await createFastPresigner(client, location.bucket);
          const presignGet =
            peer.kind === 'get-signed-url-per-call'
              ? (key: string, expiresIn: number) => getSignedUrl(client, new GetObjectCommand({ Bucket: location.bucket, Key: key }), { expiresIn })
              : peer.kind === 'fast'
                ? (key: string, expiresIn: number) => fast(key, expiresIn)
                : createWindowedUrlCache(fast, { windowSeconds: peer.windowSeconds, maxEntries: peer.maxEntries ?? 250_000 }).presign;
          const input = { ...stores.input, store: { ...stores.input.store, presignGet } };
          return { dataset, stores: { ...stores, input } };
        });
        cache.set(name, entry);
      }
      return entry;
    },
    forget: (name) => {
      cache.delete(name);
      real.forget(name);
    },
  };
}

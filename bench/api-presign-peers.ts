import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { requireDataset } from '../src/catalog/dataset.service.js';
import type { Context } from '../src/context.js';
import type { DatasetStoreCache } from '../src/workflows/dataset-store-cache.js';
import { BENCH_CREDENTIALS } from './api-presign.js';

/**
 * The dataset stores of src, with the input store's presignGet swapped for the peer: a
 * getSignedUrl per URL, what src/datasources/s3.object-store.ts did first.
 */
export function getSignedUrlPerCallStores(context: Context, real: DatasetStoreCache): DatasetStoreCache {
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
            forcePathStyle: row.pathStyle || location.bucket.includes('.'),
            credentials: BENCH_CREDENTIALS,
            requestChecksumCalculation: 'WHEN_REQUIRED',
            responseChecksumValidation: 'WHEN_REQUIRED',
          });
          const presignGet = async (key: string, expiresIn: number) => {
            // X-Amz-Date has whole seconds; the URL works until then plus expiresIn.
            const signingDate = new Date(Math.floor(Date.now() / 1000) * 1000);
            const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: location.bucket, Key: key }), { expiresIn, signingDate });
            return { url, validUntil: signingDate.getTime() + expiresIn * 1000 };
          };
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

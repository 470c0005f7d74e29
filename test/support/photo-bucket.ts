import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startFaultProxy, type FaultPlan, type FaultProxy } from './fault-proxy.js';
import { createS3rverClient, putObjects, startS3Server } from './s3-server.js';

const PHOTOS = resolve(import.meta.dirname, '../fixtures/photos');
/** The real photos of test/fixtures/photos, by file name. */
export const fixturePhotos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));

export interface PhotoBucket {
  /** Faults start off; a test turns a storm on with `storm.plan.rates`. */
  storm: FaultProxy;
  stop(): Promise<void>;
}

/** s3rver holding every fixture photo under `pics/` of `bucket`, reached through a fault proxy that injects nothing yet. */
export async function startPhotoBucketBehindFaults(bucket: string, plan: Pick<FaultPlan, 'slowDownBurst' | 'seed'>): Promise<PhotoBucket> {
  const s3 = await startS3Server({ buckets: [bucket] });
  const seed = createS3rverClient(s3.endpoint);
  await putObjects(
    seed,
    bucket,
    fixturePhotos.map((name) => ({ key: `pics/${name}`, body: readFileSync(resolve(PHOTOS, name)) })),
  );
  seed.destroy();
  // GETs only: listing and reading get the storms; thumbnails are written without them.
  const storm = await startFaultProxy(s3.endpoint, { rates: {}, latencyMs: 0, methods: ['GET'], ...plan });
  return {
    storm,
    async stop() {
      await storm.stop();
      await s3.stop();
    },
  };
}

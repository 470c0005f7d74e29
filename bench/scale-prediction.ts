/**
 * What bench:scale's per-worker figures predict for one dataset of 10^7 and 10^8 objects on N
 * machines of real S3: a sync fans out into at most WINNOW_SYNC_SHARDS shard jobs (64 at most, so
 * at most that many machines list and read headers), an embedding run into batch jobs of
 * WINNOW_JOB_BATCH_SAMPLES samples (thousands of them: every machine takes some). Plain arithmetic
 * on stated assumptions, so the README can show its working.
 */

/** ListObjectsV2 returns at most 1,000 keys a page. */
export const KEYS_PER_LIST = 1000;
/** us-east-1, S3 Standard: LIST is priced with PUT/COPY/POST, GET separately. */
export const DOLLARS_PER_1000_LIST = 0.005;
export const DOLLARS_PER_1000_GET = 0.0004;
/** One listing stream on real S3: a 1,000-key page every ~50-100 ms (the 10-30k keys/s for one machine). */
export const S3_KEYS_PER_SECOND_PER_STREAM = 15_000;
/** S3 serves at least 5,500 GET/HEAD a second per partitioned prefix (more as it partitions under sustained load). */
export const S3_GETS_PER_SECOND_PER_PREFIX = 5_500;
/** Header reads: `--probe-concurrency` 16 ranged GETs in flight per machine, ~30 ms each to first byte in-region. */
export const HEADER_READS_PER_SECOND_PER_MACHINE = 16 / 0.03;
/** The most shards a sync fans out into (WINNOW_SYNC_SHARDS' upper bound; the prediction assumes it is set so for big fleets). */
export const MAX_SYNC_SHARDS = 64;

export interface Prediction {
  objects: number;
  machines: number;
  listRequests: number;
  listCost: number;
  /** One ranged GET per object for its header during sync, one whole-object GET per object to embed it. */
  getRequests: number;
  getCost: number;
  /** Listing + catalog writes, then header reads. */
  syncHours: number;
  embedHours: number;
}

export interface MeasuredPerWorker {
  /** Keys per second one worker lists and writes to the catalog when the listing costs nothing. */
  syncKeysPerSecond: number;
  embedImagesPerSecond: number;
}

export function predictScaleOut(
  measured: MeasuredPerWorker,
  sizes: readonly number[] = [1e7, 1e8],
  machineCounts: readonly number[] = [1, 10, 100],
): Prediction[] {
  const perMachineListing = Math.min(measured.syncKeysPerSecond, S3_KEYS_PER_SECOND_PER_STREAM);
  return sizes.flatMap((objects) =>
    machineCounts.map((machines) => {
      const listRequests = Math.ceil(objects / KEYS_PER_LIST);
      const getRequests = 2 * objects;
      const syncMachines = Math.min(machines, MAX_SYNC_SHARDS);
      const listingSeconds = objects / (syncMachines * perMachineListing);
      const headerSeconds = objects / Math.min(syncMachines * HEADER_READS_PER_SECOND_PER_MACHINE, S3_GETS_PER_SECOND_PER_PREFIX);
      const embedSeconds = objects / Math.min(machines * measured.embedImagesPerSecond, S3_GETS_PER_SECOND_PER_PREFIX);
      return {
        objects,
        machines,
        listRequests,
        listCost: (listRequests / 1000) * DOLLARS_PER_1000_LIST,
        getRequests,
        getCost: (getRequests / 1000) * DOLLARS_PER_1000_GET,
        syncHours: (listingSeconds + headerSeconds) / 3600,
        embedHours: embedSeconds / 3600,
      };
    }),
  );
}

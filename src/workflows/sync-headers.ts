import { bumpDatasetRevision, type Dataset } from '../catalog/dataset.repository.js';
import {
  listPendingSamplesAfter,
  listPendingSamplesInKeyRange,
  recordSampleError,
  recordSampleHeader,
  type PendingSample,
} from '../catalog/sample.repository.js';
import { countShardProbes, findSyncShard, findSyncState, finishSyncShard, recordReadDenied, type SyncShardState } from '../catalog/sync-state.repository.js';
import type { Executor } from '../db/executor.js';
import { describeError, isAppError, isFatalDatasourceError, type AppError } from '../errors.js';
import { probeImageHeader, type ImageHeader } from '../media/image-header.js';
import { forEachConcurrently } from '../shared/concurrency.js';
import type { BoundStore } from './dataset-stores.js';
import { listShard, type ListingProgress, type SyncListing } from './sync-listing.js';
import type { WorkflowDeps } from './workflow-deps.js';

const PROBE_BATCH = 500;

/** The counters a stream reading headers keeps up to date (the sync's progress, or a shard job's). */
export interface ProbeProgress {
  probed: number;
  failed: number;
}

/** What one stream of a sync reading image headers works with. */
export interface HeaderProbing {
  deps: Pick<WorkflowDeps, 'config' | 'database' | 'log'>;
  dataset: Dataset;
  input: BoundStore;
  progress: ProbeProgress;
  /** Counts a batch in its own transaction: into the sync's state, or into the shard's row. */
  countBatch: (trx: Executor, delta: ProbeProgress) => Promise<void>;
  /** After every committed batch: stops a cancelled sync, renews the lease, reports progress. */
  onCommitted: () => Promise<void>;
}

/** One page of samples to read, from where the previous page ended. */
export type PendingSamplePager = (limit: number) => Promise<PendingSample[]>;

export interface HeaderProber {
  /**
   * Reads the headers of the samples `nextPage` pages through, committing each batch, until none are left,
   * `shouldStop` says so, or reads turn out denied (here, or in another stream of the sync: it stops too).
   * Throws the first fatal storage error other than a denial.
   */
  probe(nextPage: PendingSamplePager, shouldStop?: () => boolean): Promise<void>;
  /** The message of the read denial that stopped this stream (met here or by another stream); undefined while reads work. */
  readonly readDenied: string | undefined;
  /**
   * The samples of the last `probe` whose reads the storage kept failing (throttled, server errors, broken
   * connections, past the retries), and the last such error. They stay pending, to be read again: such a
   * failure says nothing about the image.
   */
  readonly unavailable: { samples: number; lastError: AppError } | undefined;
}

/**
 * A stream of header reads. Its very first read goes alone, so that when reads are denied that is its only
 * denied request; the denial is noted in the sync's state, where every other stream looks before each batch.
 */
export function createHeaderProber(probing: HeaderProbing): HeaderProber {
  const { deps, dataset } = probing;
  let readDenied: string | undefined;
  let unavailable: HeaderProber['unavailable'];
  let firstRead = true;
  return {
    get readDenied() {
      return readDenied;
    },
    get unavailable() {
      return unavailable;
    },
    async probe(nextPage, shouldStop = () => false) {
      unavailable = undefined;
      let unavailableSamples = 0;
      while (readDenied === undefined && !shouldStop()) {
        readDenied = (await findSyncState(deps.database.db, dataset.id))?.readDenied ?? undefined;
        if (readDenied !== undefined) return;
        const batch = await nextPage(firstRead ? 1 : PROBE_BATCH);
        if (batch.length === 0) return;
        firstRead = false;
        const { stop, unavailableErrors } = await probeBatch(probing, batch);
        unavailableSamples += unavailableErrors.length;
        const lastError = unavailableErrors.at(-1);
        if (lastError !== undefined) unavailable = { samples: unavailableSamples, lastError };
        if (stop === undefined) continue;
        if (!isAppError(stop, 'DatasourceAccessDenied')) throw stop;
        readDenied = stop.message;
        await recordReadDenied(deps.database.db, dataset.id, stop.message);
      }
    },
  };
}

/**
 * Reads one batch of headers at `probeConcurrency`, then commits them; returns the fatal error that stopped it,
 * if any, and the errors of the reads the storage kept failing, whose samples stay pending.
 */
async function probeBatch(probing: HeaderProbing, batch: readonly PendingSample[]): Promise<{ stop: AppError | undefined; unavailableErrors: AppError[] }> {
  const { deps, dataset, input, progress } = probing;
  const results: Array<{ sample: PendingSample; header?: ImageHeader; error?: string }> = [];
  const unavailableErrors: AppError[] = [];
  let stop: AppError | undefined;
  await forEachConcurrently(
    batch,
    deps.config.probeConcurrency,
    async (sample) => {
      try {
        const header = await probeImageHeader((start, end) => input.store.readRange(`${input.prefix}${sample.key}`, start, end), sample.size);
        results.push({ sample, header });
      } catch (error) {
        if (isFatalDatasourceError(error)) {
          stop ??= error;
          return;
        }
        if (isAppError(error, 'DatasourceUnavailable')) {
          unavailableErrors.push(error);
          return;
        }
        results.push({ sample, error: describeError(error) });
      }
    },
    () => stop !== undefined,
  );
  const failed = results.filter((result) => result.error !== undefined).length;
  await deps.database.db.transaction().execute(async (trx) => {
    for (const result of results) {
      if (result.header) await recordSampleHeader(trx, result.sample.id, result.header);
      else await recordSampleError(trx, result.sample.id, result.error!);
    }
    await probing.countBatch(trx, { probed: results.length, failed });
    if (results.length > 0) await bumpDatasetRevision(trx, dataset.id);
  });
  progress.probed += results.length;
  progress.failed += failed;
  deps.log.debug({ dataset: dataset.name, probed: progress.probed, failed: progress.failed }, 'header batch committed');
  await probing.onCommitted();
  return { stop, unavailableErrors };
}

/** Every sample still to read, in id order: the sync's last pass, once the listing is over. */
export function pendingSamplesById(db: Executor, datasetId: string): PendingSamplePager {
  let afterId = 0;
  return async (limit) => {
    const page = await listPendingSamplesAfter(db, datasetId, afterId, limit);
    afterId = page.at(-1)?.id ?? afterId;
    return page;
  };
}

/** The samples still to read that the listing of `generation` saw in `afterKey < key <= throughKey`, in key order. */
export function pendingSamplesInKeyRange(
  db: Executor,
  datasetId: string,
  generation: number,
  range: { afterKey: string | null; throughKey: string | null },
): PendingSamplePager {
  let afterKey = range.afterKey;
  return async (limit) => {
    const page = await listPendingSamplesInKeyRange(db, datasetId, generation, { afterKey, throughKey: range.throughKey }, limit);
    afterKey = page.at(-1)?.key ?? afterKey;
    return page;
  };
}

/**
 * One shard's whole work: lists its key range (unless an earlier attempt did), reading the headers of each
 * committed page's new and changed samples as it goes, then those of anything left pending in its range, and
 * ends the shard. A retried shard reads nothing twice: what was read is no longer pending, and the listing
 * resumes after the shard's cursor. Reads denied (here or in another stream) leave the rest pending.
 */
export async function listAndProbeShard(listing: SyncListing & { progress: ListingProgress & ProbeProgress }, shard: SyncShardState): Promise<void> {
  const { deps, dataset, generation } = listing;
  const db = deps.database.db;
  const prober = createHeaderProber({
    deps,
    dataset,
    input: listing.input,
    progress: listing.progress,
    countBatch: (trx, delta) => countShardProbes(trx, dataset.id, generation, shard.index, delta),
    onCommitted: listing.onCommitted,
  });
  let probedThrough = shard.startAfter;
  const probeThrough = async (throughKey: string | null) => {
    await prober.probe(pendingSamplesInKeyRange(db, dataset.id, generation, { afterKey: probedThrough, throughKey }));
    probedThrough = throughKey;
  };
  if (shard.status === 'listing') {
    const probeListedPages = async () => {
      await listing.onCommitted();
      // Up to the cursor only: keys past it are not listed yet, and scanning them each page would cost the whole range every time.
      const cursor = (await findSyncShard(db, dataset.id, generation, shard.index))?.cursorKey ?? null;
      if (cursor !== null && cursor !== probedThrough) await probeThrough(cursor);
    };
    await listShard({ ...listing, onCommitted: probeListedPages }, shard);
  }
  await probeThrough(shard.through);
  await finishSyncShard(db, dataset.id, generation, shard.index);
}

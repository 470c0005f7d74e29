import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowDeps } from './workflow-deps.js';
import { requireDataset } from '../catalog/dataset.service.js';
import { bumpDatasetRevision } from '../catalog/dataset.repository.js';
import { catchUpNameGrams } from '../catalog/name-gram.repository.js';
import { loadRelevantKeys } from '../catalog/relevant-key.repository.js';
import { countSamples, listSamplesAfter, markUnseenSamplesRemoved } from '../catalog/sample.repository.js';
import {
  absorbSyncShards,
  addSyncFailures,
  findSyncShard,
  findSyncState,
  listSyncShards,
  recordReadDenied,
  recordRelevantReport,
  startSyncGeneration,
  updateSyncState,
  type SyncShardState,
} from '../catalog/sync-state.repository.js';
import { listInOneStream, listShardsHere, planShards, type SyncListing } from './sync-listing.js';
import { createHeaderProber, listAndProbeShard, pendingSamplesById, pendingSamplesInKeyRange } from './sync-headers.js';
import { checkRelevantFilenames, NO_RELEVANT_PROBLEMS, summarizeRelevantFilenames } from './relevant-filenames-report.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { thumbnailsAfterSync, type ThumbnailProgress, type ThumbnailReport } from './make-thumbnails.js';
import { openDatasetStores, outputDatasourceOf, type BoundStore, type DatasetStores } from './dataset-stores.js';
import { createKeyFilter } from '../datasources/key-filter.js';
import { containerOf, winnowPrefix } from '../model/location.js';
import type { StorageRetry } from '../datasources/object-store.js';
import { probeReadAccess } from './verify-datasource.js';
import { deleteOrphanedOutputs, type OutputCleanup } from './clean-outputs.js';

export type SyncDeps = Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'log' | 'clock' | 'images' | 'access'>;

export interface SyncProgress {
  phase: 'listing' | 'probing';
  listed: number;
  added: number;
  updated: number;
  /** Headers read so far: while listing, those the shards (and the parent, for the first stream's keys) read as they go. */
  probed: number;
  /** While listing, an estimate that grows with the keys found new or changed; exact once only the last pass is left. */
  toProbe: number;
  failed: number;
  /** A fanned-out listing's shards: done of total (a shard is done once its headers are read too). */
  shards?: { done: number; total: number } | undefined;
}

export interface SyncOptions {
  /** Skip the list/read probes (e.g. a list-only policy that should still index keys). */
  skipVerify?: boolean;
  onProgress?: (progress: SyncProgress) => void;
  /** Progress of the thumbnail phase, on datasets created with `--thumbnails`. */
  onThumbnailProgress?: (progress: ThumbnailProgress) => void;
  /** Aborting stops the sync at the next committed page or batch; it resumes from there next time. */
  signal?: AbortSignal;
  /** Told before each retry of a storage call (throttling, 5xx, broken connections): the job is retrying, not stuck. */
  onRetry?: (retry: StorageRetry) => void;
  /** Runs the shards of a fanned-out sync elsewhere (queued `sync-shard` jobs); by default they run in this process. */
  runShards?: ShardRunner;
}

/** What a shard runner gets: the generation's shards (some maybe done), and the sync's progress to keep up to date. */
export interface ShardRun {
  dataset: string;
  datasetId: string;
  generation: number;
  shards: readonly SyncShardState[];
  progress: SyncProgress;
  /** Call it as the shards advance: stops a cancelled sync, renews the dataset's lease, reports progress. */
  onCommitted: () => Promise<void>;
}

/** Resolves when every shard is done (listed, and its headers read); throws the error of a shard that failed for good. */
export type ShardRunner = (run: ShardRun) => Promise<void>;

export interface SyncReport {
  dataset: string;
  generation: number;
  /** True when this run finished an earlier, interrupted sync. */
  resumed: boolean;
  listed: number;
  added: number;
  updated: number;
  removed: number;
  failed: number;
  /** Live samples in the catalog after the sync. */
  total: number;
  /** Samples whose dimensions are still unknown (reads denied). */
  withoutDimensions: number;
  readDenied: boolean;
  warnings: string[];
  /** The thumbnail phase, on datasets created with `--thumbnails` (null otherwise, or when it could not run). */
  thumbnails: ThumbnailReport | null;
  /** Keys of the relevant-filenames list absent from the bucket (all of them, in key order; empty without a list). */
  relevantMissing: string[];
  /** Lines of the list naming another location than the input. */
  relevantOutside: string[];
  /** Keys more than one line of the list named. */
  relevantRepeated: string[];
  /** Listed keys the dataset's own filters drop (not an image, excluded, Winnow's output). */
  relevantSkipped: string[];
  /** Outputs (thumbnails) of removed samples: deleted from `<output>/.winnow/`, or left there and why. */
  orphanedOutputs: OutputCleanup;
  /** How many shards this run's listing was split into (0: it was listed in one stream). */
  shards: number;
  durationMs: number;
  /** Wall time of this run's phases: listing + catalog writes, then header reads. */
  timings: { listingMs: number; probingMs: number };
}

/**
 * Brings the catalog in line with the input location: new keys added, changed keys
 * updated, vanished keys marked removed, and image headers read for new and changed
 * samples only. Progress is committed page by page, so a killed sync resumes where it stopped.
 */
export async function syncDataset(deps: SyncDeps, datasetName: string, options: SyncOptions = {}): Promise<SyncReport> {
  const started = Date.now();
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  const warnings: string[] = [];
  if (!options.skipVerify) await ensureReadable(stores.input, dataset.name);

  const db = deps.database.db;
  const lease = await acquireDatasetLease(db, dataset.id, dataset.name, 'sync', deps.clock);
  const previous = (await findSyncState(db, dataset.id))!;
  const resumed = previous.status !== 'completed';
  const generation = resumed ? previous.generation : previous.generation + 1;
  if (!resumed) await startSyncGeneration(db, dataset.id, generation, deps.clock().toISOString());
  // A denial an earlier attempt met is found again by one read, if reads are still denied.
  else await updateSyncState(db, dataset.id, { status: 'running', errorMessage: null, readDenied: null });
  deps.log.info({ dataset: dataset.name, generation, resumed, cursor: previous.cursorKey }, 'sync started');

  const timings = { listingMs: 0, probingMs: 0 };
  let thumbnails: ThumbnailReport | null = null;
  let relevant = NO_RELEVANT_PROBLEMS;
  let orphanedOutputs: OutputCleanup = { deleted: 0, left: 0, reason: null, command: null };
  const outputWarnings: string[] = [];
  let shards = 0;
  try {
    const state = (await findSyncState(db, dataset.id))!;
    const shardsSoFar = await listSyncShards(db, dataset.id, generation);
    const inShards = (field: 'listed' | 'added' | 'updated' | 'probed' | 'failed') => shardsSoFar.reduce((total, shard) => total + shard[field], 0);
    const progress: SyncProgress = {
      phase: 'listing',
      listed: state.listed + inShards('listed'),
      added: state.added + inShards('added'),
      updated: state.updated + inShards('updated'),
      probed: inShards('probed'),
      toProbe: 0,
      failed: state.failed + inShards('failed'),
    };
    const onCommitted = async () => {
      if (options.signal?.aborted) throw new AppError('SyncCancelled', `The sync of "${dataset.name}" was cancelled; the next sync resumes where it stopped.`);
      await lease.renew();
      if (progress.phase === 'listing') progress.toProbe = Math.max(progress.toProbe, progress.probed, progress.added + progress.updated);
      options.onProgress?.(progress);
    };
    if (state.phase === 'listing') {
      const listingStarted = Date.now();
      const keep = datasetKeyFilter(dataset, stores, dataset.hasRelevantFilenames ? await loadRelevantKeys(db, dataset.id) : undefined);
      const listing = { deps, dataset, input: stores.input, generation, keep, progress, onCommitted };
      await listEverything(listing, state.cursorKey ?? undefined, { runShards: options.runShards, readsChecked: !options.skipVerify });
      shards = progress.shards?.total ?? 0;
      await db.transaction().execute(async (trx) => {
        // Once, after every listing stream of the generation finished: what none of them saw is gone.
        const removed = await markUnseenSamplesRemoved(trx, dataset.id, generation, deps.clock().toISOString());
        await absorbSyncShards(trx, dataset.id, generation);
        await updateSyncState(trx, dataset.id, { phase: 'probing', removed });
        if (removed > 0) await bumpDatasetRevision(trx, dataset.id, -removed);
      });
      // Counted once for all the keys the listing added, so short "name contains" texts are quick from the first query.
      await catchUpNameGrams(db, deps.database.dialect, dataset.id);
      timings.listingMs = Date.now() - listingStarted;
    }
    const probingStarted = Date.now();
    const probeOutcome = await probeHeaders(deps, dataset, stores.input, progress, onCommitted, options.signal);
    timings.probingMs = Date.now() - probingStarted;
    if (probeOutcome.readDenied) warnings.push(probeOutcome.readDenied);
    if (dataset.hasRelevantFilenames) relevant = await checkRelevantFilenames(db, dataset.id, stores.input.prefix, datasetKeyFilter(dataset, stores));
    await db.transaction().execute(async (trx) => {
      await updateSyncState(trx, dataset.id, { status: 'completed', phase: 'done', finishedAt: deps.clock().toISOString() });
      await recordRelevantReport(trx, dataset.id, dataset.hasRelevantFilenames ? summarizeRelevantFilenames(relevant) : null);
    });
    const output = outputDatasourceOf(datasources)!;
    if (dataset.thumbnailSize !== null) {
      const readDenied = probeOutcome.readDenied !== undefined;
      const made = await thumbnailsAfterSync(deps, dataset, stores, output, {
        readDenied,
        renewLease: lease.renew,
        onProgress: options.onThumbnailProgress,
        signal: options.signal,
      });
      thumbnails = made.report;
      if (made.warning) outputWarnings.push(made.warning);
    }
    orphanedOutputs = await deleteOrphanedOutputs(deps, dataset, { bound: stores.output, datasource: output }, { force: false, renewLease: lease.renew });
    if (orphanedOutputs.left > 0)
      outputWarnings.push(`${orphanedOutputs.left} thumbnail(s) of removed samples were left in the bucket: ${orphanedOutputs.reason}`);
  } catch (error) {
    await updateSyncState(db, dataset.id, { status: 'failed', errorMessage: describeError(error) }).catch(() => undefined);
    throw error;
  } finally {
    await lease.release().catch(() => undefined);
  }

  const finalState = (await findSyncState(db, dataset.id))!;
  const counts = await countSamples(db, dataset.id);
  return {
    dataset: dataset.name,
    generation,
    resumed,
    listed: finalState.listed,
    added: finalState.added,
    updated: finalState.updated,
    removed: finalState.removed,
    failed: finalState.failed,
    total: counts.total,
    withoutDimensions: counts.pending,
    readDenied: warnings.length > 0,
    warnings: [...warnings, ...outputWarnings],
    thumbnails,
    relevantMissing: relevant.missing,
    relevantOutside: relevant.outside,
    relevantRepeated: relevant.repeated,
    relevantSkipped: relevant.skipped,
    orphanedOutputs,
    shards,
    durationMs: Date.now() - started,
    timings,
  };
}

/**
 * The listing phase: one stream, which fans the rest out into shards once it has listed
 * `syncShardAfterKeys` keys with more to come (small datasets never pay for planning). A resumed
 * sync whose listing had fanned out goes straight back to its shards. Each shard reads the headers
 * of its own new and changed samples as it lists them; this process reads those of the first
 * stream's keys meanwhile. `readsChecked`: this run's verify probe read an object.
 */
async function listEverything(
  listing: SyncListing & { progress: SyncProgress },
  cursor: string | undefined,
  { runShards, readsChecked }: { runShards: ShardRunner | undefined; readsChecked: boolean },
): Promise<void> {
  const { deps, dataset, generation } = listing;
  const shardCount = deps.config.syncShards;
  let shards = await listSyncShards(deps.database.db, dataset.id, generation);
  if (shards.length === 0) {
    const stoppedAt = await listInOneStream(listing, cursor, shardCount > 1 ? deps.config.syncShardAfterKeys : Infinity);
    if (stoppedAt === null) return;
    shards = await planShards(listing, stoppedAt, shardCount);
    deps.log.info({ dataset: dataset.name, generation, shards: shards.length, after: stoppedAt }, 'sync fans out');
    if (shards.length === 0) {
      await listInOneStream(listing, stoppedAt);
      return;
    }
  }
  if (!readsChecked) await checkReadsBeforeFanOut(listing);
  const db = deps.database.db;
  const prober = createHeaderProber({ ...listing, countBatch: (trx, delta) => addSyncFailures(trx, dataset.id, delta.failed) });
  let shardsFailed = false;
  const firstStreamKeys = pendingSamplesInKeyRange(db, dataset.id, generation, { afterKey: null, throughKey: shards[0]!.startAfter });
  // Settles with what went wrong rather than rejecting, so no rejection goes unheard while the shards run.
  const firstStream = prober
    .probe(firstStreamKeys, () => shardsFailed)
    .then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
  try {
    if (runShards === undefined) await listShardsHere(listing, shards, shardCount, (shard) => listAndProbeShard(listing, shard));
    else await runShards({ dataset: dataset.name, datasetId: dataset.id, generation, shards, progress: listing.progress, onCommitted: listing.onCommitted });
  } catch (error) {
    shardsFailed = true;
    await firstStream;
    throw error;
  }
  const failure = await firstStream;
  if (failure !== undefined) throw failure.error;
}

/**
 * With `--skip-verify` nothing has read an object yet: one read of a cataloged key, as verify's read probe
 * does, tells whether reads are denied before the shards start. When they are, the shards read nothing and
 * the sync makes one denied request, not one per shard.
 */
async function checkReadsBeforeFanOut(listing: SyncListing): Promise<void> {
  const { deps, dataset, input } = listing;
  const db = deps.database.db;
  if ((await findSyncState(db, dataset.id))?.readDenied) return;
  const [sample] = await listSamplesAfter(db, dataset.id, undefined, 1);
  if (sample === undefined || sample.size === 0) return;
  try {
    await input.store.readRange(`${input.prefix}${sample.key}`, 0, 0);
  } catch (error) {
    // Anything else (the key vanished, a passing fault) says nothing about access: the shards find out.
    if (isAppError(error, 'DatasourceAccessDenied')) await recordReadDenied(db, dataset.id, error.message);
  }
}

async function ensureReadable(input: BoundStore, datasetName: string): Promise<void> {
  const access = await probeReadAccess(input);
  if (access.blocking) throw access.blocking;
  if (!access.list.ok) {
    throw new AppError('DatasourceAccessDenied', access.list.message ?? 'Listing the input location is denied.', {
      hint: access.list.fix,
      details: { check: 'list' },
    });
  }
  if (!access.read.ok && !access.read.skipped) {
    throw new AppError('VerifyFailed', `Reading objects is denied (${access.read.message ?? 's3:GetObject'}), so image headers cannot be read.`, {
      hint: `${access.read.fix ?? 'Allow s3:GetObject on the input prefix.'} Or run \`winnow dataset sync ${datasetName} --skip-verify\` to index keys without dimensions (list-only policy).`,
      webHint: `${access.read.fix ?? 'Allow s3:GetObject on the input prefix.'} Until then the keys cannot be shown with their dimensions.`,
      details: { check: 'read' },
    });
  }
}

/** Which relative keys of the input are the dataset's samples (`relevantKeys` left out: which the globs and image extensions keep). */
function datasetKeyFilter(dataset: Dataset, stores: DatasetStores, relevantKeys?: ReadonlySet<string>) {
  return createKeyFilter({ include: dataset.includeGlobs, exclude: dataset.excludeGlobs, relevantKeys, ownPrefixes: ownPrefixesInsideInput(stores) });
}

/** Relative prefixes of `.winnow/` folders that lie inside the input location (its own, or the output's). */
function ownPrefixesInsideInput(stores: DatasetStores): string[] {
  const { input, output } = stores;
  const sameContainer = containerOf(input.location) === containerOf(output.location);
  const outputWinnow = winnowPrefix(output.location);
  return sameContainer && outputWinnow.startsWith(input.prefix) ? [outputWinnow.slice(input.prefix.length)] : [];
}

/**
 * Before each pass again over the headers whose reads the storage kept failing (throttled, server errors,
 * broken connections past the SDK's retries and its retry budget): a storm that outlasted one call's
 * retries often has passed once the rest of the pass is done, or a few seconds later.
 */
const PAUSES_BEFORE_PASSES_AGAIN_MS = [2_000, 8_000];

/**
 * The last pass, once the listing is over: reads every header still to read (all of them, when the listing
 * did not fan out). Those the storage kept failing to serve stay pending and are read in up to two passes more;
 * if some still fail, the sync stops with that error (exit 5), and the next sync reads them.
 */
async function probeHeaders(
  deps: SyncDeps,
  dataset: Dataset,
  input: BoundStore,
  progress: SyncProgress,
  onCommitted: () => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<{ readDenied: string | undefined }> {
  const db = deps.database.db;
  progress.phase = 'probing';
  progress.toProbe = progress.probed + (await countSamples(db, dataset.id)).pending;
  await onCommitted();
  const prober = createHeaderProber({
    deps,
    dataset,
    input,
    progress,
    countBatch: (trx, delta) => addSyncFailures(trx, dataset.id, delta.failed),
    onCommitted,
  });
  await prober.probe(pendingSamplesById(db, dataset.id));
  for (const pauseMs of PAUSES_BEFORE_PASSES_AGAIN_MS) {
    if (prober.unavailable === undefined || prober.readDenied !== undefined) break;
    const { samples, lastError } = prober.unavailable;
    deps.log.warn(
      { dataset: dataset.name, samples, error: lastError.message, pauseMs },
      'the storage kept failing some header reads; reading them again after a pause',
    );
    await sleep(pauseMs, undefined, { signal }).catch(() => undefined);
    await onCommitted();
    await prober.probe(pendingSamplesById(db, dataset.id));
  }
  if (prober.unavailable !== undefined && prober.readDenied === undefined) {
    const { samples, lastError } = prober.unavailable;
    throw new AppError(
      'DatasourceUnavailable',
      `The headers of ${samples} sample(s) could not be read: the storage kept failing, in ${PAUSES_BEFORE_PASSES_AGAIN_MS.length + 1} passes. The last error: ${lastError.message}`,
      {
        cause: lastError,
        hint: 'They stay to read, not marked broken: the next sync reads them. If the storage keeps failing, check its service status and logs.',
        details: lastError.details,
      },
    );
  }
  if (prober.readDenied === undefined) return { readDenied: undefined };
  const message = `Reading objects is denied, so ${progress.toProbe - progress.probed} samples were indexed without dimensions: ${prober.readDenied}`;
  deps.log.warn({ dataset: dataset.name }, message);
  return { readDenied: message };
}

export interface ShardJobReport {
  dataset: string;
  generation: number;
  shard: number;
  /** False when the shard had nothing left to do: done already, or its sync moved on. */
  listed: boolean;
  progress: SyncProgress;
}

/**
 * Lists one shard of a fanned-out sync and reads its new and changed samples' headers, as a queued
 * `sync-shard` job on any worker. It works under the parent's lease (the parent holds it, renews it and
 * waits for its shards), so it takes none itself; a shard of a generation the dataset has moved past, or
 * one already done, ends at once. Resumes after the shard's own cursor, and its page writes are
 * idempotent, so a retried attempt adds nothing twice; headers already read are not pending any more.
 */
export async function runSyncShard(
  deps: SyncDeps,
  shardJob: { dataset: string; generation: number; shard: number },
  options: Pick<SyncOptions, 'signal' | 'onProgress' | 'onRetry'> = {},
): Promise<ShardJobReport> {
  const { dataset, datasources } = await requireDataset(deps, shardJob.dataset);
  const db = deps.database.db;
  const progress: SyncProgress = { phase: 'listing', listed: 0, added: 0, updated: 0, probed: 0, toProbe: 0, failed: 0 };
  const report = (listed: boolean): ShardJobReport => ({ dataset: dataset.name, generation: shardJob.generation, shard: shardJob.shard, listed, progress });
  const state = await findSyncState(db, dataset.id);
  const shard = await findSyncShard(db, dataset.id, shardJob.generation, shardJob.shard);
  if (state?.generation !== shardJob.generation || state.phase !== 'listing' || shard === undefined || shard.status === 'done') return report(false);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  const keep = datasetKeyFilter(dataset, stores, dataset.hasRelevantFilenames ? await loadRelevantKeys(db, dataset.id) : undefined);
  const onCommitted = async () => {
    if (options.signal?.aborted)
      throw new AppError('SyncCancelled', `Shard ${shard.index} of the sync of "${dataset.name}" was stopped; it resumes from its cursor.`);
    progress.toProbe = Math.max(progress.toProbe, progress.probed, progress.added + progress.updated);
    options.onProgress?.(progress);
  };
  await listAndProbeShard({ deps, dataset, input: stores.input, generation: shardJob.generation, keep, progress, onCommitted }, shard);
  return report(true);
}

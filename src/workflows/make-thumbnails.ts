import type { WorkflowDeps } from './workflow-deps.js';
import { requireDataset } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { openDatasetStores, outputDatasourceOf, type BoundStore, type DatasetStores } from './dataset-stores.js';
import type { Datasource } from '../catalog/datasource.repository.js';
import { storageCall } from '../model/storage-calls.js';
import { winnowPrefix } from '../model/location.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import type { StorageRetry } from '../datasources/object-store.js';
import { AppError, describeError, isAppError } from '../errors.js';
import { DEFAULT_THUMBNAIL_SIZE, validateThumbnailSize } from '../media/image-processor.js';
import { runThumbnailJob, type ThumbnailJobResult, type ThumbnailProgress } from './thumbnail-job.js';
import { thumbnailsPrefix } from '../media/thumbnail-key.js';
import { countThumbnailWork, listThumbnailWorkAfter } from '../catalog/thumbnail.repository.js';
import { listSampleIdRanges, type SampleIdRange } from '../catalog/sample-ranges.repository.js';
import { proveInputReadable, type SampleBatchRunner } from './sample-batches.js';

export type { ThumbnailProgress } from './thumbnail-job.js';

export type ThumbnailDeps = Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'log' | 'clock' | 'images' | 'access'>;

export interface ThumbnailRunOptions {
  /** Longest side in pixels; defaults to the dataset's `--thumbnail-size`, else DEFAULT_THUMBNAIL_SIZE (400). */
  size?: number | undefined;
  onProgress?: ((progress: ThumbnailProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Told before each retry of a storage call. */
  onRetry?: ((retry: StorageRetry) => void) | undefined;
}

export interface ThumbnailReport extends ThumbnailJobResult {
  dataset: string;
  size: number;
  /** The folder the thumbnails are in, e.g. `s3://datalake/projects/farm/.winnow/thumbnails/`. */
  location: string;
  durationMs: number;
}

/** Written (and overwritten) before any image is read: proves the job may write, and says what the folder is. */
const README_NAME = 'README.txt';

/**
 * Makes the dataset's missing thumbnails (`winnow thumbnails`). Write access is proven first
 * with one small write, so without it the job stops before reading any image; then it runs
 * under the dataset's job lease, so it never interleaves with a sync or another thumbnail job.
 */
export async function generateThumbnails(deps: ThumbnailDeps, datasetName: string, options: ThumbnailRunOptions = {}): Promise<ThumbnailReport> {
  const started = Date.now();
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const size = options.size === undefined ? (dataset.thumbnailSize ?? DEFAULT_THUMBNAIL_SIZE) : validateThumbnailSize(options.size);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  await ensureThumbnailsWritable(stores.output, size, deps.clock());
  const lease = await acquireDatasetLease(deps.database.db, dataset.id, dataset.name, 'thumbnails', deps.clock);
  try {
    const result = await runThumbnailJob({
      deps,
      dataset,
      stores,
      output: outputDatasourceOf(datasources)!,
      size,
      renewLease: lease.renew,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    return report(dataset, stores, size, result, started);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/** What one batch job of a thumbnail run did (its last attempt). */
export interface ThumbnailBatchResult {
  done: number;
  generated: number;
  failed: number;
  retryable: number;
}

/**
 * `winnow thumbnails` on the scale-out queue: write access is proven with one write and read
 * access with one read, then the samples are split into batch jobs over id ranges that any
 * number of workers run at once (`thumbnailSampleRange`), while this job holds the dataset's
 * lease and sums their reports. Keys that may not read objects see one denied GET, from here.
 */
export async function generateThumbnailsInBatches(
  deps: ThumbnailDeps,
  datasetName: string,
  options: ThumbnailRunOptions & { batchSamples: number; runBatches: SampleBatchRunner<ThumbnailBatchResult> },
): Promise<ThumbnailReport> {
  const started = Date.now();
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const size = options.size === undefined ? (dataset.thumbnailSize ?? DEFAULT_THUMBNAIL_SIZE) : validateThumbnailSize(options.size);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  await ensureThumbnailsWritable(stores.output, size, deps.clock());
  const db = deps.database.db;
  const lease = await acquireDatasetLease(db, dataset.id, dataset.name, 'thumbnails', deps.clock);
  try {
    const work = await countThumbnailWork(db, dataset.id, size);
    const progress: ThumbnailProgress = { total: work.total, toGenerate: work.pending, done: 0, generated: 0, failed: 0 };
    options.onProgress?.(progress);
    const pendingIn = async (range: SampleIdRange) =>
      (await listThumbnailWorkAfter(db, dataset.id, size, range.fromId - 1, options.batchSamples)).filter((sample) => sample.id <= range.throughId).length;
    if (work.pending > 0) await proveInputReadable(stores.input, (afterId, limit) => listThumbnailWorkAfter(db, dataset.id, size, afterId, limit));
    const outcome = await options.runBatches({
      ranges: await listSampleIdRanges(db, dataset.id, options.batchSamples),
      settings: { size },
      hasWork: async (range) => (await listThumbnailWorkAfter(db, dataset.id, size, range.fromId - 1, 1)).some((sample) => sample.id <= range.throughId),
      onProgress: (counters) =>
        options.onProgress?.({ ...progress, done: counters.done ?? 0, generated: counters.generated ?? 0, failed: counters.failed ?? 0 }),
      renewLease: lease.renew,
      signal: options.signal,
    });
    let unfinished = 0;
    for (const range of outcome.failedRanges) unfinished += await pendingIn(range);
    const total = (field: keyof ThumbnailBatchResult) => outcome.results.reduce((sum, result) => sum + result[field], 0);
    const generated = total('generated');
    const failed = total('failed') + unfinished;
    const result = { total: work.total, generated, skipped: work.total - generated - failed, failed, retryable: total('retryable') + unfinished };
    return report(dataset, stores, size, result, started);
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * One batch job of `generateThumbnailsInBatches`: the missing thumbnails of one id range, under
 * the run's lease (held by the job that planned it). Idempotent: what is recorded is skipped.
 */
export async function thumbnailSampleRange(
  deps: ThumbnailDeps,
  datasetName: string,
  options: ThumbnailRunOptions & { size: number; range: SampleIdRange },
): Promise<ThumbnailBatchResult> {
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  let last: ThumbnailProgress = { total: 0, toGenerate: 0, done: 0, generated: 0, failed: 0 };
  const result = await runThumbnailJob({
    deps,
    dataset,
    stores,
    output: outputDatasourceOf(datasources)!,
    size: validateThumbnailSize(options.size),
    range: options.range,
    renewLease: async () => undefined,
    onProgress: (progress) => {
      last = progress;
      options.onProgress?.(progress);
    },
    signal: options.signal,
  });
  return { done: last.done, generated: result.generated, failed: result.failed, retryable: result.retryable };
}

export interface ThumbnailsAfterSync {
  report: ThumbnailReport | null;
  /** Why thumbnails were not (all) made; the sync itself still succeeded. */
  warning: string | undefined;
}

/**
 * The thumbnail phase of `winnow dataset sync` on a dataset created with `--thumbnails`. Runs
 * under the sync's own lease. It never fails the sync: a missing permission or a storage
 * failure becomes one warning, and the app keeps showing full images.
 */
export async function thumbnailsAfterSync(
  deps: ThumbnailDeps,
  dataset: Dataset,
  stores: DatasetStores,
  output: Datasource,
  options: { readDenied: boolean; renewLease: () => Promise<void>; onProgress?: ThumbnailRunOptions['onProgress']; signal?: AbortSignal | undefined },
): Promise<ThumbnailsAfterSync> {
  const started = Date.now();
  const size = dataset.thumbnailSize ?? DEFAULT_THUMBNAIL_SIZE;
  if (options.readDenied)
    return { report: null, warning: 'Thumbnails were not made: reading objects is denied (s3:GetObject), so the images cannot be decoded.' };
  try {
    await ensureThumbnailsWritable(stores.output, size, deps.clock());
    const result = await runThumbnailJob({
      deps,
      dataset,
      stores,
      output,
      size,
      renewLease: options.renewLease,
      onProgress: options.onProgress,
      signal: options.signal,
    });
    const warning = result.retryable > 0 ? `${result.retryable} thumbnails failed on the storage side; the next sync tries them again.` : undefined;
    return { report: report(dataset, stores, size, result, started), warning };
  } catch (error) {
    if (!isAppError(error)) throw error;
    deps.log.warn({ dataset: dataset.name, code: error.code }, 'thumbnails not made');
    const fix = error.hint ? ` Fix: ${error.hint}` : '';
    return { report: null, warning: `Thumbnails were not made: ${describeError(error)}${fix}` };
  }
}

/**
 * Proves the output accepts thumbnails with one real write inside their folder (the README,
 * overwritten each run, so nothing accumulates and no delete permission is needed).
 */
export async function ensureThumbnailsWritable(output: BoundStore, size: number, now: Date): Promise<void> {
  const folder = thumbnailsPrefix(winnowPrefix(output.location));
  const probeKey = `${folder}${README_NAME}`;
  try {
    await output.store.write(probeKey, readme(size, now), 'text/plain; charset=utf-8');
  } catch (error) {
    if (!isAppError(error, 'DatasourceAccessDenied') && !isAppError(error, 'DatasourceKmsDenied')) throw error;
    // The README is overwritten on every run, so the call needs what the overwrite light needs.
    const call = storageCall(output.location, 'overwrite', `${folder}*`);
    const action = call.action;
    const resource = output.location.kind === 'local' ? `${output.store.description}${folder}` : call.resource;
    const needs = isAppError(error, 'DatasourceKmsDenied') ? 'the KMS key for its writes' : `${action} on ${resource}`;
    throw new AppError('OutputNotWritable', `Winnow may not write thumbnails to ${output.store.description}${folder}: it needs ${needs}. ${error.message}`, {
      cause: error,
      hint: `${error.hint ?? `Allow ${action} on ${resource}.`} Until then, Winnow shows full images.`,
      details: { action, resource, probe: probeKey, cause: error.code },
    });
  }
}

function readme(size: number, now: Date): string {
  return [
    'Thumbnails made by Winnow for the images of this dataset.',
    `Each <key>_thumb.jpg is the image at <input>/<key>, fit in ${size} x ${size} px, as 8-bit sRGB JPEG (quality 85);`,
    'images with an alpha channel get <key>_thumb.webp (WebP) instead, so transparency survives.',
    'Keys too long to mirror are under _hashed/<sha256 of the key>_thumb.jpg (or .webp).',
    `Winnow rewrites this file whenever it makes thumbnails (last: ${now.toISOString()}). Safe to delete: Winnow makes them again.`,
    '',
  ].join('\n');
}

function report(dataset: Dataset, stores: DatasetStores, size: number, result: ThumbnailJobResult, started: number): ThumbnailReport {
  const location = `${stores.output.store.description}${thumbnailsPrefix(winnowPrefix(stores.output.location))}`;
  return { dataset: dataset.name, size, location, ...result, durationMs: Date.now() - started };
}

import type { WorkflowDeps } from './workflow-deps.js';
import { bumpDatasetRevision } from '../catalog/dataset.repository.js';
import {
  countThumbnailWork,
  findThumbnailKeysInUse,
  listThumbnailWorkAfter,
  recordThumbnail,
  type ThumbnailRecord,
  type ThumbnailWork,
} from '../catalog/thumbnail.repository.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import type { BoundStore, DatasetStores } from './dataset-stores.js';
import { winnowPrefix } from '../model/location.js';
import { objectTooLarge } from '../datasources/object-store.js';
import { AppError, describeError, isAppError, isFatalDatasourceError } from '../errors.js';
import { createByteBudget, type ByteBudget } from '../shared/byte-budget.js';
import { forEachConcurrentlyFrom } from '../shared/concurrency.js';
import type { ImageProcessor, Thumbnail, ThumbnailFormat } from '../media/image-processor.js';
import { thumbnailFormatOf, thumbnailKey, thumbnailsPrefix } from '../media/thumbnail-key.js';
import type { SampleIdRange } from '../catalog/sample-ranges.repository.js';
import { findDatasetsSharingOutput, recordDeleteAllowed, type Datasource } from '../catalog/datasource.repository.js';

export type ThumbnailJobDeps = Pick<WorkflowDeps, 'config' | 'database' | 'log' | 'clock' | 'images'>;

export interface ThumbnailProgress {
  /** Live samples in the dataset. */
  total: number;
  /** Samples this run set out to make thumbnails for. */
  toGenerate: number;
  done: number;
  generated: number;
  failed: number;
}

export interface ThumbnailJobResult {
  total: number;
  generated: number;
  /** Samples that already had a thumbnail (or a rejection) for their present content at this size. */
  skipped: number;
  /** Per-sample failures this run: images that cannot be made into thumbnails, and storage failures. */
  failed: number;
  /** Of `failed`, the storage failures (throttling, 5xx after retries) that the next run tries again. */
  retryable: number;
}

export interface ThumbnailJob {
  deps: ThumbnailJobDeps;
  dataset: Dataset;
  stores: DatasetStores;
  /** The datasource of `stores.output`: its delete light decides whether a thumbnail in an older format is replaced or rewritten in place. */
  output: Pick<Datasource, 'id' | 'deleteAllowed'>;
  size: number;
  /** Keeps the dataset's job lease; called after every committed batch (the lease decides when to write). */
  renewLease: () => Promise<void>;
  onProgress?: ((progress: ThumbnailProgress) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Only these samples (a batch job's); all of the dataset's when undefined. */
  range?: SampleIdRange | undefined;
}

const PAGE_SIZE = 100;
const MIB = 1024 * 1024;

/** `read`: whether the outcome needed a request to the input (the catalog alone rejects some samples). */
type Outcome = { row: ThumbnailRecord; read: boolean } | { fatal: AppError };

/** What the job needs to replace a sample's thumbnail written under another key (another format: WebP before JPEG became the default). */
interface Replacing {
  folder: string;
  /** Datasets whose output is the same location: a key one of their live samples shows is left to them. */
  sharing: string[];
  /** The output's delete light as last seen; false once a delete is denied, so no other is asked. */
  deleteAllowed: boolean | null;
}

/**
 * Makes the missing thumbnails of a dataset: reads each image whole, decodes and encodes it,
 * writes it and records the outcome at once, so a killed job redoes at most the images it had
 * in flight. Images are read in parallel within a byte budget; bad images are recorded and
 * skipped; a fatal storage error stops the job after recording what is done. A thumbnail that
 * now gets another key (a 256 px WebP of an earlier version remade as JPEG) replaces the old
 * object, which is deleted first; when the keys may not delete, it is rewritten in place in its
 * own format instead, so no unrecorded thumbnail is ever left in the bucket.
 */
export async function runThumbnailJob(job: ThumbnailJob): Promise<ThumbnailJobResult> {
  const { deps, dataset, size } = job;
  const db = deps.database.db;
  // A batch job's counts are of its own range, which it learns as it goes.
  const work = job.range === undefined ? await countThumbnailWork(db, dataset.id, size) : { total: 0, pending: 0 };
  const progress: ThumbnailProgress = { total: work.total, toGenerate: work.pending, done: 0, generated: 0, failed: 0 };
  job.onProgress?.(progress);
  const budget = createByteBudget(deps.config.thumbnailBufferMb * MIB);
  const replacing: Replacing = {
    folder: thumbnailsPrefix(winnowPrefix(job.stores.output.location)),
    sharing: await findDatasetsSharingOutput(db, dataset.id, job.stores.output.location),
    deleteAllowed: job.output.deleteAllowed,
  };
  let retryable = 0;
  let stop: AppError | undefined;

  const handle = async (sample: ThumbnailWork): Promise<boolean> => {
    const outcome = await thumbnailOne(job, budget, replacing, sample);
    if ('fatal' in outcome) {
      stop ??= outcome.fatal;
      return true;
    }
    await db.transaction().execute(async (trx) => {
      await recordThumbnail(trx, outcome.row);
      await bumpDatasetRevision(trx, dataset.id);
    });
    progress.done++;
    if (outcome.row.status === 'ok') progress.generated++;
    else progress.failed++;
    if (outcome.row.status === 'failed') retryable++;
    deps.log.debug({ dataset: dataset.name, key: sample.key, status: outcome.row.status, error: outcome.row.error }, 'thumbnail recorded');
    job.onProgress?.(progress);
    await job.renewLease();
    return outcome.read;
  };

  const pending = pendingSamples(job);
  const shouldStop = () => stop !== undefined || job.signal?.aborted === true;
  // Images go one at a time until one has been read: when reads or writes are denied, that is the only denied request.
  for (let read = false; !read && !shouldStop();) {
    const next = await pending.next();
    if (next.done) break;
    read = await handle(next.value);
  }
  if (!shouldStop()) await forEachConcurrentlyFrom(pending, deps.config.thumbnailConcurrency, handle, shouldStop);
  else await pending.return(undefined);

  if (stop !== undefined) throw stop;
  if (job.signal?.aborted) {
    throw new AppError('SyncCancelled', `Making thumbnails for "${dataset.name}" was cancelled; the next run continues where it stopped.`);
  }
  return { total: work.total, generated: progress.generated, skipped: work.total - work.pending, failed: progress.failed, retryable };
}

async function* pendingSamples(job: ThumbnailJob): AsyncGenerator<ThumbnailWork, void, undefined> {
  const throughId = job.range?.throughId ?? Number.POSITIVE_INFINITY;
  let afterId = (job.range?.fromId ?? 1) - 1;
  for (let pageSize = 1; ; pageSize = PAGE_SIZE) {
    const page = (await listThumbnailWorkAfter(job.deps.database.db, job.dataset.id, job.size, afterId, pageSize)).filter((sample) => sample.id <= throughId);
    if (page.length === 0) return;
    afterId = page.at(-1)!.id;
    yield* page;
  }
}

async function thumbnailOne(job: ThumbnailJob, budget: ByteBudget, replacing: Replacing, sample: ThumbnailWork): Promise<Outcome> {
  const { deps, stores, size } = job;
  const base = { sampleId: sample.id, datasetId: job.dataset.id, boxSize: size, updatedAt: deps.clock().toISOString() };
  const refusal = refuseBeforeReading(sample, deps.images, budget, stores.input);
  if (refusal)
    return { read: false, row: { ...base, status: 'rejected', key: null, sourceEtag: sample.etag, width: null, height: null, bytes: null, error: refusal } };

  let sourceEtag = sample.etag;
  try {
    const release = await budget.acquire(sample.size);
    let thumbnail: Thumbnail;
    let key: string;
    try {
      const source = await stores.input.store.readObject(`${stores.input.prefix}${sample.key}`, budget.capacity);
      sourceEtag = source.etag ?? sample.etag;
      thumbnail = await deps.images.makeThumbnail(source.body, { size, format: formatToKeep(replacing, sample.thumbnailKey) });
      key = thumbnailKey(winnowPrefix(stores.output.location), sample.key, thumbnail.format);
      if (sample.thumbnailKey !== null && !(await removeReplacedThumbnail(job, replacing, sample.thumbnailKey, key))) {
        const format = thumbnailFormatOf(sample.thumbnailKey)!;
        thumbnail = await deps.images.makeThumbnail(source.body, { size, format });
        key = thumbnailKey(winnowPrefix(stores.output.location), sample.key, format);
      }
    } finally {
      release();
    }
    await stores.output.store.write(key, thumbnail.bytes, thumbnail.contentType);
    return {
      read: true,
      row: { ...base, status: 'ok', key, sourceEtag: sourceEtag, width: thumbnail.width, height: thumbnail.height, bytes: thumbnail.bytes.length, error: null },
    };
  } catch (error) {
    if (isFatalDatasourceError(error)) return { fatal: error };
    const rejected = isAppError(error, 'ImageUnreadable') || isAppError(error, 'ImageTooLarge');
    return {
      read: true,
      row: {
        ...base,
        status: rejected ? 'rejected' : 'failed',
        key: null,
        sourceEtag: sourceEtag,
        width: null,
        height: null,
        bytes: null,
        error: describeError(error),
      },
    };
  }
}

/** The format of the sample's present thumbnail when it is to be rewritten where it is, because the keys may not delete it. */
function formatToKeep(replacing: Replacing, presentKey: string | null): ThumbnailFormat | undefined {
  if (presentKey === null || replacing.deleteAllowed !== false || !presentKey.startsWith(replacing.folder)) return undefined;
  return thumbnailFormatOf(presentKey);
}

/**
 * Deletes the sample's present thumbnail when the new one gets another key; false when it stays (the
 * keys may not delete, or the delete failed), and the caller rewrites it in place, so the catalog never
 * loses track of it. Only a Winnow thumbnail key under the thumbnails folder is deleted, and never one
 * that a live sample of a dataset sharing the output shows.
 */
async function removeReplacedThumbnail(job: ThumbnailJob, replacing: Replacing, presentKey: string, newKey: string): Promise<boolean> {
  if (presentKey === newKey || !presentKey.startsWith(replacing.folder) || thumbnailFormatOf(presentKey) === undefined) return true;
  const db = job.deps.database.db;
  if ((await findThumbnailKeysInUse(db, replacing.sharing, [presentKey])).size > 0) return true;
  if (replacing.deleteAllowed === false) return false;
  try {
    await job.stores.output.store.delete(presentKey);
  } catch (error) {
    // A run killed between this delete and the write of the new thumbnail finds the object already gone.
    if (isAppError(error, 'ObjectNotFound')) return true;
    if (isAppError(error, 'DatasourceAccessDenied')) {
      replacing.deleteAllowed = false;
      await recordDeleteAllowed(db, job.output.id, false);
      job.deps.log.warn({ dataset: job.dataset.name, key: presentKey }, 'thumbnails in an older format are rewritten in place: delete denied');
      return false;
    }
    if (isFatalDatasourceError(error)) throw error;
    job.deps.log.warn({ dataset: job.dataset.name, key: presentKey, error: describeError(error) }, 'thumbnail rewritten in place: its delete failed');
    return false;
  }
  if (replacing.deleteAllowed !== true) {
    replacing.deleteAllowed = true;
    await recordDeleteAllowed(db, job.output.id, true);
  }
  return true;
}

/** What the catalog already tells about an image that cannot be made into a thumbnail, so it is never downloaded. */
function refuseBeforeReading(sample: ThumbnailWork, images: ImageProcessor, budget: ByteBudget, input: BoundStore): string | undefined {
  if (sample.size === 0) return 'The file is empty (0 bytes).';
  if (sample.width !== null && sample.height !== null && sample.width * sample.height > images.maxInputPixels) {
    return `The image declares ${sample.width.toLocaleString('en-US')} x ${sample.height.toLocaleString('en-US')} pixels, more than the ${images.maxInputPixels.toLocaleString('en-US')}-pixel limit (a decompression bomb or a huge scan); it was not read.`;
  }
  if (sample.size > budget.capacity) return objectTooLarge(input.store.description, `${input.prefix}${sample.key}`, sample.size, budget.capacity).message;
  return undefined;
}

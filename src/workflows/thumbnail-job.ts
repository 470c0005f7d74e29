import type { WorkflowDeps } from './workflow-deps.js';
import { bumpDatasetRevision } from '../catalog/dataset.repository.js';
import { countThumbnailWork, listThumbnailWorkAfter, recordThumbnail, type ThumbnailRecord, type ThumbnailWork } from '../catalog/thumbnail.repository.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import type { BoundStore, DatasetStores } from './dataset-stores.js';
import { winnowPrefix } from '../model/location.js';
import { objectTooLarge } from '../datasources/object-store.js';
import { AppError, describeError, isAppError, isFatalDatasourceError } from '../errors.js';
import { createByteBudget, type ByteBudget } from '../shared/byte-budget.js';
import { forEachConcurrentlyFrom } from '../shared/concurrency.js';
import type { ImageProcessor, Thumbnail } from '../media/image-processor.js';
import { thumbnailKey } from '../media/thumbnail-key.js';
import type { SampleIdRange } from '../catalog/sample-ranges.repository.js';

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

/**
 * Makes the missing thumbnails of a dataset: reads each image whole, decodes and encodes it,
 * writes the WebP and records the outcome at once, so a killed job redoes at most the images
 * it had in flight. Images are read in parallel within a byte budget; bad images are recorded
 * and skipped; a fatal storage error stops the job after recording what is done.
 */
export async function runThumbnailJob(job: ThumbnailJob): Promise<ThumbnailJobResult> {
  const { deps, dataset, size } = job;
  const db = deps.database.db;
  // A batch job's counts are of its own range, which it learns as it goes.
  const work = job.range === undefined ? await countThumbnailWork(db, dataset.id, size) : { total: 0, pending: 0 };
  const progress: ThumbnailProgress = { total: work.total, toGenerate: work.pending, done: 0, generated: 0, failed: 0 };
  job.onProgress?.(progress);
  const budget = createByteBudget(deps.config.thumbnailBufferMb * MIB);
  let retryable = 0;
  let stop: AppError | undefined;

  const handle = async (sample: ThumbnailWork): Promise<boolean> => {
    const outcome = await thumbnailOne(job, budget, sample);
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

async function thumbnailOne(job: ThumbnailJob, budget: ByteBudget, sample: ThumbnailWork): Promise<Outcome> {
  const { deps, stores, size } = job;
  const base = { sampleId: sample.id, datasetId: job.dataset.id, boxSize: size, updatedAt: deps.clock().toISOString() };
  const refusal = refuseBeforeReading(sample, deps.images, budget, stores.input);
  if (refusal)
    return { read: false, row: { ...base, status: 'rejected', key: null, sourceEtag: sample.etag, width: null, height: null, bytes: null, error: refusal } };

  let sourceEtag = sample.etag;
  try {
    const release = await budget.acquire(sample.size);
    let thumbnail: Thumbnail;
    try {
      const source = await stores.input.store.readObject(`${stores.input.prefix}${sample.key}`, budget.capacity);
      sourceEtag = source.etag ?? sample.etag;
      thumbnail = await deps.images.makeThumbnail(source.body, { size });
    } finally {
      release();
    }
    const key = thumbnailKey(winnowPrefix(stores.output.location), sample.key);
    await stores.output.store.write(key, thumbnail.webp, 'image/webp');
    return {
      read: true,
      row: { ...base, status: 'ok', key, sourceEtag: sourceEtag, width: thumbnail.width, height: thumbnail.height, bytes: thumbnail.webp.length, error: null },
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

/** What the catalog already tells about an image that cannot be made into a thumbnail, so it is never downloaded. */
function refuseBeforeReading(sample: ThumbnailWork, images: ImageProcessor, budget: ByteBudget, input: BoundStore): string | undefined {
  if (sample.size === 0) return 'The file is empty (0 bytes).';
  if (sample.width !== null && sample.height !== null && sample.width * sample.height > images.maxInputPixels) {
    return `The image declares ${sample.width.toLocaleString('en-US')} x ${sample.height.toLocaleString('en-US')} pixels, more than the ${images.maxInputPixels.toLocaleString('en-US')}-pixel limit (a decompression bomb or a huge scan); it was not read.`;
  }
  if (sample.size > budget.capacity) return objectTooLarge(input.store.description, `${input.prefix}${sample.key}`, sample.size, budget.capacity).message;
  return undefined;
}

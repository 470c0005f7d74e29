import { requireDataset } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { acquireDatasetLease } from '../catalog/dataset-lease.js';
import {
  countEmbeddingWork,
  deleteEmbeddingsOfRemovedSamples,
  listEmbeddingWorkAfter,
  recordEmbeddings,
  type EmbeddingRecord,
  type EmbeddingWork,
  type ModelVersion,
} from '../catalog/embedding.repository.js';
import { objectTooLarge, type StorageRetry } from '../datasources/object-store.js';
import type { ImageEncoder } from '../embeddings/image-encoder.js';
import { openOnnxImageEncoder } from '../embeddings/onnx.image-encoder.js';
import { thumbnailDescriptor } from '../selection/thumbnail-descriptor.js';
import { AppError, describeError, isAppError, type ErrorCode } from '../errors.js';
import type { ImageTensorDecoder } from '../media/image-tensor.js';
import { createSharpImageTensorDecoder } from '../media/sharp.image-tensor.js';
import { createByteBudget, type ByteBudget } from '../shared/byte-budget.js';
import { forEachConcurrentlyFrom } from '../shared/concurrency.js';
import { openDatasetStores, type BoundStore } from './dataset-stores.js';
import { modelSpec, modelVersion, resolveModel } from './embedding-models.js';
import type { EmbedSessions } from './embed-sessions.js';
import { proveInputReadable, type SampleBatchRunner } from './sample-batches.js';
import { listSampleIdRanges, type SampleIdRange } from '../catalog/sample-ranges.repository.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type EmbedDeps = Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'log' | 'clock' | 'images' | 'access'>;

export interface EmbedProgress {
  model: string;
  /** Live samples in the dataset. */
  total: number;
  /** Samples this run set out to embed. */
  toEmbed: number;
  done: number;
  embedded: number;
  failed: number;
}

export interface EmbedOptions {
  /** A registered model; default: the bundled one. */
  model?: string | undefined;
  batchSize?: number | undefined;
  /** onnxruntime's threads; default WINNOW_EMBED_THREADS. */
  threads?: number | undefined;
  onProgress?: ((progress: EmbedProgress) => void) | undefined;
  /** Told before each retry of a storage call. */
  onRetry?: ((retry: StorageRetry) => void) | undefined;
  /** Aborting stops the run after the batch in hand is recorded; the next run continues from there. */
  signal?: AbortSignal | undefined;
}

export interface EmbedReport {
  dataset: string;
  model: string;
  dimensions: number;
  /** Samples given a vector by this run. */
  embedded: number;
  /** Samples that already had a vector (or a verdict) for their present content and this model file. */
  skipped: number;
  /** Of `embedded`, the samples read from their thumbnail instead of the original (see `prepare`). */
  fromThumbnails: number;
  /** Samples this run could not embed: bad images (kept until the object changes) and storage failures (retried). */
  failed: number;
  /** Of `failed`, the storage failures the next run tries again. */
  retryable: number;
  /** Vectors dropped because their sample vanished from the datasource. */
  removed: number;
  /** Live samples. */
  total: number;
  imagesPerSecond: number;
  durationMs: number;
}

const PAGE_SIZE = 200;
const MIB = 1024 * 1024;
const FATAL_ERRORS = new Set<ErrorCode>([
  'DatasourceAccessDenied',
  'DatasourceKmsDenied',
  'DatasourceUnreachable',
  'DatasourceInvalidAccessKeyId',
  'DatasourceSignatureMismatch',
  'DatasourceCredentialsExpired',
  'DatasourceBucketNotFound',
  'DatasourceWrongRegion',
]);

/**
 * `winnow embed`: gives every live sample of the dataset a vector from the model, reading only
 * samples without one for their present etag and this model file. Images are read a few at a
 * time within a byte budget and decoded (by libvips, off this thread) while the model runs on the
 * previous batch; each batch is recorded in one transaction, so a killed run redoes at most the batch it
 * had in hand. A bad image fails alone; a storage error every read would hit (reads denied,
 * wrong keys) stops the run after one request. Runs under the dataset's job lease.
 */
export async function embedDataset(deps: EmbedDeps, datasetName: string, options: EmbedOptions = {}): Promise<EmbedReport> {
  const started = performance.now();
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const batchSize = modelBatchSize(deps, options);
  const { model, path } = await resolveModel(deps, options.model);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  const encoder = await openOnnxImageEncoder(path, modelSpec(model), { threads: options.threads ?? deps.config.embedThreads });
  const db = deps.database.db;
  let lease;
  try {
    lease = await acquireDatasetLease(db, dataset.id, dataset.name, 'embeddings', deps.clock);
  } catch (error) {
    await encoder.close();
    throw error;
  }
  const decoder = createSharpImageTensorDecoder({ concurrency: deps.config.embedDecodeThreads, maxInputPixels: deps.images.maxInputPixels });
  try {
    const version = modelVersion(model);
    const removed = await deleteEmbeddingsOfRemovedSamples(db, dataset.id, model.id);
    const work = await countEmbeddingWork(db, dataset.id, version);
    const progress: EmbedProgress = { model: model.name, total: work.total, toEmbed: work.pending, done: 0, embedded: 0, failed: 0 };
    options.onProgress?.(progress);
    const pipelineStarted = performance.now();
    const thumbnails = { readable: true, used: 0 };
    const retryable = await runPipeline({
      deps,
      dataset,
      input: stores.input,
      output: stores.output,
      thumbnails,
      inputProbe: { proven: false },
      version,
      encoder,
      decoder,
      batchSize,
      progress,
      renewLease: lease.renew,
      options,
    });
    const seconds = (performance.now() - pipelineStarted) / 1000;
    return {
      dataset: dataset.name,
      model: model.name,
      dimensions: model.dimensions,
      embedded: progress.embedded,
      fromThumbnails: thumbnails.used,
      skipped: work.total - work.pending,
      failed: progress.failed,
      retryable,
      removed,
      total: work.total,
      imagesPerSecond: seconds > 0 ? Math.round((progress.embedded / seconds) * 10) / 10 : 0,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await encoder.close();
    await lease.release().catch(() => undefined);
  }
}

function modelBatchSize(deps: EmbedDeps, options: EmbedOptions): number {
  const batchSize = options.batchSize ?? deps.config.embedBatchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1024)
    throw new AppError('InputInvalid', `--batch-size must be a whole number from 1 to 1024, got ${String(batchSize)}.`);
  return batchSize;
}

/** What one batch job of an embedding run did (its last attempt; an earlier attempt's records count as already done). */
export interface EmbedBatchResult {
  done: number;
  embedded: number;
  fromThumbnails: number;
  failed: number;
  retryable: number;
}

/**
 * `winnow embed` on the scale-out queue: the run is split into batch jobs over ranges of sample
 * ids, which any number of workers embed at once (`embedSampleRange`), while this job holds the
 * dataset's lease (so no sync runs meanwhile), follows them and sums their reports. Read access
 * is proven first with one read of an image no thumbnail stands in for, so keys that may not read
 * objects see one denied GET, from here, and no batch job is made.
 */
export async function embedDatasetInBatches(
  deps: EmbedDeps,
  datasetName: string,
  options: EmbedOptions & { batchSamples: number; runBatches: SampleBatchRunner<EmbedBatchResult> },
): Promise<EmbedReport> {
  const started = performance.now();
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  modelBatchSize(deps, options);
  const { model } = await resolveModel(deps, options.model);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  const db = deps.database.db;
  const lease = await acquireDatasetLease(db, dataset.id, dataset.name, 'embeddings', deps.clock);
  try {
    const version = modelVersion(model);
    const removed = await deleteEmbeddingsOfRemovedSamples(db, dataset.id, model.id);
    const work = await countEmbeddingWork(db, dataset.id, version);
    const progress: EmbedProgress = { model: model.name, total: work.total, toEmbed: work.pending, done: 0, embedded: 0, failed: 0 };
    options.onProgress?.(progress);
    const pendingIn = async (range: SampleIdRange) =>
      (await listEmbeddingWorkAfter(db, dataset.id, version, range.fromId - 1, options.batchSamples)).filter((sample) => sample.id <= range.throughId).length;
    if (work.pending > 0) {
      const pending = (afterId: number, limit: number) => listEmbeddingWorkAfter(db, dataset.id, version, afterId, limit);
      await proveInputReadable(stores.input, pending, (sample) => !thumbnailStandsIn(sample, model.inputSize)).catch((error: unknown) => {
        throw isAppError(error) ? fatalStop(error, dataset.name) : error;
      });
    }
    const outcome = await options.runBatches({
      ranges: await listSampleIdRanges(db, dataset.id, options.batchSamples),
      settings: {},
      hasWork: async (range) => (await listEmbeddingWorkAfter(db, dataset.id, version, range.fromId - 1, 1)).some((sample) => sample.id <= range.throughId),
      onProgress: (counters) => options.onProgress?.({ ...progress, done: counters.done ?? 0, embedded: counters.embedded ?? 0, failed: counters.failed ?? 0 }),
      renewLease: lease.renew,
      signal: options.signal,
    });
    let unfinished = 0;
    for (const range of outcome.failedRanges) unfinished += await pendingIn(range);
    const embedded = sum(outcome.results, 'embedded');
    const failed = sum(outcome.results, 'failed') + unfinished;
    const seconds = (performance.now() - started) / 1000;
    return {
      dataset: dataset.name,
      model: model.name,
      dimensions: model.dimensions,
      embedded,
      fromThumbnails: sum(outcome.results, 'fromThumbnails'),
      skipped: work.total - embedded - failed,
      failed,
      retryable: sum(outcome.results, 'retryable') + unfinished,
      removed,
      total: work.total,
      imagesPerSecond: seconds > 0 ? Math.round((embedded / seconds) * 10) / 10 : 0,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await lease.release().catch(() => undefined);
  }
}

/**
 * One batch job of `embedDatasetInBatches`: embeds the samples of one id range that have no
 * vector for their present content and this model, on a model session the worker keeps between
 * batches. Idempotent: what an earlier attempt recorded is skipped; a bad image fails alone.
 * It runs under the run's lease, held by the job that planned it.
 */
export async function embedSampleRange(
  deps: EmbedDeps,
  datasetName: string,
  options: EmbedOptions & { range: SampleIdRange; sessions: EmbedSessions },
): Promise<EmbedBatchResult> {
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const batchSize = modelBatchSize(deps, options);
  const { model, path } = await resolveModel(deps, options.model);
  const stores = await openDatasetStores(deps, dataset.name, datasources, { onRetry: options.onRetry });
  return options.sessions.use(model, path, options.threads ?? deps.config.embedThreads, async ({ encoder, decoder }) => {
    const progress: EmbedProgress = { model: model.name, total: 0, toEmbed: 0, done: 0, embedded: 0, failed: 0 };
    const thumbnails = { readable: true, used: 0 };
    const retryable = await runPipeline({
      deps,
      dataset,
      input: stores.input,
      output: stores.output,
      thumbnails,
      inputProbe: { proven: false },
      version: modelVersion(model),
      encoder,
      decoder,
      batchSize,
      progress,
      range: options.range,
      renewLease: async () => undefined,
      options,
    });
    return { done: progress.done, embedded: progress.embedded, fromThumbnails: thumbnails.used, failed: progress.failed, retryable };
  });
}

function sum<Result extends object>(results: readonly Result[], field: keyof Result): number {
  return results.reduce((total, result) => total + Number(result[field] ?? 0), 0);
}

interface Pipeline {
  deps: EmbedDeps;
  dataset: Dataset;
  input: BoundStore;
  /** Where the thumbnails are. */
  output: BoundStore;
  /** `readable` turns false after a thumbnail read the output refused, so the rest go to the originals without asking again. */
  thumbnails: { readable: boolean; used: number };
  /** The first read of an original, while no original has been read yet (see readOriginal). */
  inputProbe: { proven: boolean; refused?: AppError; inFlight?: Promise<unknown> };
  version: ModelVersion;
  encoder: ImageEncoder;
  decoder: ImageTensorDecoder;
  batchSize: number;
  progress: EmbedProgress;
  /** Only these samples (a batch job's); all of the dataset's when undefined. */
  range?: SampleIdRange | undefined;
  renewLease: () => Promise<void>;
  options: EmbedOptions;
}

/** A sample made ready for the model, or why it cannot be. `read`: whether a request reached the datasource. */
type Prepared = { sample: EmbeddingWork; etag: string | null; read: boolean } & ({ pixels: Uint8Array } | { status: 'rejected' | 'failed'; error: string });

/** Producers (read + decode, several at once) fill a bounded queue; one consumer runs the model batch by batch and records. */
async function runPipeline(pipeline: Pipeline): Promise<number> {
  const { deps, dataset, batchSize, options } = pipeline;
  const budget = createByteBudget(deps.config.thumbnailBufferMb * MIB);
  const inputSize = pipeline.encoder.spec.inputSize;
  const capacity = batchSize * 2;
  const ready: Prepared[] = [];
  let producing = true;
  let stop: AppError | undefined;
  let failure: { error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  const wakeProducers: Array<() => void> = [];
  const notifyConsumer = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };
  const notifyProducers = () => {
    for (const wake of wakeProducers.splice(0)) wake();
  };
  const shouldStop = () => stop !== undefined || failure !== undefined || options.signal?.aborted === true;

  const push = async (item: Prepared) => {
    while (ready.length >= capacity && !shouldStop()) await new Promise<void>((resolve) => wakeProducers.push(resolve));
    ready.push(item);
    notifyConsumer();
  };
  const handle = async (sample: EmbeddingWork): Promise<boolean> => {
    const prepared = await prepare(pipeline, sample, budget, inputSize);
    if ('fatal' in prepared) {
      stop ??= prepared.fatal;
      notifyConsumer();
      return true;
    }
    await push(prepared);
    return prepared.read;
  };

  const produce = async () => {
    const pending = pendingSamples(pipeline);
    try {
      // One image at a time until one has been read: when reads are denied, that is the only denied request.
      for (let read = false; !read && !shouldStop();) {
        const next = await pending.next();
        if (next.done) return;
        read = await handle(next.value);
      }
      if (!shouldStop()) await forEachConcurrentlyFrom(pending, deps.config.embedReadConcurrency, handle, shouldStop);
    } finally {
      await pending.return(undefined);
    }
  };

  let retryable = 0;
  const consume = async () => {
    for (;;) {
      while (ready.length < batchSize && producing && !shouldStop()) await new Promise<void>((resolve) => (wakeConsumer = resolve));
      if (failure !== undefined || options.signal?.aborted) return;
      const batch = ready.splice(0, batchSize);
      notifyProducers();
      if (batch.length === 0) {
        if (!producing || stop !== undefined) return;
        continue;
      }
      retryable += await embedBatch(pipeline, batch);
    }
  };

  const producer = produce()
    .catch((error: unknown) => {
      failure ??= { error };
    })
    .finally(() => {
      producing = false;
      notifyConsumer();
    });
  const consumer = consume().catch((error: unknown) => {
    failure ??= { error };
    notifyProducers();
  });
  await Promise.all([producer, consumer]);
  notifyProducers();

  if (failure !== undefined) throw failure.error;
  if (stop !== undefined) throw fatalStop(stop, dataset.name);
  if (options.signal?.aborted) throw new AppError('SyncCancelled', `Embedding "${dataset.name}" was cancelled; the next run continues where it stopped.`);
  return retryable;
}

/** Runs the model on the decoded images of a batch and records every outcome of it in one transaction; returns its storage failures. */
async function embedBatch(pipeline: Pipeline, batch: Prepared[]): Promise<number> {
  const { deps, dataset, version, encoder, progress, options } = pipeline;
  const decoded = batch.filter((item): item is Extract<Prepared, { pixels: Uint8Array }> => 'pixels' in item);
  const vectors = decoded.length > 0 ? await encoder.encode(decoded.map((item) => item.pixels)) : [];
  const byId = new Map(decoded.map((item, index) => [item.sample.id, vectors[index]!]));
  const now = deps.clock().toISOString();
  const records: EmbeddingRecord[] = batch.map((item) =>
    'pixels' in item
      ? {
          sampleId: item.sample.id,
          datasetId: dataset.id,
          sourceEtag: item.etag,
          status: 'ok',
          vector: byId.get(item.sample.id)!,
          // Kept beside the vector for `winnow duplicates`: it tells near-duplicates from other views of one scene.
          descriptor: thumbnailDescriptor(item.pixels, encoder.spec.inputSize),
          error: null,
          updatedAt: now,
        }
      : { sampleId: item.sample.id, datasetId: dataset.id, sourceEtag: item.etag, status: item.status, vector: null, error: item.error, updatedAt: now },
  );
  await deps.database.db.transaction().execute((trx) => recordEmbeddings(trx, version, records));
  const failed = batch.length - decoded.length;
  progress.done += batch.length;
  progress.embedded += decoded.length;
  progress.failed += failed;
  deps.log.debug(
    { dataset: dataset.name, model: progress.model, images: batch.length, embedded: decoded.length, done: progress.done },
    'embedding batch recorded',
  );
  options.onProgress?.(progress);
  await pipeline.renewLease();
  return batch.filter((item) => 'status' in item && item.status === 'failed').length;
}

async function* pendingSamples(pipeline: Pipeline): AsyncGenerator<EmbeddingWork, void, undefined> {
  const throughId = pipeline.range?.throughId ?? Number.POSITIVE_INFINITY;
  let afterId = (pipeline.range?.fromId ?? 1) - 1;
  for (let pageSize = 1; ; pageSize = PAGE_SIZE) {
    const page = (await listEmbeddingWorkAfter(pipeline.deps.database.db, pipeline.dataset.id, pipeline.version, afterId, pageSize)).filter(
      (sample) => sample.id <= throughId,
    );
    if (page.length === 0) return;
    afterId = page.at(-1)!.id;
    yield* page;
  }
}

async function prepare(pipeline: Pipeline, sample: EmbeddingWork, budget: ByteBudget, inputSize: number): Promise<Prepared | { fatal: AppError }> {
  const { input, decoder } = pipeline;
  const fromThumbnail = await prepareFromThumbnail(pipeline, sample, budget, inputSize);
  if (fromThumbnail !== undefined) return fromThumbnail;
  const refusal = refuseBeforeReading(sample, decoder, budget, input);
  if (refusal !== undefined) return { sample, etag: sample.etag, read: false, status: 'rejected', error: refusal };
  let etag = sample.etag;
  try {
    const release = await budget.acquire(sample.size);
    try {
      const source = await readOriginal(pipeline, `${input.prefix}${sample.key}`, budget.capacity);
      etag = source.etag ?? sample.etag;
      return { sample, etag, read: true, pixels: await decoder.decode(source.body, inputSize) };
    } finally {
      release();
    }
  } catch (error) {
    if (isAppError(error) && FATAL_ERRORS.has(error.code)) return { fatal: error };
    const rejected = isAppError(error, 'ImageUnreadable') || isAppError(error, 'ImageTooLarge');
    return { sample, etag, read: true, status: rejected ? 'rejected' : 'failed', error: describeError(error) };
  }
}

/**
 * Reads an original, one at a time until one read has succeeded: samples read from thumbnails
 * let the producers go concurrent before any original was asked for, and a datasource that
 * refuses reads must still see one denied GET, not one per reader.
 */
async function readOriginal(pipeline: Pipeline, key: string, maxBytes: number): Promise<Awaited<ReturnType<BoundStore['store']['readObject']>>> {
  const probe = pipeline.inputProbe;
  while (!probe.proven && probe.refused === undefined && probe.inFlight !== undefined) await probe.inFlight.catch(() => undefined);
  if (probe.refused !== undefined) throw probe.refused;
  const read = pipeline.input.store.readObject(key, maxBytes);
  if (probe.proven) return read;
  probe.inFlight = read;
  try {
    const source = await read;
    probe.proven = true;
    return source;
  } catch (error) {
    if (isAppError(error) && FATAL_ERRORS.has(error.code)) probe.refused = error;
    throw error;
  } finally {
    probe.inFlight = undefined;
  }
}

/**
 * The model input made from the sample's thumbnail, when it has one of its present content
 * whose short side is at least the model's input: a ~25 KB JPEG instead of a multi-megabyte
 * original, decoded several times faster (bench:embed prints both paths and how far their
 * vectors are apart). The vector is still recorded under the original's etag, as the thumbnail
 * was made from that content. Undefined sends the sample to its original: no eligible
 * thumbnail, or reading or decoding it failed (a deleted or damaged thumbnail is not the image's fault).
 */
async function prepareFromThumbnail(pipeline: Pipeline, sample: EmbeddingWork, budget: ByteBudget, inputSize: number): Promise<Prepared | undefined> {
  const { thumbnail } = sample;
  if (thumbnail === null || !pipeline.thumbnails.readable || !thumbnailStandsIn(sample, inputSize)) return undefined;
  try {
    const source = await pipeline.output.store.readObject(thumbnail.key, budget.capacity);
    const pixels = await pipeline.decoder.decode(source.body, inputSize);
    pipeline.thumbnails.used++;
    return { sample, etag: sample.etag, read: true, pixels };
  } catch (error) {
    if (isAppError(error) && FATAL_ERRORS.has(error.code)) pipeline.thumbnails.readable = false;
    pipeline.deps.log.debug({ key: thumbnail.key, error: describeError(error) }, 'thumbnail not used for the embedding; reading the original');
    return undefined;
  }
}

/** Whether the sample's thumbnail is big enough to stand in for its original as the model's input (of `inputSize` px). */
function thumbnailStandsIn(sample: EmbeddingWork, inputSize: number): boolean {
  return sample.thumbnail !== null && Math.min(sample.thumbnail.width, sample.thumbnail.height) >= inputSize;
}

/** What the catalog already tells about an image that cannot be embedded, so it is never downloaded. */
function refuseBeforeReading(sample: EmbeddingWork, decoder: ImageTensorDecoder, budget: ByteBudget, input: BoundStore): string | undefined {
  if (sample.size === 0) return 'The file is empty (0 bytes).';
  if (sample.width !== null && sample.height !== null && sample.width * sample.height > decoder.maxInputPixels) {
    return `The image declares ${sample.width.toLocaleString('en-US')} x ${sample.height.toLocaleString('en-US')} pixels, more than the ${decoder.maxInputPixels.toLocaleString('en-US')}-pixel limit (a decompression bomb or a huge scan); it was not read.`;
  }
  if (sample.size > budget.capacity) return objectTooLarge(input.store.description, `${input.prefix}${sample.key}`, sample.size, budget.capacity).message;
  return undefined;
}

/** A storage error that stopped the run, saying that nothing was embedded because of it. */
function fatalStop(error: AppError, datasetName: string): AppError {
  if (!isAppError(error, 'DatasourceAccessDenied')) return error;
  return new AppError('DatasourceAccessDenied', `Winnow may not read the images of "${datasetName}", so it cannot embed them: ${error.message}`, {
    cause: error,
    hint: error.hint ?? 'Allow s3:GetObject on the input prefix.',
    details: { ...error.details, action: 's3:GetObject' },
  });
}

import { createHash } from 'node:crypto';
import { findContentHashes, saveContentHashes, type ContentHash } from '../catalog/content-hash.repository.js';
import { requireDataset } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import { describeVectorSet, listDuplicateRowsAfter } from '../catalog/embedding.repository.js';
import { listSamplesAfter, type Sample } from '../catalog/sample.repository.js';
import { openOnnxNearestSearch } from '../embeddings/onnx.vector-math.js';
import { setUnit } from '../embeddings/vectors.js';
import { AppError } from '../errors.js';
import {
  confirmNearDuplicates,
  exactDuplicatePairs,
  groupDuplicates,
  keeperPreference,
  samplesNeedingContentHash,
  type DuplicateCandidate,
} from '../selection/duplicates.js';
import { forEachConcurrently } from '../shared/concurrency.js';
import { openDatasetStores, type BoundStore } from './dataset-stores.js';
import { DEFAULT_MODEL, findRegisteredModel, modelVersion } from './embedding-models.js';
import { saveTag, validateTagName, type TagSaveMode } from './tags.js';
import { loadVectorIndex } from './vector-index.js';
import type { WorkflowDeps } from './workflow-deps.js';

/**
 * Cosine distance under which two samples' embeddings make them near-duplicate candidates. Chosen
 * on real photos with the default model (npm run bench:duplicates, README "winnow duplicates"):
 * 99.5% of made near-duplicates (resize, JPEG q30, 20% brighter, 10% crop, PNG copy) fall under
 * it, but so do many distinct images of one scene (tiles of one picture): the embedding alone
 * reaches 95% precision only at 0.03, where it finds 70-80%. The descriptor tells them apart.
 */
export const DEFAULT_NEAR_DUPLICATE_THRESHOLD = 0.2;
/** Thumbnail-descriptor distance a candidate pair must also be under (both samples embedded by Winnow). */
export const DEFAULT_DESCRIPTOR_THRESHOLD = 0.05;
/** Without a descriptor (imported vectors, or embedded before descriptors were kept), the embedding alone decides, at its 95%-precision point. */
export const THRESHOLD_WITHOUT_DESCRIPTOR = 0.03;
/** Nearest neighbours taken from the reduced copy per sample as candidates. */
const CANDIDATES = 16;
/** Queries searched at once: a query block of scores is QUERY_BLOCK x n floats. */
const QUERY_BLOCK = 256;
/** Ranged reads of this many bytes when an object is hashed (memory per read stays bounded). */
const HASH_CHUNK = 8 * 1024 * 1024;

export type DuplicatesDeps = Pick<WorkflowDeps, 'config' | 'database' | 'secretBox' | 'log' | 'clock' | 'access'>;

export interface DuplicatesRequest {
  /** Cosine distance for near-duplicate candidates; default DEFAULT_NEAR_DUPLICATE_THRESHOLD. */
  threshold?: number | undefined;
  model?: string | undefined;
  /** Tags every sample but the kept one of each group. */
  tag?: string | undefined;
  /** When the tag exists: `create` (the default) refuses, `replace` or `append`. */
  tagMode?: TagSaveMode | undefined;
  description?: string | undefined;
}

export interface DuplicateGroupReport {
  /** Keys relative to the input, the kept one first. */
  keys: string[];
  keep: string;
  /** The largest cosine distance of a pair that joined the group (0 for byte-identical samples). */
  maxDistance: number;
}

export interface DuplicatesReport {
  dataset: string;
  model: string;
  threshold: number;
  descriptorThreshold: number;
  groups: DuplicateGroupReport[];
  /** Samples not kept: in a group, but not its kept one. */
  duplicates: number;
  /** Live samples, and of them those with a vector of the model. */
  samples: number;
  embedded: number;
  /** Samples whose content this run read to hash (kept for later runs). */
  hashed: number;
  /** Near-duplicate pairs judged without a descriptor (imported vectors, or embedded before descriptors were kept). */
  pairsWithoutDescriptor: number;
  tag: string | null;
  tagSize: number | null;
  durationMs: number;
}

/**
 * `winnow duplicates`: groups exact duplicates (same size and MD5 etag, else the same sha256, read
 * once and kept) and near-duplicates (embeddings within the threshold among each sample's nearest
 * neighbours, confirmed by their thumbnail descriptors) and keeps one per group: the most pixels,
 * then the most bytes, then the smallest key. With a tag, every other member goes into it.
 */
export async function findDuplicates(deps: DuplicatesDeps, datasetName: string, request: DuplicatesRequest = {}): Promise<DuplicatesReport> {
  const started = performance.now();
  const threshold = request.threshold ?? DEFAULT_NEAR_DUPLICATE_THRESHOLD;
  if (!(Number.isFinite(threshold) && threshold >= 0 && threshold <= 2))
    throw new AppError('InputInvalid', `The threshold is a cosine distance from 0 to 2, got ${String(request.threshold)}.`, {
      hint: `Leave it out for the calibrated default (${DEFAULT_NEAR_DUPLICATE_THRESHOLD}).`,
    });
  if (request.tag !== undefined) validateTagName(request.tag);
  const { dataset, datasources } = await requireDataset(deps, datasetName);
  const model = await findRegisteredModel(deps, request.model);
  const version = modelVersion(model);
  const { count } = await describeVectorSet(deps.database.db, dataset.id, version);
  if (count === 0)
    throw new AppError('EmbeddingsNotFound', `"${dataset.name}" has no vectors from model "${model.name}" to find near-duplicates with.`, {
      hint: `Compute them with \`winnow embed ${dataset.name}${model.name === DEFAULT_MODEL ? '' : ` --model ${model.name}`}\`.`,
      webHint: 'Compute embeddings on the dataset page first.',
    });

  const samples = await loadLiveSamples(deps, dataset);
  const candidates: DuplicateCandidate[] = samples.map((sample) => ({
    key: sample.key,
    size: sample.size,
    etag: sample.etag,
    pixels: sample.width !== null && sample.height !== null ? sample.width * sample.height : null,
  }));

  const stores = await openDatasetStores(deps, dataset.name, datasources);
  const { hashes, hashed } = await contentHashes(deps, samples, samplesNeedingContentHash(candidates), stores.input);
  const exact = exactDuplicatePairs(candidates, hashes);

  const near = await nearDuplicatePairs(deps, dataset, model, samples, threshold);
  const groups = groupDuplicates(samples.length, [...exact, ...near.pairs], keeperPreference(candidates));

  let tagSize: number | null = null;
  if (request.tag !== undefined) {
    const saved = await saveTag(deps, dataset, {
      name: request.tag,
      description: request.description ?? `Duplicates of the kept samples (winnow duplicates, threshold ${threshold})`,
      sampleIds: groups.flatMap((group) => group.members.slice(1).map((index) => samples[index]!.id)),
      mode: request.tagMode ?? 'create',
    });
    tagSize = saved.size;
  }
  const report: DuplicatesReport = {
    dataset: dataset.name,
    model: model.name,
    threshold,
    descriptorThreshold: DEFAULT_DESCRIPTOR_THRESHOLD,
    groups: groups.map((group) => ({
      keys: group.members.map((index) => samples[index]!.key),
      keep: samples[group.keep]!.key,
      maxDistance: Math.round(group.maxDistance * 1e6) / 1e6,
    })),
    duplicates: groups.reduce((sum, group) => sum + group.members.length - 1, 0),
    samples: samples.length,
    embedded: near.embedded,
    hashed,
    pairsWithoutDescriptor: near.withoutDescriptor,
    tag: request.tag ?? null,
    tagSize,
    durationMs: Math.round(performance.now() - started),
  };
  deps.log.info({ dataset: dataset.name, groups: report.groups.length, duplicates: report.duplicates, hashed }, 'duplicates found');
  return report;
}

async function loadLiveSamples(deps: Pick<WorkflowDeps, 'database'>, dataset: Dataset): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let after: string | undefined; ;) {
    const page = await listSamplesAfter(deps.database.db, dataset.id, after, 10_000);
    samples.push(...page);
    if (page.length < 10_000) return samples;
    after = page.at(-1)!.key;
  }
}

/** The sha256 of each sample at `indices`: stored ones still matching size and etag, the rest read now (ranged reads) and stored. */
async function contentHashes(
  deps: DuplicatesDeps,
  samples: readonly Sample[],
  indices: readonly number[],
  input: BoundStore,
): Promise<{ hashes: Map<number, string>; hashed: number }> {
  const stored = await findContentHashes(
    deps.database.db,
    indices.map((index) => samples[index]!.id),
  );
  const hashes = new Map<number, string>();
  const missing: number[] = [];
  for (const index of indices) {
    const sample = samples[index]!;
    const known = stored.get(sample.id);
    if (known && known.size === sample.size && known.etag === sample.etag) hashes.set(index, known.sha256);
    else missing.push(index);
  }
  const computed: ContentHash[] = [];
  await forEachConcurrently(missing, deps.config.embedReadConcurrency, async (index) => {
    const sample = samples[index]!;
    const hash = createHash('sha256');
    for (let start = 0; start < sample.size; start += HASH_CHUNK) {
      const chunk = await input.store.readRange(`${input.prefix}${sample.key}`, start, Math.min(sample.size, start + HASH_CHUNK) - 1);
      hash.update(chunk);
      if (chunk.length < Math.min(HASH_CHUNK, sample.size - start)) break;
    }
    const sha256 = hash.digest('hex');
    hashes.set(index, sha256);
    computed.push({ sampleId: sample.id, size: sample.size, etag: sample.etag, sha256, computedAt: deps.clock().toISOString() });
  });
  await saveContentHashes(deps.database.db, computed);
  return { hashes, hashed: computed.length };
}

/**
 * Near-duplicate pairs (as sample indices): each sample's nearest neighbours on the dataset's
 * reduced copy (PCA to 64 dimensions, the one `winnow similar` uses) are the candidates, measured
 * on the full vectors and confirmed by their descriptors: about 16 n full products instead of n^2.
 */
async function nearDuplicatePairs(
  deps: DuplicatesDeps,
  dataset: Dataset,
  model: Awaited<ReturnType<typeof findRegisteredModel>>,
  samples: readonly Sample[],
  threshold: number,
) {
  const version = modelVersion(model);
  const indexOfSample = new Map(samples.map((sample, index) => [sample.id, index]));
  const d = model.dimensions;
  const { count } = await describeVectorSet(deps.database.db, dataset.id, version);
  const rows = new Float32Array(count * d);
  const descriptors: Array<Int8Array | null> = [];
  const rowOfSampleId = new Map<number, number>();
  const sampleIndexOfRow: number[] = [];
  for (let afterId = 0; ;) {
    const page = await listDuplicateRowsAfter(deps.database.db, dataset.id, version, afterId, 2_000);
    if (page.length === 0) break;
    afterId = page.at(-1)!.sampleId;
    for (const row of page) {
      const sampleIndex = indexOfSample.get(row.sampleId);
      if (sampleIndex === undefined || sampleIndexOfRow.length === count) continue;
      setUnit(rows, sampleIndexOfRow.length * d, row.vector);
      rowOfSampleId.set(row.sampleId, sampleIndexOfRow.length);
      sampleIndexOfRow.push(sampleIndex);
      descriptors.push(row.descriptor);
    }
  }
  const n = sampleIndexOfRow.length;
  const index = await loadVectorIndex(deps, dataset, model);
  const k = Math.min(CANDIDATES, index.sampleIds.length);
  const found = await nearestCandidates(index.reduced, index.sampleIds.length, index.pca.count, k);
  const candidates = new Int32Array(n * k).fill(-1);
  const p = index.pca.count;
  const projected = new Float32Array(n * p);
  for (let at = 0; at < index.sampleIds.length; at++) {
    const row = rowOfSampleId.get(index.sampleIds[at]!);
    if (row === undefined) continue;
    projected.set(index.reduced.subarray(at * p, (at + 1) * p), row * p);
    for (let c = 0; c < k; c++) candidates[row * k + c] = rowOfSampleId.get(index.sampleIds[found[at * k + c]!]!) ?? -1;
  }
  const { pairs, withoutDescriptor } = confirmNearDuplicates(
    candidates,
    k,
    rows.subarray(0, n * d),
    d,
    descriptors,
    {
      threshold,
      descriptorThreshold: DEFAULT_DESCRIPTOR_THRESHOLD,
      thresholdWithoutDescriptor: Math.min(threshold, THRESHOLD_WITHOUT_DESCRIPTOR),
    },
    { rows: projected, dimensions: p },
  );
  return {
    pairs: pairs.map((pair) => ({ a: sampleIndexOfRow[pair.a]!, b: sampleIndexOfRow[pair.b]!, distance: pair.distance })),
    withoutDescriptor,
    embedded: n,
  };
}

/** For each of `n` rows (n x dimensions), the `k` nearest rows (itself among them), n x k row indices; exhaustive, a block of queries at a time. */
export async function nearestCandidates(rows: Float32Array, n: number, dimensions: number, k: number): Promise<Int32Array> {
  const candidates = new Int32Array(n * k);
  const search = await openOnnxNearestSearch(rows, n, dimensions);
  try {
    for (let start = 0; start < n; start += QUERY_BLOCK) {
      const block = Math.min(QUERY_BLOCK, n - start);
      candidates.set(await search.search(rows.subarray(start * dimensions, (start + block) * dimensions), block, k), start * k);
    }
  } finally {
    await search.close();
  }
  return candidates;
}

import { requireDatasetRow } from '../catalog/dataset.service.js';
import type { Dataset } from '../catalog/dataset.repository.js';
import type { EmbeddingModel } from '../catalog/embedding-model.repository.js';
import { loadSampleField } from '../catalog/sample-field.repository.js';
import { listSamplesAfter } from '../catalog/sample.repository.js';
import { describeVectorSet } from '../catalog/embedding.repository.js';
import { findTag, listTagMemberIds } from '../catalog/tag.repository.js';
import { openOnnxCodeDots, openOnnxMatMul, openOnnxRowDots } from '../embeddings/onnx.vector-math.js';
import { setUnit } from '../embeddings/vectors.js';
import { AppError, quoteInput } from '../errors.js';
import { fullOracle, quantizeRows, screenedOracle, type DiversityOracle } from '../selection/diversity-oracle.js';
import type { MatMul } from '../selection/linear-algebra.js';
import { seededRandom } from '../selection/seeded-random.js';
import { selectSamples, type SelectionResult, type SelectionTerm } from '../selection/select.js';
import { balanceTarget, scaleToUnit, similarityScores, thresholdMask, typicalityScores, type ThresholdOperator } from '../selection/terms.js';
import { findRegisteredModel, modelVersion } from './embedding-models.js';
import { forEachVectorPage } from './embedding-vectors.js';
import { keysOf, resolveKeys, saveTag, validateTagName } from './tags.js';
import type { WorkflowDeps } from './workflow-deps.js';

export type StrategyName = 'diversity' | 'typicality' | 'balance' | 'similarity' | 'weights' | 'random';

export interface StrategySpec {
  name: StrategyName;
  /** How much it counts against the others (default 1). */
  strength?: number | undefined;
  /** balance (a text field, e.g. `label`) and weights (a numeric field). */
  field?: string | undefined;
  /** balance: `uniform` (default) or each category's share. */
  target?: 'uniform' | Record<string, number> | undefined;
  /** similarity: the samples to be similar to. */
  queryTag?: string | undefined;
  queryKeys?: readonly string[] | undefined;
}

export interface ThresholdSpec {
  field: string;
  operator: ThresholdOperator;
  value: number;
}

export interface SelectRequest {
  strategies: readonly StrategySpec[];
  thresholds?: readonly ThresholdSpec[] | undefined;
  /** How many to add; or a share of the pool to reach (the already selected count toward it). */
  count?: number | undefined;
  proportion?: number | undefined;
  /** Its samples count as already selected (and join the result tag). */
  fromTag?: string | undefined;
  /** The tag the picks go into; its present samples count as already selected. */
  tag?: string | undefined;
  seed?: number | undefined;
  model?: string | undefined;
  /** diversity: stop once nothing is farther than this cosine distance from the selection. */
  minDistance?: number | undefined;
  /** Pick, but store nothing (a preview). */
  dryRun?: boolean | undefined;
  description?: string | undefined;
}

export interface SelectedSample {
  key: string;
  score: number;
  contributions: Record<string, number>;
  distanceToSelected?: number | undefined;
}

export interface SelectionReport {
  dataset: string;
  tag: string | null;
  /** The new picks' keys (relative to the input), in the order they were picked. */
  keys: string[];
  picks: SelectedSample[];
  /** Samples that could be picked (live, with a vector when an embedding strategy is used, through every threshold). */
  pool: number;
  /** Samples counted as already selected (the tag's and --from-tag's). */
  preselected: number;
  tagSize: number | null;
  model: string | null;
  vectors: 'full' | 'none';
  seed: number;
  stoppedBecause: SelectionResult['stoppedBecause'];
  /** Largest cosine distance from a pool sample to the selection at the end (diversity only). */
  coverageRadius: number | null;
  durationMs: number;
}

const EMBEDDING_STRATEGIES = new Set<StrategyName>(['diversity', 'typicality', 'similarity']);
/** Rows compared at once in blocked products (typicality, similarity). */
const BLOCK = 4_096;
/** Reference samples typicality is measured against, and neighbours averaged. */
const TYPICALITY_REFERENCE = 5_000;
const TYPICALITY_NEIGHBOURS = 10;
/** Pools smaller than this are read whole on every pick: the 8-bit copy would not pay for itself. */
const SCREENING_FROM = 5_000;

interface Pool {
  sampleIds: number[];
  keys: string[];
  /** Unit vectors, n x dimensions, when an embedding strategy needs them. */
  rows?: Float32Array;
  dimensions: number;
}

/**
 * `winnow select`: picks samples by strategies combined with strengths, deterministic for a seed
 * and incremental (the target tag's and --from-tag's samples count as selected, so a re-run picks
 * what is new and different), and stores the picks in the tag. Each pick says why (each term's part).
 */
export async function selectDatasetSamples(
  deps: Pick<WorkflowDeps, 'config' | 'database' | 'clock' | 'log'>,
  datasetName: string,
  request: SelectRequest,
): Promise<SelectionReport> {
  const started = performance.now();
  const dataset = await requireDatasetRow(deps, datasetName);
  validateRequest(request);
  if (request.tag !== undefined) validateTagName(request.tag);
  const seed = request.seed ?? 1;
  const needsVectors = request.strategies.some((strategy) => EMBEDDING_STRATEGIES.has(strategy.name));
  const model = needsVectors ? await findRegisteredModel(deps, request.model) : undefined;
  const pool = model ? await loadVectorPool(deps, dataset, model) : await loadSamplePool(deps, dataset);
  const n = pool.sampleIds.length;
  const indexOf = new Map(pool.sampleIds.map((id, index) => [id, index]));

  const preselectedIds = new Set<number>();
  const fromTagIds = request.fromTag === undefined ? [] : await tagMembers(deps, dataset, request.fromTag);
  for (const id of fromTagIds) preselectedIds.add(id);
  if (request.tag !== undefined) {
    const target = await findTag(deps.database.db, dataset.id, request.tag);
    if (target) for (const id of await listTagMemberIds(deps.database.db, target.id)) preselectedIds.add(id);
  }
  const preselected = [...preselectedIds].flatMap((id) => (indexOf.has(id) ? [indexOf.get(id)!] : []));

  const eligible = new Uint8Array(n).fill(1);
  for (const threshold of request.thresholds ?? []) {
    const values = await numericField(deps, dataset, pool, threshold.field);
    const mask = thresholdMask(values, threshold.operator, threshold.value);
    for (let i = 0; i < n; i++) eligible[i]! &= mask[i]!;
  }
  const poolSize = eligible.reduce((sum, value) => sum + value, 0);
  const count = request.count ?? Math.max(0, Math.round(request.proportion! * poolSize) - preselected.length);

  const { matmul, close } = await openMatMul(pool);
  let oracle: DiversityOracle | undefined;
  let closeOracle = async () => undefined as void;
  try {
    const terms: SelectionTerm[] = [];
    for (const strategy of request.strategies) {
      const strength = strategy.strength ?? 1;
      switch (strategy.name) {
        case 'diversity': {
          ({ oracle, close: closeOracle } = await openDiversityOracle(pool.rows!, n, pool.dimensions));
          terms.push({ kind: 'diversity', strength, minDistance: request.minDistance });
          break;
        }
        case 'typicality':
          terms.push({ kind: 'static', name: 'typicality', strength, scores: await typicality(pool, matmul, seed) });
          break;
        case 'similarity':
          terms.push({ kind: 'static', name: 'similarity', strength, scores: await similarity(deps, dataset, pool, strategy, matmul) });
          break;
        case 'weights':
          terms.push({
            kind: 'static',
            name: `weights:${strategy.field}`,
            strength,
            scores: scaleToUnit(await numericField(deps, dataset, pool, strategy.field!)),
          });
          break;
        case 'balance': {
          const values = await loadSampleField(deps.database.db, dataset.id, strategy.field!);
          const labels = pool.sampleIds.map((id) => (values.has(id) ? String(values.get(id)) : undefined));
          const shares = strategy.target === undefined || strategy.target === 'uniform' ? undefined : new Map(Object.entries(strategy.target));
          const { categories, target } = balanceTarget(labels, shares);
          if (target.length === 0)
            throw new AppError('InputInvalid', `No sample of "${dataset.name}" has a value in field ${quoteInput(strategy.field!)} to balance on.`, {
              hint: 'Import metadata or labels first (`winnow metadata import`); `winnow metadata list` shows the fields.',
            });
          terms.push({ kind: 'balance', strength, categories, target });
          break;
        }
        case 'random': {
          const random = seededRandom(seed ^ 0x5eed);
          terms.push({ kind: 'static', name: 'random', strength, scores: Float32Array.from({ length: n }, () => random()) });
          break;
        }
      }
    }
    const result = await selectSamples({ n, count, preselected, eligible, terms, seed, oracle });
    const pickedIds = result.picks.map((pick) => pool.sampleIds[pick.index]!);
    let tagSize: number | null = null;
    if (request.tag !== undefined && !request.dryRun) {
      const saved = await saveTag(deps, dataset, {
        name: request.tag,
        description: request.description,
        sampleIds: [...fromTagIds, ...pickedIds],
        mode: 'append',
      });
      tagSize = saved.size;
    }
    const keys = pool.keys.length === n ? result.picks.map((pick) => pool.keys[pick.index]!) : await keysOf(deps, pickedIds);
    deps.log.info({ dataset: dataset.name, tag: request.tag, picked: keys.length }, 'samples selected');
    return {
      dataset: dataset.name,
      tag: request.tag ?? null,
      keys,
      picks: result.picks.map((pick, index) => ({
        key: keys[index]!,
        score: pick.score,
        contributions: pick.contributions,
        distanceToSelected: pick.distanceToSelected,
      })),
      pool: poolSize,
      preselected: preselected.length,
      tagSize,
      model: model?.name ?? null,
      vectors: pool.rows ? 'full' : 'none',
      seed,
      stoppedBecause: result.stoppedBecause,
      coverageRadius: result.coverageRadius ?? null,
      durationMs: Math.round(performance.now() - started),
    };
  } finally {
    await closeOracle();
    await close();
  }
}

function validateRequest(request: SelectRequest): void {
  const problems: string[] = [];
  if (request.strategies.length === 0) problems.push('give at least one strategy (diversity, typicality, balance, similarity, weights or random)');
  if ((request.count === undefined) === (request.proportion === undefined)) problems.push('give either a count (--n) or a proportion (--proportion)');
  if (request.count !== undefined && (!Number.isInteger(request.count) || request.count < 0))
    problems.push(`the count must be a whole number, got ${String(request.count)}`);
  if (request.proportion !== undefined && !(request.proportion > 0 && request.proportion <= 1))
    problems.push(`the proportion must be above 0 and at most 1, got ${String(request.proportion)}`);
  const names = new Set<string>();
  for (const strategy of request.strategies) {
    if (names.has(strategy.name)) problems.push(`strategy ${strategy.name} is given twice`);
    names.add(strategy.name);
    if (strategy.strength !== undefined && !(Number.isFinite(strategy.strength) && strategy.strength >= 0))
      problems.push(`the strength of ${strategy.name} must be a number of at least 0`);
    if ((strategy.name === 'balance' || strategy.name === 'weights') && !strategy.field)
      problems.push(`${strategy.name} needs a field (--${strategy.name}-field)`);
    if (strategy.name === 'similarity' && !strategy.queryTag && !strategy.queryKeys?.length)
      problems.push('similarity needs a query: a tag (--query-tag) or keys (--query-keys)');
  }
  if (request.minDistance !== undefined && !names.has('diversity')) problems.push('--min-distance applies to the diversity strategy');
  if (problems.length > 0) throw new AppError('InputInvalid', `The selection cannot run:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
}

async function tagMembers(deps: Pick<WorkflowDeps, 'database'>, dataset: Dataset, name: string): Promise<number[]> {
  const tag = await findTag(deps.database.db, dataset.id, name);
  if (!tag)
    throw new AppError('TagNotFound', `Dataset "${dataset.name}" has no tag ${quoteInput(name)}.`, {
      hint: 'List the tags with `winnow tags list <dataset>`.',
      webHint: "The Tags panel lists the dataset's tags.",
    });
  return listTagMemberIds(deps.database.db, tag.id);
}

/** Every current vector of the model, in one matrix (n x d float32: 7 GB for a million 1,792-d vectors). */
async function loadVectorPool(deps: Pick<WorkflowDeps, 'database'>, dataset: Dataset, model: EmbeddingModel): Promise<Pool> {
  const version = modelVersion(model);
  const { count } = await describeVectorSet(deps.database.db, dataset.id, version);
  if (count === 0) {
    throw new AppError('EmbeddingsNotFound', `"${dataset.name}" has no vectors from model "${model.name}" to select with.`, {
      hint: `Compute them with \`winnow embed ${dataset.name}\`.`,
      webHint: 'Compute embeddings on the dataset page first.',
    });
  }
  const d = model.dimensions;
  const sampleIds: number[] = [];
  const keys: string[] = [];
  const rows = new Float32Array(count * d);
  await forEachVectorPage(deps, dataset.id, version, (page) => {
    if (sampleIds.length + page.length > count)
      throw new AppError('DatasetBusy', `The vectors of "${dataset.name}" changed while they were read; select again once \`winnow embed\` has finished.`);
    page.forEach((entry) => {
      setUnit(rows, sampleIds.length * d, entry.vector);
      sampleIds.push(entry.sampleId);
      keys.push(entry.key);
    });
  });
  return { sampleIds, keys, rows: rows.subarray(0, sampleIds.length * d), dimensions: d };
}

async function loadSamplePool(deps: Pick<WorkflowDeps, 'database'>, dataset: Dataset): Promise<Pool> {
  const sampleIds: number[] = [];
  const keys: string[] = [];
  for (let after: string | undefined; ;) {
    const page = await listSamplesAfter(deps.database.db, dataset.id, after, 10_000);
    for (const sample of page) {
      sampleIds.push(sample.id);
      keys.push(sample.key);
    }
    if (page.length < 10_000) break;
    after = page.at(-1)!.key;
  }
  return { sampleIds, keys, dimensions: 0 };
}

async function numericField(deps: Pick<WorkflowDeps, 'database'>, dataset: Dataset, pool: Pool, field: string): Promise<Float64Array> {
  const values = await loadSampleField(deps.database.db, dataset.id, field);
  if (values.size === 0)
    throw new AppError('InputInvalid', `No sample of "${dataset.name}" has a value in field ${quoteInput(field)}.`, {
      hint: 'Import metadata first (`winnow metadata import`); `winnow metadata list` shows the fields.',
    });
  return Float64Array.from(pool.sampleIds, (id) => {
    const value = values.get(id);
    return typeof value === 'number' ? value : Number.NaN;
  });
}

async function openMatMul(pool: Pool): Promise<{ matmul: MatMul; close: () => Promise<void> }> {
  if (!pool.rows) return { matmul: () => Promise.reject(new Error('no vectors')), close: async () => undefined };
  const onnx = await openOnnxMatMul(1);
  return { matmul: (a, m, k, b, n) => onnx.multiply(a, m, k, b, n), close: onnx.close };
}

/**
 * Greedy k-center's distances on onnxruntime, screened by an 8-bit copy (see screenedOracle)
 * unless the pool is too small for it to pay. Exported for bench:select.
 */
export async function openDiversityOracle(
  rows: Float32Array,
  n: number,
  d: number,
  options: { screening?: boolean } = {},
): Promise<{ oracle: DiversityOracle; close: () => Promise<void> }> {
  // One thread: each pass is bound by memory bandwidth, and on a busy machine a second spinning thread costs more than it gives.
  const rowDots = await openOnnxRowDots(rows, n, d, 1);
  const rowOf = (index: number) => rows.subarray(index * d, (index + 1) * d);
  const allDots = (index: number) => rowDots.dots(rowOf(index));
  if (options.screening === false || n < SCREENING_FROM) return { oracle: fullOracle(n, allDots), close: rowDots.close };
  const copy = quantizeRows(rows, n, d);
  const codeDots = await openOnnxCodeDots(copy.codes, n, d, 1);
  const query = new Int8Array(d);
  const allCodeDots = (index: number) => {
    for (let j = 0; j < d; j++) query[j] = copy.codes[index * d + j]! - 128;
    return codeDots.dots(query);
  };
  return {
    oracle: screenedOracle(n, copy, allCodeDots, allDots, (index, indices, count) => rowDots.dotsAt(rowOf(index), indices, count)),
    close: async () => {
      await codeDots.close();
      await rowDots.close();
    },
  };
}

/** Each sample's density: the mean cosine distance to its nearest reference samples (a seeded subset). */
async function typicality(pool: Pool, matmul: MatMul, seed: number): Promise<Float32Array> {
  const rows = pool.rows!;
  const n = pool.sampleIds.length;
  const d = pool.dimensions;
  const m = Math.min(n, TYPICALITY_REFERENCE);
  const random = seededRandom(seed ^ 0x7e1c);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const reference = order.slice(0, m);
  const referenceT = new Float32Array(d * m);
  reference.forEach((row, column) => {
    for (let j = 0; j < d; j++) referenceT[j * m + column] = rows[row * d + j]!;
  });
  const k = Math.min(TYPICALITY_NEIGHBOURS, m - 1);
  const nearest = new Float32Array(n * k);
  const isReference = new Int32Array(n).fill(-1);
  reference.forEach((row, column) => (isReference[row] = column));
  for (let start = 0; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    const dots = await matmul(rows.subarray(start * d, (start + count) * d), count, d, referenceT, m);
    for (let i = 0; i < count; i++) {
      const best = new Float32Array(k).fill(Infinity);
      const self = isReference[start + i]!;
      for (let column = 0; column < m; column++) {
        if (column === self) continue;
        const distance = 1 - dots[i * m + column]!;
        if (distance < best[k - 1]!) {
          let at = k - 1;
          while (at > 0 && best[at - 1]! > distance) {
            best[at] = best[at - 1]!;
            at--;
          }
          best[at] = distance;
        }
      }
      nearest.set(best, (start + i) * k);
    }
  }
  return typicalityScores(nearest, n, k);
}

/** 1 - the cosine distance to the nearest query sample, scaled to 0..1. */
async function similarity(deps: Pick<WorkflowDeps, 'database'>, dataset: Dataset, pool: Pool, strategy: StrategySpec, matmul: MatMul): Promise<Float32Array> {
  const ids =
    strategy.queryTag !== undefined
      ? await tagMembers(deps, dataset, strategy.queryTag)
      : await resolveKeys(
          deps,
          dataset,
          (strategy.queryKeys ?? []).map((key, index) => ({ key, line: index + 1 })),
          'the query keys',
        );
  const indexOf = new Map(pool.sampleIds.map((id, index) => [id, index]));
  const queries = ids.flatMap((id) => (indexOf.has(id) ? [indexOf.get(id)!] : []));
  if (queries.length === 0)
    throw new AppError('InputInvalid', 'None of the query samples has a vector of this model.', {
      hint: `Compute them with \`winnow embed ${dataset.name}\`.`,
    });
  const rows = pool.rows!;
  const n = pool.sampleIds.length;
  const d = pool.dimensions;
  const q = queries.length;
  const queryT = new Float32Array(d * q);
  queries.forEach((row, column) => {
    for (let j = 0; j < d; j++) queryT[j * q + column] = rows[row * d + j]!;
  });
  const nearest = new Float64Array(n).fill(Infinity);
  for (let start = 0; start < n; start += BLOCK) {
    const count = Math.min(BLOCK, n - start);
    const dots = await matmul(rows.subarray(start * d, (start + count) * d), count, d, queryT, q);
    for (let i = 0; i < count; i++) for (let column = 0; column < q; column++) nearest[start + i] = Math.min(nearest[start + i]!, 1 - dots[i * q + column]!);
  }
  return similarityScores(nearest);
}

/**
 * Near-duplicate grouping time over 100,000 1,792-d vectors, the steps `winnow duplicates` runs
 * after reading the catalog: PCA to 64 dimensions fitted on 2,000 vectors and applied to all (what
 * the reduced index holds; cached between runs in production), each vector's 16 nearest on it
 * (onnxruntime, exhaustive), those candidates measured on the full vectors and confirmed by their
 * descriptors, then union-find groups. Vectors: 2,000 clusters of look-alikes (cosine distance
 * about 0.1-0.2 within a cluster, like tiles of one scene), with 5,000 planted near-duplicate
 * pairs (distance ~0.01-0.05, descriptors copied with noise); other descriptors are random.
 */
import { loadavg } from 'node:os';
import { setUnit } from '../src/embeddings/vectors.js';
import { confirmNearDuplicates, groupDuplicates } from '../src/selection/duplicates.js';
import { fitPca, projectPca } from '../src/selection/pca.js';
import { seededRandom } from '../src/selection/seeded-random.js';
import { DESCRIPTOR_BYTES } from '../src/selection/thumbnail-descriptor.js';
import {
  DEFAULT_DESCRIPTOR_THRESHOLD,
  DEFAULT_NEAR_DUPLICATE_THRESHOLD,
  THRESHOLD_WITHOUT_DESCRIPTOR,
  nearestCandidates,
} from '../src/workflows/find-duplicates.js';
import { openMatMul } from '../src/workflows/vector-index.js';

const N = Number(process.env.BENCH_DUPLICATES_N ?? 100_000);
const D = 1_792;
const CLUSTERS = 2_000;
const PLANTED = 5_000;

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function makeVectors() {
  const random = seededRandom(42);
  const centres = new Float32Array(CLUSTERS * D);
  for (let i = 0; i < centres.length; i++) centres[i] = gaussian(random);
  const rows = new Float32Array(N * D);
  const raw = new Float32Array(D);
  const descriptors: Int8Array[] = [];
  // The last 2 x PLANTED rows are the planted pairs: row N - 2 PLANTED + 2p and its twin right after.
  const plantedFrom = N - 2 * PLANTED;
  for (let i = 0; i < N; i++) {
    const twin = i >= plantedFrom && (i - plantedFrom) % 2 === 1;
    if (twin) {
      const scale = 0.1 + 0.25 * random();
      for (let j = 0; j < D; j++) raw[j] = rows[(i - 1) * D + j]! * Math.sqrt(D) + scale * gaussian(random);
      const descriptor = Int8Array.from(descriptors[i - 1]!, (value) => Math.max(-127, Math.min(127, value + Math.round(4 * gaussian(random)))));
      descriptors.push(descriptor);
    } else {
      const centre = Math.floor(random() * CLUSTERS);
      for (let j = 0; j < D; j++) raw[j] = centres[centre * D + j]! + 0.5 * gaussian(random);
      descriptors.push(Int8Array.from({ length: DESCRIPTOR_BYTES }, () => Math.round(40 * gaussian(random))));
    }
    setUnit(rows, i * D, raw);
  }
  return { rows, descriptors, plantedFrom };
}

export async function benchGrouping(): Promise<void> {
  console.log(`\nnear-duplicate grouping over ${N.toLocaleString('en-US')} x ${D} vectors (load average ${loadavg()[0]!.toFixed(2)} at start)`);
  let started = performance.now();
  const { rows, descriptors, plantedFrom } = makeVectors();
  console.log(`  made the vectors in ${((performance.now() - started) / 1000).toFixed(1)} s (not counted)`);

  // CPU time next to wall time: on a shared machine the wall time says as much about the load as about the code.
  const times: Array<[string, number, number]> = [];
  const step = async <T>(label: string, run: () => Promise<T> | T): Promise<T> => {
    const at = performance.now();
    const cpu = process.cpuUsage();
    const result = await run();
    const used = process.cpuUsage(cpu);
    times.push([label, performance.now() - at, (used.user + used.system) / 1000]);
    return result;
  };
  started = performance.now();
  const { matmul, close } = await openMatMul();
  const fitRows = 2_000;
  const stride = Math.floor(N / fitRows);
  const sample = new Float32Array(fitRows * D);
  for (let i = 0; i < fitRows; i++) sample.set(rows.subarray(i * stride * D, (i * stride + 1) * D), i * D);
  const pca = await step('PCA fit (2,000 vectors)', () => fitPca(sample, fitRows, D, 64, matmul));
  const reduced = await step('projection to 64-d', async () => {
    const out = new Float32Array(N * pca.count);
    for (let start = 0; start < N; start += 5_000) {
      const count = Math.min(5_000, N - start);
      out.set(await projectPca(pca, rows.subarray(start * D, (start + count) * D), count, matmul), start * pca.count);
    }
    return out;
  });
  await close();
  const k = 16;
  const candidates = await step('16 nearest of each on the reduced copy', () => nearestCandidates(reduced, N, pca.count, k));
  const { pairs } = await step('candidates measured on the full vectors + descriptors', () =>
    confirmNearDuplicates(
      candidates,
      k,
      rows,
      D,
      descriptors,
      {
        threshold: DEFAULT_NEAR_DUPLICATE_THRESHOLD,
        descriptorThreshold: DEFAULT_DESCRIPTOR_THRESHOLD,
        thresholdWithoutDescriptor: THRESHOLD_WITHOUT_DESCRIPTOR,
      },
      { rows: reduced, dimensions: pca.count },
    ),
  );
  const groups = await step('union-find groups', () => groupDuplicates(N, pairs, (a, b) => a - b));
  const total = performance.now() - started;
  for (const [label, ms, cpuMs] of times)
    console.log(`  ${label.padEnd(56)} ${(ms / 1000).toFixed(2).padStart(6)} s (CPU ${(cpuMs / 1000).toFixed(2).padStart(6)} s, both cores)`);
  const groupOf = new Int32Array(N).fill(-1);
  groups.forEach((group, index) => group.members.forEach((member) => (groupOf[member] = index)));
  let found = 0;
  for (let p = 0; p < PLANTED; p++) {
    const a = plantedFrom + 2 * p;
    if (groupOf[a]! >= 0 && groupOf[a] === groupOf[a + 1]) found++;
  }
  const strays = groups.filter((group) => group.members.some((member) => member < plantedFrom)).length;
  console.log(
    `  total ${(total / 1000).toFixed(1)} s (target: under 60 s); ${groups.length} groups; planted pairs found ${found} of ${PLANTED} (${((100 * found) / PLANTED).toFixed(1)}%); groups with an unplanted member ${strays}; load average ${loadavg()[0]!.toFixed(2)} at the end`,
  );
}

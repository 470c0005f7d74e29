/**
 * Greedy k-center (diversity selection) at 100,000 x 1,792, Winnow next to a straightforward NumPy
 * implementation of the same algorithm, in the same run and on the same vectors.
 *
 *   npm run bench:select                     # 100,000 x 1,792, 1,000 picks, 3 rounds (~15 min on 2 cores)
 *   npm run bench:select -- --quick          # 20,000 x 1,792, 200 picks, 2 rounds
 *   npm run bench:select -- --n 50000 --k 500 --rounds 5
 *
 * Needs Debian's python3-numpy (`/usr/bin/python3`, or WINNOW_BENCH_PYTHON). Both sides start
 * from the same first pick (Winnow's, for the seed) and must then make the same picks; the bench
 * says where they part if they do (a tie at float32 precision is the only legitimate reason).
 * Timed: Winnow's whole selection (building its 8-bit screening copy included) against
 * NumPy's loop (loading the file excluded). Rounds alternate which side runs first, and the
 * median is reported with the load average around each run.
 *
 * Two kinds of vectors: "structured" (clusters in a space whose variance falls off as 1/rank, about
 * half of it in the first 32 directions, as image embeddings do) and "isotropic" (Gaussian noise,
 * where distances crowd together and the screen has the least room). Then kNN query latency at 1,000,000 (the reduced copy similar-image search uses),
 * p50 and p99 over 200 queries, against NumPy's argpartition on the same matrix.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openOnnxNearestSearch } from '../src/embeddings/onnx.vector-math.js';
import { seededRandom } from '../src/selection/seeded-random.js';
import { selectSamples } from '../src/selection/select.js';
import { openDiversityOracle } from '../src/workflows/select-samples.js';
import { cleanUpAll, cleanUpOnSignals, makeTempDir } from './cleanup.js';
import { median } from './statistics.js';

const run = promisify(execFile);
const PYTHON = process.env.WINNOW_BENCH_PYTHON ?? '/usr/bin/python3';
const D = 1792;
const SEED = 1;

const NUMPY_K_CENTER = `
import json, sys, time
import numpy as np
x = np.load(sys.argv[1])
first, k = int(sys.argv[2]), int(sys.argv[3])
started = time.perf_counter()
min_distance = np.full(x.shape[0], np.inf, dtype=np.float32)
picks = [first]
for _ in range(k - 1):
    np.minimum(min_distance, 1.0 - x @ x[picks[-1]], out=min_distance)
    picks.append(int(np.argmax(min_distance)))
elapsed = time.perf_counter() - started
print(json.dumps({"ms": elapsed * 1000, "picks": picks, "numpy": np.__version__}))
`;

const NUMPY_KNN = `
import json, sys, time
import numpy as np
x = np.load(sys.argv[1])
queries, k = int(sys.argv[2]), int(sys.argv[3])
norms = (x * x).sum(axis=1)
times = []
for q in range(queries):
    started = time.perf_counter()
    d = norms - 2.0 * (x @ x[q])
    nearest = np.argpartition(d, k)[:k]
    nearest = nearest[np.argsort(d[nearest])]
    times.append((time.perf_counter() - started) * 1000)
print(json.dumps({"times": times}))
`;

interface Options {
  n: number;
  k: number;
  rounds: number;
  knnRows: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index === -1 ? undefined : Number(argv[index + 1]);
  };
  const quick = argv.includes('--quick');
  return {
    n: value('--n') ?? (quick ? 20_000 : 100_000),
    k: value('--k') ?? (quick ? 200 : 1_000),
    rounds: value('--rounds') ?? (quick ? 2 : 3),
    knnRows: value('--knn-rows') ?? (quick ? 100_000 : 1_000_000),
  };
}

/** Unit vectors: `structured` clusters under a 1/rank variance spectrum, or `isotropic` noise. */
function makeVectors(kind: 'structured' | 'isotropic', n: number, d: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
  const rows = new Float32Array(n * d);
  const scale = Float32Array.from({ length: d }, (_, j) => (kind === 'structured' ? 1 / Math.sqrt(j + 1) : 1));
  const clusters = kind === 'structured' ? 1_000 : 1;
  const centres = Float32Array.from({ length: clusters * d }, (_, i) => (kind === 'structured' ? scale[i % d]! * gaussian() : 0));
  for (let i = 0; i < n; i++) {
    const centre = Math.floor(random() * clusters) * d;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const value = centres[centre + j]! + 0.7 * scale[j]! * gaussian();
      rows[i * d + j] = value;
      norm += value * value;
    }
    const inverse = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) rows[i * d + j]! *= inverse;
  }
  return rows;
}

/** A float32 .npy file NumPy loads without copying through text. */
async function writeNpy(path: string, rows: Float32Array, n: number, d: number): Promise<void> {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${d}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 0x01, 0x00]).copy(prefix);
  prefix.writeUInt16LE(header.length, 8);
  await writeFile(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)]));
}

async function winnowKCenter(rows: Float32Array, n: number, k: number, screening: boolean): Promise<{ ms: number; picks: number[]; computed: number }> {
  const started = performance.now();
  const { oracle, close } = await openDiversityOracle(rows, n, D, { screening });
  const result = await selectSamples({ n, count: k, terms: [{ kind: 'diversity', strength: 1 }], seed: SEED, oracle });
  const ms = performance.now() - started;
  await close();
  return { ms, picks: result.picks.map((pick) => pick.index), computed: oracle.computed };
}

async function numpy(script: string, args: readonly string[]): Promise<unknown> {
  const { stdout } = await run(PYTHON, ['-c', script, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout);
}

const percentile = (values: readonly number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;
const load = () => loadavg()[0]!.toFixed(2);

function agreement(winnow: readonly number[], peer: readonly number[], rows: Float32Array): string {
  const firstDifference = winnow.findIndex((index, position) => peer[position] !== index);
  if (firstDifference === -1) return `same ${winnow.length} picks`;
  // Where they part, say how far apart the two candidates were from the selection so far.
  const selected = winnow.slice(0, firstDifference);
  const distanceToSelection = (index: number) =>
    Math.min(
      ...selected.map((other) => {
        let dot = 0;
        for (let j = 0; j < D; j++) dot += rows[index * D + j]! * rows[other * D + j]!;
        return 1 - dot;
      }),
    );
  return `same first ${firstDifference} picks, then ${winnow[firstDifference]} (distance ${distanceToSelection(winnow[firstDifference]!).toFixed(7)}) vs NumPy's ${peer[firstDifference]} (${distanceToSelection(peer[firstDifference]!).toFixed(7)})`;
}

async function kCenterComparison(kind: 'structured' | 'isotropic', options: Options, rounds: number, folder: string): Promise<void> {
  const { n, k } = options;
  const rows = makeVectors(kind, n, D, kind === 'structured' ? 7 : 8);
  const file = join(folder, `${kind}.npy`);
  await writeNpy(file, rows, n, D);
  console.log(`\n${kind} vectors: ${n.toLocaleString('en-US')} x ${D}, ${k} picks`);
  const winnowTimes: number[] = [];
  const numpyTimes: number[] = [];
  let reference: { picks: number[]; computed: number } | undefined;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['winnow', 'numpy'] as const) : (['numpy', 'winnow'] as const);
    for (const side of order) {
      const before = load();
      if (side === 'winnow') {
        const result = await winnowKCenter(rows, n, k, true);
        reference ??= result;
        winnowTimes.push(result.ms);
        console.log(
          `  round ${round + 1} winnow ${(result.ms / 1000).toFixed(2)} s (load ${before} -> ${load()}), ${((result.computed / (n * k)) * 100).toFixed(1)}% of the float rows read after the 8-bit screen`,
        );
      } else {
        // NumPy starts from Winnow's first pick; the first round with NumPy first gets it from a one-pick run.
        const first = reference?.picks[0] ?? (await winnowKCenter(rows, n, 1, true)).picks[0]!;
        const result = (await numpy(NUMPY_K_CENTER, [file, String(first), String(k)])) as { ms: number; picks: number[]; numpy: string };
        numpyTimes.push(result.ms);
        console.log(
          `  round ${round + 1} numpy ${result.numpy} ${(result.ms / 1000).toFixed(2)} s (load ${before} -> ${load()})${reference ? `, ${agreement(reference.picks, result.picks, rows)}` : ''}`,
        );
      }
    }
  }
  console.log(
    `  median: winnow ${(median(winnowTimes) / 1000).toFixed(2)} s, numpy ${(median(numpyTimes) / 1000).toFixed(2)} s, ratio winnow/numpy ${(median(winnowTimes) / median(numpyTimes)).toFixed(2)} (target <= 1.0)`,
  );
}

async function knnLatency(options: Options, folder: string): Promise<void> {
  const dimensions = 64;
  const n = options.knnRows;
  const rows = makeVectors('structured', n, dimensions, 9);
  const file = join(folder, 'reduced.npy');
  await writeNpy(file, rows, n, dimensions);
  console.log(`\nkNN on ${n.toLocaleString('en-US')} reduced (${dimensions}-d) vectors, k = 100, 200 queries (similar-image search's first stage)`);
  const search = await openOnnxNearestSearch(rows, n, dimensions);
  const times: number[] = [];
  const before = load();
  for (let q = 0; q < 200; q++) {
    const started = performance.now();
    await search.search(rows.subarray(q * dimensions, (q + 1) * dimensions), 1, 100);
    times.push(performance.now() - started);
  }
  await search.close();
  console.log(`  winnow (onnxruntime): p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms (load ${before} -> ${load()})`);
  const peerBefore = load();
  const peer = ((await numpy(NUMPY_KNN, [file, '200', '100'])) as { times: number[] }).times;
  console.log(
    `  numpy (matvec + argpartition): p50 ${percentile(peer, 50).toFixed(1)} ms, p99 ${percentile(peer, 99).toFixed(1)} ms (load ${peerBefore} -> ${load()})`,
  );
}

async function main(): Promise<void> {
  cleanUpOnSignals();
  const options = parseOptions(process.argv.slice(2));
  console.log(`bench:select on ${cpus().length} CPUs, node ${process.version}, load average ${load()} at start`);
  const folder = await makeTempDir('winnow-bench-select-');
  try {
    await kCenterComparison('structured', options, options.rounds, folder.path);
    await kCenterComparison('isotropic', options, 1, folder.path);
    await knnLatency(options, folder.path);
    console.log('\nNear-duplicate grouping over 100,000 vectors: npm run bench:duplicates-scale');
  } finally {
    await cleanUpAll();
  }
}

await main();

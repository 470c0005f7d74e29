/**
 * Calibration of the default embedding model for near-duplicate detection, and its speed.
 *
 *   npm run bench:embeddings                    # everything (~6 min on 2 cores)
 *   npm run bench:embeddings -- --only quality  # or --only speed
 *
 * Real images (gnome-backgrounds wallpapers cut into tiles, skimage photos), near-duplicates made
 * from each (core: resize 50%, JPEG q30, 20% brighter, 90% crop, PNG copy; limits: 80% crop,
 * 5° rotation, mirror), all embedded with the converted model through the same decoder as
 * production. It prints cosine distances of made pairs against the closest distinct pairs, recall
 * and precision per threshold for each half of the set (split by source design) and both, the
 * thresholds giving >= 95% recall at >= 95% precision, nearest-neighbour accuracy per transform,
 * then onnxruntime throughput per batch size and threads, TensorFlow.js on the same batch as a
 * peer, sharp decode + resize per multi-megapixel photo, and the conversion time.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_MODEL_SPEC, convertDefaultModel, ensureDefaultModel } from '../src/embeddings/default-model.js';
import type { ImageEncoder } from '../src/embeddings/image-encoder.js';
import { writeImageInput } from '../src/embeddings/image-input.js';
import { openOnnxImageEncoder } from '../src/embeddings/onnx.image-encoder.js';
import { createSharpImageTensorDecoder } from '../src/media/sharp.image-tensor.js';
import { TRANSFORMS, baseImages, type BaseImage } from './embedding-photos.js';
import { preparePhotos } from './thumbnail-photos.js';

const THRESHOLDS = [0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2];
const SIZE = DEFAULT_MODEL_SPEC.inputSize;
const decoder = createSharpImageTensorDecoder();

interface Item {
  family: number;
  base: BaseImage;
  /** 'source' for the base image itself. */
  transform: string;
  core: boolean;
  vector: Float32Array;
}

const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))]!;
const f = (value: number) => value.toFixed(4);
const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only !== undefined && only !== 'quality' && only !== 'speed') throw new Error('--only takes quality or speed');
  console.log(`embedding calibration: ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(2)} at start, node ${process.version}`);
  const models = mkdtempSync(join(tmpdir(), 'winnow-bench-models-'));
  try {
    const built = await ensureDefaultModel(models);
    const checkStarted = performance.now();
    const reused = await ensureDefaultModel(models);
    console.log(
      `default model: converted in ${built.buildMs!.toFixed(0)} ms (read nsfwjs, dequantise, build ONNX, sha256, write ${(built.sidecar.bytes / 1e6).toFixed(1)} MB); a later call checks the sha256 in ${(performance.now() - checkStarted).toFixed(0)} ms (built: ${reused.built})`,
    );
    if (only !== 'speed') {
      const encoder = await openOnnxImageEncoder(built.path, DEFAULT_MODEL_SPEC, { threads: 2 });
      const items = await embedAll(encoder);
      await encoder.close();
      reportQuality(items);
    }
    if (only !== 'quality') await reportSpeed(built.path);
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
  console.log(`\nload average ${loadavg()[0]!.toFixed(2)} at the end`);
}

async function embedAll(encoder: ImageEncoder): Promise<Item[]> {
  const started = performance.now();
  const bases = await baseImages();
  const items: Item[] = [];
  const pending: Array<{ family: number; base: BaseImage; transform: string; core: boolean; bytes: Buffer }> = [];
  bases.forEach((base, family) => {
    pending.push({ family, base, transform: 'source', core: true, bytes: base.jpeg });
  });
  for (const [family, base] of bases.entries()) {
    for (const transform of TRANSFORMS) pending.push({ family, base, transform: transform.name, core: transform.core, bytes: await transform.make(base.jpeg) });
  }
  const batch = 16;
  for (let start = 0; start < pending.length; start += batch) {
    const chunk = pending.slice(start, start + batch);
    const pixels = await Promise.all(chunk.map((entry) => decoder.decode(entry.bytes, SIZE)));
    const vectors = await encoder.encode(pixels);
    chunk.forEach((entry, index) =>
      items.push({ family: entry.family, base: entry.base, transform: entry.transform, core: entry.core, vector: vectors[index]! }),
    );
  }
  const count = (filter: (base: BaseImage) => boolean) => bases.filter(filter).length;
  console.log(
    `\n${bases.length} distinct images: ${count((base) => base.kind === 'whole')} whole pictures (half A ${count((base) => base.kind === 'whole' && base.half === 'A')}, B ${count((base) => base.kind === 'whole' && base.half === 'B')}) and ${count((base) => base.kind === 'tile')} tiles; + ${TRANSFORMS.length} near-duplicates each = ${items.length} images, made and embedded in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  return items;
}

/** Every pairwise cosine distance of unit vectors, as a flat upper triangle. */
function distances(items: readonly Item[]): (i: number, j: number) => number {
  const n = items.length;
  const matrix = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = items[i]!.vector;
    for (let j = i + 1; j < n; j++) {
      const b = items[j]!.vector;
      let dot = 0;
      for (let k = 0; k < a.length; k++) dot += a[k]! * b[k]!;
      matrix[i * n + j] = 1 - dot;
      matrix[j * n + i] = 1 - dot;
    }
  }
  return (i, j) => matrix[i * n + j]!;
}

/** A whole picture and a tile cut from it are neither a made pair nor distinct: such pairs are left out. */
const related = (a: Item, b: Item) => a.family !== b.family && a.base.source === b.base.source && a.base.kind !== b.base.kind;

function reportQuality(items: Item[]): void {
  const distance = distances(items);
  const index = new Map(items.map((item, i) => [item, i]));
  const sourceOf = new Map(items.filter((item) => item.transform === 'source').map((item) => [item.family, index.get(item)!]));
  const d = (a: Item, b: Item) => distance(index.get(a)!, index.get(b)!);

  console.log('\nmade pairs: cosine distance from each near-duplicate to its source (all distinct images)');
  console.log(`  ${'transform'.padEnd(30)} ${'median'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}`);
  for (const transform of TRANSFORMS) {
    const values = items
      .filter((item) => item.transform === transform.name)
      .map((item) => distance(index.get(item)!, sourceOf.get(item.family)!))
      .sort((a, b) => a - b);
    console.log(
      `  ${`${transform.name}${transform.core ? '' : ' (limit)'}`.padEnd(30)} ${f(quantile(values, 0.5)).padStart(7)} ${f(quantile(values, 0.95)).padStart(7)} ${f(values.at(-1)!).padStart(7)}`,
    );
  }

  // From each distinct image to the nearest image (or near-duplicate) made from another distinct image.
  const sources = items.filter((item) => item.transform === 'source');
  const nearest = (from: Item[], filter: (a: Item, b: Item) => boolean) =>
    from
      .map((a) => {
        let best = { distance: Infinity, other: a };
        for (const b of items) if (b.family !== a.family && !related(a, b) && filter(a, b) && d(a, b) < best.distance) best = { distance: d(a, b), other: b };
        return { item: a, ...best };
      })
      .filter((entry) => Number.isFinite(entry.distance))
      .sort((x, y) => x.distance - y.distance);
  const wholes = sources.filter((item) => item.base.kind === 'whole');
  const tiles = sources.filter((item) => item.base.kind === 'tile');
  console.log('\nclosest distinct pairs: from each distinct image to the nearest image made from another one');
  const groups = [
    ['whole picture, another picture', nearest(wholes, (_, b) => b.base.kind === 'whole' && b.base.source !== _.base.source)],
    ['tile, a tile of the same picture', nearest(tiles, (a, b) => b.base.source === a.base.source)],
    ['any image, any other', nearest(sources, () => true)],
  ] as const;
  for (const [label, entries] of groups) {
    const values = entries.map((entry) => entry.distance);
    console.log(
      `  ${label.padEnd(34)} min ${f(values[0]!)}  p1 ${f(quantile(values, 0.01))}  p5 ${f(quantile(values, 0.05))}  median ${f(quantile(values, 0.5))}  (${values.length} images)`,
    );
  }
  const seen = new Set<string>();
  const closestPairs = groups[2][1].filter((entry) => {
    const key = [entry.item.base.id, entry.other.base.id].sort().join(' ');
    return seen.has(key) ? false : (seen.add(key), true);
  });
  console.log(
    `  the 6 closest: ${closestPairs
      .slice(0, 6)
      .map(
        (entry) =>
          `${entry.item.base.id} ~ ${entry.other.base.id}${entry.other.transform === 'source' ? '' : ` (${entry.other.transform})`} ${f(entry.distance)}`,
      )
      .join('; ')}`,
  );

  console.log('\nnear-duplicate detection, a pair flagged when its distance <= t. Recall: made (source, core near-duplicate) pairs flagged;');
  console.log('precision: flagged pairs whose two images come from one distinct image (whole-vs-own-tile pairs left out).');
  console.log('"whole": whole pictures only; "+tiles": with the tiles, distinct images that share a scene. Halves A and B share no picture.');
  const views = [
    ['whole A', evaluate(items, d, sourceOf, (item) => item.base.kind === 'whole' && item.base.half === 'A')],
    ['whole B', evaluate(items, d, sourceOf, (item) => item.base.kind === 'whole' && item.base.half === 'B')],
    ['+tiles A', evaluate(items, d, sourceOf, (item) => item.base.half === 'A')],
    ['+tiles B', evaluate(items, d, sourceOf, (item) => item.base.half === 'B')],
  ] as const;
  const whole = evaluate(items, d, sourceOf, (item) => item.base.kind === 'whole');
  console.log(`  ${'t'.padEnd(6)} ${views.map(([label]) => `${label}: recall/precision`.padEnd(28)).join('')}whole, recall incl. limits`);
  for (const t of THRESHOLDS) {
    const cells = views.map(([, view]) => {
      const { recall, precision } = view.at(t);
      return `${percent(recall).padStart(6)} / ${percent(precision).padStart(6)}`.padEnd(28);
    });
    console.log(`  ${t.toFixed(3).padEnd(6)} ${cells.join('')}${percent(whole.at(t).recallWithLimits).padStart(6)}`);
  }
  for (const [label, view] of views) {
    const range = view.range(0.95, 0.95);
    const precise = view.largest((at) => at.precision >= 0.95);
    const best = view.bestF1();
    console.log(
      `  ${label.padEnd(9)} >= 95% recall at >= 95% precision: ${range ? `t ${f(range[0])} to ${f(range[1])}` : 'none'};  largest t with precision >= 95%: ${precise === undefined ? 'none' : `${f(precise)} (recall ${percent(view.at(precise).recall)})`};  best F1 at t ${f(best.t)} (recall ${percent(best.recall)}, precision ${percent(best.precision)})`,
    );
  }

  const perTransform = [0.02, 0.03, 0.04, 0.05, 0.08, 0.1];
  console.log(`\nrecall per transform (whole pictures, both halves) at t = ${perTransform.join(', ')}:`);
  for (const transform of TRANSFORMS) {
    const values = items
      .filter((item) => item.transform === transform.name && item.base.kind === 'whole')
      .map((item) => distance(index.get(item)!, sourceOf.get(item.family)!));
    console.log(
      `  ${transform.name.padEnd(22)} ${perTransform.map((t) => percent(values.filter((value) => value <= t).length / values.length).padStart(7)).join(' ')}`,
    );
  }

  console.log('\nnearest-neighbour accuracy per transform, among all images but itself ("family": the nearest comes from the same');
  console.log('distinct image; "source first": its source is nearer than any image from another distinct image), whole pictures, then with tiles:');
  for (const transform of TRANSFORMS) {
    const cells = [(item: Item) => item.base.kind === 'whole', () => true].map((include) => {
      const pool = items.filter(include);
      const variants = pool.filter((item) => item.transform === transform.name);
      let family = 0;
      let sourceFirst = 0;
      for (const item of variants) {
        let best = { distance: Infinity, family: -1 };
        let stranger = Infinity;
        for (const other of pool) {
          if (other === item || related(item, other)) continue;
          const distanceToOther = d(item, other);
          if (distanceToOther < best.distance) best = { distance: distanceToOther, family: other.family };
          if (other.family !== item.family) stranger = Math.min(stranger, distanceToOther);
        }
        if (best.family === item.family) family++;
        if (distance(index.get(item)!, sourceOf.get(item.family)!) < stranger) sourceFirst++;
      }
      return `family ${percent(family / variants.length).padStart(6)}, source first ${percent(sourceFirst / variants.length).padStart(6)} (${variants.length})`;
    });
    console.log(`  ${transform.name.padEnd(22)} ${cells.map((cell) => cell.padEnd(46)).join('')}`);
  }
}

function evaluate(items: Item[], d: (a: Item, b: Item) => number, sourceOf: Map<number, number>, include: (item: Item) => boolean) {
  const chosen = items.filter(include);
  const source = new Map(chosen.filter((item) => item.transform === 'source').map((item) => [item.family, item]));
  const made: number[] = [];
  const madeWithLimits: number[] = [];
  const flaggedTrue: number[] = [];
  const flaggedFalse: number[] = [];
  for (const item of chosen) {
    if (item.transform === 'source' || !sourceOf.has(item.family)) continue;
    const distanceToSource = d(item, source.get(item.family)!);
    madeWithLimits.push(distanceToSource);
    if (item.core) made.push(distanceToSource);
  }
  const core = chosen.filter((item) => item.core);
  for (let a = 0; a < core.length; a++) {
    for (let b = a + 1; b < core.length; b++) {
      const [x, y] = [core[a]!, core[b]!];
      if (related(x, y)) continue;
      const distance = d(x, y);
      if (distance <= 0.3) (x.family === y.family ? flaggedTrue : flaggedFalse).push(distance);
    }
  }
  const below = (values: number[], t: number) => values.reduce((count, value) => count + (value <= t ? 1 : 0), 0);
  const at = (t: number) => {
    const truePositives = below(flaggedTrue, t);
    const falsePositives = below(flaggedFalse, t);
    return {
      recall: below(made, t) / made.length,
      recallWithLimits: below(madeWithLimits, t) / madeWithLimits.length,
      precision: truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives),
    };
  };
  const grid = Array.from({ length: 601 }, (_, i) => i * 0.0005);
  const range = (minRecall: number, minPrecision: number): [number, number] | undefined => {
    const passing = grid.filter((t) => at(t).recall >= minRecall && at(t).precision >= minPrecision);
    return passing.length === 0 ? undefined : [passing[0]!, passing.at(-1)!];
  };
  const largest = (accept: (values: ReturnType<typeof at>) => boolean) => grid.filter((t) => accept(at(t))).at(-1);
  const bestF1 = () =>
    grid
      .map((t) => ({ t, ...at(t) }))
      .map((entry) => ({ ...entry, f1: entry.recall + entry.precision === 0 ? 0 : (2 * entry.recall * entry.precision) / (entry.recall + entry.precision) }))
      .reduce((best, entry) => (entry.f1 > best.f1 ? entry : best));
  return { at, range, largest, bestF1 };
}

async function reportSpeed(modelPath: string): Promise<void> {
  console.log(
    `\nonnxruntime (the converted model through openOnnxImageEncoder; blank 224² inputs; one warm-up run, best of 3 rounds; load average ${loadavg()[0]!.toFixed(2)}):`,
  );
  const image = new Uint8Array(224 * 224 * 3).fill(128);
  const rates = new Map<string, number>();
  for (const threads of [1, 2]) {
    const encoder = await openOnnxImageEncoder(modelPath, DEFAULT_MODEL_SPEC, { threads });
    const cells: string[] = [];
    for (const batch of [1, 8, 16, 32]) {
      const images = Array.from({ length: batch }, () => image);
      await encoder.encode(images);
      const runs = Math.max(2, Math.ceil(32 / batch));
      let perImage = Infinity;
      // Best of three rounds: the machine is shared, and a round slowed by other work says nothing about the model.
      for (let round = 0; round < 3; round++) {
        const started = performance.now();
        for (let run = 0; run < runs; run++) await encoder.encode(images);
        perImage = Math.min(perImage, (performance.now() - started) / (runs * batch));
      }
      rates.set(`${threads}/${batch}`, 1000 / perImage);
      cells.push(`batch ${String(batch).padStart(2)}: ${perImage.toFixed(1).padStart(5)} ms/image ${(1000 / perImage).toFixed(0).padStart(4)}/s`);
    }
    await encoder.close();
    console.log(`  ${threads} thread${threads > 1 ? 's' : ' '}  ${cells.join('   ')}`);
  }
  await tfjsPeer(rates.get('2/16')!);

  const photos = await preparePhotos(30);
  // Every seventh of the team's multi-megapixel photo set: wallpaper crops and upscaled skimage photos alike.
  const files = photos.files
    .filter((_, index) => index % 7 === 0)
    .slice(0, 30)
    .map((file) => readFileSync(file));
  const megapixels = await Promise.all(files.map(async (file) => ((await sharp(file).metadata()).width * (await sharp(file).metadata()).height) / 1e6));
  console.log(
    `\nsharp decode + resize to 224² (${files.length} JPEGs of ${Math.min(...megapixels).toFixed(1)} to ${Math.max(...megapixels).toFixed(1)} MP, mean ${(megapixels.reduce((a, b) => a + b, 0) / megapixels.length).toFixed(1)}; bytes already in memory; best of 2 rounds):`,
  );
  const measure = async (label: string, decode: (bytes: Buffer) => Promise<unknown>) => {
    await decode(files[0]!);
    for (const inFlight of [1, 2]) {
      let ms = Infinity;
      for (let round = 0; round < 2; round++) {
        const started = performance.now();
        let next = 0;
        await Promise.all(
          Array.from({ length: inFlight }, async () => {
            while (next < files.length) await decode(files[next++]!);
          }),
        );
        ms = Math.min(ms, performance.now() - started);
      }
      console.log(
        `  ${label.padEnd(44)} ${inFlight} in flight: ${(ms / files.length).toFixed(1).padStart(6)} ms/image (wall), ${((files.length * 1000) / ms).toFixed(1).padStart(5)} images/s`,
      );
    }
  };
  await measure('Winnow (no shrink-on-load, exact)', (bytes) => decoder.decode(bytes, SIZE));
  await measure('peer: sharp with shrink-on-load (thumbnail path)', (bytes) =>
    sharp(bytes).autoOrient().resize(224, 224, { fit: 'fill' }).removeAlpha().raw().toBuffer(),
  );
}

/** TensorFlow.js (CPU backend, as nsfwjs runs under Node without tfjs-node) on one batch of 4: the peer, and the parity check. */
async function tfjsPeer(onnxRate: number): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { load } = await import('nsfwjs');
  const ort = await import('onnxruntime-node');
  await tf.setBackend('cpu');
  const bases = (await baseImages())
    .filter((base) => base.kind === 'whole')
    .filter((_, index) => index % 15 === 0)
    .slice(0, 4);
  const batch = new Float32Array(bases.length * 224 * 224 * 3);
  for (const [index, base] of bases.entries()) writeImageInput(await decoder.decode(base.jpeg, SIZE), DEFAULT_MODEL_SPEC, batch, index * 224 * 224 * 3);
  const model = await load('MobileNetV2Mid');
  const input = tf.tensor4d(batch, [bases.length, 224, 224, 3]);
  const node =
    'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';
  const started = performance.now();
  const features = model.model.execute(input, node) as import('@tensorflow/tfjs').Tensor;
  const expected = await features.data();
  const tfjsRate = (bases.length * 1000) / (performance.now() - started);
  const session = await ort.InferenceSession.create(convertDefaultModel().bytes, { intraOpNumThreads: 2 });
  const actual = (await session.run({ input: new ort.Tensor('float32', batch, [bases.length, 224, 224, 3]) })).feature_vector!.data as Float32Array;
  await session.release();
  let maxDifference = 0;
  for (let i = 0; i < actual.length; i++) maxDifference = Math.max(maxDifference, Math.abs(actual[i]! - expected[i]!));
  console.log(
    `  peer: TensorFlow.js CPU backend, batch ${bases.length}: ${tfjsRate.toFixed(2)} images/s; onnxruntime 2 threads batch 16 is x${(onnxRate / tfjsRate).toFixed(0)}. Max |ONNX - TFJS| on these feature vectors: ${maxDifference.toExponential(1)}`,
  );
}

await main();

/**
 * Calibration of `winnow duplicates`' default thresholds on real photos.
 *
 *   npm run bench:duplicates -- --only calibration            # ~5 min on 2 cores
 *   npm run bench:duplicates -- --only calibration --reuse    # the analysis again on the vectors of the last run
 *
 * Real pictures (gnome-backgrounds, mate-backgrounds, darknet, skimage; the large ones also cut
 * into 2 x 2 tiles: distinct images of one scene) and near-duplicates made from each (resize 50%,
 * JPEG q30, 20% brighter, 10% crop, PNG copy; see embedding-photos.ts), embedded with the default
 * model through the production decoder, each with its thumbnail descriptor. It prints recall and
 * precision per threshold for the embedding alone and for embedding candidates confirmed by the
 * descriptor, on each half of the set (split by source design), picks thresholds on one half and
 * reports them on the other, then the recall per transform at the chosen defaults.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL_SPEC, ensureDefaultModel } from '../src/embeddings/default-model.js';
import { openOnnxImageEncoder } from '../src/embeddings/onnx.image-encoder.js';
import { descriptorDistance, thumbnailDescriptor } from '../src/selection/thumbnail-descriptor.js';
import { createSharpImageTensorDecoder } from '../src/media/sharp.image-tensor.js';
import { DEFAULT_DESCRIPTOR_THRESHOLD, DEFAULT_NEAR_DUPLICATE_THRESHOLD } from '../src/workflows/find-duplicates.js';
import { TRANSFORMS, baseImages } from './embedding-photos.js';

const SIZE = DEFAULT_MODEL_SPEC.inputSize;
const CACHE = join(tmpdir(), 'winnow-duplicates-calibration.json');
const EMBEDDING_GRID = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25];
const CANDIDATE_GRID = [0.1, 0.15, 0.2, 0.25];
const DESCRIPTOR_GRID = [0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.15, 0.2];

interface Item {
  family: number;
  source: string;
  kind: 'whole' | 'tile';
  half: 'A' | 'B';
  transform: string;
  vector: number[];
  descriptor: number[];
}

const percent = (value: number) => `${(100 * value).toFixed(1)}%`;

async function makeItems(): Promise<Item[]> {
  const started = performance.now();
  const bases = await baseImages();
  const core = TRANSFORMS.filter((transform) => transform.core);
  const models = join(tmpdir(), 'winnow-bench-models');
  const built = await ensureDefaultModel(models);
  const encoder = await openOnnxImageEncoder(built.path, DEFAULT_MODEL_SPEC, { threads: 2 });
  const decoder = createSharpImageTensorDecoder();
  const items: Item[] = [];
  for (const [family, base] of bases.entries()) {
    const variants = [{ transform: 'source', bytes: base.jpeg }];
    for (const transform of core) variants.push({ transform: transform.name, bytes: await transform.make(base.jpeg) });
    const pixels = await Promise.all(variants.map((variant) => decoder.decode(variant.bytes, SIZE)));
    const vectors = await encoder.encode(pixels);
    variants.forEach((variant, index) =>
      items.push({
        family,
        source: base.source,
        kind: base.kind,
        half: base.half,
        transform: variant.transform,
        vector: [...vectors[index]!],
        descriptor: [...thumbnailDescriptor(pixels[index]!, SIZE)],
      }),
    );
  }
  await encoder.close();
  console.log(
    `${bases.length} distinct images (${bases.filter((base) => base.kind === 'whole').length} whole pictures, ${bases.filter((base) => base.kind === 'tile').length} tiles) + ${core.length} near-duplicates each = ${items.length} images, made and embedded in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  writeFileSync(CACHE, JSON.stringify(items));
  return items;
}

interface PairSet {
  /** Embedding and descriptor distances of the made pairs (source, near-duplicate), per transform. */
  made: Array<{ transform: string; embedding: number; descriptor: number }>;
  /** Every other pair within reach: `same` when both come from one distinct image. */
  others: Array<{ same: boolean; embedding: number; descriptor: number; names: string }>;
}

/** A whole picture and a tile cut from it are neither a made pair nor distinct: left out. */
const related = (a: Item, b: Item) => a.family !== b.family && a.source === b.source && a.kind !== b.kind;

function pairs(items: Item[]): PairSet {
  const vectors = items.map((item) => Float32Array.from(item.vector));
  const descriptors = items.map((item) => Int8Array.from(item.descriptor));
  const made: PairSet['made'] = [];
  const others: PairSet['others'] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const [a, b] = [items[i]!, items[j]!];
      if (related(a, b)) continue;
      let dot = 0;
      for (let k = 0; k < vectors[i]!.length; k++) dot += vectors[i]![k]! * vectors[j]![k]!;
      const embedding = 1 - dot;
      if (embedding > 0.3) continue;
      const descriptor = descriptorDistance(descriptors[i]!, descriptors[j]!);
      if (a.family === b.family && (a.transform === 'source' || b.transform === 'source'))
        made.push({ transform: a.transform === 'source' ? b.transform : a.transform, embedding, descriptor });
      else
        others.push({
          same: a.family === b.family,
          embedding,
          descriptor,
          names: `${a.source}${a.kind === 'tile' ? '#tile' : ''}:${a.transform} ~ ${b.source}${b.kind === 'tile' ? '#tile' : ''}:${b.transform}`,
        });
    }
  }
  return { made, others };
}

/** Recall (made pairs flagged) and precision (flagged pairs from one distinct image) of a rule. */
function score(set: PairSet, flagged: (pair: { embedding: number; descriptor: number }) => boolean) {
  const foundMade = set.made.filter(flagged).length;
  const wrong = set.others.filter((pair) => !pair.same && flagged(pair)).length;
  const right = foundMade + set.others.filter((pair) => pair.same && flagged(pair)).length;
  return { recall: foundMade / set.made.length, precision: right + wrong === 0 ? 1 : right / (right + wrong), wrong };
}

const cell = (result: { recall: number; precision: number }) => `${percent(result.recall).padStart(6)}/${percent(result.precision).padStart(6)}`;

function report(items: Item[]): void {
  const views = {
    'A whole': items.filter((item) => item.half === 'A' && item.kind === 'whole'),
    'B whole': items.filter((item) => item.half === 'B' && item.kind === 'whole'),
    'A +tiles': items.filter((item) => item.half === 'A'),
    'B +tiles': items.filter((item) => item.half === 'B'),
  };
  const sets = Object.fromEntries(Object.entries(views).map(([name, chosen]) => [name, pairs(chosen)])) as Record<keyof typeof views, PairSet>;
  const names = Object.keys(views) as Array<keyof typeof views>;
  console.log('\nrecall / precision per view ("whole": whole pictures only; "+tiles": with 2 x 2 tiles of the large pictures, distinct images of one scene)');
  console.log('recall: made pairs (source, near-duplicate) flagged; precision: flagged pairs whose images come from one distinct image\n');
  console.log(`embedding alone, flagged when cosine distance <= t:\n  ${'t'.padEnd(6)} ${names.map((name) => name.padEnd(16)).join('')}`);
  for (const t of EMBEDDING_GRID)
    console.log(`  ${t.toFixed(3).padEnd(6)} ${names.map((name) => cell(score(sets[name], (pair) => pair.embedding <= t)).padEnd(16)).join('')}`);

  const candidate = DEFAULT_NEAR_DUPLICATE_THRESHOLD;
  for (const view of ['A +tiles', 'B +tiles'] as const) {
    console.log(
      `\n${view}: embedding candidates (cosine distance <= T) confirmed by the thumbnail descriptor (distance <= t):\n  ${'t'.padEnd(6)} ${CANDIDATE_GRID.map((T) => `T ${T}`.padEnd(16)).join('')}`,
    );
    for (const t of DESCRIPTOR_GRID)
      console.log(
        `  ${t.toFixed(3).padEnd(6)} ${CANDIDATE_GRID.map((T) => cell(score(sets[view], (pair) => pair.embedding <= T && pair.descriptor <= t)).padEnd(16)).join('')}`,
      );
  }
  const wrong = pairs(items)
    .others.filter((pair) => !pair.same && pair.embedding <= 0.25)
    .sort((x, y) => x.descriptor - y.descriptor)
    .slice(0, 8);
  console.log(
    `\nthe closest distinct pairs by descriptor (embedding <= 0.25): ${wrong.map((pair) => `${pair.names} (emb ${pair.embedding.toFixed(3)}, desc ${pair.descriptor.toFixed(3)})`).join('; ')}`,
  );

  console.log('\ncalibrated on one half, reported on the other (the grid point with the highest recall at >= 95% precision on the calibration half;');
  console.log('ties to the smaller thresholds). Embedding alone: t from the first table; with the descriptor: T and t from the tables above:');
  for (const [from, to] of [
    ['A +tiles', 'B +tiles'],
    ['B +tiles', 'A +tiles'],
  ] as const) {
    const embeddingT = EMBEDDING_GRID.filter((t) => score(sets[from], (pair) => pair.embedding <= t).precision >= 0.95).at(-1);
    let best: { T: number; t: number; recall: number } | undefined;
    for (const T of CANDIDATE_GRID)
      for (const t of DESCRIPTOR_GRID) {
        const result = score(sets[from], (pair) => pair.embedding <= T && pair.descriptor <= t);
        if (result.precision >= 0.95 && (best === undefined || result.recall > best.recall)) best = { T, t, recall: result.recall };
      }
    const embeddingOnly = embeddingT === undefined ? 'none' : `t ${embeddingT}: ${cell(score(sets[to], (pair) => pair.embedding <= embeddingT))}`;
    const combined =
      best === undefined ? 'none' : `T ${best.T}, t ${best.t}: ${cell(score(sets[to], (pair) => pair.embedding <= best.T && pair.descriptor <= best.t))}`;
    console.log(`  ${from} -> ${to}:  embedding alone ${embeddingOnly};  embedding + descriptor ${combined}`);
  }

  const all = pairs(items);
  const rule = (pair: { embedding: number; descriptor: number }) => pair.embedding <= candidate && pair.descriptor <= DEFAULT_DESCRIPTOR_THRESHOLD;
  const overall = score(all, rule);
  console.log(
    `\nthe defaults (embedding <= ${candidate}, descriptor <= ${DEFAULT_DESCRIPTOR_THRESHOLD}) on everything: recall ${percent(overall.recall)}, precision ${percent(overall.precision)} (${overall.wrong} wrong pairs)`,
  );
  console.log('recall per transform at the defaults (embedding alone at the same candidate threshold in brackets):');
  for (const transform of [...new Set(all.made.map((pair) => pair.transform))]) {
    const made = all.made.filter((pair) => pair.transform === transform);
    console.log(
      `  ${transform.padEnd(16)} ${percent(made.filter(rule).length / made.length).padStart(6)} (${percent(made.filter((pair) => pair.embedding <= candidate).length / made.length)})  max embedding distance ${Math.max(...made.map((pair) => pair.embedding)).toFixed(4)}, max descriptor distance ${Math.max(...made.map((pair) => pair.descriptor)).toFixed(4)}`,
    );
  }
}

export async function calibrate(reuse: boolean): Promise<void> {
  console.log(`duplicates calibration: load average ${loadavg()[0]!.toFixed(2)} at start`);
  const items = reuse && existsSync(CACHE) ? (JSON.parse(readFileSync(CACHE, 'utf8')) as Item[]) : await makeItems();
  report(items);
  console.log(`\nload average ${loadavg()[0]!.toFixed(2)} at the end`);
}

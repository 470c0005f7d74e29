import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxModelBuilder, type OnnxDim } from '../src/embeddings/onnx-model-builder.js';
import { freshHome, runCli, spawnCli } from './support/cli.js';

const PHOTOS = resolve(import.meta.dirname, 'fixtures/photos');
const IMAGES = resolve(import.meta.dirname, 'fixtures/images');
const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));

/** Near-duplicates a user would make of a photo. */
const VARIANTS: Record<string, (photo: string) => Promise<Buffer>> = {
  q30: (photo) => sharp(photo).jpeg({ quality: 30 }).toBuffer(),
  half: async (photo) =>
    sharp(photo)
      .resize({ width: Math.round((await sharp(photo).metadata()).width / 2) })
      .jpeg({ quality: 90 })
      .toBuffer(),
  png: (photo) => sharp(photo).png().toBuffer(),
};

/** A tiny image encoder the test writes itself: Conv 3->8 -> Relu -> GlobalAveragePool -> Flatten, NCHW 32 px. */
function tinyModel(folder: string, name: string, options: { inputDims?: OnnxDim[]; outputs?: string[] } = {}): string {
  const builder = new OnnxModelBuilder(name);
  const inputDims = options.inputDims ?? ['N', 3, 32, 32];
  builder.input('pixels', 'float32', inputDims);
  let x = 'pixels';
  if (inputDims.length !== 4) x = builder.node('Reshape', [x, builder.initializer('shape', [4], BigInt64Array.from([-1n, 3n, 32n, 32n]))], 'image');
  builder.initializer(
    'w',
    [8, 3, 3, 3],
    Float32Array.from({ length: 216 }, (_, i) => Math.sin(i * 12.9898) * 0.5),
  );
  builder.initializer(
    'b',
    [8],
    Float32Array.from({ length: 8 }, (_, i) => 0.1 * i),
  );
  builder.node('Conv', [x, 'w', 'b'], 'conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  builder.node('Relu', ['conv'], 'relu');
  builder.node('GlobalAveragePool', ['relu'], 'pool');
  for (const output of options.outputs ?? ['embedding']) {
    builder.node('Flatten', ['pool'], output, { axis: 1 });
    builder.output(output, 'float32', ['N', 8]);
  }
  const path = join(folder, `${name}.onnx`);
  writeFileSync(path, builder.encode());
  return path;
}

describe('embeddings of a local folder end to end', () => {
  let folder: string;
  let work: string;
  const env = { WINNOW_HOME: freshHome(), WINNOW_EMBED_THREADS: '1', WINNOW_EMBED_BATCH_SIZE: '4' };
  const cli = (...args: string[]) => runCli(args, { env, timeoutMs: 120_000 });
  let total: number;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'winnow-embed-e2e-'));
    work = mkdtempSync(join(tmpdir(), 'winnow-embed-files-'));
    mkdirSync(join(folder, 'dupes'));
    for (const name of photos) {
      cpSync(join(PHOTOS, name), join(folder, name));
      for (const [variant, make] of Object.entries(VARIANTS))
        writeFileSync(join(folder, 'dupes', `${name}.${variant}.${variant === 'png' ? 'png' : 'jpg'}`), await make(join(PHOTOS, name)));
    }
    cpSync(join(IMAGES, 'truncated.jpg'), join(folder, 'truncated.jpg'));
    cpSync(join(IMAGES, 'corrupt.jpg'), join(folder, 'corrupt.jpg'));
    total = photos.length * (1 + Object.keys(VARIANTS).length) + 2;
    expect((await cli('dataset', 'create', 'photos', '--input', folder)).code).toBe(0);
    expect((await cli('dataset', 'sync', 'photos')).code).toBe(0);
  });
  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('resumes after SIGKILL with no duplicates and nothing recomputed', async () => {
    const child = spawnCli(['embed', 'photos'], { ...env, WINNOW_LOG_LEVEL: 'debug' });
    let batches = 0;
    await new Promise<void>((resolveKilled, reject) => {
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        batches += chunk.split('embedding batch recorded').length - 1;
        if (batches >= 3 && child.exitCode === null) {
          child.kill('SIGKILL');
          resolveKilled();
        }
      });
      child.on('exit', (code, signal) =>
        signal === 'SIGKILL' ? undefined : reject(new Error(`embed exited (${code}) before it could be killed, after ${batches} batches`)),
      );
    });
    await new Promise((resolveClosed) => child.on('close', resolveClosed));
    const partial = await cli('embeddings', 'export', 'photos');
    const stored = partial.stdout.trim().split('\n').length - 1;
    expect(stored).toBeGreaterThanOrEqual(3 * 4 - 2);
    expect(stored).toBeLessThan(total - 2);

    const resumed = await runCli(['embed', 'photos', '--json'], { env: { ...env, WINNOW_LOG_LEVEL: 'debug' }, timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = resumed.json<{ embedded: number; skipped: number; failed: number; total: number; model: string; imagesPerSecond: number }>();
    expect(report).toMatchObject({ model: 'default', total });
    expect(report.imagesPerSecond).toBeGreaterThan(0);
    // What the killed run stored is skipped, never run through the model again.
    const rowsRun = [...resumed.stderr.matchAll(/"embedded":(\d+)[^\n]*embedding batch recorded/g)].reduce((sum, match) => sum + Number(match[1]), 0);
    expect(rowsRun).toBe(report.embedded);
    expect(report.embedded + report.skipped + report.failed).toBe(total);
    expect(report.embedded).toBe(total - 2 - stored);
    const exported = (await cli('embeddings', 'export', 'photos')).stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(',')[0]);
    expect(exported).toHaveLength(total - 2);
    expect(new Set(exported).size).toBe(exported.length);
  });

  it('finds the source photo first for each near-duplicate', async () => {
    const misses: string[] = [];
    for (const name of photos) {
      for (const variant of ['q30', 'half']) {
        const key = `dupes/${name}.${variant}.${variant === 'png' ? 'png' : 'jpg'}`;
        const result = await cli('embeddings', 'neighbours', 'photos', key, '--k', '4', '--json');
        const neighbours = result.json<{ neighbours: Array<{ key: string; distance: number }> }>().neighbours;
        const others = neighbours.filter((neighbour) => !neighbour.key.startsWith(`dupes/${name}.`));
        if (others[0]?.key !== name) misses.push(`${key}: ${JSON.stringify(neighbours.slice(0, 2))}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it('round-trips export -> import -> export exactly, as CSV and as .npy', async () => {
    const csv = join(work, 'vectors.csv');
    expect((await cli('embeddings', 'export', 'photos', '--out', csv)).code).toBe(0);
    const first = readFileSync(csv, 'utf8');
    expect(first.split('\n')[0]!.startsWith('filenames,embedding_0,embedding_1,')).toBe(true);
    expect(first.split('\n')[0]!.endsWith(',embedding_1791')).toBe(true);
    const imported = await cli('embeddings', 'import', 'photos', csv, '--model', 'lightly', '--json');
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json()).toMatchObject({ imported: total - 2, dimensions: 1792, model: 'lightly' });
    expect((await cli('embeddings', 'export', 'photos', '--model', 'lightly')).stdout).toBe(first);

    const npy = join(work, 'vectors.npy');
    expect((await cli('embeddings', 'export', 'photos', '--out', npy)).code).toBe(0);
    expect(readFileSync(join(work, 'vectors.filenames.txt'), 'utf8').split('\n')).toHaveLength(total - 1);
    expect((await cli('embeddings', 'import', 'photos', npy, '--model', 'from-npy')).code).toBe(0);
    expect((await cli('embeddings', 'export', 'photos', '--model', 'from-npy')).stdout).toBe(first);
    const list = await cli('model', 'list');
    expect(list.stdout).toMatch(/lightly\s+1792\s+-\s+-\s+imported/);
  });

  it('reports unknown keys, ragged rows and non-numbers with line numbers and writes nothing', async () => {
    const bad = join(work, 'bad.csv');
    writeFileSync(
      bad,
      ['filenames,embedding_0,embedding_1', `${photos[0]},0.1,0.2`, `${photos[1]},0.1`, `${photos[2]},0.1,abc`, 'nope/missing.jpg,1,2', ''].join('\n'),
    );
    const result = await cli('embeddings', 'import', 'photos', bad, '--model', 'tiny2d');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr).toContain('line 3: 2 fields, but the header has 3');
    expect(result.stderr).toContain('line 4: embedding_1 is "abc", not a number');
    writeFileSync(bad, ['filenames,embedding_0,embedding_1', `${photos[0]},0.1,0.2`, 'nope/missing.jpg,1,2', ''].join('\n'));
    const unknown = await cli('embeddings', 'import', 'photos', bad, '--model', 'tiny2d', '--json');
    expect(unknown.json()).toMatchObject({
      error: { code: 'EmbeddingsImportInvalid', details: { problems: [{ line: 3, message: '"nope/missing.jpg" is not a sample of "photos"' }] } },
    });
    expect((await cli('embeddings', 'export', 'photos', '--model', 'tiny2d')).code).toBe(3);
  });

  it('registers a good model the test builds, embeds with it, and refuses bad ones at registration', async () => {
    const added = await cli(
      'model',
      'add',
      'tiny',
      '--onnx',
      tinyModel(work, 'tiny'),
      '--input-size',
      '32',
      '--layout',
      'nchw',
      '--mean',
      '0.5,0.5,0.5',
      '--std',
      '0.25,0.25,0.25',
      '--json',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.json()).toMatchObject({ name: 'tiny', dimensions: 8, output: 'embedding', inputSize: 32, layout: 'nchw', source: 'user' });
    const embedded = await cli('embed', 'photos', '--model', 'tiny', '--json');
    expect(embedded.json()).toMatchObject({ model: 'tiny', dimensions: 8, embedded: total - 2, failed: 2 });

    const refused = async (file: string, ...extra: string[]) => {
      const result = await cli('model', 'add', 'bad', '--onnx', file, '--input-size', '32', '--layout', 'nchw', ...extra);
      expect(result.code).toBe(2);
      return result.stderr;
    };
    expect(await refused(tinyModel(work, 'flat', { inputDims: ['N', 3072] }))).toContain('its input pixels has rank 2 ([N, 3072]); an image input has rank 4');
    expect(await refused(tinyModel(work, 'two', { outputs: ['first', 'second'] }))).toContain(
      'it has 2 outputs (first float32[N, 8], second float32[N, 8]) and --output does not say which holds the embedding',
    );
    expect(await refused(tinyModel(work, 'tiny'), '--output', 'logits')).toContain('it has no output named logits');
    writeFileSync(join(work, 'text.onnx'), 'not a model');
    expect(await refused(join(work, 'text.onnx'))).toContain('is not an ONNX model (or is truncated or corrupt)');
    expect(await refused(join(work, 'missing.onnx'))).toContain('there is no such file');
    expect(await refused(tinyModel(work, 'tiny'), '--mean', '0.5,x')).toContain('--mean must be three numbers');
    expect((await cli('model', 'list', '--json')).json<Array<{ name: string }>>().map((model) => model.name)).toEqual([
      'default',
      'from-npy',
      'lightly',
      'tiny',
    ]);
  });

  it('drops the vectors of removed photos at the next run, and writes a map', async () => {
    rmSync(join(folder, 'dupes', `${photos[0]}.q30.jpg`));
    await cli('dataset', 'sync', 'photos');
    const report = (await cli('embed', 'photos', '--json')).json<{ removed: number; embedded: number }>();
    expect(report).toMatchObject({ removed: 1, embedded: 0 });
    const out = join(work, 'map.csv');
    const map = await cli('embeddings', 'map', 'photos', '--method', 'umap', '--out', out, '--json');
    expect(map.code, map.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('key,x,y');
    expect(lines).toHaveLength(total - 3 + 1);
  });
});

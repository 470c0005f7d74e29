import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSharpImageTensorDecoder } from '../media/sharp.image-tensor.js';
import { DEFAULT_MODEL_DIMENSIONS, DEFAULT_MODEL_NAME, DEFAULT_MODEL_SPEC, ensureDefaultModel } from './default-model.js';
import { ensureCachedModel, type ModelSidecar } from './model-cache.js';
import { openOnnxImageEncoder } from './onnx.image-encoder.js';
import { TFJS_TO_ONNX_CONVERTER_VERSION } from './tfjs-graph-to-onnx.js';
import { cosineDistance } from './vectors.js';
import { NEAR_DUPLICATE_TRANSFORMS } from '../../test/support/near-duplicates.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const home = mkdtempSync(join(tmpdir(), 'winnow-default-model-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const readSidecar = (path: string) => JSON.parse(readFileSync(`${path}.json`, 'utf8')) as ModelSidecar;

describe('default model cache', () => {
  const modelsDir = join(home, 'models');

  it('converts on first use into <models>/<name>.onnx with a sidecar of its sha256 and converter version, then reuses it', async () => {
    const first = await ensureDefaultModel(modelsDir);
    expect(first).toMatchObject({ path: join(modelsDir, `${DEFAULT_MODEL_NAME}.onnx`), built: true, reason: 'missing' });
    expect(first.buildMs).toBeGreaterThan(0);
    const bytes = readFileSync(first.path);
    expect(readSidecar(first.path)).toMatchObject({
      name: DEFAULT_MODEL_NAME,
      sha256: sha256(bytes),
      bytes: bytes.length,
      builder: 'tfjs-graph-to-onnx',
      builderVersion: String(TFJS_TO_ONNX_CONVERTER_VERSION),
      source: 'nsfwjs@4.4.0 dist/models/mobilenet_v2_mid',
    });
    expect(readdirSync(modelsDir).sort()).toEqual([`${DEFAULT_MODEL_NAME}.onnx`, `${DEFAULT_MODEL_NAME}.onnx.json`]);

    const again = await ensureDefaultModel(modelsDir);
    expect(again).toMatchObject({ built: false, sidecar: first.sidecar });
  });

  it('rebuilds a damaged cached file and one made by another converter version', async () => {
    const { path, sidecar } = await ensureDefaultModel(modelsDir);
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(path, bytes);
    const repaired = await ensureDefaultModel(modelsDir);
    expect(repaired).toMatchObject({ built: true, reason: 'damaged' });
    expect(sha256(readFileSync(path))).toBe(sidecar.sha256);

    writeFileSync(`${path}.json`, JSON.stringify({ ...sidecar, builderVersion: '0' }));
    expect(await ensureDefaultModel(modelsDir)).toMatchObject({ built: true, reason: 'outdated' });
    expect(readSidecar(path).builderVersion).toBe(String(TFJS_TO_ONNX_CONVERTER_VERSION));
  });

  it('builds once for concurrent callers and leaves no temporary files', async () => {
    let builds = 0;
    const recipe = { name: 'tiny', builder: 'test', builderVersion: '1', source: 'bytes', build: () => (builds++, new Uint8Array([1, 2, 3])) };
    const results = await Promise.all([ensureCachedModel(modelsDir, recipe), ensureCachedModel(modelsDir, recipe), ensureCachedModel(modelsDir, recipe)]);
    expect(builds).toBe(1);
    expect(results.every((result) => result.path === join(modelsDir, 'tiny.onnx'))).toBe(true);
    expect(readdirSync(modelsDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('default model on real photos', () => {
  it('finds the source photo nearest to each of its near-duplicates', async () => {
    const { path } = await ensureDefaultModel(join(home, 'models'));
    const encoder = await openOnnxImageEncoder(path, DEFAULT_MODEL_SPEC, { threads: 2 });
    const decoder = createSharpImageTensorDecoder();
    const embed = async (bytes: Buffer) => (await encoder.encode([await decoder.decode(bytes, DEFAULT_MODEL_SPEC.inputSize)]))[0]!;

    const items: Array<{ photo: string; variant: string; vector: Float32Array }> = [];
    const photos = readdirSync(PHOTOS).filter((name) => name.endsWith('.jpg'));
    expect(photos.length).toBeGreaterThanOrEqual(10);
    for (const photo of photos) {
      const bytes = readFileSync(join(PHOTOS, photo));
      items.push({ photo, variant: 'source', vector: await embed(bytes) });
      for (const { name, make } of NEAR_DUPLICATE_TRANSFORMS) items.push({ photo, variant: name, vector: await embed(await make(bytes)) });
    }
    await encoder.close();
    expect(items[0]!.vector).toHaveLength(DEFAULT_MODEL_DIMENSIONS);

    const misses: string[] = [];
    for (const item of items.filter((candidate) => candidate.variant !== 'source')) {
      const source = items.find((candidate) => candidate.photo === item.photo && candidate.variant === 'source')!;
      const toSource = cosineDistance(item.vector, source.vector);
      // Among every other photo and every variant of another photo, none may be as close as the source.
      const closestStranger = Math.min(
        ...items.filter((candidate) => candidate.photo !== item.photo).map((candidate) => cosineDistance(item.vector, candidate.vector)),
      );
      if (toSource >= closestStranger)
        misses.push(`${item.photo} (${item.variant}): source at ${toSource.toFixed(4)}, another photo at ${closestStranger.toFixed(4)}`);
      if (item.variant === 'PNG copy') expect(toSource).toBeLessThan(1e-6);
    }
    expect(misses).toEqual([]);
  });
});

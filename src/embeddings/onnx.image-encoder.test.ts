import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError, type ErrorCode } from '../errors.js';
import type { ImageEncoderSpec } from './image-encoder.js';
import { imageInput } from './image-input.js';
import { OnnxModelBuilder, type OnnxDim, type OnnxElementType } from './onnx-model-builder.js';
import { describeOnnxModel, openOnnxImageEncoder } from './onnx.image-encoder.js';

const folder = mkdtempSync(join(tmpdir(), 'winnow-onnx-encoder-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const SPEC: ImageEncoderSpec = { inputSize: 32, layout: 'nchw', mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], output: 'embedding' };
const CHANNELS = 8;

/**
 * A tiny image encoder written with the project's ONNX builder: Conv 3->8 (3x3) -> Relu ->
 * GlobalAveragePool -> Flatten, taking NCHW [N, 3, 32, 32] float pixels. The options break it
 * in the ways registration has to catch.
 */
function tinyModel(name: string, options: { inputType?: OnnxElementType; inputDims?: OnnxDim[]; outputName?: string } = {}): string {
  const builder = new OnnxModelBuilder(name);
  const inputDims = options.inputDims ?? ['N', 3, 32, 32];
  builder.input('pixels', options.inputType ?? 'float32', inputDims);
  let x = 'pixels';
  if (options.inputType !== undefined && options.inputType !== 'float32') x = builder.node('Cast', [x], 'pixels_float', { to: 1 });
  if (inputDims.length !== 4) {
    const shape = builder.initializer('image_shape', [4], BigInt64Array.from([-1n, 3n, 32n, 32n]));
    x = builder.node('Reshape', [x, shape], 'image');
  }
  const weights = Float32Array.from({ length: CHANNELS * 3 * 3 * 3 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const bias = Float32Array.from({ length: CHANNELS }, (_, i) => 0.1 * i);
  builder.initializer('conv_w', [CHANNELS, 3, 3, 3], weights);
  builder.initializer('conv_b', [CHANNELS], bias);
  builder.node('Conv', [x, 'conv_w', 'conv_b'], 'conv', { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  builder.node('Relu', ['conv'], 'relu');
  builder.node('GlobalAveragePool', ['relu'], 'pool');
  const output = options.outputName ?? 'embedding';
  builder.node('Flatten', ['pool'], output, { axis: 1 });
  builder.output(output, 'float32', ['N', CHANNELS]);
  const path = join(folder, `${name}.onnx`);
  writeFileSync(path, builder.encode());
  return path;
}

async function refusal(file: string, spec: ImageEncoderSpec = SPEC): Promise<{ code: ErrorCode; message: string; hint: string | undefined }> {
  const error = await openOnnxImageEncoder(file, spec).then(
    async (encoder) => {
      await encoder.close();
      return undefined;
    },
    (thrown: unknown) => thrown,
  );
  if (!isAppError(error)) throw new Error(`expected an AppError, got ${String(error)}`);
  return { code: error.code, message: error.message, hint: error.hint };
}

/** A 32x32 RGB image (bytes, row by row) whose pixels vary with `seed`. */
function image(seed: number): Uint8Array {
  return Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => Math.round(127.5 + 127.5 * Math.sin(i * 0.37 + seed)));
}

describe('onnx image encoder', () => {
  it('describes a model file: names, types and dims of inputs and outputs', async () => {
    expect(await describeOnnxModel(tinyModel('good'))).toEqual({
      inputs: [{ name: 'pixels', type: 'float32', dims: ['N', 3, 32, 32] }],
      outputs: [{ name: 'embedding', type: 'float32', dims: ['N', CHANNELS] }],
    });
  });

  it('opens a good model and embeds batches as unit-length vectors, the same alone or batched', async () => {
    const encoder = await openOnnxImageEncoder(tinyModel('good'), SPEC, { threads: 1 });
    try {
      expect(encoder.dimensions).toBe(CHANNELS);
      expect(encoder.plan).toEqual({ input: 'pixels', output: 'embedding', dimensions: CHANNELS, maxBatch: undefined });
      const batch = await encoder.encode([image(1), image(2), image(3)]);
      expect(batch).toHaveLength(3);
      for (const vector of batch) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
      expect(batch[0]).not.toEqual(batch[1]);
      const [alone] = await encoder.encode([image(2)]);
      for (let i = 0; i < CHANNELS; i++) expect(alone![i]).toBeCloseTo(batch[1]![i]!, 5);
    } finally {
      await encoder.close();
    }
  });

  it("feeds the model each image's bytes normalised by the spec, in its layout", async () => {
    // A model that returns its input flattened: the vector is the tensor the encoder made, scaled to unit length.
    const builder = new OnnxModelBuilder('identity');
    builder.input('pixels', 'float32', ['N', 32, 32, 3]);
    builder.node('Flatten', ['pixels'], 'embedding', { axis: 1 });
    builder.output('embedding', 'float32', ['N', 32 * 32 * 3]);
    const path = join(folder, 'identity.onnx');
    writeFileSync(path, builder.encode());
    const spec: ImageEncoderSpec = { inputSize: 32, layout: 'nhwc', mean: [0.2, 0.4, 0.6], std: [0.5, 0.25, 1], output: 'embedding' };
    const encoder = await openOnnxImageEncoder(path, spec, { threads: 1 });
    try {
      const [first, second] = await encoder.encode([image(1), image(5)]);
      for (const [pixels, vector] of [
        [image(1), first!],
        [image(5), second!],
      ] as const) {
        const expected = imageInput(pixels, spec);
        const length = Math.hypot(...expected);
        for (let i = 0; i < expected.length; i += 97) expect(vector[i]).toBeCloseTo(expected[i]! / length, 6);
      }
    } finally {
      await encoder.close();
    }
  });

  it('runs a model whose batch is fixed to 1 one image at a time', async () => {
    const encoder = await openOnnxImageEncoder(tinyModel('batch-one', { inputDims: [1, 3, 32, 32] }), SPEC);
    try {
      expect(encoder.plan.maxBatch).toBe(1);
      expect(await encoder.encode([image(1), image(2)])).toHaveLength(2);
    } finally {
      await encoder.close();
    }
  });

  it('refuses an input of the wrong rank', async () => {
    const error = await refusal(tinyModel('flat-input', { inputDims: ['N', 3072] }));
    expect(error.code).toBe('ModelInvalid');
    expect(error.message).toBe(
      'This model cannot be used as an image encoder: its input pixels has rank 2 ([N, 3072]); an image input has rank 4, [N, 3, 32, 32] for --layout nchw.',
    );
  });

  it('refuses a non-float input', async () => {
    const error = await refusal(tinyModel('int-input', { inputType: 'int64' }));
    expect(error.code).toBe('ModelInvalid');
    expect(error.message).toContain('its input pixels int64[N, 3, 32, 32] is int64, not float32 pixels');
  });

  it('refuses a missing named output, listing the outputs there are', async () => {
    const error = await refusal(tinyModel('other-output', { outputName: 'features' }));
    expect(error.code).toBe('ModelInvalid');
    expect(error.message).toBe('This model cannot be used as an image encoder: it has no output named embedding; its outputs are features float32[N, 8].');
    expect(error.hint).toBe('Pass one of those names with --output.');
    // Without --output the only output is taken.
    const encoder = await openOnnxImageEncoder(join(folder, 'other-output.onnx'), { ...SPEC, output: undefined });
    expect(encoder.plan.output).toBe('features');
    await encoder.close();
  });

  it('says which setting is wrong when the layout or the input size does not match', async () => {
    const layout = await refusal(tinyModel('good'), { ...SPEC, layout: 'nhwc' });
    expect(layout.message).toContain('has 32 channels where --layout nhwc puts them');
    expect(layout.hint).toBe('Use --layout nchw.');
    const size = await refusal(tinyModel('good'), { ...SPEC, inputSize: 224 });
    expect(size.message).toContain('takes 32-pixel images, not --input-size 224');
    expect(size.hint).toBe('Use --input-size 32.');
  });

  it('refuses unreadable files: missing, a folder, empty, garbage, truncated', async () => {
    const good = tinyModel('good');
    const bytes = (await import('node:fs')).readFileSync(good);
    writeFileSync(join(folder, 'empty.onnx'), '');
    writeFileSync(join(folder, 'garbage.onnx'), 'this is not an onnx model, just text');
    writeFileSync(join(folder, 'truncated.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    const cases: Array<[string, string]> = [
      [join(folder, 'missing.onnx'), `Cannot read the model ${join(folder, 'missing.onnx')}: there is no such file.`],
      [folder, `${folder} is not a file.`],
      [join(folder, 'empty.onnx'), `The model ${join(folder, 'empty.onnx')} is empty (0 bytes).`],
      [join(folder, 'garbage.onnx'), `${join(folder, 'garbage.onnx')} is not an ONNX model (or is truncated or corrupt): onnxruntime cannot parse it.`],
      [join(folder, 'truncated.onnx'), `${join(folder, 'truncated.onnx')} is not an ONNX model (or is truncated or corrupt): onnxruntime cannot parse it.`],
    ];
    for (const [file, message] of cases) expect(await refusal(file)).toMatchObject({ code: 'ModelUnreadable', message });
  });

  it('refuses bad settings before opening the model', async () => {
    const error = await refusal(tinyModel('good'), { ...SPEC, inputSize: 10, std: [1, 0, 1] });
    expect(error.code).toBe('InputInvalid');
    expect(error.message).toContain('--input-size must be a whole number of pixels from 16 to 4096, got 10');
    expect(error.message).toContain('--std values must be positive, got 1,0,1');
  });
});

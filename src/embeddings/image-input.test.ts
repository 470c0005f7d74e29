import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { imageInput, writeImageInput, type ImageInputSpec } from './image-input.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const PLAIN: ImageInputSpec = { inputSize: 4, layout: 'nhwc', mean: [0, 0, 0], std: [1, 1, 1] };
const CLIP = { mean: [0.4815, 0.4578, 0.4082], std: [0.2686, 0.2613, 0.2758] } as const;

/** Where two arrays first differ (`index: a vs b`), undefined when they are identical to the bit. */
function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `${i}: ${a[i]} vs ${b[i]}`;
  return undefined;
}

describe('model input from RGB bytes', () => {
  it('scales bytes to [0, 1], then applies mean and std per channel, in either layout', () => {
    const pixels = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => [255, 51, 0][i % 3]!);
    expect(Array.from(imageInput(pixels, PLAIN).subarray(0, 3))).toEqual([1, Math.fround(0.2), 0]);
    const clip = imageInput(pixels, { inputSize: 4, layout: 'nchw', mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] });
    expect([clip[0], clip[16], clip[32]]).toEqual([2, Math.fround(-0.6), -0.5]);
  });

  it('maps every byte of real photos to exactly (byte / 255 - mean) / std in float32, in both layouts', async () => {
    for (const name of ['chelsea.jpg', 'coffee.jpg', 'camera.jpg', 'rocket.jpg']) {
      const bytes = await sharp(readFileSync(resolve(PHOTOS, name)))
        .resize(224, 224, { fit: 'fill', fastShrinkOnLoad: false })
        .toColourspace('srgb')
        .raw()
        .toBuffer();
      for (const spec of [
        { ...PLAIN, inputSize: 224 },
        { inputSize: 224, layout: 'nchw' as const, ...CLIP },
        { inputSize: 224, layout: 'nhwc' as const, ...CLIP },
      ]) {
        const { inputSize: size, mean, std } = spec;
        const expected = new Float32Array(size * size * 3);
        for (let pixel = 0; pixel < size * size; pixel++)
          for (let c = 0; c < 3; c++)
            expected[spec.layout === 'nhwc' ? pixel * 3 + c : c * size * size + pixel] = (bytes[pixel * 3 + c]! / 255 - mean[c]!) / std[c]!;
        expect(firstDifference(imageInput(bytes, spec), expected), `${name} ${spec.layout}`).toBeUndefined();
      }
    }
  });

  it('writes an image into its slot of a batch and leaves the rest alone', () => {
    const spec = { inputSize: 2, layout: 'nchw' as const, ...CLIP };
    const batch = new Float32Array(3 * 12).fill(7);
    const pixels = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
    writeImageInput(pixels, spec, batch, 12);
    expect(Array.from(batch.subarray(0, 12)).every((value) => value === 7)).toBe(true);
    expect(firstDifference(batch.subarray(12, 24), imageInput(pixels, spec))).toBeUndefined();
    expect(Array.from(batch.subarray(24)).every((value) => value === 7)).toBe(true);
  });
});

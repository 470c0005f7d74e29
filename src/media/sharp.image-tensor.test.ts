import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import type { ImageTensorOptions } from './image-tensor.js';
import { createSharpImageTensorDecoder, toTensor } from './sharp.image-tensor.js';

const IMAGES = resolve(import.meta.dirname, '../../test/fixtures/images');
const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const image = (name: string) => readFileSync(resolve(IMAGES, name));
const photo = (name: string) => readFileSync(resolve(PHOTOS, name));
const decoder = createSharpImageTensorDecoder();
const PLAIN: ImageTensorOptions = { size: 32, layout: 'nhwc', mean: [0, 0, 0], std: [1, 1, 1] };

/** The RGB of pixel (x, y) of a decoded tensor, back in bytes. */
function rgb(tensor: Float32Array, options: ImageTensorOptions, x: number, y: number): number[] {
  const { size, layout } = options;
  const channel = (c: number) => tensor[layout === 'nhwc' ? (y * size + x) * 3 + c : c * size * size + y * size + x]!;
  return [0, 1, 2].map((c) => Math.round((channel(c) * options.std[c]! + options.mean[c]!) * 255));
}

/** Where two arrays first differ (`index: a vs b`), undefined when they are identical to the bit. */
function firstDifference(a: Float32Array, b: Float32Array): string | undefined {
  if (a.length !== b.length) return `lengths ${a.length} vs ${b.length}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `${i}: ${a[i]} vs ${b[i]}`;
  return undefined;
}

function expectColour(actual: number[], expected: number[], tolerance = 30) {
  for (const [index, value] of expected.entries()) expect(Math.abs(actual[index]! - value), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

async function refusal(input: Buffer) {
  return decoder.decode(input, PLAIN).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('sharp image tensor decoder', () => {
  it('stretches to size x size after EXIF rotation, in NHWC and NCHW', async () => {
    // 60x40 stored, orientation 6: upright it is 40x60, red on top, blue below.
    for (const layout of ['nhwc', 'nchw'] as const) {
      const options = { ...PLAIN, layout };
      const tensor = await decoder.decode(image('orientation-6.jpg'), options);
      expect(tensor).toHaveLength(32 * 32 * 3);
      expectColour(rgb(tensor, options, 16, 4), [230, 20, 20]);
      expectColour(rgb(tensor, options, 16, 28), [20, 20, 230]);
    }
  });

  it('scales bytes to [0, 1], then applies mean and std per channel', async () => {
    const grey = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 255, g: 51, b: 0 } } })
      .png()
      .toBuffer();
    const plain = await decoder.decode(grey, { ...PLAIN, size: 4 });
    expect(Array.from(plain.subarray(0, 3))).toEqual([1, Math.fround(0.2), 0]);
    const clip = await decoder.decode(grey, { size: 4, layout: 'nchw', mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1] });
    expect([clip[0], clip[16], clip[32]]).toEqual([2, Math.fround(-0.6), -0.5]);
  });

  it('maps every byte of real photos to exactly (byte / 255 - mean) / std in float32, in both layouts', async () => {
    const clip: ImageTensorOptions = { size: 224, layout: 'nchw', mean: [0.4815, 0.4578, 0.4082], std: [0.2686, 0.2613, 0.2758] };
    for (const name of ['chelsea.jpg', 'coffee.jpg', 'camera.jpg', 'rocket.jpg']) {
      const bytes = await sharp(photo(name)).resize(224, 224, { fit: 'fill', fastShrinkOnLoad: false }).toColourspace('srgb').raw().toBuffer();
      for (const options of [{ ...PLAIN, size: 224 }, clip, { ...clip, layout: 'nhwc' as const }]) {
        const { size, mean, std } = options;
        const expected = new Float32Array(size * size * 3);
        for (let pixel = 0; pixel < size * size; pixel++)
          for (let c = 0; c < 3; c++)
            expected[options.layout === 'nhwc' ? pixel * 3 + c : c * size * size + pixel] = (bytes[pixel * 3 + c]! / 255 - mean[c]!) / std[c]!;
        const tensor = toTensor(bytes, options);
        expect(firstDifference(tensor, expected), `${name} ${options.layout}`).toBeUndefined();
      }
    }
  });

  it('gives a JPEG and its pixel-identical PNG copy the same tensor (no shrink-on-load)', async () => {
    const jpeg = photo('chelsea.jpg');
    const png = await sharp(jpeg).png().toBuffer();
    const options = { ...PLAIN, size: 224 };
    expect(await decoder.decode(png, options)).toEqual(await decoder.decode(jpeg, options));
  });

  it('turns greyscale, CMYK, 16-bit and transparent images into 8-bit RGB', async () => {
    const grey = await decoder.decode(photo('camera.jpg'), PLAIN);
    const [r, g, b] = rgb(grey, PLAIN, 10, 10);
    expect(r).toBe(g);
    expect(g).toBe(b);
    // `convert-im6.q16 cmyk.jpg -profile srgb.icc` gives this for the red top half.
    expectColour(rgb(await decoder.decode(image('cmyk.jpg'), PLAIN), PLAIN, 16, 4), [215, 86, 47], 20);
    expectColour(rgb(await decoder.decode(image('rgb16.png'), PLAIN), PLAIN, 16, 0), [10, 200, 40], 20);
    // A fully transparent pixel counts as black whatever colour it hides.
    const hidden = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } })
      .png()
      .toBuffer();
    expect(Array.from(await decoder.decode(hidden, { ...PLAIN, size: 4 })).every((value) => value === 0)).toBe(true);
  });

  it('refuses corrupt, truncated, empty and non-image data, and decompression bombs, with clear errors', async () => {
    for (const bad of [image('corrupt.jpg'), image('truncated.jpg'), Buffer.alloc(0), Buffer.from('not an image')]) {
      const error = await refusal(bad);
      expect(isAppError(error, 'ImageUnreadable'), String(error)).toBe(true);
    }
    const bomb = await refusal(image('bomb-50000x50000.png'));
    expect(isAppError(bomb, 'ImageTooLarge')).toBe(true);
    expect((bomb as Error).message).toContain('50,000 x 50,000');
  });
});

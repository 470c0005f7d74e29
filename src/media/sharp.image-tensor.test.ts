import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import type { ImageTensorOptions } from './image-tensor.js';
import { createSharpImageTensorDecoder } from './sharp.image-tensor.js';

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

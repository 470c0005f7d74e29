import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { createSharpImageTensorDecoder } from './sharp.image-tensor.js';

const IMAGES = resolve(import.meta.dirname, '../../test/fixtures/images');
const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const image = (name: string) => readFileSync(resolve(IMAGES, name));
const photo = (name: string) => readFileSync(resolve(PHOTOS, name));
const decoder = createSharpImageTensorDecoder();
const SIZE = 32;

/** The RGB of pixel (x, y) of decoded bytes. */
function rgb(pixels: Uint8Array, x: number, y: number): number[] {
  return Array.from(pixels.subarray((y * SIZE + x) * 3, (y * SIZE + x) * 3 + 3));
}

function expectColour(actual: number[], expected: number[], tolerance = 30) {
  for (const [index, value] of expected.entries()) expect(Math.abs(actual[index]! - value), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

async function refusal(input: Buffer) {
  return decoder.decode(input, SIZE).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('sharp model input decoder', () => {
  it('stretches to size x size after EXIF rotation, as RGB bytes row by row', async () => {
    // 60x40 stored, orientation 6: upright it is 40x60, red on top, blue below.
    const pixels = await decoder.decode(image('orientation-6.jpg'), SIZE);
    expect(pixels).toHaveLength(SIZE * SIZE * 3);
    expectColour(rgb(pixels, 16, 4), [230, 20, 20]);
    expectColour(rgb(pixels, 16, 28), [20, 20, 230]);
  });

  it('gives a JPEG and its pixel-identical PNG copy the same pixels (no shrink-on-load)', async () => {
    const jpeg = photo('chelsea.jpg');
    const png = await sharp(jpeg).png().toBuffer();
    expect(await decoder.decode(png, 224)).toEqual(await decoder.decode(jpeg, 224));
  });

  it('turns greyscale, CMYK, 16-bit and transparent images into 8-bit RGB', async () => {
    const grey = await decoder.decode(photo('camera.jpg'), SIZE);
    const [r, g, b] = rgb(grey, 10, 10);
    expect(r).toBe(g);
    expect(g).toBe(b);
    // `convert-im6.q16 cmyk.jpg -profile srgb.icc` gives this for the red top half.
    expectColour(rgb(await decoder.decode(image('cmyk.jpg'), SIZE), 16, 4), [215, 86, 47], 20);
    expectColour(rgb(await decoder.decode(image('rgb16.png'), SIZE), 16, 0), [10, 200, 40], 20);
    // A fully transparent pixel counts as black whatever colour it hides.
    const hidden = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } })
      .png()
      .toBuffer();
    expect(Array.from(await decoder.decode(hidden, 4)).every((value) => value === 0)).toBe(true);
  });

  it('decodes many images at once, a few at a time, exactly as one by one, failing a broken one alone', async () => {
    const names = ['cat.jpg', 'truncated.jpg', 'coffee.png', 'cat.webp', 'corrupt.jpg', 'orientation-6.jpg', 'cmyk.jpg', 'rgb16.png'];
    const bounded = createSharpImageTensorDecoder({ concurrency: 2 });
    const results = await Promise.allSettled(names.map((name) => bounded.decode(image(name), SIZE)));
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    for (const [index, result] of results.entries()) {
      if (result.status === 'fulfilled') expect(result.value, names[index]).toEqual(await decoder.decode(image(names[index]!), SIZE));
      else {
        expect(isAppError(result.reason, 'ImageUnreadable'), names[index]).toBe(true);
        expect((result.reason as Error).message).toMatch(/^Corrupt or truncated image/);
      }
    }
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

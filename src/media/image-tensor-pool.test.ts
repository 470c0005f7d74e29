import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { createImageTensorPool } from './image-tensor-pool.js';
import { createSharpImageTensorDecoder } from './sharp.image-tensor.js';

const IMAGES = resolve(import.meta.dirname, '../../test/fixtures/images');
const SIZE = 64;

describe('model input decoder pool', () => {
  const pool = createImageTensorPool({ threads: 2 });
  afterAll(() => pool.close());

  it('decodes in worker threads exactly as sharp does on the main thread, many at once', async () => {
    const names = ['cat.jpg', 'coffee.png', 'cat.webp', 'orientation-6.jpg', 'cmyk.jpg', 'rgb16.png'];
    const direct = createSharpImageTensorDecoder();
    const bytes = names.map((name) => readFileSync(resolve(IMAGES, name)));
    const pooled = await Promise.all(bytes.map((input) => pool.decode(input, SIZE)));
    for (const [index, input] of bytes.entries()) expect(pooled[index]).toEqual(new Uint8Array(await direct.decode(input, SIZE)));
  });

  it('fails a corrupt or truncated image alone, with its reason as an AppError', async () => {
    const results = await Promise.allSettled(['truncated.jpg', 'cat.jpg', 'corrupt.jpg'].map((name) => pool.decode(readFileSync(resolve(IMAGES, name)), SIZE)));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    const error = (results[0] as PromiseRejectedResult).reason as unknown;
    expect(isAppError(error, 'ImageUnreadable')).toBe(true);
    expect((error as Error).message).toMatch(/^Corrupt or truncated image/);
  });

  it('refuses an image over the pixel limit before decoding it', async () => {
    const error = await pool.decode(readFileSync(resolve(IMAGES, 'bomb-50000x50000.png')), SIZE).catch((thrown: unknown) => thrown);
    expect(isAppError(error, 'ImageTooLarge')).toBe(true);
  });
});

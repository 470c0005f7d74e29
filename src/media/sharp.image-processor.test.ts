import { createReadStream, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { createSharpImageProcessor, DEFAULT_MAX_INPUT_PIXELS, translateSharpError } from './sharp.image-processor.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/images');
const fixture = (name: string) => readFileSync(resolve(FIXTURES, name));
const processor = createSharpImageProcessor();

/** Decodes a thumbnail for real: its format, size, pages, colour space, depth and the RGB of a pixel. */
async function decode(bytes: Buffer) {
  const metadata = await sharp(bytes).metadata();
  const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
  const pixel = (x: number, y: number) => {
    const offset = (y * info.width + x) * info.channels;
    return [data[offset]!, data[offset + 1]!, data[offset + 2]!];
  };
  return { metadata, pixel };
}

function expectColour(actual: number[], expected: number[], tolerance = 30) {
  for (const [index, value] of expected.entries()) expect(Math.abs(actual[index]! - value), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

async function refusal(input: Buffer) {
  return processor.makeThumbnail(input, { size: 256 }).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('sharp image processor', () => {
  it('applies EXIF orientation 6: the stored left half (red) ends up on top', async () => {
    expect(await sharp(fixture('orientation-6.jpg')).metadata()).toMatchObject({ width: 60, height: 40, orientation: 6 });
    const thumbnail = await processor.makeThumbnail(fixture('orientation-6.jpg'), { size: 256 });
    expect(thumbnail).toMatchObject({ width: 40, height: 60 });
    const { metadata, pixel } = await decode(thumbnail.bytes);
    expect(metadata).toMatchObject({ format: 'jpeg', width: 40, height: 60 });
    expect(metadata.orientation ?? 1).toBe(1);
    expectColour(pixel(20, 10), [230, 20, 20]);
    expectColour(pixel(20, 50), [20, 20, 230]);
  });

  it('rotates and shrinks a real photo to fit the box, keeping its aspect ratio', async () => {
    const rotated = await processor.makeThumbnail(fixture('rotated.jpg'), { size: 256 });
    expect(await sharp(rotated.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 27, height: 40 });
    const photo = await processor.makeThumbnail(fixture('chelsea-exif6.jpg'), { size: 256 });
    expect(await sharp(photo.bytes).metadata()).toMatchObject({ format: 'jpeg', width: 170, height: 256 });
    const small = await processor.makeThumbnail(fixture('chelsea-exif6.jpg'), { size: 64 });
    expect([small.width, small.height]).toEqual([43, 64]);
  });

  it('never enlarges a small image', async () => {
    const thumbnail = await processor.makeThumbnail(fixture('cat.jpg'), { size: 256 });
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ width: 96, height: 64 });
    const wide = await sharp({ create: { width: 1000, height: 400, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    expect(await processor.makeThumbnail(wide, { size: 256 })).toMatchObject({ width: 256, height: 102 });
  });

  it('converts a CMYK JPEG to sRGB through its ICC profile, as ImageMagick does', async () => {
    expect(await sharp(fixture('cmyk.jpg')).metadata()).toMatchObject({ space: 'cmyk', hasProfile: true });
    const { metadata, pixel } = await decode((await processor.makeThumbnail(fixture('cmyk.jpg'), { size: 256 })).bytes);
    expect(metadata).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3, depth: 'uchar', width: 64, height: 48 });
    // `convert-im6.q16 cmyk.jpg -profile srgb.icc` gives these for the red top and the green bottom.
    expectColour(pixel(32, 6), [215, 86, 47], 20);
    expectColour(pixel(32, 42), [87, 160, 73], 20);
  });

  it('converts a CMYK JPEG without a profile to sRGB, red staying red and green green', async () => {
    expect((await sharp(fixture('cmyk-untagged.jpg')).metadata()).space).toBe('cmyk');
    const { metadata, pixel } = await decode((await processor.makeThumbnail(fixture('cmyk-untagged.jpg'), { size: 256 })).bytes);
    expect(metadata).toMatchObject({ space: 'srgb', channels: 3, depth: 'uchar' });
    const [r1, g1, b1] = pixel(32, 6);
    const [r2, g2, b2] = pixel(32, 42);
    expect(r1!).toBeGreaterThan(Math.max(g1!, b1!) + 100);
    expect(g2!).toBeGreaterThan(Math.max(r2!, b2!) + 20);
  });

  it('converts a 16-bit PNG to 8-bit sRGB', async () => {
    expect((await sharp(fixture('rgb16.png')).metadata()).depth).toBe('ushort');
    const { metadata, pixel } = await decode((await processor.makeThumbnail(fixture('rgb16.png'), { size: 256 })).bytes);
    expect(metadata).toMatchObject({ format: 'jpeg', space: 'srgb', depth: 'uchar', width: 64, height: 48 });
    expectColour(pixel(32, 1), [10, 200, 40]);
  });

  it('writes an opaque image as an 8-bit sRGB JPEG (quality 85) and says so', async () => {
    const thumbnail = await processor.makeThumbnail(fixture('coffee.png'), { size: 400 });
    expect(thumbnail).toMatchObject({ format: 'jpeg', contentType: 'image/jpeg' });
    expect(await sharp(thumbnail.bytes).metadata()).toMatchObject({ format: 'jpeg', space: 'srgb', channels: 3, depth: 'uchar' });
  });

  it('keeps an image with an alpha channel as WebP, transparency and all', async () => {
    const overlay = await sharp({ create: { width: 600, height: 300, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .composite([{ input: { create: { width: 300, height: 300, channels: 4, background: { r: 20, g: 200, b: 40, alpha: 1 } } }, left: 0, top: 0 }])
      .png()
      .toBuffer();
    const thumbnail = await processor.makeThumbnail(overlay, { size: 400 });
    expect(thumbnail).toMatchObject({ format: 'webp', contentType: 'image/webp', width: 400, height: 200 });
    const { data, info } = await sharp(thumbnail.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(info.channels).toBe(4);
    const alphaAt = (x: number, y: number) => data[(y * info.width + x) * 4 + 3]!;
    expect(alphaAt(50, 100)).toBe(255);
    expect(alphaAt(350, 100)).toBe(0);
  });

  it('writes the format asked for, to rewrite a thumbnail in place in the format it has', async () => {
    const webp = await processor.makeThumbnail(fixture('cat.jpg'), { size: 400, format: 'webp' });
    expect(webp).toMatchObject({ format: 'webp', contentType: 'image/webp', width: 96, height: 64 });
    expect((await sharp(webp.bytes).metadata()).format).toBe('webp');
  });

  it('takes the first frame of an animated GIF', async () => {
    expect((await sharp(fixture('animated.gif')).metadata()).pages).toBe(3);
    const thumbnail = await processor.makeThumbnail(fixture('animated.gif'), { size: 256 });
    const { metadata, pixel } = await decode(thumbnail.bytes);
    expect(metadata).toMatchObject({ format: 'jpeg', width: 60, height: 40 });
    expect(metadata.pages ?? 1).toBe(1);
    expectColour(pixel(30, 20), [230, 20, 20]);
  });

  it('reads a stream as well as a buffer', async () => {
    const thumbnail = await processor.makeThumbnail(createReadStream(resolve(FIXTURES, 'chelsea-exif6.jpg')), { size: 256 });
    expect([thumbnail.width, thumbnail.height]).toEqual([170, 256]);
  });

  it('refuses truncated JPEGs, with a cut header or cut pixel data', async () => {
    const cutHeader = await refusal(fixture('truncated.jpg'));
    expect(isAppError(cutHeader, 'ImageUnreadable')).toBe(true);
    expect((cutHeader as Error).message).toMatch(/^Corrupt or truncated image \(VipsJpeg: premature end of JPEG image\)\.$/);
    const photo = fixture('chelsea-exif6.jpg');
    const cutData = await refusal(photo.subarray(0, Math.floor(photo.length * 0.6)));
    expect(isAppError(cutData, 'ImageUnreadable')).toBe(true);
    expect((cutData as Error).message).toContain('premature end');
  });

  it('names the cause when libvips lost it to another thread (its error buffer is shared by the process)', async () => {
    const lostCause = new Error('Input buffer has corrupt header: ');
    const error = await translateSharpError(lostCause, sharp, fixture('truncated.jpg'), DEFAULT_MAX_INPUT_PIXELS);
    expect(error).toMatchObject({ code: 'ImageUnreadable', message: 'Corrupt or truncated image (VipsJpeg: premature end of JPEG image).' });
  });

  it('refuses corrupt, empty and non-image data with a clear message', async () => {
    expect(await refusal(fixture('corrupt.jpg'))).toMatchObject({ code: 'ImageUnreadable', message: expect.stringMatching(/^Corrupt or truncated image/) });
    expect(await refusal(Buffer.alloc(0))).toMatchObject({ code: 'ImageUnreadable', message: 'The file is empty (0 bytes).' });
    expect(await refusal(Buffer.from('just some text, not an image'))).toMatchObject({
      code: 'ImageUnreadable',
      message: 'Not a supported image (unrecognised file signature).',
    });
  });

  it('refuses a 661-byte PNG declaring 50,000 x 50,000 pixels without decoding it', async () => {
    const bomb = fixture('bomb-50000x50000.png');
    expect(bomb.length).toBeLessThan(1024);
    const error = await refusal(bomb);
    expect(isAppError(error, 'ImageTooLarge')).toBe(true);
    expect((error as Error).message).toBe(
      'The image declares 50,000 x 50,000 pixels, more than the 268,435,456-pixel limit (a decompression bomb or a huge scan); it was not decoded.',
    );
    // Decoding it would take 7.5 GB. libvips raises this when it opens the image, from the header,
    // before it allocates a pixel: the refusal comes from the pixel limit, not from a failed decode.
    expect(((error as Error).cause as Error).message).toMatch(/^Input image exceeds pixel limit/);
  });

  it('applies a lower pixel limit when configured', async () => {
    const strict = createSharpImageProcessor({ maxInputPixels: 1_000 });
    await expect(strict.makeThumbnail(fixture('cat.jpg'), { size: 64 })).rejects.toMatchObject({
      code: 'ImageTooLarge',
      message: expect.stringContaining('96 x 64 pixels'),
    });
  });
});

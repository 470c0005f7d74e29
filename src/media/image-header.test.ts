import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../errors.js';
import { HEADER_READ_STEPS, parseImageHeader, probeImageHeader } from './image-header.js';

const fixture = (name: string) => new Uint8Array(readFileSync(resolve(import.meta.dirname, '../../test/fixtures/images', name)));

/** A reader over bytes that records every range asked for. */
function rangeReader(bytes: Uint8Array) {
  const ranges: Array<[number, number]> = [];
  const read = async (start: number, end: number) => {
    ranges.push([start, end]);
    return bytes.subarray(start, Math.min(end + 1, bytes.length));
  };
  return { read, ranges };
}

/** The same JPEG with `padding` bytes of comment segments before its frame header, as big EXIF blocks do. */
function jpegWithLargeHeader(jpeg: Uint8Array, padding: number): Uint8Array {
  const segments: number[] = [];
  for (let left = padding; left > 0; left -= 60_000) {
    const length = Math.min(60_000, left) + 2;
    segments.push(0xff, 0xfe, length >> 8, length & 0xff, ...new Array<number>(length - 2).fill(0x20));
  }
  return new Uint8Array([...jpeg.subarray(0, 2), ...segments, ...jpeg.subarray(2)]);
}

describe('parseImageHeader', () => {
  it.each([
    ['cat.jpg', { width: 96, height: 64, format: 'jpeg' }],
    ['coffee.png', { width: 80, height: 53, format: 'png' }],
    ['cat.webp', { width: 64, height: 43, format: 'webp' }],
  ])('reads %s', (name, expected) => {
    expect(parseImageHeader(fixture(name))).toEqual(expected);
  });

  it('reports the content type, not the extension, for a PNG named .jpg', () => {
    expect(parseImageHeader(fixture('png-named.jpg')).format).toBe('png');
  });

  it('applies EXIF orientation to the dimensions', () => {
    expect(parseImageHeader(fixture('rotated.jpg'))).toEqual({ width: 27, height: 40, format: 'jpeg' });
  });

  it('rejects a corrupt JPEG and a text file with ImageUnreadable', () => {
    for (const bytes of [fixture('corrupt.jpg'), new TextEncoder().encode('just some text, not an image')]) {
      let caught: unknown;
      try {
        parseImageHeader(bytes);
      } catch (error) {
        caught = error;
      }
      expect(isAppError(caught, 'ImageUnreadable')).toBe(true);
    }
  });
});

describe('probeImageHeader', () => {
  it('reads one 64 KiB range for an ordinary image', async () => {
    const bytes = fixture('cat.jpg');
    const reader = rangeReader(bytes);
    await expect(probeImageHeader(reader.read, bytes.length)).resolves.toMatchObject({ width: 96, height: 64 });
    expect(reader.ranges).toEqual([[0, bytes.length - 1]]);
  });

  it('grows the range only when the header lies beyond the first 64 KiB, without rereading', async () => {
    const bytes = jpegWithLargeHeader(fixture('cat.jpg'), 200_000);
    const reader = rangeReader(bytes);
    await expect(probeImageHeader(reader.read, bytes.length)).resolves.toMatchObject({ width: 96, height: 64 });
    expect(reader.ranges).toEqual([
      [0, HEADER_READ_STEPS[0] - 1],
      [HEADER_READ_STEPS[0], bytes.length - 1],
    ]);
  });

  it('refuses an empty file without reading it', async () => {
    const reader = rangeReader(new Uint8Array());
    await expect(probeImageHeader(reader.read, 0)).rejects.toThrow(/empty \(0 bytes\)/);
    expect(reader.ranges).toEqual([]);
  });

  it("reads the header of a truncated JPEG whose header is intact (decoding it is the thumbnailer's job)", async () => {
    const bytes = fixture('truncated.jpg');
    await expect(probeImageHeader(rangeReader(bytes).read, bytes.length)).resolves.toMatchObject({ format: 'jpeg' });
  });

  it('reports a JPEG cut before its frame header after reading it whole once', async () => {
    const bytes = fixture('cat.jpg').subarray(0, 120);
    const reader = rangeReader(bytes);
    await expect(probeImageHeader(reader.read, bytes.length)).rejects.toSatisfy((error) => isAppError(error, 'ImageUnreadable'));
    expect(reader.ranges).toHaveLength(1);
  });
});

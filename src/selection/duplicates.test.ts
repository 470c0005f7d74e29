import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  confirmNearDuplicates,
  exactDuplicatePairs,
  groupDuplicates,
  isContentMd5,
  keeperPreference,
  samplesNeedingContentHash,
  type DuplicateCandidate,
} from './duplicates.js';
import { seededRandom } from './seeded-random.js';
import { DESCRIPTOR_BYTES, descriptorDistance, descriptorNorms, descriptorsWithin, thumbnailDescriptor } from './thumbnail-descriptor.js';

const MD5_A = '0cc175b9c0f1b6a831c399e269772661';
const MD5_B = '92eb5ffee6ae2fec3ad71c777531578f';

describe('duplicate groups', () => {
  it('joins chains of close pairs into one group and keeps the preferred member', () => {
    const pixels = [100, 400, 200, 50, 10];
    const groups = groupDuplicates(
      5,
      [
        { a: 0, b: 1, distance: 0.01 },
        { a: 1, b: 2, distance: 0.02 },
        { a: 3, b: 4, distance: 0 },
      ],
      (a, b) => pixels[b]! - pixels[a]! || a - b,
    );
    expect(groups).toEqual([
      { members: [1, 0, 2], keep: 1, maxDistance: 0.02 },
      { members: [3, 4], keep: 3, maxDistance: 0 },
    ]);
  });

  it('gives the same groups whatever the order of the pairs, and none without pairs', () => {
    const pairs = [
      { a: 5, b: 2, distance: 0.03 },
      { a: 0, b: 7, distance: 0.01 },
      { a: 2, b: 7, distance: 0.02 },
      { a: 3, b: 4, distance: 0.04 },
    ];
    const byIndex = (a: number, b: number) => a - b;
    const forward = groupDuplicates(8, pairs, byIndex);
    expect(groupDuplicates(8, [...pairs].reverse(), byIndex)).toEqual(forward);
    expect(forward).toEqual([
      { members: [0, 2, 5, 7], keep: 0, maxDistance: 0.03 },
      { members: [3, 4], keep: 3, maxDistance: 0.04 },
    ]);
    expect(groupDuplicates(3, [], byIndex)).toEqual([]);
  });

  it('keeps the most pixels, then the most bytes, then the smallest key', () => {
    const samples: DuplicateCandidate[] = [
      { key: 'b.jpg', size: 100, etag: null, pixels: 400 },
      { key: 'a.jpg', size: 100, etag: null, pixels: 400 },
      { key: 'c.png', size: 900, etag: null, pixels: 400 },
      { key: 'big.jpg', size: 10, etag: null, pixels: 1600 },
      { key: 'unread.jpg', size: 5000, etag: null, pixels: null },
    ];
    const prefer = keeperPreference(samples);
    const keepOf = (members: number[]) =>
      groupDuplicates(
        5,
        members.slice(1).map((b) => ({ a: members[0]!, b, distance: 0 })),
        prefer,
      )[0]!.keep;
    expect(keepOf([0, 1])).toBe(1);
    expect(keepOf([0, 1, 2])).toBe(2);
    expect(keepOf([0, 1, 2, 3])).toBe(3);
    expect(keepOf([4, 0])).toBe(0);
  });
});

describe('exact duplicates', () => {
  it('reads only 32 hex digits as an MD5 etag', () => {
    expect(isContentMd5(MD5_A)).toBe(true);
    expect(isContentMd5(MD5_A.toUpperCase())).toBe(true);
    expect(isContentMd5(`${MD5_A}-2`)).toBe(false);
    expect(isContentMd5('0x8DC6B1E0F1A2B3C')).toBe(false);
    expect(isContentMd5('1f4-18c2a3b4c5d')).toBe(false);
    expect(isContentMd5(null)).toBe(false);
  });

  it('pairs same size and same MD5 etag without hashing anything', () => {
    const samples = [
      { size: 10, etag: MD5_A },
      { size: 10, etag: MD5_B },
      { size: 10, etag: MD5_A },
      { size: 11, etag: MD5_A },
      { size: 10, etag: MD5_A.toUpperCase() },
    ];
    expect(samplesNeedingContentHash(samples)).toEqual([]);
    expect(exactDuplicatePairs(samples, new Map())).toEqual([
      { a: 0, b: 2, distance: 0 },
      { a: 0, b: 4, distance: 0 },
    ]);
  });

  it('hashes every member of a same-size set that has a multipart or non-MD5 etag, and pairs by the hash', () => {
    const samples = [
      { size: 10, etag: MD5_A },
      { size: 10, etag: `${MD5_B}-2` },
      { size: 10, etag: null },
      { size: 20, etag: `${MD5_B}-3` },
      { size: 30, etag: MD5_A },
      { size: 30, etag: MD5_B },
    ];
    expect(samplesNeedingContentHash(samples)).toEqual([0, 1, 2]);
    const hashes = new Map([
      [0, 'h1'],
      [1, 'h1'],
      [2, 'h2'],
    ]);
    expect(exactDuplicatePairs(samples, hashes)).toEqual([{ a: 0, b: 1, distance: 0 }]);
    // Without its hash a sample is never called an exact duplicate.
    expect(exactDuplicatePairs(samples, new Map([[1, 'h1']]))).toEqual([]);
  });
});

describe('near-duplicate confirmation', () => {
  /** Unit vectors in 2-D at these angles (radians): cosine distance 1 - cos(angle difference). */
  const rowsAt = (angles: number[]) => Float32Array.from(angles.flatMap((angle) => [Math.cos(angle), Math.sin(angle)]));
  const pattern = (seed: number) => Int8Array.from({ length: DESCRIPTOR_BYTES }, (_, i) => Math.round(100 * Math.sin(seed * 7.3 + i * (0.3 + seed))));

  it('measures each candidate pair once and keeps it only under both thresholds', () => {
    // 0 and 1 are close with one pattern; 2 is as close to 1 but shows another pattern; 3 is far.
    const rows = rowsAt([0, 0.1, 0.2, 1.5]);
    const descriptors = [pattern(1), pattern(1), pattern(2), pattern(1)];
    const candidates = Int32Array.from([0, 1, 2, 1, 0, 2, 2, 1, 0, 3, 2, -1]);
    const rule = { threshold: 0.03, descriptorThreshold: 0.05, thresholdWithoutDescriptor: 0.01 };
    const { pairs, withoutDescriptor } = confirmNearDuplicates(candidates, 3, rows, 2, descriptors, rule);
    expect(pairs.map((pair) => [pair.a, pair.b])).toEqual([[0, 1]]);
    expect(pairs[0]!.distance).toBeCloseTo(1 - Math.cos(0.1), 6);
    expect(withoutDescriptor).toBe(0);
    // Without descriptors, the embedding alone decides at its stricter threshold.
    const bare = confirmNearDuplicates(candidates, 3, rows, 2, [null, null, null, null], { ...rule, thresholdWithoutDescriptor: 0.006 });
    expect(bare.pairs.map((pair) => [pair.a, pair.b])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(bare.withoutDescriptor).toBe(2);
    // A projection (here the first coordinate only) prunes pairs without changing which are kept.
    const firstCoordinate = Float32Array.from([0, 0.1, 0.2, 1.5], (angle) => Math.cos(angle));
    expect(confirmNearDuplicates(candidates, 3, rows, 2, descriptors, rule, { rows: firstCoordinate, dimensions: 1 })).toEqual({ pairs, withoutDescriptor });
  });
});

/**
 * The thumbnail descriptor as defined, one pixel at a time: each 16 x 16 cell of the whole image and of its centre
 * 90% averaged (bytes scaled to [0, 1]), centred per channel, scaled by its spread and quantised.
 */
function definedDescriptor(pixels: Uint8Array, size: number): Int8Array {
  const out = new Int8Array(DESCRIPTOR_BYTES);
  const cellCount = DESCRIPTOR_BYTES / 2;
  const margin = (size * (1 - 0.9)) / 2;
  for (const [half, from, to] of [
    [0, 0, size],
    [1, margin, size - margin],
  ] as const) {
    const step = (to - from) / 16;
    const edge = (index: number) => Math.floor(from + index * step);
    const cells: number[] = [];
    for (let row = 0; row < 16; row++)
      for (let column = 0; column < 16; column++) {
        const [y0, x0] = [edge(row), edge(column)];
        const [y1, x1] = [Math.max(y0 + 1, edge(row + 1)), Math.max(x0 + 1, edge(column + 1))];
        for (let c = 0; c < 3; c++) {
          let sum = 0;
          for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += pixels[(y * size + x) * 3 + c]!;
          cells.push(sum / (255 * (y1 - y0) * (x1 - x0)));
        }
      }
    let spread = 0;
    for (let c = 0; c < 3; c++) {
      let mean = 0;
      for (let i = c; i < cellCount; i += 3) mean += cells[i]!;
      mean /= cellCount / 3;
      for (let i = c; i < cellCount; i += 3) {
        cells[i]! -= mean;
        spread += cells[i]! ** 2;
      }
    }
    spread = Math.sqrt(spread / cellCount);
    if (spread >= 1e-6) for (let i = 0; i < cellCount; i++) out[half * cellCount + i] = Math.max(-127, Math.min(127, Math.round((cells[i]! / spread) * 32)));
  }
  return out;
}

describe('thumbnail descriptor', () => {
  const size = 32;
  /** A 32 x 32 RGB image from a function of (x, y, channel) in [0, 1]. */
  const image = (value: (x: number, y: number, c: number) => number) =>
    Uint8Array.from({ length: size * size * 3 }, (_, i) => Math.round(255 * value(Math.floor(i / 3) % size, Math.floor(i / 3 / size), i % 3)));
  const scene = (x: number, y: number, c: number) => 0.3 + 0.2 * Math.sin(x / 3 + c) * Math.cos(y / 5);

  it('barely moves when the image is brightened, and tells another part of the scene apart', () => {
    const source = thumbnailDescriptor(image(scene), size);
    const brighter = thumbnailDescriptor(
      image((x, y, c) => 1.2 * scene(x, y, c)),
      size,
    );
    const elsewhere = thumbnailDescriptor(
      image((x, y, c) => scene(x + 40, y + 24, c)),
      size,
    );
    expect(source).toHaveLength(DESCRIPTOR_BYTES);
    expect(descriptorDistance(source, brighter)).toBeLessThan(0.01);
    expect(descriptorDistance(source, elsewhere)).toBeGreaterThan(0.2);
  });

  it('gives real photos the bytes of its definition, one pixel at a time', async () => {
    const photos = resolve(import.meta.dirname, '../../test/fixtures/photos');
    for (const name of ['chelsea.jpg', 'astronaut.jpg', 'grass.jpg', 'clock-motion.jpg']) {
      for (const side of [224, 100]) {
        const pixels = await sharp(readFileSync(resolve(photos, name)))
          .resize(side, side, { fit: 'fill' })
          .toColourspace('srgb')
          .raw()
          .toBuffer();
        expect(Array.from(thumbnailDescriptor(pixels, side)), `${name} ${side}`).toEqual(Array.from(definedDescriptor(pixels, side)));
      }
    }
  });

  it('matches nothing for a flat image', () => {
    const flat = thumbnailDescriptor(
      image(() => 0.5),
      size,
    );
    expect(descriptorDistance(flat, flat)).toBe(1);
  });

  it('answers the early-exit threshold test exactly as the full distance does', () => {
    const random = seededRandom(7);
    const noise = () => Math.round((random() - 0.5) * 80);
    const base = Array.from({ length: 20 }, () => Int8Array.from({ length: DESCRIPTOR_BYTES }, noise));
    // Like pairs at every distance from 0 to far (the noise added grows), crops (centre of one = whole of the other), flat ones.
    const near = base.flatMap((d, index) =>
      [0, 1, 2, 4, 8, 16, 40].map((spread) =>
        Int8Array.from(d, (value) => Math.max(-127, Math.min(127, value + Math.round((random() - 0.5) * spread * (1 + index / 10))))),
      ),
    );
    const crop = base.map((d) => Int8Array.from({ length: DESCRIPTOR_BYTES }, (_, i) => d[(i + DESCRIPTOR_BYTES / 2) % DESCRIPTOR_BYTES]!));
    const all = [...base, ...near, ...crop, new Int8Array(DESCRIPTOR_BYTES)];
    let within = 0;
    for (const threshold of [0.01, 0.05, 0.2])
      for (const a of all)
        for (const b of all.slice(0, 40).concat(all.slice(-21))) {
          const expected = descriptorDistance(a, b) <= threshold;
          expect(descriptorsWithin(a, descriptorNorms(a), b, descriptorNorms(b), threshold)).toBe(expected);
          if (expected) within++;
        }
    // Both answers occur, so the comparison means something.
    expect(within).toBeGreaterThan(50);
  });
});

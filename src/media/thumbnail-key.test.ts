import { describe, expect, it } from 'vitest';
import { thumbnailKey } from './thumbnail-key.js';

describe('thumbnailKey', () => {
  it('mirrors the sample key under .winnow/thumbnails/ with a _thumb.webp suffix', () => {
    expect(thumbnailKey('projects/farm-animals/.winnow/', 'cows/cow-001.jpg')).toBe('projects/farm-animals/.winnow/thumbnails/cows/cow-001.jpg_thumb.webp');
    expect(thumbnailKey('.winnow/', 'cat.jpg')).toBe('.winnow/thumbnails/cat.jpg_thumb.webp');
  });

  it('keeps unicode, spaces, +, %, # and = exactly as they are', () => {
    for (const key of ['tricky/ç ü 猫 + % # x.jpg', 'tricky/a+b=c&d;e.jpg', 'tricky/50% off (1).JPG', 'tricky/space at end .png']) {
      expect(thumbnailKey('p/.winnow/', key)).toBe(`p/.winnow/thumbnails/${key}_thumb.webp`);
    }
  });

  it('hashes keys that would exceed 1,024 bytes or a 255-byte segment once prefixed', () => {
    const longKey = `${'folder/'.repeat(150)}image.jpg`;
    const longSegment = `${'é'.repeat(125)}.jpg`;
    for (const key of [longKey, longSegment]) {
      const result = thumbnailKey('p/.winnow/', key);
      expect(result).toMatch(/^p\/\.winnow\/thumbnails\/_hashed\/[0-9a-f]{64}_thumb\.webp$/);
      expect(Buffer.byteLength(result)).toBeLessThan(1024);
    }
    expect(thumbnailKey('p/.winnow/', longKey)).not.toBe(thumbnailKey('p/.winnow/', longSegment));
  });

  it('hashes keys with . or .. segments, which a writer would refuse or resolve elsewhere', () => {
    expect(thumbnailKey('p/.winnow/', 'a/../b.jpg')).toMatch(/thumbnails\/_hashed\//);
    expect(thumbnailKey('p/.winnow/', './b.jpg')).toMatch(/thumbnails\/_hashed\//);
  });

  it('keeps the longest key that still fits mirrored', () => {
    const prefix = 'p/.winnow/thumbnails/';
    const key = `${'k/'.repeat((1024 - prefix.length - '_thumb.webp'.length - 4) / 2)}.jpg`;
    expect(Buffer.byteLength(`${prefix}${key}_thumb.webp`)).toBe(1024);
    expect(thumbnailKey('p/.winnow/', key)).toBe(`${prefix}${key}_thumb.webp`);
  });
});

import { describe, expect, it } from 'vitest';
import { thumbnailFormatOf, thumbnailKey } from './thumbnail-key.js';

describe('thumbnailKey', () => {
  it('mirrors the sample key under .winnow/thumbnails/ with a _thumb.jpg suffix, _thumb.webp for WebP', () => {
    expect(thumbnailKey('projects/farm-animals/.winnow/', 'cows/cow-001.jpg', 'jpeg')).toBe(
      'projects/farm-animals/.winnow/thumbnails/cows/cow-001.jpg_thumb.jpg',
    );
    expect(thumbnailKey('.winnow/', 'cat.jpg', 'jpeg')).toBe('.winnow/thumbnails/cat.jpg_thumb.jpg');
    expect(thumbnailKey('.winnow/', 'logo.png', 'webp')).toBe('.winnow/thumbnails/logo.png_thumb.webp');
  });

  it('keeps unicode, spaces, +, %, # and = exactly as they are', () => {
    for (const key of ['tricky/ç ü 猫 + % # x.jpg', 'tricky/a+b=c&d;e.jpg', 'tricky/50% off (1).JPG', 'tricky/space at end .png']) {
      expect(thumbnailKey('p/.winnow/', key, 'jpeg')).toBe(`p/.winnow/thumbnails/${key}_thumb.jpg`);
    }
  });

  it('hashes keys that would exceed 1,024 bytes or a 255-byte segment once prefixed', () => {
    const longKey = `${'folder/'.repeat(150)}image.jpg`;
    const longSegment = `${'é'.repeat(125)}.jpg`;
    for (const key of [longKey, longSegment]) {
      const result = thumbnailKey('p/.winnow/', key, 'jpeg');
      expect(result).toMatch(/^p\/\.winnow\/thumbnails\/_hashed\/[0-9a-f]{64}_thumb\.jpg$/);
      expect(Buffer.byteLength(result)).toBeLessThan(1024);
      expect(thumbnailKey('p/.winnow/', key, 'webp')).toBe(result.replace(/_thumb\.jpg$/, '_thumb.webp'));
    }
    expect(thumbnailKey('p/.winnow/', longKey, 'jpeg')).not.toBe(thumbnailKey('p/.winnow/', longSegment, 'jpeg'));
  });

  it('hashes keys with . or .. segments, which a writer would refuse or resolve elsewhere', () => {
    expect(thumbnailKey('p/.winnow/', 'a/../b.jpg', 'jpeg')).toMatch(/thumbnails\/_hashed\//);
    expect(thumbnailKey('p/.winnow/', './b.jpg', 'jpeg')).toMatch(/thumbnails\/_hashed\//);
  });

  it('keeps the longest key that still fits mirrored, by the length of its own suffix', () => {
    const prefix = 'p/.winnow/thumbnails/';
    const webpKey = `${'k/'.repeat((1024 - prefix.length - '_thumb.webp'.length - 4) / 2)}.jpg`;
    expect(Buffer.byteLength(`${prefix}${webpKey}_thumb.webp`)).toBe(1024);
    expect(thumbnailKey('p/.winnow/', webpKey, 'webp')).toBe(`${prefix}${webpKey}_thumb.webp`);
    const jpegKey = `${webpKey}x`;
    expect(Buffer.byteLength(`${prefix}${jpegKey}_thumb.jpg`)).toBe(1024);
    expect(thumbnailKey('p/.winnow/', jpegKey, 'jpeg')).toBe(`${prefix}${jpegKey}_thumb.jpg`);
    expect(thumbnailKey('p/.winnow/', jpegKey, 'webp')).toMatch(/thumbnails\/_hashed\//);
  });
});

describe('thumbnailFormatOf', () => {
  it('tells the format by the suffix Winnow writes, and nothing for other keys', () => {
    expect(thumbnailFormatOf('.winnow/thumbnails/a.png_thumb.jpg')).toBe('jpeg');
    expect(thumbnailFormatOf('.winnow/thumbnails/a.png_thumb.webp')).toBe('webp');
    expect(thumbnailFormatOf('.winnow/thumbnails/gone.jpg.users-own-copy.webp')).toBeUndefined();
  });
});

import type { Readable } from 'node:stream';
import { AppError } from '../errors.js';

/** JPEG for opaque images (cheap to decode when `winnow embed` reads it); WebP for images with an alpha channel, so transparency survives. */
export type ThumbnailFormat = 'jpeg' | 'webp';

export const THUMBNAIL_CONTENT_TYPES: Record<ThumbnailFormat, string> = { jpeg: 'image/jpeg', webp: 'image/webp' };

/** A thumbnail as written to the output location. */
export interface Thumbnail {
  bytes: Buffer;
  format: ThumbnailFormat;
  /** The `Content-Type` it is written and served with. */
  contentType: string;
  /** As displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
}

export interface ThumbnailOptions {
  /** The box the thumbnail fits in: its longest side, in pixels. */
  size: number;
  /** Overrides the choice by alpha channel (to rewrite a thumbnail in place in the format it has); JPEG flattens transparency onto white. */
  format?: ThumbnailFormat | undefined;
}

/** What the thumbnail job needs from an image library; `sharp.image-processor.ts` is the only implementation. */
export interface ImageProcessor {
  /** Images declaring more pixels than this are refused before they are decoded. */
  readonly maxInputPixels: number;
  /**
   * Decodes an image (EXIF orientation applied, first frame of an animation, any colour space or
   * bit depth) and encodes an 8-bit sRGB image fitting `size` x `size`, never enlarged: JPEG, or WebP
   * when the image has an alpha channel. Throws
   * `ImageUnreadable` for corrupt, truncated, empty or non-image data and `ImageTooLarge` for
   * images over the pixel limit.
   */
  makeThumbnail(input: Buffer | Readable, options: ThumbnailOptions): Promise<Thumbnail>;
}

/** Photos of 4:3, 3:2 and 16:9 then get a short side of at least 224 px, so `winnow embed` reads the thumbnail instead of the original. */
export const DEFAULT_THUMBNAIL_SIZE = 400;
export const MIN_THUMBNAIL_SIZE = 16;
export const MAX_THUMBNAIL_SIZE = 4096;

/** Checks a thumbnail size given by a user (`--size`, `--thumbnail-size`, the API). */
export function validateThumbnailSize(value: unknown, label = '--size'): number {
  const size = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < MIN_THUMBNAIL_SIZE || size > MAX_THUMBNAIL_SIZE) {
    throw new AppError(
      'InputInvalid',
      `${label} must be a whole number of pixels from ${MIN_THUMBNAIL_SIZE} to ${MAX_THUMBNAIL_SIZE}, got "${String(value)}".`,
    );
  }
  return size;
}

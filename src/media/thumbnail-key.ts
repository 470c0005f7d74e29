import { createHash } from 'node:crypto';
import type { ThumbnailFormat } from './image-processor.js';

/** Thumbnails live here inside an output location's `.winnow/` folder. */
export const THUMBNAILS_FOLDER = 'thumbnails/';
export const THUMBNAIL_SUFFIXES: Record<ThumbnailFormat, string> = { jpeg: '_thumb.jpg', webp: '_thumb.webp' };
/** Where keys that cannot be mirrored go; no sample can map here, as image keys carry an extension. */
const HASHED_FOLDER = '_hashed/';

/** S3 caps keys at 1,024 UTF-8 bytes; file systems cap a path segment at 255. */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/**
 * The thumbnail's key for a sample: `<output>/.winnow/thumbnails/<relative key>_thumb.jpg` (`_thumb.webp`
 * for a WebP one), so it mirrors the sample's folder and name. Keys that could not be written that way
 * (too long once prefixed, or with `.`/`..` segments) go to `thumbnails/_hashed/<sha256 of the key>_thumb.jpg`.
 *
 * @example thumbnailKey('projects/farm/.winnow/', 'cows/a b+1.jpg', 'jpeg') === 'projects/farm/.winnow/thumbnails/cows/a b+1.jpg_thumb.jpg'
 */
export function thumbnailKey(winnowPrefix: string, relativeKey: string, format: ThumbnailFormat): string {
  const suffix = THUMBNAIL_SUFFIXES[format];
  const folder = `${winnowPrefix}${THUMBNAILS_FOLDER}`;
  const mirrored = `${folder}${relativeKey}${suffix}`;
  return isWritableKey(mirrored, `${relativeKey}${suffix}`) ? mirrored : `${folder}${HASHED_FOLDER}${sha256(relativeKey)}${suffix}`;
}

/** The format of a thumbnail by its key's suffix; undefined for a key Winnow would not have written as a thumbnail. */
export function thumbnailFormatOf(key: string): ThumbnailFormat | undefined {
  return (Object.keys(THUMBNAIL_SUFFIXES) as ThumbnailFormat[]).find((format) => key.endsWith(THUMBNAIL_SUFFIXES[format]));
}

/** The folder every thumbnail of an output location lives in. */
export function thumbnailsPrefix(winnowPrefix: string): string {
  return `${winnowPrefix}${THUMBNAILS_FOLDER}`;
}

function isWritableKey(fullKey: string, relativePart: string): boolean {
  if (Buffer.byteLength(fullKey, 'utf8') > MAX_KEY_BYTES) return false;
  return relativePart.split('/').every((segment) => segment !== '.' && segment !== '..' && Buffer.byteLength(segment, 'utf8') <= MAX_SEGMENT_BYTES);
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

import { imageSize } from 'image-size';
import { AppError } from '../errors.js';

export interface ImageHeader {
  /** As displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  format: string;
}

/** Byte counts read in turn until the header parses; most images need only the first. */
export const HEADER_READ_STEPS = [64 * 1024, 1024 * 1024, 16 * 1024 * 1024] as const;

export type ReadRange = (start: number, endInclusive: number) => Promise<Uint8Array>;

/**
 * Reads an image's dimensions with as few ranged reads as possible: 64 KiB first, more
 * only when the header lies further in (large EXIF blocks, TIFF directories), never the
 * whole object unless it is smaller than the next step.
 */
export async function probeImageHeader(readRange: ReadRange, objectSize: number): Promise<ImageHeader> {
  if (objectSize === 0) throw new AppError('ImageUnreadable', 'The file is empty (0 bytes).');
  let bytes: Uint8Array = new Uint8Array(0);
  let lastError: unknown;
  for (const step of HEADER_READ_STEPS) {
    const end = Math.min(step, objectSize) - 1;
    if (end < bytes.length) continue;
    const more = await readRange(bytes.length, end);
    bytes = concat(bytes, more);
    try {
      return parseImageHeader(bytes);
    } catch (error) {
      lastError = error;
    }
    if (bytes.length >= objectSize || more.length === 0) break;
  }
  throw lastError instanceof AppError ? lastError : new AppError('ImageUnreadable', 'The image header could not be read.', { cause: lastError });
}

export function parseImageHeader(bytes: Uint8Array): ImageHeader {
  let result: ReturnType<typeof imageSize>;
  try {
    result = imageSize(bytes);
  } catch (error) {
    throw new AppError('ImageUnreadable', describeImageSizeError(error), { cause: error });
  }
  if (!result.width || !result.height || !result.type) throw new AppError('ImageUnreadable', 'The image declares no dimensions.');
  const rotated = result.orientation !== undefined && result.orientation >= 5 && result.orientation <= 8;
  return {
    width: rotated ? result.height : result.width,
    height: rotated ? result.width : result.height,
    format: result.type === 'jpg' ? 'jpeg' : result.type,
  };
}

function describeImageSizeError(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/unsupported file type/i.test(message)) return 'Not a supported image (unrecognised file signature).';
  return `Corrupt or truncated image header (${message}).`;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

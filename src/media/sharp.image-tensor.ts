import { AppError } from '../errors.js';
import { createByteBudget } from '../shared/byte-budget.js';
import { loadSharp } from './sharp.module.js';
import type { ImageTensorDecoder } from './image-tensor.js';
import { DEFAULT_MAX_INPUT_PIXELS, sharpDecodeOptions, translateSharpError } from './sharp.image-processor.js';

export interface SharpImageTensorOptions {
  maxInputPixels?: number;
  /** Images decoded at once; the rest wait their turn. Unbounded by default. */
  concurrency?: number;
}

/**
 * Decodes images into model inputs (RGB bytes) with sharp (libvips), set up as for thumbnails (see loadSharp).
 *
 * Every image is stretched to size x size (`fit: 'fill'`, what the bundled model was trained
 * with) with shrink-on-load turned off: with it, a JPEG and its pixel-identical PNG copy differ
 * by up to 27/255 at 224 px, because libjpeg's DCT downscaling is not libvips's resampler.
 *
 * libvips runs on libuv's threads, off the caller's thread. Bounding how many images decode at once
 * keeps their pixels in memory few and leaves libuv threads to the reads' DNS lookups and files.
 */
export function createSharpImageTensorDecoder(options: SharpImageTensorOptions = {}): ImageTensorDecoder {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  // One unit per image being decoded.
  const slots = options.concurrency === undefined ? undefined : createByteBudget(Math.max(1, options.concurrency));

  return {
    maxInputPixels,
    async decode(input, size) {
      const { default: sharp } = await loadSharp();
      if (input.length === 0) throw new AppError('ImageUnreadable', 'The file is empty (0 bytes).');
      const decodeOptions = sharpDecodeOptions(maxInputPixels);
      const release = await slots?.acquire(1);
      try {
        const { data, info } = await sharp(input, decodeOptions)
          .autoOrient()
          .resize(size, size, { fit: 'fill', fastShrinkOnLoad: false })
          // Transparent pixels count as black whatever colour they hide (what a browser canvas gives TFJS).
          .flatten({ background: { r: 0, g: 0, b: 0 } })
          .toColourspace('srgb')
          .raw({ depth: 'uchar' })
          .toBuffer({ resolveWithObject: true });
        if (info.channels !== 3 || info.width !== size || info.height !== size) {
          throw new Error(`sharp returned ${info.width}x${info.height}x${info.channels}, not ${size}x${size}x3`);
        }
        return data;
      } catch (error) {
        throw await translateSharpError(error, sharp, input, maxInputPixels);
      } finally {
        release?.();
      }
    },
  };
}

import { AppError } from '../errors.js';
import { loadSharp } from './sharp.module.js';
import type { ImageTensorDecoder, ImageTensorOptions } from './image-tensor.js';
import { DEFAULT_MAX_INPUT_PIXELS, sharpDecodeOptions, translateSharpError } from './sharp.image-processor.js';

export interface SharpImageTensorOptions {
  maxInputPixels?: number;
}

/**
 * Decodes images into model inputs with sharp (libvips), set up as for thumbnails (see loadSharp).
 *
 * Every image is stretched to size x size (`fit: 'fill'`, what the bundled model was trained
 * with) with shrink-on-load turned off: with it, a JPEG and its pixel-identical PNG copy differ
 * by up to 27/255 at 224 px, because libjpeg's DCT downscaling is not libvips's resampler.
 */
export function createSharpImageTensorDecoder(options: SharpImageTensorOptions = {}): ImageTensorDecoder {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;

  return {
    maxInputPixels,
    async decode(input, tensorOptions) {
      const { default: sharp } = await loadSharp();
      if (input.length === 0) throw new AppError('ImageUnreadable', 'The file is empty (0 bytes).');
      const decodeOptions = sharpDecodeOptions(maxInputPixels);
      const { size } = tensorOptions;
      let pixels: Buffer;
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
        pixels = data;
      } catch (error) {
        throw await translateSharpError(error, sharp, input, maxInputPixels);
      }
      return toTensor(pixels, tensorOptions);
    },
  };
}

/** 8-bit interleaved RGB to normalised float32 in the requested layout. */
export function toTensor(pixels: Uint8Array, options: ImageTensorOptions): Float32Array {
  const { size, layout } = options;
  const area = size * size;
  const tensor = new Float32Array(area * 3);
  const [red, green, blue] = channelTables(options);
  if (layout === 'nhwc') {
    for (let i = 0; i < area * 3; i += 3) {
      tensor[i] = red[pixels[i]!]!;
      tensor[i + 1] = green[pixels[i + 1]!]!;
      tensor[i + 2] = blue[pixels[i + 2]!]!;
    }
  } else {
    for (let i = 0, p = 0; i < area; i++, p += 3) {
      tensor[i] = red[pixels[p]!]!;
      tensor[area + i] = green[pixels[p + 1]!]!;
      tensor[2 * area + i] = blue[pixels[p + 2]!]!;
    }
  }
  return tensor;
}

type ChannelTables = [Float32Array, Float32Array, Float32Array];
let lastTables: { mean: readonly number[]; std: readonly number[]; tables: ChannelTables } | undefined;

/** One table per channel (256 possible bytes, so no division per pixel), kept for the next image: a run decodes every image alike. */
function channelTables({ mean, std }: ImageTensorOptions): ChannelTables {
  const same = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
  if (lastTables === undefined || !same(lastTables.mean, mean) || !same(lastTables.std, std)) {
    const table = (channel: number) => {
      const values = new Float32Array(256);
      for (let byte = 0; byte < 256; byte++) values[byte] = (byte / 255 - mean[channel]!) / std[channel]!;
      return values;
    };
    lastTables = { mean: [...mean], std: [...std], tables: [table(0), table(1), table(2)] };
  }
  return lastTables.tables;
}

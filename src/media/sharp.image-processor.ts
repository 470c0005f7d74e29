import type { Readable } from 'node:stream';
import type { Sharp, SharpOptions } from 'sharp';
import { AppError } from '../errors.js';
import { loadSharp } from './sharp.module.js';
import { THUMBNAIL_CONTENT_TYPES, type ImageProcessor, type Thumbnail, type ThumbnailOptions } from './image-processor.js';

/** 16,384 x 16,384 = 268 MP (sharp's default is 0x3FFF squared): above any camera, far below a 50,000 x 50,000 bomb. */
export const DEFAULT_MAX_INPUT_PIXELS = 16_384 * 16_384;
const WEBP_QUALITY = 80;
/** Thumbnail vs original embeddings: cosine median 0.9935, minimum 0.956 on real photos at 400 px (WebP q80: 0.988, 0.912). */
const JPEG_QUALITY = 85;

export interface SharpProcessorOptions {
  maxInputPixels?: number;
}

/** How every decode here opens an image, for thumbnails, model inputs and a second try alike. */
export function sharpDecodeOptions(maxInputPixels: number): SharpOptions {
  return {
    limitInputPixels: maxInputPixels,
    // 'error' also refuses truncated data, yet tolerates the benign warnings many camera JPEGs raise.
    failOn: 'error',
    // Animated GIF/WebP and multi-page TIFF: the first frame only.
    pages: 1,
    page: 0,
  };
}

/** The image library behind thumbnails (see loadSharp for how sharp is set up). */
export function createSharpImageProcessor(options: SharpProcessorOptions = {}): ImageProcessor {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;

  return {
    maxInputPixels,
    async makeThumbnail(input, thumbnailOptions) {
      const { default: sharp } = await loadSharp();
      const decodeOptions: SharpOptions = { ...sharpDecodeOptions(maxInputPixels), sequentialRead: true };
      // sharp collects a stream input into one buffer before decoding anyway; holding it here lets errors read its header.
      const bytes = Buffer.isBuffer(input) ? input : await collect(input);
      if (bytes.length === 0) throw new AppError('ImageUnreadable', 'The file is empty (0 bytes).');
      try {
        return await encodeThumbnail(sharp(bytes, decodeOptions), thumbnailOptions);
      } catch (error) {
        throw await translateSharpError(error, sharp, bytes, maxInputPixels);
      }
    },
  };
}

async function encodeThumbnail(image: Sharp, options: ThumbnailOptions): Promise<Thumbnail> {
  const { hasAlpha } = await image.metadata();
  const format = options.format ?? (hasAlpha ? 'webp' : 'jpeg');
  const resized = image
    .autoOrient()
    .resize({ width: options.size, height: options.size, fit: 'inside', withoutEnlargement: true })
    // CMYK, 16-bit, greyscale and ICC-tagged inputs all end up as 8-bit sRGB.
    .toColourspace('srgb');
  const encoded =
    format === 'webp'
      ? resized.webp({ quality: WEBP_QUALITY })
      : (hasAlpha ? resized.flatten({ background: '#ffffff' }) : resized).jpeg({ quality: JPEG_QUALITY });
  const { data, info } = await encoded.toBuffer({ resolveWithObject: true });
  return { bytes: data, format, contentType: THUMBNAIL_CONTENT_TYPES[format], width: info.width, height: info.height };
}

/** Turns a sharp failure into ImageUnreadable or ImageTooLarge with a readable message. */
export async function translateSharpError(
  error: unknown,
  sharp: (typeof import('sharp'))['default'],
  bytes: Buffer,
  maxInputPixels: number,
): Promise<AppError> {
  const message = firstLine((error as Error).message ?? String(error));
  if (/exceeds pixel limit/i.test(message)) {
    // Reading the header alone is safe whatever it declares; it only serves the message.
    const declared = await sharp(bytes, { limitInputPixels: false })
      .metadata()
      .catch(() => undefined);
    const size =
      declared?.width && declared.height ? `declares ${declared.width.toLocaleString('en-US')} x ${declared.height.toLocaleString('en-US')} pixels, ` : '';
    return new AppError(
      'ImageTooLarge',
      `The image ${size}more than the ${maxInputPixels.toLocaleString('en-US')}-pixel limit (a decompression bomb or a huge scan); it was not decoded.`,
      {
        cause: error,
      },
    );
  }
  if (/unsupported image format/i.test(message))
    return new AppError('ImageUnreadable', 'Not a supported image (unrecognised file signature).', { cause: error });
  if (/empty/i.test(message)) return new AppError('ImageUnreadable', 'The file is empty (0 bytes).', { cause: error });
  const detail = decoderDetail(message) || (await decoderDetailOnSecondTry(sharp, bytes, maxInputPixels)) || 'the decoder gave no detail';
  return new AppError('ImageUnreadable', `Corrupt or truncated image (${detail}).`, { cause: error });
}

function decoderDetail(message: string): string {
  return message.replace(/^Input (file|buffer) has corrupt header:\s*/, '').trim();
}

let secondTries: Promise<unknown> = Promise.resolve();

/**
 * libvips keeps one error buffer per process (lovell/sharp#902): a decode failing on another thread at the same
 * moment can clear it before sharp reads it, leaving "corrupt header:" with no cause. Decoding the same bytes once
 * more, one such retry at a time, names it.
 */
function decoderDetailOnSecondTry(sharp: (typeof import('sharp'))['default'], bytes: Buffer, maxInputPixels: number): Promise<string> {
  const secondTry = secondTries.then(() =>
    sharp(bytes, sharpDecodeOptions(maxInputPixels))
      .raw()
      .toBuffer()
      .then(
        () => '',
        (error: unknown) => decoderDetail(firstLine((error as Error).message ?? String(error))),
      ),
  );
  secondTries = secondTry;
  return secondTry;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? text;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Order of a model's image input: channels first ([N, 3, H, W], PyTorch exports) or last ([N, H, W, 3], TensorFlow). */
export type TensorLayout = 'nchw' | 'nhwc';

/**
 * How an image becomes a model's input: stretched to `size` x `size` RGB, each channel scaled to
 * [0, 1] (byte / 255) then normalised as `(x - mean[c]) / std[c]`. mean 0 and std 1 leave
 * byte / 255; CLIP uses mean (0.4815, 0.4578, 0.4082) and std (0.2686, 0.2613, 0.2758).
 */
export interface ImageTensorOptions {
  size: number;
  layout: TensorLayout;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** What the embedding pipeline needs from an image library; `sharp.image-tensor.ts` implements it. */
export interface ImageTensorDecoder {
  /** Images declaring more pixels than this are refused before they are decoded. */
  readonly maxInputPixels: number;
  /**
   * Decodes an image (EXIF orientation applied, first frame, any colour space or bit depth, alpha
   * composited on black) into `size * size * 3` float32 values in the requested layout. Throws
   * `ImageUnreadable` or `ImageTooLarge` as the thumbnail processor does.
   */
  decode(input: Buffer, options: ImageTensorOptions): Promise<Float32Array>;
}

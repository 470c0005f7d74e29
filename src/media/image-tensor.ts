/** What the embedding pipeline needs from an image library; `sharp.image-tensor.ts` implements it. */
export interface ImageTensorDecoder {
  /** Images declaring more pixels than this are refused before they are decoded. */
  readonly maxInputPixels: number;
  /**
   * Decodes an image (EXIF orientation applied, first frame, any colour space or bit depth, alpha
   * composited on black) stretched to `size` x `size`: `size * size * 3` bytes, RGB, row by row.
   * The model's encoder normalises them into its own input tensor. Throws `ImageUnreadable` or
   * `ImageTooLarge` as the thumbnail processor does.
   */
  decode(input: Buffer, size: number): Promise<Uint8Array>;
}

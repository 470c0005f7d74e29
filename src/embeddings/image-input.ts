import type { ImageEncoderSpec } from './image-encoder.js';

export type ImageInputSpec = Pick<ImageEncoderSpec, 'inputSize' | 'layout' | 'mean' | 'std'>;

/**
 * Writes an image's RGB bytes (`inputSize * inputSize * 3`, row by row) into `target` from
 * `offset` as the model takes it: each channel scaled to [0, 1] (byte / 255) then normalised as
 * `(x - mean[c]) / std[c]`, in the spec's layout (channels last for nhwc, planes for nchw).
 * mean 0 and std 1 leave byte / 255; CLIP uses mean (0.4815, 0.4578, 0.4082) and std (0.2686, 0.2613, 0.2758).
 */
export function writeImageInput(pixels: Uint8Array, spec: ImageInputSpec, target: Float32Array, offset = 0): void {
  const area = spec.inputSize * spec.inputSize;
  const [red, green, blue] = channelTables(spec);
  if (spec.layout === 'nhwc') {
    for (let i = 0; i < area * 3; i += 3) {
      target[offset + i] = red[pixels[i]!]!;
      target[offset + i + 1] = green[pixels[i + 1]!]!;
      target[offset + i + 2] = blue[pixels[i + 2]!]!;
    }
  } else {
    for (let i = 0, p = 0; i < area; i++, p += 3) {
      target[offset + i] = red[pixels[p]!]!;
      target[offset + area + i] = green[pixels[p + 1]!]!;
      target[offset + 2 * area + i] = blue[pixels[p + 2]!]!;
    }
  }
}

/** The model input of one image in a tensor of its own (for a peer model such as TFJS, or a test). */
export function imageInput(pixels: Uint8Array, spec: ImageInputSpec): Float32Array {
  const tensor = new Float32Array(spec.inputSize * spec.inputSize * 3);
  writeImageInput(pixels, spec, tensor);
  return tensor;
}

type ChannelTables = [Float32Array, Float32Array, Float32Array];
let lastTables: { mean: readonly number[]; std: readonly number[]; tables: ChannelTables } | undefined;

/** One table per channel (256 possible bytes, so no division per pixel), kept for the next image: a run feeds every image alike. */
function channelTables({ mean, std }: ImageInputSpec): ChannelTables {
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

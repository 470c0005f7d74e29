import { AppError } from '../errors.js';

/** How a registered model is fed and read (`winnow model add ... --input-size --layout --mean --std --output`). */
export interface ImageEncoderSpec {
  /** Images are stretched to inputSize x inputSize. */
  inputSize: number;
  layout: 'nchw' | 'nhwc';
  /** Per channel (R, G, B), on pixels scaled to [0, 1]: x' = (x - mean) / std. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** The output holding the embedding; may be left out when the model has exactly one output. */
  output?: string;
}

/** An input or output as the model file declares it. */
export interface TensorDescription {
  name: string;
  /** `float32`, `int64`, ...; `non-tensor` for sequences and maps. */
  type: string;
  /** Sizes, or names for sizes fixed only at run time (`batch`, `N`, ...); empty when the file declares no shape. */
  dims: ReadonlyArray<number | string>;
}

export interface ModelDescription {
  inputs: TensorDescription[];
  outputs: TensorDescription[];
}

/** What validation settles: which tensors to use and what the embedding will look like. */
export interface ImageEncoderPlan {
  input: string;
  output: string;
  /** Values per image, when the file declares them (otherwise learnt on a trial run). */
  dimensions: number | undefined;
  /** Images per run: undefined when the batch size is free, 1 when the file fixes it to 1. */
  maxBatch: number | undefined;
}

/** Runs an image model on decoded images and returns unit-length embeddings. */
export interface ImageEncoder {
  readonly spec: ImageEncoderSpec;
  readonly plan: ImageEncoderPlan;
  /** Length of every embedding. */
  readonly dimensions: number;
  /**
   * Embeds a batch: each image is `inputSize * inputSize * 3` RGB bytes, row by row (media's
   * `ImageTensorDecoder` gives them), normalised here as the spec says (`writeImageInput`).
   * Returns one unit-length vector per image, in order; an all-zero output stays all zero.
   */
  encode(images: readonly Uint8Array[]): Promise<Float32Array[]>;
  close(): Promise<void>;
}

export const MIN_INPUT_SIZE = 16;
export const MAX_INPUT_SIZE = 4096;

/** Checks the user's spec on its own (sizes, channels, a std of 0) before the model is opened. */
export function validateImageEncoderSpec(spec: ImageEncoderSpec): ImageEncoderSpec {
  const problems: string[] = [];
  if (!Number.isInteger(spec.inputSize) || spec.inputSize < MIN_INPUT_SIZE || spec.inputSize > MAX_INPUT_SIZE) {
    problems.push(`--input-size must be a whole number of pixels from ${MIN_INPUT_SIZE} to ${MAX_INPUT_SIZE}, got ${String(spec.inputSize)}`);
  }
  if (spec.layout !== 'nchw' && spec.layout !== 'nhwc') problems.push(`--layout must be nchw or nhwc, got ${String(spec.layout)}`);
  for (const [label, values] of [
    ['--mean', spec.mean],
    ['--std', spec.std],
  ] as const) {
    if (!Array.isArray(values) || values.length !== 3 || !values.every((value) => Number.isFinite(value))) {
      problems.push(`${label} must be three numbers r,g,b (on pixels scaled to 0..1), got ${JSON.stringify(values)}`);
    }
  }
  if (Array.isArray(spec.std) && spec.std.some((value) => value <= 0)) problems.push(`--std values must be positive, got ${spec.std.join(',')}`);
  if (spec.output !== undefined && spec.output.trim() === '') problems.push('--output must name one of the model outputs');
  if (problems.length > 0) throw new AppError('InputInvalid', `Invalid image model settings:\n  - ${problems.join('\n  - ')}`, { details: { problems } });
  return spec;
}

/**
 * Checks that a model, as its file describes it, is an image encoder that `spec` can feed: one
 * float32 input of rank 4 with 3 channels where the layout puts them and the spatial size given,
 * and a float32 output of one vector per image (named by `spec.output`, or the only output).
 * Throws `ModelInvalid` saying what is wrong and how to fix it.
 */
export function validateImageEncoder(description: ModelDescription, spec: ImageEncoderSpec): ImageEncoderPlan {
  const input = imageInput(description.inputs, spec);
  const output = embeddingOutput(description.outputs, spec);
  const batchIn = input.dims[0];
  const batchOut = output.dims[0];
  const fixedBatch = typeof batchIn === 'number' ? batchIn : typeof batchOut === 'number' ? batchOut : undefined;
  if (fixedBatch !== undefined && fixedBatch !== 1) {
    throw invalid(`its input ${input.name} has a fixed batch size of ${fixedBatch}`, 'Export the model with a dynamic (or 1) batch dimension.');
  }
  const perImage = output.dims.slice(1);
  const dimensions =
    perImage.length > 0 && perImage.every((dim): dim is number => typeof dim === 'number') ? perImage.reduce((product, dim) => product * dim, 1) : undefined;
  return { input: input.name, output: output.name, dimensions, maxBatch: fixedBatch };
}

function imageInput(inputs: TensorDescription[], spec: ImageEncoderSpec): TensorDescription {
  if (inputs.length !== 1) {
    const listed = inputs.map(describeTensor).join(', ');
    throw invalid(
      `it takes ${inputs.length} inputs (${listed || 'none'}); an image encoder takes one image tensor`,
      "Export only the image tower (e.g. CLIP's vision model with its projection), whose single input is the pixels.",
    );
  }
  const input = inputs[0]!;
  if (input.type !== 'float32') {
    throw invalid(
      `its input ${describeTensor(input)} is ${input.type}, not float32 pixels`,
      'A text tower or a quantised input is not an image encoder; export the image model with float32 input.',
    );
  }
  const expected = spec.layout === 'nchw' ? `[N, 3, ${spec.inputSize}, ${spec.inputSize}]` : `[N, ${spec.inputSize}, ${spec.inputSize}, 3]`;
  if (input.dims.length !== 4) {
    const rank = input.dims.length === 0 ? 'no declared shape' : `rank ${input.dims.length} (${formatDims(input.dims)})`;
    throw invalid(`its input ${input.name} has ${rank}; an image input has rank 4, ${expected} for --layout ${spec.layout}`);
  }
  const [channelAxis, heightAxis, widthAxis] = spec.layout === 'nchw' ? [1, 2, 3] : [3, 1, 2];
  const channels = input.dims[channelAxis];
  if (typeof channels === 'number' && channels !== 3) {
    const other = spec.layout === 'nchw' ? 'nhwc' : 'nchw';
    const otherChannels = input.dims[other === 'nchw' ? 1 : 3];
    throw invalid(
      `its input ${input.name} ${formatDims(input.dims)} has ${channels} channels where --layout ${spec.layout} puts them; ${expected} was expected`,
      otherChannels === 3 ? `Use --layout ${other}.` : 'Winnow feeds RGB images (3 channels).',
    );
  }
  for (const axis of [heightAxis, widthAxis]) {
    const size = input.dims[axis];
    if (typeof size === 'number' && size !== spec.inputSize) {
      throw invalid(
        `its input ${input.name} ${formatDims(input.dims)} takes ${size}-pixel images, not --input-size ${spec.inputSize}`,
        `Use --input-size ${size}.`,
      );
    }
  }
  return input;
}

function embeddingOutput(outputs: TensorDescription[], spec: ImageEncoderSpec): TensorDescription {
  const listed = outputs.map(describeTensor).join(', ');
  let output: TensorDescription | undefined;
  if (spec.output !== undefined) {
    output = outputs.find((candidate) => candidate.name === spec.output);
    if (!output) throw invalid(`it has no output named ${spec.output}; its outputs are ${listed || 'none'}`, 'Pass one of those names with --output.');
  } else if (outputs.length === 1) {
    output = outputs[0]!;
  } else {
    throw invalid(
      `it has ${outputs.length} outputs (${listed || 'none'}) and --output does not say which holds the embedding`,
      'Pass --output with the name of the pooled image embedding.',
    );
  }
  if (output.type !== 'float32') throw invalid(`its output ${describeTensor(output)} is ${output.type}, not float32`);
  // [N, D] and [N, D, 1, 1] (a pooled feature map) are one vector per image; [N, tokens, D] is not.
  // An output without a declared shape is checked on the trial run instead.
  const spatial = output.dims.slice(2);
  if (output.dims.length === 1 || !spatial.every((dim) => dim === 1)) {
    throw invalid(
      `its output ${describeTensor(output)} is not one vector per image (expected [N, D] or [N, D, 1, 1])`,
      'Choose a pooled output with --output (e.g. image_embeds or pooler_output), not per-token or per-pixel features.',
    );
  }
  return output;
}

function invalid(reason: string, hint?: string): AppError {
  return new AppError('ModelInvalid', `This model cannot be used as an image encoder: ${reason}.`, hint === undefined ? {} : { hint });
}

function describeTensor(tensor: TensorDescription): string {
  return `${tensor.name} ${tensor.type}${formatDims(tensor.dims)}`;
}

function formatDims(dims: ReadonlyArray<number | string>): string {
  return dims.length === 0 ? '' : `[${dims.join(', ')}]`;
}

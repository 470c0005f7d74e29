import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';
import { AppError } from '../errors.js';
import {
  validateImageEncoder,
  validateImageEncoderSpec,
  type ImageEncoder,
  type ImageEncoderPlan,
  type ImageEncoderSpec,
  type ModelDescription,
  type TensorDescription,
} from './image-encoder.js';
import { writeImageInput } from './image-input.js';
import { normalizeInPlace } from './vectors.js';

type OrtModule = typeof import('onnxruntime-node');

export interface OnnxSessionOptions {
  /** onnxruntime's intra-op threads (the threads one batch runs on); 0 or undefined: one per core (`availableParallelism`). */
  threads?: number;
  /**
   * Whether idle intra-op threads spin between runs (onnxruntime's default) instead of sleeping.
   * Off by default: Winnow decodes the next images while the model runs, and spinning threads take
   * the cores those decoders need (on 2 busy cores, 2 spinning threads halved even the model's own rate).
   */
  spinWait?: boolean;
}

let loaded: Promise<OrtModule> | undefined;
/** onnxruntime's native library loads on first use: a CLI command that embeds nothing does not pay for it. */
const loadOrt = () => (loaded ??= import('onnxruntime-node'));

/** Opens an ONNX file and lists its inputs and outputs (names, types, dims), for registration and `model show`. */
export async function describeOnnxModel(file: string): Promise<ModelDescription> {
  const session = await openSession(file, {});
  try {
    return describeSession(session);
  } finally {
    await session.release();
  }
}

/**
 * Opens an ONNX image model for embedding. The spec is checked, then the model's declared inputs
 * and outputs (`validateImageEncoder`), then a trial run on blank images proves the model runs
 * with this input size and batching and gives one vector per image; every failure is a
 * `ModelUnreadable` or `ModelInvalid` error raised here, before any real image is read.
 *
 * @example
 * const encoder = await openOnnxImageEncoder('/home/me/.winnow/models/clip-b32.onnx',
 *   { inputSize: 224, layout: 'nchw', mean: [0.4815, 0.4578, 0.4082], std: [0.2686, 0.2613, 0.2758], output: 'image_embeds' },
 *   { threads: 2 });
 * const [vector] = await encoder.encode([pixels]); // 224 x 224 RGB bytes in, a unit-length vector out
 */
export async function openOnnxImageEncoder(file: string, spec: ImageEncoderSpec, options: OnnxSessionOptions = {}): Promise<ImageEncoder> {
  validateImageEncoderSpec(spec);
  const ort = await loadOrt();
  const session = await openSession(file, options);
  try {
    const plan = validateImageEncoder(describeSession(session), spec);
    const imageSize = spec.inputSize * spec.inputSize * 3;
    const dims = (batch: number) => (spec.layout === 'nchw' ? [batch, 3, spec.inputSize, spec.inputSize] : [batch, spec.inputSize, spec.inputSize, 3]);

    // The batch's input array is kept for the next batch: a fresh one (10 MB for 16 images at 224 px) costs its
    // zeroing and page faults every time. A run that overlaps another (sessions are shared) makes its own.
    const kept: { batch?: Float32Array | undefined } = {};
    const run = async (images: readonly Uint8Array[]): Promise<Float32Array[]> => {
      const length = images.length * imageSize;
      const buffer = kept.batch !== undefined && kept.batch.length >= length ? kept.batch : new Float32Array(length);
      kept.batch = undefined;
      try {
        const batch = buffer.length === length ? buffer : buffer.subarray(0, length);
        images.forEach((image, index) => {
          if (image.length !== imageSize)
            throw new Error(`Image ${index} has ${image.length} bytes; ${imageSize} (${spec.inputSize}x${spec.inputSize}x3) were expected.`);
          writeImageInput(image, spec, batch, index * imageSize);
        });
        const input = new ort.Tensor('float32', batch, dims(images.length));
        const results = await session.run({ [plan.input]: input }, [plan.output]);
        const output = results[plan.output]!;
        try {
          if (output.type !== 'float32') throw new Error(`output ${plan.output} is ${output.type}, not float32`);
          if (output.dims[0] !== images.length) throw new Error(`output ${plan.output} has shape [${output.dims.join(', ')}] for ${images.length} images`);
          const values = output.data as Float32Array;
          const perImage = values.length / images.length;
          return images.map((_, index) => normalizeInPlace(values.slice(index * perImage, (index + 1) * perImage)));
        } finally {
          output.dispose();
          input.dispose();
        }
      } finally {
        // Read again: an overlapping run may have put its own back meanwhile (the compiler cannot see that across the await).
        const other = kept.batch as Float32Array | undefined;
        if (other === undefined || other.length < buffer.length) kept.batch = buffer;
      }
    };

    const dimensions = await trialRun(run, plan, spec, imageSize);
    return {
      spec,
      plan,
      dimensions,
      async encode(images) {
        if (plan.maxBatch === undefined) return run(images);
        const vectors: Float32Array[] = [];
        for (let start = 0; start < images.length; start += plan.maxBatch) vectors.push(...(await run(images.slice(start, start + plan.maxBatch))));
        return vectors;
      },
      close: () => session.release(),
    };
  } catch (error) {
    await session.release();
    throw error;
  }
}

/** Two blank images (one when the batch is fixed to 1): the model must run and give one vector of a fixed length per image. */
async function trialRun(
  run: (images: Uint8Array[]) => Promise<Float32Array[]>,
  plan: ImageEncoderPlan,
  spec: ImageEncoderSpec,
  imageSize: number,
): Promise<number> {
  const count = plan.maxBatch ?? 2;
  const shape = spec.layout === 'nchw' ? `${count}x3x${spec.inputSize}x${spec.inputSize}` : `${count}x${spec.inputSize}x${spec.inputSize}x3`;
  let vectors: Float32Array[];
  try {
    vectors = await run(Array.from({ length: count }, () => new Uint8Array(imageSize)));
  } catch (error) {
    throw new AppError('ModelInvalid', `This model cannot be used as an image encoder: a trial run on ${shape} blank images failed (${firstLine(error)}).`, {
      cause: error,
      hint: 'Check --input-size and --layout against the model, and that it was exported with a dynamic batch dimension.',
    });
  }
  const dimensions = vectors[0]!.length;
  if (plan.dimensions !== undefined && dimensions !== plan.dimensions) {
    throw new AppError(
      'ModelInvalid',
      `This model cannot be used as an image encoder: its output ${plan.output} declares ${plan.dimensions} values per image but gave ${dimensions}.`,
    );
  }
  if (dimensions < 2)
    throw new AppError(
      'ModelInvalid',
      `This model cannot be used as an image encoder: its output ${plan.output} gives ${dimensions} value per image, not a vector.`,
    );
  return dimensions;
}

async function openSession(file: string, options: OnnxSessionOptions): Promise<InferenceSession> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new AppError('ModelUnreadable', `${file} is not a file.`, { hint: 'Give the path of an .onnx file.' });
    size = info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'there is no such file' : code === 'EACCES' ? 'permission denied' : firstLine(error);
    throw new AppError('ModelUnreadable', `Cannot read the model ${file}: ${reason}.`, { cause: error });
  }
  if (size === 0) throw new AppError('ModelUnreadable', `The model ${file} is empty (0 bytes).`);
  const ort = await loadOrt();
  try {
    return await ort.InferenceSession.create(file, onnxSessionOptions(options));
  } catch (error) {
    const message = firstLine(error);
    if (/protobuf parsing failed|does not have a graph/i.test(message)) {
      throw new AppError('ModelUnreadable', `${file} is not an ONNX model (or is truncated or corrupt): onnxruntime cannot parse it.`, {
        cause: error,
        hint: 'Export the model with torch.onnx.export or tf2onnx and give the .onnx file.',
      });
    }
    throw new AppError('ModelInvalid', `onnxruntime cannot load ${file}: ${message.replace(/^Load model from \S+ failed:\s*/, '')}`, { cause: error });
  }
}

/** How Winnow opens an image model in onnxruntime (bench:embed opens its raw peer the same way). */
export function onnxSessionOptions(options: OnnxSessionOptions): InferenceSession.SessionOptions {
  return {
    // Never onnxruntime's own default (0): on 2 cores it ran the default model at 108-112 images/s against 164-165 with
    // the 2 threads given (real photos, batch 8, three alternating rounds).
    intraOpNumThreads: options.threads || availableParallelism(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: options.spinWait === true ? '1' : '0' }, inter_op: { allow_spinning: '0' } } },
  };
}

function describeSession(session: InferenceSession): ModelDescription {
  const describe = (metadata: readonly InferenceSession.ValueMetadata[]): TensorDescription[] =>
    metadata.map((value) =>
      value.isTensor ? { name: value.name, type: value.type, dims: [...value.shape] } : { name: value.name, type: 'non-tensor', dims: [] },
    );
  return { inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

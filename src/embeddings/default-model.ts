import type { ImageEncoderSpec } from './image-encoder.js';
import { ensureCachedModel, type CachedModel } from './model-cache.js';
import { nsfwjsVersion, readNsfwjsGraphModel } from './nsfwjs.model-files.js';
import { TFJS_TO_ONNX_CONVERTER_VERSION, convertTfjsGraphToOnnx } from './tfjs-graph-to-onnx.js';

/**
 * The model Winnow embeds with when the user brought none: MobileNetV2 (depth multiplier 1.4,
 * 224 px), pretrained on ImageNet and fine-tuned by nsfwjs on a 5-class content-moderation task
 * (drawing, hentai, neutral, porn, sexy), shipped as a TFJS graph model inside nsfwjs (MIT) and
 * converted to ONNX on first use. Good for near-duplicates and visual diversity; weak on semantics.
 */
export const DEFAULT_MODEL_NAME = 'mobilenet-v2-nsfwjs';
const NSFWJS_FOLDER = 'mobilenet_v2_mid';
/** The 1792-d global-average-pooled features, before nsfwjs's 5-class head. */
const FEATURE_NODE =
  'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';
const CLASSIFIER_NODE = 'Identity';

/** The converted model's two outputs. */
export const DEFAULT_MODEL_OUTPUTS = { embedding: 'feature_vector', classes: 'probabilities' } as const;
/** nsfwjs's class order in `probabilities`. */
export const DEFAULT_MODEL_CLASSES = ['drawing', 'hentai', 'neutral', 'porn', 'sexy'] as const;
export const DEFAULT_MODEL_DIMENSIONS = 1792;

/**
 * Input `input`: NHWC float32 [N, 224, 224, 3], RGB / 255 (mean 0, std 1), images stretched to
 * 224 x 224; the graph itself maps [0, 1] to MobileNet's [-1, 1].
 */
export const DEFAULT_MODEL_SPEC: ImageEncoderSpec = {
  inputSize: 224,
  layout: 'nhwc',
  mean: [0, 0, 0],
  std: [1, 1, 1],
  output: DEFAULT_MODEL_OUTPUTS.embedding,
};

/** Converts nsfwjs's MobileNetV2 graph to ONNX bytes, with the feature vector and the classifier as outputs. */
export function convertDefaultModel(): { bytes: Uint8Array; source: string } {
  const files = readNsfwjsGraphModel(NSFWJS_FOLDER);
  const source = `nsfwjs@${files.version} dist/models/${NSFWJS_FOLDER}`;
  const bytes = convertTfjsGraphToOnnx(files.model, files.weightData, {
    graphName: DEFAULT_MODEL_NAME,
    outputs: [
      { node: FEATURE_NODE, name: DEFAULT_MODEL_OUTPUTS.embedding },
      { node: CLASSIFIER_NODE, name: DEFAULT_MODEL_OUTPUTS.classes },
    ],
    metadata: {
      source,
      license: `MIT (nsfwjs ${files.version})`,
      input: 'input: float32 [N, 224, 224, 3] NHWC, RGB / 255, stretched to 224 x 224',
      classes: DEFAULT_MODEL_CLASSES.join(','),
    },
  });
  return { bytes, source };
}

/**
 * `<modelsDir>/mobilenet-v2-nsfwjs.onnx`, converted from nsfwjs on first use (about a quarter of a
 * second, 17 MB) and reused while its sha256 matches its sidecar; `built` and `buildMs` in the
 * result say when this call converted it.
 */
export async function ensureDefaultModel(modelsDir: string): Promise<CachedModel> {
  return ensureCachedModel(modelsDir, {
    name: DEFAULT_MODEL_NAME,
    builder: 'tfjs-graph-to-onnx',
    builderVersion: String(TFJS_TO_ONNX_CONVERTER_VERSION),
    source: `nsfwjs@${nsfwjsVersion()} dist/models/${NSFWJS_FOLDER}`,
    build: () => convertDefaultModel().bytes,
  });
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { load } from 'nsfwjs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { createSharpImageTensorDecoder } from '../media/sharp.image-tensor.js';
import { DEFAULT_MODEL_OUTPUTS, DEFAULT_MODEL_SPEC, convertDefaultModel } from './default-model.js';
import { writeImageInput } from './image-input.js';
import type { TfjsGraphModel } from './tfjs-graph-model.js';
import { convertTfjsGraphToOnnx } from './tfjs-graph-to-onnx.js';

const PHOTOS = resolve(import.meta.dirname, '../../test/fixtures/photos');
const FEATURE_NODE =
  'StatefulPartitionedCall/sequential/keras_layer/StatefulPartitionedCall/StatefulPartitionedCall/StatefulPartitionedCall/predict/feature_vector/SpatialSqueeze';

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('TFJS graph model to ONNX', () => {
  it('gives the feature vector and the classes TensorFlow.js gives for the same photos (max abs difference < 1e-4)', async () => {
    // Four real photos (colour and greyscale), decoded once and fed to both runtimes as one batch.
    const decoder = createSharpImageTensorDecoder();
    const names = ['chelsea.jpg', 'coffee.jpg', 'rocket.jpg', 'camera.jpg'];
    const imageSize = 224 * 224 * 3;
    const batch = new Float32Array(names.length * imageSize);
    for (const [index, name] of names.entries()) {
      writeImageInput(await decoder.decode(readFileSync(resolve(PHOTOS, name)), DEFAULT_MODEL_SPEC.inputSize), DEFAULT_MODEL_SPEC, batch, index * imageSize);
    }

    const session = await ort.InferenceSession.create(convertDefaultModel().bytes, { intraOpNumThreads: 2 });
    const onnx = await session.run({ input: new ort.Tensor('float32', batch, [names.length, 224, 224, 3]) });
    await session.release();

    // The reference: nsfwjs's own loader and TensorFlow.js's CPU backend, offline.
    await tf.setBackend('cpu');
    const reference = await load('MobileNetV2Mid');
    const input = tf.tensor4d(batch, [names.length, 224, 224, 3]);
    const [features, classes] = reference.model.execute(input, [FEATURE_NODE, 'Identity']) as tf.Tensor[];
    const expectedFeatures = await features!.data();
    const expectedClasses = await classes!.data();
    tf.dispose([input, features!, classes!]);

    expect(onnx[DEFAULT_MODEL_OUTPUTS.embedding]!.dims).toEqual([names.length, 1792]);
    expect(onnx[DEFAULT_MODEL_OUTPUTS.classes]!.dims).toEqual([names.length, 5]);
    // Features reach about 5 and are non-negative (after ReLU6 and average pooling).
    expect(Math.max(...expectedFeatures)).toBeGreaterThan(1);
    expect(Math.min(...expectedFeatures)).toBeGreaterThanOrEqual(0);
    expect(maxAbsDifference(onnx[DEFAULT_MODEL_OUTPUTS.embedding]!.data as Float32Array, expectedFeatures)).toBeLessThan(1e-4);
    expect(maxAbsDifference(onnx[DEFAULT_MODEL_OUTPUTS.classes]!.data as Float32Array, expectedClasses)).toBeLessThan(1e-4);
  });

  it('converts deterministically: the same model gives the same bytes', () => {
    expect(Buffer.compare(Buffer.from(convertDefaultModel().bytes), Buffer.from(convertDefaultModel().bytes))).toBe(0);
  });

  it('names the node and the op it cannot convert', () => {
    const model: TfjsGraphModel = {
      format: 'graph-model',
      modelTopology: {
        node: [
          { name: 'input', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }] } } } },
          { name: 'gelu', op: 'Gelu', input: ['input'] },
        ],
      },
      weightsManifest: [],
    };
    expect(() => convertTfjsGraphToOnnx(model, new Uint8Array(0), { outputs: [{ node: 'gelu', name: 'out' }] })).toThrow(
      'Node gelu: op Gelu is not supported (supported: Mul, Sub, AddV2, _FusedConv2D, FusedDepthwiseConv2dNative, AvgPool, Squeeze, _FusedMatMul, Softmax).',
    );
  });
});

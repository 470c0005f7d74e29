/**
 * The parts of a TensorFlow.js graph model (`model.json` + weight shards) that the ONNX
 * converter reads. The format is documented with tfjs-converter; only what is read is typed.
 */
export interface TfjsGraphModel {
  format: string;
  modelTopology: { node: TfjsNode[] };
  weightsManifest: TfjsWeightGroup[];
}

export interface TfjsNode {
  name: string;
  op: string;
  /** Input tensor names: `node`, `node:1` for a second output, `^node` for a control dependency. */
  input?: string[];
  attr?: Record<string, TfjsAttrValue>;
}

/** A tensorflow AttrValue as JSON: strings are base64, 64-bit integers are decimal strings. */
export interface TfjsAttrValue {
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: string[]; f?: number[] };
  shape?: { dim?: Array<{ size?: string }>; unknownRank?: boolean };
}

export interface TfjsWeightGroup {
  paths: string[];
  weights: TfjsWeightSpec[];
}

export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number };
}

export interface DecodedWeight {
  shape: number[];
  values: Float32Array;
}

/**
 * Decodes every weight of the manifest from the shards' bytes (all groups, in manifest order,
 * concatenated), undoing uint8/uint16 quantisation as tfjs-core does (`q * scale + min`, rounded
 * once to float32), so the values are the ones TensorFlow.js computes with.
 */
export function decodeTfjsWeights(manifest: readonly TfjsWeightGroup[], data: Uint8Array): Map<string, DecodedWeight> {
  const weights = new Map<string, DecodedWeight>();
  let offset = 0;
  for (const spec of manifest.flatMap((group) => group.weights)) {
    const size = spec.shape.reduce((product, dim) => product * dim, 1);
    if (spec.dtype !== 'float32') throw new Error(`Weight ${spec.name} is ${spec.dtype}; only float32 weights are supported.`);
    const quantization = spec.quantization;
    const bytesPerValue = quantization === undefined ? 4 : quantization.dtype === 'uint8' ? 1 : quantization.dtype === 'uint16' ? 2 : 0;
    if (bytesPerValue === 0) throw new Error(`Weight ${spec.name} is quantised as ${quantization?.dtype}; only uint8 and uint16 are supported.`);
    const end = offset + size * bytesPerValue;
    if (end > data.length) throw new Error(`The weight shards hold ${data.length} bytes; weight ${spec.name} needs bytes ${offset} to ${end}.`);
    const bytes = data.slice(offset, end);
    let values: Float32Array;
    if (quantization === undefined) {
      values = new Float32Array(bytes.buffer, 0, size);
    } else {
      const { min, scale } = quantization;
      if (min === undefined || scale === undefined) throw new Error(`Weight ${spec.name} is quantised without min and scale.`);
      const quantized = bytesPerValue === 1 ? bytes : new Uint16Array(bytes.buffer, 0, size);
      values = new Float32Array(size);
      for (let i = 0; i < size; i++) values[i] = quantized[i]! * scale + min;
    }
    weights.set(spec.name, { shape: spec.shape, values });
    offset = end;
  }
  if (offset !== data.length) throw new Error(`The weight shards hold ${data.length} bytes but the manifest describes ${offset}.`);
  return weights;
}

import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX element types used here (TensorProto.DataType). */
export type OnnxElementType = 'float32' | 'int64' | 'int32' | 'uint8' | 'int8';
const ELEMENT_TYPES: Record<OnnxElementType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  uint8: onnx.TensorProto.DataType.UINT8,
  int8: onnx.TensorProto.DataType.INT8,
};

/** A dimension: a size, or a name for a size known only at run time (the batch). */
export type OnnxDim = number | string;
/** An attribute value: a whole number is an INT, `{ float }` a FLOAT, an array INTS. */
export type OnnxAttribute = number | { float: number } | string | number[] | { floats: number[] };

/** The ONNX opset the builder declares; 13 has Squeeze with axes as an input and Clip with min/max inputs. */
export const ONNX_OPSET = 13;
/** IR version 7 goes with opset 13. */
const IR_VERSION = 7;

/**
 * A small writer of ONNX models: initializers, nodes, typed inputs and outputs, then `encode()`.
 * It checks nothing about the graph itself; onnxruntime does that when the model loads.
 */
export class OnnxModelBuilder {
  private readonly nodes: InstanceType<typeof onnx.NodeProto>[] = [];
  private readonly initializers: InstanceType<typeof onnx.TensorProto>[] = [];
  private readonly inputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly outputs: InstanceType<typeof onnx.ValueInfoProto>[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly graphName: string) {}

  /** Adds a constant tensor; `values` are written as raw little-endian bytes. */
  initializer(name: string, dims: readonly number[], values: Float32Array | BigInt64Array | Int32Array | Uint8Array): string {
    this.claim(name);
    const type: OnnxElementType =
      values instanceof Float32Array ? 'float32' : values instanceof BigInt64Array ? 'int64' : values instanceof Int32Array ? 'int32' : 'uint8';
    const size = dims.reduce((product, dim) => product * dim, 1);
    if (size !== values.length) throw new Error(`Initializer ${name}: ${values.length} values for shape [${dims.join(', ')}].`);
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    this.initializers.push(onnx.TensorProto.create({ name, dims: [...dims], dataType: ELEMENT_TYPES[type], rawData }));
    return name;
  }

  input(name: string, type: OnnxElementType, dims: readonly OnnxDim[]): string {
    this.claim(name);
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares an existing tensor as a graph output; `dims` may be undefined when the shape is not known. */
  output(name: string, type: OnnxElementType, dims: readonly OnnxDim[] | undefined): void {
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a node whose single output is named `output`; returns that name. */
  node(opType: string, inputs: readonly string[], output: string, attributes: Record<string, OnnxAttribute> = {}): string {
    this.claim(output);
    this.nodes.push(
      onnx.NodeProto.create({
        name: output,
        opType,
        input: [...inputs],
        output: [output],
        attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
      }),
    );
    return output;
  }

  /** Adds a node with several outputs (TopK gives values and indices). */
  nodeWithOutputs(opType: string, inputs: readonly string[], outputs: readonly string[], attributes: Record<string, OnnxAttribute> = {}): void {
    for (const output of outputs) this.claim(output);
    this.nodes.push(
      onnx.NodeProto.create({
        name: outputs[0]!,
        opType,
        input: [...inputs],
        output: [...outputs],
        attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
      }),
    );
  }

  /** A tensor name not used yet, derived from `base`. */
  unique(base: string): string {
    if (!this.names.has(base)) return base;
    for (let i = 1; ; i++) if (!this.names.has(`${base}_${i}`)) return `${base}_${i}`;
  }

  encode(metadata: Record<string, string> = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'winnow',
      opsetImport: [onnx.OperatorSetIdProto.create({ domain: '', version: ONNX_OPSET })],
      metadataProps: Object.entries(metadata).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value })),
      graph: onnx.GraphProto.create({
        name: this.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
    return onnx.ModelProto.encode(model).finish();
  }

  private claim(name: string): void {
    if (this.names.has(name)) throw new Error(`Tensor name ${name} is used twice.`);
    this.names.add(name);
  }
}

function valueInfo(name: string, type: OnnxElementType, dims: readonly OnnxDim[] | undefined) {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType: ELEMENT_TYPES[type],
        ...(dims === undefined
          ? {}
          : { shape: onnx.TensorShapeProto.create({ dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) }) }),
      }),
    }),
  });
}

function attribute(name: string, value: OnnxAttribute) {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`Attribute ${name}: ${value} is not a whole number; write { float: ${value} }.`);
    return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: value });
  }
  if (typeof value === 'string') return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: value });
  if ('float' in value) return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: value.float });
  return onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: value.floats });
}

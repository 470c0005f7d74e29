import { OnnxModelBuilder } from './onnx-model-builder.js';
import { decodeTfjsWeights, type DecodedWeight, type TfjsAttrValue, type TfjsGraphModel, type TfjsNode } from './tfjs-graph-model.js';

/** Bump whenever the converter's output for the same TFJS model changes: cached `.onnx` files of another version are rebuilt. */
export const TFJS_TO_ONNX_CONVERTER_VERSION = 1;

/** The TFJS ops the converter knows (besides Placeholder, Const and Identity), each with a direct ONNX equivalent. */
export const SUPPORTED_TFJS_OPS = [
  'Mul',
  'Sub',
  'AddV2',
  '_FusedConv2D',
  'FusedDepthwiseConv2dNative',
  'AvgPool',
  'Squeeze',
  '_FusedMatMul',
  'Softmax',
] as const;

export interface TfjsToOnnxOptions {
  /** Graph outputs: the TFJS node whose value is wanted, and the name of the ONNX output that carries it. */
  outputs: ReadonlyArray<{ node: string; name: string }>;
  /** Name of the ONNX graph; default `converted`. */
  graphName?: string;
  /** Written into the model's metadata_props (source, licence, preprocessing). */
  metadata?: Record<string, string>;
}

/** A dimension of a logical (TensorFlow-order) shape; `batch` is the free first dimension. */
type Dim = number | 'batch';

/**
 * A converted tensor. `shape` is always in TensorFlow's order (NHWC for images); `layout` says
 * whether the ONNX tensor holds a 4-D value transposed to NCHW, the order ONNX's Conv and
 * AveragePool work in. Transposes are added only where the layout has to change.
 */
interface Value {
  name: string;
  shape: Dim[];
  layout: 'nhwc' | 'nchw' | 'plain';
}

/**
 * Converts a TensorFlow.js graph model (its JSON and the bytes of its weight shards, concatenated
 * in manifest order) to an ONNX model (opset 13), and returns the model's bytes.
 *
 * Only the nodes the requested outputs depend on are converted. The ONNX input has the TFJS
 * placeholder's name, type and shape, in the same layout: an NHWC image model stays NHWC at its
 * input (a Transpose to NCHW follows it inside the graph). Weights are dequantised exactly as
 * TensorFlow.js does, and the conversion is deterministic: the same model gives the same bytes.
 * Ops outside {@link SUPPORTED_TFJS_OPS} throw an error naming the node.
 *
 * @example
 * const onnxBytes = convertTfjsGraphToOnnx(modelJson, shardBytes, {
 *   outputs: [{ node: 'Identity', name: 'probabilities' }],
 * });
 */
export function convertTfjsGraphToOnnx(model: TfjsGraphModel, weightData: Uint8Array, options: TfjsToOnnxOptions): Uint8Array {
  if (model.format !== 'graph-model') throw new Error(`Not a TFJS graph model (format "${model.format}").`);
  if (options.outputs.length === 0) throw new Error('At least one output is needed.');
  const converter = new Converter(model, decodeTfjsWeights(model.weightsManifest, weightData), options.graphName ?? 'converted');
  return converter.convert(options.outputs, options.metadata ?? {});
}

class Converter {
  private readonly nodes: Map<string, TfjsNode>;
  private readonly values = new Map<string, Value>();
  private readonly transposed = new Map<string, Value>();
  private readonly builder: OnnxModelBuilder;
  private readonly scalars = new Map<string, string>();

  constructor(
    model: TfjsGraphModel,
    private readonly weights: Map<string, DecodedWeight>,
    graphName: string,
  ) {
    this.nodes = new Map(model.modelTopology.node.map((node) => [node.name, node]));
    this.builder = new OnnxModelBuilder(graphName);
  }

  convert(outputs: TfjsToOnnxOptions['outputs'], metadata: Record<string, string>): Uint8Array {
    for (const output of outputs) {
      let value = this.value(output.node);
      if (value.layout === 'nchw') value = this.toLayout(value, 'nhwc');
      this.builder.node('Identity', [value.name], output.name);
      this.builder.output(output.name, 'float32', value.shape);
    }
    return this.builder.encode(metadata);
  }

  /** The converted value of a node input (`name`, `name:0`), converting its node first if needed. */
  private value(reference: string): Value {
    const name = nodeName(reference);
    const known = this.values.get(name);
    if (known) return known;
    const node = this.nodes.get(name);
    if (!node) throw new Error(`The graph has no node ${name}.`);
    const value = this.convertNode(node);
    this.values.set(name, value);
    return value;
  }

  private convertNode(node: TfjsNode): Value {
    const inputs = (node.input ?? []).filter((input) => !input.startsWith('^'));
    switch (node.op) {
      case 'Placeholder':
        return this.placeholder(node);
      case 'Const': {
        const weight = this.constant(node.name);
        return { name: this.builder.initializer(node.name, weight.shape, weight.values), shape: weight.shape, layout: 'plain' };
      }
      case 'Identity':
        return this.value(input(node, inputs, 0));
      case 'Mul':
      case 'Sub':
      case 'AddV2':
        return this.elementwise(node, { Mul: 'Mul', Sub: 'Sub', AddV2: 'Add' }[node.op], inputs);
      case '_FusedConv2D':
      case 'FusedDepthwiseConv2dNative':
        return this.convolution(node, inputs, node.op === 'FusedDepthwiseConv2dNative');
      case 'AvgPool':
        return this.averagePool(node, inputs);
      case 'Squeeze':
        return this.squeeze(node, inputs);
      case '_FusedMatMul':
        return this.matMul(node, inputs);
      case 'Softmax': {
        let x = this.value(input(node, inputs, 0));
        if (x.layout === 'nchw') x = this.toLayout(x, 'nhwc');
        return { name: this.builder.node('Softmax', [x.name], node.name, { axis: -1 }), shape: x.shape, layout: x.layout };
      }
      default:
        throw new Error(`Node ${node.name}: op ${node.op} is not supported (supported: ${SUPPORTED_TFJS_OPS.join(', ')}).`);
    }
  }

  private placeholder(node: TfjsNode): Value {
    const dtype = node.attr?.dtype?.type;
    if (dtype !== 'DT_FLOAT') throw new Error(`Input ${node.name} is ${dtype}; only float inputs are supported.`);
    const dims = node.attr?.shape?.shape?.dim;
    if (!dims) throw new Error(`Input ${node.name} has no shape.`);
    const shape: Dim[] = dims.map((dim, index) => {
      const size = Number(dim.size ?? -1);
      if (size >= 0) return size;
      if (index === 0) return 'batch';
      throw new Error(`Input ${node.name}: only the first dimension may be free.`);
    });
    this.builder.input(node.name, 'float32', shape);
    return { name: node.name, shape, layout: shape.length === 4 ? 'nhwc' : 'plain' };
  }

  private constant(reference: string): DecodedWeight {
    const name = nodeName(reference);
    const node = this.nodes.get(name);
    if (node?.op !== 'Const') throw new Error(`${name} should be a constant (a weight), not ${node?.op ?? 'missing'}.`);
    const weight = this.weights.get(name);
    if (!weight) throw new Error(`Constant ${name} has no entry in the weights manifest.`);
    return weight;
  }

  private elementwise(node: TfjsNode, op: string, inputs: string[]): Value {
    let [a, b] = [this.value(input(node, inputs, 0)), this.value(input(node, inputs, 1))];
    if (a.layout !== 'plain' && b.layout !== 'plain' && a.layout !== b.layout) [a, b] = [this.toLayout(a, 'nchw'), this.toLayout(b, 'nchw')];
    // A per-channel constant broadcasts over NHWC's last axis; against NCHW it needs the shape [C, 1, 1].
    const fit = (operand: Value, other: Value): Value => {
      if (other.layout !== 'nchw' || operand.layout !== 'plain' || operand.shape.length === 0) return operand;
      const weight = this.constant(operand.name);
      if (weight.shape.length !== 1)
        throw new Error(`Node ${node.name}: a constant of shape [${weight.shape.join(', ')}] against an image tensor is not supported.`);
      const name = this.builder.initializer(this.builder.unique(`${operand.name}/nchw`), [weight.values.length, 1, 1], weight.values);
      return { name, shape: operand.shape, layout: 'plain' };
    };
    const [left, right] = [fit(a, b), fit(b, a)];
    const shaped = a.shape.length >= b.shape.length ? a : b;
    const layout = a.layout !== 'plain' ? a.layout : b.layout;
    return { name: this.builder.node(op, [left.name, right.name], node.name), shape: shaped.shape, layout };
  }

  private convolution(node: TfjsNode, inputs: string[], depthwise: boolean): Value {
    requireNhwc(node);
    const activation = fusedActivation(node);
    const x = this.toLayout(this.value(input(node, inputs, 0)), 'nchw');
    const filter = this.constant(input(node, inputs, 1));
    const bias = this.constant(input(node, inputs, 2));
    const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
    const strides = spatial(intList(node, 'strides', [1, 1, 1, 1]));
    const dilations = spatial(intList(node, 'dilations', [1, 1, 1, 1]));
    const { pads, out } = padding(node, x.shape, [kh, kw], strides, dilations);

    // TF keeps filters as [kh, kw, in, out] (depthwise: [kh, kw, in, multiplier]); ONNX wants [out, in/group, kh, kw].
    const outChannels = depthwise ? cin * cout : cout;
    const weight = new Float32Array(filter.values.length);
    for (let y = 0; y < kh; y++)
      for (let xx = 0; xx < kw; xx++)
        for (let i = 0; i < cin; i++)
          for (let o = 0; o < cout; o++) {
            const source = ((y * kw + xx) * cin + i) * cout + o;
            const target = depthwise ? ((i * cout + o) * kh + y) * kw + xx : ((o * cin + i) * kh + y) * kw + xx;
            weight[target] = filter.values[source]!;
          }
    const weightName = this.builder.initializer(`${nodeName(inputs[1]!)}/oihw`, [outChannels, depthwise ? 1 : cin, kh, kw], weight);
    const biasName = this.builder.initializer(nodeName(inputs[2]!), bias.shape, bias.values);
    const convName = activation === undefined ? node.name : this.builder.unique(`${node.name}/conv`);
    this.builder.node('Conv', [x.name, weightName, biasName], convName, {
      kernel_shape: [kh, kw],
      strides,
      dilations,
      pads,
      group: depthwise ? cin : 1,
    });
    const shape: Dim[] = [x.shape[0]!, out[0], out[1], outChannels];
    return { name: this.activate(convName, activation, node.name), shape, layout: 'nchw' };
  }

  private averagePool(node: TfjsNode, inputs: string[]): Value {
    requireNhwc(node);
    const x = this.toLayout(this.value(input(node, inputs, 0)), 'nchw');
    const kernel = spatial(intList(node, 'ksize', [1, 1, 1, 1]));
    const strides = spatial(intList(node, 'strides', [1, 1, 1, 1]));
    const { pads, out } = padding(node, x.shape, kernel as [number, number], strides, [1, 1]);
    // TF's SAME average leaves padding out of the count, as ONNX does by default (count_include_pad = 0).
    const name = this.builder.node('AveragePool', [x.name], node.name, { kernel_shape: kernel, strides, pads });
    return { name, shape: [x.shape[0]!, out[0], out[1], x.shape[3]!], layout: 'nchw' };
  }

  private squeeze(node: TfjsNode, inputs: string[]): Value {
    let x = this.value(input(node, inputs, 0));
    const rank = x.shape.length;
    let axes = intList(node, 'squeeze_dims', []).map((axis) => (axis < 0 ? axis + rank : axis));
    if (axes.length === 0) axes = x.shape.flatMap((dim, axis) => (dim === 1 ? [axis] : []));
    const kept = x.shape.map((_, axis) => axis).filter((axis) => !axes.includes(axis));
    // In NCHW the kept axes must stay in TF's order (e.g. [N, C] after squeezing H and W); otherwise go back to NHWC first.
    const onnxAxis = (axis: number) => (x.layout === 'nchw' ? ([0, 2, 3, 1][axis] ?? axis) : axis);
    if (x.layout === 'nchw' && !kept.map(onnxAxis).every((axis, index, all) => index === 0 || axis > all[index - 1]!)) x = this.toLayout(x, 'nhwc');
    const axesName = this.builder.initializer(
      this.builder.unique(`${node.name}/axes`),
      [axes.length],
      BigInt64Array.from(axes.map((axis) => BigInt(onnxAxis(axis)))),
    );
    const shape = kept.map((axis) => x.shape[axis]!);
    return {
      name: this.builder.node('Squeeze', [x.name, axesName], node.name),
      shape,
      layout: shape.length === 4 && x.layout !== 'plain' ? x.layout : 'plain',
    };
  }

  private matMul(node: TfjsNode, inputs: string[]): Value {
    const activation = fusedActivation(node);
    const a = this.value(input(node, inputs, 0));
    if (a.shape.length !== 2) throw new Error(`Node ${node.name}: MatMul of a rank-${a.shape.length} tensor is not supported.`);
    const b = this.constant(input(node, inputs, 1));
    const bias = this.constant(input(node, inputs, 2));
    const transA = node.attr?.transpose_a?.b === true ? 1 : 0;
    const transB = node.attr?.transpose_b?.b === true ? 1 : 0;
    const bName = this.builder.initializer(nodeName(inputs[1]!), b.shape, b.values);
    const biasName = this.builder.initializer(nodeName(inputs[2]!), bias.shape, bias.values);
    const gemmName = activation === undefined ? node.name : this.builder.unique(`${node.name}/gemm`);
    this.builder.node('Gemm', [a.name, bName, biasName], gemmName, { transA, transB });
    const rows = a.shape[transA ? 1 : 0]!;
    const columns = b.shape[transB ? 0 : 1]!;
    return { name: this.activate(gemmName, activation, node.name), shape: [rows, columns], layout: 'plain' };
  }

  private activate(input: string, activation: 'Relu' | 'Relu6' | undefined, output: string): string {
    if (activation === undefined) return input;
    if (activation === 'Relu') return this.builder.node('Relu', [input], output);
    return this.builder.node('Clip', [input, this.scalar(0), this.scalar(6)], output);
  }

  private scalar(value: number): string {
    let name = this.scalars.get(String(value));
    if (name === undefined) {
      name = this.builder.initializer(this.builder.unique(`scalar_${value}`), [], Float32Array.of(value));
      this.scalars.set(String(value), name);
    }
    return name;
  }

  private toLayout(value: Value, layout: 'nhwc' | 'nchw'): Value {
    if (value.layout === layout) return value;
    if (value.layout === 'plain')
      throw new Error(`${value.name}: a constant or rank-${value.shape.length} tensor where an image tensor is expected is not supported.`);
    const key = `${value.name}->${layout}`;
    const cached = this.transposed.get(key);
    if (cached) return cached;
    const perm = layout === 'nchw' ? [0, 3, 1, 2] : [0, 2, 3, 1];
    const result: Value = {
      name: this.builder.node('Transpose', [value.name], this.builder.unique(`${value.name}/${layout}`), { perm }),
      shape: value.shape,
      layout,
    };
    this.transposed.set(key, result);
    return result;
  }
}

function nodeName(reference: string): string {
  const match = /^(.*?)(?::(\d+))?$/.exec(reference)!;
  if (match[2] !== undefined && match[2] !== '0') throw new Error(`Input ${reference}: only the first output of a node is supported.`);
  return match[1]!;
}

function input(node: TfjsNode, inputs: string[], index: number): string {
  const reference = inputs[index];
  if (reference === undefined) throw new Error(`Node ${node.name} (${node.op}) has no input ${index}.`);
  return reference;
}

function text(value: string | undefined): string | undefined {
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
}

function intList(node: TfjsNode, key: string, fallback: number[]): number[] {
  const list = (node.attr?.[key] as TfjsAttrValue | undefined)?.list?.i;
  return list === undefined ? fallback : list.map(Number);
}

/** The H and W entries of an NHWC attribute list such as strides [1, sh, sw, 1]. */
function spatial(values: number[]): number[] {
  if (values.length !== 4 || values[0] !== 1 || values[3] !== 1) throw new Error(`Unsupported NHWC attribute [${values.join(', ')}].`);
  return [values[1]!, values[2]!];
}

function requireNhwc(node: TfjsNode): void {
  const format = text(node.attr?.data_format?.s) ?? 'NHWC';
  if (format !== 'NHWC') throw new Error(`Node ${node.name}: data format ${format} is not supported (only NHWC).`);
}

/** The activation fused after BiasAdd in a _Fused* op (TFJS fuses BiasAdd, then optionally one activation). */
function fusedActivation(node: TfjsNode): 'Relu' | 'Relu6' | undefined {
  const ops = (node.attr?.fused_ops?.list?.s ?? []).map((op) => text(op)!);
  const numArgs = Number(node.attr?.num_args?.i ?? 0);
  if (ops[0] !== 'BiasAdd' || numArgs !== 1 || ops.length > 2)
    throw new Error(`Node ${node.name}: fused ops [${ops.join(', ')}] are not supported (BiasAdd, then Relu or Relu6).`);
  const activation = ops[1];
  if (activation !== undefined && activation !== 'Relu' && activation !== 'Relu6')
    throw new Error(`Node ${node.name}: fused activation ${activation} is not supported.`);
  return activation;
}

/** ONNX pads [top, left, bottom, right] and the output size for TF's SAME or VALID padding. */
function padding(node: TfjsNode, shape: Dim[], kernel: [number, number], strides: number[], dilations: number[]): { pads: number[]; out: [number, number] } {
  const mode = text(node.attr?.padding?.s);
  const begin: number[] = [];
  const end: number[] = [];
  const out: number[] = [];
  for (const axis of [0, 1]) {
    const size = shape[axis + 1];
    if (typeof size !== 'number') throw new Error(`Node ${node.name}: the spatial size of its input must be known.`);
    const extent = (kernel[axis]! - 1) * dilations[axis]! + 1;
    const stride = strides[axis]!;
    if (mode === 'VALID') {
      out.push(Math.ceil((size - extent + 1) / stride));
      begin.push(0);
      end.push(0);
    } else if (mode === 'SAME') {
      // TF pads SAME with the odd pixel at the end (ONNX's SAME_UPPER); explicit pads keep that visible.
      const length = Math.ceil(size / stride);
      const total = Math.max((length - 1) * stride + extent - size, 0);
      out.push(length);
      begin.push(Math.floor(total / 2));
      end.push(total - Math.floor(total / 2));
    } else {
      throw new Error(`Node ${node.name}: padding ${mode} is not supported (SAME or VALID).`);
    }
  }
  return { pads: [...begin, ...end], out: out as [number, number] };
}

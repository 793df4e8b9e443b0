// ONNX → simdnet: reads a ModelProto whose graph is one chain from its input to its output: an
// optional normaliser (Sub, Add, Mul, Div by constants), then dense layers (Gemm, or MatMul + Add)
// each followed by at most one activation, with Identity, Dropout, Cast to float and shape-keeping
// Flatten/Reshape anywhere. Everything is checked before a model is returned, so a refusal leaves
// nothing half-built; every message names the node, its op type and what is supported.
import type { ModelJSON } from '../format/json.js';
import type { LossName } from '../vocabulary.js';
import {
  ModelProto,
  DataType,
  type Attribute,
  type Int64,
  type Model,
  type Node,
  type Tensor,
  type ValueInfo,
  HINTS_KEY,
} from './onnx-schema.js';
import { fromFloat32Bytes } from './float32-bytes.js';
import type { Imported } from '../format/interop.js';
import {
  activation,
  parseHints,
  splitOptions,
  toModelJSON,
  type ImportedLayer,
  type ImportedNetwork,
} from './imported-model.js';

const SOURCE = 'ONNX model';
const ACTIVATIONS = ['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Softmax'];
const SUPPORTED = [
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  ...ACTIVATIONS,
  'Identity',
  'Dropout',
  'Flatten',
  'Reshape',
  'Cast',
  'Constant',
];
const SUPPORTED_TEXT =
  'dense layers (Gemm, or MatMul + Add) with Relu, Sigmoid, Tanh, LeakyRelu or Softmax, an input normaliser ' +
  '(Sub, Add, Mul, Div by constants), and Identity, Dropout, Flatten, Reshape and Cast that leave [batch, features] unchanged';
/** More values than any dense network simdnet can hold (2^24-wide layers); refused before allocating. */
const MAX_TENSOR = 2 ** 28;

export function onnxToModel(bytes: unknown, options: unknown): Imported<ModelJSON> {
  const { loss, rest } = splitOptions(options);
  return { model: readModel(bytes, loss), options: rest };
}

function readModel(bytes: unknown, loss: LossName | undefined): ModelJSON {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new TypeError(
      `${SOURCE}: expected the bytes of an .onnx file (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`,
    );
  }
  let model: Model;
  try {
    model = ModelProto.decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)) as unknown as Model;
  } catch (err) {
    const why =
      err instanceof RangeError && /call stack/i.test(err.message) ? 'nested too deeply' : (err as Error).message;
    throw new TypeError(`${SOURCE}: the bytes are not an ONNX file, or are cut short (protobuf: ${why})`);
  }
  const graph = model.graph;
  if (!graph || graph.node.length === 0)
    throw new TypeError(`${SOURCE}: the bytes hold no graph (not an ONNX file, or cut short)`);
  checkOpset(model);
  const net = readGraph(model);
  const hints = parseHints(model.metadataProps.find((p) => p.key === HINTS_KEY)?.value);
  return toModelJSON(foldScales(net), hints, loss, SOURCE);
}

function checkOpset(model: Model): void {
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const version = opset ? int(opset.version, 'the default opset version') : 0;
  if (version < 7)
    throw new RangeError(`${SOURCE}: opset ${version || 'missing'}; simdnet reads the default ONNX opset 7 and later`);
}

/** An int64 field as a number; protobufjs gives a number or a Long (where long.js is loaded). */
function int(v: Int64, what: string): number {
  const n =
    typeof v === 'number'
      ? v
      : v.unsigned
        ? (v.high >>> 0) * 2 ** 32 + (v.low >>> 0)
        : v.high * 2 ** 32 + (v.low >>> 0);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${SOURCE}: ${what} is ${n}, beyond a safe integer`);
  return n;
}

const nodeName = (node: Node, index: number) => `node ${node.name ? `'${node.name}'` : `#${index}`} (${node.opType})`;

// ---- tensors -----------------------------------------------------------------------------------

interface Constant {
  dims: number[];
  tensor: Tensor;
  what: string;
}

function dimsOf(t: Tensor, what: string): number[] {
  const dims = t.dims.map((d, i) => int(d, `${what}, dimension ${i}`));
  let count = 1;
  for (const d of dims) {
    if (d < 0) throw new RangeError(`${SOURCE}: ${what}: dimension ${d} is negative`);
    count *= d;
  }
  if (count > MAX_TENSOR)
    throw new RangeError(`${SOURCE}: ${what}: ${count} values, more than simdnet reads (${MAX_TENSOR})`);
  return dims;
}

const count = (dims: number[]) => dims.reduce((n, d) => n * d, 1);

/** A float32 tensor's values, from raw_data (little-endian) or float_data. */
function floats(c: Constant): Float32Array {
  const { tensor: t, what } = c;
  if (t.dataLocation === 1 || t.externalData.length > 0)
    throw new TypeError(
      `${SOURCE}: ${what}: its data is in an external file; simdnet reads self-contained .onnx files only`,
    );
  if (t.dataType !== DataType.FLOAT)
    throw new TypeError(
      `${SOURCE}: ${what}: data type ${dataTypeName(t.dataType)}; simdnet reads FLOAT (float32) tensors only`,
    );
  const n = count(c.dims);
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * 4)
      throw new RangeError(`${SOURCE}: ${what}: raw_data has ${t.rawData.length} bytes for ${n} float32 values`);
    return fromFloat32Bytes(t.rawData, 0, n);
  }
  if (t.floatData.length !== n)
    throw new RangeError(
      `${SOURCE}: ${what}: float_data has ${t.floatData.length} values for shape [${c.dims.join(', ')}]`,
    );
  return Float32Array.from(t.floatData);
}

/** An int64 tensor's values (Reshape's target shape). */
function ints(c: Constant): number[] {
  const { tensor: t, what } = c;
  if (t.dataType !== DataType.INT64)
    throw new TypeError(`${SOURCE}: ${what}: data type ${dataTypeName(t.dataType)}; a shape must be INT64`);
  const n = count(c.dims);
  if (t.rawData.length > 0) {
    if (t.rawData.length !== n * 8)
      throw new RangeError(`${SOURCE}: ${what}: raw_data has ${t.rawData.length} bytes for ${n} int64 values`);
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    return Array.from({ length: n }, (_, i) => Number(view.getBigInt64(i * 8, true)));
  }
  if (t.int64Data.length !== n)
    throw new RangeError(
      `${SOURCE}: ${what}: int64_data has ${t.int64Data.length} values for shape [${c.dims.join(', ')}]`,
    );
  return t.int64Data.map((v, i) => int(v, `${what}, value ${i}`));
}

const DATA_TYPES = [
  'UNDEFINED',
  'FLOAT',
  'UINT8',
  'INT8',
  'UINT16',
  'INT16',
  'INT32',
  'INT64',
  'STRING',
  'BOOL',
  'FLOAT16',
  'DOUBLE',
  'UINT32',
  'UINT64',
  'COMPLEX64',
  'COMPLEX128',
  'BFLOAT16',
];
const dataTypeName = (t: number) => DATA_TYPES[t] ?? String(t);

// ---- attributes --------------------------------------------------------------------------------

function attr(node: Node, name: string): Attribute | undefined {
  return node.attribute.find((a) => a.name === name);
}
const floatAttr = (node: Node, name: string, fallback: number) => attr(node, name)?.f ?? fallback;
function intAttr(node: Node, index: number, name: string, fallback: number): number {
  const a = attr(node, name);
  return a ? int(a.i, `${nodeName(node, index)} attribute ${name}`) : fallback;
}

// ---- the chain -----------------------------------------------------------------------------------

/** The affine map of the input normaliser so far: x' = (x − offset)·scale, per column or broadcast. */
interface Affine {
  offset: Float64Array | number;
  scale: Float64Array | number;
}

interface Open {
  /** K × N after transposition, as fanIn × fanOut */
  weights: Float32Array;
  fanOut: number;
  alpha: number;
  beta: number;
  /** Gemm's C, broadcast to fanOut */
  c: Float32Array | null;
  /** the sum of the Add nodes after it (a MatMul's bias) */
  add: Float32Array | null;
  name: string;
}

/** A dense layer read from the graph: Gemm's alpha·x·B + beta·C, then its activation. */
interface RawLayer extends Open {
  act: ImportedLayer['activation'];
}

interface RawNetwork {
  inputs: number;
  normalizer: Affine | null;
  layers: RawLayer[];
}

function readGraph(model: Model): RawNetwork {
  const graph = model.graph!;
  const constants = new Map<string, Constant>();
  for (const [i, t] of graph.initializer.entries()) {
    const what = `initializer '${t.name || `#${i}`}'`;
    constants.set(t.name, { dims: dimsOf(t, what), tensor: t, what });
  }
  // unsupported ops first, all named: the clearest answer for a convolutional or branching model
  const unsupported = graph.node
    .map((node, i) => ({ node, i }))
    .filter(({ node }) => !SUPPORTED.includes(node.opType) || (node.domain !== '' && node.domain !== 'ai.onnx'));
  if (unsupported.length) {
    const seen = new Set<string>();
    const named = unsupported.filter(
      ({ node }) => !seen.has(`${node.domain}/${node.opType}`) && seen.add(`${node.domain}/${node.opType}`),
    );
    const list = named
      .slice(0, 8)
      .map(({ node, i }) => `${nodeName(node, i)}${node.domain ? ` in domain '${node.domain}'` : ''}`)
      .join(', ');
    throw new TypeError(
      `${SOURCE}: unsupported ${named.length === 1 ? 'op' : 'ops'}: ${list}${named.length > 8 ? ', …' : ''}. simdnet imports ${SUPPORTED_TEXT}`,
    );
  }
  for (const [i, node] of graph.node.entries()) {
    if (node.opType !== 'Constant') continue;
    const value = attr(node, 'value');
    if (!value?.t || node.attribute.length !== 1 || node.output.length !== 1)
      throw new TypeError(`${SOURCE}: ${nodeName(node, i)} must hold one 'value' tensor`);
    const what = `${nodeName(node, i)} value`;
    constants.set(node.output[0]!, { dims: dimsOf(value.t, what), tensor: value.t, what });
  }

  const inputs = graph.input.filter((v) => !constants.has(v.name));
  if (inputs.length !== 1)
    throw new TypeError(
      `${SOURCE}: the graph has ${inputs.length} inputs besides its weights; simdnet reads one input of shape [batch, features]`,
    );
  if (graph.output.length !== 1)
    throw new TypeError(`${SOURCE}: the graph has ${graph.output.length} outputs; simdnet reads one`);
  const input = inputs[0]!,
    output = graph.output[0]!.name;
  let width = inputWidth(input);

  const consumers = new Map<string, { node: Node; i: number }[]>();
  for (const [i, node] of graph.node.entries()) {
    if (node.opType === 'Constant') continue;
    for (const name of node.input)
      if (name !== '' && !constants.has(name)) consumers.set(name, [...(consumers.get(name) ?? []), { node, i }]);
  }

  const layers: RawLayer[] = [];
  let normalizer: Affine | null = null;
  let open: Open | null = null;
  let last: RawLayer | null = null; // the latest closed layer, until something other than a no-op follows
  const close = (act: RawLayer['act']): void => {
    last = { ...open!, act };
    layers.push(last);
    open = null;
  };
  let current = input.name;
  let visited = 0;
  for (;;) {
    const next = consumers.get(current) ?? [];
    if (next.length === 0) break;
    if (next.length > 1) {
      throw new TypeError(
        `${SOURCE}: '${current}' feeds ${next.map(({ node, i }) => nodeName(node, i)).join(' and ')}: a branch; simdnet imports one chain of layers`,
      );
    }
    const { node, i } = next[0]!;
    const where = nodeName(node, i);
    if (++visited > graph.node.length) throw new TypeError(`${SOURCE}: the graph has a cycle at ${where}`);
    const operands = node.input.filter((name) => name !== '');
    if (node.input[0] !== current && !(['Add', 'Mul'].includes(node.opType) && node.input[1] === current)) {
      throw new TypeError(
        `${SOURCE}: ${where} takes '${current}' as a second operand; simdnet imports x·W, x + c, x − c, x·c, x / c`,
      );
    }
    const constantsOf = operands
      .filter((name) => name !== current)
      .map((name) => {
        const c = constants.get(name);
        if (!c)
          throw new TypeError(
            `${SOURCE}: ${where} input '${name}' is neither the previous value nor a constant: a branch; simdnet imports one chain of layers`,
          );
        return c;
      });
    if (operands.filter((name) => name === current).length !== 1)
      throw new TypeError(`${SOURCE}: ${where} uses '${current}' twice`);
    const outputs = node.output.filter((name) => name !== '');
    for (const extra of outputs.slice(1)) {
      if (consumers.has(extra) || extra === output)
        throw new TypeError(`${SOURCE}: ${where} output '${extra}' is used; simdnet reads its first output only`);
    }
    if (outputs.length === 0) throw new TypeError(`${SOURCE}: ${where} has no output`);

    switch (node.opType) {
      case 'Gemm':
      case 'MatMul': {
        if (open) close(activation('linear'));
        open = dense(node, i, constantsOf, width);
        width = open.fanOut;
        last = null;
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const c = oneConstant(where, constantsOf);
        if (open && node.opType === 'Add') {
          const add = broadcast(c, open.fanOut, where, 'bias');
          open.add = open.add ? open.add.map((v, j) => v + add[j]!) : add;
        } else if (layers.length === 0 && !open && width !== 0) {
          normalizer = compose(
            normalizer ?? { offset: 0, scale: 1 },
            node.opType,
            broadcast(c, width, where, 'constant'),
            where,
          );
        } else if (layers.length === 0 && !open) {
          throw new TypeError(
            `${SOURCE}: ${where} comes before the input width is known (the input's shape has no feature size); give the input a static [batch, features] shape`,
          );
        } else {
          throw new TypeError(
            `${SOURCE}: ${where} ${open ? 'after a MatMul/Gemm' : 'after an activation'}; simdnet imports Add (a bias) after a MatMul, and Sub, Add, Mul, Div only before the first layer (the input normaliser)`,
          );
        }
        break;
      }
      case 'Relu':
      case 'Sigmoid':
      case 'Tanh':
      case 'LeakyRelu':
      case 'Softmax': {
        if (!open)
          throw new TypeError(
            `${SOURCE}: ${where} ${last ? 'follows another activation' : 'comes before any dense layer'}; simdnet imports one activation after each dense layer`,
          );
        if (constantsOf.length) throw new TypeError(`${SOURCE}: ${where} has extra inputs`);
        close(activationOf(node, i));
        break;
      }
      case 'Identity':
      case 'Dropout':
      case 'Cast':
      case 'Flatten':
      case 'Reshape':
        checkNoOp(node, i, constantsOf, width);
        break;
    }
    current = outputs[0]!;
  }
  if (open) close(activation('linear'));
  if (current !== output)
    throw new TypeError(
      `${SOURCE}: the chain from input '${input.name}' ends at '${current}', not at the graph output '${output}'`,
    );
  const used = graph.node.filter((node) => node.opType !== 'Constant').length;
  if (visited !== used)
    throw new TypeError(
      `${SOURCE}: ${used - visited} node(s) are off the path from input to output; simdnet imports one chain of layers`,
    );
  return { inputs: layers.length ? layers[0]!.weights.length / layers[0]!.fanOut : width, normalizer, layers };
}

/** The feature count of the input [batch, features], or 0 when the shape does not say. */
function inputWidth(input: ValueInfo): number {
  const type = input.type?.tensorType;
  if (input.type && !type) throw new TypeError(`${SOURCE}: input '${input.name}' is not a tensor`);
  if (type && type.elemType !== DataType.FLOAT)
    throw new TypeError(
      `${SOURCE}: input '${input.name}' has data type ${dataTypeName(type.elemType)}; simdnet reads FLOAT inputs`,
    );
  const dims = type?.shape?.dim;
  if (!dims) return 0;
  if (dims.length !== 2)
    throw new TypeError(
      `${SOURCE}: input '${input.name}' has ${dims.length} dimensions; simdnet reads [batch, features]`,
    );
  return dims[1]!.value === 'dimValue' ? int(dims[1]!.dimValue!, `input '${input.name}' feature size`) : 0;
}

function dense(node: Node, i: number, operands: Constant[], width: number): Open {
  const where = nodeName(node, i);
  const B = operands[0];
  if (B?.dims.length !== 2)
    throw new TypeError(`${SOURCE}: ${where} needs a constant 2-D weight matrix as its second input`);
  if (node.opType === 'MatMul' && operands.length !== 1)
    throw new TypeError(`${SOURCE}: ${where} has ${operands.length + 1} inputs`);
  const transA = node.opType === 'Gemm' ? intAttr(node, i, 'transA', 0) : 0;
  const transB = node.opType === 'Gemm' ? intAttr(node, i, 'transB', 0) : 0;
  if (transA !== 0)
    throw new TypeError(
      `${SOURCE}: ${where} has transA=${transA}: its input would be laid out features × batch; simdnet reads [batch, features] rows`,
    );
  const [rows, cols] = B.dims as [number, number];
  const [fanIn, fanOut] = transB ? [cols, rows] : [rows, cols];
  if (width !== 0 && fanIn !== width)
    throw new RangeError(
      `${SOURCE}: ${where} multiplies ${width} features by a ${rows} × ${cols} matrix${transB ? ' (transposed)' : ''}`,
    );
  if (fanIn === 0 || fanOut === 0) throw new RangeError(`${SOURCE}: ${where} has an empty weight matrix`);
  const b = floats(B);
  const weights = transB ? transpose(b, rows, cols) : b;
  const C = operands[1];
  return {
    weights,
    fanOut,
    name: where,
    alpha: node.opType === 'Gemm' ? floatAttr(node, 'alpha', 1) : 1,
    beta: node.opType === 'Gemm' ? floatAttr(node, 'beta', 1) : 1,
    c: C ? broadcast(C, fanOut, where, 'C') : null,
    add: null,
  };
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

function oneConstant(where: string, operands: Constant[]): Constant {
  if (operands.length !== 1) throw new TypeError(`${SOURCE}: ${where} needs one constant operand`);
  return operands[0]!;
}

/** A constant that broadcasts over [batch, n] row by row: shape [], [1], [n], [1, n] or [1, 1]. */
function broadcast(c: Constant, n: number, where: string, what: string): Float32Array {
  const size = count(c.dims);
  const rowShaped = c.dims.length <= 1 || (c.dims.length === 2 && c.dims[0] === 1);
  if (!rowShaped || (size !== 1 && size !== n))
    throw new RangeError(
      `${SOURCE}: ${where} ${what} has shape [${c.dims.join(', ')}]; expected [${n}], [1, ${n}] or a scalar`,
    );
  const values = floats(c);
  return size === n ? values : new Float32Array(n).fill(values[0]!);
}

function compose(a: Affine, op: string, v: Float32Array, where: string): Affine {
  const width = v.length;
  const offset = a.offset instanceof Float64Array ? a.offset : new Float64Array(width).fill(a.offset);
  const scale = a.scale instanceof Float64Array ? a.scale : new Float64Array(width).fill(a.scale);
  for (let j = 0; j < width; j++) {
    const k = v[j]!;
    // (x − o)·s ∘ op: Sub/Add move the offset by k/s, Mul/Div scale
    if (op === 'Mul') scale[j] = scale[j]! * k;
    else if (op === 'Div') {
      if (k === 0) throw new RangeError(`${SOURCE}: ${where} divides column ${j} by 0`);
      scale[j] = scale[j]! / k;
    } else {
      if (scale[j] === 0 && k !== 0)
        throw new RangeError(
          `${SOURCE}: ${where} shifts column ${j} after it was scaled by 0 (a constant input), which simdnet's normaliser cannot express`,
        );
      if (scale[j] !== 0) offset[j] = offset[j]! + (op === 'Sub' ? k : -k) / scale[j]!;
    }
  }
  return { offset, scale };
}

function activationOf(node: Node, i: number): ImportedLayer['activation'] {
  const where = nodeName(node, i);
  switch (node.opType) {
    case 'Relu':
      return activation('relu');
    case 'Tanh':
      return activation('tanh');
    case 'Sigmoid':
      return activation('sigmoid');
    case 'LeakyRelu': {
      const slope = floatAttr(node, 'alpha', 0.01);
      if (!(slope >= 0 && slope <= 1))
        throw new RangeError(`${SOURCE}: ${where} alpha is ${slope}; simdnet's leaky ReLU slope is in [0, 1]`);
      return activation('leaky-relu', { slope });
    }
    default: {
      // opset 13 defaults to axis −1, earlier opsets to 1 (over a flattened 2-D view): the same for [batch, features]
      const axis = intAttr(node, i, 'axis', -1);
      if (axis !== 1 && axis !== -1)
        throw new TypeError(
          `${SOURCE}: ${where} has axis=${axis}; simdnet's softmax runs over the features (axis 1 or -1)`,
        );
      return activation('softmax');
    }
  }
}

function checkNoOp(node: Node, i: number, operands: Constant[], width: number): void {
  const where = nodeName(node, i);
  const refuse = (why: string): never => {
    throw new TypeError(
      `${SOURCE}: ${where} ${why}; simdnet imports it only where it leaves [batch, features] unchanged`,
    );
  };
  switch (node.opType) {
    case 'Identity':
      if (operands.length) refuse('has extra inputs');
      break;
    case 'Dropout':
      // inference: the identity, unless training_mode (input 3) is a true constant
      if (operands.length === 2 && isTrue(operands[1]!)) refuse('runs in training mode');
      break;
    case 'Cast':
      if (intAttr(node, i, 'to', 0) !== DataType.FLOAT) refuse(`casts to ${dataTypeName(intAttr(node, i, 'to', 0))}`);
      break;
    case 'Flatten':
      if (intAttr(node, i, 'axis', 1) !== 1 && intAttr(node, i, 'axis', 1) !== -1)
        refuse(`has axis=${intAttr(node, i, 'axis', 1)}`);
      break;
    case 'Reshape': {
      const shape = operands.length === 1 ? ints(operands[0]!) : refuse('needs a constant shape');
      const [rows, cols] = shape;
      if (shape.length !== 2 || (rows !== 0 && rows !== -1) || (cols !== -1 && (width === 0 || cols !== width)))
        refuse(`reshapes to [${shape.join(', ')}]`);
      break;
    }
  }
}

/** Dropout's training_mode constant: a BOOL scalar (raw_data or int32_data). */
function isTrue(c: Constant): boolean {
  const t = c.tensor;
  return (t.rawData.length > 0 && t.rawData[0] !== 0) || (t.int32Data.length > 0 && t.int32Data[0] !== 0);
}

/**
 * Turns Gemm's alpha·x·B + beta·C (+ later Adds) into simdnet's layers. A sigmoid keeps alpha as
 * its gain (toONNX writes the gain there) and takes (beta·C + add)/alpha as its bias, which gives
 * back toONNX's float32 bias exactly; elsewhere alpha multiplies the weights.
 */
function foldScales(net: RawNetwork): ImportedNetwork {
  const layers = net.layers.map((l): ImportedLayer => {
    const gain = l.act.name === 'sigmoid' && l.alpha > 0 && l.alpha <= 1e6 ? l.alpha : 1;
    let bias: Float32Array | null = null;
    if (l.c || l.add) {
      bias = new Float32Array(l.fanOut);
      for (let j = 0; j < l.fanOut; j++) bias[j] = ((l.c ? l.beta * l.c[j]! : 0) + (l.add ? l.add[j]! : 0)) / gain;
    }
    return {
      weights: l.alpha === gain ? l.weights : l.weights.map((w) => (w * l.alpha) / gain),
      bias,
      activation: l.act.name === 'sigmoid' ? activation('sigmoid', { gain }) : l.act,
      name: l.name,
    };
  });
  let normalizer: ImportedNetwork['normalizer'] = null;
  if (net.normalizer) {
    const { offset, scale } = net.normalizer;
    normalizer = {
      offset: offset instanceof Float64Array ? offset : new Float64Array(net.inputs).fill(offset),
      scale: scale instanceof Float64Array ? scale : new Float64Array(net.inputs).fill(scale),
    };
  }
  return { inputs: net.inputs, normalizer, layers };
}

// ONNX → simdnet: reads a ModelProto whose graph is one chain from its input to its output: an
// optional normaliser (Sub, Add, Mul, Div by constants, BatchNormalization), then dense layers (Gemm,
// or MatMul + Add) each followed by at most one activation, with BatchNormalization folded into the
// dense layer before or after it, an optional standardizer of the outputs (Mul, Add, Sub, Div by
// constants after the last layer), and Identity, Dropout, Cast to float and shape-keeping
// Flatten/Reshape anywhere. ONNX Runtime's quantized forms are first rewritten as that chain
// (onnx-quant-import.ts) and come back as a quantized model. The bytes become a model directly,
// checked whole before it is returned, so a refusal leaves nothing half-built; every message names
// the node, its op type and what is supported.
import type { Model } from '../model/model.js';
import type { QuantizedModel } from '../model/quantize.js';
import { dequantized, quantizedOf } from './onnx-quant-import.js';
import type { ImportChoices } from './imported-model.js';
import {
  ModelProto,
  DataType,
  type Model as ModelProtoValue,
  type Node,
  type ValueInfo,
  HINTS_KEY,
} from './onnx-schema.js';
import { toModel, activation, type DenseLayer, type DenseLayers } from './imported-model.js';
import { NAME_KEYS, parseHints, type FoundNames } from './hints.js';
import { SOURCE, attr, dataTypeName, dimsOf, int, nodeName, type Constant } from './onnx-tensors.js';
import { type Affine64, type BatchNorm, addBias, affineOf, composeAffine, foldAfter } from './fold.js';
import {
  activationOf,
  batchNormOf,
  broadcast,
  checkNoOp,
  closeLayer,
  compose,
  composeConstant,
  dense,
  normalizerOf,
  oneConstant,
  type Affine,
  type Open,
} from './onnx-nodes.js';

const ACTIVATIONS = ['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Softmax'];
const SUPPORTED = [
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'BatchNormalization',
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
  '(Sub, Add, Mul, Div by constants), BatchNormalization next to a dense layer (inference form), an output ' +
  'standardizer (Mul, Add, Sub, Div by constants after the last layer), and Identity, Dropout, Flatten, Reshape ' +
  'and Cast that leave [batch, features] unchanged';

/** The model in an .onnx file's bytes; `choices` (output activation, loss) override what the file implies. */
export function onnxToModel(bytes: unknown, choices: ImportChoices): Model | QuantizedModel {
  if (!(bytes instanceof Uint8Array) && !(bytes instanceof ArrayBuffer)) {
    throw new TypeError(
      `${SOURCE}: expected the bytes of an .onnx file (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`,
    );
  }
  let model: ModelProtoValue;
  try {
    model = ModelProto.decode(
      bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes),
    ) as unknown as ModelProtoValue;
  } catch (err) {
    const why =
      err instanceof RangeError && /call stack/i.test(err.message) ? 'nested too deeply' : (err as Error).message;
    throw new TypeError(`${SOURCE}: the bytes are not an ONNX file, or are cut short (protobuf: ${why})`);
  }
  const graph = model.graph;
  if (!graph || graph.node.length === 0)
    throw new TypeError(`${SOURCE}: the bytes hold no graph (not an ONNX file, or cut short)`);
  checkOpset(model);
  const quantized = dequantized(model);
  const net = readGraph(quantized?.model ?? model);
  const entry = (key: string) => model.metadataProps.find((p) => p.key === key)?.value;
  const names: FoundNames = {};
  for (const key of NAME_KEYS) if (entry(key) !== undefined) names[key] = entry(key);
  const read = toModel(net, { hints: parseHints(entry(HINTS_KEY)), names }, choices, SOURCE);
  return quantized
    ? quantizedOf(
        read,
        net.layers.map((l) => l.name),
        quantized.layers,
      )
    : read;
}

function checkOpset(model: ModelProtoValue): void {
  const opset = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  const version = opset ? int(opset.version, 'the default opset version') : 0;
  if (version < 7)
    throw new RangeError(`${SOURCE}: opset ${version || 'missing'}; simdnet reads the default ONNX opset 7 and later`);
}

// ---- the chain -----------------------------------------------------------------------------------

/** The graph's chain as dense layers, each closed (its scales folded) when its activation is known. */
function readGraph(model: ModelProtoValue): DenseLayers {
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
  // constants: Constant nodes, and Identity nodes over a constant (PyTorch names one tensor twice so)
  const constantNodes = new Set<number>();
  for (const [i, node] of graph.node.entries()) {
    if (node.opType === 'Identity' && node.input.length === 1 && constants.has(node.input[0]!)) {
      if (node.output.length !== 1) throw new TypeError(`${SOURCE}: ${nodeName(node, i)} must have one output`);
      constants.set(node.output[0]!, constants.get(node.input[0]!)!);
      constantNodes.add(i);
    }
    if (node.opType !== 'Constant') continue;
    const value = attr(node, 'value');
    if (!value?.t || node.attribute.length !== 1 || node.output.length !== 1)
      throw new TypeError(`${SOURCE}: ${nodeName(node, i)} must hold one 'value' tensor`);
    const what = `${nodeName(node, i)} value`;
    constants.set(node.output[0]!, { dims: dimsOf(value.t, what), tensor: value.t, what });
    constantNodes.add(i);
  }

  const graphInputs = graph.input.filter((v) => !constants.has(v.name));
  if (graphInputs.length !== 1)
    throw new TypeError(
      `${SOURCE}: the graph has ${graphInputs.length} inputs besides its weights; simdnet reads one input of shape [batch, features]`,
    );
  if (graph.output.length !== 1)
    throw new TypeError(`${SOURCE}: the graph has ${graph.output.length} outputs; simdnet reads one`);
  const input = graphInputs[0]!,
    output = graph.output[0]!.name;
  let width = inputWidth(input);

  const consumers = new Map<string, { node: Node; i: number }[]>();
  for (const [i, node] of graph.node.entries()) {
    if (constantNodes.has(i)) continue;
    for (const name of node.input)
      if (name !== '' && !constants.has(name)) consumers.set(name, [...(consumers.get(name) ?? []), { node, i }]);
  }

  const layers: DenseLayer[] = [];
  let normalizer: Affine | null = null;
  let open: Open | null = null;
  let inputs = 0;
  let last: DenseLayer | null = null; // the latest closed layer, until something other than a no-op follows
  // an affine map after a layer (or before the first, where no normaliser can hold it), waiting for
  // the next dense layer; at the end of the chain, the outputs' standardizer, unless it holds a
  // BatchNormalization (named here), which only a dense layer can take
  let pending: Pending | null = null;
  const close = (act: DenseLayer['activation']): void => {
    last = closeLayer(open!, act);
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
        open = dense(node, i, constantsOf, width, pending?.map ?? null);
        if (layers.length === 0) inputs = open.weights.length / open.fanOut;
        width = open.fanOut;
        last = null;
        pending = null;
        break;
      }
      case 'BatchNormalization': {
        const bn = batchNormOf(node, i, constantsOf, open ? open.fanOut : width);
        if (open) foldAfter(open, bn);
        else if (layers.length === 0 && !pending && normalizerAccepts(normalizer, bn)) {
          width = bn.mean.length;
          normalizer = compose(
            compose(compose(normalizer ?? { offset: 0, scale: 1 }, 'Sub', bn.mean, where), 'Mul', bn.scale, where),
            'Add',
            bn.beta,
            where,
          );
        } else {
          width ||= bn.mean.length;
          const prev = pending as Pending | null;
          const map = prev ? composeAffine(prev.map, affineOf(bn)) : affineOf(bn);
          pending = { map, where: prev?.where ?? where, batchNorm: prev?.batchNorm ?? where };
        }
        last = null;
        break;
      }
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div': {
        const c = oneConstant(where, constantsOf);
        if (open && node.opType === 'Add') {
          addBias(open, broadcast(c, open.fanOut, where, 'bias'));
        } else if (pending) {
          const map: Affine64 = composeConstant(
            pending.map,
            node.opType,
            broadcast(c, width, where, 'constant'),
            where,
          );
          pending = { map, where: pending.where, batchNorm: pending.batchNorm };
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
          // after a layer and its activation (none: linear): a scaling the next layer takes, or the outputs' standardizer
          if (open) close(activation('linear'));
          const identity = { scale: new Float64Array(width).fill(1), shift: new Float64Array(width) };
          const map = composeConstant(identity, node.opType, broadcast(c, width, where, 'constant'), where);
          pending = { map, where, batchNorm: null };
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
            `${SOURCE}: ${where} ${pending ? `follows ${pending.where} after a layer` : last ? 'follows another activation' : 'comes before any dense layer'}; simdnet imports one activation right after each dense layer`,
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
  const standardizer = pending && layers.length > 0 ? outputStandardizer(pending) : null;
  if (current !== output)
    throw new TypeError(
      `${SOURCE}: the chain from input '${input.name}' ends at '${current}', not at the graph output '${output}'`,
    );
  const used = graph.node.length - constantNodes.size;
  if (visited !== used)
    throw new TypeError(
      `${SOURCE}: ${used - visited} node(s) are off the path from input to output; simdnet imports one chain of layers`,
    );
  if (!layers.length) inputs = width;
  return { inputs, normalizer: normalizer ? normalizerOf(normalizer, inputs) : null, layers, standardizer };
}

/** An affine map read after a layer, waiting for the next: where it starts, and its first BatchNormalization. */
interface Pending {
  map: Affine64;
  where: string;
  batchNorm: string | null;
}

/** The affine map after the last layer as the outputs' standardizer y·scale + mean (scales positive). */
function outputStandardizer(after: Pending): DenseLayers['standardizer'] {
  if (after.batchNorm)
    throw new TypeError(
      `${SOURCE}: ${after.batchNorm} follows an activation and no dense layer comes after it; simdnet folds a BatchNormalization into the dense layer before it (between the layer and its activation) or after it`,
    );
  const j = after.map.scale.findIndex((s) => !(s > 0));
  if (j >= 0)
    throw new RangeError(
      `${SOURCE}: ${after.where} starts the outputs' standardizer (Mul, Add, Sub, Div after the last layer) and scales output ${j} by ${after.map.scale[j]}; simdnet's standardizer multiplies by positive numbers`,
    );
  return { mean: after.map.shift, scale: after.map.scale };
}

/**
 * Whether a BatchNormalization after the normaliser so far is still a normaliser: no feature that
 * the normaliser maps to 0 gets a constant (the file's first layer would have to take it).
 */
function normalizerAccepts(n: Affine | null, bn: BatchNorm): boolean {
  return bn.scale.every((s, j) => {
    const before = n === null ? 1 : typeof n.scale === 'number' ? n.scale : n.scale[j]!;
    return (before !== 0 || bn.mean[j] === 0) && (before * s !== 0 || bn.beta[j] === 0);
  });
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

// ONNX Runtime's quantized forms read as quantized networks (docs/quantization.md): quantize_dynamic's
// DynamicQuantizeLinear → MatMulInteger → Cast → Mul (with the Mul of the two scales), and
// quantize_static's QDQ form (QuantizeLinear/DequantizeLinear pairs, the weights and biases behind
// DequantizeLinear). Before onnx-import.ts walks the chain, `dequantized` rewrites each dynamic layer
// as a MatMul of float constants (the int8 weights times their scales, as DequantizeLinear computes
// them), every DequantizeLinear of constants as that float constant, and each pair on the chain as
// an Identity, or as a Relu where the pair clamps a layer's output at 0 (the quantizer folds a Relu
// into the pair so); it keeps per layer its weights' scales and, from a pair right before it, its
// input's range. `quantizedOf` then turns the float model of the walk into int8 layers: the file's
// int8 weights (recovered from the float weights and scales, and checked) and those ranges. Any
// other use of these operators is refused naming the node.
import type { Model } from '../model/model.js';
import type { QuantizedModel } from '../model/quantize.js';
import { quantizeWeights } from '../js/quant-pack.js';
import { toFloat32Bytes } from './float32-bytes.js';
import { DataType, type Model as ModelProtoValue, type Node, type Tensor } from './onnx-schema.js';
import { SOURCE, count, dimsOf, floats, intAttr, integers, nodeName, type Constant } from './onnx-tensors.js';

const QUANTIZED = ['DynamicQuantizeLinear', 'MatMulInteger', 'QuantizeLinear', 'DequantizeLinear'];
/** the operators of quantized graphs: these, QLinearMatMul and the like, ConvInteger, MatMulIntegerToFloat, … */
const QUANTIZED_OP = /Quant|Integer|^QLinear|^QGemm|^QAttention/;
const ACTIVATIONS = ['Relu', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Softmax'];
const FORMS =
  "simdnet imports ONNX Runtime's quantize_dynamic form (DynamicQuantizeLinear → MatMulInteger → Cast → Mul, int8 weights) and quantize_static's QDQ form (QuantizeLinear/DequantizeLinear pairs, int8 weights behind DequantizeLinear)";

/** What a layer keeps from a quantized file: its weights' scales (one, or one per output) and its input's range (0: none). */
export interface LayerInfo {
  scales: Float32Array | null;
  range: number;
}

/**
 * The file with its quantized layers as float ones, and per layer (by the name the walk gives it)
 * what makes it int8 again; null when the file has no quantized operator.
 */
export function dequantized(model: ModelProtoValue): { model: ModelProtoValue; layers: Map<string, LayerInfo> } | null {
  const graph = model.graph!;
  const ours = (n: Node) => n.domain === '' || n.domain === 'ai.onnx';
  const quantized = (n: Node) => QUANTIZED.includes(n.opType) && ours(n);
  if (!graph.node.some((n) => QUANTIZED_OP.test(n.opType))) return null;
  const constants = new Map<string, Constant>();
  for (const [i, t] of graph.initializer.entries())
    constants.set(t.name, {
      dims: dimsOf(t, `initializer '${t.name || `#${i}`}'`),
      tensor: t,
      what: `initializer '${t.name}'`,
    });
  const fail = (node: Node, why: string): never => {
    throw new TypeError(`${SOURCE}: ${nodeName(node, graph.node.indexOf(node))} ${why}; ${FORMS}`);
  };
  const other = graph.node.find((n) => QUANTIZED_OP.test(n.opType) && !quantized(n));
  if (other) fail(other, 'is a quantized operator simdnet does not read');
  const consumers = (name: string) => graph.node.filter((n) => n.input.includes(name));
  const only = (node: Node, name: string, opType: string): Node => {
    const next = consumers(name);
    if (next.length !== 1 || next[0]!.opType !== opType) fail(node, `must feed one ${opType} with '${name}'`);
    return next[0]!;
  };
  const constant = (node: Node, name: string | undefined, what: string): Constant =>
    (name && constants.get(name)) || fail(node, `needs a constant ${what}`);
  const added: Tensor[] = [];
  const floatConstant = (name: string, dims: number[], values: ArrayLike<number>): string => {
    const tensor: Tensor = {
      name,
      dims,
      dataType: DataType.FLOAT,
      rawData: toFloat32Bytes(values),
      ...{ floatData: [], int32Data: [], int64Data: [], doubleData: [], externalData: [], dataLocation: 0 },
    };
    added.push(tensor);
    constants.set(name, { dims, tensor, what: `initializer '${name}'` });
    return name;
  };
  /** positive finite scales, one or `n` */
  const scalesOf = (node: Node, c: Constant, n: number): Float32Array => {
    const s = floats(c);
    if ((s.length !== 1 && s.length !== n) || !s.every((v) => v > 0 && v < Infinity))
      fail(
        node,
        `has scales [${Array.from(s.slice(0, 4)).join(', ')}${s.length > 4 ? ', …' : ''}]: one positive number or ${n}`,
      );
    return s;
  };
  /** a zero point of 0 (int8 weights are symmetric), or none */
  const zeroPoint = (node: Node, name: string | undefined): void => {
    if (name && integers(constant(node, name, 'zero point')).some((v) => v !== 0))
      fail(node, 'has a zero point other than 0 for its weights (asymmetric weights)');
  };
  const weightScales = new Map<string, Float32Array>(); // a float weight constant → its scales
  const rangeOf = new Map<string, number>(); // a value written by a pair → the range the pair represents
  const replaced = new Map<Node, Node | null>(); // a node → its replacement, or null: gone

  // DequantizeLinear of constants: the float constant it computes, f32((x − 0) · scale)
  for (const node of graph.node) {
    if (node.opType !== 'DequantizeLinear' || !ours(node) || !constants.has(node.input[0]!)) continue;
    const c = constants.get(node.input[0]!)!;
    if (c.tensor.dataType === DataType.UINT8) fail(node, 'holds uint8 weights');
    const q = integers(c);
    zeroPoint(node, node.input[2]);
    const axis = intAttr(node, graph.node.indexOf(node), 'axis', 1);
    const along = c.dims.length === 0 ? 0 : axis < 0 ? axis + c.dims.length : axis;
    const n = c.dims[along] ?? 1;
    const s = scalesOf(node, constant(node, node.input[1], 'scale'), n);
    const inner = count(c.dims.slice(along + 1));
    const name = floatConstant(
      node.output[0]!,
      c.dims,
      Float32Array.from(q, (v, i) => v * s[s.length === 1 ? 0 : Math.floor(i / inner) % n]!),
    );
    if (c.tensor.dataType === DataType.INT8 && c.dims.length === 2) weightScales.set(name, s);
    replaced.set(node, null);
  }
  for (const node of graph.node) {
    if (!ours(node)) continue;
    if (node.opType === 'DynamicQuantizeLinear') {
      // D(x) → q, xs, xz; M = MatMulInteger(q, Wq, xz, wz); P = Mul(xs, ws); C = Cast(M); Y = Mul(C, P)
      const [q, xs, xz] = node.output;
      const M = only(node, q!, 'MatMulInteger');
      if (M.input[0] !== q || (M.input[2] && M.input[2] !== xz))
        fail(M, `must take '${q}' and '${xz}' from ${nodeName(node, graph.node.indexOf(node))}`);
      const P = only(node, xs!, 'Mul');
      const ws = P.input.find((name) => name !== xs);
      const W = constant(M, M.input[1], 'int8 weight matrix');
      if (W.tensor.dataType !== DataType.INT8 || W.dims.length !== 2) fail(M, 'needs a 2-D int8 weight matrix');
      zeroPoint(M, M.input[3]);
      const [k, n] = W.dims as [number, number];
      const s = scalesOf(P, constant(P, ws, 'weight scale'), n);
      const C = only(M, M.output[0]!, 'Cast');
      if (intAttr(C, graph.node.indexOf(C), 'to', 0) !== DataType.FLOAT) fail(C, 'must cast to FLOAT');
      const Y = only(C, C.output[0]!, 'Mul');
      if (!Y.input.includes(P.output[0]!)) fail(Y, `must multiply by '${P.output[0]}'`);
      const w = integers(W);
      const name = floatConstant(
        `${M.input[1]}.dequantized`,
        [k, n],
        Float32Array.from(w, (v, i) => v * s[s.length === 1 ? 0 : i % n]!),
      );
      weightScales.set(name, s);
      for (const gone of [node, P, C, Y]) replaced.set(gone, null);
      replaced.set(M, rewritten(M, 'MatMul', [node.input[0]!, name], Y.output));
    } else if (node.opType === 'QuantizeLinear') {
      // a pair on the chain: Q(x, s, z) → DQ(·, s, z)
      const DQ = only(node, node.output[0]!, 'DequantizeLinear');
      const same = (i: number) => (node.input[i] ?? '') === (DQ.input[i] ?? '');
      if (DQ.input[0] !== node.output[0] || !same(1) || !same(2))
        fail(DQ, 'must undo its QuantizeLinear with the same scale and zero point');
      const s = scalesOf(node, constant(node, node.input[1], 'scale'), 1)[0]!;
      const zc = node.input[2] ? constant(node, node.input[2], 'zero point') : null;
      const z = zc ? integers(zc)[0]! : 0;
      const [lo, hi] = zc?.tensor.dataType === DataType.INT8 ? [-128, 127] : [0, 255];
      rangeOf.set(DQ.output[0]!, Math.fround(Math.max(Math.abs(s * (lo - z)), Math.abs(s * (hi - z)))));
      // clamped at 0 right after a layer: the Relu the quantizer folded into the pair
      const from = graph.node.find((n) => n.output.includes(node.input[0]!));
      const relu =
        lo === z &&
        (from?.opType === 'Gemm' || from?.opType === 'MatMul') &&
        !consumers(DQ.output[0]!).some((n) => ACTIVATIONS.includes(n.opType));
      replaced.set(node, null);
      replaced.set(DQ, rewritten(DQ, relu ? 'Relu' : 'Identity', [node.input[0]!], DQ.output));
    }
  }
  const nodes: Node[] = [];
  for (const node of graph.node) {
    const now = replaced.has(node) ? replaced.get(node)! : node;
    if (!now) continue;
    if (quantized(now)) fail(node, 'is not part of a quantized layer simdnet reads');
    nodes.push(now);
  }
  const layers = new Map<string, LayerInfo>();
  nodes.forEach((node, i) => {
    if (node.opType !== 'Gemm' && node.opType !== 'MatMul') return;
    const info = { scales: weightScales.get(node.input[1]!) ?? null, range: rangeOf.get(node.input[0]!) ?? 0 };
    layers.set(nodeName(node, i), info);
  });
  return {
    model: { ...model, graph: { ...graph, node: nodes, initializer: [...graph.initializer, ...added] } },
    layers,
  };
}

/** A node of the rewritten chain, under the name of the node it stands for (a decoded node keeps its defaults on its prototype). */
const rewritten = (node: Node, opType: string, input: string[], output: string[]): Node => ({
  name: node.name,
  opType,
  domain: '',
  input,
  output,
  attribute: [],
});

/**
 * The quantized model of a float model read from a quantized file: each layer's int8 weights as the
 * file holds them (w / scale, checked to give back the float weights exactly; a layer whose weights
 * are not so, or a float layer, is quantized per output neuron), its bias, its input's range, and
 * the normaliser in float32 values.
 */
export function quantizedOf(model: Model, names: readonly string[], infos: Map<string, LayerInfo>): QuantizedModel {
  const { config, params, normalizer: norm } = model;
  const layers = params.weights.map((w, l) => {
    const k = config.layers[l]!,
      n = config.layers[l + 1]!;
    const info = infos.get(names[l]!);
    const found = info?.scales;
    const scales = found && (found.length === 1 ? new Float32Array(n).fill(found[0]!) : found);
    const q = new Int8Array(k * n);
    let exact = scales?.length === n;
    for (let i = 0; exact && i < k * n; i++) {
      const v = Math.round(w[i]! / scales![i % n]!);
      exact = Math.abs(v) <= 127 && Math.fround(v * scales![i % n]!) === w[i];
      q[i] = v;
    }
    return {
      ...(exact ? { q, scales: scales! } : quantizeWeights(w, k, n)),
      bias: params.biases[l] ?? null,
      range: info?.range ?? 0,
    };
  });
  return {
    precision: 'int8',
    config,
    layers: layers.map(({ q, scales, bias, range }) => ({ weights: q, scales, bias, range })),
    normalizer: norm && { kind: norm.kind, offset: norm.offset.map(Math.fround), scale: norm.scale.map(Math.fround) },
    targetStandardizer: model.targetStandardizer,
    metadata: model.metadata,
  };
}

// ONNX → simdnet, one node at a time: a dense layer's weights from Gemm or MatMul, constants
// broadcast over a row, the input normaliser composed from Sub, Add, Mul and Div, BatchNormalization
// in inference form, activations, and the ops that must leave [batch, features] as they are.
import { DataType, type Node } from './onnx-schema.js';
import { activation, type DenseLayer } from './imported-model.js';
import { type Affine64, type BatchNorm, type PendingDense, addBias, batchNorm, closeDense, openDense } from './fold.js';
import {
  SOURCE,
  count,
  dataTypeName,
  floatAttr,
  floats,
  intAttr,
  ints,
  nodeName,
  type Constant,
} from './onnx-tensors.js';

/** The affine map of the input normaliser so far: x' = (x − offset)·scale, per column or broadcast. */
export interface Affine {
  offset: Float64Array | number;
  scale: Float64Array | number;
}

/**
 * A dense layer being read: Gemm's alpha·x·B + beta·C (B as fanIn × fanOut), then the Add and
 * BatchNormalization nodes after it, until its activation.
 */
export interface Open extends PendingDense {
  name: string;
}

/** The layer of a Gemm or MatMul node; `before` is a BatchNormalization that follows the previous activation. */
export function dense(node: Node, i: number, operands: Constant[], width: number, before: Affine64 | null): Open {
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
  const alpha = node.opType === 'Gemm' ? floatAttr(node, 'alpha', 1) : 1;
  const open: Open = { ...openDense(weights, fanOut, alpha, before), name: where };
  if (C) addBias(open, broadcast(C, fanOut, where, 'C'), floatAttr(node, 'beta', 1));
  return open;
}

/**
 * A BatchNormalization node in inference form over `width` features (0: not known yet, taken from
 * its tensors): inputs X, scale, B, mean, var; attribute epsilon (default 1e-5).
 */
export function batchNormOf(node: Node, i: number, operands: Constant[], width: number): BatchNorm {
  const where = nodeName(node, i);
  if (operands.length !== 4)
    throw new TypeError(`${SOURCE}: ${where} needs 4 constant inputs (scale, B, mean, var), got ${operands.length}`);
  if (intAttr(node, i, 'training_mode', 0) !== 0)
    throw new TypeError(`${SOURCE}: ${where} runs in training mode; simdnet folds the inference form only`);
  const n = width || count(operands[0]!.dims);
  const [gamma, beta, mean, variance] = (['scale', 'B', 'mean', 'var'] as const).map((what, k) =>
    broadcast(operands[k]!, n, where, what),
  ) as [Float32Array, Float32Array, Float32Array, Float32Array];
  const epsilon = floatAttr(node, 'epsilon', 1e-5);
  if (!(epsilon >= 0 && Number.isFinite(epsilon)))
    throw new RangeError(`${SOURCE}: ${where} epsilon is ${epsilon}; it must be a finite number ≥ 0`);
  return batchNorm(gamma, beta, mean, variance, epsilon, `${SOURCE}: ${where}`);
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c]!;
  return t;
}

export function oneConstant(where: string, operands: Constant[]): Constant {
  if (operands.length !== 1) throw new TypeError(`${SOURCE}: ${where} needs one constant operand`);
  return operands[0]!;
}

/** A constant that broadcasts over [batch, n] row by row: shape [], [1], [n], [1, n] or [1, 1]. */
export function broadcast(c: Constant, n: number, where: string, what: string): Float32Array {
  const size = count(c.dims);
  const rowShaped = c.dims.length <= 1 || (c.dims.length === 2 && c.dims[0] === 1);
  if (!rowShaped || (size !== 1 && size !== n))
    throw new RangeError(
      `${SOURCE}: ${where} ${what} has shape [${c.dims.join(', ')}]; expected [${n}], [1, ${n}] or a scalar`,
    );
  const values = floats(c);
  return size === n ? values : new Float32Array(n).fill(values[0]!);
}

export function compose(a: Affine, op: string, v: ArrayLike<number>, where: string): Affine {
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

/** An elementwise Sub, Add, Mul or Div by v after the affine map f, as one affine map. */
export function composeConstant(f: Affine64, op: string, v: ArrayLike<number>, where: string): Affine64 {
  const scale = Float64Array.from(f.scale),
    shift = Float64Array.from(f.shift);
  for (let j = 0; j < scale.length; j++) {
    const k = v[j]!;
    if (op === 'Div' && k === 0) throw new RangeError(`${SOURCE}: ${where} divides column ${j} by 0`);
    if (op === 'Sub' || op === 'Add') shift[j] = shift[j]! + (op === 'Sub' ? -k : k);
    else if (op === 'Mul') {
      scale[j] = scale[j]! * k;
      shift[j] = shift[j]! * k;
    } else {
      scale[j] = scale[j]! / k;
      shift[j] = shift[j]! / k;
    }
  }
  return { scale, shift };
}

export function activationOf(node: Node, i: number): DenseLayer['activation'] {
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

export function checkNoOp(node: Node, i: number, operands: Constant[], width: number): void {
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
 * A closed layer in simdnet's terms. A sigmoid keeps Gemm's alpha as its gain (toONNX writes the gain
 * there) and takes (beta·C + add)/alpha as its bias, which gives back toONNX's float32 bias exactly;
 * elsewhere alpha multiplies the weights.
 */
export function closeLayer(l: Open, act: DenseLayer['activation']): DenseLayer {
  const gain = act.name === 'sigmoid' && l.alpha > 0 && l.alpha <= 1e6 ? l.alpha : 1;
  return {
    ...closeDense(l, gain),
    activation: act.name === 'sigmoid' ? activation('sigmoid', { gain }) : act,
    name: l.name,
  };
}

/** The normaliser composed so far, per input column. */
export function normalizerOf(a: Affine, inputs: number): { offset: Float64Array; scale: Float64Array } {
  return {
    offset: a.offset instanceof Float64Array ? a.offset : new Float64Array(inputs).fill(a.offset),
    scale: a.scale instanceof Float64Array ? a.scale : new Float64Array(inputs).fill(a.scale),
  };
}

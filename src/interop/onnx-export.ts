// simdnet → ONNX: a ModelProto (IR 7, default opset 13) with one input 'input' [batch, inputs]
// and one output 'output'. The normaliser is the graph's first nodes, Sub(offset) (left out where
// every offset is 0) then Mul(scale); each layer is a Gemm (B = W as fanIn × fanOut, transB 0) then
// its activation; the target standardizer is the last nodes, Mul(scale) then Add(mean), so ONNX
// Runtime answers in the targets' units as predict does. The article's sigmoid 1/(1+exp(−α(s−θ)))
// is folded into the Gemm exactly: alpha = beta = α and C = b − θ, so the Gemm yields
// α·x·W + α·(b − θ) = α(s − θ) and a plain Sigmoid follows. A quantized network's layers are
// docs/quantization.md's arithmetic in standard operators instead (quantizedLayer below: the row's
// range, Round, Clip, Cast to int8, MatMulInteger with the int8 weights, then the scales and the
// bias in float32), so ONNX Runtime computes what simdnet does, to the bit up to the activations.
// metadata_props holds the hints and the model's names (features, classes, schema) as JSON; the
// input's and output's doc strings list the names for a reader of the graph.
import type { Model } from '../model/model.js';
import { isQuantized, type QuantizedLayer, type QuantizedModel } from '../model/quantize.js';
import { ModelProto, AttributeType, DataType, HINTS_KEY } from './onnx-schema.js';
import { checkExportable } from './exportable.js';
import { hintsOf, namesOf } from './hints.js';
import { toFloat32Bytes } from './float32-bytes.js';

const OPSET = 13;
const IR_VERSION = 7;
// the quantized layers' shared constants
const FLOOR = 'quant.floor',
  C127 = 'quant.127',
  LOW = 'quant.low',
  HIGH = 'quant.high';

interface NodeSpec {
  opType: string;
  input: string[];
  output: string[];
  name: string;
  attribute: object[];
}

const floatAttr = (name: string, f: number) => ({ name, type: AttributeType.FLOAT, f });
const intAttr = (name: string, i: number) => ({ name, type: AttributeType.INT, i });

const tensor = (name: string, dims: number[], values: ArrayLike<number>) => ({
  name,
  dims,
  dataType: DataType.FLOAT,
  rawData: toFloat32Bytes(values),
});

const valueInfo = (name: string, width: number, docString: string) => ({
  name,
  type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  docString,
});

export function modelToONNX(model: Model | QuantizedModel): Uint8Array {
  checkExportable(model, 'toONNX');
  const nodes: NodeSpec[] = [];
  const initializers: object[] = [];
  const { layers, activations } = model.config;
  let x = 'input';
  /** a node, whose output is the new x */
  const node = (opType: string, name: string, input: string[], attribute: object[] = [], output = name): string => {
    nodes.push({ opType, name, input, output: [output], attribute });
    return (x = output);
  };
  /** a node on x (and `inputs` after it) */
  const step = (opType: string, name: string, inputs: string[], attribute: object[] = [], output = name): string =>
    node(opType, name, [x, ...inputs], attribute, output);
  const constant = (name: string, dims: number[], values: ArrayLike<number>): string => {
    initializers.push(tensor(name, dims, values));
    return name;
  };
  if (model.normalizer) {
    const { offset, scale } = model.normalizer;
    if (offset.some((v) => v !== 0))
      step('Sub', 'normalizer.centered', [constant('normalizer.offset', [layers[0]!], offset)]);
    step('Mul', 'normalizer.scaled', [constant('normalizer.scale', [layers[0]!], scale)]);
  }
  const last = layers.length - 2;
  const targets = model.targetStandardizer;
  // the value a node writes: the graph's output for the last one
  const out = (l: number, name: string) => (l === last && !targets ? 'output' : name);
  for (let l = 0; l <= last; l++) {
    const fanIn = layers[l]!,
      fanOut = layers[l + 1]!;
    const a = activations[l]!;
    const sigmoid = a.name === 'sigmoid';
    const gain = sigmoid ? Math.fround(a.gain) : 1,
      threshold = sigmoid ? Math.fround(a.threshold) : 0;
    const linear = a.name === 'linear';
    const sum = linear ? out(l, `dense${l}`) : `dense${l}`;
    if (isQuantized(model)) {
      quantizedLayer(model.layers[l]!, l, fanIn, fanOut, sum);
      // simdnet's sigmoid(s) = 1 / (1 + exp(−gain·(s − threshold)))
      if (threshold !== 0) step('Sub', `dense${l}.centered`, [constant(`dense${l}.threshold`, [], [threshold])]);
      if (gain !== 1) step('Mul', `dense${l}.gained`, [constant(`dense${l}.gain`, [], [gain])]);
    } else {
      const bias = model.params.biases[l];
      const inputs = [constant(`dense${l}.weight`, [fanIn, fanOut], model.params.weights[l]!)];
      if (bias || threshold !== 0)
        inputs.push(
          constant(
            `dense${l}.bias`,
            [fanOut],
            Array.from({ length: fanOut }, (_, j) => (bias ? bias[j]! : 0) - threshold),
          ),
        );
      step(
        'Gemm',
        `dense${l}`,
        inputs,
        [floatAttr('alpha', gain), floatAttr('beta', gain), intAttr('transA', 0), intAttr('transB', 0)],
        sum,
      );
    }
    if (linear) continue;
    const output = out(l, `${a.name}${l}`);
    if (a.name === 'leaky-relu') step('LeakyRelu', `leaky_relu${l}`, [], [floatAttr('alpha', a.slope)], output);
    else if (a.name === 'softmax') step('Softmax', `softmax${l}`, [], [intAttr('axis', 1)], output);
    else step(a.name === 'relu' ? 'Relu' : a.name === 'tanh' ? 'Tanh' : 'Sigmoid', `${a.name}${l}`, [], [], output);
  }
  if (targets) {
    const outputs = layers[layers.length - 1]!;
    step('Mul', 'targets.scaled', [constant('targets.scale', [outputs], targets.scale)]);
    step('Add', 'targets.shifted', [constant('targets.mean', [outputs], targets.mean)], [], 'output');
  }

  /**
   * One quantized layer on x (docs/quantization.md): the row's range m (Max(ReduceMax(Abs(x)), 2^−100),
   * or the calibrated range as constants), q = Cast<int8>(Clip(Round(x · 127/m), −127, 127)),
   * S = MatMulInteger(q, Wq), then s = ((f32(S) · m/127) · sw) + b into `sum` (b = 0 without a bias).
   */
  function quantizedLayer(layer: QuantizedLayer, l: number, k: number, n: number, sum: string): void {
    const at = (what: string) => `dense${l}.${what}`;
    const input = x;
    let inv: string, sx: string;
    if (layer.range > 0) {
      const m = Math.max(layer.range, 2 ** -100);
      inv = constant(at('inv'), [], [127 / m]);
      sx = constant(at('sx'), [], [m / 127]);
    } else {
      step('Abs', at('abs'), []);
      step('ReduceMax', at('max'), [], [{ name: 'axes', type: AttributeType.INTS, ints: [1] }, intAttr('keepdims', 1)]);
      const m = step('Max', at('range'), [FLOOR]);
      inv = node('Div', at('inv'), [C127, m]);
      sx = node('Div', at('sx'), [m, C127]);
    }
    x = input;
    step('Mul', at('scaled'), [inv]);
    step('Round', at('rounded'), []);
    step('Clip', at('clipped'), [LOW, HIGH]);
    step('Cast', at('q'), [], [intAttr('to', DataType.INT8)]);
    const w = layer.weights;
    initializers.push({
      name: at('weight'),
      dims: [k, n],
      dataType: DataType.INT8,
      rawData: new Uint8Array(w.buffer, w.byteOffset, k * n),
    });
    step('MatMulInteger', at('product'), [at('weight')]);
    step('Cast', at('sum'), [], [intAttr('to', DataType.FLOAT)]);
    step('Mul', at('row_scaled'), [sx]);
    step('Mul', at('scaled_sum'), [constant(at('scale'), [n], layer.scales)]);
    step('Add', at('biased'), [constant(at('bias'), [n], layer.bias ?? new Float32Array(n))], [], sum);
  }
  if (isQuantized(model)) {
    constant(FLOOR, [], [2 ** -100]);
    constant(C127, [], [127]);
    constant(LOW, [], [-127]);
    constant(HIGH, [], [127]);
  }

  const { features, classes } = model.metadata;
  const message = ModelProto.fromObject({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'simdnet',
    graph: {
      name: 'simdnet',
      node: nodes,
      initializer: initializers,
      input: [valueInfo('input', layers[0]!, features ? `features: ${features.join(', ')}` : '')],
      output: [
        valueInfo(
          'output',
          layers[layers.length - 1]!,
          classes ? `classes: ${classes.join(', ')}` : targets ? "in the targets' units" : '',
        ),
      ],
    },
    metadataProps: [
      { key: HINTS_KEY, value: JSON.stringify(hintsOf(model)) },
      ...Object.entries(namesOf(model)).map(([key, value]) => ({ key, value: JSON.stringify(value) })),
    ],
  });
  // a plain Uint8Array of its own: in Node protobufjs hands out a Buffer view into a shared pool
  return new Uint8Array(ModelProto.encode(message).finish());
}

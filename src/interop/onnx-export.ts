// simdnet → ONNX: a ModelProto (IR 7, default opset 13) with one input 'input' [batch, inputs]
// and one output 'output'. The normaliser is the graph's first nodes, Sub(offset) then
// Mul(scale); each layer is a Gemm (B = W as fanIn × fanOut, transB 0) then its activation; the
// target standardizer is the last nodes, Mul(scale) then Add(mean), so ONNX Runtime answers in the
// targets' units as predict does. The article's sigmoid 1/(1+exp(−α(s−θ))) is folded into the Gemm
// exactly: alpha = beta = α and C = b − θ, so the Gemm yields α·x·W + α·(b − θ) = α(s − θ) and a
// plain Sigmoid follows. metadata_props holds the hints and the model's names (features, classes,
// schema) as JSON; the input's and output's doc strings list the names for a reader of the graph.
import type { Model } from '../model/model.js';
import { ModelProto, AttributeType, DataType, HINTS_KEY } from './onnx-schema.js';
import { checkExportable } from './exportable.js';
import { hintsOf, namesOf } from './hints.js';
import { toFloat32Bytes } from './float32-bytes.js';

const OPSET = 13;
const IR_VERSION = 7;

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

export function modelToONNX(model: Model): Uint8Array {
  checkExportable(model, 'toONNX');
  const nodes: NodeSpec[] = [];
  const initializers: ReturnType<typeof tensor>[] = [];
  const { layers, activations } = model.config;
  let x = 'input';
  const step = (opType: string, name: string, inputs: string[], attribute: object[] = [], output = name): void => {
    nodes.push({ opType, name, input: [x, ...inputs], output: [output], attribute });
    x = output;
  };
  if (model.normalizer) {
    initializers.push(
      tensor('normalizer.offset', [layers[0]!], model.normalizer.offset),
      tensor('normalizer.scale', [layers[0]!], model.normalizer.scale),
    );
    step('Sub', 'normalizer.centered', ['normalizer.offset']);
    step('Mul', 'normalizer.scaled', ['normalizer.scale']);
  }
  const last = layers.length - 2;
  const targets = model.targetStandardizer;
  // the value a node writes: the graph's output for the last one
  const out = (l: number, name: string) => (l === last && !targets ? 'output' : name);
  for (let l = 0; l <= last; l++) {
    const fanIn = layers[l]!,
      fanOut = layers[l + 1]!;
    const a = activations[l]!,
      bias = model.params.biases[l];
    const sigmoid = a.name === 'sigmoid';
    const gain = sigmoid ? Math.fround(a.gain) : 1,
      threshold = sigmoid ? Math.fround(a.threshold) : 0;
    initializers.push(tensor(`dense${l}.weight`, [fanIn, fanOut], model.params.weights[l]!));
    const inputs = [`dense${l}.weight`];
    if (bias || threshold !== 0) {
      initializers.push(
        tensor(
          `dense${l}.bias`,
          [fanOut],
          Array.from({ length: fanOut }, (_, j) => (bias ? bias[j]! : 0) - threshold),
        ),
      );
      inputs.push(`dense${l}.bias`);
    }
    const linear = a.name === 'linear';
    step(
      'Gemm',
      `dense${l}`,
      inputs,
      [floatAttr('alpha', gain), floatAttr('beta', gain), intAttr('transA', 0), intAttr('transB', 0)],
      linear ? out(l, `dense${l}`) : `dense${l}`,
    );
    if (linear) continue;
    const output = out(l, `${a.name}${l}`);
    if (a.name === 'leaky-relu') step('LeakyRelu', `leaky_relu${l}`, [], [floatAttr('alpha', a.slope)], output);
    else if (a.name === 'softmax') step('Softmax', `softmax${l}`, [], [intAttr('axis', 1)], output);
    else step(a.name === 'relu' ? 'Relu' : a.name === 'tanh' ? 'Tanh' : 'Sigmoid', `${a.name}${l}`, [], [], output);
  }
  if (targets) {
    const outputs = layers[layers.length - 1]!;
    initializers.push(
      tensor('targets.scale', [outputs], targets.scale),
      tensor('targets.mean', [outputs], targets.mean),
    );
    step('Mul', 'targets.scaled', ['targets.scale']);
    step('Add', 'targets.shifted', ['targets.mean'], [], 'output');
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

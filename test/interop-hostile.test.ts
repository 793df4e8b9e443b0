// Interop on hostile files: fromONNX and fromTFJS refuse truncated, bit-flipped, mutated and foreign
// input with a clear TypeError or RangeError (never a Wasm trap, never an engine message about
// undefined), build nothing when they refuse (engine memory untouched), pollute no prototype, and
// anything they accept is a sound network: finite weights, an architecture NN.create builds, and
// predictions for every row (a quantized one, from ONNX Runtime's quantizer's files: finite
// predictions for every row).
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NN } from '../src/index.js';
import { fromONNX, fromTFJS, toONNX, toTFJS } from '../src/interop/index.js';
import { ModelProto } from '../src/interop/onnx-schema.js';
import { ENGINES, type EngineKind, engineOf, memoryImage, expectSameBytes } from './helpers/engines.js';
import { expectClearError } from './helpers/clear-errors.js';
import { expectNoPollution, expectSoundNetwork } from './helpers/hostile-input.js';
import { CASES, trained } from './helpers/interop-cases.js';

interface Base {
  name: string;
  onnx: Uint8Array;
  modelJSON: string;
  weightData: Uint8Array;
  inputs: number;
}
const bases: Base[] = [];
/** ONNX bases too: what ONNX Runtime's quantizer writes (test/fixtures/quant/), quantized on import */
const quantized = ['iris.dynamic.onnx', 'iris.static-qdq-per-channel.onnx'].map((file) => ({
  name: file,
  onnx: new Uint8Array(readFileSync(new URL(`./fixtures/quant/${file}`, import.meta.url))),
}));
const onnxBases = (): { name: string; onnx: Uint8Array }[] => [...bases, ...quantized];

beforeAll(async () => {
  for (const c of [CASES[0]!, CASES[3]!, CASES[6]!, CASES[8]!, CASES[6]!]) {
    let net = trained(c, 'js');
    if (bases.length === 4) {
      // the last base also carries a target standardizer and names
      const json = { ...net.toJSON(), targetStandardizer: { mean: [150, -3], scale: [75, 0.5] } };
      net.dispose();
      net = await NN.fromJSON({ ...json, features: ['a', 'b', 'c', 'd', 'e'], classes: ['x', 'y'] }, { engine: 'js' });
    }
    const { modelJSON, weightData } = toTFJS(net);
    bases.push({
      name: c.name,
      onnx: toONNX(net),
      modelJSON: JSON.stringify(modelJSON),
      weightData,
      inputs: net.layers[0]!,
    });
    net.dispose();
  }
});

/** Loads; a refusal must be clear and leave the engine as it was, an acceptance must be sound. Returns whether accepted. */
async function load(what: string, engine: EngineKind, run: () => Promise<NN>): Promise<boolean> {
  const heap = engineOf(engine).heap,
    allocated = heap.allocated;
  let net: NN | null = null;
  try {
    net = await run();
  } catch (err) {
    expectClearError(err, /ONNX model|TF\.js model|options/, what);
    expect(heap.allocated, `${what}: engine memory after a refusal`).toBe(allocated);
  }
  expectNoPollution(what);
  if (!net) return false;
  try {
    if (net.precision === 'int8') {
      const y = net.predict(new Float32Array(3 * net.layers[0]!).fill(0.5));
      expect(y.every(Number.isFinite), `${what}: finite predictions`).toBe(true);
    } else expectSoundNetwork(net, engine, what);
  } finally {
    net.dispose();
  }
  return true;
}

const onnx = (bytes: Uint8Array, engine: EngineKind) => () => fromONNX(bytes, { engine });
const tfjs = (modelJSON: unknown, weightData: unknown, engine: EngineKind) => () =>
  fromTFJS(modelJSON as string, weightData as Uint8Array, { engine });

describe('fromONNX on hostile bytes', () => {
  it('every truncation of every exported file is refused cleanly or accepted soundly (cut inside the trailing hints), 90% refused', async () => {
    let refused = 0;
    for (const base of onnxBases()) {
      for (let n = 0; n < base.onnx.length; n++) {
        const engine = ENGINES[n % 2]!;
        const image = n % 97 === 0 ? memoryImage(engine) : null;
        if (!(await load(`${base.name}: first ${n} bytes`, engine, onnx(base.onnx.slice(0, n), engine)))) refused++;
        if (image) expectSameBytes(image, memoryImage(engine), `${base.name}: first ${n} bytes`);
      }
    }
    expect(refused).toBeGreaterThan(onnxBases().reduce((s, b) => s + b.onnx.length, 0) * 0.9);
  });

  it('fast-check: 1500 files with 1–4 bytes changed are refused cleanly or accepted soundly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...ENGINES),
        async (b, edits, engine) => {
          const base = onnxBases()[b % onnxBases().length]!,
            bytes = base.onnx.slice();
          for (const [at, mask] of edits) bytes[at % bytes.length]! ^= mask;
          await load(
            `${base.name} with bytes ${edits.map(([at, m]) => `${at % bytes.length}^${m}`).join(',')}`,
            engine,
            onnx(bytes, engine),
          );
        },
      ),
      { numRuns: 1500, seed: 0x0a11 },
    );
  });

  it('protobuf nested 200,000 groups deep, and lengths beyond the end, are refused cleanly', async () => {
    const deep = new Uint8Array(200_000).fill((15 << 3) | 3); // start-group of an unknown field, over and over
    const long = Uint8Array.from([(7 << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]); // graph: 2^32 − 1 bytes follow
    for (const bytes of [deep, long])
      expect(await load(`${bytes.length} hostile bytes`, 'wasm', onnx(bytes, 'wasm'))).toBe(false);
  });

  it('fast-check: 1000 arbitrary byte strings (and non-bytes) are refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 4096 }), fc.anything({ maxDepth: 2 })), async (input) => {
        await load('arbitrary input', 'wasm', () => fromONNX(input as Uint8Array));
      }),
      { numRuns: 1000, seed: 0xb0b },
    );
  });

  // structural mutations of a decoded model, re-encoded: the checks after protobuf
  const EDITS = [
    'opType',
    'attribute',
    'dims',
    'dataType',
    'rawData',
    'dropInitializer',
    'swapInputs',
    'extraConsumer',
    'inputShape',
    'opset',
  ] as const;
  const OPS = [
    'Gemm',
    'MatMul',
    'Add',
    'Sub',
    'Mul',
    'Div',
    'Relu',
    'Sigmoid',
    'Tanh',
    'LeakyRelu',
    'Softmax',
    'BatchNormalization',
    'Identity',
    'Dropout',
    'Flatten',
    'Reshape',
    'Cast',
    'Constant',
    'Conv',
    'Transpose',
    'DynamicQuantizeLinear',
    'MatMulInteger',
    'QuantizeLinear',
    'DequantizeLinear',
    'QLinearMatMul',
    '',
  ];
  it('fast-check: 2000 structural mutations (ops, attributes, shapes, types, data, wiring) are refused cleanly or accepted soundly', async () => {
    let accepted = 0,
      refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.array(
          fc.tuple(fc.constantFrom(...EDITS), fc.nat(), fc.integer({ min: -3, max: 70000 }), fc.constantFrom(...OPS)),
          { minLength: 1, maxLength: 3 },
        ),
        fc.constantFrom(...ENGINES),
        async (b, edits, engine) => {
          const base = onnxBases()[b % onnxBases().length]!;
          const m = ModelProto.decode(base.onnx) as unknown as {
            opsetImport: { version: number }[];
            graph: {
              node: {
                opType: string;
                input: string[];
                attribute: { name: string; type: number; f: number; i: number }[];
              }[];
              initializer: { dims: number[]; dataType: number; rawData: Uint8Array }[];
              input: { type: { tensorType: { shape: { dim: { dimValue: number }[] } } } }[];
            };
          };
          const g = m.graph;
          for (const [edit, pick, value, op] of edits) {
            const node = g.node[pick % g.node.length]!,
              init = g.initializer[pick % g.initializer.length];
            switch (edit) {
              case 'opType':
                node.opType = op;
                break;
              case 'attribute':
                node.attribute.push({
                  name: ['alpha', 'beta', 'transA', 'transB', 'axis', 'to'][pick % 6]!,
                  type: pick % 2 ? 1 : 2,
                  f: value / 7,
                  i: value,
                });
                break;
              case 'dims':
                if (init) init.dims = init.dims.map((d, i) => (i === pick % init.dims.length ? value : d));
                break;
              case 'dataType':
                if (init) init.dataType = value % 17;
                break;
              case 'rawData':
                // (ONNX Runtime writes small tensors in float_data: their raw_data decodes as an empty array)
                if (init)
                  init.rawData = Uint8Array.from(init.rawData).subarray(0, Math.abs(value) % (init.rawData.length + 1));
                break;
              case 'dropInitializer':
                g.initializer.splice(pick % g.initializer.length, 1);
                break;
              case 'swapInputs':
                node.input.reverse();
                break;
              case 'extraConsumer':
                g.node.push({ ...node, input: [node.input[0]!], attribute: [] });
                break;
              case 'inputShape':
                g.input[0]!.type.tensorType.shape.dim[pick % 2]!.dimValue = value;
                break;
              case 'opset':
                m.opsetImport[0]!.version = value % 30;
                break;
            }
          }
          const bytes = ModelProto.encode(m as never).finish();
          if (await load(`${base.name}: ${edits.map((e) => e.join(' ')).join('; ')}`, engine, onnx(bytes, engine)))
            accepted++;
          else refused++;
        },
      ),
      { numRuns: 2000, seed: 0x57c7 },
    );
    expect(accepted).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(1000);
  });
});

describe('fromTFJS on hostile files', () => {
  it('every truncation of weights.bin, and of model.json text, is refused', async () => {
    for (const base of bases) {
      for (let n = 0; n < base.weightData.length; n += 3) {
        expect(
          await load(
            `${base.name}: weights.bin cut to ${n} bytes`,
            'wasm',
            tfjs(base.modelJSON, base.weightData.slice(0, n), 'wasm'),
          ),
        ).toBe(false);
      }
      for (let n = 0; n < base.modelJSON.length; n += 7) {
        expect(
          await load(
            `${base.name}: model.json cut to ${n} characters`,
            'js',
            tfjs(base.modelJSON.slice(0, n), base.weightData, 'js'),
          ),
        ).toBe(false);
      }
    }
  });

  const hostile = fc.oneof(
    fc.constantFrom(
      null,
      true,
      0,
      -1,
      1e9,
      NaN,
      '',
      'Dense',
      'Conv2D',
      'elu',
      'relu',
      'float16',
      [],
      {},
      [null, 4],
      [null, 0],
      [null, 2 ** 40],
    ),
    fc.jsonValue({ maxDepth: 2 }),
    fc.integer({ min: -2, max: 70000 }),
  );
  it('fast-check: 2000 mutations of model.json are refused cleanly or accepted soundly', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.nat(),
        hostile,
        fc.boolean(),
        fc.constantFrom(...ENGINES),
        async (b, pick, value, remove, engine) => {
          const base = bases[b % bases.length]!;
          const root = JSON.parse(base.modelJSON) as Record<string, unknown>;
          const paths: (string | number)[][] = [];
          const walk = (node: unknown, path: (string | number)[]) => {
            if (node === null || typeof node !== 'object') return;
            for (const key of Object.keys(node)) {
              const p = [...path, Array.isArray(node) ? Number(key) : key];
              paths.push(p);
              walk((node as Record<string, unknown>)[key], p);
            }
          };
          walk(root, []);
          const path = paths[pick % paths.length]!;
          const parent = path.slice(0, -1).reduce((n: unknown, k) => (n as Record<string, unknown>)[k], root) as Record<
            string,
            unknown
          >;
          const key = path[path.length - 1]!;
          if (remove && !Array.isArray(parent)) delete parent[key];
          else parent[key] = value;
          if (
            await load(
              `${base.name}: ${remove ? 'delete' : `set ${JSON.stringify(value)?.slice(0, 30)} at`} ${path.join('.')}`,
              engine,
              tfjs(root, base.weightData, engine),
            )
          )
            accepted++;
        },
      ),
      { numRuns: 2000, seed: 0x7f15 },
    );
    expect(accepted).toBeGreaterThan(100); // names, initializers and other unread fields change nothing
  });

  it('fast-check: arbitrary values as model.json and weights are refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything({ maxDepth: 3 }),
        fc.oneof(fc.uint8Array({ maxLength: 256 }), fc.anything({ maxDepth: 1 })),
        async (modelJSON, weights) => {
          expect(await load('arbitrary', 'wasm', tfjs(modelJSON, weights, 'wasm'))).toBe(false);
        },
      ),
      { numRuns: 1000, seed: 0x3e3 },
    );
  });
});

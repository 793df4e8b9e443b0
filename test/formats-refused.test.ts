// Model files refused: NN.fromJSON and NN.fromBinary refuse malformed, truncated, wrong-version,
// wrong-checksum, oversized and hostile input with a clear TypeError or RangeError: never a Wasm
// trap, never an engine message about undefined, never prototype pollution, never a leak of engine
// memory. fast-check throws thousands of mutated models (a quantized one among them) and arbitrary
// values at both loaders; any model they accept must be one NN.create would build, with finite
// weights, that round-trips (a quantized one: finite answers, the same bits after a round trip).
// And toFunction's source holds only numbers from the model: every other token comes from a fixed list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { NN, toFunction, type ModelJSON } from '../src/index.js';
import { randomRows } from './helpers/random-data.js';
import { expectSameWeights, weightBits } from './helpers/bits.js';
import { ENGINES, type EngineKind, engineOf } from './helpers/engines.js';
import { expectClearError, loadError, rejected } from './helpers/clear-errors.js';
import { expectNoPollution, expectSoundNetwork } from './helpers/hostile-input.js';
import { crc32, joinBinary, resign, splitBinary } from './helpers/binary-format.js';
import { classic, classicTrain } from './helpers/classic.js';

// ---- the models everything starts from -------------------------------------------------------

interface Base {
  name: string;
  json: ModelJSON;
  text: string;
  binary: Uint8Array;
}
const bases: Base[] = [];

function makeBases(): void {
  const softmax = NN.createSync(
    classic({
      layers: [3, 5, 2],
      activation: { name: 'sigmoid', gain: 0.7, threshold: 0.1 },
      output: 'softmax',
      loss: 'cross-entropy',
      normalize: 'zscore',
      engine: 'js',
      seed: 9,
    }),
  );
  const x = randomRows(16, 3, 3, -5, 5),
    t = new Float32Array(32).map((_, i) => (((i >> 1) % 3 === 0) === (i % 2 === 0) ? 1 : 0));
  softmax.train(x, t, classicTrain({ epochs: 2, batchSize: 4, optimizer: 'adam' }));
  const small = NN.createSync(
    classic({
      layers: [2, 1],
      activation: { name: 'leaky-relu', slope: 0.2 },
      loss: 'mse',
      bias: false,
      init: 'uniform',
      initScale: 0.3,
      engine: 'js',
      seed: 4,
    }),
  );
  const deep = NN.createSync(
    classic({
      layers: [4, 3, 3, 2],
      activation: ['tanh', 'relu', 'linear'],
      loss: 'mse',
      normalize: 'minmax',
      engine: 'js',
      seed: 5,
    }),
  );
  deep.train(
    randomRows(8, 4, 6, 0, 100),
    randomRows(8, 2, 7),
    classicTrain({ epochs: 1, batchSize: 3, optimizer: 'momentum' }),
  );
  const quantized = softmax.quantize({ calibration: x.subarray(0, 8 * 3) });
  for (const [name, net, options] of [
    ['softmax+adam', softmax, {}],
    ['no-bias', small, { training: false }],
    ['deep+momentum', deep, {}],
    ['quantized', quantized, {}],
  ] as const) {
    const json = net.toJSON(options);
    bases.push({ name, json, text: JSON.stringify(json), binary: net.toBinary(options) });
    net.dispose();
  }
}

// ---- what every outcome must look like --------------------------------------------------------

// toFunction's source: a tokenizer for exactly the JavaScript codegen writes
const IDENTIFIERS = new Set([
  'function',
  'simdnetPredict',
  'row',
  'if',
  'null',
  'length',
  'throw',
  'new',
  'RangeError',
  'let',
  'x',
  'Float64Array',
  'const',
  'offset',
  'scale',
  'for',
  'i',
  'Number',
  'W',
  'Float32Array',
  'y',
  'n',
  'p',
  'a',
  'j',
  'Math',
  'exp',
  'tanh',
  'Infinity',
  'm',
  's',
  'return',
]);
const TOKEN = /\s+|[A-Za-z_$][\w$]*|(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|'[^'\\\n]*'|[{}()[\];,.=<>+\-*/!|&]/y;

/** Throws unless the source consists of whitelisted identifiers, number literals, punctuation and the one fixed message. */
function checkFunctionSource(source: string, inputs: number, softmaxLayers: number): void {
  TOKEN.lastIndex = 0;
  let infinities = 0;
  while (TOKEN.lastIndex < source.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(source);
    if (!m)
      throw new Error(
        `toFunction source: unexpected character ${JSON.stringify(source[at])} at ${at}: ${source.slice(Math.max(0, at - 40), at + 40)}`,
      );
    const token = m[0];
    if (/^[A-Za-z_$]/.test(token)) {
      if (!IDENTIFIERS.has(token))
        throw new Error(`toFunction source: identifier ${JSON.stringify(token)} is not one codegen writes`);
      if (token === 'Infinity') infinities++;
    } else if (token.startsWith("'") && token !== `'input must have ${inputs} values'`) {
      throw new Error(`toFunction source: string literal ${token} is not the fixed message`);
    }
  }
  if (infinities !== softmaxLayers)
    throw new Error(`toFunction source: ${infinities} Infinity tokens for ${softmaxLayers} softmax layers`);
}

/** The float bases (the binary helpers read version 1 files; toFunction writes float networks). */
const floatBases = (): Base[] => bases.filter((b) => b.json.precision === undefined);

/** An accepted quantized model: finite answers for a few rows, and the same bits after both round trips. */
async function checkAcceptedQuantized(net: NN, engine: EngineKind, what: string): Promise<void> {
  const x = randomRows(3, net.layers[0]!, 1, -3, 3);
  const y = net.predict(x);
  expect(y.every(Number.isFinite), `${what}: finite answers`).toBe(true);
  for (const copy of [
    await NN.fromJSON(JSON.stringify(net.toJSON()), { engine }),
    await NN.fromBinary(net.toBinary(), { engine }),
  ]) {
    expect(copy.precision, what).toBe('int8');
    expect(weightBits({ weights: [copy.predict(x)], biases: [] }), `${what}: round trip`).toEqual(
      weightBits({ weights: [y], biases: [] }),
    );
    copy.dispose();
  }
}

/** Checks an accepted model: sound (expectSoundNetwork), round trips, a clean toFunction. */
async function checkAccepted(net: NN, engine: EngineKind, what: string): Promise<void> {
  if (net.precision === 'int8') return checkAcceptedQuantized(net, engine, what);
  expectSoundNetwork(net, engine, what);
  const json = net.toJSON();
  const copy = await NN.fromJSON(JSON.stringify(json), { engine });
  try {
    // JSON text writes -0 as 0: equal values, not equal bits
    expect(
      weightBits(copy.getWeights()).map((b) => (b === 0x80000000 ? 0 : b)),
      `${what}: JSON round trip`,
    ).toEqual(weightBits(net.getWeights()).map((b) => (b === 0x80000000 ? 0 : b)));
  } finally {
    copy.dispose();
  }
  const copy2 = await NN.fromBinary(net.toBinary(), { engine });
  try {
    expectSameWeights(net.getWeights(), copy2.getWeights(), `${what}: binary round trip`);
  } finally {
    copy2.dispose();
  }
  checkFunctionSource(
    toFunction(net).toString(),
    json.layers[0]!,
    json.activations.filter((a) => a.name === 'softmax').length,
  );
}

/** Loads and checks the outcome; returns whether the input was accepted. */
async function load(kind: 'json' | 'binary', input: unknown, engine: EngineKind, what: string): Promise<boolean> {
  let net: NN | null = null;
  try {
    net =
      kind === 'json'
        ? await NN.fromJSON(input as string, { engine })
        : await NN.fromBinary(input as Uint8Array, { engine });
  } catch (err) {
    expectClearError(err, null, what);
  }
  expectNoPollution(what);
  if (!net) return false;
  try {
    await checkAccepted(net, engine, what);
  } finally {
    net.dispose();
  }
  return true;
}

// ---- mutations -----------------------------------------------------------------------------

type Path = (string | number)[];
type Tree = Record<string, unknown> | unknown[];
const isTree = (v: unknown): v is Tree => v !== null && typeof v === 'object';

/** Every path into the tree, down to depth 40 (deeper junk is replaced or deleted whole, not edited inside). */
function pathsOf(node: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (isTree(node) && prefix.length < 40) {
    for (const key of Object.keys(node)) {
      const path = [...prefix, Array.isArray(node) ? Number(key) : key];
      out.push(path);
      pathsOf((node as Record<string, unknown>)[key], path, out);
    }
  }
  return out;
}

const parentOf = (root: unknown, path: Path): Tree =>
  path.slice(0, -1).reduce((n: unknown, k) => (n as Record<string, unknown>)[k], root) as Tree;
/** An own data property even for "__proto__" (plain assignment would set the prototype). */
const define = (target: Tree, key: string | number, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};

const HOSTILE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'length',
  '0',
  'weights',
  '',
];
const deepArray = (depth: number): unknown => {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};
const deepObject = (depth: number): unknown =>
  JSON.parse(`${'{"__proto__":'.repeat(depth)}{"polluted":1}${'}'.repeat(depth)}`);

const hostileNumber = fc.oneof(
  fc.constantFrom(
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    -1,
    0.5,
    1e39,
    -1e39,
    3.4028234663852886e38,
    2 ** 24,
    2 ** 24 + 1,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    1e308,
    5e-324,
    1e-45,
    1e300,
    -1e300,
    4096,
    65536,
  ),
  fc.double(),
  fc.integer({ min: -3, max: 70000 }),
);
const hostileValue = fc.oneof(
  { weight: 4, arbitrary: hostileNumber },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'NaN',
      'Infinity',
      '-Infinity',
      '1',
      '0.5',
      '',
      'sigmoid',
      'softmax',
      'simdnet',
      "x'); throw 1; ('",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a hostile key, not a template
      '${1}',
      '\u0000',
    ),
  },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]], [NaN], ['1']) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2000 }).map(deepArray) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 500 }).map(deepObject) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      JSON.parse('{"__proto__":{"polluted":"yes"}}'),
      JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
      JSON.parse('{"prototype":{"polluted":"yes"}}'),
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 50000 }).map((n) => new Array<number>(n).fill(0.25)) },
);

const OPS = [
  'replace',
  'replace',
  'number',
  'number',
  'delete',
  'addKey',
  'truncate',
  'push',
  'stringify',
  'double',
] as const;
const mutation = fc.record({
  base: fc.nat(),
  op: fc.constantFrom(...OPS),
  pick: fc.nat(),
  value: hostileValue,
  key: fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 })),
  count: fc.integer({ min: 1, max: 3 }),
});
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** A fresh copy of a generated value: fast-check hands out the same constant objects run after run. */
const fresh = (v: unknown): unknown => (isTree(v) ? (JSON.parse(JSON.stringify(v)) as unknown) : v);

/** Applies one to three mutations to a fresh copy of a model object; describes what it did. */
function mutate(root: Record<string, unknown>, m: Mutation): string {
  const done: string[] = [];
  const original = m.value;
  for (let k = 0; k < m.count; k++) {
    m = { ...m, value: fresh(original) }; // a new copy each time: inserting one object twice could make a cycle
    const pick = m.pick + k * 7919;
    const all = pathsOf(root);
    const choose = <T>(list: T[]): T | undefined => (list.length ? list[pick % list.length] : undefined);
    const op = k === 0 ? m.op : OPS[(pick >>> 3) % OPS.length]!;
    if (op === 'replace' || op === 'number' || op === 'stringify') {
      const leaves =
        op === 'replace'
          ? all
          : all.filter((p) => typeof (parentOf(root, p) as Record<string, unknown>)[p[p.length - 1]!] === 'number');
      const path = choose(leaves);
      if (!path) continue;
      const parent = parentOf(root, path),
        key = path[path.length - 1]!;
      const old = (parent as Record<string, unknown>)[key];
      const value =
        op === 'stringify'
          ? String(old)
          : op === 'number'
            ? typeof m.value === 'number'
              ? m.value
              : -(old as number)
            : m.value;
      define(parent, key, value);
      done.push(`${op} ${path.join('.')}`);
    } else if (op === 'delete') {
      const path = choose(all);
      if (!path) continue;
      const parent = parentOf(root, path),
        key = path[path.length - 1]!;
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      done.push(`delete ${path.join('.')}`);
    } else if (op === 'addKey') {
      const objects: Path[] = [
        [],
        ...all.filter((p) => {
          const v = (parentOf(root, p) as Record<string, unknown>)[p[p.length - 1]!];
          return isTree(v) && !Array.isArray(v);
        }),
      ];
      const path = choose(objects)!;
      const target = path.length
        ? ((parentOf(root, path) as Record<string, unknown>)[path[path.length - 1]!] as Tree)
        : root;
      define(target, m.key, m.value);
      done.push(`addKey ${[...path, m.key].join('.')}`);
    } else {
      const arrays = all.filter((p) => Array.isArray((parentOf(root, p) as Record<string, unknown>)[p[p.length - 1]!]));
      const path = choose(arrays);
      if (!path) continue;
      const array = (parentOf(root, path) as Record<string, unknown>)[path[path.length - 1]!] as unknown[];
      if (op === 'truncate') array.length = pick % Math.max(1, array.length);
      else if (op === 'push') array.push(m.value);
      else array.push(...array.slice()); // 'double': every entry twice
      done.push(`${op} ${path.join('.')}`);
    }
  }
  return done.join('; ');
}

// ---- tests ---------------------------------------------------------------------------------

const baselines = new Map<EngineKind, number>();
beforeAll(() => {
  makeBases();
  for (const engine of ENGINES) baselines.set(engine, engineOf(engine).heap.allocated);
});
afterAll(() => {
  // nothing that was refused (or accepted and disposed) may keep engine memory
  for (const engine of ENGINES)
    expect(engineOf(engine).heap.allocated, `${engine}: engine memory leaked by loading`).toBe(baselines.get(engine));
});

describe('fromJSON', () => {
  it('the base models load on both engines and pass every acceptance check', async () => {
    for (const base of bases)
      for (const engine of ENGINES) {
        expect(await load('json', base.text, engine, base.name)).toBe(true);
        expect(await load('json', JSON.parse(base.text), engine, base.name)).toBe(true);
        expect(await load('binary', base.binary, engine, base.name)).toBe(true);
      }
  });

  const edit =
    (f: (m: Record<string, unknown> & { training?: Record<string, unknown> }) => void, base = 0) =>
    (): unknown => {
      const m = JSON.parse(bases[base]!.text) as Record<string, unknown>;
      f(m);
      return m;
    };
  // the class is given where one must not pass for the other
  const HOSTILE: [string, () => unknown, RegExp, (typeof TypeError | typeof RangeError)?][] = [
    ['a number', () => 42, /model/, TypeError],
    ['an array', () => [], /model/, TypeError],
    [
      'wrong format',
      edit((m) => {
        m.format = 'simdnet2';
      }),
      /model\.format/,
      TypeError,
    ],
    [
      'format missing',
      edit((m) => {
        delete m.format;
      }),
      /model\.format/,
      TypeError,
    ],
    [
      'wrong version 4',
      edit((m) => {
        m.version = 4;
      }),
      /model\.version/,
      RangeError,
    ],
    [
      'version 1 with the optimizer slots named m and v',
      edit((m) => {
        m.version = 1;
      }),
      /model\.training\.state/,
      TypeError,
    ],
    [
      'version 3 with the optimizer slots named first and second (version 1 names)',
      edit((m) => {
        const state = (m.training as { state: Record<string, unknown> }).state;
        m.training = { ...(m.training as object), state: { first: state.m, second: state.v } };
      }),
      /model\.training\.state/,
      TypeError,
    ],
    [
      'version as a string',
      edit((m) => {
        m.version = '1';
      }),
      /model\.version/,
      RangeError,
    ],
    [
      'an unknown key',
      edit((m) => {
        m.extra = 1;
      }),
      /"extra"/,
      TypeError,
    ],
    [
      'truncated JSON text',
      () => bases[0]!.text.slice(0, bases[0]!.text.length >> 1),
      /^(?=.*model)(?=.*JSON)/,
      TypeError,
    ],
    ['the empty string', () => '', /JSON/],
    ['__proto__ at the top', () => bases[0]!.text.replace('{', '{"__proto__":{"polluted":"yes"},'), /__proto__/],
    [
      'constructor.prototype at the top',
      () => bases[0]!.text.replace('{', '{"constructor":{"prototype":{"polluted":"yes"}},'),
      /constructor/,
    ],
    [
      '__proto__ null in an activation',
      () => bases[0]!.text.replace('"name":"sigmoid",', '"name":"sigmoid","__proto__":null,'),
      /__proto__/,
    ],
    [
      '__proto__ a number in an activation',
      () => bases[0]!.text.replace('"name":"sigmoid",', '"name":"sigmoid","__proto__":1,'),
      /__proto__/,
    ],
    [
      '__proto__ in the normalizer',
      () => bases[0]!.text.replace('"kind":"zscore"', '"kind":"zscore","__proto__":{"polluted":"yes"}'),
      /__proto__/,
    ],
    [
      '__proto__ in training',
      () => bases[0]!.text.replace('"training":{', '"training":{"__proto__":{"polluted":"yes"},'),
      /__proto__/,
    ],
    [
      '__proto__ in the optimizer state',
      () => bases[0]!.text.replace('"state":{', '"state":{"__proto__":{"polluted":"yes"},'),
      /__proto__/,
    ],
    [
      '__proto__ in an optimizer slot',
      () => bases[0]!.text.replace('"m":{', '"m":{"__proto__":{"polluted":"yes"},'),
      /__proto__/,
    ],
    ['an unknown key in an optimizer slot', () => bases[0]!.text.replace('"v":{', '"v":{"scale":2,'), /scale/],
    [
      'a weight as the string "NaN"',
      edit((m) => {
        (m.weights as unknown[][])[0]![2] = 'NaN';
      }),
      /model\.weights\[0\]\[2\]/,
    ],
    [
      'a weight null (NaN through JSON)',
      () =>
        JSON.stringify(
          edit((m) => {
            (m.weights as number[][])[1]![0] = NaN;
          })(),
        ),
      /model\.weights\[1\]\[0\]/,
      TypeError,
    ],
    [
      'a NaN weight in a model object',
      edit((m) => {
        (m.weights as number[][])[0]![3] = NaN;
      }),
      /model\.weights\[0\]/,
      RangeError,
    ],
    [
      'an infinite weight in a model object',
      edit((m) => {
        (m.weights as number[][])[0]![3] = Infinity;
      }),
      /model\.weights\[0\]/,
      RangeError,
    ],
    [
      'a weight beyond float32',
      edit((m) => {
        (m.weights as number[][])[1]![0] = 1e39;
      }),
      /model\.weights\[1\]\[0\]/,
    ],
    [
      'a bias beyond float32 in text',
      () => bases[0]!.text.replace(/"biases":\[\[[^,\]]*/, '"biases":[[-1e39'),
      /model\.biases\[0\]\[0\]/,
    ],
    [
      'an optimizer moment NaN',
      edit((m) => {
        (m.training!.state as Record<string, { weights: unknown[][] }>).v!.weights[0]![0] = NaN;
      }),
      /model\.training\.state\.v\.weights\[0\]\[0\]/,
    ],
    [
      'layers and weights disagree',
      edit((m) => {
        (m.layers as number[])[1] = 6;
      }),
      /model\.weights\[0\]/,
      RangeError,
    ],
    [
      'a weight matrix one short',
      edit((m) => {
        (m.weights as number[][])[0]!.pop();
      }),
      /model\.weights\[0\]/,
      RangeError,
    ],
    [
      'a bias vector one too long',
      edit((m) => {
        (m.biases as number[][])[0]!.push(0);
      }),
      /model\.biases\[0\]/,
      RangeError,
    ],
    [
      'a weight matrix as rows of the wrong count',
      edit((m) => {
        m.weights = [[[1, 2, 3, 4, 5]], (m.weights as unknown[])[1]];
      }),
      /model\.weights\[0\]/,
    ],
    [
      'a negative layer size',
      edit((m) => {
        (m.layers as number[])[0] = -3;
      }),
      /layers\[0\]/,
    ],
    [
      'a zero layer size',
      edit((m) => {
        m.layers = [3, 0, 2];
      }),
      /layers\[1\]/,
      RangeError,
    ],
    [
      'a layer size above 2^24',
      edit((m) => {
        (m.layers as number[])[1] = 2 ** 24 + 1;
      }),
      /layers\[1\]/,
    ],
    [
      'a hole in layers',
      edit((m) => {
        delete (m.layers as number[])[1];
      }),
      /layers\[1\]/,
    ],
    [
      'a hole in activations',
      edit((m) => {
        delete (m.activations as unknown[])[0];
      }),
      /activations\[0\]/,
    ],
    [
      'too few activations',
      edit((m) => {
        (m.activations as unknown[]).pop();
      }),
      /model\.activations/,
      RangeError,
    ],
    [
      'a hole in the generator state',
      edit((m) => {
        delete (m.training!.random as number[])[1];
      }),
      /random\[1\]/,
    ],
    [
      'a generator state of 3 words',
      edit((m) => {
        (m.training!.random as number[]).pop();
      }),
      /model\.training\.random/,
      RangeError,
    ],
    [
      'huge layers, tiny weights',
      edit((m) => {
        m.layers = [1 << 24, 1 << 24];
      }, 1),
      /model\.weights\[0\]/,
    ],
    // 64 nulls in 1.5 KB of text used to make the reader allocate 64 x 2^24 floats (4 GiB) before looking at them
    [
      'huge layers, a short list of null rows',
      edit((m) => {
        m.layers = [3, 1 << 24, 2];
        m.weights = [new Array(64).fill(null), []];
        m.biases = [[], []];
      }),
      /model\.weights\[0\]\[0\]/,
    ],
    [
      'huge layers, a longer list of null rows',
      edit((m) => {
        m.layers = [2, 1 << 24];
        m.weights = [new Array(300).fill(null)];
      }, 1),
      /model\.weights\[0\]\[0\]/,
    ],
    // NN.create refuses these two architectures; a saved model must not smuggle them in
    [
      'softmax on a hidden layer',
      edit((m) => {
        (m.activations as unknown[])[0] = { name: 'softmax' };
      }),
      /^(?=.*activations\[0\])(?=.*softmax)/,
      RangeError,
    ],
    [
      'softmax on a single output',
      () => bases[1]!.text.replace('"name":"leaky-relu","gain":1,"threshold":0,"slope":0.2', '"name":"softmax"'),
      /softmax/,
      RangeError,
    ],
    [
      'an activation named like code',
      edit((m) => {
        (m.activations as Record<string, unknown>[])[0]!.name = "x'); throw 1; ('";
      }),
      /model\.activations\[0\]\.name/,
      RangeError,
    ],
    [
      'sigmoid gain as a string',
      edit((m) => {
        (m.activations as Record<string, unknown>[])[0]!.gain = '1e300';
      }),
      /model\.activations\[0\]\.gain/,
    ],
    [
      'the normalizer one column short',
      edit((m) => {
        (m.normalizer as Record<string, number[]>).offset!.pop();
      }),
      /model\.normalizer\.offset/,
    ],
    [
      'the normalizer of another kind',
      edit((m) => {
        (m.normalizer as Record<string, unknown>).kind = 'minmax';
      }),
      /normalizer/,
    ],
    [
      'feature names one short',
      edit((m) => {
        m.features = ['a'];
      }),
      /model\.features/,
      RangeError,
    ],
    [
      'a feature name that is a number',
      edit((m) => {
        m.features = (m.layers as number[]).map((_, i) => (i === 0 ? 7 : `f${i}`)).slice(0, (m.layers as number[])[0]);
      }),
      /model\.features\[0\]/,
      TypeError,
    ],
    [
      'class labels of two kinds',
      edit((m) => {
        const k = (m.layers as number[]).at(-1)!;
        m.classes = Array.from({ length: Math.max(k, 2) }, (_, i) => (i === 1 ? 1 : `c${i}`));
      }),
      /model\.classes\[1\]/,
      TypeError,
    ],
    [
      'a class label twice',
      edit((m) => {
        const k = (m.layers as number[]).at(-1)!;
        m.classes = Array.from({ length: Math.max(k, 2) }, () => 'same');
      }),
      /model\.classes\[1\]/,
      RangeError,
    ],
    [
      'class labels, one per output plus one',
      edit((m) => {
        m.classes = Array.from({ length: Math.max((m.layers as number[]).at(-1)!, 2) + 1 }, (_, i) => i);
      }),
      /model\.classes/,
      RangeError,
    ],
    [
      'a target standardizer with scale 0',
      edit((m) => {
        const k = (m.layers as number[]).at(-1)!;
        m.targetStandardizer = { mean: new Array(k).fill(0), scale: new Array(k).fill(0) };
      }),
      /model\.targetStandardizer\.scale\[0\]/,
      RangeError,
    ],
    [
      'a target standardizer one output short',
      edit((m) => {
        const k = (m.layers as number[]).at(-1)!;
        m.targetStandardizer = { mean: new Array(k - 1).fill(0), scale: new Array(k).fill(1) };
      }),
      /model\.targetStandardizer\.mean/,
      RangeError,
    ],
    [
      'a schema that is not an object',
      edit((m) => {
        m.schema = 'columns';
      }),
      /model\.schema/,
      TypeError,
    ],
    [
      'both schema and meta (its old name)',
      edit((m) => {
        m.schema = {};
        m.meta = {};
      }),
      /model\.schema and model\.meta/,
      TypeError,
    ],
    [
      'an unknown loss',
      edit((m) => {
        m.loss = 'hinge';
      }),
      /model\.loss/,
      RangeError,
    ],
    [
      'bias not boolean',
      edit((m) => {
        m.bias = 'yes';
      }),
      /model\.bias/,
      TypeError,
    ],
    [
      'a negative seed',
      edit((m) => {
        m.seed = -1;
      }),
      /model\.seed/,
      RangeError,
    ],
    [
      'training epochs negative',
      edit((m) => {
        m.training!.epochs = -1;
      }),
      /model\.training\.epochs/,
    ],
    [
      'training step negative',
      edit((m) => {
        m.training!.step = -1;
      }),
      /model\.training\.step/,
      RangeError,
    ],
    [
      'training step 2^31',
      edit((m) => {
        m.training!.step = 2 ** 31;
      }),
      /model\.training\.step/,
    ],
    ['a deeply nested array as the model', () => `${'['.repeat(100000)}${']'.repeat(100000)}`, /model/],
    [
      'a deeply nested array as weights',
      edit((m) => {
        m.weights = deepArray(20000);
      }),
      /model\.weights/,
    ],
    [
      'a deeply nested __proto__ chain as the normalizer',
      edit((m) => {
        m.normalizer = deepObject(2000);
      }),
      /model\.normalizer/,
    ],
  ];
  it.each(HOSTILE)(
    '%s: refused with a clear error naming the field, no pollution, nothing leaked',
    async (name, input, field, kind) => {
      for (const engine of ENGINES) {
        const before = engineOf(engine).heap.allocated,
          model = input();
        const buffers = process.memoryUsage().arrayBuffers;
        const err = await loadError(() => NN.fromJSON(model as string, { engine }));
        // (sampled before any collection could run: a refused file must not have made us allocate big buffers)
        expect(
          process.memoryUsage().arrayBuffers - buffers,
          `${name}: buffers allocated while refusing it`,
        ).toBeLessThan(64 * 2 ** 20);
        expectClearError(err, field, name, kind);
        expectNoPollution(name);
        expect(engineOf(engine).heap.allocated, `${name}: engine memory`).toBe(before);
      }
    },
  );

  it('a hostile normaliser (offset 1e300) cannot make predict answer from infinite inputs', async () => {
    for (const engine of ENGINES) {
      const m = JSON.parse(bases[0]!.text) as { normalizer: { offset: number[] } };
      m.normalizer.offset[1] = 1e300;
      let net: NN | null = null;
      try {
        net = await NN.fromJSON(m as never, { engine });
      } catch (err) {
        expectClearError(err, /normali[sz]er/, 'fromJSON');
      }
      if (!net) continue;
      // (0.5 − 1e300) · scale is far outside float32: the only right answers are a refusal here or at load
      let y: Float32Array | null = null,
        err: unknown;
      try {
        y = net.predict([0.5, 0.5, 0.5]);
      } catch (e) {
        err = e;
      }
      expect(y, `predict answered ${y && Array.from(y)} from a normalised input of -Infinity`).toBeNull();
      expectClearError(err, /input/, 'predict');
      net.dispose();
    }
  });

  it('fast-check: 2500 mutations of valid models (as objects and as text) are refused cleanly or accepted soundly', async () => {
    let accepted = 0,
      refused = 0;
    await fc.assert(
      fc.asyncProperty(mutation, fc.constantFrom(...ENGINES), async (m, engine) => {
        const base = bases[m.base % bases.length]!;
        const root = JSON.parse(base.text) as Record<string, unknown>;
        const what = `${base.name}: ${mutate(root, m)}`;
        let text: string | null = null;
        try {
          text = JSON.stringify(root);
        } catch {
          /* too deep to print: the object alone */
        }
        if (text !== null && text.length > 4e6) return; // keep runs small: size is probed by the oversized cases
        for (const input of text === null ? [root] : [root, text]) {
          if (await load('json', input, engine, what)) accepted++;
          else refused++;
        }
      }),
      { numRuns: 2500, seed: 0x5eed7 },
    );
    // both outcomes occurred: the mutations probe the loader rather than only its first check
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(2000);
  });

  it('fast-check: 1500 arbitrary values and JSON texts are refused cleanly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything({
            maxDepth: 4,
            withTypedArray: true,
            withMap: true,
            withSet: true,
            withNullPrototype: true,
            withBigInt: true,
            withSparseArray: true,
          }),
          fc.jsonValue(),
          fc.string(),
        ),
        async (value) => {
          for (const input of [
            value,
            typeof value === 'string'
              ? value
              : (() => {
                  try {
                    return JSON.stringify(value);
                  } catch {
                    return '{';
                  }
                })(),
          ]) {
            const err = await loadError(() => NN.fromJSON(input as string, { engine: 'wasm' }));
            expectClearError(err, null, `fromJSON(${typeof input === 'string' ? input.slice(0, 60) : typeof input})`);
            expectNoPollution('arbitrary');
          }
        },
      ),
      { numRuns: 1500, seed: 0xa11 },
    );
  });
});

describe('fromBinary', () => {
  it('crc32 of the tests agrees with zlib, and toBinary signs its files with it', () => {
    for (const base of bases) {
      const body = base.binary.subarray(0, base.binary.length - 4);
      expect(crc32(body)).toBe(zlibCrc32(body));
      expect(new DataView(base.binary.buffer, base.binary.byteOffset).getUint32(base.binary.length - 4, true)).toBe(
        crc32(body),
      );
    }
  });

  it('every single-byte change of every file, at every position, is refused (checksum, magic or version)', async () => {
    let count = 0;
    for (const base of bases) {
      for (let i = 0; i < base.binary.length; i++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const bytes = base.binary.slice();
          bytes[i]! ^= mask;
          const err = await loadError(() => NN.fromBinary(bytes, { engine: count % 2 ? 'js' : 'wasm' }));
          expectClearError(err, /model bytes/, `byte ${i} ^ ${mask} of ${base.name}`);
          count++;
        }
      }
    }
    expect(count).toBeGreaterThan(3000);
  });

  it('a flipped bit is a RangeError naming the checksum; a file with another magic is a TypeError', async () => {
    const bytes = bases[0]!.binary;
    const flipped = bytes.slice();
    flipped[bytes.length >> 1]! ^= 0x10;
    const foreign = bytes.slice();
    foreign[0] = 0x50;
    expectClearError(
      await rejected(() => NN.fromBinary(flipped, { engine: 'js' })),
      /checksum/,
      'a flipped bit',
      RangeError,
    );
    expectClearError(
      await rejected(() => NN.fromBinary(foreign, { engine: 'js' })),
      /model bytes/,
      'another magic',
      TypeError,
    );
  });

  it('every truncation and every extension of a file is refused', async () => {
    for (const base of bases) {
      for (let n = 0; n < base.binary.length; n++) {
        const err = await loadError(() => NN.fromBinary(base.binary.slice(0, n)));
        expectClearError(err, /model bytes/, `first ${n} bytes of ${base.name}`);
      }
      for (const extra of [1, 3, 4, 64]) {
        const longer = new Uint8Array(base.binary.length + extra);
        longer.set(base.binary);
        expectClearError(
          await loadError(() => NN.fromBinary(longer)),
          /model bytes/,
          `${extra} bytes appended to ${base.name}`,
        );
        // even re-signed, the float count no longer matches the file
        expectClearError(
          await loadError(() => NN.fromBinary(resign(longer))),
          /model bytes/,
          `${extra} bytes appended and re-signed`,
        );
      }
    }
  });

  it('wrong version, wrong magic, oversized lengths and counts (correctly signed) are refused without allocating', async () => {
    const base = bases[0]!;
    const { meta, floats } = splitBinary(base.binary);
    const metaText = JSON.stringify(meta);
    const heapBytes = engineOf('wasm').heap.byteLength;
    const before = process.memoryUsage().arrayBuffers;
    const files: [string, Uint8Array, RegExp][] = [
      ['version 2', joinBinary(metaText, floats, { version: 2 }), /version/],
      ['version 0', joinBinary(metaText, floats, { version: 0 }), /version/],
      ['float count 2^32 − 1', joinBinary(metaText, floats, { count: 0xffffffff }), /float count/],
      ['float count one short', joinBinary(metaText, floats, { count: floats.length - 1 }), /float count/],
      ['metadata of another version', joinBinary(JSON.stringify({ ...meta, version: 7 }), floats), /model\.version/],
      [
        'metadata claiming 2^24 x 2^24 layers',
        joinBinary(JSON.stringify({ ...meta, layers: [1 << 24, 1 << 24, 2] }), floats),
        /float count|model/,
      ],
      [
        'metadata with 5000 layers',
        joinBinary(JSON.stringify({ ...meta, layers: new Array(5000).fill(1) }), floats),
        /layers/,
      ],
      ['metadata not JSON', joinBinary('{"format":"simdnet",', floats), /metadata/],
      ['metadata an array', joinBinary('[1,2,3]', floats), /metadata/],
      [
        'metadata invalid UTF-8',
        resign(
          (() => {
            const b = joinBinary(metaText, floats);
            b[20] = 0xff;
            return b;
          })(),
        ),
        /metadata/,
      ],
      [
        'metadata with __proto__',
        joinBinary(metaText.replace('{', '{"__proto__":{"polluted":"yes"},'), floats),
        /__proto__/,
      ],
      [
        'a NaN weight',
        joinBinary(
          metaText,
          Float32Array.from(floats, (v, i) => (i === 3 ? NaN : v)),
        ),
        /model\.weights\[0\]\[3\]/,
      ],
      [
        'an infinite optimizer moment',
        joinBinary(
          metaText,
          Float32Array.from(floats, (v, i) => (i === floats.length - 1 ? Infinity : v)),
        ),
        /model\.training\.state/,
      ],
    ];
    const metaLength = (n: number): Uint8Array => {
      const b = base.binary.slice();
      new DataView(b.buffer).setUint32(12, n, true);
      return resign(b);
    };
    files.push(
      ['metadata length 2^32 − 1', metaLength(0xffffffff), /metadata length/],
      ['metadata length 0', metaLength(0), /model bytes/],
      ['metadata length beyond the floats', metaLength(base.binary.length - 20), /model bytes/],
    );
    const magic = base.binary.slice();
    magic[0] = 0x53;
    files.push(['bad magic', resign(magic), /magic/]);
    for (const [name, bytes, field] of files) {
      const err = await loadError(() => NN.fromBinary(bytes));
      expectClearError(err, field, name);
      expectNoPollution(name);
    }
    expect(engineOf('wasm').heap.byteLength).toBe(heapBytes);
    expect(process.memoryUsage().arrayBuffers - before, 'no large buffers were allocated').toBeLessThan(64 * 2 ** 20);
  });

  it('fast-check: 1500 correctly signed files with mutated metadata or floats are refused cleanly or accepted soundly', async () => {
    let accepted = 0;
    const floatEdit = fc.record({
      index: fc.nat(),
      value: fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 3.4028234663852886e38, 1e-45), fc.float()),
    });
    await fc.assert(
      fc.asyncProperty(mutation, fc.option(floatEdit), fc.constantFrom(...ENGINES), async (m, edit, engine) => {
        const base = floatBases()[m.base % floatBases().length]!;
        const { meta, floats } = splitBinary(base.binary);
        const what = `${base.name} (binary): ${mutate(meta, m)}`;
        if (edit && floats.length) floats[edit.index % floats.length] = edit.value;
        let text: string;
        try {
          text = JSON.stringify(meta);
        } catch {
          return;
        }
        if (await load('binary', joinBinary(text, floats), engine, what)) accepted++;
      }),
      { numRuns: 1500, seed: 0xb1a },
    );
    expect(accepted).toBeGreaterThan(20);
  });

  it('fast-check: arbitrary bytes, and arbitrary bytes behind a valid header, are refused cleanly', async () => {
    const header = bases[0]!.binary.subarray(0, 16);
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.boolean(),
        fc.boolean(),
        async (body, withHeader, sign) => {
          let bytes: Uint8Array = body;
          if (withHeader) {
            bytes = new Uint8Array(16 + body.length);
            bytes.set(header);
            bytes.set(body, 16);
          }
          if (sign && bytes.length >= 4) bytes = resign(bytes);
          const err = await loadError(() => NN.fromBinary(bytes));
          expectClearError(err, /model/, `${bytes.length} bytes`);
        },
      ),
      { numRuns: 1000, seed: 0xb17e5 },
    );
  });
});

describe('toFunction', () => {
  it('the source of every base model holds only numbers, fixed identifiers, punctuation and the fixed message', async () => {
    for (const base of floatBases()) {
      const net = await NN.fromJSON(base.text);
      const source = toFunction(net).toString();
      checkFunctionSource(
        source,
        base.json.layers[0]!,
        base.json.activations.filter((a) => a.name === 'softmax').length,
      );
      // the checker itself refuses a name or a string from a model
      expect(() => checkFunctionSource(`${source}\n// sigmoid`, base.json.layers[0]!, 1)).toThrow();
      expect(() =>
        checkFunctionSource(source.replace('return x;', "return x + 'x';"), base.json.layers[0]!, 1),
      ).toThrow();
      net.dispose();
    }
  });

  const finite32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-3e38), max: Math.fround(3e38) });
  const extreme = fc.oneof(
    finite32,
    fc.constantFrom(
      0,
      -0,
      1e-45,
      -1e-45,
      3.4028234663852886e38,
      -3.4028234663852886e38,
      1.1754943508222875e-38,
      123456789,
      1e-7,
    ),
  );
  const activation = fc.oneof(
    fc.record({
      name: fc.constant('sigmoid'),
      gain: fc.oneof(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), fc.constantFrom(1e6, 1e-300, 5e-324)),
      threshold: fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(-1e6, 1e-300, -0)),
    }),
    fc.record({
      name: fc.constant('leaky-relu'),
      slope: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(5e-324, 1e-7)),
    }),
    fc.constantFrom({ name: 'tanh' }, { name: 'relu' }, { name: 'linear' }),
  );
  const model = fc
    .integer({ min: 2, max: 4 })
    .chain((depth) =>
      fc.tuple(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: depth, maxLength: depth }),
        fc.array(activation, { minLength: depth - 1, maxLength: depth - 1 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom('none', 'minmax', 'zscore'),
        fc.nat(),
      ),
    );

  it('fast-check: 300 random valid models with extreme values give clean sources that compute like predict', async () => {
    await fc.assert(
      fc.asyncProperty(
        model,
        fc.infiniteStream(extreme),
        fc.infiniteStream(fc.double({ min: -1e30, max: 1e30, noNaN: true })),
        async ([layers, activations, bias, softmax, normalize, seed], values, stats) => {
          const last = layers.length - 2;
          const out =
            softmax && layers[layers.length - 1]! >= 2
              ? [...activations.slice(0, last), { name: 'softmax' }]
              : activations;
          const json = {
            format: 'simdnet',
            version: 1,
            layers,
            activations: out.map((a) => ({ gain: 1, threshold: 0, slope: 0.01, ...a })),
            loss: 'mse',
            bias,
            init: 'auto',
            initScale: null,
            seed,
            normalize,
            normalizer:
              normalize === 'none'
                ? null
                : {
                    kind: normalize,
                    offset: layers.slice(0, 1).flatMap((n) => Array.from({ length: n }, () => stats.next().value)),
                    scale: Array.from({ length: layers[0]! }, () => stats.next().value),
                  },
            weights: layers
              .slice(1)
              .map((n, l) => Array.from({ length: layers[l]! * n }, () => Math.fround(values.next().value))),
            biases: layers
              .slice(1)
              .map((n) => (bias ? Array.from({ length: n }, () => Math.fround(values.next().value)) : null)),
          };
          const net = await NN.fromJSON(json as never, { engine: 'js' });
          try {
            const f = toFunction(net);
            checkFunctionSource(f.toString(), layers[0]!, out.filter((a) => a.name === 'softmax').length);
            // the function runs (and, for moderate values, agrees with predict)
            const row = new Float32Array(layers[0]!).fill(0.5);
            expect(f(row)).toHaveLength(layers[layers.length - 1]!);
          } finally {
            net.dispose();
          }
        },
      ),
      { numRuns: 300, seed: 0x70f },
    );
  });
});

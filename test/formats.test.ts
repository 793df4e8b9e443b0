// The model formats: toJSON → JSON.stringify → NN.fromJSON and toBinary → NN.fromBinary give back
// the same network (the documented envelope; bit-equal predictions on the same engine, float32-close
// on the other); and exact checkpoints: 3 epochs → save → load → 2 more epochs equals 5 epochs
// uninterrupted, bit for bit on the same engine, with shuffled mini-batches, a learning-rate
// schedule and an optimizer with state (Adam's m, v and t; momentum's velocity), through a JSON
// string, the binary format, and load() into another network. A checkpoint saved without its
// training state does NOT continue the same way, which shows the state is what makes it exact.
// Refused files: formats-refused.test.ts; toFunction: formats-function.test.ts.
import { describe, expect, it } from 'vitest';
import { NN, toFunction, type ModelJSON, type NetworkOptions, type TrainOptions } from '../src/index.js';
import { classTask, randomF32, rng } from './helpers/random-data.js';
import { forwardRef, toRef, type ActivationRef } from './helpers/float64-network.js';
import { maxAbsDiff } from './helpers/tolerance.js';
import { sameWeights } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { joinBinary, splitBinary } from './helpers/binary-format.js';
import { classic, classicTrain } from './helpers/classic.js';

const LAYERS = [5, 8, 6, 3];
const ACTIVATIONS: ActivationRef[] = [
  { name: 'sigmoid', gain: 0.5, threshold: 0.25 },
  { name: 'leaky-relu', slope: 0.2 },
  { name: 'softmax' },
];

async function trained(engine: 'js' | 'wasm'): Promise<NN> {
  const net = await NN.create(
    classic({
      layers: LAYERS,
      activation: [{ name: 'sigmoid', gain: 0.5, threshold: 0.25 }, { name: 'leaky-relu', slope: 0.2 }, 'softmax'],
      loss: 'cross-entropy',
      engine,
      seed: 77,
    }),
  );
  const random = rng(12);
  const x = randomF32(64 * 5, random);
  const t = new Float32Array(64 * 3).map((_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0));
  net.train(x, t, classicTrain({ epochs: 5, batchSize: 8, optimizer: 'adam', learningRate: 0.01 }));
  return net;
}

describe.each(ENGINES)('round trips from %s', (from) => {
  it('the JSON is the documented envelope: format simdnet, version 3, architecture and weights', async () => {
    const net = await trained(from);
    const json = JSON.parse(JSON.stringify(net.toJSON())) as ModelJSON;
    expect(json.format).toBe('simdnet');
    expect(json.version).toBe(3);
    expect(json.targetStandardizer).toBeNull();
    expect('features' in json || 'classes' in json || 'schema' in json || 'meta' in json).toBe(false);
    expect(json.layers).toEqual(LAYERS);
    expect(json.loss).toBe('cross-entropy');
    expect(json.bias).toBe(true);
    expect(json.seed).toBe(77);
    expect(json.activations.map((a) => a.name)).toEqual(['sigmoid', 'leaky-relu', 'softmax']);
    expect(json.activations[0]!.gain).toBe(0.5);
    expect(json.activations[0]!.threshold).toBe(0.25);
    expect(json.activations[1]!.slope).toBe(0.2);
    const w = net.getWeights();
    for (let l = 0; l < 3; l++) {
      expect(json.weights[l]).toHaveLength(LAYERS[l]! * LAYERS[l + 1]!);
      // float32 → double → decimal → double → float32 is exact
      expect(Float32Array.from(json.weights[l]!)).toEqual(w.weights[l]);
      expect(Float32Array.from(json.biases[l]!)).toEqual(w.biases[l]);
    }
    net.dispose();
  });

  for (const to of ENGINES) {
    it(`toJSON → JSON.stringify → NN.fromJSON on '${to}' predicts ${from === to ? 'bit-identically' : 'within float32 rounding'}`, async () => {
      const net = await trained(from);
      const text = JSON.stringify(net.toJSON());
      const copy = await NN.fromJSON(text, { engine: to });
      expect(copy.engine).toBe(to);
      expect(copy.layers).toEqual(LAYERS);
      const w = net.getWeights(),
        w2 = copy.getWeights();
      for (let l = 0; l < 3; l++) {
        expect(w2.weights[l]).toEqual(w.weights[l]);
        expect(w2.biases[l]).toEqual(w.biases[l]);
      }

      const x = randomF32(300 * 5, rng(13), -2, 2);
      const y = net.predict(x),
        y2 = copy.predict(x);
      if (from === to) expect(maxAbsDiff(y2, y)).toBe(0);
      // independent: the float64 forward pass of the saved weights (sums of ≤ 8 float32 products
      // and exp: 1e-6 absolute on probabilities)
      const json = JSON.parse(text) as ModelJSON;
      const ref = forwardRef(toRef({ weights: json.weights, biases: json.biases }, LAYERS, ACTIVATIONS), x, 300)[3]!;
      expect(maxAbsDiff(y2, ref)).toBeLessThanOrEqual(1e-6);
      expect(maxAbsDiff(y2, y)).toBeLessThanOrEqual(2e-6);

      // the parsed object is accepted as well as the string
      const copy2 = await NN.fromJSON(json, { engine: to });
      expect(maxAbsDiff(copy2.predict(x), y2)).toBe(0);
      for (const n of [net, copy, copy2]) n.dispose();
    });
  }

  it('toBinary → fromBinary gives the same weights and predictions', async () => {
    const net = await trained(from);
    const bytes = net.toBinary();
    expect(bytes).toBeInstanceOf(Uint8Array);
    for (const to of ENGINES) {
      const copy = await NN.fromBinary(bytes, { engine: to });
      const w = net.getWeights(),
        w2 = copy.getWeights();
      for (let l = 0; l < 3; l++) expect(w2.weights[l]).toEqual(w.weights[l]);
      const x = randomF32(20 * 5, rng(15));
      const d = maxAbsDiff(copy.predict(x), net.predict(x));
      if (to === from) expect(d).toBe(0);
      else expect(d).toBeLessThanOrEqual(2e-6);
      copy.dispose();
    }
    net.dispose();
  });

  it("a model's metadata (feature names, class labels, the CLI's schema) comes back from fromJSON, fromBinary and load, and out of toJSON and toBinary", async () => {
    const net = await trained(from);
    const features = ['a', 'b', 'c', 'd', 'é'];
    const classes = ['setosa', 'versicolor', 'virginica'];
    const schema = { features: ['a', 'b'], target: { column: 'y', classes: ['no', 'yes'] }, note: 'é' };
    const json = { ...net.toJSON(), features, classes, schema };
    const fromText = await NN.fromJSON(JSON.stringify(json), { engine: from });
    const fromObject = await NN.fromJSON(json, { engine: from });
    schema.note = 'changed later'; // the network keeps its own copies
    features[0] = 'changed';
    const fromBytes = await NN.fromBinary(fromText.toBinary(), { engine: from });
    net.load(fromText.toBinary());
    const expected = { features: ['a', 'b', 'c', 'd', 'é'], classes, schema: { ...schema, note: 'é' } };
    for (const [what, copy] of [
      ['fromJSON text', fromText],
      ['fromJSON object', fromObject],
      ['fromBinary', fromBytes],
      ['load', net],
    ] as const) {
      const out = copy.toJSON();
      expect({ features: out.features, classes: out.classes, schema: out.schema }, what).toEqual(expected);
      const { meta } = splitBinary(copy.toBinary());
      expect({ features: meta.features, classes: meta.classes, schema: meta.schema }, what).toEqual(expected);
      copy.dispose();
    }
  });

  it("older files' `meta` (versions 1 and 2, and the CLI's files) is read as the schema and written back as `schema`", async () => {
    const net = await trained(from);
    const schema = { features: ['x'], target: null };
    const { targetStandardizer: _, ...current } = net.toJSON();
    for (const version of [1, 2, 3]) {
      const old = version === 1 ? asVersion1({ ...current, meta: schema }) : { ...current, version, meta: schema };
      const copy = await NN.fromJSON(JSON.stringify(old), { engine: from });
      const out = copy.toJSON();
      expect(out.schema, `version ${version}`).toEqual(schema);
      expect(out.meta, `version ${version}`).toBeUndefined();
      expect(out.version).toBe(3);
      copy.dispose();
    }
    net.dispose();
  });

  it('a target standardizer answers in the user units: predict, toFunction and every format give y · scale + mean', async () => {
    const raw = await NN.create(
      classic({
        layers: [3, 4, 2],
        activation: 'tanh',
        output: 'linear',
        loss: 'mse',
        engine: from,
        seed: 5,
      }),
    );
    const mean = [100.5, -3],
      scale = [20, 0.25];
    const json = { ...raw.toJSON(), targetStandardizer: { mean, scale } };
    const scaled = await NN.fromJSON(json, { engine: from });
    const x = [
      [0.5, -1, 2],
      [3, 0, -0.25],
    ];
    const y = raw.predict(x),
      z = scaled.predict(x);
    for (let r = 0; r < 2; r++)
      for (let j = 0; j < 2; j++) expect(z[r]![j]).toBe(Math.fround(y[r]![j]! * scale[j]! + mean[j]!));
    const fn = toFunction(scaled);
    for (let r = 0; r < 2; r++) expect(maxAbsDiff(fn(x[r]!), z[r]!)).toBeLessThan(1e-4);
    for (const copy of [
      await NN.fromBinary(scaled.toBinary(), { engine: from }),
      await NN.fromJSON(JSON.stringify(scaled.toJSON())),
    ]) {
      expect(copy.toJSON().targetStandardizer).toEqual({ mean, scale });
      expect(maxAbsDiff(copy.predict(x[0]!), z[0]!)).toBeLessThan(copy.engine === from ? 1e-30 : 1e-4);
      copy.dispose();
    }
    raw.dispose();
    scaled.dispose();
  });
});

// ---- exact checkpoints ----------------------------------------------------------------------

const { x, t } = classTask(90, 6, 3, 80);
const NET: NetworkOptions = { layers: [6, 10, 3], activation: 'relu', loss: 'cross-entropy', seed: 31 };

const RUNS: [string, TrainOptions][] = [
  [
    'adam, exponential schedule',
    { optimizer: 'adam', learningRate: 0.02, schedule: { type: 'exponential', factor: 0.8 } },
  ],
  [
    'nesterov, step schedule, weight decay, clipping',
    {
      optimizer: 'nesterov',
      momentum: 0.9,
      learningRate: 0.05,
      weightDecay: 1e-3,
      clipNorm: 2,
      schedule: { type: 'step', every: 2, factor: 0.5 },
    },
  ],
];

/** A model object as format version 1 wrote it: the optimizer slots named first and second. */
function asVersion1(json: Record<string, unknown>): Record<string, unknown> {
  const training = json.training as { state: { m: unknown; v: unknown } | null } | undefined;
  const state = training?.state;
  const { targetStandardizer: _, ...older } = json; // version 3's field
  return {
    ...older,
    version: 1,
    ...(training ? { training: { ...training, state: state ? { first: state.m, second: state.v } : null } } : {}),
  };
}

type Checkpoint = (net: NN, engine: 'js' | 'wasm') => Promise<NN>;
const CHECKPOINTS: [string, Checkpoint][] = [
  ['toJSON → JSON.stringify → fromJSON', (net, engine) => NN.fromJSON(JSON.stringify(net.toJSON()), { engine })],
  ['toBinary → fromBinary', (net, engine) => NN.fromBinary(net.toBinary(), { engine })],
  [
    'a version-1 JSON file (slots first and second) → fromJSON',
    (net, engine) => NN.fromJSON(JSON.stringify(asVersion1({ ...net.toJSON() })), { engine }),
  ],
  [
    'a version-1 binary file → fromBinary',
    (net, engine) => {
      const { meta, floats } = splitBinary(net.toBinary());
      return NN.fromBinary(joinBinary(JSON.stringify(asVersion1(meta)), floats), { engine });
    },
  ],
  [
    'toBinary → load() into a new network of the same architecture, other seed',
    async (net, engine) => {
      const other = await NN.create(classic({ ...NET, engine, seed: 999 }));
      other.load(net.toBinary());
      return other;
    },
  ],
];

describe.each(ENGINES)('3 epochs → checkpoint → 2 epochs = 5 epochs, bit for bit, on %s', (engine) => {
  for (const [label, opts] of RUNS) {
    const base: TrainOptions = { ...opts, batchSize: 8, shuffle: true };

    async function uninterrupted(): Promise<{ w: ReturnType<NN['getWeights']>; log: number[][] }> {
      const net = await NN.create(classic({ ...NET, engine }));
      const log: number[][] = [];
      net.train(
        x,
        t,
        classicTrain({
          ...base,
          epochs: 5,
          onEpoch: ({ epoch, learningRate, error }) => {
            log.push([epoch, learningRate, error]);
          },
        }),
      );
      const w = net.getWeights();
      net.dispose();
      return { w, log };
    }

    for (const [how, checkpoint] of CHECKPOINTS) {
      it(`${label}: ${how}`, async () => {
        const full = await uninterrupted();
        const net = await NN.create(classic({ ...NET, engine }));
        const log: number[][] = [];
        const onEpoch: TrainOptions['onEpoch'] = ({ epoch, learningRate, error }) => {
          log.push([epoch, learningRate, error]);
        };
        net.train(x, t, classicTrain({ ...base, epochs: 3, onEpoch }));
        const copy = await checkpoint(net, engine);
        net.dispose();
        expect(copy.epochs).toBe(3);
        copy.train(x, t, classicTrain({ ...base, epochs: 2, onEpoch }));
        expect(copy.epochs).toBe(5);
        // same epochs, same scheduled rates, same errors, same weights
        expect(log).toEqual(full.log);
        expect(sameWeights(copy.getWeights(), full.w)).toBe(true);
        copy.dispose();
      });
    }

    it(`${label}: without its training state the checkpoint continues differently`, async () => {
      const full = await uninterrupted();
      const net = await NN.create(classic({ ...NET, engine }));
      net.train(x, t, classicTrain({ ...base, epochs: 3 }));
      const copy = await NN.fromJSON(JSON.stringify(net.toJSON({ training: false })), { engine });
      expect(copy.epochs).toBe(0);
      copy.train(x, t, classicTrain({ ...base, epochs: 2 }));
      expect(sameWeights(copy.getWeights(), full.w)).toBe(false);
      net.dispose();
      copy.dispose();
    });
  }
});

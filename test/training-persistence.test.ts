// Exact checkpoints: 3 epochs → save → load → 2 more epochs equals 5 epochs uninterrupted, bit for
// bit on the same engine, with shuffled mini-batches, a learning-rate schedule and an optimizer
// with state (Adam's m, v and t; momentum's velocity), through toJSON/fromJSON (via a JSON
// string), toBinary/fromBinary, and load() into another network. A checkpoint saved without its
// training state does NOT continue the same way, which shows the state is what makes it exact.
// (test/serialization.test.ts compares two reloaded copies trained alike; this compares against
// the uninterrupted run, across a schedule.)
import { describe, expect, it } from 'vitest';
import { NN, type NetworkOptions, type TrainOptions } from '../src/index.js';
import { classTask } from './helpers/random-data.js';
import { sameWeights } from './helpers/bits.js';

const ENGINES = ['js', 'wasm'] as const;
const { x, t } = classTask(90, 6, 3, 80);
const NET: NetworkOptions = { layers: [6, 10, 3], activation: 'relu', loss: 'cross-entropy', seed: 31 };

const RUNS: [string, TrainOptions][] = [
  ['adam, exponential schedule', { optimizer: 'adam', learningRate: 0.02, schedule: { type: 'exponential', factor: 0.8 } }],
  ['nesterov, step schedule, weight decay, clipping', { optimizer: 'nesterov', momentum: 0.9, learningRate: 0.05, weightDecay: 1e-3, clipNorm: 2, schedule: { type: 'step', every: 2, factor: 0.5 } }],
];

type Checkpoint = (net: NN, engine: 'js' | 'wasm') => Promise<NN>;
const CHECKPOINTS: [string, Checkpoint][] = [
  ['toJSON → JSON.stringify → fromJSON', (net, engine) => NN.fromJSON(JSON.stringify(net.toJSON()), { engine })],
  ['toBinary → fromBinary', (net, engine) => NN.fromBinary(net.toBinary(), { engine })],
  ['toBinary → load() into a new network of the same architecture, other seed', async (net, engine) => {
    const other = await NN.create({ ...NET, engine, seed: 999 });
    other.load(net.toBinary());
    return other;
  }],
];

describe.each(ENGINES)('3 epochs → checkpoint → 2 epochs = 5 epochs, bit for bit, on %s', (engine) => {
  for (const [label, opts] of RUNS) {
    const base: TrainOptions = { ...opts, batchSize: 8, shuffle: true };

    async function uninterrupted(): Promise<{ w: ReturnType<NN['getWeights']>; log: number[][] }> {
      const net = await NN.create({ ...NET, engine });
      const log: number[][] = [];
      net.train(x, t, { ...base, epochs: 5, onEpoch: ({ epoch, learningRate, error }) => { log.push([epoch, learningRate, error]); } });
      const w = net.getWeights();
      net.dispose();
      return { w, log };
    }

    for (const [how, checkpoint] of CHECKPOINTS) {
      it(`${label}: ${how}`, async () => {
        const full = await uninterrupted();
        const net = await NN.create({ ...NET, engine });
        const log: number[][] = [];
        const onEpoch: TrainOptions['onEpoch'] = ({ epoch, learningRate, error }) => { log.push([epoch, learningRate, error]); };
        net.train(x, t, { ...base, epochs: 3, onEpoch });
        const copy = await checkpoint(net, engine);
        net.dispose();
        expect(copy.epochs).toBe(3);
        copy.train(x, t, { ...base, epochs: 2, onEpoch });
        expect(copy.epochs).toBe(5);
        // same epochs, same scheduled rates, same errors, same weights
        expect(log).toEqual(full.log);
        expect(sameWeights(copy.getWeights(), full.w)).toBe(true);
        copy.dispose();
      });
    }

    it(`${label}: without its training state the checkpoint continues differently`, async () => {
      const full = await uninterrupted();
      const net = await NN.create({ ...NET, engine });
      net.train(x, t, { ...base, epochs: 3 });
      const copy = await NN.fromJSON(JSON.stringify(net.toJSON({ training: false })), { engine });
      expect(copy.epochs).toBe(0);
      copy.train(x, t, { ...base, epochs: 2 });
      expect(sameWeights(copy.getWeights(), full.w)).toBe(false);
      net.dispose(); copy.dispose();
    });
  }
});

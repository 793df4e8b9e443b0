// Small networks take the small epoch (assembly/small.ts and its twin src/js/small.ts) that does the
// general path's arithmetic in the general path's order: the trained weights are bit for bit the
// ones of forward/backward/update, on both engines, for every loss and activation it accepts.
import { describe, expect, it } from 'vitest';
import {
  BATCHES,
  CASES,
  SHAPES,
  compareSmallWithGeneral,
  fits,
  smallEpochTaken,
  type SmallCase,
} from './helpers/small-epoch.js';
import { NN, type Weights } from '../src/index.js';
import { sameBits } from './helpers/bits.js';
import { ENGINES } from './helpers/engines.js';
import { classic, classicTrain } from './helpers/classic.js';

describe('which networks take the small epoch', () => {
  it.each(ENGINES)(
    '%s: plain SGD without clipping; tiny networks in batches of up to 4 rows, others one row at a time',
    (engine) => {
      const article = {
        layers: [3, 4, 3],
        activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 },
        bias: false,
        loss: 'sse',
      } as const;
      const sgd = { optimizer: 'sgd' } as const;
      // one hidden layer, every width at most 4: batches of 1 to 4 rows with SSE or MSE, one row with any loss
      expect([1, 2, 3, 4, 5, 8].map((batch) => smallEpochTaken(engine, article, sgd, batch))).toEqual([
        1, 1, 1, 1, 0, 0,
      ]);
      expect(smallEpochTaken(engine, { ...article, loss: 'mse' }, { ...sgd, weightDecay: 0.01 }, 4)).toBe(1);
      expect(
        [1, 2].map((batch) =>
          smallEpochTaken(engine, { layers: [2, 3, 1], output: 'sigmoid', loss: 'binary-cross-entropy' }, sgd, batch),
        ),
      ).toEqual([1, 0]);
      expect(
        [1, 2].map((batch) =>
          smallEpochTaken(engine, { layers: [4, 4, 3], output: 'softmax', loss: 'sse' }, sgd, batch),
        ),
      ).toEqual([1, 0]);
      // other networks: one row per batch, layers at most 64 wide
      expect([1, 2, 4].map((batch) => smallEpochTaken(engine, { layers: [10, 20, 5] }, sgd, batch))).toEqual([1, 0, 0]);
      expect([1, 2].map((batch) => smallEpochTaken(engine, { layers: [2, 4, 4, 1], loss: 'sse' }, sgd, batch))).toEqual(
        [1, 0],
      );
      expect(smallEpochTaken(engine, { layers: [64, 64, 64] }, sgd, 1)).toBe(1);
      expect(smallEpochTaken(engine, { layers: [65, 4, 3] }, sgd, 1)).toBe(0);
      expect(smallEpochTaken(engine, { layers: [3, 65, 3] }, sgd, 1)).toBe(0);
      // the rest stays on the general path
      expect(smallEpochTaken(engine, article, { optimizer: 'momentum' }, 1)).toBe(0);
      expect(smallEpochTaken(engine, article, { optimizer: 'adam' }, 1)).toBe(0);
      expect(smallEpochTaken(engine, article, { ...sgd, clipNorm: 1 }, 1)).toBe(0);
    },
  );
});

describe.each(ENGINES)('%s: the small epoch against the general path', (engine) => {
  for (const c of CASES) {
    it(c.label, () => {
      let small = 0;
      for (const layers of SHAPES.filter((l) => fits(c, l))) {
        for (const batch of BATCHES) {
          if (!smallEpochTaken(engine, { layers, ...c.net }, { optimizer: 'sgd', weightDecay: c.decay }, batch))
            continue;
          small++;
          const label = `${layers.join('-')} batch ${batch}`;
          const { identical, moved } = compareSmallWithGeneral(engine, layers, c, batch);
          expect(identical, `${label}: same bits`).toBe(true);
          expect(moved, `${label}: the weights moved`).toBeGreaterThan(1e-4);
        }
      }
      // every shape at batch 1, and the tiny ones in batches too when the loss is SSE or MSE
      const tiny = SHAPES.filter((l) => fits(c, l) && l.length === 3 && Math.max(...l) <= 4).length;
      const squared = (c.net.loss === 'sse' || c.net.loss === 'mse') && c.net.output !== 'softmax';
      expect(small).toBe(SHAPES.filter((l) => fits(c, l)).length + (squared ? 3 * tiny : 0));
    });
  }
});

describe.each(ENGINES)('%s: one row at a time through a network of widths at most 4', (engine) => {
  // the register path skips padding, decay·W when the decay is 0 and a unit gain's multiplication:
  // every combination must still give the general path's bits
  const shortcuts: SmallCase[] = [
    { label: 'sigmoid (gain 1), sse, no decay', decay: 0, net: { activation: 'sigmoid', loss: 'sse' } },
    {
      label: 'sigmoid (gain 1), mse, decay, no bias',
      decay: 1e-3,
      net: { activation: 'sigmoid', loss: 'mse', bias: false },
    },
    { label: 'tanh, sse, no decay, no bias', decay: 0, net: { activation: 'tanh', loss: 'sse', bias: false } },
    {
      label: 'sigmoid (gain 1) → tanh, sse, decay',
      decay: 1e-2,
      net: { activation: 'sigmoid', output: 'tanh', loss: 'sse' },
    },
  ];
  const shapes = [
    [3, 4, 3],
    [2, 3, 1],
    [1, 4, 2],
    [4, 1, 4],
    [4, 4, 4],
    [3, 2, 1],
  ];
  it.each(shortcuts)("$label: the general path's bits on every narrow shape", (c) => {
    for (const layers of shapes) {
      expect(
        smallEpochTaken(engine, { layers, ...c.net }, { optimizer: 'sgd', weightDecay: c.decay }, 1),
        `${layers.join('-')} takes the small epoch`,
      ).toBe(1);
      const { identical, moved } = compareSmallWithGeneral(engine, layers, c, 1);
      expect(identical, `${layers.join('-')}: same bits`).toBe(true);
      expect(moved, `${layers.join('-')}: the weights moved`).toBeGreaterThan(1e-4);
    }
  });
});

describe.each(ENGINES)('%s: one row at a time, where signed zeros and overflow could show', (engine) => {
  // the one-row loop leaves out 0 + of W1's gradients, exact unless a weight of W1 is −0 (the batch
  // loop trains those), and tries the activations without the guard for infinite exponents
  function compare(
    layers: number[],
    x: Float32Array,
    t: Float32Array,
    prepare: (w: Weights) => void,
    activation: 'sigmoid' | 'tanh',
  ): boolean {
    const nets = [0, 1].map(() => NN.createSync(classic({ layers, activation, loss: 'sse', engine, seed: 5 })));
    const w = nets[0]!.getWeights();
    prepare(w);
    for (const n of nets) n.setWeights(w);
    const train = { epochs: 2, batchSize: 1, learningRate: 0.1, optimizer: 'sgd', shuffle: false } as const;
    nets[0]!.train(x, t, classicTrain(train));
    nets[1]!.train(x, t, classicTrain({ ...train, onBatch: () => {} }));
    const [a, b] = nets.map((n) => n.getWeights()) as [Weights, Weights];
    let same = true;
    for (let l = 0; l < layers.length - 1; l++)
      same &&= sameBits(a.weights[l]!, b.weights[l]!) && sameBits(a.biases[l] ?? [], b.biases[l] ?? []);
    for (const n of nets) n.dispose();
    return same;
  }
  // the first input always 0: x·dh is −0 wherever dh < 0, and a weight of 0 stays 0 (of either sign)
  const x = Float32Array.from([0, 1, 0, -1, 0, 0.5, 0, -0.5, 0, 1, 0, -1]);
  const t = Float32Array.from([1, 0, 0, 1, 1, 0]);
  it.each(['sigmoid', 'tanh'] as const)('%s: weights of W1 at −0 and at +0, inputs of 0', (activation) => {
    expect(
      compare(
        [2, 3, 1],
        x,
        t,
        (w) => {
          w.weights[0]!.fill(-0, 0, 3);
        },
        activation,
      ),
    ).toBe(true);
    expect(
      compare(
        [2, 3, 1],
        x,
        t,
        (w) => {
          w.weights[0]!.fill(0, 0, 3);
        },
        activation,
      ),
    ).toBe(true);
    expect(
      compare(
        [2, 3, 1],
        x,
        t,
        (w) => {
          w.weights[0]![1] = -0;
          w.weights[0]![5] = -0;
          w.biases[0]![0] = -0;
        },
        activation,
      ),
    ).toBe(true);
  });
  it.each(['sigmoid', 'tanh'] as const)(
    '%s: hidden sums past float32 (infinite exponents) in some rows',
    (activation) => {
      const big = Float32Array.from([3e38, 0, 0.5, -0.25, -3e38, 0, 3e38, 3e38, 1, 1]);
      expect(
        compare(
          [2, 3, 1],
          big,
          Float32Array.from([1, 0, 1, 0, 1]),
          (w) => {
            w.weights[0]!.fill(0.9);
          },
          activation,
        ),
      ).toBe(true);
    },
  );
});

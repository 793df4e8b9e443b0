// Small networks take a fused epoch (assembly/small.ts and its twin src/js/small.ts) that does the
// general path's arithmetic in the general path's order: the trained weights are bit for bit the
// ones of forward/backward/update, on both engines, for every loss and activation it accepts.
import { describe, expect, it } from 'vitest';
import { BATCHES, CASES, SHAPES, compareFusedWithGeneral, fits, fusedPathTaken } from './small-paths.js';

const ENGINES = ['js', 'wasm'] as const;

describe('which networks take the fused path', () => {
  it.each(ENGINES)('%s: plain SGD without clipping, layers at most 64 wide, batches of at most 8 rows', (engine) => {
    const article = { layers: [3, 4, 3], activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 }, bias: false, loss: 'sse' } as const;
    expect(fusedPathTaken(engine, article, { optimizer: 'sgd' }, 1)).toBe(1);
    expect(fusedPathTaken(engine, article, { optimizer: 'sgd', weightDecay: 0.01 }, 8)).toBe(1);
    expect(fusedPathTaken(engine, { layers: [64, 64, 64] }, { optimizer: 'sgd' }, 4)).toBe(1);
    // the rest stays on the general path
    expect(fusedPathTaken(engine, article, { optimizer: 'sgd' }, 9)).toBe(0);
    expect(fusedPathTaken(engine, article, { optimizer: 'momentum' }, 1)).toBe(0);
    expect(fusedPathTaken(engine, article, { optimizer: 'adam' }, 1)).toBe(0);
    expect(fusedPathTaken(engine, article, { optimizer: 'sgd', clipNorm: 1 }, 1)).toBe(0);
    expect(fusedPathTaken(engine, { layers: [65, 4, 3] }, { optimizer: 'sgd' }, 1)).toBe(0);
    expect(fusedPathTaken(engine, { layers: [3, 65, 3] }, { optimizer: 'sgd' }, 1)).toBe(0);
  });
});

describe.each(ENGINES)('%s: the fused epoch against the general path', (engine) => {
  for (const c of CASES) {
    it(c.label, () => {
      for (const layers of SHAPES.filter((l) => fits(c, l))) {
        for (const batch of BATCHES) {
          const label = `${layers.join('-')} batch ${batch}`;
          expect(fusedPathTaken(engine, { layers, ...c.net }, { optimizer: 'sgd', weightDecay: c.decay }, batch), label).toBe(1);
          const { identical, moved } = compareFusedWithGeneral(engine, layers, c, batch);
          expect(identical, `${label}: same bits`).toBe(true);
          expect(moved, `${label}: the weights moved`).toBeGreaterThan(1e-4);
        }
      }
    });
  }
});

// The small epoch in the relaxed-SIMD build (which Node 20 rejects): bit for bit the
// general path, whose products fuse multiply-adds in full 4-column chunks only
// (test/helpers/small-epoch.ts).
import { describe, expect, it } from 'vitest';
import { NN } from '../../src/index.js';
import { CASES, SHAPES, compareSmallWithGeneral, fits, smallEpochTaken } from '../helpers/small-epoch.js';
import { classic } from '../helpers/classic.js';

describe('relaxed SIMD: the small epoch against the general path', () => {
  it('runs the relaxed build', async () => {
    const net = await NN.create(classic({ layers: [2, 2], engine: 'wasm' }));
    expect(net.build).toBe('relaxed-simd');
    net.dispose();
  });
  for (const c of CASES) {
    it(c.label, () => {
      let small = 0;
      for (const layers of SHAPES.filter((l) => fits(c, l))) {
        for (const batch of [1, 3, 4]) {
          if (!smallEpochTaken('wasm', { layers, ...c.net }, { optimizer: 'sgd', weightDecay: c.decay }, batch))
            continue;
          small++;
          const label = `${layers.join('-')} batch ${batch}`;
          const { identical, moved } = compareSmallWithGeneral('wasm', layers, c, batch);
          expect(identical, `${label}: same bits`).toBe(true);
          expect(moved, `${label}: the weights moved`).toBeGreaterThan(1e-4);
        }
      }
      expect(small).toBeGreaterThanOrEqual(SHAPES.filter((l) => fits(c, l)).length);
    });
  }
});

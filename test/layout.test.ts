// The plans of a network's memory (src/runtime/layout.ts): every offset they hand out is aligned
// for v128 (and to a cache line), the blocks are disjoint, and they lie inside the region.
import { describe, expect, it } from 'vitest';
import { HEADER_BYTES, LAYER_BYTES } from '../src/abi/descriptor.js';
import { ALIGN, planModel, planWork } from '../src/runtime/layout.js';

type Region = [label: string, start: number, bytes: number];

function expectAlignedDisjointInside(regions: Region[], total: number): void {
  for (const [label, start, bytes] of regions) {
    expect(start % ALIGN, `${label} at ${start} is ${ALIGN}-byte aligned`).toBe(0);
    expect(start, label).toBeGreaterThanOrEqual(0);
    expect(start + bytes, `${label} ends inside the region`).toBeLessThanOrEqual(total);
  }
  const sorted = [...regions].sort((a, b) => a[1] - b[1]);
  for (let i = 1; i < sorted.length; i++) {
    const [prevLabel, prevStart, prevBytes] = sorted[i - 1]!;
    expect(prevStart + prevBytes, `${prevLabel} ends before ${sorted[i]![0]} starts`).toBeLessThanOrEqual(
      sorted[i]![1],
    );
  }
}

const SHAPES: number[][] = [
  [1, 1],
  [3, 4, 3],
  [2, 3, 1],
  [784, 128, 10],
  [5, 7, 13, 33, 1],
  [4, 4, 4, 4],
  [1, 1000, 1],
  [33, 9, 17],
];

describe('planModel', () => {
  it.each(
    SHAPES.flatMap(
      (s) =>
        [
          [s, true],
          [s, false],
        ] as [number[], boolean][],
    ),
  )('%j bias=%s: every block aligned, disjoint, inside', (layers, bias) => {
    const p = planModel(layers, bias);
    const n = layers.length - 1;
    const regions: Region[] = [['descriptor', p.descriptor, HEADER_BYTES + n * LAYER_BYTES]];
    const gradShift = p.grads - p.params;
    let needScratch = 0;
    for (let l = 0; l < n; l++) {
      const wBytes = layers[l]! * layers[l + 1]! * 4;
      regions.push([`weights[${l}]`, p.weights[l]!, wBytes], [`grad weights[${l}]`, p.weights[l]! + gradShift, wBytes]);
      // each weight matrix inside the parameter block (the optimizer walks the block as one array)
      expect(p.weights[l]!).toBeGreaterThanOrEqual(p.params);
      expect(p.weights[l]! + wBytes).toBeLessThanOrEqual(p.params + p.paramFloats * 4);
      const b = p.biases[l];
      if (bias) {
        expect(b).not.toBeNull();
        regions.push(
          [`biases[${l}]`, b!, layers[l + 1]! * 4],
          [`grad biases[${l}]`, b! + gradShift, layers[l + 1]! * 4],
        );
        expect(b! + layers[l + 1]! * 4).toBeLessThanOrEqual(p.params + p.paramFloats * 4);
      } else {
        expect(b).toBeNull();
      }
      // matmulTransB's scratch holds Wᵀ of at most min(fanIn, 8) rows of fanOut floats (assembly/gemm.ts)
      needScratch = Math.max(needScratch, Math.min(layers[l]!, 8) * layers[l + 1]! * 4);
    }
    regions.push(['scratch', p.scratch, needScratch]);
    expectAlignedDisjointInside(regions, p.bytes);
    // the gradient block mirrors the parameter block and does not overlap it
    expect(gradShift).toBeGreaterThanOrEqual(p.paramFloats * 4);
    expect(p.params % ALIGN).toBe(0);
    expect(p.grads % ALIGN).toBe(0);
    expect(p.bytes % ALIGN).toBe(0);
  });
});

describe('planWork', () => {
  it.each(SHAPES.flatMap((s) => [1, 3, 32, 257].map((c) => [s, c] as [number[], number])))(
    '%j × %i rows: every buffer aligned, disjoint, inside',
    (layers, capacity) => {
      const p = planWork(layers, capacity);
      expect(p.capacity).toBe(capacity);
      const regions: Region[] = [];
      for (let l = 1; l < layers.length; l++) {
        regions.push(
          [`outputs[${l - 1}]`, p.outputs[l - 1]!, capacity * layers[l]! * 4],
          [`deltas[${l - 1}]`, p.deltas[l - 1]!, capacity * layers[l]! * 4],
        );
      }
      regions.push(
        ['inputStage', p.inputStage, capacity * layers[0]! * 4],
        ['targetStage', p.targetStage, capacity * layers[layers.length - 1]! * 4],
      );
      expectAlignedDisjointInside(regions, p.bytes);
      expect(p.bytes % ALIGN).toBe(0);
    },
  );
});

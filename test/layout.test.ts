// The descriptor layout is written by TypeScript (src/runtime/layout.ts) and read by the kernels
// (assembly/layout.ts): the two must agree word for word. And the offsets the plans hand out must
// be aligned for v128, disjoint, and inside the region.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wasmEngineSync } from '../src/runtime/engine.js';
import type { WasmExports } from '../src/runtime/abi.js';
import { ACT, ALIGN, H, HEADER_WORDS, L, LAYER_WORDS, LOSS, OPT, planModel, planWork } from '../src/runtime/layout.js';

/** Every `export const NAME: i32 = value;` of assembly/layout.ts. */
function assemblyConstants(): Map<string, number> {
  const text = readFileSync(new URL('../assembly/layout.ts', import.meta.url), 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^export const ([A-Z][A-Z0-9_]*)\s*:\s*i32\s*=\s*(-?\d+)\s*;/gm))
    out.set(m[1]!, Number(m[2]));
  return out;
}

// the AssemblyScript names of the enum members that are not just the TypeScript key in capitals
const LOSS_ALIASES: Record<string, string> = { 'binary-cross-entropy': 'BCE', 'cross-entropy': 'CE' };
const upper = (key: string): string => key.toUpperCase().replace(/-/g, '_');

describe('descriptor layout', () => {
  const asc = assemblyConstants();

  it('parses the constants of assembly/layout.ts', () => {
    expect(asc.size).toBeGreaterThan(40);
    expect(asc.get('HEADER_WORDS')).toBeTypeOf('number');
  });

  it('HEADER_WORDS and LAYER_WORDS agree with the AssemblyScript source and the Wasm exports', () => {
    const exports = wasmEngineSync().kernels as unknown as WasmExports;
    expect(asc.get('HEADER_WORDS')).toBe(HEADER_WORDS);
    expect(asc.get('LAYER_WORDS')).toBe(LAYER_WORDS);
    expect(exports.HEADER_WORDS.value).toBe(HEADER_WORDS);
    expect(exports.LAYER_WORDS.value).toBe(LAYER_WORDS);
    expect(exports.H_CAPACITY.value).toBe(H.CAPACITY);
    expect(exports.L_D.value).toBe(L.D);
  });

  const tables: [string, Record<string, number>, (key: string) => string][] = [
    ['H', H, (k) => `H_${k}`],
    ['L', L, (k) => `L_${k}`],
    ['ACT', ACT, (k) => `ACT_${upper(k)}`],
    ['LOSS', LOSS, (k) => `LOSS_${LOSS_ALIASES[k] ?? upper(k)}`],
    ['OPT', OPT, (k) => `OPT_${upper(k)}`],
  ];

  it.each(tables)(
    'every %s constant has the same value on both sides, and none is missing',
    (prefix, table, ascName) => {
      const fromTs = new Map(Object.entries(table).map(([k, v]) => [ascName(k), v]));
      const fromAsc = new Map([...asc].filter(([k]) => k.startsWith(`${prefix}_`)));
      // TypeScript → AssemblyScript
      for (const [name, value] of fromTs) expect(fromAsc.get(name), `${name} in assembly/layout.ts`).toBe(value);
      // AssemblyScript → TypeScript: no word that only one side knows
      expect([...fromAsc.keys()].sort()).toEqual([...fromTs.keys()].sort());
      // distinct values, words inside their record
      expect(new Set(fromTs.values()).size).toBe(fromTs.size);
      if (prefix === 'H') for (const v of fromTs.values()) expect(v).toBeLessThan(HEADER_WORDS);
      if (prefix === 'L') for (const v of fromTs.values()) expect(v).toBeLessThan(LAYER_WORDS);
    },
  );
});

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
    const regions: Region[] = [['descriptor', p.descriptor, (HEADER_WORDS + n * LAYER_WORDS) * 4]];
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

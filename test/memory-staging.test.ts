// Training rows too large to keep resident in engine memory (src/runtime/staging.ts) stay in
// JavaScript and are copied into the stage batch by batch: each batch holds exactly the visited
// rows, in order, in storage order and shuffled, on the 'js' engine and both Wasm memories.
import { describe, expect, it } from 'vitest';
import { TrainingRows } from '../src/runtime/staging.js';
import { toMatrix } from '../src/model/data.js';
import { jsEngineSync, wasmEngineSync } from '../src/runtime/engine.js';

describe('training rows too large to keep resident, staged batch by batch', () => {
  // Over 4 MiB of rows stay in JavaScript and each batch is copied into the stage: long runs by
  // set(), short ones element by element. Both must put exactly the visited rows there, in order.
  const engines = [
    ['js', jsEngineSync()],
    ['wasm', wasmEngineSync(false)],
    ['wasm, shared memory', wasmEngineSync(true)],
  ] as const;
  for (const cols of [3, 64, 300]) {
    it.each(engines)(`rows of ${cols} floats, in storage order and shuffled (%s)`, (_, engine) => {
      const rows = Math.ceil((4 << 20) / 4 / (cols + 1)) + 7; // just over the resident limit
      const x = toMatrix(
        Float32Array.from({ length: rows * cols }, (_, i) => i * 0.5 + 0.25),
        cols,
        'x',
      );
      const t = toMatrix(
        Float32Array.from({ length: rows }, (_, i) => -i),
        1,
        't',
      );
      const staged = new TrainingRows(engine, x, t);
      expect(staged.resident, 'too large to keep resident').toBe(false);
      const stage = engine.heap.alloc(40 * cols * 4),
        tStage = engine.heap.alloc(40 * 4);
      const order = Int32Array.from({ length: rows }, (_, i) => (i * 7919) % rows); // 7919 is prime: a permutation
      for (const visit of [null, order]) {
        staged.setOrder(visit);
        for (const [start, count] of [
          [0, 1],
          [5, 40],
          [rows - 21, 21],
        ] as const) {
          expect(staged.inputBatch(start, count, stage)).toBe(stage);
          expect(staged.targetBatch(start, count, tStage)).toBe(tStage);
          for (let i = 0; i < count; i++) {
            const row = visit ? visit[start + i]! : start + i;
            const got = engine.heap.f32.subarray((stage >> 2) + i * cols, (stage >> 2) + (i + 1) * cols);
            expect(Array.from(got), `${visit ? 'shuffled' : 'in order'}: batch row ${start + i} is row ${row}`).toEqual(
              Array.from(x.data.subarray(row * cols, (row + 1) * cols)),
            );
            expect(engine.heap.f32[(tStage >> 2) + i]).toBe(-row);
          }
        }
      }
      engine.heap.release(stage);
      engine.heap.release(tStage);
      staged.release();
    });
  }
});

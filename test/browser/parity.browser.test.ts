// Parity in Chromium (vitest browser mode): every Wasm build, including relaxed SIMD (which Node 20
// rejects), against the 'js' twin, kernel by kernel on the same inputs, then whole networks trained
// on the same seed. Run by `npm run test:browser` (vitest.browser.config.ts).
import { describe, expect, it } from 'vitest';
import simdBytes from '../../build/simd.wasm';
import relaxedBytes from '../../build/relaxed.wasm';
import { NN, engines } from '../../src/index.js';
import { Heap, createLinearMemory } from '../../src/runtime/heap.js';
import { createJsKernels } from '../../src/js/index.js';
import type { Kernels } from '../../src/abi/kernels.js';
import { createWasmEngine } from '../../src/runtime/engine.js';
import { ACT, LOSS } from '../../src/abi/kinds.js';
import { ENGINES } from '../helpers/engines.js';
import { classic, classicTrain } from '../helpers/classic.js';

interface Bench {
  name: string;
  heap: Heap;
  k: Kernels;
}

function wasmBench(name: 'simd' | 'relaxed-simd', bytes: Uint8Array<ArrayBuffer>): Bench {
  const engine = createWasmEngine(bytes, name);
  return { name, heap: engine.heap, k: engine.kernels };
}
function jsBench(): Bench {
  const heap = new Heap(createLinearMemory(1 << 16), 16);
  return { name: 'js', heap, k: createJsKernels(heap) };
}

let seed = 99;
const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const randomArray = (n: number): Float32Array => Float32Array.from({ length: n }, random);

/** Copies each input into the bench's memory and returns their pointers plus room for outputs. */
function place(b: Bench, inputs: Float32Array[], outputs: number[]): number[] {
  return [
    ...inputs.map((a) => {
      const p = b.heap.alloc(a.length * 4);
      b.heap.f32.set(a, p >> 2);
      return p;
    }),
    ...outputs.map((n) => b.heap.alloc(n * 4)),
  ];
}
const read = (b: Bench, ptr: number, n: number): Float32Array => b.heap.f32.slice(ptr >> 2, (ptr >> 2) + n);

function expectClose(actual: Float32Array, expected: Float32Array, tolerance: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++)
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
  expect(worst, what).toBeLessThanOrEqual(tolerance);
}

describe('engines in Chromium', () => {
  it('offers relaxed SIMD, SIMD and js, and picks relaxed SIMD', async () => {
    expect(WebAssembly.validate(relaxedBytes)).toBe(true);
    expect(engines()).toEqual({ available: ['relaxed-simd', 'simd', 'js'], selected: 'relaxed-simd' });
    const net = await NN.create(classic({ layers: [2, 2], engine: 'wasm' }));
    expect(net.build).toBe('relaxed-simd');
    net.dispose();
  });
});

describe.each([
  ['simd', simdBytes],
  ['relaxed-simd', relaxedBytes],
] as const)('%s build against the js twin, kernel by kernel', (name, bytes) => {
  const shapes = [
    [1, 1, 1],
    [7, 33, 19],
    [16, 64, 10],
    [33, 130, 67],
  ] as const;

  it.each(shapes)('matmul, matmulTransB, matmulTransA, columnSums on %i×%i×%i', (m, k, n) => {
    const x = randomArray(m * k),
      w = randomArray(k * n),
      bias = randomArray(n),
      d = randomArray(m * n);
    const results = [jsBench(), wasmBench(name, bytes)].map((b) => {
      const [xp, wp, bp, dp, y, yt, g, s, scratch] = place(b, [x, w, bias, d], [m * n, m * k, k * n, n, k * n]);
      b.k.matmul(xp!, wp!, bp!, y!, m, k, n);
      b.k.matmulTransB(dp!, wp!, yt!, m, n, k, scratch!);
      b.k.matmulTransA(xp!, dp!, g!, m, k, n, 0);
      b.k.columnSums(dp!, s!, m, n);
      return [read(b, y!, m * n), read(b, yt!, m * k), read(b, g!, k * n), read(b, s!, n)];
    });
    const tolerance = 1e-6 * Math.max(k, n, m) + 1e-6; // float32 sums in a different order
    ['matmul', 'matmulTransB', 'matmulTransA', 'columnSums'].forEach((kernel, i) =>
      expectClose(results[1]![i]!, results[0]![i]!, tolerance, `${name} ${kernel} ${m}×${k}×${n}`),
    );
  });

  it.each(Object.entries(ACT))('activate %s and its gradient', (act, kind) => {
    const rows = 5,
      cols = 13,
      s = randomArray(rows * cols).map((v) => v * 6),
      d = randomArray(rows * cols);
    const results = [jsBench(), wasmBench(name, bytes)].map((b) => {
      const [y, dp] = place(b, [s, d], []);
      b.k.activate(kind, act === 'leaky-relu' ? 0.01 : 1.5, act === 'sigmoid' ? 0.2 : 0, y!, rows, cols);
      const out = read(b, y!, rows * cols);
      if (act !== 'softmax') b.k.activationGrad(kind, act === 'leaky-relu' ? 0.01 : 1.5, y!, dp!, rows * cols);
      return [out, read(b, dp!, rows * cols)];
    });
    expectClose(results[1]![0]!, results[0]![0]!, 2e-6, `${name} activate ${act}`);
    expectClose(results[1]![1]!, results[0]![1]!, 2e-6, `${name} activationGrad ${act}`);
  });

  it('vexp, sumSquares and every loss', () => {
    const rows = 6,
      cols = 11,
      x = randomArray(rows * cols).map((v) => v * 20);
    const p = Float32Array.from({ length: rows * cols }, () => 0.05 + 0.9 * Math.abs(random()));
    const t = Float32Array.from({ length: rows * cols }, (_, i) => (i % cols === i % 3 ? 1 : 0));
    const results = [jsBench(), wasmBench(name, bytes)].map((b) => {
      const [xp, pp, tp, e] = place(b, [x, p, t], [rows * cols]);
      b.k.testExp(xp!, e!, rows * cols);
      const losses = Object.values(LOSS).map((loss) => b.k.lossSum(loss, pp!, tp!, rows, cols));
      return [read(b, e!, rows * cols), Float32Array.from([...losses, b.k.sumSquares(xp!, rows * cols)])];
    });
    expectClose(results[1]![0]!, results[0]![0]!, 2e-6, `${name} vexp`);
    expectClose(results[1]![1]!, results[0]![1]!, 1e-5, `${name} losses and sumSquares`);
  });
});

describe('networks trained on the same seed: wasm (relaxed SIMD here) against js', () => {
  const cases = [
    {
      layers: [4, 9, 3],
      activation: { name: 'sigmoid', gain: 1.3, threshold: 0.1 },
      loss: 'sse',
      bias: false,
      optimizer: 'sgd',
      batchSize: 1,
    },
    { layers: [6, 17, 5], activation: 'tanh', loss: 'mse', optimizer: 'momentum', batchSize: 'full' },
    {
      layers: [10, 33, 8, 4],
      activation: 'relu',
      output: 'softmax',
      loss: 'cross-entropy',
      optimizer: 'adam',
      batchSize: 7,
    },
    {
      layers: [5, 12, 2],
      activation: 'leaky-relu',
      output: 'sigmoid',
      loss: 'binary-cross-entropy',
      optimizer: 'nesterov',
      batchSize: 4,
    },
  ] as const;

  it.each(cases)('$layers $loss $optimizer', async ({ optimizer, batchSize, ...options }) => {
    const rows = 40,
      inputs = options.layers[0],
      outputs = options.layers[options.layers.length - 1]!;
    const x = randomArray(rows * inputs);
    const t = new Float32Array(rows * outputs);
    for (let r = 0; r < rows; r++) t[r * outputs + (r % outputs)] = 1;
    const trained = await Promise.all(
      ENGINES.map(async (engine) => {
        const net = await NN.create(classic({ ...options, engine, seed: 5 } as Parameters<typeof NN.create>[0]));
        const report = net.train(
          x,
          t,
          classicTrain({
            epochs: 15,
            batchSize,
            optimizer,
            learningRate: optimizer === 'adam' ? 0.01 : 0.05,
          }),
        );
        const out = { report, weights: net.getWeights(), y: net.predict(x) as Float32Array };
        net.dispose();
        return out;
      }),
    );
    const [js, wasm] = trained as [(typeof trained)[0], (typeof trained)[0]];
    expect(Math.abs(wasm.report.error - js.report.error)).toBeLessThan(1e-4 * (1 + js.report.error));
    wasm.weights.weights.forEach((w, l) => expectClose(w, js.weights.weights[l]!, 1e-4, `weights[${l}]`));
    expectClose(wasm.y, js.y, 1e-4, 'predictions');
  });
});

// threads (issue 13): the matrix products split among helper workers on the engine's shared Wasm
// memory give the same bits as one thread. Each test trains twins that differ only in `threads`
// and requires every weight, bias, optimizer slot, step, generator state and reported error to be
// equal bit for bit (Object.is), and that the helpers really took parts of the products (the
// pool's counter grew), so that the equality is not the trivial one of a single thread. Shapes
// with odd sizes reach every edge of the blocked products (rows % 4, columns % 8 and % 16, k % 8).
// Also: the option's checks, 'auto', the 'js' engine's one thread, the pool's lifetime, trainAsync
// with an AbortSignal, two networks at once, memory growth between runs, divergence rollback, and
// a process that never disposes a threaded network still exiting by itself. (Node runs the plain
// SIMD build; test/browser/threads.browser.test.ts runs the relaxed one in Chromium.)
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { NN, DivergenceError, type NetworkOptions, type TrainOptions, type TrainReport } from '../src/index.js';
import { wasmEngineSync } from '../src/runtime/engine.js';
import type { WasmExports } from '../src/abi/kernels.js';
import { asRows, classTask } from './helpers/random-data.js';
import { CHECK_PATHS, onPath } from './helpers/check-paths.js';
import { expectClearError, thrown } from './helpers/clear-errors.js';
import { classic, classicTrain } from './helpers/classic.js';
import { modelOf } from '../src/nn.js';
import { quantizeModel } from '../src/model/quantize.js';
import type { Model } from '../src/model/model.js';
import { QuantizedNetwork } from '../src/runtime/quantized.js';

const pool = () => wasmEngineSync(true).pool!;
const helped = (): number => pool().partsByHelpers;

/** Everything a trained network is, as one JSON text: weights, optimizer slots, step, generator. */
const fullState = (net: NN): string => JSON.stringify(net.toJSON());

async function twins(options: NetworkOptions, counts: number[]): Promise<NN[]> {
  return Promise.all(counts.map((threads) => NN.create(classic({ ...options, threads }))));
}

/**
 * Runs `attempt` (which checks its own bits) until helpers took parts of its products: on a loaded
 * machine a helper may not get a core during a short training, and the equality of bits is then the
 * trivial one of a single thread. Every attempt must give the same bits; one must have shared.
 */
async function withHelpers(what: string, attempt: () => Promise<void> | void): Promise<void> {
  const until = performance.now() + 30_000;
  for (;;) {
    const before = helped();
    await attempt();
    if (helped() > before) return;
    if (performance.now() > until) expect.fail(`${what}: helpers took no part of any product in 30 s of attempts`);
  }
}

function expectSameReports(a: TrainReport, b: TrainReport, what: string): void {
  for (const key of [
    'epochs',
    'error',
    'validationError',
    'accuracy',
    'validationAccuracy',
    'stoppedBy',
    'learningRate',
  ] as const) {
    expect(Object.is(a[key], b[key]), `${what}: report.${key} ${String(a[key])} vs ${String(b[key])}`).toBe(true);
  }
}

describe('threads: the option', () => {
  it('accepts 1 to 256 and auto, and refuses anything else with a RangeError naming threads', async () => {
    for (const bad of [0, -1, 1.5, 257, NaN, Infinity, '2', 'AUTO', true, null, {}]) {
      expectClearError(
        thrown(() => NN.createSync(classic({ layers: [2, 2], threads: bad as never }))),
        'threads',
        `threads: ${String(bad)}`,
      );
      expect(thrown(() => NN.createSync(classic({ layers: [2, 2], threads: bad as never })))).toBeInstanceOf(
        RangeError,
      );
      await expect(
        NN.fromJSON(NN.createSync(classic({ layers: [2, 2], engine: 'js' })).toJSON(), { threads: bad as never }),
      ).rejects.toThrow(/threads/);
    }
    for (const good of [1, 2, 3]) {
      const net = NN.createSync(classic({ layers: [64, 64], threads: good }));
      expect(net.threads).toBe(good);
      net.dispose();
    }
    // 256 is accepted (on the 'js' engine, which runs on one thread, so that no 255 workers start here)
    expect(NN.createSync(classic({ layers: [2, 2], threads: 256, engine: 'js' })).threads).toBe(1);
    expect(NN.createSync(classic({ layers: [2, 2] })).threads).toBe(1);
  });

  it("'auto' is the cores Node reports; the 'js' engine runs on one thread whatever is asked", async () => {
    const auto = await NN.create(classic({ layers: [64, 64], threads: 'auto' }));
    expect(auto.threads).toBe(Math.min(256, availableParallelism()));
    auto.dispose();
    expect((await NN.create(classic({ layers: [2, 2], threads: 4, engine: 'js' }))).threads).toBe(1);
    expect((await NN.create(classic({ layers: [2, 2], threads: 'auto', engine: 'js' }))).threads).toBe(1);
    const saved = NN.createSync(classic({ layers: [64, 64] }));
    const fromJSON = await NN.fromJSON(saved.toJSON(), { threads: 3 });
    const fromBinary = await NN.fromBinary(saved.toBinary(), { threads: 2, engine: 'wasm' });
    expect([fromJSON.threads, fromBinary.threads]).toEqual([3, 2]);
    fromJSON.dispose();
    fromBinary.dispose();
    // the importers pass threads on to fromJSON: same count in effect, same answers as the source
    const interop = await import('../src/interop/index.js');
    const source = NN.createSync(classic({ layers: [5, 1024, 3], seed: 4 }));
    const tfjs = interop.toTFJS(source);
    const fromONNX = await interop.fromONNX(interop.toONNX(source), { threads: 2 });
    const fromTFJS = await interop.fromTFJS(tfjs.modelJSON, tfjs.weightData, { threads: 2 });
    expect([fromONNX.threads, fromTFJS.threads]).toEqual([2, 2]);
    const row = [0.1, -0.4, 0.7, 0.2, -0.9];
    expect(fromONNX.predict(row)).toEqual(source.predict(row));
    expect(fromTFJS.predict(row)).toEqual(source.predict(row));
    await expect(interop.fromONNX(interop.toONNX(source), { threads: 0 })).rejects.toThrow(RangeError);
    for (const net of [source, fromONNX, fromTFJS]) net.dispose();
    expect(thrown(() => NN.createSync(classic({ layers: [2, 2], thread: 2 } as never)))).toBeInstanceOf(TypeError);
  });

  it('one-thread networks, and networks too small to share a product, live on an unshared memory (faster in V8); threaded ones on the memory the helpers share', () => {
    const helpers = pool().size;
    const one = NN.createSync(classic({ layers: [128, 32, 3], seed: 5 })),
      two = NN.createSync(classic({ layers: [128, 32, 3], seed: 5, threads: 2 }));
    expect(wasmEngineSync().heap.memory.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    expect(wasmEngineSync().pool).toBeNull();
    expect(wasmEngineSync(true).heap.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([one.threads, two.threads]).toEqual([1, 2]);
    const x = Array.from({ length: 128 }, (_, i) => Math.sin(i));
    expect(two.predict(x)).toEqual(one.predict(x)); // same seed, same weights, different memories
    // every layer under 4,096 weights (the article's 3-4-3): no product worth sharing, no helper started,
    // and the threads in effect are 1
    const tiny = NN.createSync(classic({ layers: [3, 4, 3], seed: 5, threads: 2 })),
      tinyOne = NN.createSync(classic({ layers: [3, 4, 3], seed: 5 }));
    expect(tiny.threads).toBe(1);
    const rows = Float32Array.from({ length: 300 }, (_, i) => Math.cos(i)),
      targets = rows.map((v) => (v > 0 ? 1 : 0));
    tiny.train(rows, targets, classicTrain({ epochs: 2, batchSize: 1 }));
    tinyOne.train(rows, targets, classicTrain({ epochs: 2, batchSize: 1 }));
    expect(fullState(tiny)).toBe(fullState(tinyOne));
    two.dispose();
    expect(pool().size, 'the tiny network holds no helper').toBe(helpers);
    for (const net of [one, tiny, tinyOne]) net.dispose();
  });
});

describe('threads: the same bits as one thread', () => {
  const cases: { label: string; options: NetworkOptions; train: TrainOptions; rows: number }[] = [
    {
      label: '784-128-10 relu/softmax, Adam, shuffled, validation split',
      rows: 600,
      options: { layers: [784, 128, 10], activation: 'relu', output: 'softmax', seed: 3 },
      train: { epochs: 2, batchSize: 64, optimizer: 'adam', validationSplit: 0.1 },
    },
    {
      label: 'odd sizes 37-101-53-9, tanh/sigmoid, momentum, weight decay, batch 29',
      rows: 203,
      options: {
        layers: [37, 101, 53, 9],
        activation: 'tanh',
        output: 'sigmoid',
        loss: 'binary-cross-entropy',
        seed: 4,
      },
      train: { epochs: 3, batchSize: 29, optimizer: 'momentum', weightDecay: 1e-3 },
    },
    {
      label: '257-300-130-7, leaky ReLU, Nesterov, clipNorm, full batch',
      rows: 90,
      options: {
        layers: [257, 300, 130, 7],
        activation: { name: 'leaky-relu', slope: 0.05 },
        output: 'linear',
        loss: 'mse',
        seed: 5,
      },
      train: { epochs: 3, batchSize: 'full', optimizer: 'nesterov', learningRate: 0.005, clipNorm: 1 },
    },
    {
      label: '96-500-33 sigmoid with gain and threshold, no bias, SGD, one row per batch',
      rows: 40,
      options: {
        layers: [96, 500, 33],
        activation: { name: 'sigmoid', gain: 0.7, threshold: 0.2 },
        bias: false,
        loss: 'sse',
        seed: 6,
      },
      train: { epochs: 2, batchSize: 1, shuffle: true },
    },
    {
      label: '200-400-10, early stopping restores the best epoch, schedule',
      rows: 300,
      options: { layers: [200, 400, 10], activation: 'relu', output: 'softmax', seed: 7 },
      train: {
        epochs: 6,
        batchSize: 100,
        optimizer: 'adam',
        learningRate: 0.05,
        validationSplit: 0.2,
        earlyStopping: { patience: 1, restoreBest: true },
        schedule: { type: 'exponential', factor: 0.8 },
      },
    },
  ];

  for (const c of cases) {
    it(c.label, async () => {
      const [nin, nout] = [c.options.layers[0]!, c.options.layers.at(-1)!];
      const { x, t } = classTask(c.rows, nin, nout, 11);
      await withHelpers(c.label, async () => {
        const nets = await twins(c.options, [1, 2, 4]);
        const reports = nets.map((net) => net.train(x, t, classicTrain(c.train)));
        const reference = fullState(nets[0]!);
        for (let i = 1; i < nets.length; i++) {
          expect(
            fullState(nets[i]!) === reference,
            `threads ${nets[i]!.threads}: the whole model equals threads 1 bit for bit`,
          ).toBe(true);
          expectSameReports(reports[i]!, reports[0]!, `threads ${nets[i]!.threads}`);
          expect(Object.is(nets[i]!.evaluate(x, t).loss, nets[0]!.evaluate(x, t).loss)).toBe(true);
          const y = nets[i]!.predict(x),
            y1 = nets[0]!.predict(x);
          expect(
            y.every((v, j) => Object.is(v, y1[j])),
            'predict of every row bit for bit',
          ).toBe(true);
        }
        for (const net of nets) net.dispose();
      });
    });
  }

  it('a helper that comes late to a job takes no part of it, even once the next job has written its fields', () => {
    // A helper reads the generation of a job, may lose its core, and claims later. Between jobs the
    // caller writes the next job's fields, then its claim word: a claim of the finished job must
    // read nothing but its own claim word. Jobs of 1 to 40 parts (the claim word's mask, and its
    // count beyond 31), in rising and falling order, of each kind that shares rows among threads:
    // a product, and a quantized forward.
    const engine = wasmEngineSync(true),
      k = engine.kernels as WasmExports,
      heap = engine.heap;
    const control = pool().controlPtr >> 2;
    // the fields a job writes before its claim word (jobs.ts's control block, bytes 16 to 72)
    const nextJobFields = [control + 4, control + 18] as const;
    // 160×32×16 is 81,920 multiply-adds and 160 rows through 64-16 are 163,840: both split by bands
    // of 4 rows, up to 40 parts
    const m = 160,
      kk = 32,
      n = 16,
      wide = 64;
    const source = NN.createSync(classic({ layers: [wide, n], engine: 'js', seed: 3 }));
    const q = quantizeModel(modelOf(source) as Model, null);
    source.dispose();
    const quantized = new QuantizedNetwork(engine, q.config, q.layers, 1, false);
    const records = (quantized as unknown as { recordsPtr: number }).recordsPtr;
    const x = heap.alloc(m * wide * 4),
      w = heap.alloc(kk * n * 4),
      y = heap.alloc(m * n * 4),
      scratch = heap.alloc(k.quantScratchBytes(wide) * 40);
    heap.f32.fill(0.5, x >> 2, (x >> 2) + m * wide);
    const jobs: Record<string, (threads: number) => void> = {
      product: (threads) => {
        k.useThreads(threads);
        k.matmul(x, w, 0, y, m, kk, n);
      },
      'quantized forward': (threads) => k.quantForward(records, 1, x, m, y, scratch, threads),
    };
    try {
      const counts = Array.from({ length: 40 }, (_, i) => i + 1);
      for (const [kind, run] of Object.entries(jobs)) {
        for (const threads of [...counts, ...counts.slice().reverse()]) {
          const previous = heap.i32[control]!;
          run(threads);
          const generation = heap.i32[control]!;
          if (threads > 1)
            expect(generation, `a ${kind} on ${threads} threads is published as a job`).toBe(previous + 1);
          heap.i32.fill(40, ...nextJobFields);
          for (const late of [generation, generation - 1])
            expect(k.testClaim(late), `job ${late} after a ${kind} on ${threads} threads`).toBe(-1);
        }
      }
    } finally {
      k.useThreads(1);
      for (const p of [x, w, y, scratch]) heap.release(p);
      quantized.release();
    }
  });

  it('the optimizer step is shared too: each optimizer, with decay and clipping, on 2 and 3 threads, steps alone taken by helpers, the same bits', async () => {
    // 131-200-37: the weight gradients of both layers are split (by rows of W, 4 at a time: 131 and
    // 200 leave partial bands), so the step is; 3 threads give three parts, one of them short.
    const { x, t } = classTask(96, 131, 37, 12);
    const descriptorOf = (net: NN): number =>
      (net as unknown as { resident: { net: { descriptorPtr: number } } }).resident.net.descriptorPtr;
    for (const optimizer of ['sgd', 'momentum', 'nesterov', 'adam'] as const) {
      for (const threads of [2, 3]) {
        const [one, many] = await twins({ layers: [131, 200, 37], activation: 'tanh', output: 'softmax', seed: 13 }, [
          1,
          threads,
        ]);
        const train: TrainOptions = {
          epochs: 2,
          batchSize: 48,
          optimizer,
          learningRate: 0.02,
          weightDecay: 1e-3,
          clipNorm: 0.5,
        };
        for (const net of [one!, many!]) net.train(x, t, classicTrain(train));
        // the step again on the last batch's gradients until helpers have taken parts of the step
        // itself (sleeping ones need the first steps to wake), then as many on the one-thread twin
        const before = helped(),
          until = performance.now() + 5000;
        let steps = 0;
        while (helped() === before && performance.now() < until) {
          wasmEngineSync(true).kernels.update(descriptorOf(many!));
          steps++;
        }
        expect(helped(), `${optimizer}, threads ${threads}: helpers took parts of the step itself`).toBeGreaterThan(
          before,
        );
        for (let i = 0; i < steps; i++) wasmEngineSync(false).kernels.update(descriptorOf(one!));
        expect(
          fullState(many!) === fullState(one!),
          `${optimizer}, threads ${threads}: every weight, slot and step bit for bit after ${steps} steps`,
        ).toBe(true);
        for (const net of [one!, many!]) net.dispose();
      }
    }
  });

  it('the products directly, every form, on sizes around every blocking edge, with helpers taking parts', () => {
    const engine = wasmEngineSync(true),
      k = engine.kernels as WasmExports;
    const heap = engine.heap;
    pool().acquire(3);
    try {
      let seed = 1;
      const fill = (ptr: number, n: number): void => {
        const f = heap.f32;
        for (let i = 0; i < n; i++)
          f[(ptr >> 2) + i] = (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32 - 0.5;
      };
      const shapes: [number, number, number][] = [
        [1, 300, 257],
        [3, 517, 130],
        [4, 129, 1000],
        [17, 33, 31],
        [64, 64, 64],
        [130, 7, 700],
        [255, 257, 129],
        [31, 1000, 9],
      ];
      for (const [m, kk, n] of shapes) {
        const size = Math.max(m * kk, kk * n, m * n);
        const x = heap.alloc(size * 4),
          w = heap.alloc(size * 4),
          b = heap.alloc(n * 4),
          d = heap.alloc(size * 4),
          scratch = heap.alloc(8 * n * 4 + 64);
        const outs = [1, 2, 3].map(() => [heap.alloc(m * n * 4), heap.alloc(m * kk * 4), heap.alloc(kk * n * 4)]);
        fill(x, size);
        fill(w, size);
        fill(b, n);
        fill(d, size);
        outs.forEach(([y, yt, g], i) => {
          k.useThreads(i + 1);
          k.matmul(x, w, b, y!, m, kk, n);
          k.matmulTransB(d, w, yt!, m, n, kk, scratch);
          k.matmulTransA(x, d, g!, m, kk, n, 0);
        });
        const read = (ptr: number, count: number): Float32Array => heap.f32.slice(ptr >> 2, (ptr >> 2) + count);
        for (const [i, count] of [
          [0, m * n],
          [1, m * kk],
          [2, kk * n],
        ] as const) {
          const one = read(outs[0]![i]!, count);
          for (const t of [1, 2]) {
            const other = read(outs[t]![i]!, count);
            expect(
              other.every((v, j) => Object.is(v, one[j])),
              `${['X·W', 'D·Wᵀ', 'Xᵀ·D'][i]} ${m}×${kk}×${n} on ${t + 1} threads`,
            ).toBe(true);
          }
        }
        for (const p of [x, w, b, d, scratch, ...outs.flat()]) heap.release(p);
      }
    } finally {
      k.useThreads(1);
      pool().release();
    }
  });
});

describe('threads: predictions over many rows', () => {
  // 1,000 rows: four chunks of the input stage, each one's pass shared by bands of rows while the
  // next one is written; inputs as one Float32Array, Float32Array rows and number[] rows, each
  // checked by the kernels' scan (runtime/inputs.ts) on every thread count.
  const options: NetworkOptions = { layers: [131, 70, 9], activation: 'tanh', output: 'softmax', seed: 31 };
  const { x } = classTask(1000, 131, 9, 32);
  const forms = {
    flat: x,
    'Float32Array rows': Array.from({ length: 1000 }, (_, r) => x.subarray(r * 131, (r + 1) * 131)),
    'number[] rows': asRows(x, 131),
  };

  it('every form gives the one-thread bits on 2 and 3 threads, with helpers taking bands', async () => {
    const [one, ...many] = await twins(options, [1, 2, 3]);
    const reference = one!.predict(x);
    await withHelpers('predictions', () => {
      for (const net of many)
        for (const [form, input] of Object.entries(forms)) {
          const y = net.predict(input as Float32Array);
          const flat = Array.isArray(y) ? (y as Float32Array[]).flatMap((row) => Array.from(row)) : Array.from(y);
          expect(
            flat.length === reference.length && flat.every((v, j) => Object.is(v, reference[j])),
            `${form} on ${net.threads} threads`,
          ).toBe(true);
        }
    });
    for (const net of [one!, ...many]) net.dispose();
  });

  it('a target standardizer and class labels: the scan path answers as the TypeScript check, on every thread count', async () => {
    // predict answers in the targets' units and classify with the labels, whichever path checked
    // the inputs; references: the raw one-thread outputs of a network without the standardizer,
    // taken through y · scale + mean in float64 and rounded once to float32 (the outputs' type),
    // and the argmax of the one-thread probabilities named by the classes
    const source = await NN.create(classic({ ...options, loss: 'mse', output: 'linear' }));
    const raw = onPath(Infinity, () => source.predict(x));
    const mean = Array.from({ length: 9 }, (_, j) => 3 * j - 10),
      scale = Array.from({ length: 9 }, (_, j) => 0.5 + j / 4);
    const expected = Array.from(raw, (v, i) => Math.fround(v * scale[i % 9]! + mean[i % 9]!));
    const standardized = { ...source.toJSON(), targetStandardizer: { mean, scale } };
    source.dispose();
    const classes = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const teacher = await NN.create(classic(options));
    teacher.train(
      x,
      Array.from({ length: 1000 }, (_, r) => classes[r % 9]!),
      classicTrain({ epochs: 1, batchSize: 50 }),
    );
    const labelled = teacher.toJSON();
    const probabilities = onPath(Infinity, () => teacher.predict(x));
    const labels = Array.from({ length: 1000 }, (_, r) => {
      let best = 0;
      for (let j = 1; j < 9; j++) if (probabilities[r * 9 + j]! > probabilities[r * 9 + best]!) best = j;
      return classes[best]!;
    });
    teacher.dispose();
    for (const threads of [1, 2, 3]) {
      const regressor = await NN.fromJSON(standardized, { threads });
      const classifier = await NN.fromJSON(labelled, { threads });
      expect(classifier.classes).toEqual(classes);
      for (const [path, threshold] of CHECK_PATHS)
        for (const [form, input] of Object.entries(forms)) {
          const what = `${form}, ${path}, ${threads} threads`;
          const y = onPath(threshold, () => regressor.predict(input as Float32Array));
          const flat = Array.isArray(y) ? (y as Float32Array[]).flatMap((row) => Array.from(row)) : Array.from(y);
          expect(
            flat.length === expected.length && flat.every((v, j) => Object.is(v, expected[j])),
            `${what}: predict in the targets' units`,
          ).toBe(true);
          expect(
            onPath(threshold, () => classifier.classify(input as number[][])),
            `${what}: classify`,
          ).toEqual(labels);
        }
      regressor.dispose();
      classifier.dispose();
    }
  });

  it("a bad value in a late chunk is refused with toMatrix's message on every thread count, and the network predicts on", async () => {
    const nets = await twins(options, [1, 2, 3]);
    const reference = nets[0]!.predict(x);
    for (const [row, col, value] of [
      [700, 17, NaN],
      [999, 130, -Infinity],
      [256, 0, Infinity],
    ] as const) {
      for (const form of Object.keys(forms) as (keyof typeof forms)[]) {
        const bad =
          form === 'flat' ? x.slice() : form === 'number[] rows' ? asRows(x, 131) : forms[form].map((r) => r.slice());
        if (bad instanceof Float32Array) bad[row * 131 + col] = value;
        else (bad[row] as number[])[col] = value;
        // the message of the TypeScript check, which never stages anything
        const expected = thrown(() => onPath(Infinity, () => nets[0]!.predict(bad as Float32Array)));
        expect(expected).toBeInstanceOf(RangeError);
        expect((expected as Error).message).toContain(
          form === 'flat' ? `row ${row}, column ${col}` : `[${row}][${col}]`,
        );
        for (const net of nets) {
          const err = thrown(() => net.predict(bad as Float32Array));
          expect(err, `${form}, ${value} at ${row}/${col}, ${net.threads} threads`).toBeInstanceOf(RangeError);
          expect((err as Error).message).toBe((expected as Error).message);
        }
      }
    }
    // a value that is no number among the rows is a TypeError, after a non-finite one in an earlier chunk…
    const mixed = asRows(x, 131) as unknown[][];
    mixed[900]![3] = 'a';
    mixed[600]![5] = NaN;
    for (const net of nets)
      expect((thrown(() => net.predict(mixed as number[][])) as Error).message).toMatch(/input\[600\]\[5\]/);
    // …and first when it comes first
    mixed[600]![5] = 0.5;
    mixed[300]![7] = null as never;
    for (const net of nets) expect(thrown(() => net.predict(mixed as number[][]))).toBeInstanceOf(TypeError);
    for (const net of nets) expect(Array.from(net.predict(x)).every((v, j) => Object.is(v, reference[j]))).toBe(true);
    for (const net of nets) net.dispose();
  });
  it('a getter of the inputs that starts another prediction on the same engine is refused, and both networks predict on', async () => {
    for (const threads of [1, 2]) {
      const [net, other] = await twins(options, [threads, threads]);
      const reference = net!.predict(x);
      const rows = forms['Float32Array rows'].slice();
      Object.defineProperty(rows, 600, {
        get: () => {
          other!.predict(x);
          return forms.flat.subarray(600 * 131, 601 * 131);
        },
      });
      const err = thrown(() => net!.predict(rows));
      expect(err, `${threads} threads`).toBeInstanceOf(Error);
      expect((err as Error).message).toMatch(/another one was reading its inputs/);
      for (const n of [net!, other!])
        expect(Array.from(n.predict(x)).every((v, j) => Object.is(v, reference[j]))).toBe(true);
      for (const n of [net!, other!]) n.dispose();
    }
  });
});

describe('threads: everything else keeps working', () => {
  const options: NetworkOptions = { layers: [300, 256, 10], activation: 'relu', output: 'softmax', seed: 21 };
  const data = classTask(400, 300, 10, 22);

  it('trainAsync keeps the event loop free and stops on an AbortSignal; the network stays usable', async () => {
    const [one, two] = await twins(options, [1, 2]);
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 0);
    const reportOne = await one!.trainAsync(data.x, data.t, classicTrain({ epochs: 12, batchSize: 16 })); // long enough for several 4 ms slices
    const reportTwo = await two!.trainAsync(data.x, data.t, classicTrain({ epochs: 12, batchSize: 16 }));
    clearInterval(timer);
    expect(ticks, 'timers ran while training').toBeGreaterThan(3);
    expect(fullState(two!)).toBe(fullState(one!));
    expectSameReports(reportTwo, reportOne, 'trainAsync');

    const controller = new AbortController();
    const run = two!.trainAsync(
      data.x,
      data.t,
      classicTrain({
        epochs: 50,
        batchSize: 8,
        onBatch: ({ batch }) => {
          if (batch === 5) controller.abort();
        },
        signal: controller.signal,
      }),
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(two!.predict(data.x.subarray(0, 300)).every(Number.isFinite)).toBe(true);
    for (const net of [one!, two!]) net.dispose();
  });

  it('two threaded networks training at once end as each would alone', async () => {
    const [a, b, aloneA, aloneB] = await twins(options, [2, 2, 1, 1]);
    const other = { ...options, seed: 99 };
    b!.load({ ...NN.createSync(classic(other)).toJSON() }); // b starts from other weights
    aloneB!.load({ ...NN.createSync(classic(other)).toJSON() });
    await Promise.all([
      a!.trainAsync(data.x, data.t, classicTrain({ epochs: 2, batchSize: 20, optimizer: 'adam' })),
      b!.trainAsync(data.x, data.t, classicTrain({ epochs: 2, batchSize: 40, optimizer: 'momentum' })),
    ]);
    aloneA!.train(data.x, data.t, classicTrain({ epochs: 2, batchSize: 20, optimizer: 'adam' }));
    aloneB!.train(data.x, data.t, classicTrain({ epochs: 2, batchSize: 40, optimizer: 'momentum' }));
    expect(fullState(a!)).toBe(fullState(aloneA!));
    expect(fullState(b!)).toBe(fullState(aloneB!));
    for (const net of [a!, b!, aloneA!, aloneB!]) net.dispose();
  });

  it('memory grown while the helpers are idle: they compute on the grown memory, bits unchanged', async () => {
    const [one, two] = await twins(options, [1, 2]);
    one!.train(data.x, data.t, classicTrain({ epochs: 1, batchSize: 50 }));
    two!.train(data.x, data.t, classicTrain({ epochs: 1, batchSize: 50 }));
    const heap = wasmEngineSync(true).heap,
      bytes = heap.byteLength;
    const big = await NN.create(classic({ layers: [2048, 2048, 16], threads: 2 })); // ~32 MiB more
    expect(heap.byteLength, 'the memory grew').toBeGreaterThan(bytes);
    const bigTask = classTask(64, 2048, 16, 5);
    await withHelpers('after growth', () => {
      one!.train(data.x, data.t, classicTrain({ epochs: 2, batchSize: 50 }));
      two!.train(data.x, data.t, classicTrain({ epochs: 2, batchSize: 50 }));
      big.train(bigTask.x, bigTask.t, classicTrain({ epochs: 1, batchSize: 64 })); // products high in the grown memory
      expect(fullState(two!)).toBe(fullState(one!));
    });
    for (const net of [one!, two!, big]) net.dispose();
  });

  it('a diverging epoch is rolled back the same way on every thread count', async () => {
    const nets = await twins(
      { layers: [200, 300, 1], activation: 'relu', output: 'linear', loss: 'sse', seed: 8 },
      [1, 2],
    );
    const x = Float32Array.from({ length: 100 * 200 }, (_, i) => (i % 17) * 30);
    const t = Float32Array.from({ length: 100 }, (_, i) => i * 1000);
    const errors = nets.map((net) =>
      thrown(() => net.train(x, t, classicTrain({ epochs: 3, batchSize: 10, learningRate: 1 }))),
    );
    for (const e of errors) expect(e).toBeInstanceOf(DivergenceError);
    expect((errors[1] as Error).message).toBe((errors[0] as Error).message);
    expect(fullState(nets[1]!)).toBe(fullState(nets[0]!));
    const halved = nets.map((net) =>
      net.train(
        x.map((v) => v / 1000),
        t.map((v) => v / 1e5),
        classicTrain({ epochs: 2, batchSize: 10, learningRate: 0.5, onDivergence: 'halve' }),
      ),
    );
    expectSameReports(halved[1]!, halved[0]!, 'halve');
    expect(fullState(nets[1]!)).toBe(fullState(nets[0]!));
    for (const net of nets) net.dispose();
  });
});

describe('threads: the helper pool', () => {
  it('starts lazily, grows to the largest count asked, stops when no network needs it, and starts again', async () => {
    const p = pool();
    expect(p.size, 'no helper before a threaded network').toBe(0);
    const three = await NN.create(classic({ layers: [128, 32], threads: 3 }));
    expect(p.size).toBe(2);
    const two = await NN.create(classic({ layers: [128, 32], threads: 2 }));
    expect(p.size, 'a smaller count reuses the pool').toBe(2);
    three.dispose();
    expect(p.size, 'one threaded network is still alive').toBe(2);
    two.dispose();
    expect(p.size, 'stopped once none needs it').toBe(0);
    const wide = { layers: [300, 256, 10], activation: 'relu', output: 'softmax', seed: 1 } as const;
    const again = await NN.create(classic({ ...wide, threads: 2 }));
    const once = await NN.create(classic({ ...wide, threads: 1 }));
    const { x, t } = classTask(256, 300, 10, 3);
    await withHelpers('the new helpers', () => {
      again.train(x, t, classicTrain({ epochs: 1, batchSize: 128 }));
      once.train(x, t, classicTrain({ epochs: 1, batchSize: 128 }));
      expect(fullState(again)).toBe(fullState(once));
    });
    again.dispose();
    once.dispose();
    expect(p.size).toBe(0);
  });

  it('a Node script that creates a threaded network and never disposes it exits by itself', () => {
    const script = `import { NN } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
const net = await NN.create({ layers: [256, 256, 10], activation: 'relu', output: 'softmax', threads: 2, seed: 1 });
const x = new Float32Array(128 * 256).fill(0.5), t = new Float32Array(128 * 10).fill(0.1);
net.train(x, t, { epochs: 2, batchSize: 32 });
console.log('trained on', net.threads, 'threads');`;
    const started = Date.now();
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.error, 'the process ended before the 30 s timeout').toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('trained on 2 threads');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("another library's global Worker in Node (onnxruntime-web defines one) is left alone: helpers and trainInWorker start on worker_threads", () => {
    // a Worker that takes no blob URL, as onnxruntime-web's is once a session exists; simdnet must not use it
    const script = `globalThis.Worker = class { constructor(url) { throw new TypeError('foreign Worker used for ' + url); } };
import(${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)}).then(async ({ NN, trainInWorker }) => {
  const x = new Float32Array(128 * 256).map((_, i) => Math.sin(i)), t = new Float32Array(128 * 10).map((_, i) => (i % 10 === 3 ? 1 : 0));
  const options = { layers: [256, 256, 10], activation: 'relu', output: 'softmax', seed: 1 };
  const two = await NN.create({ ...options, threads: 2 }), one = await NN.create({ ...options, threads: 1 });
  for (const net of [two, one]) net.train(x, t, { epochs: 2, batchSize: 32 });
  const same = JSON.stringify(two.toJSON()) === JSON.stringify(one.toJSON());
  const report = await trainInWorker(one, x, t, { epochs: 1, batchSize: 32 });
  console.log('threads', two.threads, 'same bits', same, 'worker epochs', report.epochs);
});`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.error, 'the process ended before the 30 s timeout').toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('threads 2 same bits true worker epochs 1');
  });
});

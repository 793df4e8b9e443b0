// The boundary between TypeScript and the kernels (src/abi/): a descriptor written field by field
// through TypeScript's view is what the passes read, on both engines, each pass checked against the
// float64 references; the fields a pass writes read back through the view; and the module's exports
// are exactly the ones TypeScript types, with the parameter counts of the twin's kernels. Whether
// the types themselves agree is checked by tsc (npm run typecheck) against asc's declarations of
// the debug build: helpers/abi-exports.ts. (The debug build's assertions read `capacity`:
// debug-build.test.ts; the threads read `threads`: threads.test.ts.)
import { describe, expect, it } from 'vitest';
import simdBytes from '../build/simd.wasm';
import debugBytes from '../build/debug.wasm';
import { descriptorView, type DescriptorView } from '../src/abi/descriptor.js';
import { KERNEL_NAMES, QUANT_KERNEL_NAMES } from '../src/abi/kernels.js';
import { ACT, LOSS, OPT } from '../src/abi/kinds.js';
import { planModel, planWork } from '../src/runtime/layout.js';
import type { Engine } from '../src/runtime/engine.js';
import { f64, forwardRef, type NetRef } from './helpers/float64-network.js';
import { Optimizer, gradientRef, trainRef } from './helpers/float64-training.js';
import { randomF32, rng } from './helpers/random-data.js';
import { maxAbsDiff } from './helpers/tolerance.js';
import { ENGINES, engineOf } from './helpers/engines.js';
import { GLOBALS, WASM_ONLY } from './helpers/abi-exports.js';

describe('the exports', () => {
  const exportsOf = (bytes: Uint8Array<ArrayBuffer>) =>
    WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map(({ name, kind }) => `${name}: ${kind}`);
  const expected = [
    ...[...KERNEL_NAMES, ...QUANT_KERNEL_NAMES, ...WASM_ONLY].map((name) => `${name}: function`),
    ...GLOBALS.map((name) => `${name}: global`),
    'memory: memory',
  ].sort();

  it.each([
    ['simd', simdBytes],
    ['debug', debugBytes],
  ])('the %s build exports the kernels, the Wasm engine’s own functions and sizes, and nothing else', (_, bytes) => {
    expect(exportsOf(bytes).sort()).toEqual(expected);
  });

  it("every kernel takes as many parameters in Wasm as in the 'js' twin", () => {
    const wasm = engineOf('wasm').kernels as unknown as Record<string, (...args: number[]) => unknown>,
      js = engineOf('js').kernels as unknown as Record<string, (...args: number[]) => unknown>;
    for (const name of KERNEL_NAMES) expect(wasm[name]!.length, name).toBe(js[name]!.length);
  });
});

// ---- run time: what the view writes, the passes read ------------------------------------------

const LAYERS = [3, 5, 2];
const ROWS = 5; // ≥ 4 rows with 5 columns of error terms one layer back: D·Wᵀ goes through the scratch
const HIDDEN = { name: 'sigmoid', gain: 1.7, threshold: 0.3 } as const;
const OUTPUT = { name: 'leaky-relu', slope: 0.2 } as const;
const SCRATCH_MARK = -7.5;

/** A network written field by field through the view (not by Network), with its reference twin. */
function handBuilt(engine: Engine, loss: keyof typeof LOSS) {
  const heap = engine.heap,
    plan = planModel(LAYERS, true),
    work = planWork(LAYERS, ROWS);
  const base = heap.alloc(plan.bytes),
    workPtr = heap.alloc(work.bytes),
    slots = heap.alloc(plan.paramFloats * 8);
  const d = descriptorView(heap, base);
  d.layers = 2;
  d.loss = LOSS[loss];
  d.scratch = base + plan.scratch;
  d.params = base + plan.params;
  d.grads = base + plan.grads;
  d.paramCount = plan.paramFloats;
  d.m = slots;
  d.v = slots + plan.paramFloats * 4;
  d.inputStage = workPtr + work.inputStage;
  d.targetStage = workPtr + work.targetStage;
  d.capacity = ROWS;
  d.threads = 1;
  const random = rng(7);
  const ref: NetRef = { layers: LAYERS, activations: [HIDDEN, OUTPUT], weights: [], biases: [] };
  [HIDDEN, OUTPUT].forEach((a, l) => {
    const r = d.layer(l),
      fanIn = LAYERS[l]!,
      fanOut = LAYERS[l + 1]!,
      shift = plan.grads - plan.params;
    r.fanIn = fanIn;
    r.fanOut = fanOut;
    r.act = ACT[a.name];
    r.p0 = a.name === 'sigmoid' ? a.gain : a.slope;
    r.p1 = a.name === 'sigmoid' ? a.threshold : 0;
    r.w = base + plan.weights[l]!;
    r.b = base + plan.biases[l]!;
    r.gw = r.w + shift;
    r.gb = r.b + shift;
    r.y = workPtr + work.outputs[l]!;
    r.d = workPtr + work.deltas[l]!;
    const w = randomF32(fanIn * fanOut, random),
      b = randomF32(fanOut, random, -0.5, 0.5);
    heap.f32.set(w, r.w >> 2);
    heap.f32.set(b, r.b >> 2);
    ref.weights.push(f64(w));
    ref.biases.push(f64(b));
  });
  const x = randomF32(ROWS * LAYERS[0]!, random),
    t = randomF32(ROWS * LAYERS[2]!, random, 0, 1);
  const xPtr = heap.alloc(x.length * 4),
    tPtr = heap.alloc(t.length * 4);
  heap.f32.set(x, xPtr >> 2);
  heap.f32.set(t, tPtr >> 2);
  heap.f32.fill(SCRATCH_MARK, d.scratch >> 2, (d.scratch >> 2) + 8 * 5);
  const read = (ptr: number, n: number): Float32Array => heap.f32.slice(ptr >> 2, (ptr >> 2) + n);
  const release = (): void => [base, workPtr, slots, xPtr, tPtr].forEach((p) => heap.release(p));
  return { d, ref, x, t, xPtr, tPtr, read, release };
}

/** The largest difference between float32 results and their float64 references, relative to the largest reference. */
const relative = (got: ArrayLike<number>, want: ArrayLike<number>): number =>
  maxAbsDiff(got, want) / Math.max(1e-30, ...Array.from(want, Math.abs));

describe.each(ENGINES)('the descriptor on %s: written through the view, read by the passes', (kind) => {
  const layerOutputs = (d: DescriptorView, read: (p: number, n: number) => Float32Array) =>
    [0, 1].map((l) => read(d.layer(l).y, ROWS * LAYERS[l + 1]!));

  it('forward reads the layer records (sizes, kinds, gain, threshold, slope, W, b, Y) and writes input', () => {
    const net = handBuilt(engineOf(kind), 'sse');
    try {
      engineOf(kind).kernels.forward(net.d.ptr, net.xPtr, ROWS);
      expect(net.d.input, 'input: the rows of the last forward pass').toBe(net.xPtr);
      const want = forwardRef(net.ref, net.x, ROWS);
      layerOutputs(net.d, net.read).forEach((y, l) =>
        expect(relative(y, want[l + 1]!), `layer ${l} outputs`).toBeLessThan(1e-6),
      );
    } finally {
      net.release();
    }
  });

  it.each(['sse', 'mse'] as const)(
    'backward (loss %s) reads loss, input, D, the gradients and the scratch, and writes rows',
    (loss) => {
      const engine = engineOf(kind),
        net = handBuilt(engine, loss);
      try {
        engine.kernels.forward(net.d.ptr, net.xPtr, ROWS);
        engine.kernels.backward(net.d.ptr, net.tPtr, ROWS);
        expect(net.d.rows, 'rows: the rows of the last backward pass').toBe(ROWS);
        const want = gradientRef(net.ref, loss, net.x, net.t, ROWS);
        for (let l = 0; l < 2; l++) {
          const r = net.d.layer(l);
          expect(relative(net.read(r.gw, LAYERS[l]! * LAYERS[l + 1]!), want.weights[l]!), `gw ${l}`).toBeLessThan(1e-5);
          expect(relative(net.read(r.gb, LAYERS[l + 1]!), want.biases[l]!), `gb ${l}`).toBeLessThan(1e-5);
        }
        // the Wasm D·Wᵀ transposes W into the scratch here; the twin needs none
        if (kind === 'wasm') expect(net.read(net.d.scratch, 10)).not.toContain(SCRATCH_MARK);
      } finally {
        net.release();
      }
    },
  );

  it('update reads the optimizer, its settings, the blocks and their size, and writes step and β^step', () => {
    const engine = engineOf(kind),
      net = handBuilt(engine, 'mse');
    const settings = { beta1: 0.8, beta2: 0.95, epsilon: 1e-3, weightDecay: 0.05, clipNorm: 0.4 };
    const d = net.d,
      lr = 0.03;
    Object.assign(d, {
      optimizer: OPT.adam,
      learningRate: lr,
      beta1: settings.beta1,
      beta2: settings.beta2,
      epsilon: settings.epsilon,
      decay: settings.weightDecay,
      clip: settings.clipNorm,
      step: 0,
      beta1Power: 1,
      beta2Power: 1,
    });
    try {
      for (let step = 0; step < 3; step++) {
        engine.kernels.forward(d.ptr, net.xPtr, ROWS);
        engine.kernels.backward(d.ptr, net.tPtr, ROWS);
        engine.kernels.update(d.ptr);
      }
      const ref = net.ref;
      trainRef(ref, 'mse', net.x, net.t, ROWS, new Optimizer({ optimizer: 'adam', ...settings }), 3, ROWS, () => lr);
      expect(d.step, 'step').toBe(3);
      expect(d.beta1Power, 'β1^step').toBeCloseTo(Math.fround(settings.beta1) ** 3, 12);
      expect(d.beta2Power, 'β2^step').toBeCloseTo(Math.fround(settings.beta2) ** 3, 12);
      for (let l = 0; l < 2; l++) {
        const r = d.layer(l);
        expect(relative(net.read(r.w, LAYERS[l]! * LAYERS[l + 1]!), ref.weights[l]!), `W ${l}`).toBeLessThan(1e-5);
        expect(relative(net.read(r.b, LAYERS[l + 1]!), ref.biases[l]!), `b ${l}`).toBeLessThan(1e-5);
      }
    } finally {
      net.release();
    }
  });

  it('trainEpoch gathers shuffled batches into the input and target stages', () => {
    const engine = engineOf(kind),
      net = handBuilt(engine, 'sse');
    const d = net.d;
    Object.assign(d, { optimizer: OPT.momentum, learningRate: 0.01, beta1: 0.5 }); // not the small epoch
    const order = [3, 0, 4, 1, 2],
      orderPtr = engine.heap.alloc(order.length * 4);
    engine.heap.i32.set(order, orderPtr >> 2);
    try {
      engine.kernels.trainEpoch(d.ptr, net.xPtr, net.tPtr, orderPtr, ROWS, 2);
      // the last batch is order[4], alone: its rows sit first in each stage
      const [inputs, outputs] = [LAYERS[0]!, LAYERS[2]!];
      expect(Array.from(net.read(d.inputStage, inputs))).toEqual(Array.from(net.x.subarray(2 * inputs, 3 * inputs)));
      expect(Array.from(net.read(d.targetStage, outputs))).toEqual(
        Array.from(net.t.subarray(2 * outputs, 3 * outputs)),
      );
      expect(d.step, 'one step per batch').toBe(3);
    } finally {
      engine.heap.release(orderPtr);
      net.release();
    }
  });
});

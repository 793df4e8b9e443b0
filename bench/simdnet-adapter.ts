/**
 * simdnet under test as two engines, 'wasm' (AssemblyScript SIMD kernels) and 'js' (the
 * pure-TypeScript twin), through the public API, the Wasm one also on several threads; the GEMM
 * hook calls the engines' kernels directly on buffers it allocates once per shape.
 */
import simdBytes from '../build/simd.wasm';
import { NN, engines, type ThreadsOption } from '../src/index.js';
import { createWasmEngine, jsEngineSync, wasmEngineSync, type Engine } from '../src/runtime/engine.js';
import type { Kernels, WasmExports } from '../src/abi/kernels.js';
import { hardwareThreads } from '../src/runtime/threads.js';
import { Network } from '../src/runtime/network.js';
import { resolveNetworkOptions } from '../src/options.js';
import { gemmSizes } from './textbook.js';
import { randomMatrix } from './data.js';
import type { Adapter, CeilingForm, GemmForm, GemmHook, GemmRunner, NetOptions } from './types.js';

export type SimdnetEngine = 'wasm' | 'js';

function gemmHook(engine: Engine, threads: number): GemmHook {
  const buffers = new Map<string, [number, number, number, number]>();
  return (form: GemmForm, m: number, k: number, n: number) => {
    const key = `${form}:${m}:${k}:${n}`;
    let b = buffers.get(key);
    if (!b) {
      const [sa, sb, sc] = gemmSizes(form, m, k, n);
      const ptrs = [sa, sb, sc, 8 * Math.max(k, n)].map((floats) => engine.heap.alloc(floats * 4));
      engine.heap.f32.set(randomMatrix(sa, 11), ptrs[0]! >> 2);
      engine.heap.f32.set(randomMatrix(sb, 12), ptrs[1]! >> 2);
      b = ptrs as [number, number, number, number];
      buffers.set(key, b);
    }
    const [a, w, c, scratch] = b;
    const k_ = engine.kernels;
    if (engine.name === 'wasm') (k_ as WasmExports).useThreads(threads); // the engine is shared by both Wasm adapters
    const t0 = performance.now();
    if (form === 'AW') k_.matmul(a, w, 0, c, m, k, n);
    else if (form === 'DWt') k_.matmulTransB(a, w, c, m, n, k, scratch);
    else k_.matmulTransA(a, w, c, m, k, n, 0);
    return (performance.now() - t0) / 1000;
  };
}

/** The ceiling a Wasm build's products are a share of: FMA for the relaxed build. */
const ceilingOf = (e: Engine): CeilingForm | undefined =>
  e.name !== 'wasm' ? undefined : e.build === 'relaxed-simd' ? 'fma' : 'mul+add';

export class SimdnetAdapter implements Adapter {
  readonly name: string;
  readonly gemm: GemmHook;
  readonly ceiling?: CeilingForm;
  readonly takesInitialWeights = true;
  private net: NN | null = null;
  private nIn = 0;

  /** threads of the 'wasm' engine's products (a whole number; 'auto' resolves here) */
  readonly threads: number;

  constructor(
    private readonly engine: SimdnetEngine,
    threads: ThreadsOption = 1,
  ) {
    this.threads = threads === 'auto' ? hardwareThreads() : threads;
    this.name = this.threads > 1 ? `simdnet-${engine}-t${this.threads}` : `simdnet-${engine}`;
    const e = engine === 'wasm' ? wasmEngineSync(this.threads > 1) : jsEngineSync();
    if (this.threads > 1) e.pool!.acquire(this.threads); // helpers for the GEMM rows (a bench process keeps them)
    this.gemm = gemmHook(e, this.threads);
    this.ceiling = ceilingOf(e);
  }

  async init(layers: number[], opts: NetOptions): Promise<void> {
    this.dispose();
    this.nIn = layers[0]!;
    const sigmoid = { name: 'sigmoid', gain: opts.gain ?? 1, threshold: opts.threshold ?? 0 } as const;
    this.net = await NN.create({
      layers: layers.slice(),
      activation: opts.hidden === 'sigmoid' ? sigmoid : opts.hidden,
      output: opts.output === 'sigmoid' ? sigmoid : opts.output,
      // softmax pairs with cross-entropy, a sigmoid or tanh output with the squared error (the article's E)
      loss: opts.output === 'softmax' ? 'cross-entropy' : 'sse',
      bias: opts.bias ?? true,
      // raw inputs, as every other engine in the run takes them
      normalize: 'none',
      engine: this.engine,
      threads: this.threads,
      seed: opts.seed,
    });
    if (opts.initial) this.net.setWeights(opts.initial);
  }

  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    const nOut = t.length / (x.length / this.nIn);
    this.net!.train(x.subarray(0, rows * this.nIn), t.subarray(0, rows * nOut), {
      // evaluate: false skips the report's extra forward pass, which the textbook MLP doesn't do either
      epochs: 1,
      batchSize: batch,
      learningRate: lr,
      optimizer: 'sgd',
      weightDecay: 0,
      shuffle: false,
      evaluate: false,
    });
  }

  predict(x: Float32Array, rows: number): Float32Array {
    return this.net!.predict(rows * this.nIn === x.length ? x : x.subarray(0, rows * this.nIn));
  }

  dispose(): void {
    this.net?.dispose();
    this.net = null;
  }
}

/**
 * The Wasm engine's bare forward pass of one row, for the one-row predict workloads: the row copied
 * into the network's input stage and one forward kernel call, the outputs left in engine memory (no
 * checks, no result array). simdnet-wasm's predict time minus this one is the façade's overhead.
 */
export class ForwardKernelAdapter implements Adapter {
  readonly name = 'wasm forward kernel';
  readonly takesInitialWeights = true;
  private net: Network | null = null;
  private readonly engine = wasmEngineSync();

  async init(layers: number[], opts: NetOptions): Promise<void> {
    this.dispose();
    const sigmoid = { name: 'sigmoid', gain: opts.gain ?? 1, threshold: opts.threshold ?? 0 } as const;
    const { config } = resolveNetworkOptions({
      layers: layers.slice(),
      activation: opts.hidden === 'sigmoid' ? sigmoid : opts.hidden,
      output: opts.output === 'sigmoid' ? sigmoid : opts.output,
      bias: opts.bias ?? true,
      seed: opts.seed,
    });
    this.net = new Network(this.engine, config);
    if (opts.initial) this.net.write('params', opts.initial);
    this.net.ensureCapacity(1);
  }

  trainEpoch(): void {
    throw new Error('the forward kernel adapter only predicts');
  }

  predict(x: Float32Array, rows: number): Float32Array {
    // the Network keeps its kernels and stage private; the bench reads them as the tests do
    const net = this.net as unknown as {
      kernels: Kernels;
      descriptorPtr: number;
      inputStagePtr: number;
      outputAt: number;
      outputSize: number;
    };
    const f32 = this.engine.heap.f32,
      stage = net.inputStagePtr;
    f32.set(rows === 1 ? x : x.subarray(0, x.length / rows), stage >> 2);
    net.kernels.forward(net.descriptorPtr, stage, 1);
    return f32.subarray(net.outputAt, net.outputAt + net.outputSize);
  }

  dispose(): void {
    this.net?.release();
    this.net = null;
  }
}

/**
 * The plain-SIMD build's products on an engine of their own, for the GEMM rows of a runtime that
 * selects the relaxed build (so both builds are measured in one run).
 */
export class PlainBuildGemm implements GemmRunner {
  readonly name = 'simdnet-wasm (simd build)';
  readonly ceiling: CeilingForm = 'mul+add';
  readonly gemm = gemmHook(createWasmEngine(simdBytes, 'simd'), 1);
}

/** Which simdnet build runs, for the report header. */
export async function simdnetEngineInfo(): Promise<string> {
  const probe = await NN.create({ layers: [2, 2], engine: 'auto', seed: 1 });
  const { available, selected } = engines();
  const info = `engine ${probe.engine}, build ${probe.build} (available: ${available.join(', ')}; selected: ${selected})`;
  probe.dispose();
  return info;
}

/**
 * Adapters for third-party peers: TensorFlow.js (cpu and wasm backends) and
 * brain.js. Every peer is optional: it is loaded with a dynamic import and,
 * if the package is missing or fails to start, skipped with a printed note.
 *
 * Workload parity, per peer:
 *  - tfjs (both backends): same layer sizes, same initial weights (copied from
 *    the same seeded PRNG scheme as the textbook MLP), same mini-batch size, plain
 *    SGD via tf.train.sgd + optimizer.minimize on each mini-batch. Batched
 *    (GEMM) execution is the library's own design. The loss for sigmoid
 *    outputs is tf.losses.meanSquaredError (mean over batch AND outputs), so
 *    its gradient scale differs from the textbook MLP's 1/2*sum-per-row; the
 *    amount of work is the same.
 *  - brain.js 1.6.1 NeuralNetwork: its trainer is strictly per-sample
 *    (online SGD), so the batch size is ignored: one weight update per row.
 *    Its update also always computes a momentum term (set to 0 here). Its
 *    output layer uses the hidden activation (relu nets get a relu output,
 *    no softmax) and its error is (target - output). Weights are seeded by
 *    swapping Math.random for the seeded PRNG during initialisation. Rows are
 *    fed through the public trainPattern()/run() methods on Float32Array row
 *    views, which is exactly what brain's own train() loop does per row, minus
 *    its per-call data re-formatting.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { mulberry32 } from './data.js';
import type { Adapter, GemmForm, NetOptions, PeerLoad } from './types.js';

/** Glorot/He-uniform initial weights, stored [in][out] (the layout tfjs matMul wants). */
function initWeightsInOut(layers: number[], opts: NetOptions): Float32Array[] {
  const rnd = mulberry32(opts.seed);
  const out: Float32Array[] = [];
  for (let l = 0; l < layers.length - 1; l++) {
    const fanIn = layers[l];
    const fanOut = layers[l + 1];
    const isLast = l === layers.length - 2;
    const limit = !isLast && opts.hidden === 'relu' ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
    // generate in the textbook MLP's [out][in] order, then transpose into [in][out]
    const w = new Float32Array(fanIn * fanOut);
    for (let j = 0; j < fanOut; j++) for (let i = 0; i < fanIn; i++) w[i * fanOut + j] = (rnd() * 2 - 1) * limit;
    out.push(w);
  }
  return out;
}

// ---------------------------------------------------------------- tfjs ---

/* The subset of the tfjs API used here, typed loosely so the harness
   type-checks and builds whether or not tfjs is installed. */
type Tensor = { dispose(): void; dataSync(): Float32Array | Int32Array | Uint8Array; shape: number[] };
type Variable = Tensor;
type TF = any; // eslint-disable-line @typescript-eslint/no-explicit-any

class TfjsAdapter implements Adapter {
  readonly name: string;
  readonly shortNote = 'batched; sigmoid-out loss = mean MSE';
  readonly note =
    'tfjs (prod mode): batched GEMM per mini-batch via optimizer.minimize; sigmoid output uses meanSquaredError (mean over outputs too)';
  private weights: Variable[] = [];
  private biases: Variable[] = [];
  private layers: number[] = [];
  private opts: NetOptions | null = null;
  private optimizer: any = null;
  private lr = -1;
  private gemmCache = new Map<string, Tensor[]>();

  constructor(
    private readonly tf: TF,
    private readonly backend: 'cpu' | 'wasm',
  ) {
    this.name = `tfjs-${backend}`;
  }

  async activate(): Promise<void> {
    if (this.tf.getBackend() !== this.backend) {
      const ok = await this.tf.setBackend(this.backend);
      if (!ok) throw new Error(`tfjs backend ${this.backend} failed to initialise`);
    }
  }

  async init(layers: number[], opts: NetOptions): Promise<void> {
    this.dispose();
    await this.activate();
    const tf = this.tf;
    this.layers = layers.slice();
    this.opts = opts;
    const w = initWeightsInOut(layers, opts);
    for (let l = 0; l < layers.length - 1; l++) {
      this.weights.push(tf.variable(tf.tensor2d(w[l], [layers[l], layers[l + 1]])));
      this.biases.push(tf.variable(tf.zeros([layers[l + 1]])));
    }
  }

  /** Returns the pre-activation of the output layer (logits). */
  private logits(x: Tensor): Tensor {
    const tf = this.tf;
    let h = x;
    const L = this.weights.length;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(h, this.weights[l]), this.biases[l]);
      h = l === L - 1 ? z : this.opts!.hidden === 'relu' ? tf.relu(z) : tf.sigmoid(z);
    }
    return h;
  }

  trainEpoch(x: Float32Array, t: Float32Array, rows: number, batch: number, lr: number): void {
    const tf = this.tf;
    if (this.optimizer === null || lr !== this.lr) {
      this.optimizer?.dispose();
      this.optimizer = tf.train.sgd(lr);
      this.lr = lr;
    }
    const nIn = this.layers[0];
    const nOut = this.layers[this.layers.length - 1];
    const softmax = this.opts!.output === 'softmax';
    for (let s = 0; s < rows; s += batch) {
      const e = Math.min(rows, s + batch);
      tf.tidy(() => {
        const xb = tf.tensor2d(x.subarray(s * nIn, e * nIn), [e - s, nIn]);
        const tb = tf.tensor2d(t.subarray(s * nOut, e * nOut), [e - s, nOut]);
        this.optimizer.minimize(() => {
          const z = this.logits(xb);
          return softmax ? tf.losses.softmaxCrossEntropy(tb, z) : tf.losses.meanSquaredError(tb, tf.sigmoid(z));
        });
      });
    }
  }

  predict(x: Float32Array, rows: number): Float32Array {
    const tf = this.tf;
    const nIn = this.layers[0];
    const y: Tensor = tf.tidy(() => {
      const z = this.logits(tf.tensor2d(x.subarray(0, rows * nIn), [rows, nIn]));
      return this.opts!.output === 'softmax' ? tf.softmax(z) : tf.sigmoid(z);
    });
    const out = y.dataSync() as Float32Array;
    y.dispose();
    return out;
  }

  gemm = (form: GemmForm, m: number, k: number, n: number): number => {
    const tf = this.tf;
    const key = `${form}:${m}:${k}:${n}`;
    let ops = this.gemmCache.get(key);
    if (!ops) {
      const shapes: Record<GemmForm, [number[], number[]]> = {
        AW: [
          [m, k],
          [k, n],
        ],
        DWt: [
          [m, n],
          [k, n],
        ],
        AtD: [
          [m, k],
          [m, n],
        ],
      };
      const [sa, sb] = shapes[form];
      ops = [tf.randomUniform(sa, -1, 1, 'float32', 1), tf.randomUniform(sb, -1, 1, 'float32', 2)];
      this.gemmCache.set(key, ops);
    }
    const [a, b] = ops;
    const t0 = performance.now();
    // cpu and wasm kernels run synchronously inside matMul
    const c: Tensor = tf.matMul(a, b, form === 'AtD', form === 'DWt');
    const dt = performance.now() - t0;
    c.dispose();
    return dt / 1000;
  };

  dispose(): void {
    for (const v of this.weights) v.dispose();
    for (const v of this.biases) v.dispose();
    this.weights = [];
    this.biases = [];
    this.optimizer?.dispose();
    this.optimizer = null;
    this.lr = -1;
    for (const ops of this.gemmCache.values()) for (const o of ops) o.dispose();
    this.gemmCache.clear();
  }
}

/** Runs `fn` with console.log/warn/info muted (tfjs greets Node users on stdout). */
async function quietly<T>(fn: () => Promise<T>): Promise<T> {
  const saved = [console.log, console.warn, console.info];
  console.log = console.warn = console.info = () => {};
  try {
    return await fn();
  } finally {
    [console.log, console.warn, console.info] = saved;
  }
}

async function loadTfjs(out: PeerLoad): Promise<void> {
  let tf: TF;
  try {
    tf = await quietly(() => import('@tensorflow/tfjs'));
  } catch (e) {
    out.notes.push(`tfjs skipped: cannot import @tensorflow/tfjs (${(e as Error).message.split('\n')[0]})`);
    return;
  }
  // Production mode: skips debug-only checks and mutes tfjs-backend-cpu's
  // "install tfjs-node" greeting, which would otherwise land on stdout/stderr
  // in the middle of the tables.
  tf.enableProdMode();
  try {
    await quietly(() => tf.setBackend('cpu'));
    out.adapters.push(new TfjsAdapter(tf, 'cpu'));
  } catch (e) {
    out.notes.push(`tfjs-cpu skipped: ${(e as Error).message}`);
  }
  try {
    const wasm: any = await import('@tensorflow/tfjs-backend-wasm');
    // Offline in Node: point the loader at the package's dist folder as a plain
    // file path (with trailing slash); a URL or a missing path makes it fetch().
    const require = createRequire(import.meta.url);
    const dist =
      path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setThreadsCount?.(1);
    wasm.setWasmPaths(dist);
    const ok = await quietly(() => tf.setBackend('wasm'));
    if (!ok) throw new Error('setBackend("wasm") returned false');
    const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
    const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
    out.adapters.push(new TfjsAdapter(tf, 'wasm'));
    out.notes.push(
      `tfjs ${tf.version?.tfjs ?? '?'}: wasm backend from ${dist} (simd=${simd}, threads=${threads ? 'available' : 'none'}, 1 thread requested)`,
    );
  } catch (e) {
    out.notes.push(`tfjs-wasm skipped: ${(e as Error).message.split('\n')[0]}`);
  }
}

// ------------------------------------------------------------- brain.js ---

class BrainAdapter implements Adapter {
  readonly name = 'brain.js';
  readonly shortNote = 'per-sample SGD, batch ignored; output = hidden act., MSE';
  readonly note =
    'brain.js: per-sample SGD (batch size ignored), momentum term computed with 0, output layer uses hidden activation, MSE-style error';
  private net: any = null;
  private nIn = 0;
  private nOut = 0;
  /** Row views cached per data array so an epoch does not rebuild them. */
  private views = new WeakMap<Float32Array, Float32Array[]>();

  constructor(private readonly NeuralNetwork: any) {}

  async init(layers: number[], opts: NetOptions): Promise<void> {
    this.dispose();
    this.nIn = layers[0];
    this.nOut = layers[layers.length - 1];
    const net = new this.NeuralNetwork({ hiddenLayers: layers.slice(1, -1), activation: opts.hidden });
    net.sizes = layers.slice();
    const saved = Math.random;
    Math.random = mulberry32(opts.seed);
    try {
      net.initialize();
    } finally {
      Math.random = saved;
    }
    net.trainOpts.momentum = 0; // the option validator rejects 0, so set it directly
    this.net = net;
  }

  private rowsOf(a: Float32Array, width: number, rows: number): Float32Array[] {
    let v = this.views.get(a);
    if (!v || v.length < rows || v[0].length !== width) {
      v = [];
      for (let r = 0; r < a.length / width; r++) v.push(a.subarray(r * width, (r + 1) * width));
      this.views.set(a, v);
    }
    return v;
  }

  trainEpoch(x: Float32Array, t: Float32Array, rows: number, _batch: number, lr: number): void {
    const xs = this.rowsOf(x, this.nIn, rows);
    const ts = this.rowsOf(t, this.nOut, rows);
    const net = this.net;
    net.trainOpts.learningRate = lr;
    const pattern = { input: xs[0], output: ts[0] };
    for (let r = 0; r < rows; r++) {
      pattern.input = xs[r];
      pattern.output = ts[r];
      net.trainPattern(pattern);
    }
  }

  predict(x: Float32Array, rows: number): Float32Array {
    const out = new Float32Array(rows * this.nOut);
    for (let r = 0; r < rows; r++) {
      out.set(this.net.run(x.subarray(r * this.nIn, (r + 1) * this.nIn)), r * this.nOut);
    }
    return out;
  }

  dispose(): void {
    this.net = null;
  }
}

async function loadBrain(out: PeerLoad): Promise<void> {
  try {
    const mod: any = await import('brain.js');
    const NeuralNetwork = (mod.default ?? mod).NeuralNetwork ?? mod.NeuralNetwork;
    if (typeof NeuralNetwork !== 'function') throw new Error('no NeuralNetwork export');
    out.adapters.push(new BrainAdapter(NeuralNetwork));
  } catch (e) {
    out.notes.push(`brain.js skipped: cannot load (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Loads every peer that is installed; never throws. */
export async function loadPeers(): Promise<PeerLoad> {
  const out: PeerLoad = { adapters: [], notes: [] };
  await loadTfjs(out);
  await loadBrain(out);
  return out;
}

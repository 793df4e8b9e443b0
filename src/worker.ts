// Training off the main thread: trainInWorker copies a network (toBinary: weights, normaliser and
// training state) and its data into a worker (a Web Worker in browsers, a worker_threads Worker in
// Node), trains it there with trainAsync, streams each epoch back, and loads the result into the
// caller's network, which thus ends exactly as net.train would have left it.
//
// The worker runs the caller's own copy of simdnet: the bundle wraps the whole library in one
// function (scripts/bundle.mjs) and passes that function in as __simdnetSelf, so its source text
// starts the worker from a Blob URL or an eval worker. There is no second file for a downstream
// bundler to lose, and nothing is fetched.
import { NN, residentModelOf } from './nn.js';
import { now, prepare, type TrainReport } from './trainer.js';
import type { Weights } from './model/weights.js';
import { resolveTrainOptions, type BatchInfo, type EpochInfo, type TrainOptions } from './train-options.js';
import { typeError } from './check.js';
import { isSamples, samplesToData } from './model/rows.js';
import type { FloatArray } from './float.js';
import type { Rows, Sample, Targets } from './vocabulary.js';
import { nodeWorkerThreads, startWorker, type WorkerPort } from './runtime/workers.js';

/** The library function (set by the bundle's wrapper; undefined when run from source). */
declare const __simdnetSelf: ((self: unknown, worker: boolean) => unknown) | null | undefined;
/** true inside a training worker (set by the worker's bootstrap). */
declare const __simdnetWorker: boolean | undefined;

export interface WorkerTrainOptions extends TrainOptions {
  /**
   * Called on the caller's thread after each epoch the worker finishes. Returning false asks the
   * worker to stop; it stops at the end of the epoch it is running when the request arrives.
   */
  onEpoch?: (info: EpochInfo) => void | boolean;
  /** Like onEpoch, after every batch (one message per batch: costly for tiny batches). */
  onBatch?: (info: BatchInfo) => void | boolean;
  /** Stops the worker at once; the promise rejects with signal.reason (an AbortError by default) and the network keeps its weights. */
  signal?: AbortSignal;
  /** Copy the weights into the caller's network after every epoch, before onEpoch; default false (only at the end). */
  syncWeights?: boolean;
}

export interface WorkerTrainReport extends TrainReport {
  /** the build that trained in the worker */
  build: NN['build'];
  /** the threads it trained on (net.threads, or 1 where the worker cannot share memory) */
  threads: number;
  /** milliseconds from the call until the worker was ready to train (worker start, Wasm compile, data copy) */
  startupMs: number;
}

/** Messages from the caller to the worker. */
type ToWorker =
  | {
      type: 'train';
      model: Uint8Array;
      engine: NN['engine'];
      threads: number;
      x: FloatArray;
      t: FloatArray;
      options: Omit<TrainOptions, 'onEpoch' | 'onBatch' | 'signal'>;
      wantEpochs: boolean;
      wantBatches: boolean;
      syncWeights: boolean;
    }
  | { type: 'stop' };

/** Messages from the worker to the caller. */
type FromWorker =
  | { type: 'ready'; build: NN['build']; threads: number }
  | { type: 'epoch'; info: EpochInfo; weights: Weights | null }
  | { type: 'batch'; info: BatchInfo }
  | { type: 'done'; report: TrainReport; model: Uint8Array }
  | { type: 'error'; name: string; message: string };

/** The training worker: the library's own function, started from its source text. */
function startTrainingWorker(): WorkerPort<ToWorker, FromWorker> {
  if (typeof __simdnetSelf !== 'function') {
    throw new Error('simdnet: trainInWorker needs the bundled library (dist/index.js), not its TypeScript sources');
  }
  return startWorker<ToWorker, FromWorker>(`(${__simdnetSelf.toString()})(null, true);`, 'simdnet-train');
}

function workerFailed(message: string): Error {
  const hint = /ReferenceError/.test(message) ? ' (simdnet must not be transpiled below ES2019)' : '';
  return new Error(`simdnet: the training worker failed: ${message}${hint}`);
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('simdnet: training was aborted', 'AbortError');
}

/**
 * Trains `net` in a worker with the options of net.train and loads the result into it: weights,
 * normaliser and training state, exactly as net.train would have left them. The caller's thread
 * stays free; it receives one message per epoch (and per batch with onBatch). What a new
 * network's first data decides (output layer, loss, normaliser, names) is settled on this thread
 * before the worker starts.
 */
export function trainInWorker(
  net: NN,
  inputs: Rows,
  targets: Targets,
  options?: WorkerTrainOptions,
): Promise<WorkerTrainReport>;
export function trainInWorker(
  net: NN,
  samples: readonly Sample[],
  options?: WorkerTrainOptions,
): Promise<WorkerTrainReport>;
export function trainInWorker(net: NN, a: unknown, b?: unknown, c?: unknown): Promise<WorkerTrainReport> {
  const started = now();
  let port: WorkerPort<ToWorker, FromWorker> | undefined;
  return new Promise<WorkerTrainReport>((resolve, reject) => {
    if (!(net instanceof NN)) throw typeError('net', 'an NN', net);
    let [inputs, targets, options] = [a, b, c ?? {}];
    if (isSamples(a)) [{ inputs, targets }, options] = [samplesToData(a, 'samples'), b ?? {}];
    if (options === null || typeof options !== 'object') throw typeError('train options', 'an object', options);
    const { syncWeights = false, ...checked } = options as WorkerTrainOptions;
    if (typeof syncWeights !== 'boolean') throw typeError('syncWeights', 'true or false', syncWeights);
    const resident = residentModelOf(net);
    if (resident.training)
      throw new Error('simdnet: this network is already training (one train or trainAsync at a time)');
    // the same checks as train, on this thread, and what a new network's data decides, settled here
    const prepared = prepare(resident, inputs, targets, resolveTrainOptions(checked, resident.preset));
    const { signal, onEpoch, onBatch, ...trainOptions } = checked;
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    resident.settle(prepared.settlement, resident.networkFor(prepared.settlement.config));
    const { x, t } = prepared.all;

    const worker = startTrainingWorker();
    port = worker;
    let build: NN['build'] = net.build,
      threads = net.threads;
    let readyMs = 0;
    let stopRequested = false;
    const finish = (settle: () => void): void => {
      signal?.removeEventListener('abort', onAbort);
      worker.terminate();
      settle();
    };
    const onAbort = (): void => finish(() => reject(abortReason(signal!)));
    signal?.addEventListener('abort', onAbort, { once: true });

    worker.onError((error) => finish(() => reject(workerFailed(error.message))));
    worker.onMessage((m) => {
      try {
        if (m.type === 'ready') {
          build = m.build;
          threads = m.threads;
          readyMs = now() - started;
        } else if (m.type === 'epoch' || m.type === 'batch') {
          if (m.type === 'epoch' && m.weights) net.setWeights(m.weights);
          const callback = (m.type === 'epoch' ? onEpoch : onBatch) as ((info: unknown) => unknown) | undefined;
          if (callback?.(m.info) === false && !stopRequested) {
            stopRequested = true;
            worker.post({ type: 'stop' });
          }
        } else if (m.type === 'done') {
          net.load(m.model);
          finish(() => resolve({ ...m.report, build, threads, startupMs: readyMs }));
        } else {
          const Kind = m.name === 'RangeError' ? RangeError : m.name === 'TypeError' ? TypeError : Error;
          finish(() => reject(new Kind(m.message)));
        }
      } catch (error) {
        finish(() => reject(error));
      }
    });
    worker.post({
      type: 'train',
      model: net.toBinary(),
      engine: net.engine,
      threads: net.threads,
      x: x.data,
      t: t.data,
      options: trainOptions,
      wantEpochs: onEpoch !== undefined || syncWeights,
      wantBatches: onBatch !== undefined,
      syncWeights,
    });
  }).catch((error: unknown) => {
    port?.terminate();
    throw error;
  });
}

// ---- the worker's side -------------------------------------------------------------------------

function transferables(w: Weights): ArrayBuffer[] {
  return [...w.weights, ...w.biases].filter((a): a is FloatArray => a !== null).map((a) => a.buffer as ArrayBuffer);
}

/** Serves one training request; runs when the bootstrap calls the library with worker = true. */
function serve(): void {
  const threads = nodeWorkerThreads();
  const parent = threads?.parentPort;
  const scope = globalThis as unknown as { postMessage(m: unknown, transfer: ArrayBuffer[]): void; onmessage: unknown };
  const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => {
    if (parent) parent.postMessage(m, transfer);
    else scope.postMessage(m, transfer);
  };
  let stop = false;
  const handle = async (m: ToWorker): Promise<void> => {
    if (m.type === 'stop') {
      stop = true;
      return;
    }
    try {
      const net = await NN.fromBinary(m.model, { engine: m.engine, threads: m.threads }); // weights, normaliser, training state
      post({ type: 'ready', build: net.build, threads: net.threads });
      const report = await net.trainAsync(m.x, m.t, {
        ...m.options,
        onEpoch: m.wantEpochs
          ? (info) => {
              const weights = m.syncWeights ? net.getWeights() : null;
              post({ type: 'epoch', info, weights }, weights ? transferables(weights) : []);
              return !stop;
            }
          : undefined,
        onBatch: m.wantBatches
          ? (info) => {
              post({ type: 'batch', info });
              return !stop;
            }
          : undefined,
      });
      const model = net.toBinary();
      post({ type: 'done', report, model }, [model.buffer as ArrayBuffer]);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      post({ type: 'error', name: e.name, message: e.message });
    }
  };
  if (parent) parent.on('message', (m) => void handle(m));
  else scope.onmessage = (e: MessageEvent<ToWorker>) => void handle(e.data);
}

if (typeof __simdnetWorker !== 'undefined' && __simdnetWorker) serve();

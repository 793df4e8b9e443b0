// The training loop: epochs of batches through the kernels, with schedules, validation, early
// stopping, divergence rollback, time limits and abort signals. Written as a generator that
// pauses after each kernel call so that train() runs it straight through and trainAsync() yields
// to the event loop between batches.
import { FloatArray } from './float.js';
import { LOSS } from './layout.js';
import type { Matrix } from './model/data.js';
import type { Network } from './network.js';
import type { Random } from './model/random.js';
import type { EpochInfo, ResolvedTrainOptions } from './options.js';
import { DivergenceError, abortError } from './errors.js';

export interface TrainReport {
  /** epochs completed in this call */
  epochs: number;
  /** the last evaluated training error (loss over the training rows) */
  error: number;
  validationError: number | null;
  accuracy: number | null;
  validationAccuracy: number | null;
  /** why training stopped */
  stoppedBy: 'epochs' | 'errorThreshold' | 'callback' | 'earlyStopping' | 'timeLimit';
  /** the learning rate of the last epoch */
  learningRate: number;
  elapsedMs: number;
  samplesPerSecond: number;
}

/** What a network carries from one train() call to the next (and into checkpoints). */
export interface Life {
  random: Random;
  /** epochs completed over the network's life */
  epochs: number;
}

/** Training data at most this size is copied into engine memory once, so an epoch is one call. */
const RESIDENT_BYTES = 4 << 20;
/** How many times onDivergence: 'halve' retries an epoch before giving up. */
const MAX_HALVINGS = 10;

export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export interface Session {
  x: Matrix;
  t: Matrix;
  vx: Matrix | null;
  vt: Matrix | null;
  opts: ResolvedTrainOptions;
  batch: number;
  /** resident copies of x and t and the shuffle order in engine memory (region 0: streamed) */
  region: number;
  xPtr: number;
  tPtr: number;
  orderPtr: number;
  order: Int32Array;
}

export function openSession(net: Network, x: Matrix, t: Matrix, vx: Matrix | null, vt: Matrix | null, opts: ResolvedTrainOptions): Session {
  const batch = opts.batchSize === 'full' ? x.rows : Math.min(opts.batchSize, x.rows);
  net.ensureCapacity(batch);
  net.configure(opts);
  const xBytes = x.data.length * 4, tBytes = t.data.length * 4;
  const s: Session = { x, t, vx, vt, opts, batch, region: 0, xPtr: 0, tPtr: 0, orderPtr: 0, order: new Int32Array(x.rows) };
  if (xBytes + tBytes <= RESIDENT_BYTES) {
    const pad = (n: number): number => Math.ceil(n / 16) * 16;
    s.region = net.heap.alloc(pad(xBytes) + pad(tBytes) + x.rows * 4);
    s.xPtr = s.region;
    s.tPtr = s.xPtr + pad(xBytes);
    s.orderPtr = s.tPtr + pad(tBytes);
    net.heap.f32.set(x.data, s.xPtr >> 2);
    net.heap.f32.set(t.data, s.tPtr >> 2);
  }
  return s;
}

export function closeSession(net: Network, s: Session): void {
  if (s.region) net.heap.release(s.region);
  s.region = 0;
}

function scheduled(opts: ResolvedTrainOptions, epochIndex: number): number {
  const s = opts.schedule;
  if (!s) return opts.learningRate;
  if (s.type === 'step') return opts.learningRate * Math.pow(s.factor, Math.floor(epochIndex / s.every));
  return opts.learningRate * Math.pow(s.factor, epochIndex);
}

/**
 * Runs the session. `perBatch` forces one kernel call (and one pause) per batch, as trainAsync,
 * onBatch, timeLimitMs and signal need; otherwise resident data trains a whole epoch per call.
 */
export function* run(net: Network, life: Life, s: Session, perBatch: boolean): Generator<void, TrainReport, void> {
  const { x, t, opts, batch } = s;
  const k = net.kernels, heap = net.heap, model = net.model;
  const classify = net.config.loss === 'cross-entropy' || net.config.loss === 'binary-cross-entropy';
  const fine = perBatch || !!opts.onBatch || opts.timeLimitMs > 0 || !!opts.signal || !s.region;
  const shuffle = opts.shuffle && batch < x.rows;
  const lossKind = LOSS[net.config.loss];
  const started = now();
  const rollback = { params: new FloatArray(net.plan.paramFloats), state: null as FloatArray | null, step: 0 };
  let best = Infinity, sinceBest = 0, bestParams: FloatArray | null = null;
  let done = 0, lrScale = 1, halvings = 0, lr = opts.learningRate;
  let last = { error: NaN, validationError: null as number | null, accuracy: null as number | null, validationAccuracy: null as number | null };
  let stoppedBy: TrainReport['stoppedBy'] = 'epochs';
  let stop = false;

  /** The training error (and, with `validation`, the validation error) at the current weights. */
  const measure = (validation: boolean): void => {
    const m = net.metrics(x, t, classify, s.region ? s.xPtr : 0, s.region ? s.tPtr : 0);
    last = { ...last, error: m.error, accuracy: classify ? m.accuracy : null };
    if (!validation) return;
    const v = s.vx && s.vt ? net.metrics(s.vx, s.vt, classify) : null;
    last.validationError = v ? v.error : null;
    last.validationAccuracy = v && classify ? v.accuracy : null;
  };

  if (opts.signal?.aborted) throw abortError(opts.signal);
  while (done < opts.epochs && !stop) {
    lr = scheduled(opts, life.epochs) * lrScale;
    net.learningRate = lr;
    net.snapshot(rollback.params);
    rollback.step = net.step;
    if (net.state) rollback.state = net.snapshotState(rollback.state);
    if (shuffle) {
      life.random.permutation(s.order, x.rows);
      if (s.region) heap.i32.set(s.order, s.orderPtr >> 2);
    }

    let complete = true;
    if (!fine) {
      k.trainEpoch(model, s.xPtr, s.tPtr, shuffle ? s.orderPtr : 0, x.rows, batch);
      yield;
    } else {
      for (let start = 0, b = 0; start < x.rows; start += batch, b++) {
        const count = Math.min(batch, x.rows - start);
        let xb: number, tb: number;
        if (s.region && !shuffle) {
          xb = s.xPtr + start * x.cols * 4;
          tb = s.tPtr + start * t.cols * 4;
        } else if (s.region) {
          k.gatherRows(s.xPtr, s.orderPtr, start, count, x.cols, xb = net.inputStage);
          k.gatherRows(s.tPtr, s.orderPtr, start, count, t.cols, tb = net.targetStage);
        } else {
          net.stageRows(x, shuffle ? s.order : null, start, count, xb = net.inputStage);
          net.stageRows(t, shuffle ? s.order : null, start, count, tb = net.targetStage);
        }
        k.forward(model, xb, count);
        let batchLoss = NaN;
        if (opts.onBatch) batchLoss = net.normalizeLoss(k.lossSum(lossKind, net.outputPtr, tb, count, t.cols), count);
        k.backward(model, tb, count);
        k.update(model);
        if (opts.onBatch) {
          const seconds = (now() - started) / 1000;
          const verdict = opts.onBatch({ epoch: life.epochs + 1, batch: b, rows: count, loss: batchLoss, samplesPerSecond: (done * x.rows + start + count) / seconds });
          if (verdict === false) { stoppedBy = 'callback'; stop = true; }
        }
        // pausing costs an iterator result per batch: only trainAsync needs it
        if (perBatch) yield;
        if (opts.signal?.aborted) {
          // every batch of the epoch done: count it, as a callback or time-limit stop does
          if (start + count >= x.rows) life.epochs++;
          throw abortError(opts.signal);
        }
        if (opts.timeLimitMs > 0 && now() - started >= opts.timeLimitMs) { stoppedBy = 'timeLimit'; stop = true; }
        if (stop) { complete = start + count >= x.rows; break; }
      }
    }

    // a non-finite weight anywhere, or a non-finite error: roll the epoch back
    // (the Wasm sum of squares accumulates in f32 and overflows once |w| > ~1.8e19: then look at the weights themselves)
    const finite = Number.isFinite(k.sumSquares(net.model + net.plan.params, net.plan.paramFloats)) || firstNonFiniteLayer(net) === net.weightLayers;
    const last_ = opts.evaluate && (stop || done + 1 === opts.epochs);
    const need = last_ || !finite || !!opts.onEpoch || opts.errorThreshold > 0 || !!opts.earlyStopping || !!s.vx;
    if (finite && need) measure(true);
    if (!finite || (need && (!Number.isFinite(last.error) || (last.validationError !== null && !Number.isFinite(last.validationError))))) {
      const layer = firstNonFiniteLayer(net);
      net.restore(rollback.params);
      if (rollback.state) net.restoreState(rollback.state);
      net.step = rollback.step;
      if (opts.onDivergence === 'halve' && halvings < MAX_HALVINGS && !stop) {
        halvings++;
        lrScale /= 2;
        continue;
      }
      throw new DivergenceError(life.epochs + 1, layer,
        layer < net.weightLayers ? `layer ${layer} got a non-finite weight` : `the loss became ${last.error}`);
    }
    if (!complete) break;
    done++;
    life.epochs++;

    const elapsedMs = now() - started;
    if (opts.onEpoch) {
      const info: EpochInfo = {
        epoch: life.epochs, error: last.error, validationError: last.validationError, accuracy: last.accuracy,
        validationAccuracy: last.validationAccuracy, learningRate: lr, elapsedMs, samplesPerSecond: (done * x.rows) / (elapsedMs / 1000),
      };
      if (opts.onEpoch(info) === false) { stoppedBy = 'callback'; stop = true; }
    }
    if (!stop && opts.errorThreshold > 0 && last.error <= opts.errorThreshold) { stoppedBy = 'errorThreshold'; stop = true; }
    if (!stop && opts.earlyStopping) {
      const es = opts.earlyStopping;
      const monitored = last.validationError ?? last.error;
      if (monitored < best - es.minDelta) {
        best = monitored;
        sinceBest = 0;
        if (es.restoreBest) bestParams = net.snapshot(bestParams ?? undefined);
      } else if (++sinceBest >= es.patience) {
        if (bestParams) net.restore(bestParams);
        stoppedBy = 'earlyStopping';
        stop = true;
        if (bestParams) measure(true);
      }
    }
  }
  if (Number.isNaN(last.error) && opts.evaluate) measure(false);
  const elapsedMs = now() - started;
  return { epochs: done, ...last, stoppedBy, learningRate: lr, elapsedMs, samplesPerSecond: (done * x.rows) / (elapsedMs / 1000) };
}

/** The first weight layer (0-based) holding a NaN or infinity; weightLayers when all are finite. */
function firstNonFiniteLayer(net: Network): number {
  const w = net.read('params')!;
  for (let l = 0; l < net.weightLayers; l++) {
    for (const v of w.weights[l]!) if (!Number.isFinite(v)) return l;
    for (const v of w.biases[l] ?? []) if (!Number.isFinite(v)) return l;
  }
  return net.weightLayers;
}

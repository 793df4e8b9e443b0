// The training loop: a session's rows staged in engine memory, then epochs of batches with
// schedules, validation, stop rules (epochs, error threshold, plateau, callbacks, time limits),
// divergence rollback and abort signals, each epoch recorded in the report's history. The Network
// does every pass and owns every byte of engine memory; this file only decides which pass comes
// next. The loop is a generator that pauses after each kernel call, so that train() runs it
// straight through and trainAsync() yields to the event loop between batches (trainer.ts).
import type { FloatArray } from './float.js';
import type { EpochInfo, EpochRecord, ResolvedTrainOptions } from './train-options.js';
import { DivergenceError, abortError } from './errors.js';
import type { Matrix } from './model/data.js';
import type { Random } from './model/random.js';
import type { Checkpoint, Network } from './runtime/network.js';
import type { TrainingRows } from './runtime/staging.js';
import { classifies } from './vocabulary.js';

export interface TrainReport {
  /** epochs completed in this call */
  epochs: number;
  /** one record per epoch completed in this call: losses and accuracies where measured, learning rate, milliseconds */
  history: EpochRecord[];
  /** the epoch (counted over the network's life, as EpochRecord.epoch) whose weights the network ends with: the best one when the plateau stop restored it, else the last */
  bestEpoch: number;
  /** the last evaluated training loss (over the training rows; NaN when nothing measured it) */
  loss: number;
  /** the last validation loss, or null without validation */
  validationLoss: number | null;
  /** the last training accuracy, for the two cross-entropy losses (else null) */
  accuracy: number | null;
  /** the last validation accuracy, or null */
  validationAccuracy: number | null;
  /** why training stopped: the epoch count ran out, the loss reached errorThreshold, a callback returned false, the plateau stop (earlyStopping), or timeLimitMs */
  stoppedBy: 'epochs' | 'errorThreshold' | 'callback' | 'earlyStopping' | 'timeLimit';
  /** the learning rate of the last epoch */
  learningRate: number;
  /** milliseconds the call took */
  elapsedMs: number;
  /** training rows processed per second */
  samplesPerSecond: number;
  /** @deprecated the same as `loss` */
  error: number;
  /** @deprecated the same as `validationLoss` */
  validationError: number | null;
}

/** What an epoch measured, with the deprecated names of its losses beside the current ones. */
type Measured = Pick<EpochInfo, 'loss' | 'validationLoss' | 'accuracy' | 'validationAccuracy'>;
const withAliases = (m: Measured): Measured & Pick<EpochInfo, 'error' | 'validationError'> => ({
  ...m,
  error: m.loss,
  validationError: m.validationLoss,
});

/** How many times onDivergence: 'halve' retries an epoch before giving up. */
const MAX_HALVINGS = 10;

export const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

/** One train() call's data and options, its rows staged in engine memory. */
export interface Session {
  rows: TrainingRows;
  vx: Matrix | null;
  vt: Matrix | null;
  opts: ResolvedTrainOptions;
  /** rows per update ('full' resolved to every row) */
  batch: number;
  /** the shuffled visiting order, refilled every epoch (null without shuffling) */
  order: Int32Array | null;
}

export function openSession(
  net: Network,
  x: Matrix,
  t: Matrix,
  vx: Matrix | null,
  vt: Matrix | null,
  opts: ResolvedTrainOptions,
): Session {
  const batch = opts.batchSize === 'full' ? x.rows : Math.min(opts.batchSize, x.rows);
  net.ensureCapacity(batch);
  net.configure(opts);
  // a single batch of every row needs no order (and draws nothing from the generator)
  const order = opts.shuffle && batch < x.rows ? new Int32Array(x.rows) : null;
  return { rows: net.stage(x, t), vx, vt, opts, batch, order };
}

export function closeSession(s: Session): void {
  s.rows.release();
}

function scheduled(opts: ResolvedTrainOptions, epochIndex: number): number {
  const s = opts.schedule;
  if (!s) return opts.learningRate;
  if (s.type === 'step') return opts.learningRate * s.factor ** Math.floor(epochIndex / s.every);
  return opts.learningRate * s.factor ** epochIndex;
}

/**
 * Runs the session. `perBatch` forces one kernel call (and one pause) per batch, as trainAsync,
 * onBatch, timeLimitMs and signal need; otherwise resident data trains a whole epoch per call.
 */
export function* run(
  net: Network,
  state: { epochs: number; random: Random },
  s: Session,
  perBatch: boolean,
): Generator<void, TrainReport, void> {
  const { rows, opts, batch, order } = s;
  const { x, t } = rows;
  const classify = classifies(net.config.loss);
  const batchByBatch = perBatch || !!opts.onBatch || opts.timeLimitMs > 0 || !!opts.signal || !rows.resident;
  const started = now();
  let checkpoint: Checkpoint | undefined;
  let best = Infinity,
    sinceBest = 0,
    bestEpoch = state.epochs,
    bestKept = state.epochs,
    bestParams: FloatArray | null = null;
  const history: EpochRecord[] = [];
  let done = 0,
    lrScale = 1,
    halvings = 0,
    lr = opts.learningRate;
  let last: Measured = { loss: NaN, validationLoss: null, accuracy: null, validationAccuracy: null };
  let stoppedBy: TrainReport['stoppedBy'] = 'epochs';
  let stop = false;

  /** The training loss (and, with `validation`, the validation loss) at the current weights. */
  const measure = (validation: boolean): void => {
    const m = net.metrics(x, t, classify, rows);
    last = { ...last, loss: m.error, accuracy: classify ? m.accuracy : null };
    if (!validation) return;
    const v = s.vx && s.vt ? net.metrics(s.vx, s.vt, classify) : null;
    last.validationLoss = v ? v.error : null;
    last.validationAccuracy = v && classify ? v.accuracy : null;
  };

  if (opts.signal?.aborted) throw abortError(opts.signal);
  while (done < opts.epochs && !stop) {
    const epochStarted = now();
    lr = scheduled(opts, state.epochs) * lrScale;
    net.learningRate = lr;
    checkpoint = net.checkpoint(checkpoint);
    if (order) {
      state.random.permutation(order, x.rows);
      rows.setOrder(order);
    }

    let complete = true;
    if (!batchByBatch) {
      net.trainEpoch(rows, batch);
      yield;
    } else {
      for (let start = 0, b = 0; start < x.rows; start += batch, b++) {
        const count = Math.min(batch, x.rows - start);
        const batchLoss = net.trainBatch(rows, start, count, !!opts.onBatch);
        if (opts.onBatch) {
          const seconds = (now() - started) / 1000;
          const verdict = opts.onBatch({
            epoch: state.epochs + 1,
            batchIndex: b,
            rows: count,
            loss: batchLoss,
            samplesPerSecond: (done * x.rows + start + count) / seconds,
            batch: b,
          });
          if (verdict === false) {
            stoppedBy = 'callback';
            stop = true;
          }
        }
        // pausing costs an iterator result per batch: only trainAsync needs it
        if (perBatch) yield;
        if (opts.signal?.aborted) {
          // every batch of the epoch done: count it, as a callback or time-limit stop does
          if (start + count >= x.rows) state.epochs++;
          throw abortError(opts.signal);
        }
        if (opts.timeLimitMs > 0 && now() - started >= opts.timeLimitMs) {
          stoppedBy = 'timeLimit';
          stop = true;
        }
        if (stop) {
          complete = start + count >= x.rows;
          break;
        }
      }
    }

    // a non-finite weight anywhere, or a non-finite loss: roll the epoch back
    const nonFiniteLayer = net.firstNonFiniteLayer();
    const finite = nonFiniteLayer === net.weightLayers;
    const measured =
      opts.evaluate || !finite || !!opts.onEpoch || opts.errorThreshold > 0 || !!opts.earlyStopping || !!s.vx;
    if (finite && measured) measure(true);
    if (
      !finite ||
      (measured &&
        (!Number.isFinite(last.loss) || (last.validationLoss !== null && !Number.isFinite(last.validationLoss))))
    ) {
      net.rollback(checkpoint);
      if (opts.onDivergence === 'halve' && halvings < MAX_HALVINGS && !stop) {
        halvings++;
        lrScale /= 2;
        continue;
      }
      throw new DivergenceError(
        state.epochs + 1,
        nonFiniteLayer,
        finite ? `the loss became ${last.loss}` : `layer ${nonFiniteLayer} got a non-finite weight`,
      );
    }
    if (!complete) break;
    done++;
    state.epochs++;
    bestEpoch = state.epochs;
    const record: EpochRecord = {
      epoch: state.epochs,
      loss: measured ? last.loss : null,
      validationLoss: measured ? last.validationLoss : null,
      accuracy: measured ? last.accuracy : null,
      validationAccuracy: measured ? last.validationAccuracy : null,
      learningRate: lr,
      ms: 0,
    };
    history.push(record);

    const elapsedMs = now() - started;
    if (opts.onEpoch) {
      const info: EpochInfo = {
        epoch: state.epochs,
        ...withAliases(last),
        learningRate: lr,
        elapsedMs,
        samplesPerSecond: (done * x.rows) / (elapsedMs / 1000),
      };
      if (opts.onEpoch(info) === false) {
        stoppedBy = 'callback';
        stop = true;
      }
    }
    if (!stop && opts.errorThreshold > 0 && last.loss <= opts.errorThreshold) {
      stoppedBy = 'errorThreshold';
      stop = true;
    }
    if (!stop && opts.earlyStopping) {
      const es = opts.earlyStopping;
      const monitored = last.validationLoss ?? last.loss;
      if (monitored < best - es.minDelta) {
        best = monitored;
        sinceBest = 0;
        bestKept = state.epochs;
        if (es.restoreBest) bestParams = net.snapshotParams(bestParams ?? undefined);
      } else if (++sinceBest >= es.patience) {
        stoppedBy = 'earlyStopping';
        stop = true;
        if (bestParams) {
          net.restoreParams(bestParams);
          bestEpoch = bestKept;
          measure(true);
        }
      }
    }
    record.ms = now() - epochStarted;
  }
  if (Number.isNaN(last.loss) && opts.evaluate) measure(false);
  const elapsedMs = now() - started;
  return {
    epochs: done,
    history,
    bestEpoch,
    ...withAliases(last),
    stoppedBy,
    learningRate: lr,
    elapsedMs,
    samplesPerSecond: (done * x.rows) / (elapsedMs / 1000),
  };
}

// The training run of `simdnet train`: epochs with the held-out rows measured after each, a stop
// once the held-out loss has not improved for `patience` epochs, and the best epoch's weights put
// back whether training stopped early or ran out of epochs, so the model saved is the one the
// held-out figures describe. Every epoch is kept in the history (--history, --plot).
import { DivergenceError, type NN, type OptimizerName, type TrainReport } from '../index.js';
import { MIN_IMPROVEMENT } from './defaults.js';
import { asUsage, UsageError } from './errors.js';
import { Progress } from './progress.js';

export interface EpochRecord {
  epoch: number;
  loss: number;
  heldOutLoss: number | null;
  accuracy: number | null;
  heldOutAccuracy: number | null;
  learningRate: number;
  /** since training began */
  elapsedMs: number;
}

export interface Rows {
  x: Float32Array;
  t: Float32Array;
}

export interface FitOptions {
  epochs: number;
  batchSize: number | 'full';
  learningRate: number;
  optimizer: OptimizerName;
  /** epochs without a better held-out loss before stopping; 0: every epoch, the last one kept */
  patience: number;
  quiet: boolean;
}

export interface Fitted {
  report: TrainReport;
  history: EpochRecord[];
  /** the epoch whose weights the network holds now */
  keptEpoch: number;
  /** 'patience': stopped for want of improvement; 'epochs': ran them all */
  stoppedBy: 'patience' | 'epochs';
}

export async function trainHeldOut(net: NN, train: Rows, heldOut: Rows | null, o: FitOptions): Promise<Fitted> {
  const history: EpochRecord[] = [];
  const watch = heldOut !== null && o.patience > 0;
  let best = Number.POSITIVE_INFINITY,
    bestEpoch = 0,
    since = 0,
    snapshot: ReturnType<NN['getWeights']> | null = null,
    stoppedBy: Fitted['stoppedBy'] = 'epochs';
  const progress = new Progress(o.epochs, heldOut ? 'held-out' : 'training', o.quiet);
  let report: TrainReport;
  try {
    report = await asUsage(() =>
      net.train(train.x, train.t, {
        epochs: o.epochs,
        batchSize: o.batchSize,
        learningRate: o.learningRate,
        optimizer: o.optimizer,
        ...(heldOut ? { validationData: { inputs: heldOut.x, targets: heldOut.t } } : {}),
        onEpoch: (e) => {
          history.push({
            epoch: e.epoch,
            loss: e.loss,
            heldOutLoss: e.validationError,
            accuracy: e.accuracy,
            heldOutAccuracy: e.validationAccuracy,
            learningRate: e.learningRate,
            elapsedMs: Math.round(e.elapsedMs),
          });
          const accuracy = heldOut ? e.validationAccuracy : e.accuracy;
          progress.epoch({
            epoch: e.epoch,
            loss: e.loss,
            ...(e.validationError === null ? {} : { heldOutLoss: e.validationError }),
            ...(accuracy === null ? {} : { accuracy }),
            samplesPerSecond: e.samplesPerSecond,
          });
          if (!watch) return;
          if (e.validationError! < best - MIN_IMPROVEMENT) {
            best = e.validationError!;
            bestEpoch = e.epoch;
            since = 0;
            snapshot = net.getWeights();
          } else if (++since >= o.patience) {
            stoppedBy = 'patience';
            return false;
          }
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof DivergenceError)) throw err;
    throw new UsageError(
      `training diverged in epoch ${err.epoch}: a weight or the loss stopped being a finite number; try a lower --lr than ${o.learningRate}`,
    );
  } finally {
    progress.stop();
  }
  const last = history.length;
  if (snapshot && bestEpoch !== last) net.setWeights(snapshot);
  return { report, history, keptEpoch: snapshot ? bestEpoch : last, stoppedBy };
}

// The training session, from the public call to the report: the options resolved with the
// network's defaults, inputs and targets read (labels through the classes, named rows through the
// feature names), the validation rows split off, and, on a new network's first run, what its data
// decides (the output layer and loss, the input normaliser, the regression targets' standardizer,
// the names), then the rows staged and the loop of training-loop.ts run to its report.
import { rangeError } from './check.js';
import { abortError } from './errors.js';
import { resolveActivation } from './model/architecture.js';
import type { Matrix } from './model/data.js';
import { fitNormalizer, fitTargetStandardizer, normalize, standardizeTargets } from './model/normalize.js';
import { headFor } from './model/targets.js';
import type { ResidentModel, Settlement } from './resident.js';
import { resolveTrainOptions, type ResolvedTrainOptions } from './train-options.js';
import { closeSession, now, openSession, run, type Session, type TrainReport } from './training-loop.js';
import type { NetworkConfig } from './vocabulary.js';

export type { TrainReport } from './training-loop.js';
export { now } from './training-loop.js';

/** Training rows in the user's units (inputs raw, labels encoded) and what the run settles on the model. */
export interface Prepared {
  /** every row, before the validation split */
  all: { x: Matrix; t: Matrix };
  x: Matrix;
  t: Matrix;
  vx: Matrix | null;
  vt: Matrix | null;
  settlement: Settlement;
}

/** A linear output trained on squared errors: its targets are standardized when the data is the model's to fit. */
const regresses = (c: NetworkConfig): boolean =>
  c.activations[c.activations.length - 1]!.name === 'linear' && (c.loss === 'mse' || c.loss === 'sse');

/**
 * Reads a run's data and decides what a new network takes from it, changing nothing: the output
 * layer and loss from the targets, a z-score normaliser and (for regression) a target
 * standardizer fitted on the training rows, class labels and feature names.
 */
export function prepare(model: ResidentModel, inputs: unknown, targets: unknown, opts: ResolvedTrainOptions): Prepared {
  const d = model.data(inputs, targets, '', true, true);
  let { x, t } = d;
  let vx: Matrix | null = null,
    vt: Matrix | null = null;
  if (opts.validationData) {
    const v = model.data(opts.validationData.inputs, opts.validationData.targets, 'validationData.', true, false, d);
    vx = v.x;
    vt = v.t;
  } else if (opts.validationSplit > 0) {
    const held = Math.floor(x.rows * opts.validationSplit);
    if (held < 1)
      throw rangeError(
        'validationSplit',
        `a fraction that holds out at least one of ${x.rows} rows`,
        opts.validationSplit,
      );
    [x, vx] = splitRows(x, x.rows - held);
    [t, vt] = splitRows(t, t.rows - held);
  }
  let config = model.config;
  const undecided = model.undecided;
  if (undecided?.head) {
    const head = headFor(t, d.labelled);
    const activations = config.activations.slice();
    activations[activations.length - 1] = resolveActivation('output', head.output);
    config = { ...config, activations, loss: head.loss };
  }
  if (undecided?.data) config = { ...config, normalize: 'zscore' };
  // the first training rows fit the transforms, which are then kept with the model
  const kind = config.normalize;
  const normalizer = model.normalizer ?? (kind === 'none' ? null : fitNormalizer(kind, x));
  const targetStandardizer =
    model.targetStandardizer ?? (undecided?.data && regresses(config) ? fitTargetStandardizer(t) : null);
  return {
    all: { x: d.x, t: d.t },
    x,
    t,
    vx,
    vt,
    settlement: { config, normalizer, targetStandardizer, classes: d.classes, features: d.features },
  };
}

/** Opens a session on `model`: checks everything, prepares the data, stages the rows, settles the model. */
function open(model: ResidentModel, inputs: unknown, targets: unknown, options: unknown): Session {
  if (model.training) throw new Error('simdnet: this network is already training (one train or trainAsync at a time)');
  const opts = resolveTrainOptions(options, model.preset);
  if (opts.signal?.aborted) throw abortError(opts.signal);
  const p = prepare(model, inputs, targets, opts);
  let { x, t, vx, vt } = p;
  const { normalizer, targetStandardizer } = p.settlement;
  if (normalizer) {
    x = normalize(normalizer, x);
    if (vx) vx = normalize(normalizer, vx);
  }
  if (targetStandardizer) {
    t = standardizeTargets(targetStandardizer, t);
    if (vt) vt = standardizeTargets(targetStandardizer, vt);
  }
  const net = model.networkFor(p.settlement.config);
  let session: Session;
  try {
    session = openSession(net, x, t, vx, vt, opts);
  } catch (err) {
    if (net !== model.net) net.release();
    throw err;
  }
  model.settle(p.settlement, net);
  model.training = true;
  return session;
}

function close(model: ResidentModel, session: Session): void {
  model.training = false;
  if (!model.released) closeSession(session);
}

/** Trains `model` synchronously (see TrainOptions) and reports what happened. */
export function train(model: ResidentModel, inputs: unknown, targets: unknown, options: unknown): TrainReport {
  const session = open(model, inputs, targets, options);
  try {
    const steps = run(model.net, model, session, false);
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
    }
  } finally {
    close(model, session);
  }
}

/** Trains like train() but yields to the event loop between batches, after about 4 ms of work each time. */
export async function trainAsync(
  model: ResidentModel,
  inputs: unknown,
  targets: unknown,
  options: unknown,
): Promise<TrainReport> {
  const session = open(model, inputs, targets, options);
  try {
    const steps = run(model.net, model, session, true);
    let paused = now();
    for (;;) {
      const step = steps.next();
      if (step.done) return step.value;
      if (now() - paused > 4) {
        await yieldToEventLoop();
        paused = now();
      }
    }
  } finally {
    close(model, session);
  }
}

function splitRows(m: Matrix, at: number): [Matrix, Matrix] {
  return [
    { ...m, data: m.data.subarray(0, at * m.cols), rows: at },
    { ...m, data: m.data.subarray(at * m.cols), rows: m.rows - at },
  ];
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else if (typeof MessageChannel === 'function') {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        resolve();
      };
      ch.port2.postMessage(null);
    } else setTimeout(resolve, 0);
  });
}

// Compiled by npm test's typecheck (tsc --strict; never run): the public types accept the shapes
// the documentation promises and refuse the rest. Each `@ts-expect-error` must stay an error: if a
// type grew loose enough to accept the line, tsc reports the directive as unused. README's own
// examples, and those of docs/, are type-checked and run by test/docs-examples.test.ts.
import {
  NN,
  DEFAULTS,
  trainInWorker,
  type ClassifierMetrics,
  type Evaluation,
  type EpochRecord,
  type Label,
  type NetworkOptions,
  type RegressionMetrics,
  type Rows,
  type Sample,
  type Targets,
  type TrainReport,
} from '../../src/index.js';

export async function accepted(): Promise<void> {
  const net = await NN.create({ layers: [2, 8, 3] });
  const rows = [
    [0, 1],
    [1, 0],
  ];
  const flat = new Float32Array([0, 1, 1, 0]);
  // inputs: rows, a flat array, named rows; targets: rows, flat, labels
  net.train(rows, ['cat', 'dog']);
  net.train(flat, [0, 2], { epochs: 3 });
  net.train([{ width: 1, height: 2 }], [[0, 0, 1]]);
  net.train(rows, new Float32Array(6), { validationData: { inputs: rows, targets: [1, 2] } });
  // brain.js's samples, with options as the second argument
  const samples: Sample[] = [
    { input: [0, 1], output: [1, 0, 0] },
    { input: { a: 1, b: 0 }, output: 'dog' },
  ];
  const report: TrainReport = net.train(samples, { earlyStopping: false });
  const history: EpochRecord[] = report.history;
  const loss: number | null = history[0]?.loss ?? null;
  const kept: number = report.bestEpoch;
  await net.trainAsync(samples);
  await trainInWorker(net, rows, ['a', 'b'], { syncWeights: true });
  await trainInWorker(net, samples);
  // answers: probabilities, labels, metrics
  const p: Float32Array = net.predict([0, 1]);
  const ps: Float32Array[] = net.predict(rows);
  const one: Label = net.classify([0, 1]);
  const many: Label[] = net.classify(rows);
  const named: Label = net.classify({ a: 1, b: 0 });
  const classes: Label[] | null = net.classes;
  const m: Evaluation = net.evaluate(rows, ['cat', 'dog']);
  const accuracy: number | undefined = m.accuracy;
  if (m.rmse !== undefined) {
    const r: RegressionMetrics = m;
    void r;
  } else {
    const c: ClassifierMetrics = m;
    void c;
  }
  const text: string = net.summary();
  const epochs: number = DEFAULTS.train.epochs;
  void [loss, kept, p, ps, one, many, named, classes, accuracy, text, epochs];
  {
    using scoped = await NN.create({ layers: [2, 1], preset: 'article' });
    scoped.predict([0, 1]);
  }
}

export async function refused(net: NN, t: Targets, x: Rows): Promise<void> {
  // @ts-expect-error a string is not data
  net.train('not data', t);
  // @ts-expect-error nor a number
  net.train(42, t);
  // @ts-expect-error targets that are objects but not rows
  net.train(x, [{ a: 1 }]);
  // @ts-expect-error an option that does not exist
  net.train(x, t, { epoch: 3 });
  // @ts-expect-error a batch size that is neither a number nor 'full'
  net.train(x, t, { batchSize: 'all' });
  // @ts-expect-error samples need an input
  net.train([{ output: [1] }]);
  // @ts-expect-error evaluate needs targets (or samples)
  net.evaluate(x);
  // @ts-expect-error accuracy takes data, not a string
  net.accuracy('rows', t);
  // @ts-expect-error confusionMatrix likewise
  net.confusionMatrix(x, 'labels');
  // @ts-expect-error trainInWorker likewise
  await trainInWorker(net, 'not data', t);
  // @ts-expect-error validationData is { inputs, targets } or samples
  net.train(x, t, { validationData: [[1, 2]] });
  // @ts-expect-error no such preset
  const bad: NetworkOptions = { layers: [2, 1], preset: 'keras' };
  // @ts-expect-error classify of one row answers one label, not an array
  const labels: Label[] = net.classify([0, 1]);
  void [bad, labels];
}

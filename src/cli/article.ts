// simdnet article: the seed article's network on its random binary data, printing T and the error.
import { NN, articleData } from '../index.js';
import { ENGINES, choiceFlag, intFlag } from './flags.js';

export async function article(f: {
  epochs: string;
  rows: string;
  engine: string;
  seed: string;
  every: string;
  json?: boolean;
  quiet?: boolean;
}): Promise<void> {
  const epochs = intFlag('--epochs', f.epochs, 1),
    rows = intFlag('--rows', f.rows, 1);
  const seed = intFlag('--seed', f.seed, 0, 0xffffffff),
    every = intFlag('--every', f.every, 1);
  const engine = choiceFlag('--engine', f.engine, ENGINES);
  const data = articleData({ rows, inputs: 3, outputs: 3, seed });
  const net = await NN.create({ layers: [3, 4, 3], preset: 'article', engine, seed });
  const curve: { epoch: number; error: number }[] = [];
  const verbose = !f.json && !f.quiet;
  if (verbose) console.log(`engine ${net.engine} (${net.build}); ${rows} rows; eps 1e-5; at most ${epochs} epochs`);
  const report = net.train(data.inputs, data.targets, {
    epochs,
    batchSize: 'full',
    learningRate: 0.01,
    shuffle: false,
    errorThreshold: 1e-5,
    onEpoch: ({ epoch, loss: error }) => {
      if (epoch % every !== 0 && epoch !== 1) return;
      curve.push({ epoch, error });
      if (verbose) console.log(`T= ${epoch}  error ${error.toFixed(6)}`);
    },
  });
  if (f.json) console.log(JSON.stringify({ engine: net.engine, build: net.build, ...report, curve }));
  else {
    console.log(
      `stopped by ${report.stoppedBy} after ${report.epochs} epochs: error ${report.loss.toFixed(6)}, ` +
        `${report.elapsedMs.toFixed(0)} ms, ${Math.round(report.samplesPerSecond)} samples/s`,
    );
  }
  net.dispose();
}

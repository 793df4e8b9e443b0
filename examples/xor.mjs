// XOR with every choice spelled out (tanh, sigmoid, binary cross-entropy, Adam at 0.05, full batch).
//   node examples/xor.mjs
import { NN } from 'simdnet';

const net = await NN.create({
  layers: [2, 4, 1],
  activation: 'tanh',
  output: 'sigmoid',
  loss: 'binary-cross-entropy',
  seed: 7,
});
const x = [
  [0, 0],
  [0, 1],
  [1, 0],
  [1, 1],
];
const t = [[0], [1], [1], [0]];
const report = net.train(x, t, { epochs: 500, batchSize: 4, optimizer: 'adam', learningRate: 0.05 });
console.log(report.loss.toFixed(4), report.stoppedBy, net.engine, net.build);
console.log(
  net
    .predict(x)
    .map((y) => y[0].toFixed(3))
    .join(' '),
);
net.dispose();

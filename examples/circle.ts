// The README's first example: nothing but the layer sizes and the labels.
//   npm run example -- examples/circle.ts
import { NN } from '../src/index.js';

// points on a grid, labelled by whether they lie inside a circle; every fourth one held out
const points: number[][] = [];
for (let i = -10; i <= 10; i++) for (let j = -10; j <= 10; j++) points.push([i / 5, j / 5]);
const label = (p: number[]): string => (p[0]! * p[0]! + p[1]! * p[1]! < 1.5 ? 'inside' : 'outside');
const train = points.filter((_, k) => k % 4),
  test = points.filter((_, k) => k % 4 === 0);

const net = await NN.create({ layers: [2, 32, 2], seed: 1 }); // relu, Adam, the output from the labels
const report = net.train(train, train.map(label)); // up to 200 epochs, stops on a plateau
console.log(report.epochs, report.stoppedBy, net.classes, net.engine, net.build);
console.log(net.evaluate(test, test.map(label)));
console.log(
  net.classify([0.2, -0.4]),
  net.classify([
    [1.8, 1.6],
    [0, 0],
  ]),
);
net.dispose();

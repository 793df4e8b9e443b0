// The README's first example: Fisher's iris with nothing but the layer sizes and the labels.
//   node examples/iris.mjs
import { readFileSync } from 'node:fs';
import { NN } from 'simdnet';

// four measurements and the species of 150 flowers; every fourth flower held out for testing
const rows = readFileSync(new URL('data/iris.csv', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));
const x = rows.map((r) => r.slice(0, 4).map(Number));
const species = rows.map((r) => r[4]);
const train = (_, i) => i % 4 !== 0;
const test = (_, i) => i % 4 === 0;

const net = await NN.create({ layers: [4, 16, 3], seed: 1 }); // relu, Adam; softmax from the labels
const report = net.train(x.filter(train), species.filter(train)); // up to 200 epochs, stops on a plateau
console.log(report.epochs, report.stoppedBy, net.classes);
console.log(net.evaluate(x.filter(test), species.filter(test)));
console.log(
  net.classify([6.1, 2.8, 4.7, 1.2]),
  net.classify([
    [5.0, 3.4, 1.5, 0.2],
    [7.2, 3.0, 5.8, 1.6],
  ]),
);
console.log(net.summary());
net.dispose();

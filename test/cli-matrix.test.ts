// Every subcommand over every kind of model file (simdnet JSON and binary with a column schema, a
// library model without one, softmax and one-sigmoid-output, ONNX and TF.js with the schema, ONNX
// without it, int8), without the optional flags, with each group of them and with all at once, on
// fitting and on unfitting data: each run works (exit 0) or stops with one line saying what is wrong
// (exit 2), never with a stack trace (exit 1).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { toONNX } from '../src/interop/index.js';
import { cli, cliAsync, cliTempDir, inPool, writeFile, type Run } from './helpers/cli-runner.js';
import { blobsCsv } from './helpers/tables.js';

const dir = cliTempDir();
const text = blobsCsv(60, 5); // a,b,c,colour
const numbered = text.replace(/,(red|green|blue)$/gm, (_, c: string) => `,${['blue', 'green', 'red'].indexOf(c)}`);
const files = {
  labels: writeFile(dir, 'blobs.csv', text),
  numbered: writeFile(dir, 'blobs-k.csv', numbered.replace('a,b,c,colour', 'a,b,c,k')),
  binary: writeFile(dir, 'blobs-01.csv', numbered.replace('a,b,c,colour', 'a,b,c,k').replace(/,2$/gm, ',1')),
  price: writeFile(
    dir,
    'price.csv',
    `a,b,price\n${Array.from({ length: 40 }, (_, i) => `${i % 7},${i % 5},${(3 * (i % 7) - (i % 5)).toFixed(1)}`).join('\n')}\n`,
  ),
};
const models: Record<string, { path: string; data: string; target: string; features: string }> = {};

/** A run's verdict: exit 0, or exit 2 with one line on stderr; never exit 1 or a stack trace. */
function expectClean(args: string[], r: Run): void {
  const what = `simdnet ${args.join(' ')}\n${r.stderr}`;
  expect([0, 2], what).toContain(r.code);
  expect(r.stderr, what).not.toMatch(/\n\s+at |TypeError|RangeError|Cannot read/);
  if (r.code === 2) expect(r.stderr, what).toMatch(/^simdnet: [^\n]+\n$|^error: [^\n]+\n/);
}

async function runAll(runs: string[][]): Promise<Run[]> {
  const results = await inPool(runs, 3, (args) => cliAsync(args));
  runs.forEach((args, i) => expectClean(args, results[i]!));
  return results;
}

beforeAll(async () => {
  const train = async (name: string, data: string, target: string, extra: string[] = []): Promise<void> => {
    const path = join(dir, name);
    const r = await cli(['train', data, '--target', target, '--epochs', '5', '--quiet', '--out', path, ...extra]);
    expect(r.code, r.stderr).toBe(0);
    models[name] = { path, data, target, features: data === files.price ? 'a,b' : 'a,b,c' };
  };
  await train('classifier.json', files.labels, 'colour');
  await train('classifier.bin', files.labels, 'colour');
  await train('regression.json', files.price, 'price');
  for (const [from, to] of [
    ['classifier.json', 'classifier.onnx'],
    ['regression.json', 'regression.onnx'],
    ['classifier.json', 'tfjs'],
  ] as const) {
    const out = join(dir, to);
    const r = await cli(['export', models[from]!.path, '--to', to === 'tfjs' ? 'tfjs' : 'onnx', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    // the exports carry the column schema: they read the data their model was trained on
    models[to] = { ...models[from]!, path: to === 'tfjs' ? join(out, 'model.json') : out };
  }
  // library models, saved without a column schema: a softmax and a one-sigmoid-output classifier
  const library = async (name: string, outputs: number, data: string): Promise<void> => {
    const net = await NN.create({
      layers: [3, 8, outputs],
      activation: 'relu',
      loss: outputs === 1 ? 'binary-cross-entropy' : 'cross-entropy',
      seed: 3,
    });
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(net.toJSON()));
    net.dispose();
    models[name] = { path, data, target: 'k', features: 'a,b,c' };
  };
  await library('library-softmax.json', 3, files.numbered);
  await library('library-sigmoid.json', 1, files.binary);
  // and an ONNX file without names, as another producer writes them
  const nameless = await NN.create({ layers: [3, 8, 3], loss: 'cross-entropy', normalize: 'none', seed: 4 });
  writeFileSync(join(dir, 'nameless.onnx'), toONNX(nameless));
  nameless.dispose();
  models['nameless.onnx'] = { path: join(dir, 'nameless.onnx'), data: files.numbered, target: 'k', features: 'a,b,c' };
  // quantized models (simdnet quantize), JSON and binary
  for (const [from, to] of [
    ['classifier.json', 'classifier.int8.json'],
    ['regression.json', 'regression.int8.bin'],
  ] as const) {
    const path = join(dir, to);
    const r = await cli(['quantize', models[from]!.path, '--out', path, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    models[to] = { ...models[from]!, path };
  }
});

/** The optional flags of evaluate and predict that read the table and choose the columns, all at once. */
const readingFlags = [
  '--delimiter',
  ',',
  '--header',
  '--decimal',
  '.',
  '--missing',
  'drop',
  '--unknown-category',
  'zero',
  '--engine',
  'js',
  '--json',
  '--quiet',
];

describe('every subcommand on every kind of model', () => {
  it('evaluate: exit 0 or 2 with and without the optional flags, on fitting and unfitting data', async () => {
    const runs: string[][] = [];
    for (const m of Object.values(models)) {
      const other = m.data === files.price ? files.labels : files.price;
      runs.push(
        ['evaluate', m.path, m.data],
        ['evaluate', m.path, m.data, '--target', m.target],
        ['evaluate', m.path, m.data, '--target', m.target, ...readingFlags, '--features', m.features],
        ['evaluate', m.path, m.data, '--no-header', '--target', '4'],
        ['evaluate', m.path, other],
        ['evaluate', m.path, other, '--target', m.target],
      );
    }
    const results = await runAll(runs);
    // with the data it was made for and its target named, every kind evaluates
    runs.forEach((args, i) => {
      if (args[3] === '--target' && Object.values(models).find((m) => m.path === args[1])?.data === args[2])
        expect(results[i]!.code, results[i]!.stderr).toBe(0);
    });
  }, 120_000);

  it('predict: exit 0 or 2 with and without the optional flags, on fitting and unfitting data', async () => {
    const runs: string[][] = [];
    for (const m of Object.values(models)) {
      const other = m.data === files.price ? files.labels : files.price;
      const out = join(dir, 'predictions', `${runs.length}.csv`);
      runs.push(
        ['predict', m.path, m.data],
        ['predict', m.path, m.data, ...readingFlags, '--features', m.features, '--out', out, '--mkdir', '--id', 'a'],
        ['predict', m.path, other],
      );
    }
    const results = await runAll(runs);
    // with the data it was made for and its columns named, every kind predicts
    runs.forEach((args, i) => {
      if (args.includes('--id')) expect(results[i]!.code, results[i]!.stderr).toBe(0);
    });
  }, 120_000);

  it('export and import: exit 0 or 2 with and without the optional flags', async () => {
    const runs: string[][] = [];
    for (const m of Object.values(models)) {
      const out = join(dir, 'converted', String(runs.length));
      runs.push(
        ['export', m.path],
        ['export', m.path, '--to', 'onnx', '--out', `${out}.onnx`, '--mkdir'],
        ['export', m.path, '--to', 'tfjs', '--out', `${out}-tfjs`, '--mkdir', '--engine', 'js', '--json', '--quiet'],
        ['import', m.path],
        ['import', m.path, '--out', `${out}.json`, '--mkdir'],
        [
          'import',
          m.path,
          '--out',
          `${out}.model`,
          '--format',
          'bin',
          '--mkdir',
          '--loss',
          'mse',
          '--engine',
          'js',
          '--json',
          '--quiet',
        ],
      );
    }
    const results = await runAll(runs);
    // every kind exports and imports (the runs with --out), but an int8 model to TF.js (no int8 layers there)
    runs.forEach((args, i) => {
      if (args.includes('--out') && !(args[1]!.includes('.int8.') && args.includes('tfjs')))
        expect(results[i]!.code, `${args.join(' ')}: ${results[i]!.stderr}`).toBe(0);
    });
  }, 120_000);

  it('quantize: exit 0 or 2 with and without the optional flags, on fitting and unfitting data', async () => {
    const runs: string[][] = [];
    for (const m of Object.values(models)) {
      const other = m.data === files.price ? files.labels : files.price;
      const out = join(dir, 'quantized', `${runs.length}`);
      runs.push(
        ['quantize', m.path],
        ['quantize', m.path, '--out', `${out}.json`, '--mkdir'],
        [
          'quantize',
          m.path,
          '--out',
          `${out}.model`,
          '--format',
          'bin',
          '--calibration',
          m.data,
          '--test',
          m.data,
          '--target',
          m.target,
          ...readingFlags,
          '--features',
          m.features,
          '--mkdir',
        ],
        ['quantize', m.path, '--out', `${out}-other.json`, '--mkdir', '--calibration', other, '--test', other],
      );
    }
    const results = await runAll(runs);
    // every float kind quantizes, with its own data for calibration and test
    runs.forEach((args, i) => {
      if (args.includes('--calibration') && args.includes('--features') && !args[1]!.includes('.int8.'))
        expect(results[i]!.code, `${args.join(' ')}: ${results[i]!.stderr}`).toBe(0);
    });
  }, 120_000);

  it('train, mnist, bench and article: exit 0 or 2 with and without the optional flags', async () => {
    mkdirSync(join(dir, 'trained'), { recursive: true });
    const out = (name: string): string => join(dir, 'trained', name);
    const base = ['train', files.labels, '--target', 'colour', '--epochs', '3'];
    const runs: string[][] = [
      ['train', files.labels],
      base,
      [...base, '--validation', '0', '--patience', '0', '--quiet'],
      [...base, '--validation-file', files.labels, '--test', files.labels, '--no-refit'],
      [...base, '--out', out('m.json'), '--resumable', '--plot', out('m.svg'), '--history', out('h.csv')],
      [...base, '--out', out('deep/m.bin'), '--mkdir', '--history', out('h.json'), '--json', '--quiet'],
      [...base, '--out', out('m.bin'), '--format', 'json', '--engine', 'js', '--batch', 'full', '--layers', 'none'],
      [...base, '--out', '-', '--json'],
      [...base, '--out', out('missing/m.json')],
      [...base, '--history', out('h.txt')],
      [...base, '--task', 'regression'],
      ['train', files.numbered, '--target', 'k', '--epochs', '3', '--task', 'classification', '--features', 'a,b'],
      ['train', files.labels, '--target', 'colour', '--features', 'a,b', '--delimiter', ';'],
      ['train', files.labels, '--target', 'colour', '--no-header'],
      ['train', files.price, '--target', 'price', '--epochs', '3', '--decimal', ',', '--delimiter', ';'],
      ['train', files.price, '--target', 'price', '--validation', '0.99'],
      ['train', join(dir, 'nowhere.csv'), '--target', 'x'],
      ['mnist', '--epochs', '0'],
      ['mnist', '--help'],
      ['bench', '--runs', '0'],
      ['bench', '--help'],
      ['article', '--epochs', '20', '--every', '10'],
      ['article', '--epochs', '20', '--rows', '50', '--engine', 'js', '--seed', '3', '--json', '--quiet'],
      ['article', '--rows', '0'],
      ['--version'],
      ['no-such-command'],
    ];
    const results = await runAll(runs);
    expect(results[1]!.code, results[1]!.stderr).toBe(0);
    expect(results.at(-2)!.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  }, 120_000);

  it('a model that cannot predict, or a damaged one, stops every command with one line', async () => {
    const unfitted = await NN.create({ layers: [3, 4, 3], loss: 'cross-entropy', normalize: 'zscore', seed: 1 });
    const broken = {
      unfitted: writeFile(dir, 'unfitted.json', JSON.stringify(unfitted.toJSON())),
      truncated: writeFile(dir, 'truncated.bin', ''),
      other: writeFile(dir, 'other.json', '{"format": "keras"}'),
      csv: files.labels,
    };
    unfitted.dispose();
    writeFileSync(broken.truncated, readFileSync(models['classifier.bin']!.path).subarray(0, 100));
    const runs = Object.values(broken).flatMap((path) => [
      ['evaluate', path, files.numbered, '--target', 'k'],
      ['predict', path, files.numbered, '--features', 'a,b,c'],
      ['export', path, '--to', 'onnx', '--out', join(dir, 'broken.onnx')],
      ['import', path, '--out', join(dir, 'broken.json')],
    ]);
    const results = await runAll(runs);
    results.forEach((r, i) => expect(r.code, runs[i]!.join(' ')).toBe(2));
    expect(results[1]!.stderr).toBe(
      `simdnet: ${broken.unfitted}:1:1: the model's input normaliser ('zscore') was never fitted: it was saved before any training, so it cannot predict yet\n`,
    );
  });

  it('reads the data from standard input as -', async () => {
    const m = models['classifier.json']!;
    const r = await cliAsync(['evaluate', m.path, '-', '--json'], text);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ data: '<stdin>', rows: 60 });
    const t = await cliAsync(['train', '-', '--target', 'colour', '--epochs', '2', '--out', '-', '--quiet'], text);
    expect(t.code, t.stderr).toBe(0);
    expect(JSON.parse(t.stdout)).toMatchObject({ format: 'simdnet', schema: { target: { column: 'colour' } } });
  });
});

// How `simdnet train` holds rows out, stops and saves: the stratified split, the early stop and the
// epoch it keeps (against the per-epoch history it writes), the target detection, model files
// (binary, resumable bit for bit), the history and the plot, --mkdir, decimal commas, header-less files.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { holdOut } from '../src/cli/split.js';
import { cli, cliTempDir, writeFile } from './helpers/cli-runner.js';
import { rng } from './helpers/random-data.js';
import { blobsCsv } from './helpers/tables.js';

const dir = cliTempDir();
const blobs = writeFile(dir, 'blobs.csv', blobsCsv(120, 11));

describe('the held-out rows', () => {
  it('are a seeded, stratified share of every class, disjoint from the training rows', () => {
    // classes of 50, 30, 13 and 7 rows in a scrambled order
    const labels = Array.from({ length: 100 }, (_, i) => (i * 37) % 100).map((k) =>
      k < 50 ? 0 : k < 80 ? 1 : k < 93 ? 2 : 3,
    );
    const { train, held } = holdOut(100, 0.2, 9, labels);
    expect(held.length).toBe(20);
    expect([...train, ...held].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const count = (rows: Int32Array, c: number): number => [...rows].filter((r) => labels[r] === c).length;
    // exact shares 10, 6, 2.6, 1.4: the two largest remainders (0.6, 0.4) round up to 3 and 1
    expect([0, 1, 2, 3].map((c) => count(held, c))).toEqual([10, 6, 3, 1]);
    expect(holdOut(100, 0.2, 9, labels)).toEqual({ train, held });
    expect(holdOut(100, 0.2, 10, labels).held).not.toEqual(held);
    // without labels (a regression): the last fifth of the seeded shuffle
    expect(holdOut(100, 0.2, 9, null).held.length).toBe(20);
  });
});

describe('early stopping', () => {
  it('stops after --patience epochs without a better held-out loss and keeps the best epoch of the history', async () => {
    // overlapping classes (a quarter of the labels flipped), so the held-out loss turns up again
    const r0 = rng(21);
    const noisy = writeFile(
      dir,
      'noisy.csv',
      `a,b,c,colour\n${Array.from({ length: 120 }, () => {
        const [a, b, c] = [r0() * 2 - 1, r0() * 2 - 1, r0() * 2 - 1];
        const side = a + b > 0 !== r0() < 0.25;
        return `${a.toFixed(3)},${b.toFixed(3)},${c.toFixed(3)},${side ? 'red' : 'blue'}`;
      }).join('\n')}\n`,
    );
    const history = join(dir, 'history.json'),
      model = join(dir, 'stopped.json');
    const flags = ['--target', 'colour', '--lr', '0.05', '--patience', '4', '--no-refit', '--history', history];
    const r = await cli(['train', noisy, ...flags, '--out', model, '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    const epochs = JSON.parse(readFileSync(history, 'utf8')) as { epoch: number; heldOutLoss: number }[];
    expect(epochs.map((e) => e.epoch)).toEqual(Array.from({ length: result.epochs }, (_, i) => i + 1));
    // the best epoch by the rule (a fall of more than 1e-4), recomputed from the history
    let best = Number.POSITIVE_INFINITY,
      kept = 0;
    for (const e of epochs)
      if (e.heldOutLoss < best - 1e-4) {
        best = e.heldOutLoss;
        kept = e.epoch;
      }
    expect(result).toMatchObject({ stoppedBy: 'patience', keptEpoch: kept, epochs: kept + 4, refit: false });
    // the saved network is that epoch's: its held-out loss is the history's
    expect(result.heldOut.loss).toBe(best);
    expect(epochs.at(-1)!.heldOutLoss).toBeGreaterThan(best + 1e-3);
    expect(result.validationRows).toBe(24);
    expect(result.trainingRows).toBe(96);
  });

  it('--patience 0 trains every epoch; --validation 0 holds nothing out', async () => {
    const a = JSON.parse(
      (await cli(['train', blobs, '--target', 'colour', '--epochs', '7', '--patience', '0', '--json', '--quiet']))
        .stdout,
    );
    expect(a).toMatchObject({ epochs: 7, keptEpoch: 7, stoppedBy: 'epochs', refit: true, trainingRows: 120 });
    const b = JSON.parse(
      (await cli(['train', blobs, '--target', 'colour', '--epochs', '7', '--validation', '0', '--json', '--quiet']))
        .stdout,
    );
    expect(b).toMatchObject({ epochs: 7, validationRows: 0, heldOut: null, refit: false, trainingRows: 120 });
    const text = await cli(['train', blobs, '--target', 'colour', '--epochs', '7', '--validation', '0', '--quiet']);
    expect(text.stdout.split('\n')[0]).toBe('ran all 7 epochs (no held-out rows, so no early stopping)');
  });

  it('a table too small to hold a row out trains on all of it; a diverging run is one line, exit 2', async () => {
    const tiny = writeFile(dir, 'tiny.csv', 'a,b\n1,2.5\n2,4.5\n');
    const r = await cli(['train', tiny, '--target', 'b', '--epochs', '5', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ validationRows: 0, trainingRows: 2 });
    expect(r.stderr.split('\n')[0]).toBe(
      '2 rows are too few to hold any out; training on all of them without early stopping',
    );
    const asked = await cli(['train', tiny, '--target', 'b', '--validation', '0.1']);
    expect(asked.stderr).toBe(
      'simdnet: --validation 0.1 holds out 0 of 2 rows; each side needs at least 1 (--validation 0 turns holding out off)\n',
    );
    const diabetes = join(import.meta.dirname, 'data', 'diabetes-train.csv');
    const d = await cli(['train', diabetes, '--target', 'progression', '--optimizer', 'sgd', '--lr', '1e6', '--quiet']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(
      /^simdnet: training diverged in epoch \d+: a weight or the loss stopped being a finite number; try a lower --lr than 1000000\n$/,
    );
  });

  it('--validation-file holds out another file and keeps its rows out of training', async () => {
    const other = writeFile(dir, 'blobs-valid.csv', blobsCsv(30, 12));
    const r = await cli(['train', blobs, '--target', 'colour', '--validation-file', other, '--json', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ validationRows: 30, trainingRows: 120, refit: false });
    const t = await cli(['train', blobs, '--target', 'colour', '--validation-file', other, '--quiet']);
    expect(t.stdout).toMatch(new RegExp(`^held-out \\(30 rows of ${other.replace(/[.]/g, '\\.')}\\): accuracy`));
  });
});

describe('the target', () => {
  const table = (values: (i: number) => string): string => {
    const r = rng(4);
    return `x,y\n${Array.from({ length: 60 }, (_, i) => `${(r() * 4).toFixed(3)},${values(i)}`).join('\n')}\n`;
  };

  it('integers with few distinct values are classes, with a note saying how to override', async () => {
    const file = writeFile(
      dir,
      'binary.csv',
      table((i) => String(i % 2)),
    );
    const r = await cli(['train', file, '--target', 'y', '--epochs', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ task: 'classification', classes: ['0', '1'] });
    expect(r.stderr.split('\n')[0]).toBe(
      '"y" holds 2 distinct integers (0, 1), so it is read as class labels; --task regression predicts it as a number',
    );
    const q = await cli(['train', file, '--target', 'y', '--epochs', '3', '--json', '--quiet']);
    expect(q.stderr).toBe('');
    const reg = await cli([
      'train',
      file,
      '--target',
      'y',
      '--epochs',
      '3',
      '--task',
      'regression',
      '--json',
      '--quiet',
    ]);
    expect(JSON.parse(reg.stdout).task).toBe('regression');
  });

  it('eleven distinct integers, or fractions, are a regression', async () => {
    for (const values of [(i: number) => String(i % 11), (i: number) => (i / 4).toFixed(2)]) {
      const file = writeFile(dir, 'numbers.csv', table(values));
      const r = await cli(['train', file, '--target', 'y', '--epochs', '3', '--json', '--quiet']);
      expect(JSON.parse(r.stdout).task).toBe('regression');
    }
  });
});

describe('files', () => {
  it('a .bin model holds the schema, evaluates as the .json one does, and is smaller', async () => {
    const json = join(dir, 'm.json'),
      bin = join(dir, 'm.bin');
    const flags = ['train', blobs, '--target', 'colour', '--epochs', '10', '--quiet'];
    expect((await cli([...flags, '--out', json])).code).toBe(0);
    expect((await cli([...flags, '--out', bin])).code).toBe(0);
    const bytes = readFileSync(bin);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe('simdnet\0');
    expect(bytes.length).toBeLessThan(readFileSync(json).length);
    const a = await cli(['evaluate', json, blobs, '--json']);
    const b = await cli(['evaluate', bin, blobs, '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect({ ...JSON.parse(b.stdout), model: '' }).toEqual({ ...JSON.parse(a.stdout), model: '' });
    // --format overrides the name
    const forced = join(dir, 'm.model');
    expect((await cli([...flags, '--out', forced, '--format', 'bin'])).code).toBe(0);
    expect(readFileSync(forced).subarray(0, 7).toString()).toBe('simdnet');
  });

  it('leaves the optimizer state out unless --resumable, which continues bit for bit', async () => {
    const plain = join(dir, 'plain.json'),
      resumable = join(dir, 'resumable.json'),
      longer = join(dir, 'longer.json');
    const flags = ['train', blobs, '--target', 'colour', '--validation', '0', '--quiet'];
    await cli([...flags, '--epochs', '3', '--out', plain]);
    await cli([...flags, '--epochs', '3', '--out', resumable, '--resumable']);
    await cli([...flags, '--epochs', '6', '--out', longer]);
    expect(JSON.parse(readFileSync(plain, 'utf8')).training).toBeUndefined();
    const saved = JSON.parse(readFileSync(resumable, 'utf8'));
    expect(saved.training.state).not.toBeNull();
    // three more epochs from the file, as the command line trains (the library's defaults): the
    // model of six epochs; the labels are read through the classes the file keeps
    const lines = readFileSync(blobs, 'utf8').trim().split('\n').slice(1);
    const x = lines.map((l) => l.split(',').slice(0, 3).map(Number));
    const labels = lines.map((l) => l.split(',')[3]!);
    const net = await NN.fromJSON(saved);
    expect(net.classes).toEqual(['blue', 'green', 'red']);
    net.train(x, labels, { epochs: 3 });
    expect(net.getWeights()).toEqual((await NN.fromJSON(JSON.parse(readFileSync(longer, 'utf8')))).getWeights());
    net.dispose();
  });

  it('--history as CSV and --plot as SVG', async () => {
    const csv = join(dir, 'h.csv'),
      svg = join(dir, 'curve.svg');
    const r = await cli([
      'train',
      blobs,
      '--target',
      'colour',
      '--epochs',
      '5',
      '--patience',
      '0',
      '--history',
      csv,
      '--plot',
      svg,
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('epoch,loss,heldOutLoss,accuracy,heldOutAccuracy,learningRate,elapsedMs');
    expect(rows.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([1, 2, 3, 4, 5]);
    const plot = readFileSync(svg, 'utf8');
    expect(plot).toMatch(/^<svg /);
    expect(plot.match(/<polyline /g)).toHaveLength(3); // training loss, held-out loss, held-out accuracy
    expect(plot).toContain('held-out accuracy');
  });

  it('a --test file that cannot be read stops the run before training, and writes no model', async () => {
    const out = join(dir, 'never.json'),
      missing = join(dir, 'nowhere.csv');
    const r = await cli(['train', blobs, '--target', 'colour', '--test', missing, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`simdnet: ${missing}:1:1: no such file\n`);
    expect(existsSync(out)).toBe(false);
  });

  it('an output folder that does not exist is an error before training, unless --mkdir', async () => {
    const out = join(dir, 'new', 'deeper', 'm.json');
    const r = await cli(['train', blobs, '--target', 'colour', '--epochs', '2', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `simdnet: --out: the folder ${join(dir, 'new', 'deeper')} does not exist; create it, or add --mkdir\n`,
    );
    expect(r.stdout).toBe('');
    expect(
      (await cli(['train', blobs, '--target', 'colour', '--epochs', '2', '--out', out, '--mkdir', '--quiet'])).code,
    ).toBe(0);
    expect(existsSync(out)).toBe(true);
  });
});

describe('tables as people write them', () => {
  const lines = readFileSync(blobs, 'utf8').trim().split('\n');

  it('decimal commas are read with --decimal , and explained without it', async () => {
    const semicolons = writeFile(
      dir,
      'comma.csv',
      `${lines.map((l) => l.replace(/,/g, ';').replace(/\./g, ',')).join('\n')}\n`,
    );
    const flags = ['--target', 'colour', '--epochs', '3', '--quiet', '--json', '--delimiter', ';'];
    const r = await cli(['train', semicolons, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^simdnet: .*comma\.csv:1:1: feature "a" holds numbers written with decimal commas \("-?\d+,\d+"\); read them with --decimal ,\n$/,
    );
    const read = await cli(['train', semicolons, ...flags, '--decimal', ',']);
    const plain = await cli(['train', blobs, '--target', 'colour', '--epochs', '3', '--quiet', '--json']);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout).training).toEqual(JSON.parse(plain.stdout).training);
    const clash = await cli(['train', blobs, '--target', 'colour', '--decimal', ',']);
    expect(clash.stderr).toBe("simdnet: --decimal , needs another field delimiter, such as --delimiter ';'\n");
  });

  it('a file without a header row is refused with a hint, and read with --no-header', async () => {
    const bare = writeFile(dir, 'bare.csv', `${lines.slice(1).join('\n')}\n`);
    const r = await cli(['train', bare, '--target', 'colour']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /bare\.csv:1:1: the first row looks like data, not column names \(3 of its 4 fields are numbers\): add --no-header/,
    );
    const read = await cli(['train', bare, '--target', '4', '--no-header', '--epochs', '3', '--quiet', '--json']);
    const plain = await cli(['train', blobs, '--target', 'colour', '--epochs', '3', '--quiet', '--json']);
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout)).toMatchObject({ features: ['1', '2', '3'], target: '4', rows: 120 });
    expect(JSON.parse(read.stdout).training).toEqual(JSON.parse(plain.stdout).training);
  });
});

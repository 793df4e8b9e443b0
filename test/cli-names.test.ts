// A model's names travel with it: the column schema (feature columns, text columns' categories,
// training means for missing cells, the target), the inputs' names and the class labels are the
// library model's metadata, so `simdnet export` to ONNX or TF.js and `simdnet import` back keep them,
// and evaluate and predict on any of those files read the original table and answer with the
// original names, as on the model file itself. Files written before the names moved into the
// metadata (the schema under `meta`, classes and the target's scale inside it) still read, and
// their exports carry the names too.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, cliTempDir } from './helpers/cli-runner.js';
import { expectClose } from './helpers/tolerance.js';

const dir = cliTempDir();
// text columns (island, sex), missing cells (filled with the training means) and text class labels
const penguins = resolve(import.meta.dirname, '..', 'examples', 'data', 'penguins.csv');
const at = (name: string): string => join(dir, name);

type Row = Record<string, string | number | null>;

async function json(args: string[]): Promise<unknown> {
  const r = await cli(args);
  expect(r.code, `simdnet ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout);
}

async function exportAndImport(model: string, name: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [to, out, file] of [
    ['onnx', at(`${name}.onnx`), at(`${name}.onnx`)],
    ['tfjs', at(`${name}-tfjs`), join(at(`${name}-tfjs`), 'model.json')],
  ] as const) {
    await json(['export', model, '--to', to, '--out', out, '--json']);
    files[to] = file;
    // and back into simdnet's own formats
    const back = at(`${name}-from-${to}.${to === 'onnx' ? 'json' : 'bin'}`);
    await json(['import', file, '--out', back, '--json']);
    files[`${to} → ${back.endsWith('.bin') ? 'bin' : 'json'}`] = back;
  }
  return files;
}

const classifier = { model: at('species.json'), files: {} as Record<string, string>, rows: [] as Row[] };
const regression = { model: at('mass.json'), files: {} as Record<string, string>, rows: [] as Row[] };

beforeAll(async () => {
  const train = (target: string, out: string, missing: string) =>
    json(['train', penguins, '--target', target, '--missing', missing, '--epochs', '20', '--out', out, '--json']);
  await train('species', classifier.model, 'mean');
  await train('body_mass_g', regression.model, 'drop');
  classifier.rows = (await json(['predict', classifier.model, penguins, '--json'])) as Row[];
  regression.rows = (await json(['predict', regression.model, penguins, '--json'])) as Row[];
  classifier.files = await exportAndImport(classifier.model, 'species');
  regression.files = await exportAndImport(regression.model, 'mass');
}, 120_000);

/** Predictions of another file of the same model: the same columns, classes and values (float32 apart). */
function expectSamePredictions(rows: Row[], native: Row[], what: string): void {
  expect(
    rows.map((r) => Object.keys(r)),
    what,
  ).toEqual(native.map((r) => Object.keys(r)));
  const values = (list: Row[]) => list.flatMap((r) => Object.values(r).filter((v) => typeof v === 'number'));
  expect(values(rows).length, what).toBe(values(native).length);
  const width = Math.max(...native.map((r) => values([r]).length));
  expectClose(values(rows), values(native), 1e-5, what, width);
  const labels = (list: Row[]) => list.map((r) => Object.values(r).find((v) => typeof v === 'string') ?? null);
  expect(labels(rows), what).toEqual(labels(native));
}

describe('the names through export and import', () => {
  it('the model file keeps the inputs, the classes and the column schema in the library metadata', () => {
    const saved = JSON.parse(readFileSync(classifier.model, 'utf8'));
    expect(saved.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
    expect(saved.features).toEqual([
      'island=Biscoe',
      'island=Dream',
      'island=Torgersen',
      'bill_length_mm',
      'bill_depth_mm',
      'flipper_length_mm',
      'body_mass_g',
      'sex=female',
      'sex=male',
      'year',
    ]);
    expect(saved.schema).toMatchObject({
      features: ['island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex', 'year'],
      categories: [['Biscoe', 'Dream', 'Torgersen'], null, null, null, null, ['female', 'male'], null],
      missing: 'mean',
      target: { column: 'species', task: 'classification' },
    });
    expect(saved.schema.means).toHaveLength(10);
    expect(classifier.rows[0]).toMatchObject({ species: 'Adelie' });
    expect(Object.keys(classifier.rows[0]!)).toEqual(['species', 'p(Adelie)', 'p(Chinstrap)', 'p(Gentoo)']);
  });

  for (const kind of ['onnx', 'tfjs', 'onnx → json', 'tfjs → bin']) {
    it(`${kind}: predict and evaluate read the original table and answer with the original names`, async () => {
      const file = classifier.files[kind]!;
      // the missing cells are filled and the text columns encoded as the schema says; a file
      // without it could not read this table at all
      expectSamePredictions((await json(['predict', file, penguins, '--json'])) as Row[], classifier.rows, file);
      const native = (await json(['evaluate', classifier.model, penguins, '--json'])) as Row;
      for (const flags of [[], ['--target', 'species']]) {
        const e = (await json(['evaluate', file, penguins, '--json', ...flags])) as Row;
        expect(e).toMatchObject({ task: 'classification', target: 'species', missing: 'mean', filledCells: 19 });
        expect(e.classes).toEqual(['Adelie', 'Chinstrap', 'Gentoo']);
        expect(e.confusionMatrix).toEqual(native.confusionMatrix);
      }
      const text = await cli(['evaluate', file, penguins]);
      expect(text.stdout).toMatch(/\nChinstrap /);

      const r = regression.files[kind]!;
      // the target's scale is the model's too: the export predicts grams
      expectSamePredictions((await json(['predict', r, penguins, '--json'])) as Row[], regression.rows, r);
      const mass = (await json(['evaluate', r, penguins, '--json'])) as Row;
      const nativeMass = (await json(['evaluate', regression.model, penguins, '--json'])) as Row;
      expect(mass).toMatchObject({ task: 'regression', target: 'body_mass_g', droppedRows: nativeMass.droppedRows });
      expect(mass.rmse as number).toBeCloseTo(nativeMass.rmse as number, 2);
    });
  }

  it('import writes the names it read: the same metadata as the model file', () => {
    const original = JSON.parse(readFileSync(classifier.model, 'utf8'));
    const back = JSON.parse(readFileSync(classifier.files['onnx → json']!, 'utf8'));
    for (const key of ['features', 'classes', 'schema']) expect(back[key], key).toEqual(original[key]);
  });

  it('a file of the earlier layout (schema in meta, classes and target scale inside it) reads, and exports with the names', async () => {
    const legacy = (from: string, edit: (m: Record<string, unknown>, schema: Record<string, unknown>) => void) => {
      const m = JSON.parse(readFileSync(from, 'utf8'));
      const { features: _f, classes: _c, schema, ...rest } = m;
      edit(rest, schema);
      const path = from.replace(/\.json$/, '-v2.json');
      writeFileSync(path, JSON.stringify({ ...rest, version: 2, meta: schema }));
      return path;
    };
    const classes = legacy(classifier.model, (_, schema) => {
      (schema.target as Record<string, unknown>).classes = ['Adelie', 'Chinstrap', 'Gentoo'];
    });
    // the network learned standardised values; the schema mapped them back
    const mass = legacy(regression.model, (m, schema) => {
      const s = m.targetStandardizer as { mean: number[]; scale: number[] };
      Object.assign(schema.target as object, { mean: s.mean[0], std: s.scale[0] });
      m.targetStandardizer = undefined;
    });
    expectSamePredictions((await json(['predict', classes, penguins, '--json'])) as Row[], classifier.rows, classes);
    expectSamePredictions((await json(['predict', mass, penguins, '--json'])) as Row[], regression.rows, mass);
    for (const [file, rows] of [
      [classes, classifier.rows],
      [mass, regression.rows],
    ] as const) {
      const onnx = file.replace(/\.json$/, '.onnx');
      await json(['export', file, '--to', 'onnx', '--out', onnx, '--json']);
      expectSamePredictions((await json(['predict', onnx, penguins, '--json'])) as Row[], rows, onnx);
    }
  });
});

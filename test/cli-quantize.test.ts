// simdnet quantize: an int8 model file from a model file (its column schema kept), both sizes, the
// float and int8 figures side by side with --test (checked against evaluate on each file), static
// ranges with --calibration; predict, evaluate and export take the int8 file like any other, and a
// bad call is one line with exit code 2.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { cli, cliTempDir } from './helpers/cli-runner.js';

const dir = cliTempDir();
const data = (name: string) => join(import.meta.dirname, 'data', name);

describe('simdnet quantize', () => {
  it('writes an int8 model with the schema, prints both sizes, and both accuracies that evaluate gives', async () => {
    const model = join(dir, 'wine.json'),
      int8 = join(dir, 'wine.int8.json');
    expect((await cli(['train', data('wine-train.csv'), '--target', 'cultivar', '--out', model, '--quiet'])).code).toBe(
      0,
    );
    const r = await cli(['quantize', model, '--out', int8, '--test', data('wine-test.csv')]);
    expect(r.code, r.stderr).toBe(0);
    const size = (file: string) => statSync(file).size;
    expect(r.stdout).toContain(`${size(int8).toLocaleString('en-US')} bytes`);
    expect(r.stdout).toMatch(/13-100-3 quantized to int8: .* of the float model's/);
    const saved = JSON.parse(readFileSync(int8, 'utf8'));
    expect(saved.precision).toBe('int8');
    expect(saved.schema).toEqual(JSON.parse(readFileSync(model, 'utf8')).schema);
    // the side-by-side figures are evaluate's on each file
    const figure = async (file: string) =>
      JSON.parse((await cli(['evaluate', file, data('wine-test.csv'), '--json'])).stdout).accuracy as number;
    const [f32, i8] = [await figure(model), await figure(int8)];
    expect(r.stdout).toContain(`float32 accuracy ${(100 * f32).toFixed(2)}%, int8 accuracy ${(100 * i8).toFixed(2)}%`);
    const j = JSON.parse(
      (await cli(['quantize', model, '--out', join(dir, 'w.bin'), '--test', data('wine-test.csv'), '--json'])).stdout,
    );
    expect(j.bytes.int8).toBe(size(join(dir, 'w.bin')));
    expect(j.test.float32.accuracy).toBe(f32);
    expect(j.test.int8.accuracy).toBe(i8);
  });

  it('--calibration fits static ranges; predict, evaluate and export read the int8 file', async () => {
    const model = join(dir, 'diabetes.json'),
      int8 = join(dir, 'diabetes.int8.bin');
    expect(
      (await cli(['train', data('diabetes-train.csv'), '--target', 'progression', '--out', model, '--quiet'])).code,
    ).toBe(0);
    const r = await cli([
      'quantize',
      model,
      '--out',
      int8,
      '--calibration',
      data('diabetes-train.csv'),
      '--test',
      data('diabetes-test.csv'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ranges calibrated on .*: .* bytes, .*% of the float model's .* \(bin\)/);
    expect(r.stdout).toMatch(/float32 RMSE \d.*, int8 RMSE \d/);
    const back = await NN.fromBinary(readFileSync(int8));
    expect(back.precision).toBe('int8');
    expect((back.toJSON().ranges ?? []).every((v) => v > 0)).toBe(true);
    back.dispose();
    const predicted = await cli(['predict', int8, data('diabetes-test.csv')]);
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(predicted.stdout.split('\n')[0]).toBe('progression');
    const evaluated = JSON.parse((await cli(['evaluate', int8, data('diabetes-test.csv'), '--json'])).stdout);
    expect(evaluated.rmse).toBeGreaterThan(0);
    const onnx = await cli(['export', int8, '--to', 'onnx', '--out', join(dir, 'diabetes.int8.onnx')]);
    expect(onnx.code, onnx.stderr).toBe(0);
    const tfjs = await cli(['export', int8, '--to', 'tfjs', '--out', join(dir, 'tfjs')]);
    expect(tfjs.code).toBe(2);
    expect(tfjs.stderr).toMatch(/no int8 layers/);
  });

  it.each([
    [['quantize', 'missing.json', '--out', 'x.json'], /missing.json/],
    [['quantize', 'MODEL', '--engine', 'gpu', '--out', 'x.json'], /--engine must be one of wasm, js, auto/],
    [['quantize', 'MODEL'], /--out is required/],
    [['quantize', 'MODEL', '--out', 'x.onnx'], /simdnet writes its own model files here/],
    [['quantize', 'INT8', '--out', 'y.json'], /quantized already/],
    [['quantize', 'MODEL', '--out', 'y.json', '--calibration', 'nowhere.csv'], /nowhere.csv/],
  ])('%j: one line, exit code 2', async (args, message) => {
    const model = join(dir, 'iris.json'),
      int8 = join(dir, 'iris.int8.json');
    if ((await cli(['evaluate', model, data('iris-test.csv')])).code !== 0) {
      await cli(['train', data('iris-train.csv'), '--target', 'species', '--out', model, '--quiet']);
      await cli(['quantize', model, '--out', int8, '--quiet']);
    }
    const r = await cli(
      args.map((a) => (a === 'MODEL' ? model : a === 'INT8' ? int8 : a)),
      dir,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

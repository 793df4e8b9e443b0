// Interop on the command line: export to ONNX and TF.js, import back, and predict/evaluate straight
// from an .onnx file or a TF.js model.json (by the names it carries, or, from another producer, the
// columns in file order), with one-line errors. cli-names.test.ts follows the names through.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
import { toONNX } from '../src/interop/index.js';
import { expectClose } from './helpers/tolerance.js';
import { cli, cliTempDir, writeFile } from './helpers/cli-runner.js';
import { blobsCsv } from './helpers/tables.js';
import { onnxRuntime, tensorflow } from './helpers/interop-runtimes.js';

const dir = cliTempDir();

describe('simdnet export / import', () => {
  it('exports a trained model to ONNX and TF.js, which predict as simdnet predict does, and imports both back', async () => {
    const train = writeFile(dir, 'blobs.csv', blobsCsv(120, 1));
    const test = writeFile(dir, 'blobs-test.csv', blobsCsv(30, 2));
    const model = join(dir, 'blobs.json');
    expect((await cli(['train', train, '--target', 'colour', '--epochs', '20', '--out', model, '--quiet'])).code).toBe(
      0,
    );

    const onnx = join(dir, 'blobs.onnx'),
      tfjs = join(dir, 'tfjs');
    const e1 = await cli(['export', model, '--to', 'onnx', '--out', onnx]);
    expect(e1.code, e1.stderr).toBe(0);
    expect(e1.stdout).toMatch(/3-100-3 network written to .*blobs\.onnx/);
    const e2 = await cli(['export', model, '--to', 'tfjs', '--out', tfjs]);
    expect(e2.code, e2.stderr).toBe(0);
    expect(existsSync(join(tfjs, 'model.json')) && existsSync(join(tfjs, 'weights.bin'))).toBe(true);

    // the other runtimes agree with the saved model on the test rows (its features, normalised inside the files)
    const x = Float32Array.from(
      readFileSync(test, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .flatMap((l) => l.split(',').slice(0, 3).map(Number)),
    );
    const net = await NN.fromJSON(JSON.parse(readFileSync(model, 'utf8')) as never, { engine: 'js' });
    const ours = net.predict(x);
    expectClose(await onnxRuntime(new Uint8Array(readFileSync(onnx)), x, 3), ours, 1e-5, 'ONNX Runtime', 3);
    const modelJSON = JSON.parse(readFileSync(join(tfjs, 'model.json'), 'utf8'));
    expectClose(
      await tensorflow({ modelJSON, weightData: new Uint8Array(readFileSync(join(tfjs, 'weights.bin'))) }, x, 3),
      ours,
      1e-5,
      'TF.js',
      3,
    );
    net.dispose();

    // predict straight from the exported files: they name the feature columns and the classes
    const features = writeFile(
      dir,
      'features.csv',
      readFileSync(test, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(',').slice(0, 3).join(','))
        .join('\n'),
    );
    const native = (await cli(['predict', model, test])).stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(1).map(Number));
    const classes = ['blue', 'green', 'red'];
    for (const file of [onnx, join(tfjs, 'model.json')]) {
      const p = await cli(['predict', file, features]);
      expect(p.code, p.stderr).toBe(0);
      const lines = p.stdout.trim().split('\n');
      // the class, then one probability per class, named as in the training table
      expect(lines[0]).toBe('colour,p(blue),p(green),p(red)');
      const probabilities = lines.slice(1).map((l) => l.split(',').slice(1).map(Number));
      expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(
        probabilities.map((row) => classes[row.indexOf(Math.max(...row))]),
      );
      expectClose(probabilities.flat(), native.flat(), 1e-5, `predict ${file}`, 3);
      const ev = await cli(['evaluate', file, test, '--json']);
      expect(ev.code, ev.stderr).toBe(0);
      expect(JSON.parse(ev.stdout)).toMatchObject({ target: 'colour', classes });
    }

    // import both back: the same network as the original (same predictions)
    for (const file of [onnx, join(tfjs, 'model.json')]) {
      const out = join(dir, `imported-${file.endsWith('.onnx') ? 'onnx' : 'tfjs'}.json`);
      const im = await cli(['import', file, '--out', out]);
      expect(im.code, im.stderr).toBe(0);
      expect(im.stdout).toMatch(/3-100-3 network \(relu, softmax; loss cross-entropy; input normaliser\) written/);
      const p = await cli(['predict', out, features]);
      expectClose(
        p.stdout
          .trim()
          .split('\n')
          .slice(1)
          .flatMap((l) => l.split(',').slice(1).map(Number)),
        native.flat(),
        1e-5,
        `predict ${out}`,
        3,
      );
    }
  });

  it("another producer's file without names: the columns in file order, the classes by output index", async () => {
    // a network trained on one-hot rows of numbers, exported without any names
    const lines = blobsCsv(90, 3).trim().split('\n').slice(1);
    const x = lines.map((l) => l.split(',').slice(0, 3).map(Number));
    const k = lines.map((l) => ['blue', 'green', 'red'].indexOf(l.split(',')[3]!));
    const net = await NN.create({ layers: [3, 16, 3], seed: 4 });
    net.train(
      x,
      k.map((c) => [0, 1, 2].map((i) => (i === c ? 1 : 0))),
      { epochs: 30 },
    );
    expect(net.classes).toEqual([0, 1, 2]);
    const onnx = join(dir, 'nameless.onnx');
    writeFileSync(onnx, toONNX(net));
    net.dispose();
    const data = writeFile(
      dir,
      'numbered.csv',
      ['a,b,c,k', ...lines.map((l, i) => `${l.split(',').slice(0, 3).join(',')},${k[i]}`)].join('\n'),
    );
    const p = await cli(['predict', onnx, data, '--id', 'k']);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.split('\n')[0]).toBe('k,class,p(0),p(1),p(2)');
    const ev = await cli(['evaluate', onnx, data, '--target', 'k', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout)).toMatchObject({ classes: ['0', '1', '2'] });
    expect(JSON.parse(ev.stdout).accuracy).toBeGreaterThan(0.9);
  });

  it('bad input is one line naming the file, exit code 2, no output file', async () => {
    const junk = writeFile(dir, 'junk.onnx', 'not protobuf at all, just text\n');
    const out = join(dir, 'never.json');
    const r = await cli(['import', junk, '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^simdnet: .*junk\.onnx:1:1: ONNX model: /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);

    const conv = await cli(['import', join(import.meta.dirname, 'fixtures/onnx/conv1d.dynamo.onnx'), '--out', out]);
    expect(conv.code).toBe(2);
    expect(conv.stderr).toMatch(/node 'node_conv1d' \(Conv\)/);

    writeFile(
      dir,
      'lonely-model.json',
      JSON.stringify({
        format: 'layers-model',
        modelTopology: {},
        weightsManifest: [{ paths: ['weights.bin'], weights: [] }],
      }),
    );
    const w = await cli(['predict', join(dir, 'lonely-model.json'), junk]);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/weights\.bin:1:1: no such file/);

    const usage = await cli(['export', join(dir, 'lonely-model.json'), '--to', 'keras', '--out', out]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--to must be one of onnx, tfjs/);
  });
});

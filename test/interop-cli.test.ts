// Interop on the command line: export to ONNX and TF.js, import back, and predict/evaluate straight
// from an .onnx file or a TF.js model.json (columns in file order), with one-line errors.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NN } from '../src/index.js';
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
    expect(e1.stderr).toMatch(/3-100-3 network written to .*blobs\.onnx/);
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

    // predict straight from the foreign files: columns in file order (the target column is one of them, so drop it)
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
    for (const file of [onnx, join(tfjs, 'model.json')]) {
      const p = await cli(['predict', file, features]);
      expect(p.code, p.stderr).toBe(0);
      const lines = p.stdout.trim().split('\n');
      // a softmax output without a column schema: the class index, then one probability per class
      expect(lines[0]).toBe('class,p(0),p(1),p(2)');
      const probabilities = lines.slice(1).map((l) => l.split(',').slice(1).map(Number));
      expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual(
        probabilities.map((row) => row.indexOf(Math.max(...row))),
      );
      expectClose(probabilities.flat(), native.flat(), 1e-5, `predict ${file}`, 3);
    }

    // evaluate from ONNX with a numeric class column
    const labelled = writeFile(
      dir,
      'labelled.csv',
      readFileSync(test, 'utf8')
        .trim()
        .split('\n')
        .map((l, i) => {
          const cells = l.split(',');
          return i === 0
            ? 'a,b,c,k'
            : [...cells.slice(0, 3), String(['blue', 'green', 'red'].indexOf(cells[3]!))].join(',');
        })
        .join('\n'),
    );
    const ev = await cli(['evaluate', onnx, labelled, '--target', 'k', '--json']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(JSON.parse(ev.stdout).accuracy).toBeGreaterThan(0.9);

    // import both back: the same network as the original (same predictions)
    for (const file of [onnx, join(tfjs, 'model.json')]) {
      const out = join(dir, `imported-${file.endsWith('.onnx') ? 'onnx' : 'tfjs'}.json`);
      const im = await cli(['import', file, '--out', out]);
      expect(im.code, im.stderr).toBe(0);
      expect(im.stderr).toMatch(/3-100-3 network \(relu, softmax; loss cross-entropy; input normaliser\) written/);
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

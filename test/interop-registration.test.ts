// Interop registration: NN's ONNX and TF.js methods work once 'simdnet/interop' is imported and
// say so before; the built bundles share one NN class (dist/interop.js imports the core from
// ./index.js), and the package's exports map resolves 'simdnet/interop' with its types.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { NN } from '../src/index.js';

const root = new URL('..', import.meta.url);

describe('without simdnet/interop', () => {
  it('toONNX, toTFJS, fromONNX and fromTFJS throw an Error that says to import it', async () => {
    const net = NN.createSync({ layers: [2, 3, 1], engine: 'js', seed: 1 });
    const message =
      /^simdnet: (toONNX|toTFJS|fromONNX|fromTFJS) needs the ONNX and TF\.js codecs: import 'simdnet\/interop' once/;
    expect(() => net.toONNX()).toThrow(message);
    expect(() => net.toTFJS()).toThrow(message);
    await expect(NN.fromONNX(new Uint8Array(8))).rejects.toThrow(message);
    await expect(NN.fromTFJS({}, new Uint8Array(0))).rejects.toThrow(message);
    net.dispose();
  });
});

describe('the built package', () => {
  it('dist/interop.js registers into the NN of dist/index.js: one class, whichever entry comes first', async () => {
    const core = await import('../dist/index.js');
    const net = core.NN.createSync({ layers: [2, 3, 1], engine: 'js', seed: 1 });
    expect(() => net.toONNX()).toThrow(/import 'simdnet\/interop'/);
    const interop = await import('../dist/interop.js');
    expect(interop.NN).toBe(core.NN);
    const back = await core.NN.fromONNX(net.toONNX(), { engine: 'js' });
    expect(Array.from(back.predict([0.3, -0.7]))).toEqual(Array.from(net.predict([0.3, -0.7])));
    const files = net.toTFJS();
    const again = await interop.NN.fromTFJS(files.modelJSON, files.weightData, { engine: 'js' });
    expect(Array.from(again.predict([0.3, -0.7]))).toEqual(Array.from(net.predict([0.3, -0.7])));
    for (const n of [net, back, again]) n.dispose();
  });

  it("the exports map resolves 'simdnet/interop' (code and types) for Node, and the bundle holds no second core", () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
      exports: Record<string, { types: string; default: string }>;
      sideEffects: string[];
    };
    expect(pkg.exports['./interop']).toEqual({ types: './dist/interop.d.ts', default: './dist/interop.js' });
    expect(existsSync(new URL(pkg.exports['./interop']!.types, root))).toBe(true);
    expect(pkg.sideEffects).toContain('./dist/interop.js'); // bundlers keep a bare import 'simdnet/interop'
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { NN } from 'simdnet/interop'; import * as core from 'simdnet'; const n = NN.createSync({ layers: [1, 1], engine: 'js', seed: 2 }); console.log(NN === core.NN, (await core.NN.fromONNX(n.toONNX())).layers.join())",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('true 1,1');
    const bundle = readFileSync(new URL('dist/interop.js', root), 'utf8');
    expect(bundle).not.toMatch(/WebAssembly/);
    expect(bundle.match(/from\s*"\.\/index\.js"/g)).toHaveLength(1);
  });
});

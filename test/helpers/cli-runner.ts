// Runs the command line as a user does: src/cli/main.ts bundled by esbuild (as scripts/build.mjs does,
// with the Wasm embedded), then spawned with node; each test file works in its own temporary folder.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
let bundled: Promise<string> | null = null;

/** Bundles the CLI once per test file, under node_modules so its dependencies resolve. */
function cliPath(): Promise<string> {
  bundled ??= (async () => {
    const dir = join(root, 'node_modules', '.cache', 'simdnet-cli-test');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `cli-${process.pid}-${Date.now()}.mjs`);
    await build({
      entryPoints: [join(root, 'src', 'cli', 'main.ts')],
      outfile,
      bundle: true,
      format: 'esm',
      target: 'es2022',
      platform: 'node',
      packages: 'external',
      loader: { '.wasm': 'binary' },
      logLevel: 'error',
    });
    return outfile;
  })();
  return bundled;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], cwd = root, input?: string): Promise<Run> {
  const r = spawnSync(process.execPath, [await cliPath(), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the command line without blocking, so that several runs can share the machine's cores. */
export async function cliAsync(args: string[], input?: string, cwd = root): Promise<Run> {
  const path = await cliPath();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [path, ...args], { cwd });
    let stdout = '',
      stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
    // a command that stops before reading its input closes the pipe first (EPIPE): its exit code and
    // output are what the tests judge
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Runs the jobs, `width` at a time, and returns their results in order. */
export async function inPool<T, R>(items: T[], width: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await job(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** A temporary folder for the calling test file: the CLI is bundled before its tests, the folder removed after them. */
export function cliTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
  beforeAll(() => cliPath());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export interface Trained {
  code: number;
  stderr: string;
  path: string;
  result: Record<string, unknown>;
  model: { weights: number[][]; normalizer: unknown; schema: Record<string, unknown> };
}

/** `simdnet train <file> --json --quiet --out <model>` with the given flags: its result and the saved model. */
export async function trainModel(dir: string, file: string, flags: string[]): Promise<Trained> {
  const out = join(dir, `model-${Math.random().toString(36).slice(2)}.json`);
  const r = await cli(['train', file, ...flags, '--json', '--quiet', '--out', out]);
  if (r.code !== 0)
    return {
      code: r.code,
      stderr: r.stderr,
      path: out,
      result: {},
      model: { weights: [], normalizer: null, schema: {} },
    };
  return {
    code: 0,
    stderr: r.stderr,
    path: out,
    result: JSON.parse(r.stdout),
    model: JSON.parse(readFileSync(out, 'utf8')),
  };
}

/** Two training runs made the same network: the same normaliser and weights, bit for bit. */
export function expectSameNetwork(a: Trained, b: Trained): void {
  expect(a.code, a.stderr).toBe(0);
  expect(b.code, b.stderr).toBe(0);
  expect(a.model.normalizer).toEqual(b.model.normalizer);
  expect(a.model.weights).toEqual(b.model.weights);
}

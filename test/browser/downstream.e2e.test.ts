// The packed package (npm pack, as a user installs it) imported by a small app four ways: as is
// through an import map, bundled by esbuild, bundled by Vite, and from the Vite dev server, none
// with any configuration.
// Each build is served statically and run in Chromium: it must train, predict, and train in a worker
// while requestAnimationFrame keeps ticking.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright';
import { serveStatic } from '../../scripts/serve.mjs';
import { launchChromium } from './chromium.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const tmp = join(repo, 'test/.tmp/downstream');
const fixture = fileURLToPath(new URL('./fixtures/app', import.meta.url));

interface AppResult {
  error?: string;
  engines: { available: string[]; selected: string };
  build: string;
  xor: number[];
  workerXor: number[];
  worker: { ms: number; frames: number; epochs: number[]; build: string; startupMs: number; error: number };
}

describe('downstream apps in Chromium', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let devServer: import('vite').ViteDevServer;

  beforeAll(async () => {
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(join(tmp, 'node_modules'), { recursive: true });
    // install simdnet as npm would: the packed tarball, unpacked into node_modules. `npm test` has
    // built dist/ already; --ignore-scripts keeps npm pack from running `prepare`, a rebuild that
    // would delete dist/ and rewrite build/*.wasm while other test files read them
    const tarball = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', tmp], {
      cwd: repo,
      encoding: 'utf8',
    })
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['-xzf', join(tmp, tarball), '-C', join(tmp, 'node_modules')]);
    cpSync(join(tmp, 'node_modules/package'), join(tmp, 'node_modules/simdnet'), { recursive: true });
    rmSync(join(tmp, 'node_modules/package'), { recursive: true });
    writeFileSync(
      join(tmp, 'package.json'),
      JSON.stringify({ name: 'app', private: true, type: 'module', dependencies: { simdnet: 'file:simdnet' } }),
    );

    // 1. no bundler: the page maps the bare name to the package's file
    cpSync(fixture, join(tmp, 'plain'), { recursive: true });
    const html = readFileSync(join(tmp, 'plain/index.html'), 'utf8').replace(
      '<script type="module"',
      '<script type="importmap">{ "imports": { "simdnet": "../node_modules/simdnet/dist/index.js" } }</script>\n  <script type="module"',
    );
    writeFileSync(join(tmp, 'plain/index.html'), html);

    // 2. esbuild: bundle the app with its defaults (only what every ESM app needs)
    cpSync(fixture, join(tmp, 'esbuild-src'), { recursive: true });
    const esbuild = await import('esbuild');
    await esbuild.build({
      absWorkingDir: tmp,
      entryPoints: ['esbuild-src/main.js'],
      bundle: true,
      format: 'esm',
      outdir: 'esbuild',
      minify: true,
      logLevel: 'error',
    });
    cpSync(join(fixture, 'index.html'), join(tmp, 'esbuild/index.html'));

    // 3. Vite: `vite build` of the app folder, no config file
    cpSync(fixture, join(tmp, 'vite-src'), { recursive: true });
    const vite = await import('vite');
    await vite.build({
      root: join(tmp, 'vite-src'),
      configFile: false,
      logLevel: 'error',
      base: './',
      build: { outDir: join(tmp, 'vite'), emptyOutDir: true },
    });

    // 4. the Vite dev server on the same app folder (dependencies pre-bundled by Vite, no config)
    devServer = await vite.createServer({
      root: join(tmp, 'vite-src'),
      configFile: false,
      logLevel: 'error',
      server: { port: 0, host: '127.0.0.1' },
    });
    await devServer.listen();

    server = await serveStatic(tmp);
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await devServer?.close();
  });

  for (const app of ['plain', 'esbuild', 'vite', 'vite dev server']) {
    it(`${app}: trains, predicts, and trains in a worker while frames keep coming`, async () => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(app === 'vite dev server' ? devServer.resolvedUrls!.local[0]! : `${server.url}${app}/`);
      await page.waitForFunction(() => document.title === 'done', undefined, { timeout: 60_000 });
      const r = (await page.evaluate('window.__result')) as AppResult;
      expect(r.error).toBeUndefined();
      expect(r.engines.available).toEqual(['relaxed-simd', 'simd', 'js']);
      expect(r.build).toBe('relaxed-simd');
      expect(r.xor.map((y) => Math.round(y))).toEqual([0, 1, 1, 0]);
      expect(r.workerXor).toEqual(r.xor); // the worker ran the same code on the same seed
      expect(r.worker.build).toBe('relaxed-simd');
      expect(r.worker.epochs).toEqual([1, 2, 3, 4, 5, 6]);
      expect(r.worker.ms).toBeGreaterThan(300); // long enough for the frame count to mean something
      // at 60 Hz a free page draws ~ms/16.7 frames; a blocked one draws almost none
      expect(r.worker.frames).toBeGreaterThan(Math.max(10, (r.worker.ms / 16.7) * 0.25));
      expect(errors).toEqual([]);
      if (app !== 'vite dev server') {
        const files = readdirSync(join(tmp, app), { recursive: true }) as string[];
        expect(files.some((f) => f.endsWith('.wasm'))).toBe(false); // nothing to host beside the code
      }
      await page.close();
    });
  }
});

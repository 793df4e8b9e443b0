// Debian's Chromium driven by playwright (no downloaded browser), for tests that run in Node and
// open pages: the demo and the downstream builds. Playwright spawns the browser asynchronously, so
// the same process can serve the pages it loads.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH`);
  }
  // a fresh profile directory per launch is playwright's default
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** Where tests save screenshots (gitignored). */
export function artifactsDir(): string {
  const dir = new URL('../.artifacts/', import.meta.url).pathname;
  mkdirSync(dir, { recursive: true });
  return dir;
}

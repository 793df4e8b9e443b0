// The Chromium that npm test's first step found or installed (scripts/test-tools.mjs; CHROMIUM_PATH
// overrides it), driven by playwright, for tests that run in Node and open pages: the demo and the
// downstream builds. Playwright spawns the browser asynchronously, so the same process can serve
// the pages it loads.
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright';
import { readTools } from '../../scripts/test-tools.mjs';

export const CHROMIUM = readTools().chromium;
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: run npm test (its first step finds or installs one) or set CHROMIUM_PATH`,
    );
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

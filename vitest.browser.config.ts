// The tests that run inside Chromium (vitest browser mode): test/**/*.browser.test.ts, in the
// Chromium that npm test's first step found or installed (test/browser/chromium.ts). `npm run test:browser`.
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import base from './vitest.config.js';
import { CHROMIUM, CHROMIUM_ARGS } from './test/browser/chromium.js';

export default defineConfig({
  plugins: base.plugins, // the .wasm-as-bytes plugin
  // cross-origin isolated pages, so that SharedArrayBuffer and threads exist (test/browser/threads.browser.test.ts);
  // the page without these headers is test/browser/threads.e2e.test.ts
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  test: {
    include: ['test/**/*.browser.test.ts'],
    testTimeout: 60_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
      instances: [{ browser: 'chromium' }],
    },
  },
});

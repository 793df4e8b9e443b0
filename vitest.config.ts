import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vitest/config';

// Tests import the same embedded .wasm bytes as the bundle; Vite has no binary loader, so this
// plugin turns a .wasm import into a module that decodes the file's bytes.
function wasmBytes(): Plugin {
  return {
    name: 'simdnet-wasm-bytes',
    enforce: 'pre',
    load(id) {
      if (!id.endsWith('.wasm')) return null;
      const base64 = readFileSync(id).toString('base64');
      return `const b = atob(${JSON.stringify(base64)}); const u = new Uint8Array(b.length);
for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);
export default u;`;
    },
  };
}

export default defineConfig({
  plugins: [wasmBytes()],
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/**/*.browser.test.ts'], // those run in Chromium: vitest.browser.config.ts
    testTimeout: 60_000,
    pool: 'threads',
  },
});

// npm run size: the gzipped size of what a user downloads (dist/index.js: the library with both
// Wasm builds embedded), split into code and Wasm, and a failure above the budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// 35 KB since the fused small-network epoch (assembly/small.ts and its twin: about 3.7 KB of Wasm and
// 1.4 KB of code gzipped, for 2.4× the speed on networks of a few neurons); it was 30 KB before.
const BUDGET = 35 * 1024;
const file = process.argv[2] ?? 'dist/index.js';
const text = readFileSync(file, 'utf8');
const gz = (s) => gzipSync(s, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
// the embedded Wasm: esbuild's binary loader writes each build as one long base64 string
const wasm = text.match(/"[A-Za-z0-9+/=]{1024,}"/g) ?? [];
const code = wasm.reduce((s, w) => s.replace(w, '""'), text);
const total = gz(text);
console.log(`${file}: ${kb(text.length)} minified, ${kb(total)} gzipped (budget ${kb(BUDGET)})`);
console.log(`  code ${kb(gz(code))} gzipped; embedded Wasm ${wasm.length} string(s), ${kb(wasm.reduce((n, w) => n + gz(w), 0))} gzipped`);
if (total > BUDGET) {
  console.error(`size: ${kb(total)} gzipped is over the ${kb(BUDGET)} budget`);
  process.exit(1);
}

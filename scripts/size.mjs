// npm run size: the gzipped size of what a user downloads, each bundle against its budget:
// dist/index.js (the library with both Wasm builds embedded, split into code and Wasm) and
// dist/interop.js (the ONNX and TF.js codecs with protobufjs, loaded only by `simdnet/interop`).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// dist/index.js: 35 KB since the fused small-network epoch (assembly/small.ts and its twin, about
// 3.7 KB of Wasm and 1.4 KB of code gzipped, for 2.4× the speed on networks of a few neurons);
// 36.5 KB since its one-row loop for narrow networks (about 1.3 KB of Wasm gzipped across both
// builds, for 1.2× on the article's network one row at a time, 1.45× with the shorter activations).
// 37 KB since threads (assembly/parallel.ts, the helper pool and its worker source, the second
// engine: about 0.4 KB net, after moving the packing buffers to per-instance scratch saved 1.4 KB of
// Wasm) and the one-row loop's shorter chain (0.4 KB, 4-5% on XOR's 2-3-1).
// 37.5 KB since the optimizer step shared among threads and claims that give each thread its own
// band first (0.4 KB of Wasm gzipped, for 1.0-1.2x -> about 1.5x on two threads at batch 32).
// 42.5 KB since the library's first hour (the defaults table and what a first train decides,
// class labels, named rows and brain.js samples, the training history, evaluate's metrics,
// summary(), the target standardizer and the model's names in every format: about 4.7 KB of code).
const BUDGETS = { 'dist/index.js': 42.5 * 1024, 'dist/interop.js': 40 * 1024 };
const files = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(BUDGETS);
const gz = (s) => gzipSync(s, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
let over = false;
for (const file of files) {
  const budget = BUDGETS[file] ?? BUDGETS['dist/index.js'];
  const text = readFileSync(file, 'utf8');
  // the embedded Wasm: esbuild's binary loader writes each build as one long base64 string
  const wasm = text.match(/"[A-Za-z0-9+/=]{1024,}"/g) ?? [];
  const code = wasm.reduce((s, w) => s.replace(w, '""'), text);
  const total = gz(text);
  console.log(`${file}: ${kb(text.length)} minified, ${kb(total)} gzipped (budget ${kb(budget)})`);
  if (wasm.length)
    console.log(
      `  code ${kb(gz(code))} gzipped; embedded Wasm ${wasm.length} string(s), ${kb(wasm.reduce((n, w) => n + gz(w), 0))} gzipped`,
    );
  if (total > budget) {
    console.error(`size: ${file} is ${kb(total)} gzipped, over its ${kb(budget)} budget`);
    over = true;
  }
}
if (over) process.exit(1);

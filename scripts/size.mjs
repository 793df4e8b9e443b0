// npm run size: the gzipped size of what a user downloads, each bundle against its budget:
// dist/index.js (the library with both Wasm builds embedded) and dist/interop.js (the ONNX and
// TF.js codecs with protobufjs, loaded only by `simdnet/interop`).
//
// For a bundle with embedded Wasm it also says what each part costs: the bundle gzipped with the
// part minus the bundle gzipped without it (the part's characters cut out, found through the
// source map), so a figure is what removing that part alone would save. gzip shares repeats
// between parts, so the figures add up to less than the whole; the difference is printed as
// what the parts share. `--files` gives the same figure for every source file.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { compressWasm, wasmBuilds } from './bundle.mjs';

// The budgets: each was raised only with a measured gain for what it buys (bench/RESULTS.md has the
// history and what each part costs). 40 KB is the core's target, threads and quantized inference
// included; it is reached only by moving features out of the core (the 'js' twin to an entry of its
// own, toFunction and summary out, the relaxed build dropped: bench/RESULTS.md prices each). Until
// that product decision is taken the gate holds the core at what it is, so that it cannot grow
// unnoticed, and prints how far over the target it is.
const TARGET = 40 * 1024;
const BUDGETS = { 'dist/index.js': 46 * 1024, 'dist/interop.js': 40 * 1024 };

// The parts of the core bundle, by source path (the first match wins); anything the map does not
// place (the wrapper bundle.mjs writes, esbuild's helpers) is the bundle's glue.
const AREAS = [
  ['embedding: unpack, memory flag', /^src\/runtime\/wasm-bytes\.ts$|^simdnet:wasm$/],
  ['quantization', /(^|\/)quant/],
  ["the 'js' twin", /^src\/js\//],
  ['abi: contract, descriptor views', /^src\/abi\//],
  ['runtime: memory, engines, threads', /^src\/runtime\//],
  ['formats: JSON, binary, summary, function', /^src\/format\//],
  ['model: rows, targets, normalisers, metrics', /^src\/model\//],
  ['training: options, session, loop, worker', /^src\/(trainer|training-loop|train-options|worker)\.ts$/],
  ['options, defaults, checks, errors', /^src\/(options|defaults|check|errors|vocabulary|float)\.ts$/],
  ['façade: NN, ResidentModel, functions', /^src\/(nn|resident|functions|index)\.ts$/],
];

const args = process.argv.slice(2);
const perFile = args.includes('--files');
const named = args.filter((a) => !a.startsWith('--'));
const files = named.length > 0 ? named : Object.keys(BUDGETS);
const gz = (s) => gzipSync(s, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** The source of every character of `text` (an index into map.sources, or -1), from a version-3 source map. */
function charSources(text, map) {
  const owner = new Int32Array(text.length).fill(-1);
  const lines = text.split('\n');
  const value = (c) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.indexOf(c);
  let lineStart = 0,
    source = 0;
  map.mappings.split(';').forEach((line, i) => {
    const starts = [];
    let column = 0;
    for (const segment of line ? line.split(',') : []) {
      const fields = [];
      for (let at = 0, v = 0, shift = 0; at < segment.length; at++) {
        const digit = value(segment[at]);
        v += (digit & 31) << shift;
        shift += 5;
        if (!(digit & 32)) {
          fields.push(v & 1 ? -(v >>> 1) : v >>> 1);
          v = shift = 0;
        }
      }
      column += fields[0];
      if (fields.length > 1) source += fields[1];
      starts.push([column, fields.length > 1 ? source : -1]);
    }
    const length = lines[i]?.length ?? 0;
    starts.forEach(([from, src], k) => owner.fill(src, lineStart + from, lineStart + (starts[k + 1]?.[0] ?? length)));
    lineStart += length + 1;
  });
  return owner;
}

/** text without the characters at which cut(i) is true */
const without = (text, cut) => Array.from(text, (c, i) => (cut(i) ? '' : c)).join('');

function account(file, text, wasm, total) {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  const owner = charSources(text, map);
  const sources = map.sources.map((s) => s.replace(/^(\.\.\/)+/, ''));
  const start = text.indexOf(wasm),
    end = start + wasm.length;
  const inWasm = (i) => i >= start && i < end;
  const rows = [];

  // the Wasm: the plain build, and what the relaxed build adds to the blob
  const [plain, relaxed] = wasmBuilds();
  if (wasm !== `"${compressWasm(Buffer.concat([plain, relaxed]))}"`)
    throw new Error(`size: ${file} does not embed the current build/*.wasm; run npm run build`);
  const withoutWasm = gz(text.replace(wasm, '""'));
  const second = total - gz(text.replace(wasm, `"${compressWasm(plain)}"`));
  rows.push([`Wasm: the plain SIMD build (${kb(plain.length)})`, total - withoutWasm - second, null]);
  rows.push([`Wasm: the relaxed build after the plain one (${kb(relaxed.length)})`, second, null]);

  const areaOf = sources.map((s) => AREAS.findIndex(([, re]) => re.test(s)));
  const groups = perFile
    ? sources.map((s, k) => [s, (i) => owner[i] === k])
    : [
        ...AREAS.map(([name], a) => [name, (i) => owner[i] >= 0 && areaOf[owner[i]] === a]),
        ['glue: the wrapper, esbuild helpers', (i) => owner[i] < 0 || areaOf[owner[i]] < 0],
      ];
  for (const [name, inGroup] of groups) {
    const cut = (i) => inGroup(i) && !inWasm(i);
    let chars = 0;
    for (let i = 0; i < text.length; i++) if (cut(i)) chars++;
    if (chars > 0) rows.push([name, total - gz(without(text, cut)), chars]);
  }
  rows.sort((a, b) => b[1] - a[1]);
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log('  each part: the bundle gzipped with it minus without it (minified size of the code)');
  for (const [name, bytes, chars] of rows)
    console.log(`    ${name.padEnd(width)} ${kb(bytes).padStart(8)}${chars === null ? '' : `  (${kb(chars)})`}`);
  const parts = rows.reduce((n, [, bytes]) => n + bytes, 0);
  console.log(
    `    ${'shared by the parts (gzip finds repeats across them)'.padEnd(width)} ${kb(total - parts).padStart(8)}`,
  );
}

let over = false;
for (const file of files) {
  const budget = BUDGETS[file] ?? BUDGETS['dist/index.js'];
  const text = readFileSync(file, 'utf8');
  const total = gz(text);
  console.log(`${file}: ${kb(text.length)} minified, ${kb(total)} gzipped (budget ${kb(budget)})`);
  if (file === 'dist/index.js' && total > TARGET)
    console.log(`  ${kb(total - TARGET)} over the ${kb(TARGET)} target: a product decision is open (scripts/size.mjs)`);
  // the embedded Wasm: one long base64 string (bundle.mjs's compressed builds)
  const wasm = text.match(/"[A-Za-z0-9+/=]{1024,}"/g) ?? [];
  if (wasm.length > 1) throw new Error(`size: ${file} embeds ${wasm.length} base64 strings; expected one blob`);
  if (wasm.length === 1) account(file, text, wasm[0], total);
  if (total > budget) {
    console.error(`size: ${file} is ${kb(total)} gzipped, over its ${kb(budget)} budget`);
    over = true;
  }
}
if (over) process.exit(1);

// The library bundle, dist/index.js: one ES module with both Wasm builds embedded, that runs in
// browsers and Node and survives downstream bundlers without configuration.
//
// Two things make it more than a plain esbuild run:
// - The Wasm is embedded compactly: both builds compressed together with LZMA (the relaxed build
//   differs from the plain one only where the FMA and the wider tiles are used, and LZMA finds the
//   rest in the first), in base64, unpacked synchronously at load by src/runtime/wasm-bytes.ts.
//   The string is the function's first statement, so that gzip meets all of it before the code.
// - The whole library is one function, `simdnet(self, isWorker)`, called once by a small ES-module
//   wrapper. trainInWorker starts a worker from `self.toString()`, so the worker runs the very
//   code the caller loaded, from a Blob (browsers) or an eval worker (Node): no second file that
//   a downstream bundler could fail to copy, and no second copy of the code in the bundle.
//   That function must not depend on anything outside it, so its code is ES2020: a downstream build
//   that targets ES2019 or later has nothing to lower in it, and so adds no helpers outside it
//   (one targeting ES2017 would lower `?.` with a helper and break the worker; checked by a test).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { minify } from 'terser';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const WASM_BYTES = here('../src/runtime/wasm-bytes.ts');
const BUILDS = ['build/simd.wasm', 'build/relaxed.wasm'];

/** src/runtime/wasm-bytes.ts as a module of this process (compiled by esbuild: Node 20 runs no TypeScript). */
async function importWasmBytes() {
  const { outputFiles } = await build({ entryPoints: [WASM_BYTES], bundle: true, write: false, format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

/**
 * Bytes as the bundle embeds them: an LZMA stream (the lzma package's strongest preset: lc 3, lp 0,
 * pb 2, the properties wasm-bytes.ts's decoder expects) without its 13-byte header and end
 * marker, in base64. npm run size measures with it too.
 */
export function compressWasm(bytes) {
  const { LZMA_WORKER } = createRequire(import.meta.url)('lzma/src/lzma_worker.js');
  LZMA_WORKER.disableEndMark = true;
  const stream = Uint8Array.from(LZMA_WORKER.compress(bytes, 9), (b) => b & 255);
  if (stream[0] !== 0x5d) throw new Error(`embedded Wasm: LZMA properties ${stream[0]}, expected lc 3, lp 0, pb 2`);
  return Buffer.from(stream.subarray(13)).toString('base64');
}

/** The plain and relaxed builds, one after the other, as the bundle embeds them. */
export const wasmBuilds = () => BUILDS.map((file) => readFileSync(file));

/**
 * esbuild plugin: both `build/*.wasm` imports come from one embedded blob, the plain SIMD build
 * followed by the relaxed one, compressed (compressWasm) and unpacked once at load. The base64
 * text is left to the wrapper (the free name __simdnetWasm); the round trip is checked here.
 */
function embedWasm({ unpack }, base64) {
  return {
    name: 'simdnet-embed-wasm',
    setup(b) {
      b.onResolve({ filter: /^simdnet:wasm$/ }, () => ({ path: 'wasm', namespace: 'simdnet' }));
      b.onLoad({ filter: /[\\/](simd|relaxed)\.wasm$/ }, (args) => ({
        contents: `export { ${args.path.endsWith('relaxed.wasm') ? 'relaxed' : 'simd'} as default } from 'simdnet:wasm';`,
        loader: 'js',
      }));
      b.onLoad({ filter: /^wasm$/, namespace: 'simdnet' }, () => {
        const [simd, relaxed] = wasmBuilds();
        const blob = Buffer.concat([simd, relaxed]);
        base64.text = compressWasm(blob);
        if (Buffer.compare(Buffer.from(unpack(Buffer.from(base64.text, 'base64'), blob.length)), blob) !== 0)
          throw new Error('embedded Wasm: unpack does not give the builds back');
        return {
          contents: `import { unpack } from ${JSON.stringify(WASM_BYTES)};
const blob = unpack(Uint8Array.from(atob(__simdnetWasm), (c) => c.charCodeAt(0)), ${blob.length});
export const simd = blob.subarray(0, ${simd.length});
export const relaxed = blob.subarray(${simd.length});
`,
          loader: 'js',
          resolveDir: here('.'),
        };
      });
    },
  };
}

export async function bundleLibrary({ outfile = 'dist/index.js', entry = 'src/index.ts' } = {}) {
  const base64 = { text: '' };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    minify: true,
    sourcemap: 'external',
    outfile,
    plugins: [embedWasm(await importWasmBytes(), base64)],
    logLevel: 'warning',
    legalComments: 'none',
  });
  const esm = result.outputFiles.find((f) => f.path.endsWith('.js')).text.trimEnd();
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map')).text);

  // esbuild ends an ES module with one `export{a as NN,...};`: it becomes the function's return value
  const tail = /export\s*\{([^}]*)\};?\s*$/.exec(esm);
  if (
    !tail ||
    /\b(import|export)\b[\s{*]/.test(
      esm.slice(0, tail.index).replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`/g, ''),
    )
  ) {
    throw new Error('bundle: expected a self-contained ES module ending in one export statement');
  }
  const pairs = tail[1]
    .split(',')
    .map((p) => p.trim().split(/\s+as\s+/))
    .map(([local, name]) => [name ?? local, local]);
  const wasm = `const __simdnetWasm="${base64.text}";`;
  const js = `${esm.slice(0, tail.index)}return{${pairs.map(([name, local]) => `${name}:${local}`).join(',')}}`;
  const names = pairs.map(([name]) => name).sort();

  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  // "use strict": the worker runs this function's text as a classic script
  const wrapped =
    `function simdnet(__simdnetSelf,__simdnetWorker){"use strict";${wasm}\n${js}\n}\n` +
    `export const{${names.join(',')}}=simdnet(simdnet,false);\n`;
  map.mappings = `;${map.mappings}`; // the wrapper adds one line above the bundled code
  // terser renames the identifiers again, esbuild's output and the wrapper alike: its names gzip
  // better than esbuild's (bench/RESULTS.md). Renaming only: esbuild has done the rest.
  const mangled = await minify(wrapped, {
    compress: false,
    mangle: true,
    module: true,
    ecma: 2020,
    sourceMap: { content: map, url: `${outfile.split('/').pop()}.map`, includeSources: true },
    format: { preamble: `// simdnet ${version} (MIT)`, comments: false },
  });
  const out = `${mangled.code}\n`;

  // a smoke test of the library in Node before it is written
  const exported = await import(`data:text/javascript;base64,${Buffer.from(out).toString('base64')}`);
  if (typeof exported.NN !== 'function') throw new Error(`bundle exports ${names.join(', ')}; NN missing`);

  mkdirSync(outfile.replace(/[\\/][^\\/]*$/, ''), { recursive: true });
  writeFileSync(outfile, out);
  writeFileSync(`${outfile}.map`, mangled.map);
  return { bytes: Buffer.byteLength(out), exports: names };
}

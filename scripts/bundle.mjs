// The library bundle, dist/index.js: one ES module with both Wasm builds embedded, that runs in
// browsers and Node and survives downstream bundlers without configuration.
//
// Two things make it more than a plain esbuild run:
// - The Wasm is embedded compactly: the plain SIMD build plus a byte patch that turns it into the
//   relaxed-SIMD build (the two differ only where the FMA is used), deflated, in base64, unpacked
//   synchronously at load; src/runtime/wasm-bytes.ts makes and undoes both, here and in the bundle.
// - The whole library is one function, `simdnet(self, isWorker)`, called once by a small ES-module
//   wrapper. trainInWorker starts a worker from `self.toString()`, so the worker runs the very
//   code the caller loaded, from a Blob (browsers) or an eval worker (Node): no second file that
//   a downstream bundler could fail to copy, and no second copy of the code in the bundle.
//   That function must not depend on anything outside it, so its code is ES2020: a downstream build
//   that targets ES2019 or later has nothing to lower in it, and so adds no helpers outside it
//   (one targeting ES2017 would lower `?.` with a helper and break the worker; checked by a test).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const WASM_BYTES = here('../src/runtime/wasm-bytes.ts');

/** src/runtime/wasm-bytes.ts as a module of this process (compiled by esbuild: Node 20 runs no TypeScript). */
async function importWasmBytes() {
  const { outputFiles } = await build({ entryPoints: [WASM_BYTES], bundle: true, write: false, format: 'esm' });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].text).toString('base64')}`);
}

/**
 * esbuild plugin: both `build/*.wasm` imports come from one embedded blob, the plain SIMD build
 * followed by the patch that turns it into the relaxed build, deflated and base64-encoded, and
 * unpacked once at load. Each step is checked here against the real files.
 */
function embedWasm({ makePatch, applyPatch, inflateRaw }) {
  return {
    name: 'simdnet-embed-wasm',
    setup(b) {
      b.onResolve({ filter: /^simdnet:wasm$/ }, () => ({ path: 'wasm', namespace: 'simdnet' }));
      b.onLoad({ filter: /[\\/](simd|relaxed)\.wasm$/ }, (args) => ({
        contents: `export { ${args.path.endsWith('relaxed.wasm') ? 'relaxed' : 'simd'} as default } from 'simdnet:wasm';`,
        loader: 'js',
      }));
      b.onLoad({ filter: /^wasm$/, namespace: 'simdnet' }, () => {
        const simd = readFileSync('build/simd.wasm'),
          relaxed = readFileSync('build/relaxed.wasm');
        const patch = makePatch(simd, relaxed);
        const blob = Buffer.concat([simd, patch]);
        const packed = deflateRawSync(blob, { level: 9 });
        const unpacked = inflateRaw(packed, blob.length);
        if (Buffer.compare(Buffer.from(unpacked), blob) !== 0)
          throw new Error('embedded Wasm: inflate does not round-trip');
        if (
          Buffer.compare(
            Buffer.from(applyPatch(unpacked.subarray(0, simd.length), unpacked.subarray(simd.length))),
            relaxed,
          ) !== 0
        ) {
          throw new Error('embedded Wasm: the relaxed patch does not round-trip');
        }
        return {
          contents: `import { inflateRaw, applyPatch } from ${JSON.stringify(WASM_BYTES)};
const blob = inflateRaw(Uint8Array.from(atob(${JSON.stringify(packed.toString('base64'))}), (c) => c.charCodeAt(0)), ${blob.length});
export const simd = blob.subarray(0, ${simd.length});
export const relaxed = applyPatch(simd, blob.subarray(${simd.length}));
`,
          loader: 'js',
          resolveDir: here('.'),
        };
      });
    },
  };
}

export async function bundleLibrary({ outfile = 'dist/index.js', entry = 'src/index.ts' } = {}) {
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
    plugins: [embedWasm(await importWasmBytes())],
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
  const js = `${esm.slice(0, tail.index)}return{${pairs.map(([name, local]) => `${name}:${local}`).join(',')}}`;
  const names = pairs.map(([name]) => name).sort();

  // a smoke test of the library in Node before it is written
  const exported = new Function('__simdnetSelf', '__simdnetWorker', js)(null, false);
  if (typeof exported.NN !== 'function') throw new Error(`bundle exports ${names.join(', ')}; NN missing`);

  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  // "use strict": the worker runs this function's text as a classic script
  const out =
    `function simdnet(__simdnetSelf,__simdnetWorker){"use strict";\n${js}\n}\n` +
    `export const{${names.join(',')}}=simdnet(simdnet,false);\n` +
    `//# sourceMappingURL=${outfile.split('/').pop()}.map\n`;
  map.mappings = `;${map.mappings}`; // the wrapper adds one line above the bundled code
  mkdirSync(outfile.replace(/[\\/][^\\/]*$/, ''), { recursive: true });
  writeFileSync(outfile, `// simdnet ${version} (MIT)\n${out}`);
  map.mappings = `;${map.mappings}`; // and the banner one more
  writeFileSync(`${outfile}.map`, JSON.stringify(map));
  return { bytes: Buffer.byteLength(out), exports: names };
}

// The library bundle, dist/index.js: one ES module with both Wasm builds embedded, that runs in
// browsers and Node and survives downstream bundlers without configuration.
//
// Two things make it more than a plain esbuild run:
// - The relaxed-SIMD build is embedded as a byte patch against the plain SIMD build
//   (scripts/wasm-patch.mjs), since the two differ only where the FMA is used.
// - The whole library is one function, `simdnet(module, self)`, called once by a small ES-module
//   wrapper. trainInWorker starts a worker from `self.toString()`, so the worker runs the very
//   code the caller loaded, from a Blob (browsers) or an eval worker (Node): no second file that
//   a downstream bundler could fail to copy, and no second copy of the code in the bundle.
//   That function must not depend on anything outside it, so its code is ES2020: a downstream build
//   that targets ES2019 or later has nothing to lower in it, and so adds no helpers outside it
//   (one targeting ES2017 would lower `?.` with a helper and break the worker; checked by a test).
import { build } from 'esbuild';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makePatch, applyPatch } from './wasm-patch.mjs';

const patchModule = fileURLToPath(new URL('./wasm-patch.mjs', import.meta.url));

/** esbuild plugin: `build/relaxed.wasm` becomes the simd build plus a patch, checked here. */
function relaxedAsPatch() {
  return {
    name: 'simdnet-relaxed-patch',
    setup(b) {
      b.onLoad({ filter: /[\\/]relaxed\.wasm$/ }, (args) => {
        const base = readFileSync(args.path.replace(/relaxed\.wasm$/, 'simd.wasm'));
        const target = readFileSync(args.path);
        const patch = makePatch(base, target);
        if (Buffer.compare(Buffer.from(applyPatch(base, patch)), target) !== 0) throw new Error('wasm patch does not round-trip');
        return {
          contents: `import base from './simd.wasm';\nimport { applyPatch } from ${JSON.stringify(patchModule)};\n`
            + `export default applyPatch(base, new Uint8Array([${patch.join(',')}]));\n`,
          loader: 'js',
          resolveDir: args.path.replace(/[\\/][^\\/]*$/, ''),
        };
      });
    },
  };
}

export async function bundleLibrary({ outfile = 'dist/index.js', entry = 'src/index.ts' } = {}) {
  const result = await build({
    entryPoints: [entry], bundle: true, write: false, format: 'cjs', platform: 'neutral', target: 'es2020',
    minify: true, sourcemap: 'external', outfile, loader: { '.wasm': 'binary' }, plugins: [relaxedAsPatch()],
    logLevel: 'warning', legalComments: 'none',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js')).text.trimEnd();
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.map')).text);

  // The export names, read by running the library once (also a smoke test of the bundle in Node).
  const module = { exports: {} };
  new Function('module', '__simdnetSelf', '__simdnetWorker', js)(module, null, false);
  const names = Object.keys(module.exports).sort();
  if (!names.includes('NN')) throw new Error(`bundle exports ${names.join(', ')}; NN missing`);

  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  const out = `function simdnet(module,__simdnetSelf,__simdnetWorker){\n${js}\n}\n`
    + `const m={exports:{}};simdnet(m,simdnet,false);\n`
    + `export const{${names.join(',')}}=m.exports;\n`
    + `//# sourceMappingURL=${outfile.split('/').pop()}.map\n`;
  map.mappings = ';' + map.mappings; // the wrapper adds one line above the bundled code
  mkdirSync(outfile.replace(/[\\/][^\\/]*$/, ''), { recursive: true });
  writeFileSync(outfile, `// simdnet ${version} (MIT)\n` + out);
  map.mappings = ';' + map.mappings; // and the banner one more
  writeFileSync(outfile + '.map', JSON.stringify(map));
  return { bytes: Buffer.byteLength(out), exports: names };
}

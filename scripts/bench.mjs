// npm run bench [-- --quick | --peers | --json]: bundles bench/run.ts (peers stay external, loaded
// from node_modules at run time) and runs it in this Node process's version.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';

await build({
  entryPoints: ['bench/run.ts'], outfile: 'dist/bench.js', bundle: true, format: 'esm', platform: 'node', target: 'es2022',
  loader: { '.wasm': 'binary' }, external: ['@tensorflow/*', 'brain.js'], logLevel: 'warning',
});
const result = spawnSync(process.execPath, ['dist/bench.js', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(result.status ?? 1);

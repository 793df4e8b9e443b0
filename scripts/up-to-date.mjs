// Builds only what is out of date, for `npm start` and `npm run example`: a build writes a hash of
// its inputs beside its outputs (build/.inputs for the Wasm, dist/.inputs for the bundles), and a
// later run rebuilds when an output is missing or the hash of the inputs differs. Hashes rather
// than file times, because git checkouts and copies change times without changing content.
//
//   node scripts/up-to-date.mjs [wasm|all]   rebuild what is stale (all: the Wasm, then dist/)
//   node scripts/up-to-date.mjs --stamp wasm|dist   record the inputs of a build just made
import { execSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TARGETS = {
  wasm: {
    inputs: [
      'assembly',
      'src/abi/contract.ts',
      'scripts/contract.ts',
      'asconfig.json',
      'node_modules/assemblyscript/package.json',
    ],
    outputs: ['build/simd.wasm', 'build/relaxed.wasm', 'build/debug.wasm'],
    stamp: 'build/.inputs',
    command: 'npm run asbuild',
  },
  dist: {
    inputs: [
      'src',
      'build/simd.wasm',
      'build/relaxed.wasm',
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts/build.mjs',
      'scripts/bundle.mjs',
      'scripts/bundle-interop.mjs',
      'node_modules/esbuild/package.json',
    ],
    outputs: ['dist/index.js', 'dist/interop.js', 'dist/cli.js', 'dist/index.d.ts'],
    stamp: 'dist/.inputs',
    command: 'node scripts/build.mjs',
  },
};

/** Every file under the inputs, in a fixed order. */
function files(paths) {
  const out = [];
  const visit = (path) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else out.push(path);
  };
  for (const path of paths) visit(path);
  return out;
}

function inputsHash(target) {
  const hash = createHash('sha256');
  for (const file of files(target.inputs)) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function fresh(target) {
  return (
    target.outputs.every((f) => existsSync(f)) &&
    existsSync(target.stamp) &&
    readFileSync(target.stamp, 'utf8').trim() === inputsHash(target)
  );
}

const [first, second] = process.argv.slice(2);
if (first === '--stamp') {
  const target = TARGETS[second];
  if (!target) throw new Error(`up-to-date: --stamp wasm or dist, got ${second}`);
  writeFileSync(target.stamp, `${inputsHash(target)}\n`);
} else {
  const names = first === 'wasm' ? ['wasm'] : ['wasm', 'dist'];
  for (const name of names) {
    const target = TARGETS[name];
    if (fresh(target)) {
      console.error(`${name}: up to date (its inputs have not changed since the last build)`);
      continue;
    }
    execSync(target.command, { stdio: 'inherit' });
  }
}

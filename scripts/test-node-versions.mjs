// node scripts/test-node-versions.mjs [major…]: runs the Node test suite (vitest, not the Chromium
// part) under other Node majors, default 22 and 24. Node's official binaries come from the npm
// registry (node-<platform>-<arch>@<major>, a tarball with bin/node), cached under
// node_modules/.cache/node-versions so that a second run downloads nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const majors = process.argv.slice(2).length ? process.argv.slice(2) : ['22', '24'];
const cache = resolve('node_modules/.cache/node-versions');
const pkg = `node-${process.platform}-${process.arch}`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function nodeBinary(major) {
  const dir = join(cache, major);
  const bin = join(dir, 'package', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  console.log(`test-node-versions: fetching ${pkg}@${major} from the npm registry`);
  execFileSync(npm, ['pack', `${pkg}@${major}`, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${pkg}@${major} wrote no tarball`);
  execFileSync('tar', ['xzf', tarball], { cwd: dir });
  rmSync(join(dir, tarball));
  return bin;
}

let failed = 0;
for (const major of majors) {
  const node = nodeBinary(major);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  console.log(`\ntest-node-versions: vitest under Node ${version}`);
  const run = spawnSync(node, ['node_modules/vitest/vitest.mjs', 'run'], { stdio: 'inherit' });
  if (run.status !== 0) {
    console.error(`test-node-versions: the suite failed under Node ${version}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);

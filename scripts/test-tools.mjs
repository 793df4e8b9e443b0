// npm test's first step (the pretest script): finds the two programs the tests drive besides Node, a
// Chromium (browser tests) and a Python 3 with NumPy (the article's own program), installs what is
// missing with what this machine offers, says in one line what it uses, and writes their paths to
// TOOLS_FILE for the test configs. Where nothing works it stops at once with the command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TOOLS_FILE = join(root, 'node_modules', '.cache', 'simdnet', 'test-tools.json');

/** The paths the last `npm test` chose; the environment (CHROMIUM_PATH, PYTHON) wins over them. */
export function readTools() {
  let saved = {};
  try {
    saved = JSON.parse(readFileSync(TOOLS_FILE, 'utf8'));
  } catch {
    /* not run yet: the defaults */
  }
  return {
    chromium: process.env.CHROMIUM_PATH || saved.chromium || '/usr/bin/chromium',
    python: process.env.PYTHON || saved.python || 'python3',
  };
}

/** Runs a program and returns its trimmed stdout, or null when it cannot start or fails. */
function output(file, args, timeout = 30_000) {
  const r = spawnSync(file, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** "Chromium 156.0…" when the browser starts (a download without its system libraries does not). */
const chromiumVersion = (path) => (existsSync(path) ? output(path, ['--version']) : null);

/** [executable, Python version, NumPy version] when this python imports NumPy. */
function numpyPython(command) {
  const out = output(command, [
    '-c',
    'import sys, platform, numpy; print(sys.executable, platform.python_version(), numpy.__version__)',
  ]);
  return out ? out.split(' ') : null;
}

/** Playwright's own browsers: the one this playwright version installs, then any other in its cache. */
async function playwrightChromiums() {
  const { chromium } = await import('playwright');
  const cache = process.env.PLAYWRIGHT_BROWSERS_PATH || join(homedir(), '.cache', 'ms-playwright');
  const others = existsSync(cache)
    ? readdirSync(cache)
        .filter((d) => d.startsWith('chromium-'))
        .sort()
        .reverse()
        .map((d) => join(cache, d, 'chrome-linux64', 'chrome'))
    : [];
  return [chromium.executablePath(), ...others];
}

/** Whether Playwright's download host answers (its first mirror, or the host the environment names). */
async function playwrightReachable() {
  const host =
    process.env.PLAYWRIGHT_CHROMIUM_DOWNLOAD_HOST ||
    process.env.PLAYWRIGHT_DOWNLOAD_HOST ||
    'https://cdn.playwright.dev';
  try {
    await fetch(host, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return true;
  } catch {
    return false;
  }
}

const osId = (() => {
  try {
    return /^ID=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, '') ?? '';
  } catch {
    return '';
  }
})();
const debian = osId === 'debian';
/** Debian's packages are installed automatically only as root on Debian itself. */
const aptRoot = debian && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
/** Debian or a derivative: the command to suggest is apt-get's. */
const aptSystem = existsSync('/etc/debian_version');

/** Ends the run before any test: per missing program, what was tried and what to run ([what, tried, fix] each). */
function stop(...missing) {
  for (const [what, tried, fix] of missing) console.error(`test tools: no ${what} (${tried.join('; ')}). ${fix}`);
  process.exit(1);
}

function apt(packages) {
  console.log(
    `test tools: installing ${packages.join(' ')} with apt-get (Chromium and its libraries are about 290 MB to download: a few minutes)`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...packages],
  ]) {
    const r = spawnSync('apt-get', args, { env, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) {
      console.error(`test tools: apt-get ${args[0]} failed:\n${r.stderr}`);
      process.exit(1);
    }
  }
}

/** CHROMIUM_PATH (which must work when set), Debian's package, Playwright's cache: [path, version] or null. */
async function findChromium(tried) {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    const version = chromiumVersion(given);
    if (!version)
      stop([
        'Chromium',
        [`CHROMIUM_PATH=${given}, but \`${given} --version\` fails`],
        'Point CHROMIUM_PATH at a Chromium or Chrome that starts, or unset it.',
      ]);
    return [given, version];
  }
  const debianVersion = chromiumVersion('/usr/bin/chromium');
  if (debianVersion) return ['/usr/bin/chromium', debianVersion];
  // Playwright is imported only here: the import alone takes a few seconds
  for (const path of await playwrightChromiums()) {
    const version = chromiumVersion(path);
    if (version) return [path, version];
  }
  tried.push('CHROMIUM_PATH unset', 'no /usr/bin/chromium', "none in Playwright's cache");
  return null;
}

/** PYTHON (which must work when set), python3 on PATH, Debian's python3, python: [path, version, NumPy version] or null. */
function findPython(tried) {
  const given = process.env.PYTHON;
  if (given) {
    const found = numpyPython(given);
    if (!found)
      stop([
        'Python with NumPy',
        [`PYTHON=${given}, but it cannot import numpy`],
        `Run: ${given} -m pip install numpy   (or point PYTHON at a python3 that has NumPy, or unset it)`,
      ]);
    return found;
  }
  for (const command of ['python3', '/usr/bin/python3', 'python']) {
    const found = numpyPython(command);
    if (found) return found;
  }
  tried.push('PYTHON unset', 'no python3 on PATH nor /usr/bin/python3 imports numpy');
  return null;
}

/** Playwright's browser download, when its host answers: [path, version] or null. */
async function downloadChromium(tried) {
  if (!(await playwrightReachable())) {
    tried.push("Playwright's download host is unreachable");
    return null;
  }
  const args = ['node_modules/playwright/cli.js', 'install', ...(aptRoot ? ['--with-deps'] : []), 'chromium'];
  console.log(`test tools: downloading Playwright's Chromium (node ${args.join(' ')})`);
  execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const path = (await playwrightChromiums())[0];
  const version = chromiumVersion(path);
  if (version) return [path, version];
  tried.push(`Playwright's download at ${path} does not start (its system libraries are missing)`);
  return null;
}

/** pip install --user numpy with the first python that has a working pip. */
function pipNumpy(tried) {
  for (const command of ['python3', 'python']) {
    const installed = output(
      command,
      ['-m', 'pip', 'install', '--user', '--quiet', '--retries', '1', '--timeout', '15', 'numpy'],
      300_000,
    );
    const found = installed === null ? null : numpyPython(command);
    if (found) return [found, `installed: ${command} -m pip install --user numpy`];
  }
  tried.push('pip install --user numpy failed or there is no pip');
  return [null, ''];
}

async function main() {
  const tried = { chromium: [], python: [] };
  let chromium = await findChromium(tried.chromium),
    python = findPython(tried.python);
  let chromiumNote = 'found',
    pythonNote = 'found';

  // what is missing: Playwright's download, Debian's packages (as root, one apt-get run), pip
  if (!chromium && (chromium = await downloadChromium(tried.chromium)))
    chromiumNote = "installed: Playwright's download";
  const packages = [...(chromium || !aptRoot ? [] : ['chromium']), ...(python || !aptRoot ? [] : ['python3-numpy'])];
  if (packages.length > 0) {
    apt(packages);
    if (!chromium) {
      chromium = ['/usr/bin/chromium', chromiumVersion('/usr/bin/chromium')];
      chromiumNote = 'installed: apt-get install chromium';
    }
    if (!python) {
      python = numpyPython('/usr/bin/python3');
      pythonNote = 'installed: apt-get install python3-numpy';
    }
  }
  if (!python) [python, pythonNote] = pipNumpy(tried.python);
  if (!aptRoot) {
    const why = debian ? 'installing with apt-get needs root' : 'not Debian, so no apt-get';
    if (!chromium) tried.chromium.push(why);
    if (!python) tried.python.push(why);
  }

  // both at once, so that one round of fixes is enough
  const missing = [];
  if (!chromium?.[1]) {
    const command = debian ? 'sudo apt-get install -y chromium' : 'npx playwright install --with-deps chromium';
    missing.push([
      'Chromium for the browser tests',
      tried.chromium,
      `Run: ${command}   (or set CHROMIUM_PATH to a Chromium or Chrome)`,
    ]);
  }
  if (!python) {
    const command = aptSystem ? 'sudo apt-get install -y python3-numpy' : 'python3 -m pip install --user numpy';
    missing.push([
      "Python 3 with NumPy for the article's program",
      tried.python,
      `Run: ${command}   (or set PYTHON to a python3 that has NumPy)`,
    ]);
  }
  if (missing.length > 0) stop(...missing);
  const [chromiumPath, chromiumVersionText] = chromium,
    [pythonPath, pythonVersion, numpyVersion] = python;
  mkdirSync(dirname(TOOLS_FILE), { recursive: true });
  writeFileSync(TOOLS_FILE, `${JSON.stringify({ chromium: chromiumPath, python: pythonPath }, null, 2)}\n`);
  console.log(
    `test tools: ${chromiumVersionText} at ${chromiumPath} (${chromiumNote}); Python ${pythonVersion} with NumPy ${numpyVersion} at ${pythonPath} (${pythonNote})`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

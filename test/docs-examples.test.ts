// Every code block of README.md and docs/*.md runs as written, or is marked as a fragment
// (test/helpers/doc-blocks.ts has the conventions), so the docs cannot drift from the code:
// - js and ts blocks type-check under strict against the sources (JavaScript as an editor's checkJs
//   sees it), then run with node against the built package (dist/, which `npm test` builds first), as
//   'simdnet' resolves in a clone; a block that needs a server runs as one, and its curl session is sent;
// - sh blocks of `npx simdnet` commands, and `$ simdnet` sessions, run dist/cli.js;
// - each runs in a folder of its own, with examples/ and the files the doc names; the output a doc
//   shows is compared with what was printed: text exactly, numbers within the tolerance below, and
//   lines that report a speed by their text alone;
// - no size figure in the docs: they point to `npm run size`, which measures the bundles.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { allDocBlocks, type DocBlock, docFiles, ROOT, SURROUNDINGS, surroundingsOf } from './helpers/doc-blocks.js';

/**
 * A number printed by a block may differ from the doc's by this much, relative, or by one unit of the
 * doc's last printed decimal: the docs show one engine's run, and the builds (plain or relaxed SIMD,
 * with its fused multiply-add) and engines agree to float32 rounding, which training can grow.
 */
const NUMBER_TOLERANCE = 1e-4;
const CLI = join(ROOT, 'dist', 'cli.js');
const SCRATCH = join(ROOT, 'test', '.tmp', 'docs');
const folders = mkdtempSync(join(tmpdir(), 'simdnet-docs-'));
afterAll(() => rmSync(folders, { recursive: true, force: true }));
mkdirSync(SCRATCH, { recursive: true });

const blocks = allDocBlocks();
const name = (b: DocBlock): string => `${b.file}:${b.line} (${b.lang || 'session'})`;
const runnable = blocks.filter(
  (b) => !b.fragment && (b.kind === 'script' || b.kind === 'shell' || b.kind === 'session'),
);
const scripts = runnable.filter((b) => b.kind === 'script');

// ── comparing what a doc shows with what ran ────────────────────────────────────────────────────────

// a number, its thousands grouped by commas or not (1,227,466 is one number)
const NUMBER = /-?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?/gi;
const SPEED = / in [\d.]+ m?s\b|[\d,.]+ samples\/s/;

/** One unit of the last decimal a number is printed with (0 for a full-precision float or an integer). */
function printedUnit(token: string): number {
  const decimals = /\.(\d+)$/.exec(token)?.[1]?.length ?? 0;
  return decimals > 0 && decimals <= 6 ? 10 ** -decimals : 0;
}

/** Where the printed text differs from the shown text, line by line. */
function differences(shown: string, printed: string): string[] {
  const lines = (s: string) =>
    s
      .replace(/\r/g, '')
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd()
      .split('\n');
  const [want, got] = [lines(shown), lines(printed)];
  const found: string[] = [];
  if (want.length !== got.length) found.push(`${want.length} lines shown, ${got.length} printed`);
  for (let i = 0; i < Math.min(want.length, got.length); i++) {
    // a line that reports a speed is compared up to its timing: the rest (times, rates, the build) varies
    const cut = (l: string) => (SPEED.test(l) ? l.slice(0, SPEED.exec(l)!.index) : l);
    const [w, g] = [cut(want[i]!), cut(got[i]!)];
    const [wText, gText] = [w.split(NUMBER), g.split(NUMBER)];
    const [wNum, gNum] = [w.match(NUMBER) ?? [], g.match(NUMBER) ?? []];
    const sameText = wText.length === gText.length && wText.every((t, k) => t === gText[k]);
    const closeNumbers =
      wNum.length === gNum.length &&
      wNum.every((t, k) => {
        const [a, b] = [Number(t.replaceAll(',', '')), Number(gNum[k]?.replaceAll(',', ''))];
        const allowed = Math.max(NUMBER_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)), printedUnit(t) * 1.000001);
        return Math.abs(a - b) <= allowed;
      });
    if (!sameText || !closeNumbers) found.push(`line ${i + 1}:\n  shown:   ${w}\n  printed: ${g}`);
  }
  return found;
}

// ── running ─────────────────────────────────────────────────────────────────────────────────────────

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
  onStart?: (stop: () => void) => void,
): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const timer = setTimeout(() => child.kill(), 240_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
    onStart?.(() => child.kill());
  });
}

/** A folder for one block: examples/ as in a clone, and the files its doc names. */
function folderFor(b: DocBlock): string {
  const dir = join(folders, `${basename(b.file, '.md')}-${b.line}`);
  mkdirSync(dir, { recursive: true });
  if (!existsSync(join(dir, 'examples'))) symlinkSync(join(ROOT, 'examples'), join(dir, 'examples'));
  for (const [file, path] of Object.entries(b.files)) {
    const source = join(ROOT, path);
    if (!existsSync(source)) throw new Error(`${name(b)} names ${path}, which does not exist`);
    writeFileSync(join(dir, file), readFileSync(source));
  }
  return dir;
}

/** The block as a module node runs: its surroundings first, TypeScript turned into JavaScript. */
function moduleFor(b: DocBlock): string {
  const lines: string[] = [];
  const needed = surroundingsOf(b.code);
  const imports = new Map<string, string[]>();
  for (const n of needed) {
    const s = SURROUNDINGS[n]!;
    if ('from' in s) imports.set(s.from, [...(imports.get(s.from) ?? []), n]);
  }
  for (const [from, names] of imports) lines.push(`import { ${names.join(', ')} } from '${from}';`);
  const values = needed.filter((n) => 'value' in SURROUNDINGS[n]!);
  if (values.length) {
    lines.push(`import { docData } from ${JSON.stringify(join(ROOT, 'test/helpers/doc-data.mjs'))};`);
    for (const n of values) lines.push(`const ${n} = ${(SURROUNDINGS[n] as { value: string }).value};`);
  }
  const code = /^(ts|typescript)$/.test(b.lang)
    ? ts.transpileModule(b.code, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText
    : b.code;
  return `${lines.join('\n')}\n${code}\n`;
}

const freePort = (): Promise<number> =>
  new Promise((done) => {
    const probe = createServer().listen(0, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });

/** A curl session against a server block: each `$ curl … -d '<body>'` is POSTed, its answer compared. */
async function curlSession(session: string, port: number): Promise<string> {
  let printed = '';
  for (const line of session.split('\n')) {
    const curl = /^\$ curl (?:-X (\w+) )?localhost:\d+(\S*) -d '(.*)'$/.exec(line);
    if (!line.startsWith('$ ')) continue;
    if (!curl) throw new Error(`a curl line the test cannot send: ${line}`);
    const response = await fetch(`http://localhost:${port}${curl[2] || '/'}`, {
      method: curl[1] ?? 'POST',
      body: curl[3],
    });
    printed += `${line}\n${await response.text()}\n`;
  }
  return printed;
}

async function runScript(b: DocBlock): Promise<void> {
  const dir = folderFor(b);
  const file = join(SCRATCH, `${basename(b.file, '.md')}-${b.line}.mjs`);
  writeFileSync(file, moduleFor(b));
  const server = b.output?.startsWith('$ curl');
  if (!server) {
    const r = await run([file], dir);
    expect(r.code, `${name(b)} exited with ${r.code}:\n${r.stderr}`).toBe(0);
    if (b.output !== undefined) expect(differences(b.output, r.stdout), `${name(b)} printed:\n${r.stdout}`).toEqual([]);
    return;
  }
  const port = await freePort();
  let stop = () => {};
  const ran = run([file], dir, { PORT: String(port) }, (s) => {
    stop = s;
  });
  let printed = '';
  for (let attempt = 0; ; attempt++) {
    try {
      printed = await curlSession(b.output!, port);
      break;
    } catch (e) {
      if (attempt > 300) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  stop();
  await ran;
  expect(differences(b.output!, printed)).toEqual([]);
}

/** Words of a command line, with '…' and "…" quoting. */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** A `simdnet …` command (npx or not, a trailing comment or `| head -n` allowed) run in a folder. */
async function runCommand(line: string, dir: string): Promise<Ran> {
  const command = /^(?:npx )?simdnet (.*?)(?:\s+\|\s+head -(?:n )?(\d+))?(?:\s+#.*)?$/.exec(line.trim());
  if (!command) throw new Error(`not a command-line line the test can run: ${line}`);
  const r = await run([CLI, ...words(command[1]!)], dir);
  if (command[2]) r.stdout = r.stdout.split('\n').slice(0, Number(command[2])).join('\n');
  return r;
}

/** A `$ simdnet …` session: each command's standard output is what the lines under it show. */
async function runSession(session: string, dir: string, where: string): Promise<void> {
  const parts = session.split(/^(?=\$ )/m);
  for (const part of parts) {
    const [first, ...shown] = part.replace(/\n$/, '').split('\n');
    const r = await runCommand(first!.slice(2), dir);
    expect(r.code, `${where}: ${first} exited with ${r.code}:\n${r.stderr}`).toBe(0);
    expect(differences(shown.join('\n'), r.stdout), `${where}: ${first} printed:\n${r.stdout}`).toEqual([]);
  }
}

async function runShell(b: DocBlock): Promise<void> {
  const dir = folderFor(b);
  const lines = b.code.split('\n').filter((l) => l.trim() && !l.trim().startsWith('#'));
  for (const line of lines) {
    const r = await runCommand(line, dir);
    expect(r.code, `${name(b)}: ${line} exited with ${r.code}:\n${r.stderr}`).toBe(0);
    const args = words(line);
    const out = args.indexOf('--out');
    if (out >= 0) expect(existsSync(join(dir, args[out + 1]!)), `${line} wrote ${args[out + 1]}`).toBe(true);
  }
  if (b.output?.startsWith('$ ')) await runSession(b.output, dir, name(b));
  else if (b.output !== undefined) throw new Error(`${name(b)}: an output block after commands must be a $ session`);
}

// ── type-checking ───────────────────────────────────────────────────────────────────────────────────

/** The block as a module tsc checks: declarations of the surrounding names it uses first. */
function checkedSource(b: DocBlock, js: boolean): string {
  const preamble = surroundingsOf(b.code).map((n) => {
    const s = SURROUNDINGS[n]!;
    if ('from' in s) return `import { ${n} } from '${s.from}';`;
    return js
      ? `const ${n} = /** @type {${s.type}} */ (/** @type {unknown} */ (undefined));`
      : `declare const ${n}: ${s.type};`;
  });
  return `${preamble.join('\n')}\n${b.code}\nexport {};\n`;
}

function diagnostics(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    // JavaScript examples carry no annotations: their parameters are any, everything else is strict
    noImplicitAny: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
    types: ['node'],
    typeRoots: [join(ROOT, 'node_modules/@types')],
    skipLibCheck: true,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    paths: { simdnet: [join(ROOT, 'src/index.ts')], 'simdnet/interop': [join(ROOT, 'src/interop/index.ts')] },
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (f) => files[f] ?? read(f);
  const exists = host.fileExists.bind(host);
  host.fileExists = (f) => f in files || exists(f);
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && d.file.fileName in files)
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${d.file!.fileName}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

// ── the tests ───────────────────────────────────────────────────────────────────────────────────────

describe('the code blocks of README.md and docs/*.md', () => {
  it('are found: the README has its first example and its command-line block', () => {
    expect(docFiles()).toContain('docs/architecture.md');
    const readme = runnable.filter((b) => b.file === 'README.md');
    expect(readme.some((b) => b.kind === 'script' && b.code.includes('NN.create') && b.output)).toBe(true);
    expect(readme.some((b) => b.kind === 'shell' && b.output?.startsWith('$ npx simdnet'))).toBe(true);
  });

  it('are each code to run or marked as a fragment (Python, install commands and the like)', () => {
    const unmarked = blocks.filter((b) => b.kind === 'other' && !b.fragment).map(name);
    expect(unmarked, 'mark these <!-- fragment --> or give the test a way to run them').toEqual([]);
  });

  it('type-check under strict against the sources, and a planted type error is caught', () => {
    const files: Record<string, string> = {};
    for (const b of scripts.filter((s) => !s.noTypecheck)) {
      const js = !/^(ts|typescript)$/.test(b.lang);
      files[join(SCRATCH, `check-${basename(b.file, '.md')}-${b.line}.${js ? 'js' : 'ts'}`)] = checkedSource(b, js);
    }
    // one program for all (a compile takes seconds), with one block that must fail: the check can fail
    const planted = join(SCRATCH, 'check-planted.js');
    files[planted] = checkedSource(
      { ...scripts[0]!, code: "const net = await NN.create({ layers: [2, 1] });\nnet.train('not data', [1]);" },
      true,
    );
    const found = diagnostics(files);
    expect(found.filter((d) => !d.startsWith(planted))).toEqual([]);
    expect(found.filter((d) => d.startsWith(planted)).join('\n')).toMatch(/not assignable/);
  }, 180_000);

  it.each(runnable.map((b) => [name(b), b] as const))(
    '%s runs as written',
    async (_, b) => {
      if (b.kind === 'script') await runScript(b);
      else if (b.kind === 'shell') await runShell(b);
      else await runSession(b.code, folderFor(b), name(b));
    },
    300_000,
  );

  it('link to files and headings that exist', () => {
    const slug = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .trim()
        .replace(/\s/g, '-');
    const anchors = (file: string) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, '')));
    const broken: string[] = [];
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue;
        const [path, anchor] = target!.split('#');
        const resolved = path ? join(file, '..', path) : file;
        if (!existsSync(join(ROOT, resolved))) broken.push(`${file}: ${target}`);
        else if (anchor && resolved.endsWith('.md') && !anchors(resolved).includes(anchor))
          broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('give no size figure of the bundles: they point to npm run size', () => {
    const figure = /\b\d+(?:\.\d+)?\s?(?:KB|kB|KiB)\b/;
    for (const file of docFiles()) {
      const text = readFileSync(join(ROOT, file), 'utf8');
      const sentences = text.split(/(?<=\.)\s+/).filter((s) => /gzip|bundle/i.test(s) && figure.test(s));
      expect(sentences, file).toEqual([]);
    }
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm run size');
  });
});

describe('the comparison of shown and printed output', () => {
  it('takes numbers within the tolerance and the printed precision, and nothing else', () => {
    expect(differences('{ loss: 0.0976628571, accuracy: 1 }', '{ loss: 0.0976628633, accuracy: 1 }')).toEqual([]);
    expect(differences('0.0051 0.9974', '0.0052 0.9974')).toEqual([]);
    expect(differences('0.0051 0.9974', '0.0053 0.9974')).toHaveLength(1);
    expect(differences('200 epochs', '199 epochs')).toHaveLength(1);
    expect(differences("[ 'setosa' ]", "[ 'versicolor' ]")).toHaveLength(1);
    expect(differences('a\nb', 'a')).toHaveLength(1);
    expect(differences('87 epochs in 0.05 s, 183,710 samples/s', '87 epochs in 0.09 s, 1,099,000 samples/s')).toEqual(
      [],
    );
    expect(differences('1,925 of 2,000', '1,926 of 2,000')).toHaveLength(1);
    expect(differences('[ 50, 0, 0 ]', '[ 50, 0, 0 ]')).toEqual([]);
    expect(
      differences(
        '87 epochs in 0.05 s, 183,710 samples/s on wasm (simd)',
        '87 epochs in 0.02 s, 9 samples/s on wasm (relaxed-simd)',
      ),
    ).toEqual([]);
    expect(differences('87 epochs in 0.05 s, 183,710 samples/s', '88 epochs in 0.09 s, 99,000 samples/s')).toHaveLength(
      1,
    );
  });
});

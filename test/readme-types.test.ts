// Every JavaScript and TypeScript example in README.md type-checks against the library's
// declarations under `strict` (implicit any allowed: JavaScript has no annotations). Each code
// block is compiled as a module of its own, a js block as JavaScript with checkJs (as a user's
// editor checks it), a ts block as TypeScript ('simdnet' and 'simdnet/interop' resolved to the
// sources), after declarations of the few names the examples use without defining (their data, a
// file reader). A new example is checked as soon as it is written; a fragment that cannot compile
// alone is marked with `<!-- fragment -->` on the line before its block. The types' own refusals
// are in test/types/public-api.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** The names README's examples take from their surroundings: an import, or the type of a value. */
const SURROUNDINGS: Record<string, { import: string } | { type: string }> = {
  NN: { import: "import { NN } from 'simdnet';" },
  readFileSync: { import: "import { readFileSync } from 'node:fs';" },
  inputs: { type: 'Float32Array' },
  targets: { type: 'Float32Array' },
  images: { type: 'Float32Array' },
  labels: { type: 'number[]' },
  controller: { type: 'AbortController' },
};

interface Block {
  line: number;
  code: string;
  js: boolean;
}

/** The README's js and ts code blocks, except those marked as fragments. */
function readmeBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(js|ts|javascript|typescript)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    const fragment = /<!--\s*fragment\s*-->/.test(lines[i - 1] ?? '');
    const js = open[1] === 'js' || open[1] === 'javascript';
    if (!fragment) blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n'), js });
    i = end;
  }
  return blocks;
}

/** The block with declarations for the surrounding names it uses and does not define. */
function withSurroundings(code: string, js: boolean): string {
  const defines = (name: string): boolean =>
    new RegExp(`import\\s*\\{[^}]*\\b${name}\\b|function\\s+${name}\\b|(?:^|[\\s,{(])${name}\\s*=(?![=>])`).test(code);
  const uses = (name: string): boolean => new RegExp(`\\b${name}\\b`).test(code);
  const preamble = Object.entries(SURROUNDINGS)
    .filter(([name]) => uses(name) && !defines(name))
    .map(([name, s]) =>
      'import' in s
        ? s.import
        : js
          ? `const ${name} = /** @type {${s.type}} */ (/** @type {unknown} */ (undefined));`
          : `declare const ${name}: ${s.type};`,
    );
  return `${preamble.join('\n')}\n${code}\nexport {};\n`;
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
    allowImportingTsExtensions: true,
    allowJs: true,
    checkJs: true,
    paths: { simdnet: [join(ROOT, 'src/index.ts')], 'simdnet/interop': [join(ROOT, 'src/interop/index.ts')] },
  };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (name) => files[name] ?? read(name);
  const exists = host.fileExists.bind(host);
  host.fileExists = (name) => name in files || exists(name);
  const program = ts.createProgram(Object.keys(files), options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && d.file.fileName in files)
    .map((d) => {
      const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
      return `${d.file!.fileName}:${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

describe("README's examples", () => {
  const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('are found (the first example and the API imports at least)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    expect(blocks.some((b) => b.code.includes('NN.create'))).toBe(true);
  });

  it('type-check under strict against the sources, and a planted type error is caught', () => {
    const files = Object.fromEntries(
      blocks.map((b) => [
        join(ROOT, `test/.tmp/readme-line-${b.line}.${b.js ? 'js' : 'ts'}`),
        withSurroundings(b.code, b.js),
      ]),
    );
    // one program for all (a compile takes seconds), with one block that must fail: the check can fail
    const planted = join(ROOT, 'test/.tmp/readme-planted.js');
    files[planted] = withSurroundings(
      "const net = await NN.create({ layers: [2, 1] });\nnet.train('not data', [1]);",
      true,
    );
    const found = diagnostics(files);
    expect(found.filter((d) => !d.startsWith(planted))).toEqual([]);
    expect(found.filter((d) => d.startsWith(planted)).join('\n')).toMatch(/not assignable/);
  }, 120_000);
});

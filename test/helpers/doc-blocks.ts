// The code blocks of README.md and docs/*.md, as test/docs-examples.test.ts type-checks and runs them.
//
// The conventions a doc follows (docs/development.md says them for writers):
// - a fence's info string names the language: js and ts blocks run, sh blocks of `npx simdnet` (or
//   `simdnet`) commands run; a block without one, or `text`, is not code (a diagram, a formula);
// - a block without an info string right after a code block is that block's output, compared with what
//   it prints; one whose lines start with `$ simdnet` or `$ npx simdnet` is a command-line session, run;
// - `<!-- fragment -->` (or `<!-- fragment: why -->`) on the line before a fence, or `fragment` in its
//   info string, marks a block that is not meant to run alone (an install command, Python);
// - `<!-- files: name=path, … -->` before a fence puts those files of the repository in the folder the
//   block runs in; examples/ is always there, as in a clone;
// - `<!-- no-typecheck: why -->` before a js block runs it without the type-check (for a library whose
//   types JavaScript cannot narrow without casts).
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export type BlockKind = 'script' | 'shell' | 'session' | 'text' | 'other';

export interface DocBlock {
  /** the doc, relative to the repository: README.md, docs/cli.md */
  file: string;
  /** 1-based line of the opening fence */
  line: number;
  /** the info string's first word ('' for none) */
  lang: string;
  kind: BlockKind;
  code: string;
  fragment: boolean;
  /** run, but not type-checked */
  noTypecheck: boolean;
  /** files the block expects in its working folder: name there → path in the repository */
  files: Record<string, string>;
  /** the output block that follows it, if any */
  output?: string;
}

/** README.md and every docs/*.md, in a fixed order. */
export function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

function kindOf(lang: string, code: string): BlockKind {
  if (/^(js|javascript|mjs|ts|typescript)$/.test(lang)) return 'script';
  if (/^(sh|bash|shell|console)$/.test(lang)) return 'shell';
  if (lang === '' && /^\$ (npx )?simdnet /.test(code)) return 'session';
  if (lang === '' || lang === 'text' || lang === 'txt') return 'text';
  return 'other';
}

/** The blocks of one doc, outputs attached to the block they follow. */
export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  const blocks: DocBlock[] = [];
  let lastClose = -2;
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${file}:${i + 1}: a code fence that is never closed`);
    const info = open[1]!.trim().split(/\s+/).filter(Boolean);
    const lang = info[0] ?? '';
    const code = lines.slice(i + 1, end).join('\n');
    const markers: string[] = [];
    for (let j = i - 1; j >= 0 && /^<!--.*-->\s*$/.test(lines[j]!); j--) markers.unshift(lines[j]!);
    const previous = blocks.at(-1);
    const between = lines.slice(lastClose + 1, i);
    const follows = previous && lastClose >= 0 && between.every((l) => l.trim() === '');
    if (lang === '' && follows && previous.kind !== 'text' && previous.output === undefined) {
      previous.output = code;
    } else {
      const files: Record<string, string> = {};
      for (const m of markers) {
        const list = /^<!--\s*files:(.*)-->/.exec(m)?.[1] ?? '';
        for (const pair of list.split(',').filter((p) => p.trim())) {
          const [name, path] = pair.split('=').map((s) => s.trim());
          files[name!] = path!;
        }
      }
      blocks.push({
        file,
        line: i + 1,
        lang,
        kind: kindOf(lang, code),
        code,
        fragment: info.includes('fragment') || markers.some((m) => /^<!--\s*fragment\b/.test(m)),
        noTypecheck: markers.some((m) => /^<!--\s*no-typecheck\b/.test(m)),
        files,
      });
    }
    lastClose = end;
    i = end;
  }
  return blocks;
}

/** Every block of every doc. */
export function allDocBlocks(): DocBlock[] {
  return docFiles().flatMap(docBlocks);
}

/**
 * The names the docs' examples take from their surroundings: an import, or a value (with its type
 * for the type-check, and the code that makes it for the run: the data the doc says it is).
 */
export const SURROUNDINGS: Record<string, { from: string } | { type: string; value: string }> = {
  NN: { from: 'simdnet' },
  toFunction: { from: 'simdnet' },
  engines: { from: 'simdnet' },
  articleData: { from: 'simdnet' },
  trainInWorker: { from: 'simdnet' },
  fromONNX: { from: 'simdnet/interop' },
  toONNX: { from: 'simdnet/interop' },
  fromTFJS: { from: 'simdnet/interop' },
  toTFJS: { from: 'simdnet/interop' },
  readFileSync: { from: 'node:fs' },
  writeFileSync: { from: 'node:fs' },
  // the first example's iris measurements and species
  x: { type: 'number[][]', value: 'docData.iris().x' },
  species: { type: 'string[]', value: 'docData.iris().species' },
  // the article's create_data
  inputs: { type: 'Float32Array', value: 'docData.article().inputs' },
  targets: { type: 'Float32Array', value: 'docData.article().targets' },
  // MNIST digits: 784 pixels per row, and their digits
  images: { type: 'Float32Array', value: 'docData.digits().images' },
  labels: { type: 'number[]', value: 'docData.digits().labels' },
  controller: { type: 'AbortController', value: 'new AbortController()' },
};

/** The surrounding names a block uses and does not define itself. */
export function surroundingsOf(code: string): string[] {
  const defines = (name: string): boolean =>
    new RegExp(
      `import\\s*\\{[^}]*\\b${name}\\b|import\\s+(\\*\\s+as\\s+)?${name}\\s+from|function\\s+${name}\\b|(?:const|let|var)\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*=|(?:^|[\\s,{(])${name}\\s*=(?![=>])`,
    ).test(code);
  const uses = (name: string): boolean => new RegExp(`(?<![.\\w'])${name}\\b`).test(code);
  return Object.keys(SURROUNDINGS).filter((name) => uses(name) && !defines(name));
}

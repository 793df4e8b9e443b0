// The README's command-line block runs as written, on the sample data of examples/data/, in a
// folder of its own; the output it shows is what the first command prints (but for the timing line).
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliTempDir } from './helpers/cli-runner.js';

const root = resolve(import.meta.dirname, '..');
const dir = cliTempDir();
symlinkSync(join(root, 'examples'), join(dir, 'examples'));

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('## Command line'),
  readme.indexOf('\n## ', readme.indexOf('## Command line') + 3),
);
const blocks = [...section.matchAll(/```(\w*)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2]! }));
const commands = blocks
  .find((b) => b.lang === 'sh')!
  .body.split('\n')
  .filter((line) => line.startsWith('npx simdnet '))
  .map((line) => line.replace(/\s+#.*$/, '').trim());

describe("the README's command-line block", () => {
  it('has commands to run', () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
  });

  it.each(commands)('%s', async (line) => {
    const args = line.slice('npx simdnet '.length).split(/\s+/);
    const r = await cli(args, dir);
    expect(r.code, r.stderr).toBe(0);
    const out = args[args.indexOf('--out') + 1];
    if (args.includes('--out')) expect(existsSync(join(dir, out!))).toBe(true);
  });

  it('shows what the first command prints', async () => {
    const shown = blocks
      .find((b) => b.lang === '' && b.body.startsWith('$ npx simdnet'))!
      .body.trim()
      .split('\n');
    expect(shown[0]).toBe(`$ ${commands[0]}`);
    const args = commands[0]!.slice('npx simdnet '.length).split(/\s+/);
    const r = await cli([...args, '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    const timing = / samples\/s on /;
    expect(
      r.stdout
        .trim()
        .split('\n')
        .filter((l) => !timing.test(l)),
    ).toEqual(shown.slice(1).filter((l) => !timing.test(l)));
  });
});

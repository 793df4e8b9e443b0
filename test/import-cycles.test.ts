// The layers of docs/architecture.md import one way: `npm run cycles` (scripts/import-cycles.mjs)
// finds no cycle among src/, assembly/ and bench/, and it does find one planted in a scratch folder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const scratch = mkdtempSync(join(tmpdir(), 'simdnet-cycles-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const cycles = (...folders: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts/import-cycles.mjs'), ...folders], { cwd: root, encoding: 'utf8' });

describe('import cycles', () => {
  it('there are none among src, assembly and bench', () => {
    const r = cycles();
    expect(r.stdout).toMatch(/^0 import cycle\(s\) among \d{3} files in src, assembly, bench\n$/);
    expect(r.status).toBe(0);
  });

  it('a planted one is found: a type-only import, a folder index and a dynamic import count', () => {
    mkdirSync(join(scratch, 'lib'));
    writeFileSync(join(scratch, 'a.ts'), "import { b } from './lib/index.js';\nexport const a = b;\n");
    writeFileSync(join(scratch, 'lib/index.ts'), "export { c as b } from './c.js';\n");
    writeFileSync(join(scratch, 'lib/c.ts'), "import type {\n  a,\n} from '../a.js';\nexport const c = 1;\n");
    writeFileSync(join(scratch, 'd.ts'), "export const d = () => import('./d.js');\n");
    writeFileSync(join(scratch, 'e.ts'), "import { a } from './a.js';\nexport const e = a;\n");
    const r = cycles(scratch);
    expect(r.status).toBe(1);
    const found = r.stdout.split('\n').filter((l) => l.startsWith('cycle: '));
    expect(found).toHaveLength(2);
    expect(found.find((l) => l.includes('a.ts'))).toMatch(/a\.ts ↔ .*lib\/index\.ts ↔ .*lib\/c\.ts$/);
    expect(found.find((l) => l.includes('d.ts'))).toMatch(/d\.ts$/);
    expect(r.stdout).toContain('2 import cycle(s) among 5 files');
  });
});

// The package's declarations as a user's compiler finds them: `simdnet` and `simdnet/interop`
// resolve under moduleResolution node (node10, through package.json's typesVersions), node16 and
// bundler, and a strict consumer compiles against dist/ (built by npm test before the tests).
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
// outside the repository: a link back into it must not make a loop for tools that walk the tree
const APP = mkdtempSync(join(tmpdir(), 'simdnet-consumer-'));

const SOURCE = `import { NN, type TrainReport } from 'simdnet';
import { toONNX, fromONNX } from 'simdnet/interop';
export async function app(): Promise<number> {
  const net = await NN.create({ layers: [2, 4, 3] });
  const report: TrainReport = net.train([[0, 1], [1, 0]], ['a', 'b']);
  const back = await fromONNX(toONNX(net));
  return report.history.length + back.layers.length;
}
`;

function compile(moduleResolution: ts.ModuleResolutionKind, module: ts.ModuleKind): string[] {
  const file = join(APP, 'app.ts');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module,
    moduleResolution,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: [],
    skipLibCheck: false,
  };
  const program = ts.createProgram([file], options);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('the declarations a user compiles against', () => {
  mkdirSync(join(APP, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(APP, 'node_modules/simdnet'), 'dir');
  writeFileSync(join(APP, 'app.ts'), SOURCE);
  writeFileSync(join(APP, 'package.json'), '{ "type": "module" }');

  it.each([
    ['node (node10, typesVersions)', ts.ModuleResolutionKind.Node10, ts.ModuleKind.ESNext],
    ['node16', ts.ModuleResolutionKind.Node16, ts.ModuleKind.Node16],
    ['bundler', ts.ModuleResolutionKind.Bundler, ts.ModuleKind.ESNext],
  ])(
    'moduleResolution %s: both entry points resolve and type-check',
    (_, resolution, module) => {
      expect(compile(resolution, module)).toEqual([]);
    },
    60_000,
  );
});

// The core bundle keeps every public name. scripts/bundle.mjs minifies dist/index.js with esbuild
// and renames its identifiers again with terser; neither may touch what a user, a model file or a
// worker reads. So every value that the public declarations (dist/index.d.ts, built by npm test
// before the tests) export is exported by the bundle, and every property those declarations reach
// (methods, getters, option keys, the JSON format's fields, reports, records) is in the bundle's code.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const DIST = join(import.meta.dirname, '..', 'dist');

/** The names dist/index.d.ts exports as values, and the public properties of every type it reaches. */
function publicNames(): { values: string[]; properties: Set<string> } {
  const entry = join(DIST, 'index.d.ts');
  const program = ts.createProgram([entry], { noEmit: true, strict: true, types: [], lib: ['lib.es2022.d.ts'] });
  const checker = program.getTypeChecker();
  const ours = (node: ts.Node | undefined): boolean => node?.getSourceFile().fileName.startsWith(DIST) ?? false;
  const properties = new Set<string>();
  const seen = new Set<ts.Type>();
  const visit = (type: ts.Type): void => {
    if (seen.has(type)) return;
    seen.add(type);
    if (type.isUnionOrIntersection()) type.types.forEach(visit);
    if (type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference)
      checker.getTypeArguments(type as ts.TypeReference).forEach(visit);
    const declaration = type.getSymbol()?.declarations?.[0];
    if (declaration && !ours(declaration)) return; // Float32Array, Promise, AbortSignal: the platform's
    for (const property of type.getProperties()) {
      const node = property.declarations?.[0];
      if (!node || !ours(node) || ts.getCombinedModifierFlags(node as ts.Declaration) & ts.ModifierFlags.Private)
        continue;
      if (!property.name.startsWith('__@')) properties.add(property.name); // not [Symbol.dispose]
      visit(checker.getTypeOfSymbolAtLocation(property, node));
    }
    for (const signature of [...type.getCallSignatures(), ...type.getConstructSignatures()]) {
      for (const parameter of signature.parameters) visit(checker.getTypeOfSymbol(parameter));
      visit(signature.getReturnType());
    }
  };
  const values: string[] = [];
  const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  for (const exported of checker.getExportsOfModule(module)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    if (symbol.flags & ts.SymbolFlags.Value) {
      values.push(exported.name);
      visit(checker.getTypeOfSymbol(symbol));
    }
    if (symbol.flags & ts.SymbolFlags.Type) visit(checker.getDeclaredTypeOfSymbol(symbol));
  }
  return { values, properties };
}

/** Every identifier in the code (property names among them), but no word of its strings and templates. */
function identifiers(code: string): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) names.add(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('index.js', code, ts.ScriptTarget.ES2022, false, ts.ScriptKind.JS));
  return names;
}

describe('dist/index.js', () => {
  const { values, properties } = publicNames();
  // a property renamed in the code would still be named in its error messages: strings do not count
  const code = identifiers(readFileSync(join(DIST, 'index.js'), 'utf8'));

  it('exports every value the public declarations export', async () => {
    expect(values, 'the declarations were read').toContain('NN');
    const bundle = (await import(join(DIST, 'index.js'))) as Record<string, unknown>;
    for (const name of values) expect(bundle[name], name).toBeDefined();
  });

  it('keeps every public property name, from NN.create to the JSON format and the reports', () => {
    // a sample of what must be among them, so that a reader that found too little fails here
    for (const name of ['create', 'train', 'predict', 'classify', 'summary', 'learningRate', 'earlyStopping'])
      expect(properties.has(name), name).toBe(true);
    for (const name of ['targetStandardizer', 'activations', 'history', 'stoppedBy', 'onEpoch'])
      expect(properties.has(name), name).toBe(true);
    const missing = [...properties].filter((name) => !code.has(name));
    expect(missing).toEqual([]);
  });
});

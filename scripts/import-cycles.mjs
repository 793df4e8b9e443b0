// npm run cycles [-- folder…]: finds import cycles among the TypeScript and JavaScript sources of the
// given folders (default src, assembly, bench), so that the layers of docs/architecture.md stay a
// one-way street. Relative imports only, type-only ones included (a type cycle is still a tangle).
// Exits 1 and names the files of each cycle when there is one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SOURCE = /\.(ts|mts|js|mjs)$/;
const DECLARATION = /\.d\.m?ts$/;

/** Every source file under a folder, as absolute paths. */
function sources(folder) {
  const found = [];
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) found.push(...sources(path));
    else if (SOURCE.test(name) && !DECLARATION.test(name)) found.push(resolve(path));
  }
  return found;
}

/** The relative specifiers a file imports or re-exports (static, side-effect and dynamic forms). */
function specifiers(text) {
  const forms = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*['"](\.{1,2}\/[^'"]+)['"]/g,
    /\bimport\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g,
  ];
  return forms.flatMap((form) => [...text.matchAll(form)].map((m) => m[1]));
}

/** The file a specifier names: sources import './x.js' for './x.ts', and a folder means its index. */
function target(from, specifier, known) {
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|ts|mts)$/, '');
  const candidates = [base, `${stem}.ts`, `${stem}.mts`, `${stem}.js`, `${stem}.mjs`, join(base, 'index.ts')];
  return candidates.find((c) => known.has(c));
}

/** Strongly connected components of more than one file, or a file importing itself (Tarjan). */
function cycles(graph) {
  const order = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let next = 0;
  const visit = (file) => {
    order.set(file, next);
    low.set(file, next);
    next++;
    stack.push(file);
    onStack.add(file);
    for (const dep of graph.get(file)) {
      if (!order.has(dep)) {
        visit(dep);
        low.set(file, Math.min(low.get(file), low.get(dep)));
      } else if (onStack.has(dep)) low.set(file, Math.min(low.get(file), order.get(dep)));
    }
    if (low.get(file) !== order.get(file)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file).has(file)) found.push(component.reverse());
  };
  for (const file of graph.keys()) if (!order.has(file)) visit(file);
  return found;
}

const folders = process.argv.length > 2 ? process.argv.slice(2) : ['src', 'assembly', 'bench'];
const files = folders.filter((f) => existsSync(f)).flatMap(sources);
const known = new Set(files);
const graph = new Map(
  files.map((file) => [
    file,
    new Set(
      specifiers(readFileSync(file, 'utf8'))
        .map((s) => target(file, s, known))
        .filter(Boolean),
    ),
  ]),
);
const tangles = cycles(graph);
for (const component of tangles) console.log(`cycle: ${component.map((f) => relative(process.cwd(), f)).join(' ↔ ')}`);
console.log(`${tangles.length} import cycle(s) among ${files.length} files in ${folders.join(', ')}`);
process.exit(tangles.length ? 1 : 0);

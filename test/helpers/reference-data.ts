// The reference data sets of test/data (scikit-learn's split, the target in the last column) and
// scikit-learn's own figures on them (sklearn-reference.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(import.meta.dirname, '..', 'data');

export interface ReferenceSet {
  x: number[][];
  /** class labels as written (numbers where the column is numeric), or regression targets */
  y: (string | number)[];
}

export interface SklearnFigures {
  task: 'classification' | 'regression';
  features: number;
  accuracy_max_iter_200?: number;
  rmse_max_iter_500?: number;
}

export function readSet(name: string, part: 'train' | 'test'): ReferenceSet {
  const lines = readFileSync(join(DIR, `${name}-${part}.csv`), 'utf8')
    .trim()
    .split('\n');
  const rows = lines.slice(1).map((line) => line.split(','));
  return {
    x: rows.map((r) => r.slice(0, -1).map(Number)),
    y: rows.map((r) => {
      const cell = r[r.length - 1]!;
      return Number.isNaN(Number(cell)) ? cell : Number(cell);
    }),
  };
}

export function sklearnFigures(name: string): SklearnFigures {
  const json = JSON.parse(readFileSync(join(DIR, 'sklearn-reference.json'), 'utf8')) as {
    datasets: Record<string, SklearnFigures>;
  };
  return json.datasets[name]!;
}

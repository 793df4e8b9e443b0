// The command line's defaults against scikit-learn's: on five of its data sets (split 75/25 as
// scripts/sklearn-reference.py split them), `simdnet train FILE --target T` with nothing else
// prints a held-out figure first, and its model, evaluated on the test file, is within 2 points
// of accuracy (classification) or 5% of RMSE (regression) of
// make_pipeline(StandardScaler(), MLPClassifier|MLPRegressor(random_state=0, max_iter=500)).
// --out only writes the model file; it changes nothing in training.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliTempDir } from './helpers/cli-runner.js';

const dir = cliTempDir();
const data = resolve(import.meta.dirname, 'data');

interface Reference {
  task: 'classification' | 'regression';
  target: string;
  test: number;
  accuracy_max_iter_500?: number;
  rmse_max_iter_500?: number;
}
const reference = JSON.parse(readFileSync(join(data, 'sklearn-reference.json'), 'utf8')) as {
  datasets: Record<string, Reference>;
};

describe.each(Object.entries(reference.datasets))('%s with the default flags', (name, ref) => {
  it("prints the held-out figure first, and evaluates within reach of scikit-learn's on the test rows", async () => {
    const model = join(dir, `${name}.json`);
    const t = await cli(['train', join(data, `${name}-train.csv`), '--target', ref.target, '--out', model]);
    expect(t.code, t.stderr).toBe(0);
    const first = t.stdout.split('\n')[0]!;
    expect(first).toMatch(
      ref.task === 'classification'
        ? /^held-out \(20% of the rows, stratified\): accuracy \d+\.\d\d% /
        : /^held-out \(20% of the rows\): RMSE \d/,
    );

    const e = await cli(['evaluate', model, join(data, `${name}-test.csv`), '--json']);
    expect(e.code, e.stderr).toBe(0);
    const result = JSON.parse(e.stdout);
    expect(result.rows).toBe(ref.test);
    expect(result.task).toBe(ref.task);
    if (ref.task === 'classification')
      expect(result.accuracy).toBeGreaterThanOrEqual(ref.accuracy_max_iter_500! - 0.02);
    else expect(result.rmse).toBeLessThanOrEqual(ref.rmse_max_iter_500! * 1.05);
  });
});

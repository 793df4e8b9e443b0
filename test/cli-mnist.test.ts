// The MNIST demo, reduced to stay fast: 2 epochs without the shifted copies, on the same fixed
// split. (The full demo, `npm start`, is what docs/cli.md's test accuracy measures.)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliTempDir } from './helpers/cli-runner.js';

const dir = cliTempDir();

describe('simdnet mnist (reduced)', () => {
  it('trains on the 8,000-digit split, reports test accuracy and writes the model and the SVG curve', async () => {
    const r = await cli([
      'mnist',
      '--epochs',
      '2',
      '--no-augment',
      '--no-compare',
      '--out-dir',
      dir,
      '--json',
      '--quiet',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({
      trainingRows: 8000,
      testRows: 2000,
      rowsPerEpoch: 8000,
      epochs: 2,
      augment: false,
      speed: null,
    });
    expect(result.testAccuracy).toBeGreaterThan(0.9);
    expect(result.history).toHaveLength(2);
    expect(result.confusionMatrix.flat().reduce((s: number, n: number) => s + n, 0)).toBe(2000);
    const svg = readFileSync(join(dir, 'mnist-curve.svg'), 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const model = JSON.parse(readFileSync(join(dir, 'mnist-model.json'), 'utf8'));
    expect(model.layers).toEqual([784, 128, 10]);
    expect(model.classes).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(model.schema.target).toEqual({ column: 'digit', task: 'classification' });
    expect(readdirSync(dir).sort()).toEqual(['mnist-curve.svg', 'mnist-model.json']);
    expect(existsSync(join(dir, 'mnist-model.json.tmp'))).toBe(false);
  });
});

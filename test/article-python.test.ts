// The acceptance check, done here too: the article's own program (its NumPy code, ported
// to Python 3 in test/article/nn.py with only the changes Python 3 needs, and data and weights read
// from stdin) against simdnet trained through the public API from the same start, on both
// engines. NumPy computes in float64; simdnet in float32, so the tolerance is float32 rounding
// grown over the epochs: 30 full-batch epochs on 1,000 rows move each weight by a few 1e-3, and
// the accumulated float32 error of those updates is below 1e-6 (observed: about 1e-7).
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NN, articleData } from '../src/index.js';
import { readTools } from '../scripts/test-tools.mjs';
import { asRows } from './helpers/random-data.js';
import { ENGINES } from './helpers/engines.js';

const script = resolve(import.meta.dirname, 'article/nn.py');

/** The python that npm test's first step found or installed with NumPy (PYTHON overrides it). */
function pythonWithNumpy(): string {
  const { python } = readTools();
  const probe = spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
  if (probe.status !== 0)
    throw new Error(
      `${python} cannot import numpy: run npm test (its first step finds or installs NumPy) or set PYTHON`,
    );
  return python;
}

interface Case {
  name: string;
  layers: number[];
  gain: number;
  threshold: number;
  rows: number;
  epochs: number;
  seed: number;
}
const CASES: Case[] = [
  {
    name: "the article's network (3-4-3, α 0.04, θ 0.1)",
    layers: [3, 4, 3],
    gain: 0.04,
    threshold: 0.1,
    rows: 1000,
    epochs: 30,
    seed: 11,
  },
  {
    name: 'a deeper one (5-6-4-2, α 1, θ 0)',
    layers: [5, 6, 4, 2],
    gain: 1,
    threshold: 0,
    rows: 300,
    epochs: 30,
    seed: 12,
  },
];

describe.each(ENGINES)("simdnet on %s against the article's Python program", (engine) => {
  const python = pythonWithNumpy();
  it.each(CASES)('$name', async (c) => {
    const inputs = c.layers[0]!,
      outputs = c.layers[c.layers.length - 1]!;
    const data = articleData({ rows: c.rows, inputs, outputs, seed: c.seed });
    const net = await NN.create({
      layers: c.layers,
      preset: 'article',
      activation: { name: 'sigmoid', gain: c.gain, threshold: c.threshold },
      engine,
      seed: c.seed,
    });
    const start = net.getWeights().weights;
    const spec = {
      alph: c.gain,
      mu: 0.01,
      theta: c.threshold,
      max_T: c.epochs,
      x: asRows(data.inputs, inputs),
      y: asRows(data.targets, outputs),
      w: start.map((w, l) => asRows(w, c.layers[l + 1]!)),
    };
    const out = JSON.parse(
      execFileSync(python, [script], { input: JSON.stringify(spec), maxBuffer: 64 << 20 }).toString(),
    ) as { errors: number[]; w: number[][][] };

    const errors: number[] = [];
    // the preset trains as the article does: all rows at once, μ = 0.01, no shuffling
    net.train(data.inputs, data.targets, {
      epochs: c.epochs,
      onEpoch: ({ error }) => {
        errors.push(error);
      },
    });
    expect(out.errors.length).toBe(c.epochs);
    errors.forEach((e, t) =>
      expect(Math.abs(e - out.errors[t]!), `error at T=${t + 1}`).toBeLessThanOrEqual(1e-5 * out.errors[t]!),
    );
    const final = net.getWeights().weights;
    let worst = 0;
    final.forEach((w, l) =>
      w.forEach((v, i) => {
        const ref = out.w[l]![Math.floor(i / c.layers[l + 1]!)]![i % c.layers[l + 1]!]!;
        worst = Math.max(worst, Math.abs(v - ref) / Math.max(1, Math.abs(ref)));
      }),
    );
    expect(worst).toBeLessThan(1e-6);
    // and training really moved the weights, so the match is not the start matching itself
    const moved = Math.max(...final.flatMap((w, l) => Array.from(w, (v, i) => Math.abs(v - start[l]![i]!))));
    expect(moved).toBeGreaterThan(100 * 1e-6);
    net.dispose();
  });
});

// The defaults are written down once in code (src/defaults.ts: DEFAULTS and PRESETS) and once in
// prose (README's option tables); this holds the prose to the code, so that neither moves alone.
// And what the resolvers fill in is what the table says.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../src/index.js';
import { resolveNetworkOptions } from '../src/options.js';
import { resolveTrainOptions } from '../src/train-options.js';

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');

/** The "default" cell of each `option` row of README's tables (the second column; a row may name several). */
function documented(): Map<string, string> {
  const cells = new Map<string, string>();
  for (const line of README.split('\n')) {
    const row = /^\| ((?:`\w+`(?:, )?)+) \| ([^|]*) \|/.exec(line);
    if (row) for (const [, key] of row[1]!.matchAll(/`(\w+)`/g)) cells.set(key!, row[2]!);
  }
  return cells;
}

/** Whether a value of the table is written in the cell: a quoted name, true/false, a number in any notation. */
function written(cell: string, value: unknown): boolean {
  if (typeof value === 'string') return cell.includes(`'${value}'`);
  if (typeof value === 'boolean') return cell.includes(String(value));
  if (typeof value === 'number')
    return [...cell.matchAll(/-?\d+(?:\.\d+)?(?:e-?\d+)?/g)].some((m) => Number(m[0]) === value);
  if (value && typeof value === 'object' && 'name' in value) return written(cell, (value as { name: string }).name);
  if (value && typeof value === 'object') return Object.values(value).every((v) => written(cell, v));
  return false;
}

describe('the defaults table', () => {
  const cells = documented();
  const entries = [...Object.entries(DEFAULTS.network), ...Object.entries(DEFAULTS.train)];

  it.each(entries)("README's option table gives %s's default as the table does", (key, value) => {
    const cell = cells.get(key);
    expect(cell, `README has a row for ${key}`).toBeDefined();
    expect(written(cell!, value), `${key}: ${JSON.stringify(value)} in ${cell}`).toBe(true);
  });

  it('is what the resolvers fill in', () => {
    const { config, engine, threads } = resolveNetworkOptions({ layers: [2, 3, 1] });
    expect(config.activations[0]!.name).toBe(DEFAULTS.network.activation.name);
    expect([config.bias, config.init, engine, threads]).toEqual([
      DEFAULTS.network.bias,
      DEFAULTS.network.init,
      DEFAULTS.network.engine,
      DEFAULTS.network.threads,
    ]);
    const t = resolveTrainOptions({});
    const { learningRate, earlyStopping, ...rest } = DEFAULTS.train;
    expect(t).toMatchObject(rest);
    expect(t.learningRate).toBe(learningRate[t.optimizer]);
    expect(t.earlyStopping).toEqual(earlyStopping);
    // an explicit epoch count drops the plateau stop
    expect(resolveTrainOptions({ epochs: 7 }).earlyStopping).toBeNull();
  });
});

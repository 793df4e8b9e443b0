// toFunction(): the network as standalone JavaScript source. Only numbers taken from the model
// are written into the code (weights, sizes, activation parameters, normaliser and target statistics); every
// name and operator comes from this file, never from the model.
import type { NetworkConfig } from '../vocabulary.js';
import type { Model } from '../model/model.js';

/** A number as a JavaScript literal; non-finite values cannot occur (models are checked) but are refused anyway. */
function literal(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`toFunction: non-finite model value ${v}`);
  return Object.is(v, -0) ? '0' : String(v);
}
const list = (a: ArrayLike<number>): string => Array.from(a, literal).join(',');

function activationCode(c: NetworkConfig, l: number): string {
  const a = c.activations[l]!;
  switch (a.name) {
    case 'sigmoid':
      return `for (let j = 0; j < n; j++) y[j] = 1 / (1 + Math.exp(-${literal(a.gain)} * (y[j] - ${literal(a.threshold)})));`;
    case 'tanh':
      return 'for (let j = 0; j < n; j++) y[j] = Math.tanh(y[j]);';
    case 'relu':
      return 'for (let j = 0; j < n; j++) if (y[j] < 0) y[j] = 0;';
    case 'leaky-relu':
      return `for (let j = 0; j < n; j++) if (y[j] < 0) y[j] *= ${literal(a.slope)};`;
    case 'softmax':
      return (
        'let m = -Infinity; for (let j = 0; j < n; j++) if (y[j] > m) m = y[j];\n' +
        '    let s = 0; for (let j = 0; j < n; j++) { y[j] = Math.exp(y[j] - m); s += y[j]; }\n' +
        '    for (let j = 0; j < n; j++) y[j] /= s;'
      );
    case 'linear':
      return '';
  }
}

export function functionSource(model: Model): string {
  const { config: c, params: w, normalizer, targetStandardizer: targets } = model;
  const inputs = c.layers[0]!;
  const lines: string[] = [];
  lines.push('function simdnetPredict(row) {');
  lines.push(
    `  if (row == null || row.length !== ${inputs}) throw new RangeError('input must have ${inputs} values');`,
  );
  lines.push(`  let x = new Float64Array(${inputs});`);
  if (normalizer) {
    lines.push(`  const offset = [${list(normalizer.offset)}], scale = [${list(normalizer.scale)}];`);
    lines.push(`  for (let i = 0; i < ${inputs}; i++) x[i] = (Number(row[i]) - offset[i]) * scale[i];`);
  } else {
    lines.push(`  for (let i = 0; i < ${inputs}; i++) x[i] = Number(row[i]);`);
  }
  for (let l = 0; l < c.layers.length - 1; l++) {
    const fanIn = c.layers[l]!,
      fanOut = c.layers[l + 1]!;
    const b = w.biases[l];
    lines.push('  {');
    lines.push(`    const W = new Float32Array([${list(w.weights[l]!)}]);`);
    lines.push(b ? `    const y = new Float64Array([${list(b)}]);` : `    const y = new Float64Array(${fanOut});`);
    lines.push(`    const n = ${fanOut};`);
    lines.push(
      `    for (let p = 0; p < ${fanIn}; p++) { const a = x[p]; for (let j = 0; j < n; j++) y[j] += a * W[p * n + j]; }`,
    );
    const act = activationCode(c, l);
    if (act) lines.push(`    ${act}`);
    lines.push('    x = y;');
    lines.push('  }');
  }
  if (targets) {
    lines.push(`  const mean = [${list(targets.mean)}], std = [${list(targets.scale)}];`);
    lines.push(`  for (let j = 0; j < ${c.layers.at(-1)}; j++) x[j] = x[j] * std[j] + mean[j];`);
  }
  lines.push('  return x;');
  lines.push('}');
  return lines.join('\n');
}

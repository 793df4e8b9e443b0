// net.summary(): the model as a Keras-like table of text: one line per layer (its size, activation
// and parameter count), the totals, the loss and classes, and where the network runs.
import type { Model } from '../model/model.js';
import type { ResolvedActivation } from '../vocabulary.js';

/** Where a network runs, as net.summary() reports it. */
export interface Placed {
  engine: string;
  build: string;
  threads: number;
  precision: 'float32' | 'int8';
}

function activationText(a: ResolvedActivation): string {
  if (a.name === 'sigmoid' && (a.gain !== 1 || a.threshold !== 0))
    return `sigmoid (gain ${a.gain}, threshold ${a.threshold})`;
  if (a.name === 'leaky-relu') return `leaky-relu (slope ${a.slope})`;
  return a.name;
}

const list = (values: readonly (string | number)[]): string =>
  values.length > 8 ? `${values.slice(0, 8).join(', ')}, … (${values.length})` : values.join(', ');

/** What the table shows of a model, float or quantized. */
type Shown = Pick<Model, 'config' | 'normalizer' | 'targetStandardizer' | 'metadata'>;

export function summaryText(model: Shown, placed: Placed, undecided: { head: boolean; data: boolean } | null): string {
  const undecidedHead = !!undecided?.head;
  const { config: c, normalizer, targetStandardizer, metadata } = model;
  const layers = c.layers.length - 1;
  const rows: string[][] = [['layer', 'units', 'activation', 'parameters']];
  const inputs = normalizer
    ? `${normalizer.kind === 'zscore' ? 'z-score' : 'min-max'} normalised`
    : undecided?.data
      ? 'z-score, fitted at the first train'
      : '';
  rows.push(['input', String(c.layers[0]), inputs, '']);
  let total = 0;
  for (let l = 0; l < layers; l++) {
    const params = c.layers[l]! * c.layers[l + 1]! + (c.bias ? c.layers[l + 1]! : 0);
    total += params;
    const last = l === layers - 1;
    const act = last && undecidedHead ? 'from the targets at the first train' : activationText(c.activations[l]!);
    rows.push([last ? 'dense (output)' : 'dense', String(c.layers[l + 1]), act, params.toLocaleString('en-US')]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string =>
    r
      .map((cell, i) => (i === 1 || i === 3 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('   ')
      .trimEnd();
  const rule = '─'.repeat(widths.reduce((a, b) => a + b, 0) + 3 * (widths.length - 1));
  const out = [line(rows[0]!), rule, ...rows.slice(1).map(line), rule];
  out.push(`parameters: ${total.toLocaleString('en-US')}${c.bias ? '' : ' (no bias)'}`);
  out.push(`loss: ${undecidedHead ? 'from the targets at the first train' : c.loss}`);
  if (targetStandardizer) out.push('targets: standardized (predictions in their units)');
  if (metadata.classes) out.push(`classes: ${list(metadata.classes)}`);
  if (metadata.features) out.push(`features: ${list(metadata.features)}`);
  out.push(`engine: ${placed.engine} (${placed.build}), threads: ${placed.threads}, precision: ${placed.precision}`);
  return out.join('\n');
}

// The per-epoch history of a training run as a file: --history (JSON or CSV, by the file's
// extension) and --plot (the SVG curve that the mnist command draws, for any data).
import { extname } from 'node:path';
import type { EpochRecord } from './fit.js';
import { writeAtomic } from './files.js';
import { curveSvg, type Curve } from './plot.js';
import { csvCell } from './report.js';

const COLUMNS = ['epoch', 'loss', 'heldOutLoss', 'accuracy', 'heldOutAccuracy', 'learningRate', 'elapsedMs'] as const;

/** The history as JSON (an array of objects) or CSV (a header and one row per epoch). */
export function historyText(path: string, history: EpochRecord[]): string {
  const used = COLUMNS.filter((c) => history.some((h) => h[c] !== null));
  if (extname(path).toLowerCase() === '.csv')
    return `${[used.join(','), ...history.map((h) => used.map((c) => (h[c] === null ? '' : csvCell(h[c]!))).join(','))].join('\n')}\n`;
  return `${JSON.stringify(
    history.map((h) => Object.fromEntries(used.map((c) => [c, h[c]]))),
    null,
    1,
  )}\n`;
}

export function writeHistory(path: string, history: EpochRecord[], mkdir: boolean): void {
  writeAtomic(path, historyText(path, history), mkdir);
}

/** The loss curves (training and held-out) and the accuracy curves where measured, as SVG. */
export function writePlot(path: string, title: string, history: EpochRecord[], mkdir: boolean): void {
  const curves: Curve[] = [{ name: 'training loss', values: history.map((h) => h.loss), axis: 'loss' }];
  const series = (key: 'heldOutLoss' | 'accuracy' | 'heldOutAccuracy', name: string, axis: Curve['axis']): void => {
    if (history.some((h) => h[key] !== null))
      curves.push({ name, values: history.map((h) => h[key] ?? Number.NaN), axis });
  };
  series('heldOutLoss', 'held-out loss', 'loss');
  series('heldOutAccuracy', 'held-out accuracy', 'accuracy');
  if (!history.some((h) => h.heldOutAccuracy !== null)) series('accuracy', 'training accuracy', 'accuracy');
  writeAtomic(path, curveSvg(title, curves), mkdir);
}

// Results as text for people (stdout) and as CSV cells.

/** A confusion matrix with class names: rows are the actual class, columns the predicted one. */
export function confusionTable(counts: number[][], classes: string[]): string {
  const names = classes.map((c) => (c.length > 12 ? `${c.slice(0, 11)}…` : c));
  const width = Math.max(6, ...names.map((n) => n.length), ...counts.flat().map((n) => String(n).length)) + 1;
  const corner = 'actual \\ predicted',
    label = Math.max(corner.length, ...names.map((n) => n.length));
  const pad = (s: string): string => s.padStart(width);
  const lines = [`${corner.padEnd(label)}${names.map(pad).join('')}`];
  counts.forEach((row, i) =>
    lines.push(`${(names[i] ?? String(i)).padEnd(label)}${row.map((n) => pad(String(n))).join('')}`),
  );
  return lines.join('\n');
}

/** One CSV field, quoted when it holds a delimiter, a quote or a line break. */
export function csvCell(value: string | number): string {
  const s =
    typeof value === 'number'
      ? Number.isInteger(value)
        ? String(value)
        : String(Number(value.toPrecision(7)))
      : value;
  return /[",\r\n]/.test(s) || s.trim() !== s ? `"${s.replace(/"/g, '""')}"` : s;
}

export const percent = (fraction: number): string => `${(fraction * 100).toFixed(2)}%`;

/** Names for a message: up to 8 of them, then how many more. */
export function nameList(names: string[], show: (name: string) => string = (name) => name): string {
  const shown = names.slice(0, 8).map(show).join(', ');
  return names.length > 8 ? `${shown}, … (${names.length - 8} more)` : shown;
}

/** "1 row", "3 rows". */
export const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

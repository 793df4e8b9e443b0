// How a table's text cell reads as a number: as JavaScript reads it (a dot for decimals), or as a
// number written with a decimal comma, which --decimal turns into the first kind.

/** Reads a cell as a finite number, or null. */
export function numeric(cell: string): number | null {
  if (cell === '') return null;
  const n = Number(cell);
  return Number.isFinite(n) ? n : null;
}

/** A number written with a decimal comma, as many European spreadsheets export: "1,5", "-0,25", "2,5e3". */
export const decimalCommaCell = (cell: string): boolean => /^[+-]?\d*,\d+([eE][+-]?\d+)?$/.test(cell);

// Reading input files and writing output files atomically (a temporary file, then rename), so a
// failed or interrupted run never leaves a partial file where a result is expected.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from './errors.js';

/** The text of a file, or an InputError naming it (missing, a directory, unreadable, empty). */
export function readText(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot read the file (${code ?? String(err)})`;
    throw new InputError(file, 1, 1, why);
  }
  if (text.trim() === '') throw new InputError(file, 1, 1, 'the file is empty');
  return text;
}

/** Writes data to path through path.<pid>.tmp and a rename; creates the folder when missing. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

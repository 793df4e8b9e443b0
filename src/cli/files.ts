// Reading input files (or standard input, named `-`) and writing output files atomically (a
// temporary file, then rename), so a failed or interrupted run never leaves a partial file where a
// result is expected. An output path whose folder does not exist is a usage error unless the user
// asked for the folder to be made (--mkdir): a typo in a path should not grow a tree of folders.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError, UsageError } from './errors.js';

/** The name that stands for standard input (as a data file) or standard output (as --out). */
export const STDIO = '-';

/** How a file is named in messages: standard input as <stdin>. */
export const shownName = (file: string): string => (file === STDIO ? '<stdin>' : file);

/** The bytes of a file or of standard input, or an InputError naming it (missing, a directory, unreadable). */
export function readBytes(file: string): Buffer {
  try {
    return readFileSync(file === STDIO ? 0 : file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : `cannot read the file (${code ?? String(err)})`;
    throw new InputError(shownName(file), 1, 1, why);
  }
}

/** The text of a file or of standard input, or an InputError naming it (missing, a directory, unreadable, empty). */
export function readText(file: string): string {
  const text = readBytes(file).toString('utf8');
  if (text.trim() === '') throw new InputError(shownName(file), 1, 1, 'the file is empty');
  return text;
}

/**
 * Checks, before any work, that an output path can be written: its folder exists (or is made with
 * `mkdir`) and the path is not a folder. `-` (standard output) always can.
 */
export function checkOutput(flag: string, path: string, mkdir: boolean): void {
  if (path === STDIO) return;
  if (existsSync(path) && statSync(path).isDirectory())
    throw new UsageError(`${flag} ${path} is a folder; give a file name`);
  checkFolder(flag, dirname(path), mkdir);
}

/** Checks that a folder exists, or makes it when `mkdir`. */
export function checkFolder(flag: string, folder: string, mkdir: boolean): void {
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) throw new UsageError(`${flag}: ${folder} is a file, not a folder`);
    return;
  }
  if (!mkdir) throw new UsageError(`${flag}: the folder ${folder} does not exist; create it, or add --mkdir`);
  mkdirSync(folder, { recursive: true });
}

/** Writes data to path through path.<pid>.tmp and a rename, or to standard output for `-`. */
export function writeAtomic(path: string, data: string | Uint8Array, mkdir = false): void {
  if (path === STDIO) {
    process.stdout.write(data);
    return;
  }
  checkFolder('--out', dirname(path), mkdir);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

// Flag values as numbers and lists, with a UsageError naming the flag (exit code 2).
import { UsageError } from './errors.js';

export function intFlag(flag: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max)
    throw new UsageError(
      `${flag} must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got "${value}"`,
    );
  return n;
}

export function numberFlag(flag: string, value: string, test: (n: number) => boolean, expected: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !test(n))
    throw new UsageError(`${flag} must be ${expected}, got "${value}"`);
  return n;
}

/** "64,32" → [64, 32]; "" or "none" → [] (no hidden layer) */
export function layersFlag(value: string): number[] {
  if (value.trim() === '' || value.trim() === 'none') return [];
  return value.split(',').map((part) => intFlag('--layers', part.trim(), 1, 1 << 16));
}

export function choiceFlag<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!choices.includes(value as T))
    throw new UsageError(`${flag} must be one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

export const ENGINES = ['wasm', 'js', 'auto'] as const;

/** "a, b,c" → ['a', 'b', 'c']; undefined stays undefined. */
export function listFlag(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

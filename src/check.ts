// The generic validators behind every check of an argument: each error names the field, says what
// was expected and describes what came, before any kernel runs.

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null || typeof value === 'bigint')
    return String(value);
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as ArrayLike<number>).length}`;
  if (typeof value === 'function') return 'a function';
  return `an object`;
}

export function typeError(field: string, expected: string, got: unknown): TypeError {
  return new TypeError(`${field} must be ${expected}, got ${describe(got)}`);
}
export function rangeError(field: string, expected: string, got: unknown): RangeError {
  return new RangeError(`${field} must be ${expected}, got ${describe(got)}`);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Rejects keys that the options object does not define, naming the first one. */
export function checkKeys(field: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new TypeError(
        `${field} has an unknown option ${JSON.stringify(key)}; expected one of ${allowed.join(', ')}`,
      );
    }
  }
}

export function number(
  field: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  opts: { exclusiveMin?: boolean; integer?: boolean } = {},
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number') throw typeError(field, 'a number', value);
  if (
    !Number.isFinite(value) ||
    (opts.integer && !Number.isInteger(value)) ||
    (opts.exclusiveMin ? value <= min : value < min) ||
    value > max
  ) {
    const bounds = `${opts.integer ? 'an integer' : 'a finite number'} ${opts.exclusiveMin ? '>' : '≥'} ${min}${max < Infinity ? ` and ≤ ${max}` : ''}`;
    throw rangeError(field, bounds, value);
  }
  return value;
}

export function oneOf<T extends string>(field: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !choices.includes(value as T)) {
    throw (typeof value === 'string' ? rangeError : typeError)(
      field,
      `one of ${choices.map((c) => `'${c}'`).join(', ')}`,
      value,
    );
  }
  return value as T;
}

export function boolean(field: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw typeError(field, 'true or false', value);
  return value;
}

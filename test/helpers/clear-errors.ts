// What a refusal must look like: a TypeError or RangeError naming the field, never a Wasm trap and
// never a raw engine message from unchecked input; and the error a call threw or a promise rejected with.
import { expect } from 'vitest';

// Messages V8 itself produces when unchecked input reaches code that assumed it was valid.
const ENGINE_MESSAGES =
  /Cannot read prop|Cannot set prop|Cannot convert|Cannot create property|is not a function|is not iterable|is not a constructor|Maximum call stack|Invalid array length|Invalid typed array length|Array buffer allocation failed|out of memory|Invalid string length|NaN bytes|undefined bytes/;

/**
 * A clear error: a TypeError or RangeError (exactly `kind` when given: one must not pass for the
 * other) whose message matches `field`, neither a WebAssembly.RuntimeError nor an engine message.
 */
export function expectClearError(
  err: unknown,
  field: RegExp | string | null,
  what: string,
  kind?: typeof TypeError | typeof RangeError,
): void {
  expect(err, `${what}: must throw`).toBeInstanceOf(Error);
  const e = err as Error;
  expect(e instanceof WebAssembly.RuntimeError, `${what}: a Wasm trap escaped: ${e.message}`).toBe(false);
  expect(
    e instanceof TypeError || e instanceof RangeError,
    `${what}: expected TypeError or RangeError, got ${e.name}: ${e.message}`,
  ).toBe(true);
  if (kind) expect(e.constructor, `${what}: ${String(e)}`).toBe(kind);
  expect(ENGINE_MESSAGES.test(e.message), `${what}: unvalidated input reached the code: ${e.message}`).toBe(false);
  if (field !== null) {
    const re = typeof field === 'string' ? new RegExp(field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : field;
    expect(e.message, `${what}: the message names the field`).toMatch(re);
  }
}

/** What `f` threw, or undefined. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** What `f`'s promise rejected with (or `f` threw), or undefined. */
export async function rejected(f: () => Promise<unknown>): Promise<unknown> {
  try {
    await f();
  } catch (err) {
    return err;
  }
  return undefined;
}

/** What loading a model refused with, or undefined (a network it did build is disposed at once). */
export const loadError = (load: () => Promise<{ dispose(): void }>): Promise<unknown> =>
  rejected(async () => (await load()).dispose());

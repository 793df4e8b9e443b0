// A forced, complete garbage collection, to watch FinalizationRegistry and memory levels.
import * as v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFn: (() => void) | null | undefined;
/**
 * A full garbage collection. vitest's worker threads don't run with --expose-gc and the config is
 * not ours to change, so the flag is turned on at run time and `gc` is taken from a fresh context.
 */
export function forceGc(): (() => void) | null {
  if (gcFn !== undefined) return gcFn;
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return (gcFn = g);
  try {
    v8.setFlagsFromString('--expose-gc');
    const f = runInNewContext('gc') as unknown;
    gcFn = typeof f === 'function' ? (f as () => void) : null;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

/** Collects until finalizers have had their turn (they run as separate tasks after a collection). */
export async function collect(rounds = 4): Promise<void> {
  const gc = forceGc();
  if (!gc) throw new Error('no way to force a garbage collection in this runtime');
  for (let i = 0; i < rounds; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// The two paths by which predict checks its inputs (runtime/inputs.ts): TypeScript's check before
// anything runs, and the kernels' scan of the copy staged in engine memory. Tests run a case on
// either by setting the scan's threshold around it.
import { scanThreshold } from '../../src/runtime/inputs.js';

/** [name, threshold]: no input goes to the scan, or every input does. */
export const CHECK_PATHS = [
  ['typescript check', Infinity],
  ['Wasm scan', 0],
] as const;

/** Runs f with every predict on the path whose threshold is `threshold`. */
export function onPath<T>(threshold: number, f: () => T): T {
  const before = scanThreshold();
  scanThreshold(threshold);
  try {
    return f();
  } finally {
    scanThreshold(before);
  }
}

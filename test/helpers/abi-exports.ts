// The Wasm module's exports as lists (for test/abi.test.ts) and, checked at compile time by
// `npm run typecheck`, the agreement of src/abi/kernels.ts's types with asc's declarations of the
// debug build (build/debug.d.ts, written by its `bindings: raw` from assembly/index.ts).
import type { instantiate } from '../../build/debug.js';
import type { KERNEL_NAMES, Kernels, QUANT_KERNEL_NAMES, WasmExports } from '../../src/abi/kernels.js';

/** The exports that only the Wasm engine has (no twin in src/js/). */
export const WASM_ONLY = [
  'heapBase',
  'threadInit',
  'useThreads',
  'helperLoop',
  'helperEpoch',
  'stopHelpers',
  'testHelperParts',
  'testClaim',
] as const satisfies readonly (keyof WasmExports)[];
/** The exported globals: the byte sizes TypeScript allocates for each instance. */
export const GLOBALS = ['SCRATCH_BYTES', 'CONTROL_BYTES'] as const satisfies readonly (keyof WasmExports)[];

/** Exactly equal types (not merely assignable either way). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
/** The exports as asc declares them. */
type Built = Awaited<ReturnType<typeof instantiate>>;
type Functions<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] };
type Listed =
  | (typeof KERNEL_NAMES)[number]
  | (typeof QUANT_KERNEL_NAMES)[number]
  | (typeof WASM_ONLY)[number]
  | (typeof GLOBALS)[number];

/**
 * Each element stops `npm run typecheck` when it is false: the same export names on both sides
 * (asc adds the memory), every function with the same parameters and result, the lists above and
 * KERNEL_NAMES complete.
 */
export type AbiAgreement = [
  Expect<Equal<Exclude<keyof Built, 'memory'>, keyof WasmExports>>,
  Expect<Equal<Functions<Built>, Functions<WasmExports>>>,
  Expect<Equal<Listed, keyof WasmExports>>,
  Expect<Equal<(typeof KERNEL_NAMES)[number], keyof Kernels>>,
];

/**
 * The SIMD ceiling of the core the bench runs on: a loop of 12 independent f32x4 multiply-adds
 * (acc_i += x_i·m, x_i loaded from L1, one accumulator each), as a tiny Wasm module built here
 * from its text with binaryen (a devDependency), so it never enters the library's bundle. Only the
 * add is on an accumulator's chain, as in a GEMM micro-kernel, and twelve chains cover its latency
 * on current x86 cores, so the loop runs at the rate the core multiplies and adds 128-bit vectors
 * in Wasm: the most an f32x4 GEMM can reach there. The x_i alternate between two blocks so no
 * compiler can hoist their loads. The plain form is a separate f32x4.mul and f32x4.add (what the
 * plain-SIMD build runs); the fused form is relaxed SIMD's f32x4.relaxed_madd (the relaxed build),
 * measured where the runtime validates it.
 */
import binaryen from 'binaryen';
import { keep } from './measure.js';
import type { CeilingForm, GemmForm, GemmRunner } from './types.js';

const CHAINS = 12;
/** Floating-point operations of one iteration: 12 vectors of 4 lanes, a multiply and an add each. */
export const FLOPS_PER_ITERATION = CHAINS * 4 * 2;

/** The module's text: `run(iterations)` loops over 12 accumulators and returns their first lanes' sum. */
function moduleText(fused: boolean): string {
  const step = (i: number): string =>
    fused
      ? `(local.set $a${i} (f32x4.relaxed_madd (v128.load offset=${16 * i} (local.get $p)) (local.get $m) (local.get $a${i})))`
      : `(local.set $a${i} (f32x4.add (f32x4.mul (v128.load offset=${16 * i} (local.get $p)) (local.get $m)) (local.get $a${i})))`;
  const chains = Array.from({ length: CHAINS }, (_, i) => i);
  return `(module
  (memory 1)
  (func (export "run") (param $n i32) (result f32)
    (local $p i32) (local $m v128) ${chains.map((i) => `(local $a${i} v128)`).join(' ')}
    (local.set $m (f32x4.splat (f32.const 0.999)))
    ${chains.map((i) => `(local.set $a${i} (f32x4.splat (f32.const ${i})))`).join('\n    ')}
    (block $done (loop $next
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      ${chains.map(step).join('\n      ')}
      (local.set $p (i32.xor (local.get $p) (i32.const ${16 * CHAINS})))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    ${chains
      .slice(1)
      .reduce(
        (sum, i) => `(f32.add ${sum} (f32x4.extract_lane 0 (local.get $a${i})))`,
        '(f32x4.extract_lane 0 (local.get $a0))',
      )}))`;
}

function compile(fused: boolean): Uint8Array<ArrayBuffer> {
  const module = binaryen.parseText(moduleText(fused));
  try {
    module.setFeatures(binaryen.Features.SIMD128 | (fused ? binaryen.Features.RelaxedSIMD : 0));
    if (!module.validate()) throw new Error('the ceiling module does not validate');
    return new Uint8Array(module.emitBinary()) as Uint8Array<ArrayBuffer>;
  } finally {
    module.dispose();
  }
}

/**
 * A ceiling kernel as a row of the GEMM tables: for a product of m·k·n multiply-adds it runs as many
 * multiply-adds (2mkn floating-point operations), so it is timed exactly like the products beside it.
 */
export class CeilingRunner implements GemmRunner {
  readonly name: string;
  constructor(
    readonly form: CeilingForm,
    private readonly run: (iterations: number) => number,
  ) {
    this.name = `ceiling ${form}`;
  }
  gemm = (_form: GemmForm, m: number, k: number, n: number): number => {
    keep(this.run(Math.round((2 * m * k * n) / FLOPS_PER_ITERATION)));
    return -1; // timed by the rounds, like the engines' own work
  };
}

/** The ceiling kernels this runtime runs: the plain one always, the fused one where relaxed SIMD validates. */
export function ceilingRunners(): CeilingRunner[] {
  const runners: CeilingRunner[] = [];
  for (const fused of [false, true]) {
    const bytes = compile(fused);
    if (!WebAssembly.validate(bytes)) continue;
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as {
      run(n: number): number;
    };
    // V8 optimises a Wasm function after it has run a while: a few short calls move it there
    for (let i = 0; i < 20; i++) exports.run(10_000);
    runners.push(new CeilingRunner(fused ? 'fma' : 'mul+add', (n) => exports.run(n)));
  }
  return runners;
}

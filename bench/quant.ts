/**
 * Quantized inference against float inference on the same weights, at kernel level, in one
 * process: `node scripts/run.mjs bench/quant.ts [--rounds N]` (Node 20: the plain SIMD build;
 * Node 22 and later: the relaxed build too; Node 24 with `--no-enable-avx-vnni` to see the relaxed
 * dot product without VNNI).
 *
 * Float: the ABI's matmul and activate per layer (what `forward` runs); int8: one quantForward
 * call. Both sides run interleaved, the starting side alternating by round; each round's figure is
 * the process CPU time (`process.cpuUsage`) of its calls, and the table gives the best round of
 * each side and the ratio of the bests (with the median ratio beside it). Workloads:
 * - 784-128-10 (ReLU, softmax) over 2,000 rows in one call;
 * - the same network, one row per call, weights in cache (the same network every call);
 * - one row per call with the weights evicted: each call goes to the next of many copies of the
 *   network, together more than the last-level cache (read from sysfs), as a service answering
 *   many models would;
 * - 1024-1024-1024-10 over 256 rows.
 * The integer ceiling is a synthetic loop of independent dot products (and the float one of
 * independent multiply-adds) in a module built here with Binaryen; the table gives how close the
 * 2,000-row kernels come to it.
 */
import { cpus } from 'node:os';
import { spawnSync } from 'node:child_process';
import binaryen from 'binaryen';
import simdBytes from '../build/simd.wasm';
import relaxedBytes from '../build/relaxed.wasm';
import { createWasmEngine, type Engine } from '../src/runtime/engine.js';
import { ACT } from '../src/abi/kinds.js';
import { QUANT_LAYER_BYTES, quantLayerView } from '../src/abi/descriptor.js';
import type { QuantKernels } from '../src/abi/kernels.js';
import { packLayer, packedBytes, quantizeWeights } from '../src/js/quant-pack.js';
import { lastLevelCache } from './cpu.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const ROUNDS = flag('--rounds', 7);
const WARMUP = 2;

// ---- seeded data ----

let seed = 12345;
const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;

interface Net {
  sizes: number[];
  acts: number[];
  weights: Float32Array[];
  biases: Float32Array[];
}

function network(sizes: number[]): Net {
  const weights: Float32Array[] = [],
    biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const scale = Math.sqrt(6 / sizes[l]!);
    weights.push(Float32Array.from({ length: sizes[l]! * sizes[l + 1]! }, () => random() * scale));
    biases.push(Float32Array.from({ length: sizes[l + 1]! }, () => random() * 0.1));
  }
  const acts = sizes.slice(1).map((_, l) => (l === sizes.length - 2 ? ACT.softmax : ACT.relu));
  return { sizes, acts, weights, biases };
}

// ---- one network on one engine, both ways ----

type Forward = (x: number, rows: number, y: number) => void;

interface Placed {
  /** one forward per copy of the network */
  float: Forward[];
  int8: Forward[];
  floatBytes: number;
  int8Bytes: number;
  x: number;
  y: number;
}

/**
 * `net` in `engine`'s memory: float weights and biases, and the packed int8 layers, each as many
 * times as asked; inputs for `rows` rows, in [0, 1) or in (−1, 1).
 */
function place(engine: Engine, net: Net, rows: number, nonNegative = false, floatCopies = 1, int8Copies = 1): Placed {
  const { heap } = engine;
  const k = engine.kernels,
    q = engine.kernels as unknown as QuantKernels;
  const L = net.acts.length,
    widest = Math.max(...net.sizes);
  const x = heap.alloc(rows * net.sizes[0]! * 4),
    y = heap.alloc(rows * net.sizes[L]! * 4);
  const hidden = net.sizes.slice(1).map((n) => heap.alloc(rows * n * 4));
  const scratch = heap.alloc(q.quantScratchBytes(widest));
  const floatBlocks: { w: number; b: number }[] = [];
  const packedBlocks: number[] = [];
  // one quantization, then copies of its packed blocks
  for (let l = 0; l < L; l++) {
    const kk = net.sizes[l]!,
      n = net.sizes[l + 1]!;
    const w = heap.alloc(kk * n * 4),
      b = heap.alloc(n * 4);
    heap.f32.set(net.weights[l]!, w >>> 2);
    heap.f32.set(net.biases[l]!, b >>> 2);
    const { q: qw, scales } = quantizeWeights(net.weights[l]!, kk, n);
    const block = packLayer(qw, scales, net.biases[l]!, kk, n);
    const packed = heap.alloc(block.length);
    heap.u8.set(block, packed);
    floatBlocks.push({ w, b });
    packedBlocks.push(packed);
  }
  const out: Placed = { float: [], int8: [], floatBytes: 0, int8Bytes: 0, x, y };
  for (let l = 0; l < L; l++) out.floatBytes += (net.sizes[l]! * net.sizes[l + 1]! + net.sizes[l + 1]!) * 4;
  for (let c = 0; c < floatCopies; c++) {
    const fl = c === 0 ? floatBlocks : floatBlocks.map((f, l) => copyBlock(engine, f, net, l));
    out.float.push((xp, m, yp) => {
      let input = xp;
      for (let l = 0; l < L; l++) {
        const n = net.sizes[l + 1]!,
          dst = l === L - 1 ? yp : hidden[l]!;
        k.matmul(input, fl[l]!.w, fl[l]!.b, dst, m, net.sizes[l]!, n);
        k.activate(net.acts[l]!, 0, 0, dst, m, n);
        input = dst;
      }
    });
  }
  for (let c = 0; c < int8Copies; c++) {
    const records = heap.alloc(L * QUANT_LAYER_BYTES);
    let int8Bytes = 0;
    for (let l = 0; l < L; l++) {
      const kk = net.sizes[l]!,
        n = net.sizes[l + 1]!,
        bytes = packedBytes(kk, n);
      const packed = c === 0 ? packedBlocks[l]! : heap.alloc(bytes);
      if (c > 0) heap.u8.copyWithin(packed, packedBlocks[l]!, packedBlocks[l]! + bytes);
      const r = quantLayerView(heap, records, l);
      r.fanIn = kk;
      r.fanOut = n;
      r.act = net.acts[l]!;
      r.packed = packed;
      r.narrow = 1;
      int8Bytes += bytes;
    }
    out.int8Bytes = int8Bytes;
    out.int8.push((xp, m, yp) => q.quantForward(records, L, xp, m, yp, scratch, 1));
  }
  for (let i = 0; i < rows * net.sizes[0]!; i++) heap.f32[(x >>> 2) + i] = nonNegative ? (random() + 1) / 2 : random();
  return out;
}

function copyBlock(engine: Engine, f: { w: number; b: number }, net: Net, l: number): { w: number; b: number } {
  const { heap } = engine;
  const kk = net.sizes[l]!,
    n = net.sizes[l + 1]!;
  const w = heap.alloc(kk * n * 4),
    b = heap.alloc(n * 4);
  heap.f32.copyWithin(w >>> 2, f.w >>> 2, (f.w >>> 2) + kk * n);
  heap.f32.copyWithin(b >>> 2, f.b >>> 2, (f.b >>> 2) + n);
  return { w, b };
}

// ---- measurement ----

const cpuMicros = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

interface Pair {
  float: number;
  int8: number;
  median: number;
}

/** Interleaved rounds of two sides; each side's best round (CPU µs per call) and the median ratio. */
function interleave(float: () => void, int8: () => void, calls: number): Pair {
  const times = { float: [] as number[], int8: [] as number[] };
  const ratios: number[] = [];
  for (let round = 0; round < WARMUP + ROUNDS; round++) {
    const order = round % 2 ? (['int8', 'float'] as const) : (['float', 'int8'] as const);
    const t: Record<string, number> = {};
    for (const side of order) {
      const run = side === 'float' ? float : int8;
      const start = cpuMicros();
      for (let i = 0; i < calls; i++) run();
      t[side] = (cpuMicros() - start) / calls;
    }
    if (round < WARMUP) continue;
    times.float.push(t.float!);
    times.int8.push(t.int8!);
    ratios.push(t.float! / t.int8!);
  }
  ratios.sort((a, b) => a - b);
  return { float: Math.min(...times.float), int8: Math.min(...times.int8), median: ratios[ratios.length >> 1]! };
}

/** Checks that both sides agree on the class of every row (the work is real and comparable). */
function agreement(engine: Engine, p: Placed, rows: number, n: number): number {
  const f = engine.heap.f32,
    { x, y } = p;
  p.float[0]!(x, rows, y);
  const a = f.slice(y >>> 2, (y >>> 2) + rows * n);
  p.int8[0]!(x, rows, y);
  const b = f.slice(y >>> 2, (y >>> 2) + rows * n);
  let same = 0;
  for (let r = 0; r < rows; r++) {
    const arg = (v: Float32Array): number => {
      let best = 0;
      for (let j = 1; j < n; j++) if (v[r * n + j]! > v[r * n + best]!) best = j;
      return best;
    };
    if (arg(a) === arg(b)) same++;
  }
  return same / rows;
}

// ---- ceilings ----

const ACCUMULATORS = 10;

/**
 * A module of synthetic loops: 10 independent dot products (or multiply-adds) per iteration, on 4
 * weight vectors and one loaded vector, so that all fit the 16 vector registers of x64.
 */
function ceilingModule(relaxed: boolean): WebAssembly.Instance {
  const acc = Array.from({ length: ACCUMULATORS }, (_, i) => i),
    ws = [0, 1, 2, 3];
  const loop = (step: (i: number) => string, float = false): string => `
    (local $i i32) (local $x v128) ${acc.map((i) => `(local $a${i} v128)`).join(' ')} ${ws.map((i) => `(local $w${i} v128)`).join(' ')}
    ${ws.map((i) => `(local.set $w${i} (v128.const ${float ? 'f32x4' : 'i32x4'} ${i + 1} ${i + 2} ${i + 3} ${i + 4}))`).join('\n')}
    (loop $l
      (local.set $x (v128.load (i32.and (i32.shl (local.get $i) (i32.const 4)) (i32.const 4080))))
      ${acc.map(step).join('\n')}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32x4.extract_lane 0 ${acc.reduce((s, i) => `(v128.xor ${s} (local.get $a${i}))`, '(local.get $x)')})`;
  // the operands live in locals: V8 rebuilds a v128.const on every use
  const w = (i: number): string => `(local.get $w${i % 4})`;
  const fns = [
    `(func (export "dot16") (param $n i32) (result i32) ${loop(
      (i) => `(local.set $a${i} (i32x4.add (local.get $a${i}) (i32x4.dot_i16x8_s (local.get $x) ${w(i)})))`,
    )})`,
    `(func (export "fmul") (param $n i32) (result i32) ${loop(
      (i) => `(local.set $a${i} (f32x4.add (local.get $a${i}) (f32x4.mul (local.get $x) ${w(i)})))`,
      true,
    )})`,
  ];
  if (relaxed)
    fns.push(
      `(func (export "dot8") (param $n i32) (result i32) ${loop(
        (i) => `(local.set $a${i} (i32x4.relaxed_dot_i8x16_i7x16_add_s ${w(i)} (local.get $x) (local.get $a${i})))`,
      )})`,
      `(func (export "fma") (param $n i32) (result i32) ${loop(
        (i) => `(local.set $a${i} (f32x4.relaxed_madd (local.get $x) ${w(i)} (local.get $a${i})))`,
        true,
      )})`,
    );
  const module = binaryen.parseText(`(module (memory (export "memory") 1) ${fns.join('\n')})`);
  module.setFeatures(binaryen.Features.SIMD128 | binaryen.Features.RelaxedSIMD);
  const bytes = module.emitBinary();
  module.dispose();
  return new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
}

/**
 * Multiply-adds per second of each synthetic loop, measured in a child process started with
 * --no-liftoff (and this process's V8 flags): V8 runs a long single call in its baseline tier,
 * which it leaves only between calls.
 */
function ceilings(relaxed: boolean): Record<string, number> {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, '--no-liftoff', process.argv[1]!, '--ceilings', String(relaxed)],
    {
      encoding: 'utf8',
    },
  );
  if (child.status !== 0) throw new Error(`ceilings: ${child.stderr}`);
  return JSON.parse(child.stdout) as Record<string, number>;
}

/** The synthetic loops' multiply-adds per second (best of the rounds), in this process. */
function measureCeilings(relaxed: boolean): Record<string, number> {
  const exports = ceilingModule(relaxed).exports as Record<string, (n: number) => number>;
  const perIteration: Record<string, number> = {
    dot16: ACCUMULATORS * 8,
    fmul: ACCUMULATORS * 4,
    dot8: ACCUMULATORS * 16,
    fma: ACCUMULATORS * 4,
  };
  const out: Record<string, number> = {};
  const n = 2_000_000;
  let sink = 0;
  for (const name of Object.keys(exports).filter((e) => e in perIteration)) {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < WARMUP + ROUNDS; r++) {
      const start = cpuMicros();
      sink ^= exports[name]!(n);
      if (r >= WARMUP) best = Math.min(best, cpuMicros() - start);
    }
    out[name] = (n * perIteration[name]!) / (best * 1e-6);
  }
  if (sink === 0.5) console.log(sink); // keeps the results alive
  return out;
}

// ---- the run ----

const g = (macs: number): string => `${(macs / 1e9).toFixed(1)}`;
const us = (t: number): string => (t >= 100 ? t.toFixed(0) : t.toFixed(1));

function runBuild(build: 'simd' | 'relaxed-simd', bytes: Uint8Array<ArrayBuffer>): void {
  const engine = createWasmEngine(bytes, build);
  const rows: string[] = [];
  const row = (what: string, p: Pair, extra = ''): void => {
    rows.push(
      `| ${what} | ${us(p.float)} | ${us(p.int8)} | **${(p.float / p.int8).toFixed(2)}×** | ${p.median.toFixed(2)}× | ${extra} |`,
    );
  };
  const mnist = network([784, 128, 10]);
  const macs784 = 784 * 128 + 128 * 10;
  // multiply-adds per second of the 2,000-row forwards: int8 with signed and with non-negative inputs, float
  const rates = { signed: 0, nonNegative: 0, float: 0 };
  for (const nonNegative of [false, true]) {
    const batch = place(engine, mnist, 2000, nonNegative);
    const same = agreement(engine, batch, 2000, 10);
    const b = interleave(
      () => batch.float[0]!(batch.x, 2000, batch.y),
      () => batch.int8[0]!(batch.x, 2000, batch.y),
      2,
    );
    const rate = (2000 * macs784) / (b.int8 * 1e-6);
    rates[nonNegative ? 'nonNegative' : 'signed'] = rate;
    if (!nonNegative) rates.float = (2000 * macs784) / (b.float * 1e-6);
    row(
      `784-128-10, 2,000 rows per call, inputs ${nonNegative ? 'in [0, 1)' : 'signed'}`,
      b,
      `int8 ${g(rate)}, float ${g((2000 * macs784) / (b.float * 1e-6))} GMAC/s; same class ${(same * 100).toFixed(1)}%`,
    );
  }

  const one = place(engine, mnist, 1);
  const warm = interleave(
    () => one.float[0]!(one.x, 1, one.y),
    () => one.int8[0]!(one.x, 1, one.y),
    400,
  );
  row('784-128-10, one row per call, weights in cache', warm);

  const cache = lastLevelCache();
  const floatCopies = Math.ceil((1.25 * cache) / one.floatBytes),
    int8Copies = Math.ceil((1.25 * cache) / one.int8Bytes);
  const many = place(engine, mnist, 1, false, floatCopies, int8Copies);
  let fi = 0,
    qi = 0;
  const cold = interleave(
    () => {
      many.float[fi]!(many.x, 1, many.y);
      fi = (fi + 1) % floatCopies;
    },
    () => {
      many.int8[qi]!(many.x, 1, many.y);
      qi = (qi + 1) % int8Copies;
    },
    400,
  );
  row(
    '784-128-10, one row per call, weights evicted',
    cold,
    `each call the next of ${floatCopies} float / ${int8Copies} int8 copies (${((1.25 * cache) / 2 ** 20).toFixed(0)} MiB a side)`,
  );

  const deep = network([1024, 1024, 1024, 10]);
  const big = place(createWasmEngine(bytes, build), deep, 256);
  const macsDeep = 256 * (1024 * 1024 * 2 + 1024 * 10);
  const d = interleave(
    () => big.float[0]!(big.x, 256, big.y),
    () => big.int8[0]!(big.x, 256, big.y),
    1,
  );
  row('1024-1024-1024-10, 256 rows per call', d, `int8 ${g(macsDeep / (d.int8 * 1e-6))} GMAC/s`);

  const c = ceilings(build === 'relaxed-simd');
  const pct = (rate: number, ceiling: number): string => `${((100 * rate) / ceiling).toFixed(0)}%`;
  console.log(`\n### ${build} build\n`);
  console.log('| workload | float µs/call | int8 µs/call | int8 gain (best rounds) | median ratio | notes |');
  console.log('| --- | ---: | ---: | ---: | ---: | --- |');
  for (const r of rows) console.log(r);
  console.log(
    `\nCeilings (GMAC/s, synthetic loops of ${ACCUMULATORS} independent operations): i32x4.dot_i16x8_s ${g(c.dot16!)}, f32 mul+add ${g(c.fmul!)}` +
      (c.dot8 ? `, relaxed i8 dot ${g(c.dot8)}, relaxed f32 madd ${g(c.fma!)}` : '') +
      `.\nThe 2,000-row int8 forward (784-128-10) reaches ${pct(rates.signed, c.dot16!)} of the dot_i16x8_s ceiling with signed inputs` +
      (c.dot8
        ? ` and ${pct(rates.nonNegative, c.dot8)} of the relaxed dot ceiling with inputs in [0, 1) (narrow tiles from the first layer)`
        : '') +
      `; the float forward reaches ${pct(rates.float, build === 'relaxed-simd' ? c.fma! : c.fmul!)} of its loop.`,
  );
}

if (args.includes('--ceilings')) {
  process.stdout.write(JSON.stringify(measureCeilings(args[args.indexOf('--ceilings') + 1] === 'true')));
  process.exit(0);
}
console.log(
  `# bench/quant.ts: ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, LLC ${lastLevelCache() / 2 ** 20} MiB, ` +
    `${ROUNDS} rounds (+${WARMUP} warm-up), best rounds of process CPU time`,
);
runBuild('simd', simdBytes);
if (WebAssembly.validate(relaxedBytes)) runBuild('relaxed-simd', relaxedBytes);
else console.log('\n(relaxed SIMD build: not validated by this runtime; run on Node 22 or later)');

// The three products, and the optimizer step after them, split among threads. Every thread runs
// an instance of this module on one shared memory; the calling thread publishes a job (a product
// and how its output is cut into parts) in a control block, then helpers and the caller claim
// parts until none is left. Each
// output element belongs to exactly one part and is computed there exactly as the whole product
// computes it on one thread (same kernel, same order of additions), so any thread count gives the
// same bits. The caller never blocks: it works through unclaimed parts itself and spins only while
// helpers finish the parts they took; a helper that has not started yet simply takes none.
import { INIT_BIAS, INIT_ZERO, gemmBlocked, gemmTransA, gemmTransB, setScratch } from './gemm';
import { applyUpdate } from './update';
import { Descriptor, MIN_PARALLEL_MACS } from './contract.generated';

// Control block: byte offsets from controlPtr (JavaScript allocates CONTROL_BYTES, zeroed).
const C_GENERATION: usize = 0; // i32, bumped for every job; idle helpers wait on it
const C_SLEEPERS: usize = 4;   // i32, helpers blocked in wait (a notify is needed only then)
const C_EPOCH: usize = 8;      // i32, the pool's epoch; helpers of an older epoch leave
const C_ALIVE: usize = 12;     // i32, helpers inside helperLoop
const C_DONE: usize = 16;      // i32, parts of the current job finished
const C_ADMIT: usize = 20;     // i32, helpers the job may use (the network's threads − 1)
const C_KIND: usize = 24;      // i32, JOB_*
const C_ARGS: usize = 28;      // 10 × i32 arguments of the job
const C_CLAIM: usize = 72;     // i64, generation << 32 | the parts of that job left to take (openClaims)
const C_TICKETS: usize = 80;   // i64, generation << 32 | helpers admitted to that job
const C_HELPED: usize = 88;    // i32, parts computed by helpers since the engine started (tests read it)
export const CONTROL_BYTES: i32 = 128;

const JOB_MATMUL_COLUMNS: i32 = 1;
const JOB_MATMUL_ROWS: i32 = 2;
const JOB_TRANS_A_ROWS: i32 = 3;
const JOB_TRANS_B_COLUMNS: i32 = 4;
const JOB_UPDATE: i32 = 5;

// A helper spins this many times on the generation word before it sleeps in wait (about a
// millisecond here): long enough to stay awake between the batches of an epoch and from one train
// call to the next, whose gaps are far shorter than the 30-100 µs a sleeping helper takes to wake,
// and short enough to free the core soon after training stops.
const SPINS_BEFORE_SLEEP: i32 = 1 << 19;

// Blocking and waking go through JavaScript (Atomics.wait and Atomics.notify on the word at Int32
// index `index` of the memory): V8's baseline compiler in Node 20 corrupts locals that are live
// across memory.atomic.wait32 in helperLoop (seen here; a call keeps them safe). Both are rare: a
// helper sleeps only after spinning idle, and the caller wakes helpers only when one sleeps.
// @ts-ignore: decorator
@external("env", "sleep") declare function sleep(index: i32, expected: i32): void;
// @ts-ignore: decorator
@external("env", "wake") declare function wake(index: i32, count: i32): void;

// Per instance (each thread has its own): the control block, and the threads the next product
// may use (the caller's own instance only).
let controlPtr: usize = 0;
let threads: i32 = 1;
// The part this thread takes first in every job (claim): 0 for the caller, 1, 2, … for helpers in
// the order they started.
let home: i32 = 0;

// Prepares this instance to run products: its packing scratch (SCRATCH_BYTES) and the control
// block shared by the caller and its helpers (CONTROL_BYTES). Called once per instance.
export function threadInit(scratchPtr: usize, control: usize): void {
  setScratch(scratchPtr);
  controlPtr = control;
}

// How many threads the products after this call may use (1 = the calling thread alone).
export function useThreads(count: i32): void {
  threads = max(count, 1);
}

// @ts-ignore: decorator
@inline function arg(i: i32): i32 { return load<i32>(controlPtr + C_ARGS + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function setArg(i: i32, value: i32): void { store<i32>(controlPtr + C_ARGS + (<usize>i << 2), value); }

// Part p of the current job, computed by whichever thread claimed it.
function runPart(p: i32): void {
  const kind = load<i32>(controlPtr + C_KIND);
  if (kind == JOB_UPDATE) {
    updatePart(changetype<Descriptor>(<usize>arg(0)), p, arg(1), reinterpret<f32>(arg(2)), reinterpret<f32>(arg(3)), reinterpret<f32>(arg(4)));
    return;
  }
  const a = <usize>arg(0), b = <usize>arg(1), c = <usize>arg(2), bias = <usize>arg(3);
  const m = arg(4), k = arg(5), n = arg(6), size = arg(7), mode = arg(8);
  const from = p * size;
  if (kind == JOB_MATMUL_COLUMNS) { // Y[:, from..to) = X·W[:, from..to) (+ b[from..to))
    const to = min(n, from + size), ldx = <usize>k << 2, ldw = <usize>n << 2, o = <usize>from << 2;
    gemmBlocked(a, ldx, 4, b + o, ldw, c + o, ldw, m, to - from, k, bias != 0 ? bias + o : 0, mode);
  } else if (kind == JOB_MATMUL_ROWS) { // Y[from..to, :] = X[from..to, :]·W (+ b)
    const to = min(m, from + size), ldx = <usize>k << 2, ldw = <usize>n << 2;
    gemmBlocked(a + <usize>from * ldx, ldx, 4, b, ldw, c + <usize>from * ldw, ldw, to - from, n, k, bias, mode);
  } else if (kind == JOB_TRANS_A_ROWS) { // G[from..to, :] of Xᵀ·D
    gemmTransA(a, b, c, m, k, n, mode, from, min(k, from + size));
  } else { // JOB_TRANS_B_COLUMNS: Y[:, from..to) of D·Wᵀ; the range ending at k uses the scratch
    gemmTransB(a, b, c, m, n, k, bias, from, min(k, from + size));
  }
}

// The low half of the claim word of a job of `parts` parts, none taken yet. Up to 31 parts: a mask
// of the parts taken, whose bits beyond the last part are set from the start. Beyond: bit 31, the
// part count in bits 16-30 and the parts taken below. Either way the word alone says which parts
// its job has: a helper that saw a job late never reads a part count that a newer job may already
// have written.
// @ts-ignore: decorator
@inline function openClaims(parts: i32): u32 {
  return parts <= 31 ? ~((<u32>1 << parts) - 1) & 0x7fffffff : 0x80000000 | (<u32>parts << 16);
}

// The next unclaimed part of job `generation`, or −1 when there is none (or a newer job began: a
// helper that woke late can never take a part of a job whose arguments it did not read). Each
// thread takes its own part `home` first when it is free: the same thread then computes the same
// band from one batch to the next (the gradient rows of W, then the step on those rows) and finds
// it in its own cache. Beyond 31 parts they are taken in order.
function claim(generation: i32): i32 {
  const at = controlPtr + C_CLAIM;
  for (;;) {
    const word = atomic.load<i64>(at);
    if (<i32>(word >>> 32) != generation) return -1;
    const low = <u32>word;
    let part: i32, next: i64;
    if (low & 0x80000000) {
      part = <i32>(low & 0xffff);
      if (part >= <i32>((low >>> 16) & 0x7fff)) return -1;
      next = word + 1;
    } else {
      const free = ~low & 0x7fffffff;
      if (free == 0) return -1;
      part = home < 31 && (free & (<u32>1 << home)) != 0 ? home : <i32>ctz(free);
      next = word | (<i64>1 << part);
    }
    if (atomic.cmpxchg<i64>(at, word, next) == word) return part;
  }
  return -1; // not reached
}

// Whether a helper that saw job `generation` may work on it: a ticket of that job (its word carries
// the generation, so a helper that comes late cannot take the ticket of the job after it), while
// fewer than the job's admitted helpers hold one.
function admitted(generation: i32): bool {
  const at = controlPtr + C_TICKETS;
  for (;;) {
    const word = atomic.load<i64>(at);
    if (<i32>(word >>> 32) != generation || <i32>word >= load<i32>(controlPtr + C_ADMIT)) return false;
    if (atomic.cmpxchg<i64>(at, word, word + 1) == word) return true;
  }
  return false; // not reached
}

// Claims and computes parts of job `generation` until none is left; returns how many it computed.
function work(generation: i32): i32 {
  let count = 0;
  for (let p = claim(generation); p >= 0; p = claim(generation)) {
    runPart(p);
    atomic.add<i32>(controlPtr + C_DONE, 1);
    count++;
  }
  return count;
}

// Publishes the job whose arguments are set, works on it, and returns when every part is done.
function fork(kind: i32, parts: i32): void {
  const c = controlPtr;
  store<i32>(c + C_KIND, kind);
  store<i32>(c + C_ADMIT, threads - 1);
  atomic.store<i32>(c + C_DONE, 0);
  const generation = atomic.load<i32>(c + C_GENERATION) + 1;
  atomic.store<i64>(c + C_TICKETS, (<i64>generation) << 32);
  atomic.store<i64>(c + C_CLAIM, ((<i64>generation) << 32) | <i64>openClaims(parts));
  atomic.store<i32>(c + C_GENERATION, generation);
  if (atomic.load<i32>(c + C_SLEEPERS) > 0) wake(<i32>((c + C_GENERATION) >> 2), threads - 1);
  work(generation);
  while (atomic.load<i32>(c + C_DONE) < parts) { /* helpers finish the parts they claimed */ }
}

// Parts for `count` threads over `length` rows or columns, each a multiple of `unit` (so every
// element keeps the kernel it has in the whole product); 0 when the split is not worth it.
// @ts-ignore: decorator
@inline function partSize(length: i32, unit: i32, count: i32): i32 {
  const size = (((length + count - 1) / count + unit - 1) / unit) * unit;
  return size < length ? size : 0;
}

// Whether an m×k×n product is worth sharing among `count` threads: one smaller than
// MIN_PARALLEL_MACS multiply-adds stays on the calling thread (publishing a job and joining costs
// about a microsecond, which a product this small takes in all).
// @ts-ignore: decorator
@inline function worthSharing(m: i32, k: i32, n: i32, count: i32): bool {
  return count > 1 && <f64>m * <f64>k * <f64>n >= <f64>MIN_PARALLEL_MACS;
}

// @ts-ignore: decorator
@inline function worthSplitting(m: i32, k: i32, n: i32): bool {
  return controlPtr != 0 && worthSharing(m, k, n, threads);
}

// Rows of G per part when G[k×n] = Xᵀ·D (X is m×k) is split among `count` threads, else 0. The
// optimizer step follows the same split, so it takes the thread count as an argument: a helper
// computes it for the caller's count.
function transARows(m: i32, k: i32, n: i32, count: i32): i32 {
  return worthSharing(m, k, n, count) ? partSize(k, 4, count) : 0;
}

// Y[m×n] = X[m×k]·W[k×n] (+ b): by bands of 4 rows when X has more rows than W has columns (each
// thread then reads its rows of X and all of W, rather than all of X), else by column bands of 16.
export function parallelMatmul(xPtr: usize, wPtr: usize, bPtr: usize, yPtr: usize, m: i32, k: i32, n: i32): void {
  const mode = bPtr != 0 ? INIT_BIAS : INIT_ZERO;
  if (worthSplitting(m, k, n)) {
    let size = m > n || n < 32 ? 0 : partSize(n, 16, threads), kind = JOB_MATMUL_COLUMNS, length = n;
    if (size == 0) { size = partSize(m, 4, threads); kind = JOB_MATMUL_ROWS; length = m; }
    if (size > 0) {
      setArg(0, <i32>xPtr); setArg(1, <i32>wPtr); setArg(2, <i32>yPtr); setArg(3, <i32>bPtr);
      setArg(4, m); setArg(5, k); setArg(6, n); setArg(7, size); setArg(8, mode);
      fork(kind, (length + size - 1) / size);
      return;
    }
  }
  gemmBlocked(xPtr, <usize>k << 2, 4, wPtr, <usize>n << 2, yPtr, <usize>n << 2, m, n, k, bPtr, mode);
}

// G[k×n] (=|+=) Xᵀ·D by bands of rows of G (columns of X), multiples of 4.
export function parallelTransA(xPtr: usize, dPtr: usize, gPtr: usize, m: i32, k: i32, n: i32, mode: i32): void {
  const size = controlPtr != 0 ? transARows(m, k, n, threads) : 0;
  if (size > 0) {
    setArg(0, <i32>xPtr); setArg(1, <i32>dPtr); setArg(2, <i32>gPtr); setArg(3, 0);
    setArg(4, m); setArg(5, k); setArg(6, n); setArg(7, size); setArg(8, mode);
    fork(JOB_TRANS_A_ROWS, (k + size - 1) / size);
    return;
  }
  gemmTransA(xPtr, dPtr, gPtr, m, k, n, mode, 0, k);
}

// Y[m×k] = D[m×n]·Wᵀ by bands of columns of Y (rows of W), multiples of 8.
export function parallelTransB(dPtr: usize, wPtr: usize, yPtr: usize, m: i32, n: i32, k: i32, scratchPtr: usize): void {
  const size = worthSplitting(m, k, n) ? partSize(k, 8, threads) : 0;
  if (size > 0) {
    setArg(0, <i32>dPtr); setArg(1, <i32>wPtr); setArg(2, <i32>yPtr); setArg(3, <i32>scratchPtr);
    setArg(4, m); setArg(5, k); setArg(6, n); setArg(7, size); setArg(8, 0);
    fork(JOB_TRANS_B_COLUMNS, (k + size - 1) / size);
    return;
  }
  gemmTransB(dPtr, wPtr, yPtr, m, n, k, scratchPtr, 0, k);
}

// One optimizer step over the network's parameter block of `count` floats (applyUpdate, with the
// gradient scale of clipping and Adam's corrections c1, c2). When the last backward pass split a
// weight gradient among threads, the step is split the same way: each part updates the rows of W
// whose gradient it computed, which its cache still holds. The step is elementwise, so any split
// gives the same bits.
export function parallelUpdate(net: Descriptor, count: i32, gradScale: f32, c1: f32, c2: f32): void {
  if (threads > 1 && controlPtr != 0) {
    const rows = net.rows, layers = net.layers;
    let split = false;
    for (let l = 0; l < layers && !split; l++) {
      const rec = net.layer(l);
      split = transARows(rows, rec.fanIn, rec.fanOut, threads) > 0;
    }
    if (split) {
      setArg(0, <i32>changetype<usize>(net)); setArg(1, threads);
      setArg(2, reinterpret<i32>(gradScale)); setArg(3, reinterpret<i32>(c1)); setArg(4, reinterpret<i32>(c2));
      fork(JOB_UPDATE, threads);
      return;
    }
  }
  stepRange(net, net.params, count, gradScale, c1, c2);
}

// Part `part` of a step split among `count` threads: in every layer whose Xᵀ·D was split, the rows
// of W in that part's band; part 0 also every layer that was not, and every bias.
function updatePart(net: Descriptor, part: i32, count: i32, gradScale: f32, c1: f32, c2: f32): void {
  const rows = net.rows, layers = net.layers;
  for (let l = 0; l < layers; l++) {
    const rec = net.layer(l);
    const fanIn = rec.fanIn, fanOut = rec.fanOut;
    const size = transARows(rows, fanIn, fanOut, count);
    let r0 = 0, r1 = part == 0 ? fanIn : 0;
    if (size > 0) { r0 = min(fanIn, part * size); r1 = min(fanIn, r0 + size); }
    const w = rec.w, b = rec.b;
    if (r1 > r0) stepRange(net, w + <usize>r0 * (<usize>fanOut << 2), (r1 - r0) * fanOut, gradScale, c1, c2);
    if (part == 0 && b != 0) stepRange(net, b, fanOut, gradScale, c1, c2);
  }
}

// applyUpdate on `count` parameters from pPtr, with their gradients and optimizer slots at the same
// offsets in their blocks.
function stepRange(net: Descriptor, pPtr: usize, count: i32, gradScale: f32, c1: f32, c2: f32): void {
  const offset = pPtr - net.params;
  const m = net.m, v = net.v;
  applyUpdate(net.optimizer, pPtr, net.grads + offset,
    m != 0 ? m + offset : 0, v != 0 ? v + offset : 0, count,
    net.learningRate, net.beta1, net.beta2, net.epsilon, net.decay, gradScale, c1, c2);
}

// A helper thread's whole life: waits for jobs and takes parts of them until the pool's epoch
// moves on (stopHelpers). Called once, from a worker, after threadInit.
export function helperLoop(epoch: i32): void {
  const c = controlPtr;
  home = atomic.add<i32>(c + C_ALIVE, 1) + 1;
  let seen = atomic.load<i32>(c + C_GENERATION);
  while (atomic.load<i32>(c + C_EPOCH) == epoch) {
    let generation = atomic.load<i32>(c + C_GENERATION);
    let spins = 0;
    while (generation == seen) {
      if (++spins >= SPINS_BEFORE_SLEEP) {
        atomic.add<i32>(c + C_SLEEPERS, 1);
        sleep(<i32>((c + C_GENERATION) >> 2), seen);
        atomic.sub<i32>(c + C_SLEEPERS, 1);
        spins = 0;
      }
      generation = atomic.load<i32>(c + C_GENERATION);
    }
    seen = generation;
    if (atomic.load<i32>(c + C_EPOCH) != epoch) break;
    if (admitted(generation)) atomic.add<i32>(c + C_HELPED, work(generation));
  }
  atomic.sub<i32>(c + C_ALIVE, 1);
}

// The pool's epoch, handed to each helper it starts (helperLoop leaves once it moves on).
export function helperEpoch(): i32 {
  return atomic.load<i32>(controlPtr + C_EPOCH);
}

// Parts of products that helpers computed since the engine started (so tests can tell that the
// threads really shared the work).
export function helperParts(): i32 {
  return atomic.load<i32>(controlPtr + C_HELPED);
}

// The part a helper that saw job `generation` would take now, or −1 (tests check that a late
// helper takes nothing of a finished job).
export function testClaim(generation: i32): i32 {
  return claim(generation);
}

// Ends every helper of the current epoch and returns once none is left in helperLoop (so their
// scratch can be reused). Helpers started later, with this older epoch, leave at once.
export function stopHelpers(): void {
  const c = controlPtr;
  atomic.add<i32>(c + C_EPOCH, 1);
  atomic.add<i32>(c + C_GENERATION, 1);
  wake(<i32>((c + C_GENERATION) >> 2), -1);
  while (atomic.load<i32>(c + C_ALIVE) > 0) { /* each helper leaves within one part */ }
}

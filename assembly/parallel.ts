// The three products, the optimizer step after them, the forward pass for outputs and the
// quantized forward, split among threads. Every thread runs an instance of this module on one
// shared memory; the calling thread publishes a job (what it computes and how its output is cut
// into parts) in a control block (jobs.ts), then helpers and the caller claim parts until none is
// left. Each output element belongs to exactly one part and is computed there exactly as the whole
// product computes it on one thread (same kernel, same order of additions), so any thread count
// gives the same bits. The caller never blocks: it works through unclaimed parts itself and spins
// only while helpers finish the parts they took; a helper that has not started yet simply takes none.
import { INIT_BIAS, INIT_ZERO, gemmBlocked, gemmTransA, gemmTransB, setScratch } from './gemm';
import {
  admitted, arg, awaitParts, claim, countHelped, helperEnter, helperEpoch, helperLeave, jobKind, lowerArg,
  nextJob, partDone, publish, setArg, setControl,
} from './jobs';
import { applyUpdate } from './update';
import { forwardBand, macsPerRow } from './rows';
import { forwardRows, macsPerRow as quantMacsPerRow, quantScratchBytes, widest } from './quant-forward';
import { Descriptor, MIN_PARALLEL_MACS, quantLayer } from './contract.generated';

const JOB_MATMUL_COLUMNS: i32 = 1;
const JOB_MATMUL_ROWS: i32 = 2;
const JOB_TRANS_A_ROWS: i32 = 3;
const JOB_TRANS_B_COLUMNS: i32 = 4;
const JOB_UPDATE: i32 = 5;
const JOB_FORWARD_ROWS: i32 = 6;
const JOB_QUANT_ROWS: i32 = 7; // bands of rows of a quantized forward (quant-forward.ts)
// The argument slot where the parts of a JOB_FORWARD_ROWS keep the first bad input they found.
const FIRST_BAD: i32 = 9;
// Bands of rows per thread in a JOB_FORWARD_ROWS.
const BANDS_PER_THREAD: i32 = 2;

// Per instance: whether it has a control block (threadInit), and the threads the next product may
// use (the caller's own instance only).
let controlled = false;
let threads: i32 = 1;

// Prepares this instance to run products: its packing scratch (SCRATCH_BYTES) and the control
// block shared by the caller and its helpers (CONTROL_BYTES). Called once per instance.
export function threadInit(scratchPtr: usize, control: usize): void {
  setScratch(scratchPtr);
  setControl(control);
  controlled = control != 0;
}

// How many threads the products after this call may use (1 = the calling thread alone).
export function useThreads(count: i32): void {
  threads = max(count, 1);
}

// Part p of the current job, computed by whichever thread claimed it.
function runPart(p: i32): void {
  const kind = jobKind();
  if (kind == JOB_UPDATE) {
    updatePart(changetype<Descriptor>(<usize>arg(0)), p, arg(1), reinterpret<f32>(arg(2)), reinterpret<f32>(arg(3)), reinterpret<f32>(arg(4)));
    return;
  }
  if (kind == JOB_FORWARD_ROWS) { // rows [from..to) through every layer, inputs scanned first
    const size = arg(2), from = p * size;
    const bad = forwardBand(changetype<Descriptor>(<usize>arg(0)), <usize>arg(1), from, min(arg(3), from + size));
    if (bad >= 0) lowerArg(FIRST_BAD, bad);
    return;
  }
  if (kind == JOB_QUANT_ROWS) {
    quantPart(p);
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

// Claims and computes parts of job `generation` until none is left; returns how many it computed.
function work(generation: i32): i32 {
  let count = 0;
  for (let p = claim(generation); p >= 0; p = claim(generation)) {
    runPart(p);
    partDone();
    count++;
  }
  return count;
}

// Works on job `generation` and returns when all its `parts` are done.
function join(generation: i32, parts: i32): void {
  work(generation);
  awaitParts(parts);
}

// Publishes the job whose arguments are set, works on it, and returns when every part is done.
function fork(kind: i32, parts: i32): void {
  join(publish(kind, parts, threads - 1), parts);
}

// A forward job that startForward published and nobody has joined yet, its generation and parts;
// and the result of the last forward pass (first bad input, or −1).
let pending = false;
let pendingGeneration: i32 = 0;
let pendingParts: i32 = 0;
let forwardResult: i32 = -1;

// Joins the pending forward job, if any. Every entry that publishes a job or sets arguments calls
// it first, so the control block holds one job at a time whatever JavaScript calls in between.
function settle(): void {
  if (!pending) return;
  pending = false;
  join(pendingGeneration, pendingParts);
  const bad = arg(FIRST_BAD);
  forwardResult = bad == 0x7fffffff ? -1 : bad;
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
  return controlled && worthSharing(m, k, n, threads);
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
  settle();
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
  settle();
  const size = controlled ? transARows(m, k, n, threads) : 0;
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
  settle();
  const size = worthSplitting(m, k, n) ? partSize(k, 8, threads) : 0;
  if (size > 0) {
    setArg(0, <i32>dPtr); setArg(1, <i32>wPtr); setArg(2, <i32>yPtr); setArg(3, <i32>scratchPtr);
    setArg(4, m); setArg(5, k); setArg(6, n); setArg(7, size); setArg(8, 0);
    fork(JOB_TRANS_B_COLUMNS, (k + size - 1) / size);
    return;
  }
  gemmTransB(dPtr, wPtr, yPtr, m, n, k, scratchPtr, 0, k);
}

// Starts the forward pass of `rows` input rows at xPtr for outputs only, its inputs scanned first
// (rows.ts); finishForward returns its result. When the pass is worth sharing, it is published as
// bands of rows (multiples of 4, a few per thread so that bands move to whichever thread is free)
// and startForward returns at once: helpers compute while JavaScript writes the next inputs.
export function parallelForwardStart(net: Descriptor, xPtr: usize, rows: i32): void {
  settle();
  const count = net.threads;
  if (controlled && count > 1 && <f64>rows * macsPerRow(net) >= <f64>MIN_PARALLEL_MACS * <f64>count) {
    const size = partSize(rows, 4, count * BANDS_PER_THREAD);
    if (size > 0) {
      threads = count;
      setArg(0, <i32>changetype<usize>(net)); setArg(1, <i32>xPtr); setArg(2, size); setArg(3, rows);
      setArg(FIRST_BAD, 0x7fffffff);
      pendingParts = (rows + size - 1) / size;
      pendingGeneration = publish(JOB_FORWARD_ROWS, pendingParts, threads - 1);
      pending = true;
      return;
    }
  }
  forwardResult = forwardBand(net, xPtr, 0, rows);
}

// The flat index of the first non-finite input of the last forward pass started (its outputs then
// mean nothing), or −1; joins it first.
export function parallelForwardFinish(): i32 {
  settle();
  return forwardResult;
}

// Y = the quantized network at layersPtr on `rows` rows of X (quant-forward.ts), by bands of rows,
// multiples of 4 (the int8 dot product's blocks stay whole); part p works in the p-th of the
// scratches at scratchPtr, one per thread, each quantScratchBytes of the widest layer. Integer
// products run about twice as fast as float ones, so a split needs twice the float products'
// multiply-adds.
export function parallelQuantForward(layersPtr: usize, layers: i32, xPtr: usize, rows: i32, yPtr: usize, scratchPtr: usize): void {
  settle();
  const size = threads > 1 && controlled && <f64>rows * quantMacsPerRow(layersPtr, layers) >= <f64>MIN_PARALLEL_MACS * 2 ? partSize(rows, 4, threads) : 0;
  if (size > 0) {
    setArg(0, <i32>layersPtr); setArg(1, layers); setArg(2, <i32>xPtr); setArg(3, rows);
    setArg(4, <i32>yPtr); setArg(5, <i32>scratchPtr); setArg(6, quantScratchBytes(widest(layersPtr, layers))); setArg(7, size);
    fork(JOB_QUANT_ROWS, (rows + size - 1) / size);
    return;
  }
  forwardRows(layersPtr, layers, xPtr, rows, yPtr, scratchPtr);
}

// Part p of a quantized forward: rows [p·size, (p+1)·size), in scratch p.
function quantPart(p: i32): void {
  const layersPtr = <usize>arg(0), layers = arg(1), rows = arg(3), size = arg(7);
  const from = p * size, count = min(rows, from + size) - from;
  const k0 = quantLayer(layersPtr, 0).fanIn, nL = quantLayer(layersPtr, layers - 1).fanOut;
  forwardRows(layersPtr, layers, <usize>arg(2) + (<usize>(from * k0) << 2), count,
    <usize>arg(4) + (<usize>(from * nL) << 2), <usize>arg(5) + <usize>p * <usize>arg(6));
}

// One optimizer step over the network's parameter block of `count` floats (applyUpdate, with the
// gradient scale of clipping and Adam's corrections c1, c2). When the last backward pass split a
// weight gradient among threads, the step is split the same way: each part updates the rows of W
// whose gradient it computed, which its cache still holds. The step is elementwise, so any split
// gives the same bits.
export function parallelUpdate(net: Descriptor, count: i32, gradScale: f32, c1: f32, c2: f32): void {
  settle();
  if (threads > 1 && controlled) {
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
  let seen = helperEnter();
  while (helperEpoch() == epoch) {
    const generation = nextJob(seen);
    seen = generation;
    if (helperEpoch() != epoch) break;
    if (admitted(generation)) countHelped(work(generation));
  }
  helperLeave();
}

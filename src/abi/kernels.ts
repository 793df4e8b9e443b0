// The kernels' interface as TypeScript sees it: every export of the Wasm module (assembly/index.ts),
// which src/js/ implements name for name. test/abi.test.ts checks these types against asc's
// declarations of the build, and the export names against the module.

/** Every kernel of the Wasm ABI (assembly/index.ts), test hooks included; src/js/ implements the same list. */
export interface Kernels {
  matmul(xPtr: number, wPtr: number, bPtr: number, yPtr: number, m: number, k: number, n: number): void;
  matmulTransB(dPtr: number, wPtr: number, yPtr: number, m: number, n: number, k: number, scratchPtr: number): void;
  matmulTransA(xPtr: number, dPtr: number, gPtr: number, m: number, k: number, n: number, accumulate: number): void;
  columnSums(dPtr: number, bPtr: number, m: number, n: number): void;
  activate(kind: number, p0: number, p1: number, yPtr: number, rows: number, cols: number): void;
  activationGrad(kind: number, p0: number, yPtr: number, dPtr: number, count: number): void;
  lossSum(loss: number, yPtr: number, tPtr: number, rows: number, cols: number): number;
  outputDelta(
    loss: number,
    act: number,
    p0: number,
    yPtr: number,
    tPtr: number,
    dPtr: number,
    rows: number,
    cols: number,
  ): void;
  applyUpdate(
    opt: number,
    wPtr: number,
    gPtr: number,
    mPtr: number,
    vPtr: number,
    count: number,
    lr: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    decay: number,
    gradScale: number,
    c1: number,
    c2: number,
  ): void;
  sumSquares(gPtr: number, count: number): number;
  forward(descriptorPtr: number, xPtr: number, rows: number): void;
  /** forward for outputs only, the inputs scanned first: started (on helpers, when worth sharing) */
  startForward(descriptorPtr: number, xPtr: number, rows: number): void;
  /** joins the last pass started: the flat index of its first non-finite input, or −1 */
  finishForward(): number;
  /** index of the first NaN or ±Infinity among count floats at xPtr, or −1 */
  firstNonFinite(xPtr: number, count: number): number;
  backward(descriptorPtr: number, tPtr: number, rows: number): void;
  update(descriptorPtr: number): void;
  gatherRows(srcPtr: number, orderPtr: number, start: number, count: number, rowLen: number, dstPtr: number): void;
  trainEpoch(descriptorPtr: number, xPtr: number, tPtr: number, orderPtr: number, rows: number, batch: number): void;
  /** test hook: y = exp(x) for count elements (the Wasm polynomial against Math.exp) */
  testExp(xPtr: number, yPtr: number, count: number): void;
  /** test hook: 1 when trainEpoch trains this network at this batch size with the small epoch */
  testSmallEpoch(descriptorPtr: number, batch: number): number;
}

/** The names in Kernels, for tests that walk both engines through the same list. */
export const KERNEL_NAMES = [
  'matmul',
  'matmulTransB',
  'matmulTransA',
  'columnSums',
  'activate',
  'activationGrad',
  'lossSum',
  'outputDelta',
  'applyUpdate',
  'sumSquares',
  'forward',
  'startForward',
  'finishForward',
  'firstNonFinite',
  'backward',
  'update',
  'gatherRows',
  'trainEpoch',
  'testExp',
  'testSmallEpoch',
] as const satisfies readonly (keyof Kernels)[];

/** Quantized inference (assembly/quant.ts; the twin is src/js/quant.ts). */
export interface QuantKernels {
  quantizeRows(xPtr: number, rows: number, cols: number, range: number, qPtr: number, scalePtr: number): void;
  quantScratchBytes(width: number): number;
  /** scratchPtr holds `threads` scratches of quantScratchBytes(widest layer); the twin runs on one thread */
  quantForward(
    layersPtr: number,
    layers: number,
    xPtr: number,
    rows: number,
    yPtr: number,
    scratchPtr: number,
    threads: number,
  ): void;
}

/** The names in QuantKernels. */
export const QUANT_KERNEL_NAMES = [
  'quantizeRows',
  'quantScratchBytes',
  'quantForward',
] as const satisfies readonly (keyof QuantKernels)[];

/** The Wasm module's exports: the kernels, and what only the Wasm engine has (threads, its memory's base). */
export interface WasmExports extends Kernels, QuantKernels {
  heapBase(): number;
  /** once per instance: its packing scratch (SCRATCH_BYTES) and the control block shared with its helpers (CONTROL_BYTES) */
  threadInit(scratchPtr: number, controlPtr: number): void;
  /** threads the products called directly after this may use (the passes take theirs from the descriptor) */
  useThreads(count: number): void;
  /** a helper's life, in its worker: takes parts of products until the pool of that epoch stops */
  helperLoop(epoch: number): void;
  helperEpoch(): number;
  /** ends every helper; returns once none is left in helperLoop */
  stopHelpers(): void;
  /** bytes of one thread's packing scratch (gemm.ts) */
  readonly SCRATCH_BYTES: WebAssembly.Global;
  /** bytes of the control block the caller and its helpers share (parallel.ts) */
  readonly CONTROL_BYTES: WebAssembly.Global;
  /** test hook: parts of products that helpers computed since the engine started */
  testHelperParts(): number;
  /** test hook: the part a helper that saw job `generation` would claim now, or −1 */
  testClaim(generation: number): number;
}

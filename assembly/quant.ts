// Quantized inference (docs/quantization.md): the ABI's three functions. The forward itself, and the
// arithmetic it defines, is quant-forward.ts's; parallel.ts shares its rows among threads.
import { parallelQuantForward, useThreads } from './parallel';

export { quantizeRows, quantScratchBytes } from './quant-forward';

// Y[rows × n_L] = the quantized network at layersPtr (layers records, contract.generated.ts's
// QuantLayerRecord) applied to X[rows × k_0] (f32, row-major), on up to `threads` threads: scratchPtr
// holds `threads` scratches of quantScratchBytes(widest layer) bytes, one after another (16-byte
// aligned), each thread working in its own. Rows are independent, so any thread count gives the same bits.
export function quantForward(layersPtr: usize, layers: i32, xPtr: usize, rows: i32, yPtr: usize, scratchPtr: usize, threads: i32): void {
  useThreads(threads);
  parallelQuantForward(layersPtr, layers, xPtr, rows, yPtr, scratchPtr);
}

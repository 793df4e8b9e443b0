// The forward pass of a band of rows, for outputs only: its inputs scanned first, then every layer
// on those rows alone. Inference splits a batch into such bands among threads (parallel.ts): each
// thread runs the whole network on its rows with no join between layers, and the activations are
// shared too. Every element is computed by the kernels and in the order of the one-thread forward
// pass (gemmBlocked on bands of a multiple of 4 rows, elementwise activations, softmax by row).
import { Descriptor } from './contract.generated';
import { INIT_BIAS, INIT_ZERO, gemmBlocked } from './gemm';
import { activate } from './activation';
import { firstNonFinite } from './scan';

// Rows [r0, r1) of the forward pass from inputs at xPtr (all rows of the batch): the flat index of
// the band's first non-finite input, and nothing computed, or −1 with the band's outputs in every
// layer's Y.
export function forwardBand(net: Descriptor, xPtr: usize, r0: i32, r1: i32): i32 {
  const layers = net.layers, rows = r1 - r0;
  const inputs = net.layer(0).fanIn;
  const first = <usize>r0 * <usize>inputs;
  const bad = firstNonFinite(xPtr + (first << 2), rows * inputs);
  if (bad >= 0) return <i32>first + bad;
  let input = xPtr;
  for (let l = 0; l < layers; l++) {
    const rec = net.layer(l);
    const fanIn = rec.fanIn, fanOut = rec.fanOut, b = rec.b;
    const ldx = <usize>fanIn << 2, ldy = <usize>fanOut << 2;
    const y = rec.y + <usize>r0 * ldy;
    gemmBlocked(input + <usize>r0 * ldx, ldx, 4, rec.w, ldy, y, ldy, rows, fanOut, fanIn, b, b != 0 ? INIT_BIAS : INIT_ZERO);
    activate(rec.act, rec.p0, rec.p1, y, rows, fanOut);
    input = rec.y;
  }
  return -1;
}

// Multiply-adds of one row through every layer.
export function macsPerRow(net: Descriptor): f64 {
  let macs: f64 = 0;
  for (let l = 0; l < net.layers; l++) {
    const rec = net.layer(l);
    macs += <f64>rec.fanIn * <f64>rec.fanOut;
  }
  return macs;
}

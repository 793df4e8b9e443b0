// The small epoch: training of small networks in which each row (or mini-batch of up to four rows
// of a tiny network) goes forward, back and into the weights, instead of the seven general kernels
// of network.ts that each read the descriptor and choose a blocking: at 3×4 the bookkeeping is the
// work. No packing, no blocking; the header is read once per epoch. Two paths:
// - the register path (small-register.ts): one hidden layer and every width at most
//   REGISTER_WIDTH; each weight row, and a batch's gradients, stay in one register all epoch;
// - otherwise the row path (small-row.ts): one row at a time, every layer at most SMALL_MAX_WIDTH
//   wide; each layer's record is read once per pass, and W −= lr·(x ⊗ d + decay·W) runs in the
//   same sweep that propagates the row's error terms back through W (the article's update).
// Where the general path is as fast (wider layers in batches, see README, Speed), it keeps them.
//
// The arithmetic is the general path's, operation for operation: the same sums in the same order
// (fused multiply-add where dense.ts fuses, D·Wᵀ lane-split for fewer than four rows as
// dotRowsTransB sums it, in column order for four), the same activations, error terms and steps.
// A network trained here is bit for bit the one trained by forward/backward/update.
import { Descriptor, OPT_SGD, SMALL_MAX_WIDTH } from './contract.generated';
import { registerFits, trainRegisterEpoch } from './small-register';
import { trainRowEpoch } from './small-row';

// 1 when trainSmallEpoch trains this network at this batch size: plain SGD without clipping (a
// step needs no global gradient norm), and the register path's networks, or one row per batch
// with every layer at most SMALL_MAX_WIDTH wide.
export function smallEpochFits(descriptorPtr: usize, batch: i32): i32 {
  const net = changetype<Descriptor>(descriptorPtr);
  if (net.optimizer != OPT_SGD || net.clip > 0) return 0;
  if (registerFits(net, batch)) return 1;
  if (batch != 1) return 0;
  for (let l = 0; l < net.layers; l++) {
    const rec = net.layer(l);
    if (rec.fanIn > SMALL_MAX_WIDTH || rec.fanOut > SMALL_MAX_WIDTH) return 0;
  }
  return 1;
}

// One epoch as trainEpoch (network.ts) runs it, for a network that smallEpochFits: rows resident
// rows in batches of batch rows, in the order of orderPtr (row indices) or in storage order when 0.
export function trainSmallEpoch(descriptorPtr: usize, xPtr: usize, tPtr: usize, orderPtr: usize, rows: i32, batch: i32): void {
  const net = changetype<Descriptor>(descriptorPtr);
  if (registerFits(net, batch)) trainRegisterEpoch(net, xPtr, tPtr, orderPtr, rows, batch);
  else trainRowEpoch(net, xPtr, tPtr, orderPtr, rows);
  // what update() counts per batch: the step, and β^step by one multiplication per step
  const batches = (rows + batch - 1) / batch;
  net.step = net.step + batches;
  let p1 = net.beta1Power, p2 = net.beta2Power;
  const beta1 = <f64>net.beta1, beta2 = <f64>net.beta2;
  for (let s = 0; s < batches; s++) { p1 *= beta1; p2 *= beta2; }
  net.beta1Power = p1;
  net.beta2Power = p2;
}

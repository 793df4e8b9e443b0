// The 'js' twin of assembly/small.ts: one epoch of a small network in plain loops over the
// network's arrays, with the descriptor and every layer record read once per epoch. For one row,
// W −= lr·(x ⊗ d + decay·W) runs in the sweep that propagates d back through W. The arithmetic is
// the 'js' general path's (float64 expressions rounded to float32 where its kernels store), so a
// network trained here is bit for bit the one trained by forward/backward/update.
import { SHARED } from '../abi/contract.js';
import { descriptorViews, type DescriptorView, type MemoryViews } from '../abi/descriptor.js';
import { ACT, LOSS, OPT, lossScale } from '../abi/kinds.js';
import type { lossKernels } from './loss.js';
import type { activationKernels } from './activation.js';

const { SMALL_MAX_WIDTH, REGISTER_WIDTH, REGISTER_MAX_BATCH } = SHARED;

type Parts = ReturnType<typeof lossKernels> & ReturnType<typeof activationKernels>;

/** One layer's record, read once per epoch (f32 indices). */
interface Layer {
  fanIn: number;
  fanOut: number;
  act: number;
  p0: number;
  p1: number;
  w: number;
  b: number;
  y: number;
  d: number;
}

export function smallKernels(heap: MemoryViews, k: Parts) {
  const fround = Math.fround;
  const descriptor = descriptorViews(heap);

  // 1 when trainSmallEpoch trains this network at this batch size (the rule of assembly/small.ts):
  // plain SGD without clipping, and one hidden layer with every width at most REGISTER_WIDTH (one
  // row per batch, or up to REGISTER_MAX_BATCH with SSE or MSE on an elementwise output), or one
  // row per batch with every layer at most SMALL_MAX_WIDTH wide
  function smallEpochFits(descriptorPtr: number, batch: number): number {
    const net = descriptor(descriptorPtr),
      layers = net.layers;
    if (net.optimizer !== OPT.sgd || net.clip > 0) return 0;
    let widest = 0;
    for (let l = 0; l < layers; l++) widest = Math.max(widest, net.layer(l).fanIn, net.layer(l).fanOut);
    if (batch === 1) return widest <= SMALL_MAX_WIDTH ? 1 : 0;
    const loss = net.loss;
    const squared = (loss === LOSS.sse || loss === LOSS.mse) && net.layer(layers - 1).act !== ACT.softmax;
    return layers === 2 && widest <= REGISTER_WIDTH && batch <= REGISTER_MAX_BATCH && squared ? 1 : 0;
  }

  // one epoch as trainEpoch runs it, for a network that smallEpochFits
  function trainSmallEpoch(
    descriptorPtr: number,
    xPtr: number,
    tPtr: number,
    orderPtr: number,
    rows: number,
    batch: number,
  ): void {
    const f = heap.f32,
      i32 = heap.i32,
      net = descriptor(descriptorPtr);
    const { loss, lr, decay, layers, xStage, tStage } = epochOf(net);
    const first = layers[0]!,
      out = layers[layers.length - 1]!;
    const nIn = first.fanIn,
      nOut = out.fanOut;
    // SSE and MSE with an elementwise output: dE/dy = 2·scale·(y − t) here; the rest through outputDelta
    const squared = (loss === LOSS.sse || loss === LOSS.mse) && out.act !== ACT.softmax;
    let batches = 0;
    for (let start = 0; start < rows; start += batch, batches++) {
      const count = Math.min(batch, rows - start);
      let x = (xPtr >>> 2) + start * nIn,
        t = (tPtr >>> 2) + start * nOut;
      if (orderPtr) {
        if (count === 1) {
          const r = i32[(orderPtr >>> 2) + start]!;
          x = (xPtr >>> 2) + r * nIn;
          t = (tPtr >>> 2) + r * nOut;
        } else {
          for (let q = 0; q < count; q++) {
            const r = i32[(orderPtr >>> 2) + start + q]!;
            f.copyWithin(xStage + q * nIn, (xPtr >>> 2) + r * nIn, (xPtr >>> 2) + (r + 1) * nIn);
            f.copyWithin(tStage + q * nOut, (tPtr >>> 2) + r * nOut, (tPtr >>> 2) + (r + 1) * nOut);
          }
          x = xStage;
          t = tStage;
        }
      }
      // forward, row by row
      let input = x;
      for (const layer of layers) {
        for (let r = 0; r < count; r++)
          forwardRow(f, layer, input + r * layer.fanIn, layer.y + r * layer.fanOut, k.activate);
        input = layer.y;
      }
      // output error terms
      if (squared) {
        const twiceScale = 2 * lossScale(loss, count, nOut);
        for (let i = 0; i < count * nOut; i++) {
          const yi = f[out.y + i]!;
          f[out.d + i] = derivative(out.act, out.p0, yi, fround(twiceScale * (yi - f[t + i]!)));
        }
      } else {
        k.outputDelta(loss, out.act, out.p0, out.y << 2, t << 2, out.d << 2, count, nOut);
      }
      // backward and descent, last layer first
      for (let l = layers.length - 1; l >= 0; l--) {
        const { fanIn, fanOut, w, b, d } = layers[l]!;
        const below = l > 0 ? layers[l - 1]! : null;
        const xs = below ? below.y : x;
        if (count === 1) {
          sweepRow(f, layers[l]!, xs, below, lr, decay);
        } else {
          // error terms of the layer below from W before the step, then the step with the batch's gradient
          if (below) {
            for (let r = 0; r < count; r++) {
              for (let i = 0; i < fanIn; i++) {
                let s = 0;
                for (let j = 0; j < fanOut; j++) s += f[d + r * fanOut + j]! * f[w + i * fanOut + j]!;
                f[below.d + r * fanIn + i] = derivative(below.act, below.p0, f[xs + r * fanIn + i]!, fround(s));
              }
            }
          }
          for (let i = 0; i < fanIn; i++) {
            for (let j = 0; j < fanOut; j++) {
              let g = 0;
              for (let r = 0; r < count; r++) g = fround(g + f[xs + r * fanIn + i]! * f[d + r * fanOut + j]!);
              const wij = f[w + i * fanOut + j]!;
              f[w + i * fanOut + j] = wij - lr * (g + decay * wij);
            }
          }
        }
        if (b) {
          for (let j = 0; j < fanOut; j++) {
            let g = 0;
            for (let r = 0; r < count; r++) g += f[d + r * fanOut + j]!;
            const bj = f[b + j]!;
            f[b + j] = bj - lr * (fround(g) + decay * bj);
          }
        }
      }
    }
    countSteps(net, batches);
  }

  return { smallEpochFits, trainSmallEpoch };
}

/** What trainSmallEpoch reads of the descriptor, once per epoch (f32 indices for the addresses). */
function epochOf(net: DescriptorView) {
  const layers: Layer[] = [];
  for (let l = 0; l < net.layers; l++) {
    const r = net.layer(l);
    layers.push({
      fanIn: r.fanIn,
      fanOut: r.fanOut,
      act: r.act,
      p0: r.p0,
      p1: r.p1,
      w: r.w >>> 2,
      b: r.b >>> 2,
      y: r.y >>> 2,
      d: r.d >>> 2,
    });
  }
  return {
    loss: net.loss,
    lr: net.learningRate,
    decay: net.decay,
    layers,
    xStage: net.inputStage >>> 2,
    tStage: net.targetStage >>> 2,
  };
}

/** What update() counts per batch, for `batches` batches: the step, and β^step by one multiplication per step. */
function countSteps(net: DescriptorView, batches: number): void {
  net.step = net.step + batches;
  const beta1 = net.beta1,
    beta2 = net.beta2;
  let p1 = net.beta1Power,
    p2 = net.beta2Power;
  for (let s = 0; s < batches; s++) {
    p1 *= beta1;
    p2 *= beta2;
  }
  net.beta1Power = p1;
  net.beta2Power = p2;
}

/**
 * y = f(x·W + b) for one row of one layer: each sum in the order of the inputs and rounded at every
 * step, as matmul (four sums in flight, then the rest one by one), then the activate kernel.
 */
function forwardRow(f: Float32Array, layer: Layer, xr: number, yr: number, activate: Parts['activate']): void {
  const { fanIn, fanOut, act, p0, p1, w, b } = layer;
  let j = 0;
  for (; j + 4 <= fanOut; j += 4) {
    let s0 = b ? f[b + j]! : 0,
      s1 = b ? f[b + j + 1]! : 0,
      s2 = b ? f[b + j + 2]! : 0,
      s3 = b ? f[b + j + 3]! : 0;
    for (let i = 0, at = w + j; i < fanIn; i++, at += fanOut) {
      const xi = f[xr + i]!;
      s0 = Math.fround(s0 + xi * f[at]!);
      s1 = Math.fround(s1 + xi * f[at + 1]!);
      s2 = Math.fround(s2 + xi * f[at + 2]!);
      s3 = Math.fround(s3 + xi * f[at + 3]!);
    }
    f[yr + j] = s0;
    f[yr + j + 1] = s1;
    f[yr + j + 2] = s2;
    f[yr + j + 3] = s3;
  }
  for (; j < fanOut; j++) {
    let s = b ? f[b + j]! : 0;
    for (let i = 0, at = w + j; i < fanIn; i++, at += fanOut) s = Math.fround(s + f[xr + i]! * f[at]!);
    f[yr + j] = s;
  }
  activate(act, p0, p1, yr << 2, 1, fanOut);
}

/**
 * One row's sweep over W with the layer's error terms d (the article's update): with `below`, its
 * error terms (d·Wᵀ) ⊙ f'(x) from W before the step, summed in float64 and rounded once as
 * matmulTransB; W −= lr·(x ⊗ d + decay·W) in the same sweep, each gradient 0 + x·d as matmulTransA.
 */
function sweepRow(f: Float32Array, layer: Layer, xs: number, below: Layer | null, lr: number, decay: number): void {
  const { fanIn, fanOut, w, d } = layer;
  for (let i = 0; i < fanIn; i++) {
    const xi = f[xs + i]!,
      row = w + i * fanOut;
    let s = 0;
    for (let j = 0; j < fanOut; j++) {
      const wij = f[row + j]!,
        dj = f[d + j]!;
      s += dj * wij;
      f[row + j] = wij - lr * (Math.fround(0 + xi * dj) + decay * wij);
    }
    if (below) f[below.d + i] = derivative(below.act, below.p0, xi, Math.fround(s));
  }
}

/** d·f'(y), rounded to float32 as activationGrad() stores it (d already float32). */
function derivative(act: number, p0: number, y: number, d: number): number {
  switch (act) {
    case ACT.sigmoid:
      return Math.fround(d * p0 * y * (1 - y));
    case ACT.tanh:
      return Math.fround(d * (1 - y * y));
    case ACT.relu:
      return y > 0 ? d : 0;
    case ACT['leaky-relu']:
      return y > 0 ? d : Math.fround(d * p0);
    default:
      return d;
  }
}

// Gradient-descent corrections over the whole parameter block (weights and biases of every layer).
import { OPT_SGD, OPT_NESTEROV, OPT_ADAM } from './contract.generated';

// Σ g² over count values, in f64 (for global-norm gradient clipping).
export function sumSquares(gPtr: usize, count: i32): f64 {
  let acc = f32x4.splat(0);
  let sum: f64 = 0;
  const c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) {
    const g = v128.load(gPtr + (<usize>i << 2));
    acc = f32x4.add(acc, f32x4.mul(g, g));
    // fold into f64 every 1024 values so long blocks keep their precision
    if ((i & 1023) == 1020) {
      sum += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
      acc = f32x4.splat(0);
    }
  }
  sum += <f64>f32x4.extract_lane(acc, 0) + <f64>f32x4.extract_lane(acc, 1) + <f64>f32x4.extract_lane(acc, 2) + <f64>f32x4.extract_lane(acc, 3);
  for (; i < count; i++) {
    const g = <f64>load<f32>(gPtr + (<usize>i << 2));
    sum += g * g;
  }
  return sum;
}

// One optimizer step on count parameters W with gradient G (G is scaled by gradScale first, and
// gets decay·W added for L2 weight decay); the slots m and v are shaped like W:
//   SGD       W −= lr·g
//   momentum  velocity = β1·velocity + g;          W −= lr·velocity
//   Nesterov  velocity = β1·velocity + g;          W −= lr·(g + β1·velocity)
//   Adam      m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;  W −= lr·(m/c1) / (√(v/c2) + ε)
// where c1 = 1 − β1^t and c2 = 1 − β2^t are Adam's bias corrections after t steps (the caller's).
// Momentum and Nesterov keep their velocity in slot m and leave v alone.
export function applyUpdate(opt: i32, wPtr: usize, gPtr: usize, mPtr: usize, vPtr: usize, count: i32,
                            lr: f32, beta1: f32, beta2: f32, epsilon: f32, decay: f32, gradScale: f32, c1: f32, c2: f32): void {
  const c4 = count & ~3;
  const vlr = f32x4.splat(lr), vb1 = f32x4.splat(beta1), vdecay = f32x4.splat(decay), vscale = f32x4.splat(gradScale);
  const vb1c = f32x4.splat(1 - beta1), vb2 = f32x4.splat(beta2), vb2c = f32x4.splat(1 - beta2), veps = f32x4.splat(epsilon);
  const vlrc = f32x4.splat(lr / c1), vc2 = f32x4.splat(1 / c2);
  let i = 0;
  for (; i < c4; i += 4) {
    const o = <usize>i << 2;
    const w = v128.load(wPtr + o);
    const g = f32x4.add(f32x4.mul(v128.load(gPtr + o), vscale), f32x4.mul(vdecay, w));
    if (opt == OPT_SGD) {
      v128.store(wPtr + o, f32x4.sub(w, f32x4.mul(vlr, g)));
    } else if (opt == OPT_ADAM) {
      const m = f32x4.add(f32x4.mul(vb1, v128.load(mPtr + o)), f32x4.mul(vb1c, g));
      const v = f32x4.add(f32x4.mul(vb2, v128.load(vPtr + o)), f32x4.mul(vb2c, f32x4.mul(g, g)));
      v128.store(mPtr + o, m);
      v128.store(vPtr + o, v);
      const denom = f32x4.add(f32x4.sqrt(f32x4.mul(v, vc2)), veps);
      v128.store(wPtr + o, f32x4.sub(w, f32x4.div(f32x4.mul(vlrc, m), denom)));
    } else {
      const velocity = f32x4.add(f32x4.mul(vb1, v128.load(mPtr + o)), g);
      v128.store(mPtr + o, velocity);
      const step4 = opt == OPT_NESTEROV ? f32x4.add(g, f32x4.mul(vb1, velocity)) : velocity;
      v128.store(wPtr + o, f32x4.sub(w, f32x4.mul(vlr, step4)));
    }
  }
  const lrc = lr / c1, ic2: f32 = 1 / c2;
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const w = load<f32>(wPtr + o);
    const g = load<f32>(gPtr + o) * gradScale + decay * w;
    if (opt == OPT_SGD) {
      store<f32>(wPtr + o, w - lr * g);
    } else if (opt == OPT_ADAM) {
      const m = beta1 * load<f32>(mPtr + o) + (1 - beta1) * g;
      const v = beta2 * load<f32>(vPtr + o) + (1 - beta2) * (g * g);
      store<f32>(mPtr + o, m);
      store<f32>(vPtr + o, v);
      store<f32>(wPtr + o, w - (lrc * m) / (Mathf.sqrt(v * ic2) + epsilon));
    } else {
      const velocity = beta1 * load<f32>(mPtr + o) + g;
      store<f32>(mPtr + o, velocity);
      store<f32>(wPtr + o, w - lr * (opt == OPT_NESTEROV ? g + beta1 * velocity : velocity));
    }
  }
}

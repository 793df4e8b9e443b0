// Losses over a batch of outputs Y and targets T (rows×cols), and the output error terms dE/ds.
import { ACT_SIGMOID, ACT_SOFTMAX, LOSS_SSE, LOSS_MSE, LOSS_BINARY_CROSS_ENTROPY, LOSS_CROSS_ENTROPY } from './contract.generated';
import { activationGrad } from './activation';

// The factor that turns the summed loss of a batch into the loss as defined: SSE is a plain sum,
// MSE and BCE average over every value, cross-entropy over rows (src/abi/kinds.ts has the twin).
// @ts-ignore: decorator
@inline export function lossScale(loss: i32, rows: i32, cols: i32): f32 {
  if (loss == LOSS_SSE) return 1;
  if (loss == LOSS_CROSS_ENTROPY) return <f32>(1.0 / <f64>rows);
  return <f32>(1.0 / (<f64>rows * <f64>cols));
}

// Σ over the batch of the per-value loss terms, unscaled, in f64:
// SSE/MSE (y−t)², BCE −[t·ln y + (1−t)·ln(1−y)], CE −t·ln y (y clamped away from 0 and 1).
export function lossSum(loss: i32, yPtr: usize, tPtr: usize, rows: i32, cols: i32): f64 {
  const count = rows * cols;
  let sum: f64 = 0;
  for (let i = 0; i < count; i++) {
    const o = <usize>i << 2;
    const y = <f64>load<f32>(yPtr + o);
    const t = <f64>load<f32>(tPtr + o);
    if (loss == LOSS_SSE || loss == LOSS_MSE) {
      sum += (y - t) * (y - t);
    } else if (loss == LOSS_BINARY_CROSS_ENTROPY) {
      const yc = Math.min(Math.max(y, 1e-12), 1 - 1e-12);
      sum -= t * Math.log(yc) + (1 - t) * Math.log(1 - yc);
    } else if (t != 0) {
      sum -= t * Math.log(Math.max(y, 1e-30));
    }
  }
  return sum;
}

// D = dE/ds for the output layer: the loss gradient dE/dy (scaled as the loss is defined) times
// the output activation's derivative. Sigmoid + BCE and softmax + cross-entropy use their exact
// simplified forms; softmax with other losses applies its Jacobian row by row.
export function outputDelta(loss: i32, act: i32, p0: f32, yPtr: usize, tPtr: usize, dPtr: usize, rows: i32, cols: i32): void {
  const count = rows * cols;
  const scale = lossScale(loss, rows, cols);
  if (loss == LOSS_CROSS_ENTROPY && act == ACT_SOFTMAX) {
    // d/ds of −Σ t·ln softmax(s) = y·Σt − t
    for (let i = 0; i < rows; i++) {
      const base = <usize>(i * cols) << 2;
      let tSum: f32 = 0;
      for (let j = 0; j < cols; j++) tSum += load<f32>(tPtr + base + (<usize>j << 2));
      for (let j = 0; j < cols; j++) {
        const o = base + (<usize>j << 2);
        store<f32>(dPtr + o, (load<f32>(yPtr + o) * tSum - load<f32>(tPtr + o)) * scale);
      }
    }
    return;
  }
  if (loss == LOSS_BINARY_CROSS_ENTROPY && act == ACT_SIGMOID) {
    // d/ds of BCE through y = σ(α(s−θ)) = α(y − t)
    const f = scale * p0;
    for (let i = 0; i < count; i++) {
      const o = <usize>i << 2;
      store<f32>(dPtr + o, (load<f32>(yPtr + o) - load<f32>(tPtr + o)) * f);
    }
    return;
  }
  // dE/dy
  if (loss == LOSS_SSE || loss == LOSS_MSE) {
    const c4 = count & ~3;
    const f = f32x4.splat(2 * scale);
    let i = 0;
    for (; i < c4; i += 4) {
      const o = <usize>i << 2;
      v128.store(dPtr + o, f32x4.mul(f, f32x4.sub(v128.load(yPtr + o), v128.load(tPtr + o))));
    }
    for (; i < count; i++) {
      const o = <usize>i << 2;
      store<f32>(dPtr + o, 2 * scale * (load<f32>(yPtr + o) - load<f32>(tPtr + o)));
    }
  } else {
    for (let i = 0; i < count; i++) {
      const o = <usize>i << 2;
      const y = Mathf.min(Mathf.max(load<f32>(yPtr + o), 1e-7), 1 - 1e-7);
      const t = load<f32>(tPtr + o);
      const g: f32 = loss == LOSS_BINARY_CROSS_ENTROPY ? (y - t) / (y * (1 - y)) : -t / y;
      store<f32>(dPtr + o, g * scale);
    }
  }
  if (act == ACT_SOFTMAX) {
    // dE/ds_j = y_j·(g_j − Σ_k g_k·y_k)
    for (let i = 0; i < rows; i++) {
      const base = <usize>(i * cols) << 2;
      let dot: f32 = 0;
      for (let j = 0; j < cols; j++) {
        const o = base + (<usize>j << 2);
        dot += load<f32>(dPtr + o) * load<f32>(yPtr + o);
      }
      for (let j = 0; j < cols; j++) {
        const o = base + (<usize>j << 2);
        store<f32>(dPtr + o, load<f32>(yPtr + o) * (load<f32>(dPtr + o) - dot));
      }
    }
  } else {
    activationGrad(act, p0, yPtr, dPtr, count);
  }
}

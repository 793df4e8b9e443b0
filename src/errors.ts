// Errors of simdnet beyond TypeError and RangeError (which validation throws).

/** Training produced a non-finite loss or weight; the network keeps the weights from before the epoch. */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(
    readonly epoch: number,
    readonly layer: number,
    detail: string,
  ) {
    super(
      `simdnet: training diverged in epoch ${epoch} at layer ${layer}: ${detail}; the network keeps its weights ` +
        `from before that epoch (lower learningRate, set clipNorm, or pass onDivergence: 'halve')`,
    );
  }
}

/** The error a training run stopped by an AbortSignal throws (a DOMException named AbortError where available). */
export function abortError(signal: AbortSignal): Error {
  const message = 'simdnet: training was aborted; the network keeps the weights of its last completed batch';
  const reason: unknown = signal.reason;
  if (typeof DOMException === 'function') {
    const err = new DOMException(message, 'AbortError');
    if (reason !== undefined) Object.defineProperty(err, 'cause', { value: reason });
    return err;
  }
  const err = new Error(message, { cause: reason });
  err.name = 'AbortError';
  return err;
}

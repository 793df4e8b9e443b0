// A network's state as far as the public API can see it (weights, epochs, the saved model with its
// optimizer and generator state), to show that a refused or failed call changed nothing.
import { expect } from 'vitest';
import type { NN, Weights } from '../../src/index.js';
import { expectSameWeights } from './bits.js';

export interface NetState {
  weights: Weights;
  epochs: number;
  json: string;
}

export const stateOf = (net: NN): NetState => ({
  weights: net.getWeights(),
  epochs: net.epochs,
  json: JSON.stringify(net.toJSON()),
});

export function expectSameState(before: NetState, net: NN, what: string): void {
  expect(net.isDisposed, `${what}: disposed`).toBe(false);
  expectSameWeights(before.weights, net.getWeights(), what);
  expect(net.epochs, `${what}: epochs`).toBe(before.epochs);
  expect(JSON.stringify(net.toJSON()), `${what}: toJSON (weights, optimizer and generator state)`).toBe(before.json);
}

/** Every weight and bias is a finite number. */
export function allFinite(w: Weights): boolean {
  for (const a of [...w.weights, ...w.biases]) if (a) for (const v of a) if (!Number.isFinite(v)) return false;
  return true;
}

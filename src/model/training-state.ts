// What continues a training run exactly where it stopped: the model's `training`. While a network
// lives, its ResidentModel (src/resident.ts) owns it, the step and the slots in engine memory.
import type { Weights } from './weights.js';

export interface TrainingState {
  /** epochs completed over the network's life (the article's T) */
  epochs: number;
  /** the four words of the network's generator, which shuffles the next epoch's rows */
  random: number[];
  /** optimizer updates applied so far (Adam's t) */
  step: number;
  /** the optimizer's slots, shaped like the weights: Adam's m and v (momentum and Nesterov keep their velocity in m); null until an optimizer needed them */
  slots: { m: Weights; v: Weights } | null;
}

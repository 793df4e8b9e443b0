// What continues a training run exactly where it stopped. While a network lives, the epoch count
// and the generator are kept by NN and the step and optimizer slots by its memory; toJSON gathers
// them here (the model's `training`), fromJSON and load hand them back.
import type { Random } from './random.js';
import type { Weights } from './weights.js';

export interface TrainingState {
  /** epochs completed over the network's life (the article's T) */
  epochs: number;
  /** the network's generator, which shuffles the next epoch's rows */
  random: Random;
  /** optimizer updates applied so far (Adam's t) */
  step: number;
  /** the optimizer's slots, shaped like the weights: Adam's m and v (momentum and Nesterov keep their velocity in m); null until an optimizer needed them */
  optimizerState: { m: Weights; v: Weights } | null;
}

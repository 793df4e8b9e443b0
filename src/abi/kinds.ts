// The kind codes of the descriptor and the kernels' arguments, by public name (contract.ts's lists),
// and the one rule that depends on a kind across both engines and the runtime: the loss's scale.
import { ACTIVATIONS, LOSSES, OPTIMIZERS } from './contract.js';

type Codes<Names extends readonly string[]> = { readonly [Name in Names[number]]: number };
const codes = <Names extends readonly string[]>(names: Names): Codes<Names> =>
  Object.fromEntries(names.map((name, code) => [name, code])) as Codes<Names>;

export const ACT = codes(ACTIVATIONS);
export const LOSS = codes(LOSSES);
export const OPT = codes(OPTIMIZERS);

/**
 * The factor that turns a sum of per-value loss terms over `rows` rows of `cols` outputs into the
 * loss as defined: SSE is a plain sum, MSE and BCE average over every value, cross-entropy over
 * rows (assembly/loss.ts has the kernels' twin).
 */
export function lossScale(loss: number, rows: number, cols: number): number {
  if (loss === LOSS.sse) return 1;
  if (loss === LOSS['cross-entropy']) return 1 / rows;
  return 1 / (rows * cols);
}

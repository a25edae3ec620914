// One optimisation step of a language model, with every temporary freed on return.
import { type Optimizer, type Precision, type Tensor, tidy, withPrecision } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";

/**
 * zero_grad, forward, backward, optimizer step; returns the loss. Forward and loss run in
 * the precision (default fp32); backward runs outside autocast, as in PyTorch.
 */
export function lmTrainStep(model: GPT, optimizer: Optimizer, tokens: Tensor, precision: Precision = "fp32"): number {
  return tidy(() => {
    optimizer.zeroGrad();
    const loss = withPrecision(precision, () => model.loss(tokens));
    loss.backward();
    optimizer.step();
    return loss.item();
  });
}

// One optimisation step of a language model, with every temporary freed on return.
import { type Optimizer, type Tensor, tidy } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";

/** zero_grad, forward, backward, optimizer step; returns the loss. */
export function lmTrainStep(model: GPT, optimizer: Optimizer, tokens: Tensor): number {
  return tidy(() => {
    optimizer.zeroGrad();
    const loss = model.loss(tokens);
    loss.backward();
    optimizer.step();
    return loss.item();
  });
}

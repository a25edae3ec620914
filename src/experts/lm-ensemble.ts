// Ensembles of expert language models at evaluation time (methods.md §4), computed on
// tensors: every expert scores the same batch, and the mixture probability of each
// target token, sum_j w_j(t) p_j(x_t | x_<t), is formed in log space. The weights of the
// posterior rule depend only on the experts' probabilities of the prefix's tokens, so
// the experts' target log-probabilities are all the ensemble needs.
import { type Tensor, cat, crossEntropy, noGrad, stack, tensor, tidy } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";

/** log p_j(x_t | x_<t) of each target token: [k, B, T] for tokens [B, T+1]. */
export function expertTargetLogProbs(models: GPT[], tokens: Tensor): Tensor {
  const [b, len] = tokens.shape;
  const t = len - 1;
  const inputs = tokens.narrow(1, 0, t);
  const targets = tokens.narrow(1, 1, t).reshape([-1]);
  return noGrad(() => stack(models.map((m) => {
    const wasTraining = m.training;
    m.eval();
    const { logits } = m.forward(inputs);
    m.train(wasTraining);
    return crossEntropy(logits.reshape([-1, m.config.vocabSize]), targets, null, "none").neg().view([b, t]);
  }), 0));
}

/**
 * Per-token NLL [B, T] under the Bayesian posterior rule: weights at position t are the
 * posterior over experts given the prefix x_<t of the same sequence, from `prior`
 * (uniform when omitted); at t = 0 they are the prior.
 */
export function posteriorEnsembleNll(targetLogProbs: Tensor, prior?: number[]): Tensor {
  const k = targetLogProbs.shape[0];
  const logPrior = tensor((prior ?? new Array<number>(k).fill(1 / k)).map(Math.log), { dtype: targetLogProbs.dtype }).view([k, 1, 1]);
  // Log-likelihood of each prefix: cumulative sum up to, but not including, position t.
  const prefix = targetLogProbs.cumsum(2).sub(targetLogProbs);
  const logPosterior = prefix.add(logPrior);
  const logWeights = logPosterior.sub(logPosterior.logsumexp([0], true));
  return logWeights.add(targetLogProbs).logsumexp([0]).neg();
}

/**
 * The posterior rule's last-token form (the published code's): weights at position t from
 * the prior and the previous token's likelihood only, softmax_j(ln prior_j + ln p_j(x_{t-1})),
 * the prior alone at t = 0. Per-token NLL [B, T].
 */
export function lastTokenPosteriorEnsembleNll(targetLogProbs: Tensor, prior?: number[]): Tensor {
  const [k, , t] = targetLogProbs.shape;
  const logPrior = tensor((prior ?? new Array<number>(k).fill(1 / k)).map(Math.log), { dtype: targetLogProbs.dtype }).view([k, 1, 1]);
  const first = targetLogProbs.narrow(2, 0, 1).mul(0);
  const previous = t > 1 ? cat([first, targetLogProbs.narrow(2, 0, t - 1)], 2) : first;
  const logPosterior = previous.add(logPrior);
  const logWeights = logPosterior.sub(logPosterior.logsumexp([0], true));
  return logWeights.add(targetLogProbs).logsumexp([0]).neg();
}

/**
 * Per-token NLL [B, T] with weights that vary by sequence and position (TF-IDF distance
 * weights): logWeights [k, B, T] is ln w_j(b, t), each (b, t) a distribution over experts.
 */
export function positionWeightedEnsembleNll(targetLogProbs: Tensor, logWeights: Tensor): Tensor {
  if (logWeights.shape.join("x") !== targetLogProbs.shape.join("x"))
    throw new Error(`log-weights of shape [${logWeights.shape}] for log-probabilities [${targetLogProbs.shape}]`);
  return logWeights.add(targetLogProbs).logsumexp([0]).neg();
}

/** Per-token NLL [B, T] with the same weights at every position (uniform, cached prior, top-1). */
export function fixedWeightsEnsembleNll(targetLogProbs: Tensor, weights: number[]): Tensor {
  const k = targetLogProbs.shape[0];
  if (weights.length !== k) throw new Error(`${weights.length} weights for ${k} experts`);
  // Experts with weight 0 contribute log(0) = -inf, which logsumexp handles.
  const logW = tensor(weights.map(Math.log), { dtype: targetLogProbs.dtype }).view([k, 1, 1]);
  return logW.add(targetLogProbs).logsumexp([0]).neg();
}

export type EnsembleRule = { kind: "posterior"; prior?: number[] } | { kind: "fixed"; weights: number[] };

/** Mean NLL and perplexity of the ensemble over rows of tokens [B, T+1]. */
export function ensemblePerplexity(models: GPT[], tokens: Int32Array, rows: number, rule: EnsembleRule): { nll: number; ppl: number } {
  return tidy(() => {
    const t = tensor(tokens, { shape: [rows, tokens.length / rows], dtype: "int64" });
    const lp = expertTargetLogProbs(models, t);
    const nll = (rule.kind === "posterior" ? posteriorEnsembleNll(lp, rule.prior) : fixedWeightsEnsembleNll(lp, rule.weights)).mean().item();
    return { nll, ppl: Math.exp(nll) };
  });
}

// Measurements the balancing studies share: curvature and gradient conflict per language.
import { grad, tidy, type Tensor } from "../../torch/index.js";
import type { GPT } from "../../nn/gpt.js";
import { sequenceLosses } from "../../train/trainer.js";
import { flattenGradients, gradientCosines } from "../../train/balance/per-language-grads.js";
import { topHessianEigenvalue } from "../../train/balance/curvature.js";
import { hashInts } from "../../util/hash.js";
import type { MetricRow } from "../../run/metrics.js";

/**
 * Per language: the top Hessian eigenvalue of its held-out loss (power iteration on
 * Hessian-vector products); per pair of languages: the cosine of their gradients.
 * `lossOf` gives each sequence's loss (default the next-token loss).
 */
export function curvatureRows(model: GPT, languages: string[], batches: Tensor[], params: Tensor[], step: number, iterations: number,
  lossOf: (tokens: Tensor) => Tensor = (tokens) => sequenceLosses(model, tokens)): MetricRow[] {
  const rows: MetricRow[] = [];
  const grads = batches.map((tokens, n) => tidy(() => {
    const loss = lossOf(tokens).mean();
    const top = topHessianEigenvalue(loss, params, { seed: hashInts(step, n), maxIterations: iterations, tolerance: 1e-3 });
    rows.push({ step, split: "eval", name: "hessian_top", lang: languages[n], value: top.eigenvalue });
    return flattenGradients(grad(loss, params, { allowUnused: true }), params);
  }));
  const cos = gradientCosines(grads);
  for (let a = 0; a < languages.length; a++)
    for (let b = a + 1; b < languages.length; b++) rows.push({ step, split: "eval", name: "grad_cosine", lang: `${languages[a]}~${languages[b]}`, value: cos[a][b] });
  return rows;
}

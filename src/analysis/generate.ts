// Sampling text from a GPT: temperature, top-k and top-p (nucleus) filtering of the
// next-token distribution, with a seeded generator so a sample can be repeated.
import { noGrad, tensor, tidy } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";
import { Rng } from "../util/rng.js";

export interface SampleOptions {
  maxTokens: number;
  /** 0 picks the most likely token (greedy); default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 or absent keeps all. */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all. */
  topP?: number;
  seed?: number;
  /** Stop after producing this id (not included in the output). */
  stopId?: number | null;
  /** Sample only ids below this (the tokenizer's vocabulary when the model's is larger). */
  vocabLimit?: number;
}

/** Next-token choice from logits, after temperature, top-k and top-p; exported for tests. */
export function chooseToken(logits: Float32Array | Float64Array, opts: Omit<SampleOptions, "maxTokens" | "seed" | "stopId" | "vocabLimit">, u: number): number {
  const temperature = opts.temperature ?? 1;
  const order = Array.from(logits.keys()).sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (temperature === 0) return order[0]!;
  const k = opts.topK && opts.topK > 0 ? Math.min(opts.topK, order.length) : order.length;
  const kept = order.slice(0, k);
  const max = logits[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  const topP = opts.topP ?? 1;
  let n = kept.length;
  if (topP < 1) {
    let cum = 0;
    for (let j = 0; j < kept.length; j++) {
      cum += weights[j]! / total;
      if (cum >= topP) {
        n = j + 1;
        break;
      }
    }
  }
  const mass = weights.slice(0, n).reduce((a, b) => a + b, 0);
  let r = u * mass;
  for (let j = 0; j < n; j++) {
    r -= weights[j]!;
    if (r < 0) return kept[j]!;
  }
  return kept[n - 1]!;
}

/** Continues `prompt` (ids) by up to maxTokens sampled ids; returns the new ids. */
export function sampleTokens(model: GPT, prompt: Int32Array, opts: SampleOptions): Int32Array {
  if (prompt.length === 0) throw new Error("the prompt encodes to no tokens");
  const rng = new Rng(opts.seed ?? 0);
  const ids = Array.from(prompt);
  const out: number[] = [];
  const window = model.config.seqLen;
  model.eval();
  noGrad(() => {
    for (let step = 0; step < opts.maxTokens; step++) {
      const context = ids.slice(-window);
      const logits = tidy(() => {
        const { logits } = model.forward(tensor(Int32Array.from(context), { shape: [1, context.length], dtype: "int64" }));
        return logits.select(1, context.length - 1).reshape([-1]).toArray() as Float32Array;
      }).subarray(0, opts.vocabLimit);
      const next = chooseToken(logits, opts, rng.float());
      if (opts.stopId !== undefined && opts.stopId !== null && next === opts.stopId) break;
      ids.push(next);
      out.push(next);
    }
  });
  return Int32Array.from(out);
}

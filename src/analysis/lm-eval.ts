// Evaluation of a GPT on held-out text (methods.md §1): sliding-window perplexity per
// language, hidden-state alignment of parallel text by layer, gradient alignment per
// parameter tensor, and the similarity of clone embedding rows.
import { type Tensor, cosineSimilarity, crossEntropy, grad, noGrad, tensor, tidy } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";
import { matchedMeanCosine } from "./similarity.js";

export interface PerplexityResult {
  ppl: number;
  /** Mean negative log-likelihood per scored token (nats). */
  nll: number;
  tokens: number;
}

/**
 * Perplexity of a token stream by sliding windows of the model's length: stride
 * seqLen/4 by default, every window scoring only its last `stride` targets (the first
 * window scores all of its targets), so each token is predicted once, with as much
 * context as the window allows.
 */
export function slidingWindowPerplexity(model: GPT, ids: Int32Array, opts: { stride?: number; batch?: number } = {}): PerplexityResult {
  const window = model.config.seqLen;
  const stride = opts.stride ?? Math.max(1, Math.floor(window / 4));
  if (stride > window) throw new Error(`stride ${stride} exceeds the window ${window}`);
  if (ids.length < 2) throw new Error("need at least two tokens to score");
  // Window w covers inputs ids[s .. s+len-1] and targets ids[s+1 .. s+len].
  const windows: { start: number; len: number; scoreFrom: number }[] = [];
  let scoredUpTo = 0; // targets with index < scoredUpTo (in ids) are already scored
  for (let start = 0; scoredUpTo < ids.length - 1; start += stride) {
    const len = Math.min(window, ids.length - 1 - start);
    const firstTarget = start + 1;
    const scoreFrom = Math.max(firstTarget, scoredUpTo + 1) - firstTarget;
    windows.push({ start, len, scoreFrom });
    scoredUpTo = start + len;
  }
  const batch = opts.batch ?? 16;
  let nllSum = 0;
  let count = 0;
  const wasTraining = model.training;
  model.eval();
  noGrad(() => {
    for (let i = 0; i < windows.length; i += batch) {
      const group = windows.slice(i, i + batch);
      // Windows of one batch share a length; the last, shorter window goes alone.
      for (const same of groupByLength(group)) {
        const len = same[0].len;
        const rows = new Int32Array(same.length * (len + 1));
        same.forEach((w, r) => rows.set(ids.subarray(w.start, w.start + len + 1), r * (len + 1)));
        const nll = tidy(() => {
          const t = tensor(rows, { shape: [same.length, len + 1], dtype: "int64" });
          const { logits } = model.forward(t.narrow(1, 0, len));
          return crossEntropy(logits.reshape([-1, model.config.vocabSize]), t.narrow(1, 1, len).reshape([-1]), null, "none")
            .toDtype("float64").toArray() as Float64Array;
        });
        same.forEach((w, r) => {
          for (let j = w.scoreFrom; j < len; j++) nllSum += nll[r * len + j];
          count += len - w.scoreFrom;
        });
      }
    }
  });
  model.train(wasTraining);
  const mean = nllSum / count;
  return { ppl: Math.exp(mean), nll: mean, tokens: count };
}

function groupByLength<T extends { len: number }>(ws: T[]): T[][] {
  const m = new Map<number, T[]>();
  for (const w of ws) (m.get(w.len) ?? m.set(w.len, []).get(w.len)!).push(w);
  return [...m.values()];
}

/**
 * Mean cosine similarity, per layer, between the hidden states (each block's output,
 * the residual stream before the final LayerNorm) of the same text in two id spaces:
 * position t of sequence b in one against position t of sequence b in the other.
 */
export function hiddenStateCosineByLayer(model: GPT, a: Int32Array, b: Int32Array, rows: number): number[] {
  const len = a.length / rows;
  const wasTraining = model.training;
  model.eval();
  const out = noGrad(() => tidy(() => {
    const ha = model.forward(tensor(a, { shape: [rows, len], dtype: "int64" }), { hidden: true }).hidden!;
    const hb = model.forward(tensor(b, { shape: [rows, len], dtype: "int64" }), { hidden: true }).hidden!;
    return ha.map((h, l) => cosineSimilarity(h, hb[l], -1).mean().item());
  }));
  model.train(wasTraining);
  return out;
}

/** Cosine between the gradients of the same text's loss in two id spaces, per parameter tensor. */
export function gradientCosine(model: GPT, a: Int32Array, b: Int32Array, rows: number, lossOf: (m: GPT, t: Tensor) => Tensor): Map<string, number> {
  const len = a.length / rows;
  const named = model.namedParameters();
  const params = named.map(([, p]) => p);
  const wasTraining = model.training;
  model.eval();
  const cosines = tidy(() => {
    const ga = grad(lossOf(model, tensor(a, { shape: [rows, len], dtype: "int64" })), params, { allowUnused: true });
    const gb = grad(lossOf(model, tensor(b, { shape: [rows, len], dtype: "int64" })), params, { allowUnused: true });
    return named.map(([name], i): [string, number] => {
      const x = ga[i];
      const y = gb[i];
      if (!x || !y) return [name, NaN];
      const nx = x.norm().item();
      const ny = y.norm().item();
      // A tensor that gets no gradient in one language (e.g. the other language's embedding rows) has cosine 0.
      return [name, nx === 0 || ny === 0 ? 0 : x.reshape([-1]).dot(y.reshape([-1])).item() / (nx * ny)];
    });
  });
  model.train(wasTraining);
  return new Map(cosines);
}

export interface EmbeddingSimilarity {
  /** Mean cosine of row i and row i + k*V over cloned ids i. */
  clonePairs: number;
  /** Mean cosine of random row pairs (the baseline). */
  randomPairs: number;
}

/** Clone rows against random rows, for an embedding matrix [K*V, d] (methods.md §1). */
export function cloneEmbeddingSimilarity(weight: Tensor, vocabSize: number, clone: number, clonedIds: number[], randomPairs: [number, number][]): EmbeddingSimilarity {
  return noGrad(() => tidy(() => {
    const idx = (xs: number[]) => tensor(Int32Array.from(xs), { dtype: "int64" });
    const rowsA = weight.indexSelect(0, idx(clonedIds));
    const rowsB = weight.indexSelect(0, idx(clonedIds.map((i) => i + clone * vocabSize)));
    const r1 = weight.indexSelect(0, idx(randomPairs.map((p) => p[0])));
    const r2 = weight.indexSelect(0, idx(randomPairs.map((p) => p[1])));
    return {
      clonePairs: cosineSimilarity(rowsA, rowsB, 1).mean().item(),
      randomPairs: cosineSimilarity(r1, r2, 1).mean().item(),
    };
  }));
}

/**
 * Hidden-state alignment of real parallel text (methods.md §1), where positions do not
 * correspond: per layer and sentence pair, the all-pairs cosine of the two sentences'
 * hidden states, a maximum-weight bipartite matching, and the mean cosine of the
 * matched pairs; averaged over the pairs.
 */
export function matchedHiddenCosineByLayer(model: GPT, pairs: [Int32Array, Int32Array][]): number[] {
  if (pairs.length === 0) throw new Error("matchedHiddenCosineByLayer: no sentence pairs");
  const wasTraining = model.training;
  model.eval();
  const hiddenRows = (ids: Int32Array): Float32Array[][] => noGrad(() => tidy(() =>
    model.forward(tensor(ids, { shape: [1, ids.length], dtype: "int64" }), { hidden: true }).hidden!.map((h) => {
      const [, t, d] = h.shape;
      const flat = h.contiguous().toArray() as Float32Array;
      return Array.from({ length: t }, (_, i) => flat.subarray(i * d, (i + 1) * d));
    })));
  const sums = new Array<number>(model.config.layers).fill(0);
  for (const [a, b] of pairs) {
    const ha = hiddenRows(a);
    const hb = hiddenRows(b);
    ha.forEach((rows, layer) => (sums[layer] += matchedMeanCosine(rows, hb[layer]).mean));
  }
  model.train(wasTraining);
  return sums.map((s) => s / pairs.length);
}

// Greedy and beam-search decoding for a decoder-only GPT, batched over prompts of
// different lengths. There is no key/value cache: every step recomputes the forward pass
// over each row's whole prefix. Rows are right-padded to the longest one, and the next
// token of a row is read at that row's own last position; causal attention means the
// padding after it cannot change it, so batched and one-by-one decoding agree.
//
// Beam search keeps, for each prompt, the `beam` best unfinished hypotheses by summed
// log-probability; a candidate ending in <eos> is finished. It stops when no hypothesis is
// left unfinished or after maxNewTokens or at the end of the model's context (unfinished ones are then finished as they stand),
// and returns the finished hypothesis with the best length-normalised score
// sum log p / length^lengthPenalty (length counts the generated tokens, <eos> included;
// lengthPenalty 0 is the plain sum, 1 the mean per token). A beam at least as wide as all
// continuations is exhaustive search, which the tests check.
import { noGrad, tensor, tidy } from "../torch/index.js";
import type { GPT } from "./gpt.js";

export interface DecodeOptions {
  eosId: number;
  /** Most tokens generated after the prompt (<eos> included). */
  maxNewTokens: number;
  /** Pad id for the unused tail of a row (any id; it is never read). Default eosId. */
  padId?: number;
  /** Prompts decoded together in one forward pass (default 16). */
  batchSize?: number;
}

export interface BeamOptions extends DecodeOptions {
  beam: number;
  /** Exponent of the length normalisation (default 1). */
  lengthPenalty?: number;
}

export interface Hypothesis {
  /** Generated tokens, without the final <eos>. */
  tokens: number[];
  /** Sum of the generated tokens' log-probabilities (<eos> included). */
  logProb: number;
  /** logProb / length^lengthPenalty. */
  score: number;
  finished: boolean;
}

/** Log-probabilities of the next token after each row: one Float32Array of the vocabulary per row. */
export function nextTokenLogProbs(model: GPT, rows: readonly (readonly number[])[], padId: number): Float32Array[] {
  const width = Math.max(...rows.map((r) => r.length));
  if (width > model.config.seqLen) throw new Error(`a prefix of ${width} tokens exceeds the model's ${model.config.seqLen} positions`);
  const flat = new Int32Array(rows.length * width).fill(padId);
  rows.forEach((r, i) => flat.set(r, i * width));
  const v = model.config.vocabSize;
  // tidy frees every intermediate tensor of the forward pass; only the copied array survives.
  const all = tidy(() => noGrad(() => {
    const { logits } = model.forward(tensor(flat, { shape: [rows.length, width], dtype: "int64" }));
    return logits.logSoftmax(2).toArray() as Float32Array;
  }));
  return rows.map((r, i) => all.subarray((i * width + r.length - 1) * v, (i * width + r.length) * v));
}

function argmax(xs: Float32Array): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/**
 * Each prompt's budget of new tokens: maxNewTokens, or fewer where the model's context
 * ends first (the last generated token needs no position of its own).
 */
function budgets(model: GPT, prompts: readonly (readonly number[])[], o: DecodeOptions): number[] {
  if (!Number.isInteger(o.maxNewTokens) || o.maxNewTokens < 1) throw new RangeError(`maxNewTokens must be a positive integer, got ${o.maxNewTokens}`);
  return prompts.map((p, i) => {
    if (p.length === 0) throw new Error(`prompt ${i} is empty`);
    if (p.length > model.config.seqLen) throw new Error(`prompt ${i} has ${p.length} tokens, more than the model's ${model.config.seqLen} positions`);
    return Math.min(o.maxNewTokens, model.config.seqLen + 1 - p.length);
  });
}

/** The most likely token at each step until <eos> or maxNewTokens; batched over prompts. */
export function greedyDecode(model: GPT, prompts: readonly (readonly number[])[], o: DecodeOptions): number[][] {
  const budget = budgets(model, prompts, o);
  const pad = o.padId ?? o.eosId;
  const out: number[][] = prompts.map(() => []);
  const chunk = o.batchSize ?? 16;
  for (let start = 0; start < prompts.length; start += chunk) {
    let alive = Array.from({ length: Math.min(chunk, prompts.length - start) }, (_, i) => start + i);
    for (let step = 0; step < o.maxNewTokens && alive.length; step++) {
      const lps = nextTokenLogProbs(model, alive.map((i) => [...prompts[i], ...out[i]]), pad);
      alive = alive.filter((i, r) => {
        const tok = argmax(lps[r]);
        if (tok === o.eosId) return false;
        out[i].push(tok);
        return out[i].length < budget[i];
      });
    }
  }
  return out;
}

interface Partial {
  prompt: number;
  tokens: number[];
  logProb: number;
}

/** Beam search with length normalisation; returns each prompt's best hypothesis. */
export function beamSearch(model: GPT, prompts: readonly (readonly number[])[], o: BeamOptions): Hypothesis[] {
  const budget = budgets(model, prompts, o);
  if (!Number.isInteger(o.beam) || o.beam < 1) throw new RangeError(`beam must be a positive integer, got ${o.beam}`);
  const pad = o.padId ?? o.eosId;
  const alpha = o.lengthPenalty ?? 1;
  const score = (logProb: number, length: number) => logProb / Math.max(1, length) ** alpha;
  const finished: Hypothesis[][] = prompts.map(() => []);
  const chunk = o.batchSize ?? 16;
  for (let start = 0; start < prompts.length; start += chunk) {
    let alive: Partial[] = [];
    for (let i = start; i < Math.min(start + chunk, prompts.length); i++) alive.push({ prompt: i, tokens: [], logProb: 0 });
    for (let step = 0; step < o.maxNewTokens && alive.length; step++) {
      const lps = nextTokenLogProbs(model, alive.map((h) => [...prompts[h.prompt], ...h.tokens]), pad);
      const next: Partial[] = [];
      // Per prompt: every extension of its live hypotheses, best first; the top `beam` survive.
      const byPrompt = new Map<number, { h: Partial; tok: number; logProb: number }[]>();
      alive.forEach((h, r) => {
        const list = byPrompt.get(h.prompt) ?? [];
        const lp = lps[r];
        for (let tok = 0; tok < lp.length; tok++) list.push({ h, tok, logProb: h.logProb + lp[tok] });
        byPrompt.set(h.prompt, list);
      });
      for (const [prompt, list] of byPrompt) {
        list.sort((a, b) => b.logProb - a.logProb);
        for (const c of list.slice(0, o.beam)) {
          if (c.tok === o.eosId) {
            finished[prompt].push({ tokens: c.h.tokens, logProb: c.logProb, score: score(c.logProb, c.h.tokens.length + 1), finished: true });
          } else {
            const tokens = [...c.h.tokens, c.tok];
            if (tokens.length === budget[prompt]) finished[prompt].push({ tokens, logProb: c.logProb, score: score(c.logProb, tokens.length), finished: false });
            else next.push({ prompt, tokens, logProb: c.logProb });
          }
        }
      }
      alive = next;
    }
  }
  return finished.map((hs) => hs.reduce((best, h) => (h.score > best.score ? h : best)));
}

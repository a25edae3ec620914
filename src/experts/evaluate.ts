// Per-language perplexity of expert ensembles (methods.md §4), every rule scored on the
// same held-out sequences: the k experts score each batch together once, and every rule
// mixes those target log-probabilities; single models (the dense baseline, the
// parameter average) score the same sequences. Rules:
//   top1-language            all weight on the expert trained on the sequence's language
//   uniform                  1/k each
//   posterior                Bayes over experts from the prefix likelihood, uniform prior
//   cached-prior             fixed weights: exponentially weighted mean (alpha) of per-batch
//                            posteriors on the language's validation batches, optional top-k
//   posterior+cached-prior   the posterior rule with the cached prior as its prior
//   tfidf-distance           softmax(-d_j^2 / T) of the prefix's TF-IDF distance to expert j's centre
import { noGrad, tensor, tidy, withPrecision, type Precision } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";
import type { TokenCacheReader } from "../data/token-cache.js";
import { ContentClusterer } from "./content.js";
import { distanceSoftmaxWeights, estimateCachedPrior, topKRenormalise } from "./ensemble.js";
import { expertTargetLogProbs, fixedWeightsEnsembleNll, lastTokenPosteriorEnsembleNll, positionWeightedEnsembleNll, posteriorEnsembleNll } from "./lm-ensemble.js";

/** Whole sequences of seqLen + 1 ids, row-major. */
export interface Sequences {
  tokens: Int32Array;
  rows: number;
  width: number;
}

/** The first sequences of a split, up to maxTokens ids (at least one sequence). */
export function testSequences(reader: TokenCacheReader, seqLen: number, maxTokens: number): Sequences {
  const width = seqLen + 1;
  const rows = Math.max(1, Math.floor(Math.min(maxTokens, reader.count) / width));
  if (rows * width > reader.count) throw new RangeError(`${reader.path} holds ${reader.count} ids, fewer than one sequence of ${width}`);
  return { tokens: reader.read(0, rows * width), rows, width };
}

function rowsOf(s: Sequences, from: number, count: number): Sequences {
  return { tokens: s.tokens.subarray(from * s.width, (from + count) * s.width), rows: count, width: s.width };
}

function batchesOf(s: Sequences, size: number): Sequences[] {
  const out: Sequences[] = [];
  for (let r = 0; r < s.rows; r += size) out.push(rowsOf(s, r, Math.min(size, s.rows - r)));
  return out;
}

function asTensor(s: Sequences) {
  return tensor(s.tokens, { shape: [s.rows, s.width], dtype: "int64" });
}

/** Mean next-token NLL of one model over the sequences. */
export function meanSequenceNll(model: GPT, s: Sequences, batch = 32): number {
  let sum = 0;
  for (const b of batchesOf(s, batch)) sum += tidy(() => expertTargetLogProbs([model], asTensor(b)).toDtype("float64").sum().item());
  return -sum / (s.rows * (s.width - 1));
}

/** Token ids as text for TF-IDF: each id is one word. */
export function idsAsText(ids: ArrayLike<number>): string {
  return Array.from(ids, (id) => `t${id}`).join(" ");
}

/**
 * TF-IDF -> SVD embedding of training sequences, with one centre per expert (the mean
 * embedding of its languages' sequences), to weigh experts by a prefix's distance.
 */
export function fitExpertCentres(trainingSequences: Sequences[], expertOfSet: number[], opts: { dimensions: number; seed: number }): ContentClusterer {
  const docs: string[] = [];
  const labels: number[] = [];
  trainingSequences.forEach((s, i) => {
    for (let r = 0; r < s.rows; r++) {
      docs.push(idsAsText(s.tokens.subarray(r * s.width, (r + 1) * s.width)));
      labels.push(expertOfSet[i]!);
    }
  });
  return ContentClusterer.fitToGroups(docs, labels, { dimensions: opts.dimensions, seed: opts.seed, maxTerms: 4000 });
}

/** ln w_j for every target position of every row: [k, B, T] from each prefix x_0..x_t. */
function distanceLogWeights(clusterer: ContentClusterer, s: Sequences, temperature: number, topK?: number): Float64Array {
  const k = clusterer.centres.length;
  const t = s.width - 1;
  const out = new Float64Array(k * s.rows * t);
  for (let b = 0; b < s.rows; b++) {
    const row = s.tokens.subarray(b * s.width, (b + 1) * s.width);
    for (let p = 0; p < t; p++) {
      const soft = distanceSoftmaxWeights(clusterer.distances(idsAsText(row.subarray(0, p + 1))), temperature);
      const w = topK === undefined ? soft : topKRenormalise(soft, topK);
      for (let j = 0; j < k; j++) out[(j * s.rows + b) * t + p] = Math.log(w[j]!);
    }
  }
  return out;
}

export interface EnsembleExpert {
  name: string;
  languages: string[];
  model: GPT;
}

export interface EnsembleEvalOptions {
  batch: number;
  /** Precision of the experts' forward passes (default fp32); ensemble arithmetic is float64 regardless. */
  precision?: Precision;
  /** Validation batches (of priorBatchSize sequences) per language for the cached prior. */
  priorBatches: number;
  priorBatchSize: number;
  alpha: number;
  topK?: number;
  temperature: number;
  /** TF-IDF distance rule: keep the k nearest experts' weights (renormalised); all when absent. */
  tfidfTopK?: number;
  /** The top-1 expert of each language; default: the first expert trained on it. */
  expertOfLanguage?: Record<string, number>;
}

export interface LanguageData {
  lang: string;
  test: Sequences;
  valid: Sequences;
}

export interface PerplexityRow {
  lang: string;
  rule: string;
  nll: number;
  ppl: number;
  tokens: number;
}

export interface EnsembleEvaluation {
  rows: PerplexityRow[];
  /** The cached prior of each language, in expert order. */
  priors: Record<string, number[]>;
  expertOfLanguage: Record<string, number>;
}

export const ENSEMBLE_RULES = ["top1-language", "uniform", "posterior", "posterior-last-token", "cached-prior", "posterior+cached-prior", "tfidf-distance"] as const;

/** Cached prior from a language's validation sequences: EMA of per-batch mean sequence posteriors. */
export function cachedPrior(models: GPT[], valid: Sequences, o: Pick<EnsembleEvalOptions, "priorBatches" | "priorBatchSize" | "alpha" | "topK">): number[] {
  const posteriors = batchesOf(valid, o.priorBatchSize).slice(0, o.priorBatches).map((b) => tidy(() => {
    const lp = expertTargetLogProbs(models, asTensor(b)).toDtype("float64");
    // Posterior of each whole sequence (uniform prior), averaged over the batch.
    return Array.from(lp.sum([2]).softmax(0).mean([1]).toArray() as Float64Array);
  }));
  return Array.from(estimateCachedPrior(posteriors, { alpha: o.alpha, topK: o.topK }));
}

/**
 * Perplexity per language for each ensemble rule, each expert alone ("expert:<name>")
 * and each single model in `singles` (dense baseline, parameter average).
 */
export function evaluateEnsembles(experts: EnsembleExpert[], singles: { name: string; model: GPT }[], data: LanguageData[],
  clusterer: ContentClusterer | null, o: EnsembleEvalOptions): EnsembleEvaluation {
  const k = experts.length;
  const models = experts.map((e) => e.model);
  const expertOfLanguage: Record<string, number> = { ...o.expertOfLanguage };
  experts.forEach((e, j) => e.languages.forEach((l) => (expertOfLanguage[l] ??= j)));
  if (clusterer && clusterer.centres.length !== k) throw new Error(`${clusterer.centres.length} TF-IDF centres for ${k} experts`);
  const rows: PerplexityRow[] = [];
  const priors: Record<string, number[]> = {};
  withPrecision(o.precision ?? "fp32", () => noGrad(() => {
    for (const { lang, test, valid } of data) {
      const prior = cachedPrior(models, valid, o);
      priors[lang] = prior;
      const sums = new Map<string, number>();
      const add = (rule: string, v: number) => sums.set(rule, (sums.get(rule) ?? 0) + v);
      for (const b of batchesOf(test, o.batch)) {
        tidy(() => {
          const tokens = asTensor(b);
          const lp = expertTargetLogProbs(models, tokens).toDtype("float64");
          const top = expertOfLanguage[lang];
          if (top !== undefined) add("top1-language", fixedWeightsEnsembleNll(lp, experts.map((_, j) => (j === top ? 1 : 0))).sum().item());
          add("uniform", fixedWeightsEnsembleNll(lp, new Array<number>(k).fill(1 / k)).sum().item());
          add("posterior", posteriorEnsembleNll(lp).sum().item());
          add("posterior-last-token", lastTokenPosteriorEnsembleNll(lp).sum().item());
          add("cached-prior", fixedWeightsEnsembleNll(lp, prior).sum().item());
          add("posterior+cached-prior", posteriorEnsembleNll(lp, prior).sum().item());
          if (clusterer) {
            const logW = tensor(distanceLogWeights(clusterer, b, o.temperature, o.tfidfTopK), { shape: lp.shape, dtype: "float64" });
            add("tfidf-distance", positionWeightedEnsembleNll(lp, logW).sum().item());
          }
          experts.forEach((e, j) => add(`expert:${e.name}`, -lp.select(0, j).sum().item()));
          const single = singles.length ? expertTargetLogProbs(singles.map((s) => s.model), tokens).toDtype("float64") : null;
          singles.forEach((s, i) => add(s.name, -single!.select(0, i).sum().item()));
        });
      }
      const count = test.rows * (test.width - 1);
      for (const [rule, sum] of sums) rows.push({ lang, rule, nll: sum / count, ppl: Math.exp(sum / count), tokens: count });
    }
  }));
  return { rows, priors, expertOfLanguage };
}

/**
 * Ensembling expert language models at inference (methods.md §4):
 *   p(x_t | x_<t) = sum_j w_j(t) p_j(x_t | x_<t).
 * Weight rules are named implementations of WeightRule; every probability
 * computation runs in log space with log-sum-exp so long prefixes do not underflow.
 */

/** ln(sum_i exp(x_i)); -Infinity for an empty input or all -Infinity. */
export function logSumExp(xs: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! > max) max = xs[i]!;
  if (max === -Infinity) return -Infinity;
  if (max === Infinity) return Infinity;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += Math.exp(xs[i]! - max);
  return max + Math.log(s);
}

/** softmax of log-weights, computed stably. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const z = logSumExp(logits);
  return Float64Array.from({ length: logits.length }, (_, i) => Math.exp(logits[i]! - z));
}

/** What a rule may use about one sequence of T tokens scored by J experts. */
export interface SequenceEvidence {
  /** [expert][t]: log p_j(x_t | x_<t) of the actual token x_t. */
  targetLogProbs: readonly ArrayLike<number>[];
  /** The sequence's language id (for top-1 by language). */
  language?: string;
  /** [t]: each centre's distance from the embedding of the prefix x_<t (for distance weights). */
  prefixDistances?: readonly ArrayLike<number>[];
}

/** Produces weights[t][j] for predicting token t; each row sums to 1 and uses only x_<t. */
export interface WeightRule {
  readonly name: string;
  weights(evidence: SequenceEvidence): Float64Array[];
}

function sequenceShape(e: SequenceEvidence): { experts: number; tokens: number } {
  const experts = e.targetLogProbs.length;
  if (experts === 0) throw new RangeError("ensemble: no experts");
  const tokens = e.targetLogProbs[0]!.length;
  e.targetLogProbs.forEach((row, j) => {
    if (row.length !== tokens) throw new RangeError(`ensemble: expert ${j} scores ${row.length} tokens, expert 0 ${tokens}`);
  });
  return { experts, tokens };
}

function checkDistribution(w: ArrayLike<number>, what: string): void {
  let s = 0;
  for (let i = 0; i < w.length; i++) {
    if (!(w[i]! >= 0)) throw new RangeError(`${what}: weight ${i} is negative or NaN (${w[i]})`);
    s += w[i]!;
  }
  if (Math.abs(s - 1) > 1e-9) throw new RangeError(`${what}: weights sum to ${s}, not 1`);
}

/** Equal weight 1/J on every expert. */
export class UniformRule implements WeightRule {
  readonly name = "uniform";
  weights(e: SequenceEvidence): Float64Array[] {
    const { experts, tokens } = sequenceShape(e);
    return Array.from({ length: tokens }, () => new Float64Array(experts).fill(1 / experts));
  }
}

/** All weight on the expert trained on the sequence's language. */
export class TopLanguageRule implements WeightRule {
  readonly name = "top1-language";
  constructor(readonly expertOfLanguage: Readonly<Record<string, number>>) {}
  weights(e: SequenceEvidence): Float64Array[] {
    const { experts, tokens } = sequenceShape(e);
    if (e.language === undefined) throw new RangeError("top1-language: the sequence has no language id");
    const j = this.expertOfLanguage[e.language];
    if (j === undefined || !(j >= 0 && j < experts)) throw new RangeError(`top1-language: no expert for language "${e.language}"`);
    return Array.from({ length: tokens }, () => {
      const w = new Float64Array(experts);
      w[j] = 1;
      return w;
    });
  }
}

/** Which evidence the posterior rule conditions on: the whole prefix, or only its last token. */
export type PosteriorForm = "full-prefix" | "last-token";

/**
 * Bayesian posterior over experts given the prefix ("full-prefix", the method's text):
 *   w_j(t) = P(j | x_<t) = prior_j * prod_{s<t} p_j(x_s | x_<s) / normaliser,
 * in log space: softmax_j(ln prior_j + sum_{s<t} ln p_j(x_s | x_<s)).
 * w(0) is the prior itself; after each token the posterior is updated.
 * "last-token" (the published code's form) conditions on the previous token only:
 *   w_j(t) = softmax_j(ln prior_j + ln p_j(x_{t-1} | x_<t-1)),  w(0) = prior.
 */
export class BayesianPosteriorRule implements WeightRule {
  readonly name: string;
  constructor(readonly prior?: ArrayLike<number>, readonly form: PosteriorForm = "full-prefix") {
    this.name = form === "full-prefix" ? "posterior" : "posterior-last-token";
  }
  weights(e: SequenceEvidence): Float64Array[] {
    const { experts, tokens } = sequenceShape(e);
    const prior = this.prior ?? new Float64Array(experts).fill(1 / experts);
    if (prior.length !== experts) throw new RangeError(`posterior: prior has ${prior.length} entries for ${experts} experts`);
    checkDistribution(prior, "posterior prior");
    const logPrior = Float64Array.from({ length: experts }, (_, j) => Math.log(prior[j]!));
    const logPost = Float64Array.from(logPrior);
    const out: Float64Array[] = [];
    for (let t = 0; t < tokens; t++) {
      out.push(softmax(logPost));
      for (let j = 0; j < experts; j++) logPost[j] = (this.form === "full-prefix" ? logPost[j]! : logPrior[j]!) + e.targetLogProbs[j]![t]!;
    }
    return out;
  }
}

/** Posterior over experts after a whole sequence (what the cached prior averages). */
export function sequencePosterior(targetLogProbs: readonly ArrayLike<number>[], prior?: ArrayLike<number>): Float64Array {
  const experts = targetLogProbs.length;
  const p = prior ?? new Float64Array(experts).fill(1 / experts);
  return softmax(Float64Array.from(targetLogProbs, (row, j) => {
    let s = Math.log(p[j]!);
    for (let t = 0; t < row.length; t++) s += row[t]!;
    return s;
  }));
}

/** Mean over a batch's sequences of their posteriors: one batch's estimate of the expert distribution. */
export function batchPosterior(sequences: readonly (readonly ArrayLike<number>[])[], prior?: ArrayLike<number>): Float64Array {
  if (sequences.length === 0) throw new RangeError("batchPosterior: empty batch");
  const posts = sequences.map((s) => sequencePosterior(s, prior));
  return Float64Array.from(posts[0]!, (_, j) => posts.reduce((acc, p) => acc + p[j]!, 0) / posts.length);
}

/** Keeps the k largest weights (ties: lower index) and renormalises them to sum 1. */
export function topKRenormalise(weights: ArrayLike<number>, k: number): Float64Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`topKRenormalise: k must be a positive integer, got ${k}`);
  const order = Array.from({ length: weights.length }, (_, i) => i).sort((a, b) => weights[b]! - weights[a]! || a - b);
  const out = new Float64Array(weights.length);
  let total = 0;
  for (const i of order.slice(0, k)) total += weights[i]!;
  for (const i of order.slice(0, k)) out[i] = weights[i]! / total;
  return out;
}

/**
 * Cached prior estimated on held-out batches: starting from the uniform
 * distribution, pi_b = (1 - alpha) * pi_{b-1} + alpha * q_b for each batch
 * posterior q_b in order (alpha = 0.3), optionally restricted to the top k.
 */
export function estimateCachedPrior(
  batchPosteriors: readonly ArrayLike<number>[],
  opts: { alpha?: number; topK?: number } = {},
): Float64Array {
  if (batchPosteriors.length === 0) throw new RangeError("estimateCachedPrior: no batches");
  const alpha = opts.alpha ?? 0.3;
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`estimateCachedPrior: alpha must be in (0, 1], got ${alpha}`);
  const experts = batchPosteriors[0]!.length;
  let pi = new Float64Array(experts).fill(1 / experts);
  for (const q of batchPosteriors) {
    if (q.length !== experts) throw new RangeError("estimateCachedPrior: batches disagree on the number of experts");
    pi = pi.map((p, j) => (1 - alpha) * p + alpha * q[j]!);
  }
  return opts.topK === undefined ? pi : topKRenormalise(pi, opts.topK);
}

/** Fixed weights (e.g. a cached prior) for every token. */
export class FixedWeightsRule implements WeightRule {
  readonly name: string;
  readonly fixed: Float64Array;
  constructor(weights: ArrayLike<number>, name = "cached-prior") {
    checkDistribution(weights, name);
    this.fixed = Float64Array.from(weights);
    this.name = name;
  }
  weights(e: SequenceEvidence): Float64Array[] {
    const { experts, tokens } = sequenceShape(e);
    if (experts !== this.fixed.length) throw new RangeError(`${this.name}: ${this.fixed.length} weights for ${experts} experts`);
    return Array.from({ length: tokens }, () => Float64Array.from(this.fixed));
  }
}

/** softmax_j(-d_j^2 / T): closer centres weigh more; T = 0.1 by default. */
export function distanceSoftmaxWeights(distances: ArrayLike<number>, temperature = 0.1): Float64Array {
  if (!(temperature > 0)) throw new RangeError(`distanceSoftmaxWeights: temperature must be > 0, got ${temperature}`);
  return softmax(Float64Array.from({ length: distances.length }, (_, j) => -(distances[j]! ** 2) / temperature));
}

/**
 * Weights from the TF-IDF distance of each prefix to the cluster centres
 * (SequenceEvidence.prefixDistances); with topK, only the k nearest centres keep weight
 * (renormalised), as the method's sparse ensemble does.
 */
export class TfIdfDistanceRule implements WeightRule {
  readonly name = "tfidf-distance";
  constructor(readonly temperature = 0.1, readonly topK?: number) {}
  weights(e: SequenceEvidence): Float64Array[] {
    const { experts, tokens } = sequenceShape(e);
    const d = e.prefixDistances;
    if (d === undefined || d.length !== tokens) throw new RangeError(`tfidf-distance: need one distance row per token (${tokens})`);
    return d.map((row, t) => {
      if (row.length !== experts) throw new RangeError(`tfidf-distance: token ${t} has ${row.length} distances for ${experts} experts`);
      const w = distanceSoftmaxWeights(row, this.temperature);
      return this.topK === undefined ? w : topKRenormalise(w, this.topK);
    });
  }
}

/**
 * ln sum_j w_j exp(l_j[i]) for every position i, where l_j is expert j's
 * log-probability vector (over the vocabulary, or per target token). Experts
 * with weight 0 drop out exactly.
 */
export function mixLogProbs(expertLogProbs: readonly ArrayLike<number>[], weights: ArrayLike<number>): Float64Array {
  if (expertLogProbs.length !== weights.length) {
    throw new RangeError(`mixLogProbs: ${expertLogProbs.length} experts, ${weights.length} weights`);
  }
  const n = expertLogProbs[0]?.length ?? 0;
  const logW = Float64Array.from({ length: weights.length }, (_, j) => Math.log(weights[j]!));
  const terms = new Float64Array(weights.length);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < weights.length; j++) {
      if (expertLogProbs[j]!.length !== n) throw new RangeError(`mixLogProbs: expert ${j} has length ${expertLogProbs[j]!.length}, not ${n}`);
      terms[j] = logW[j] === -Infinity ? -Infinity : logW[j]! + expertLogProbs[j]![i]!;
    }
    out[i] = logSumExp(terms);
  }
  return out;
}

/** Mixed next-token distributions: expertLogProbs[j][t][v] with weights[t][j] -> [t][v] log-probabilities. */
export function mixSequenceLogProbs(
  expertLogProbs: readonly (readonly ArrayLike<number>[])[],
  weights: readonly ArrayLike<number>[],
): Float64Array[] {
  return weights.map((w, t) => mixLogProbs(expertLogProbs.map((e) => e[t]!), w));
}

/** Per-token ensemble NLL -ln sum_j w_j(t) p_j(x_t | x_<t) from each expert's target log-probs. */
export function ensembleTokenNll(targetLogProbs: readonly ArrayLike<number>[], weights: readonly ArrayLike<number>[]): Float64Array {
  const tokens = targetLogProbs[0]?.length ?? 0;
  if (weights.length !== tokens) throw new RangeError(`ensembleTokenNll: ${weights.length} weight rows for ${tokens} tokens`);
  return Float64Array.from(weights, (w, t) => -mixLogProbs(targetLogProbs.map((e) => [e[t]!]), w)[0]!);
}

/** Per-token NLL of the sequence under a rule's ensemble. */
export function ruleTokenNll(rule: WeightRule, evidence: SequenceEvidence): Float64Array {
  return ensembleTokenNll(evidence.targetLogProbs, rule.weights(evidence));
}

/**
 * The same NLL from full distributions: expertLogProbs[j][t][v], the targets
 * x_t, and weights[t][j]. Target log-probs for the rules are read off the
 * distributions, so this also checks the two routes agree.
 */
export function distributionTokenNll(
  expertLogProbs: readonly (readonly ArrayLike<number>[])[],
  targets: ArrayLike<number>,
  weights: readonly ArrayLike<number>[],
): Float64Array {
  const mixed = mixSequenceLogProbs(expertLogProbs, weights);
  if (mixed.length !== targets.length) throw new RangeError(`distributionTokenNll: ${mixed.length} positions, ${targets.length} targets`);
  return Float64Array.from(mixed, (row, t) => -row[targets[t]!]!);
}

/** Target log-probs [j][t] read off full distributions [j][t][v]. */
export function targetLogProbsOf(expertLogProbs: readonly (readonly ArrayLike<number>[])[], targets: ArrayLike<number>): Float64Array[] {
  return expertLogProbs.map((e) => Float64Array.from(e, (row, t) => row[targets[t]!]!));
}

export type ParameterMap = Readonly<Record<string, ArrayLike<number>>>;

/**
 * Parameter averaging baseline: sum_j w_j theta_j per named tensor (weights
 * default to uniform and must sum to 1). All maps need the same names and lengths.
 */
export function averageParameters(maps: readonly ParameterMap[], weights?: ArrayLike<number>): Record<string, Float64Array> {
  if (maps.length === 0) throw new RangeError("averageParameters: no parameter maps");
  const w = weights ?? new Float64Array(maps.length).fill(1 / maps.length);
  if (w.length !== maps.length) throw new RangeError(`averageParameters: ${w.length} weights for ${maps.length} maps`);
  checkDistribution(w, "averageParameters");
  const names = Object.keys(maps[0]!).sort();
  const out: Record<string, Float64Array> = {};
  maps.forEach((m, j) => {
    const these = Object.keys(m).sort();
    if (these.join("\u0000") !== names.join("\u0000")) throw new RangeError(`averageParameters: map ${j} has different parameter names`);
  });
  for (const name of names) {
    const len = maps[0]![name]!.length;
    const acc = new Float64Array(len);
    maps.forEach((m, j) => {
      const p = m[name]!;
      if (p.length !== len) throw new RangeError(`averageParameters: "${name}" has length ${p.length} in map ${j}, ${len} in map 0`);
      for (let i = 0; i < len; i++) acc[i]! += w[j]! * p[i]!;
    });
    out[name] = acc;
  }
  return out;
}

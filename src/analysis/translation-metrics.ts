// Machine-translation metrics: corpus BLEU (Papineni et al. 2002) on 13a-tokenised text
// and chrF (Popović 2015), with per-sentence sufficient statistics so that bootstrap
// confidence intervals and paired bootstrap significance (Koehn 2004) resample sentences
// cheaply. Scores are on the 0-100 scale, as sacrebleu reports them.
//
// BLEU: clipped n-gram matches and hypothesis n-gram counts are summed over the corpus
// (orders 1..4, uniform weights); brevity penalty exp(1 - r/c) when c < r, with r the
// summed reference lengths (one reference per sentence). Smoothing of a zero match count:
//  - "exp" (default; sacrebleu's default, NLTK's method3, mteval-v13a's): the k-th order
//    with no match gets precision 1 / (2^k · total);
//  - "floor" (NLTK's method1): a zero match count becomes `epsilon` (0.1);
//  - "none": any order with no match makes BLEU 0 (NLTK's method0 gives ~1e-77, i.e. 0).
// A difference from NLTK kept on purpose: NLTK counts max(1, n-grams) per *sentence* in a
// precision's denominator, sacrebleu (and this file) the plain count; they agree whenever
// every hypothesis has at least 4 tokens.
//
// chrF: character n-grams of orders 1..6 over the text with all whitespace removed, beta 2
// (recall weighted β² = 4 times precision). No word n-grams: this is chrF, not chrF++.
// An order's F-score is 0 when it has no match. Corpus chrF ("micro", sacrebleu's
// definition) sums each order's matches and counts over the corpus, then averages the
// orders' F-scores; "macro" (NLTK's corpus_chrf) averages sentence chrF scores.
import { Rng } from "../util/rng.js";
import { quantile } from "./stats.js";

export const BLEU_ORDER = 4;
export const CHRF_ORDER = 6;
export const CHRF_BETA = 2;

export type BleuSmoothing = "none" | "exp" | "floor";

export interface BleuOptions {
  smoothing?: BleuSmoothing;
  /** "floor" smoothing's replacement for a zero match count (default 0.1). */
  epsilon?: number;
}

export interface BleuResult {
  /** 0-100. */
  score: number;
  /** Per order, 0-100, after smoothing. */
  precisions: number[];
  brevityPenalty: number;
  hypLength: number;
  refLength: number;
}

/**
 * The "13a" tokenisation of mteval-v13a.pl (sacrebleu's default): drop <skipped>, join
 * end-of-line hyphenation, unescape four XML entities, then split off punctuation and
 * symbols, periods and commas not inside a number, and a dash after a digit.
 */
export function tokenize13a(line: string): string[] {
  let s = line.replace(/<skipped>/g, "").replace(/-\n/g, "").replace(/\n/g, " ");
  if (s.includes("&")) s = s.replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  s = ` ${s} `;
  s = s.replace(/([{-~[-` -&(-+:-@/])/g, " $1 ");
  s = s.replace(/([^0-9])([.,])/g, "$1 $2 ");
  s = s.replace(/([.,])([^0-9])/g, " $1 $2");
  s = s.replace(/([0-9])(-)/g, "$1 $2 ");
  return s.split(/\s+/).filter((t) => t.length > 0);
}

function ngramCounts(items: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  // \u0001 cannot occur inside a token (13a splits on whitespace; chrF items are single characters).
  for (let i = 0; i + n <= items.length; i++) {
    const key = items.slice(i, i + n).join("\u0001");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Matches, candidate count and reference count of the n-grams of one order (clipped matches). */
function overlap(hyp: readonly string[], ref: readonly string[], n: number): [number, number, number] {
  const h = ngramCounts(hyp, n);
  const r = ngramCounts(ref, n);
  let match = 0;
  let hypTotal = 0;
  let refTotal = 0;
  for (const [k, c] of h) {
    hypTotal += c;
    match += Math.min(c, r.get(k) ?? 0);
  }
  for (const c of r.values()) refTotal += c;
  return [match, hypTotal, refTotal];
}

/**
 * BLEU sufficient statistics of one sentence (tokens already split): [matches_1..4,
 * totals_1..4, hypothesis length, reference length]. Sums over sentences give the corpus's.
 */
export function bleuStatistics(hyp: readonly string[], ref: readonly string[]): Float64Array {
  const s = new Float64Array(2 * BLEU_ORDER + 2);
  for (let n = 1; n <= BLEU_ORDER; n++) {
    const [m, t] = overlap(hyp, ref, n);
    s[n - 1] = m;
    s[BLEU_ORDER + n - 1] = t;
  }
  s[2 * BLEU_ORDER] = hyp.length;
  s[2 * BLEU_ORDER + 1] = ref.length;
  return s;
}

/** BLEU from summed statistics (bleuStatistics layout). */
export function bleuFromStatistics(s: ArrayLike<number>, opts: BleuOptions = {}): BleuResult {
  const smoothing = opts.smoothing ?? "exp";
  const epsilon = opts.epsilon ?? 0.1;
  const hypLength = s[2 * BLEU_ORDER];
  const refLength = s[2 * BLEU_ORDER + 1];
  const brevityPenalty = hypLength === 0 ? 0 : hypLength < refLength ? Math.exp(1 - refLength / hypLength) : 1;
  const precisions: number[] = [];
  let logSum = 0;
  let zero = false;
  let k = 0;
  for (let n = 0; n < BLEU_ORDER; n++) {
    const match = s[n];
    const total = s[BLEU_ORDER + n];
    let p: number;
    if (total === 0) p = 0;
    else if (match > 0) p = match / total;
    else if (smoothing === "exp") p = 1 / (2 ** ++k * total);
    else if (smoothing === "floor") p = epsilon / total;
    else p = 0;
    // Without a unigram match there is nothing to smooth: NLTK and sacrebleu give 0.
    if (p === 0 || (n === 0 && match === 0)) zero = true;
    precisions.push(100 * p);
    if (p > 0) logSum += Math.log(p) / BLEU_ORDER;
  }
  const score = zero ? 0 : 100 * brevityPenalty * Math.exp(logSum);
  return { score, precisions, brevityPenalty, hypLength, refLength };
}

function sumRows(rows: readonly Float64Array[], pick?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows[0]?.length ?? 0);
  const n = pick ? pick.length : rows.length;
  for (let i = 0; i < n; i++) {
    const r = rows[pick ? pick[i] : i];
    for (let j = 0; j < out.length; j++) out[j] += r[j];
  }
  return out;
}

function checkLengths(hyps: readonly unknown[], refs: readonly unknown[], what: string): void {
  if (hyps.length !== refs.length) throw new Error(`${what}: ${hyps.length} hypotheses but ${refs.length} references`);
}

/** Corpus BLEU of tokenised sentences (one reference each). */
export function corpusBleuTokens(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[], opts: BleuOptions = {}): BleuResult {
  checkLengths(hyps, refs, "corpusBleu");
  return bleuFromStatistics(sumRows(hyps.map((h, i) => bleuStatistics(h, refs[i]))), opts);
}

/** Corpus BLEU of detokenised sentences, 13a-tokenised here. */
export function corpusBleu(hyps: readonly string[], refs: readonly string[], opts: BleuOptions = {}): BleuResult {
  return corpusBleuTokens(hyps.map(tokenize13a), refs.map(tokenize13a), opts);
}

export interface ChrfOptions {
  order?: number;
  beta?: number;
}

/** The code points of a text with all whitespace removed (chrF ignores spaces). */
function chrfCharacters(text: string): string[] {
  return Array.from(text.replace(/\s+/gu, ""));
}

/** chrF statistics of one sentence: per order n, [matches, hypothesis n-grams, reference n-grams]. */
export function chrfStatistics(hyp: string, ref: string, order = CHRF_ORDER): Float64Array {
  const h = chrfCharacters(hyp);
  const r = chrfCharacters(ref);
  const s = new Float64Array(3 * order);
  for (let n = 1; n <= order; n++) s.set(overlap(h, r, n), 3 * (n - 1));
  return s;
}

function fScore(match: number, hypTotal: number, refTotal: number, beta: number): number {
  if (match === 0) return 0;
  const p = match / hypTotal;
  const r = match / refTotal;
  const b2 = beta * beta;
  return ((1 + b2) * p * r) / (b2 * p + r);
}

/** chrF (0-100) from statistics: the mean over orders of each order's F-beta. */
export function chrfFromStatistics(s: ArrayLike<number>, beta = CHRF_BETA): number {
  const order = s.length / 3;
  let sum = 0;
  for (let n = 0; n < order; n++) sum += fScore(s[3 * n], s[3 * n + 1], s[3 * n + 2], beta);
  return (100 * sum) / order;
}

export function sentenceChrf(hyp: string, ref: string, opts: ChrfOptions = {}): number {
  return chrfFromStatistics(chrfStatistics(hyp, ref, opts.order ?? CHRF_ORDER), opts.beta ?? CHRF_BETA);
}

/** Corpus chrF: "micro" (default, sacrebleu) sums statistics; "macro" (NLTK) averages sentence scores. */
export function corpusChrf(hyps: readonly string[], refs: readonly string[], opts: ChrfOptions & { average?: "micro" | "macro" } = {}): number {
  checkLengths(hyps, refs, "corpusChrf");
  const order = opts.order ?? CHRF_ORDER;
  const beta = opts.beta ?? CHRF_BETA;
  const rows = hyps.map((h, i) => chrfStatistics(h, refs[i], order));
  if (opts.average === "macro") return rows.reduce((s, r) => s + chrfFromStatistics(r, beta), 0) / Math.max(1, rows.length);
  return chrfFromStatistics(sumRows(rows), beta);
}

// ---- Bootstrap ----------------------------------------------------------------------

export interface BootstrapSettings {
  /** Resamples (default 1,000). */
  resamples?: number;
  /** Interval coverage (default 0.95). */
  level?: number;
  seed?: number;
}

export interface MetricInterval {
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  resamples: number;
}

export interface PairedComparison {
  /** Score of system B minus system A on the whole test set. */
  delta: number;
  lower: number;
  upper: number;
  /**
   * Two-sided paired bootstrap p-value: twice the smaller share of resamples in which the
   * difference is <= 0 or >= 0 (capped at 1).
   */
  pValue: number;
  resamples: number;
}

/** A corpus-level metric computed from per-sentence statistics. */
export interface SentenceStatistics {
  rows: Float64Array[];
  score(summed: Float64Array): number;
}

/** Per-sentence BLEU and chrF statistics of a system's output (13a tokens for BLEU). */
export function translationStatistics(hyps: readonly string[], refs: readonly string[], bleu: BleuOptions = {}): { bleu: SentenceStatistics; chrf: SentenceStatistics } {
  checkLengths(hyps, refs, "translationStatistics");
  if (hyps.length === 0) throw new Error("translationStatistics: no sentences");
  const refTokens = refs.map(tokenize13a);
  return {
    bleu: { rows: hyps.map((h, i) => bleuStatistics(tokenize13a(h), refTokens[i])), score: (s) => bleuFromStatistics(s, bleu).score },
    chrf: { rows: hyps.map((h, i) => chrfStatistics(h, refs[i])), score: (s) => chrfFromStatistics(s) },
  };
}

function settings(o: BootstrapSettings): { resamples: number; level: number; rng: Rng } {
  const resamples = o.resamples ?? 1000;
  const level = o.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrap: bad resample count ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrap: level must be in (0, 1), got ${level}`);
  return { resamples, level, rng: new Rng(o.seed ?? 0) };
}

function draw(rng: Rng, n: number, into: Int32Array): Int32Array {
  for (let i = 0; i < n; i++) into[i] = rng.int(n);
  return into;
}

/** Percentile bootstrap interval of a corpus metric, resampling sentences with replacement. */
export function bootstrapMetric(m: SentenceStatistics, o: BootstrapSettings = {}): MetricInterval {
  const { resamples, level, rng } = settings(o);
  const n = m.rows.length;
  const idx = new Int32Array(n);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) values.push(m.score(sumRows(m.rows, draw(rng, n, idx))));
  const alpha = 1 - level;
  return { estimate: m.score(sumRows(m.rows)), lower: quantile(values, alpha / 2), upper: quantile(values, 1 - alpha / 2), level, resamples };
}

/** Paired bootstrap of system B against system A on the same sentences (the same draws for both). */
export function pairedBootstrap(a: SentenceStatistics, b: SentenceStatistics, o: BootstrapSettings = {}): PairedComparison {
  if (a.rows.length !== b.rows.length) throw new Error(`pairedBootstrap: ${a.rows.length} sentences against ${b.rows.length}`);
  const { resamples, level, rng } = settings(o);
  const n = a.rows.length;
  const idx = new Int32Array(n);
  const deltas: number[] = [];
  let notAbove = 0;
  let notBelow = 0;
  for (let r = 0; r < resamples; r++) {
    draw(rng, n, idx);
    const d = b.score(sumRows(b.rows, idx)) - a.score(sumRows(a.rows, idx));
    deltas.push(d);
    if (d <= 0) notAbove++;
    if (d >= 0) notBelow++;
  }
  const alpha = 1 - level;
  return {
    delta: b.score(sumRows(b.rows)) - a.score(sumRows(a.rows)),
    lower: quantile(deltas, alpha / 2),
    upper: quantile(deltas, 1 - alpha / 2),
    pValue: Math.min(1, (2 * Math.min(notAbove, notBelow)) / resamples),
    resamples,
  };
}

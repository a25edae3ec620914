/**
 * Source-language selection for multi-source fine-tuning (methods.md §2): every
 * set of k candidate source languages is scored by each heuristic, and the
 * heuristics are judged by how well their scores follow measured transfer.
 *
 * Heuristics (higher is better for all of them):
 * - linguistic: mean over pairs in the set of the masked cosine distance between
 *   typological feature vectors (lang2vec style, missing entries ignored); with
 *   feature families given separately (syntax, phonology, inventory, family, ...),
 *   one heuristic "linguistic-<family>" per family, as the method ranks each;
 * - geographic: mean pairwise great-circle distance in km;
 * - embedding: mean pairwise cosine distance (1 - cos) of per-language mean
 *   sentence embeddings;
 * - coverage: share of the reference token TYPES (distinct ids) that occur in
 *   the union of the set's token ids, or with `coverage: "occurrences"` the share
 *   of reference token occurrences whose type is in that union; the reference is
 *   the target languages' tokens, or, without targets, the union over all
 *   candidates (methods.md's |union of S| / |union of all|);
 * - script: number of distinct scripts among the set's languages, each language's
 *   script being the one most letters of its text sample are written in;
 * - dataSize: total example count of the set (the naive baseline).
 * methods.md sums pairwise distances; with k fixed the mean ranks sets identically
 * and stays comparable across k.
 *
 * Ties are broken by the sets' languages in lexicographic order, so rankings are
 * deterministic. A set that cannot be scored (NaN: no shared typological feature
 * in any pair) ranks after every scored set.
 */
import { spearman } from "../analysis/stats.js";
import { cosine } from "../analysis/similarity.js";
import { detectScript } from "../data/corpora/udhr.js";
import { type LanguageFeatures, featuresOf, greatCircleKm, maskedCosineDistance } from "../experts/typology.js";

export const HEURISTICS = ["linguistic", "geographic", "embedding", "coverage", "script", "dataSize"] as const;
/** A fixed heuristic, or the linguistic heuristic of one feature family ("linguistic-syntax"). */
export type Heuristic = (typeof HEURISTICS)[number] | `linguistic-${string}`;

export interface Coordinates {
  latitude: number;
  longitude: number;
}

/** What the heuristics need; a heuristic whose data is absent is not ranked. */
export interface SourceSelectionData {
  candidates: readonly string[];
  /** Set size. */
  k: number;
  /** Languages transferred to; they define coverage's reference vocabulary. */
  targets?: readonly string[];
  typology?: LanguageFeatures;
  /** Feature vectors by family ("syntax", "phonology", ...): one linguistic heuristic each. */
  typologyFamilies?: ReadonlyMap<string, LanguageFeatures>;
  coordinates?: ReadonlyMap<string, Coordinates>;
  embeddings?: ReadonlyMap<string, ArrayLike<number>>;
  /** Token ids of each candidate's (and target's) text. */
  tokens?: ReadonlyMap<string, ArrayLike<number>>;
  /** Coverage counts distinct token types (default) or token occurrences of the reference. */
  coverage?: "types" | "occurrences";
  /** A text sample per candidate, for its script. */
  textSamples?: ReadonlyMap<string, string>;
  exampleCounts?: ReadonlyMap<string, number>;
}

export interface ScoredSet {
  /** Languages in sorted order. */
  languages: string[];
  /** setKey(languages). */
  key: string;
  score: number;
}

export interface HeuristicRanking {
  heuristic: Heuristic;
  /** Every candidate set, best first. */
  sets: ScoredSet[];
}

const KEY_SEPARATOR = "+";

/** A set's name: its languages sorted and joined with "+" (order of the input does not matter). */
export function setKey(languages: readonly string[]): string {
  return [...languages].sort().join(KEY_SEPARATOR);
}

function compareLanguages(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  }
  return a.length - b.length;
}

const MAX_SETS = 1_000_000;

/** All k-subsets of the candidates, each sorted, in lexicographic order. */
export function candidateSets(candidates: readonly string[], k: number): string[][] {
  const sorted = [...candidates].sort();
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i] === "" || sorted[i]!.includes(KEY_SEPARATOR)) throw new RangeError(`language code "${sorted[i]}" is empty or contains "${KEY_SEPARATOR}"`);
    if (i > 0 && sorted[i] === sorted[i - 1]) throw new RangeError(`candidate "${sorted[i]}" is listed twice`);
  }
  if (!Number.isInteger(k) || k < 1 || k > sorted.length) throw new RangeError(`set size k must be an integer in 1..${sorted.length}, got ${k}`);
  let count = 1;
  for (let i = 0; i < k; i++) count = (count * (sorted.length - i)) / (i + 1);
  if (count > MAX_SETS) throw new RangeError(`C(${sorted.length}, ${k}) = ${count} sets is more than ${MAX_SETS} to rank`);
  const out: string[][] = [];
  const pick: string[] = [];
  const extend = (from: number): void => {
    if (pick.length === k) {
      out.push([...pick]);
      return;
    }
    for (let i = from; i <= sorted.length - (k - pick.length); i++) {
      pick.push(sorted[i]!);
      extend(i + 1);
      pick.pop();
    }
  };
  extend(0);
  return out;
}

function lookup<V>(map: ReadonlyMap<string, V>, language: string, what: string): V {
  const v = map.get(language);
  if (v === undefined) throw new RangeError(`${what}: no entry for language "${language}"`);
  return v;
}

/** Mean of a distance over all pairs of the set, NaN pairs left out; 0 for a single language. */
function meanPairwise(languages: readonly string[], distance: (a: string, b: string) => number): number {
  if (languages.length < 2) return 0;
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < languages.length; i++) {
    for (let j = i + 1; j < languages.length; j++) {
      const d = distance(languages[i]!, languages[j]!);
      if (Number.isNaN(d)) continue;
      sum += d;
      pairs++;
    }
  }
  return pairs === 0 ? NaN : sum / pairs;
}

type SetScorer = (languages: readonly string[]) => number;

function coverageScorer(data: SourceSelectionData, tokens: ReadonlyMap<string, ArrayLike<number>>): SetScorer {
  const mode = data.coverage ?? "types";
  const reference = data.targets && data.targets.length > 0 ? data.targets : data.candidates;
  // Reference token id -> occurrences (or 1 per type).
  const weight = new Map<number, number>();
  for (const language of reference) {
    for (const id of Array.from(lookup(tokens, language, "coverage tokens"))) {
      weight.set(id, mode === "types" ? 1 : (weight.get(id) ?? 0) + 1);
    }
  }
  let total = 0;
  for (const w of weight.values()) total += w;
  if (total === 0) throw new RangeError("coverage: the reference languages have no tokens");
  const types = new Map<string, Set<number>>();
  for (const language of data.candidates) types.set(language, new Set(Array.from(lookup(tokens, language, "coverage tokens"))));
  return (languages) => {
    const union = new Set<number>();
    for (const language of languages) for (const id of types.get(language)!) union.add(id);
    let covered = 0;
    for (const [id, w] of weight) if (union.has(id)) covered += w;
    return covered / total;
  };
}

function scriptScorer(samples: ReadonlyMap<string, string>, candidates: readonly string[]): SetScorer {
  const scriptOf = new Map<string, string>();
  for (const language of candidates) {
    const script = detectScript(lookup(samples, language, "script text samples"));
    if (script === undefined) throw new RangeError(`script: the text sample of "${language}" has no letters of a known script`);
    scriptOf.set(language, script);
  }
  return (languages) => new Set(languages.map((l) => scriptOf.get(l)!)).size;
}

/** The scorer of each heuristic whose data is given. */
function scorers(data: SourceSelectionData): Map<Heuristic, SetScorer> {
  const out = new Map<Heuristic, SetScorer>();
  const { typology, coordinates, embeddings, tokens, textSamples, exampleCounts } = data;
  const linguistic = (features: LanguageFeatures): SetScorer => (s) => meanPairwise(s, (a, b) => maskedCosineDistance(featuresOf(features, a), featuresOf(features, b)));
  if (typology) out.set("linguistic", linguistic(typology));
  for (const [family, features] of data.typologyFamilies ?? []) {
    if (!/^[A-Za-z0-9_-]+$/.test(family)) throw new RangeError(`feature family "${family}": letters, digits, '_' and '-' only`);
    out.set(`linguistic-${family}`, linguistic(features));
  }
  if (coordinates) {
    out.set("geographic", (s) =>
      meanPairwise(s, (a, b) => {
        const p = lookup(coordinates, a, "coordinates");
        const q = lookup(coordinates, b, "coordinates");
        return greatCircleKm(p.latitude, p.longitude, q.latitude, q.longitude);
      }),
    );
  }
  if (embeddings) {
    out.set("embedding", (s) => meanPairwise(s, (a, b) => 1 - cosine(lookup(embeddings, a, "embeddings"), lookup(embeddings, b, "embeddings"))));
  }
  if (tokens) out.set("coverage", coverageScorer(data, tokens));
  if (textSamples) out.set("script", scriptScorer(textSamples, data.candidates));
  if (exampleCounts) {
    out.set("dataSize", (s) => s.reduce((sum, l) => sum + lookup(exampleCounts, l, "example counts"), 0));
  }
  return out;
}

/** Best first: higher score, NaN last, then languages in lexicographic order. */
function byScore(a: ScoredSet, b: ScoredSet): number {
  const aNaN = Number.isNaN(a.score);
  const bNaN = Number.isNaN(b.score);
  if (aNaN !== bNaN) return aNaN ? 1 : -1;
  if (!aNaN && a.score !== b.score) return b.score - a.score;
  return compareLanguages(a.languages, b.languages);
}

/** Ranks all C(n, k) candidate sets by every heuristic whose data is given, in HEURISTICS order. */
export function rankSourceSets(data: SourceSelectionData): HeuristicRanking[] {
  const sets = candidateSets(data.candidates, data.k);
  const byHeuristic = scorers(data);
  if (byHeuristic.size === 0) throw new RangeError("rankSourceSets: no heuristic has its data (typology, coordinates, ...)");
  const order: Heuristic[] = [...HEURISTICS.filter((h) => byHeuristic.has(h)), ...[...byHeuristic.keys()].filter((h) => !(HEURISTICS as readonly string[]).includes(h))];
  return order.map((heuristic) => {
    const score = byHeuristic.get(heuristic)!;
    const scored = sets.map((languages) => ({ languages, key: setKey(languages), score: score(languages) }));
    return { heuristic, sets: scored.sort(byScore) };
  });
}

// ---------------------------------------------------------------------------
// Judging heuristics against measured transfer

export interface HeuristicEvaluation {
  heuristic: Heuristic;
  /** Spearman rho between heuristic scores and measured transfer over the measured sets (NaN if either is constant). */
  spearman: number;
  /** Measured sets used. */
  measured: number;
  /** The set with the highest measured transfer (ties: lexicographic). */
  bestSet: string;
  /** 1-based position of bestSet in the heuristic's ranking of all sets. */
  bestSetRank: number;
  /** The heuristic's top set among the measured ones... */
  pick: string;
  /** ...and its 1-based position when the measured sets are ordered by transfer (paper: "rank 2 of 35"). */
  pickTransferRank: number;
}

/**
 * How well each heuristic predicts transfer. `measured` maps set keys (any
 * language order, "+"-separated) to the measured transfer score, higher better.
 */
export function evaluateHeuristics(rankings: readonly HeuristicRanking[], measured: ReadonlyMap<string, number>): HeuristicEvaluation[] {
  const transfer = new Map<string, number>();
  for (const [key, score] of measured) {
    if (!Number.isFinite(score)) throw new RangeError(`measured transfer of "${key}" is not finite: ${score}`);
    transfer.set(setKey(key.split(KEY_SEPARATOR)), score);
  }
  if (transfer.size === 0) throw new RangeError("evaluateHeuristics: no measured sets");
  const byTransfer: ScoredSet[] = [...transfer].map(([key, score]) => ({ key, languages: key.split(KEY_SEPARATOR), score })).sort(byScore);
  const transferRank = new Map(byTransfer.map((s, i) => [s.key, i + 1]));
  const bestSet = byTransfer[0]!.key;

  return rankings.map(({ heuristic, sets }) => {
    const known = new Set(sets.map((s) => s.key));
    for (const key of transfer.keys()) {
      if (!known.has(key)) throw new RangeError(`measured set "${key}" is not one of the candidate sets`);
    }
    const measuredSets = sets.filter((s) => transfer.has(s.key));
    const pick = measuredSets[0]!.key;
    return {
      heuristic,
      spearman: spearmanOrNaN(measuredSets.map((s) => s.score), measuredSets.map((s) => transfer.get(s.key)!)),
      measured: measuredSets.length,
      bestSet,
      bestSetRank: sets.findIndex((s) => s.key === bestSet) + 1,
      pick,
      pickTransferRank: transferRank.get(pick)!,
    };
  });
}

/** Spearman over the pairs whose heuristic score is a number. */
function spearmanOrNaN(scores: number[], transfer: number[]): number {
  const keep = scores.map((s, i) => i).filter((i) => Number.isFinite(scores[i]!));
  if (keep.length < 2) return NaN;
  return spearman(keep.map((i) => scores[i]!), keep.map((i) => transfer[i]!));
}

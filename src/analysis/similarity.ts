/**
 * Similarity measures between representations: cosine (vectors, rows,
 * all pairs, matched pairs), embedding-clone alignment (methods.md §1), linear
 * CKA (methods.md §2) and the silhouette of language labels as a score of how
 * much languages' sentence embeddings mingle.
 *
 * A zero vector has no direction: any cosine involving one is NaN, and so is
 * any mean over such cosines, rather than a silent 0.
 */
import { cdist, tidy, type Tensor } from "../torch/index.js";
import { Rng } from "../util/rng.js";
import { CDIST_EXACT_DIFFERENCES, float64Matrix } from "./engine-matrix.js";
import { maxWeightMatching, type Matching } from "./matching.js";
import {
  type Dense,
  type Rows,
  multiplyTransposed,
  normaliseRows,
  toDense,
} from "./matrix.js";

/** Cosine similarity of two equal-length vectors; NaN if either is zero. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`cosine: lengths differ (${a.length} vs ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  if (na === 0 || nb === 0) return NaN;
  return dot / Math.sqrt(na * nb);
}

/** Cosine of row i of A with row i of B, for every i. */
export function rowCosines(a: Rows, b: Rows): Float64Array {
  if (a.length !== b.length) throw new RangeError(`rowCosines: ${a.length} rows vs ${b.length}`);
  return Float64Array.from(a, (row, i) => cosine(row, b[i]!));
}

/**
 * Mean cosine of corresponding rows: the hidden-state alignment of parallel
 * positions (e.g. the same text in a language and its clone).
 */
export function meanRowCosine(a: Rows, b: Rows): number {
  const c = rowCosines(a, b);
  if (c.length === 0) return NaN;
  let s = 0;
  for (const v of c) s += v;
  return s / c.length;
}

function unitRows(m: Rows, what: string): Dense {
  return normaliseRows(toDense(m, what));
}

/** All-pairs cosine: result[i][j] = cos(A_i, B_j). */
export function cosineMatrix(a: Rows, b: Rows): Float64Array[] {
  const ua = unitRows(a, "cosineMatrix A");
  const ub = unitRows(b, "cosineMatrix B");
  const flat = multiplyTransposed(ua, ub);
  return Array.from({ length: ua.rows }, (_, i) => flat.subarray(i * ub.rows, (i + 1) * ub.rows));
}

export interface MatchedCosine {
  /** Mean cosine over the matched pairs. */
  mean: number;
  matching: Matching;
}

/**
 * Hidden-state alignment for real languages whose positions do not
 * correspond: all-pairs cosine between A's and B's rows, a maximum-weight
 * matching on it, then the mean cosine of the matched pairs.
 */
export function matchedMeanCosine(a: Rows, b: Rows): MatchedCosine {
  const sims = cosineMatrix(a, b);
  for (let i = 0; i < sims.length; i++) {
    for (let j = 0; j < sims[i]!.length; j++) {
      if (Number.isNaN(sims[i]![j]!)) throw new RangeError(`matchedMeanCosine: zero vector in row ${i} of A or row ${j} of B`);
    }
  }
  const matching = maxWeightMatching(sims);
  return { mean: matching.pairs.length ? matching.totalWeight / matching.pairs.length : NaN, matching };
}

export interface CloneSimilarity {
  /** Clone index k (1..K-1). */
  clone: number;
  /** Mean over ids i of cos(E_i, E_{i+kV}). */
  cloneCosine: number;
  /** Mean of cos(E_i, E_{j+kV}) over random id pairs i ≠ j: the chance level. */
  randomCosine: number;
  /** cos(E_i, E_{i+kV}) for each id, in the order of `ids`. */
  perId: Float64Array;
}

export interface CloneSimilarityOptions {
  /**
   * Base-vocabulary ids to compare (default all 0..V-1). Pass only the cloned
   * ids when frac_clone < 1: anchor tokens share one row, so their row
   * i + kV is never trained.
   */
  ids?: ArrayLike<number>;
  /** Random pairs drawn for the chance level (default 10,000). */
  randomPairs?: number;
}

/**
 * Embedding alignment of cloned languages (methods.md §1): E has K·V rows
 * (input embedding, or output embedding as rows per token); row i + kV is
 * token i in clone k. For each clone, the mean cosine of a token's rows
 * against the mean cosine of random unrelated pairs across the same two
 * id spaces.
 */
export function embeddingCloneSimilarity(
  e: Rows,
  vocabSize: number,
  numLanguages: number,
  rng: Rng,
  opts: CloneSimilarityOptions = {},
): CloneSimilarity[] {
  if (!Number.isInteger(vocabSize) || vocabSize < 1) throw new RangeError(`embeddingCloneSimilarity: bad V ${vocabSize}`);
  if (!Number.isInteger(numLanguages) || numLanguages < 2) {
    throw new RangeError(`embeddingCloneSimilarity: need K >= 2 languages, got ${numLanguages}`);
  }
  if (e.length !== vocabSize * numLanguages) {
    throw new RangeError(`embeddingCloneSimilarity: E has ${e.length} rows, expected K*V = ${vocabSize * numLanguages}`);
  }
  const ids = Array.from(opts.ids ?? Array.from({ length: vocabSize }, (_, i) => i));
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new RangeError(`embeddingCloneSimilarity: id ${id} not in [0, V)`);
  }
  // Random pairs need two different ids, or drawing j ≠ i would never end.
  if (new Set(ids).size < 2) throw new RangeError("embeddingCloneSimilarity: need at least 2 distinct ids");
  const randomPairs = opts.randomPairs ?? 10_000;

  const out: CloneSimilarity[] = [];
  for (let k = 1; k < numLanguages; k++) {
    const offset = k * vocabSize;
    const perId = Float64Array.from(ids, (i) => cosine(e[i]!, e[i + offset]!));
    let random = 0;
    for (let r = 0; r < randomPairs; r++) {
      const i = ids[rng.int(ids.length)]!;
      let j = i;
      while (j === i) j = ids[rng.int(ids.length)]!;
      random += cosine(e[i]!, e[j + offset]!);
    }
    let sum = 0;
    for (const v of perId) sum += v;
    out.push({ clone: k, cloneCosine: sum / perId.length, randomCosine: random / randomPairs, perId });
  }
  return out;
}

export interface CkaOptions {
  /**
   * "features" computes d×d cross products (cheap when n ≫ d), "gram" n×n
   * Gram matrices (cheap when d ≫ n); both give the same value. Default: the
   * cheaper one.
   */
  method?: "features" | "gram";
}

/**
 * Linear CKA between n×d₁ and n×d₂ representations of the same n items
 * (methods.md §2): with column-centred X and Y,
 * ||YᵀX||_F² / (||XᵀX||_F · ||YᵀY||_F). 1 for identical representations, and
 * unchanged by orthogonal transforms and isotropic scaling of either side.
 * NaN when either side has no variance.
 */
export function linearCka(x: Rows | Tensor, y: Rows | Tensor, opts: CkaOptions = {}): number {
  const rows = (m: Rows | Tensor) => ("shape" in m ? m.shape[0]! : m.length);
  if (rows(x) !== rows(y)) throw new RangeError(`linearCka: ${rows(x)} rows vs ${rows(y)}`);
  if (rows(x) < 2) throw new RangeError("linearCka: need at least 2 rows");
  // libtorch products in float64 (the hand-written version is test/analysis/similarity-reference.ts).
  return tidy(() => {
    const centred = (m: Tensor) => m.sub(m.mean([0], true));
    const cx = centred(float64Matrix(x, "linearCka X"));
    const cy = centred(float64Matrix(y, "linearCka Y"));
    const [n, dx] = cx.shape;
    const dy = cy.shape[1]!;
    // Multiply-adds per row of data: d₁² + d₂² + d₁d₂ for the cross products,
    // n(d₁ + d₂)/2 for the two symmetric Gram matrices.
    const method = opts.method ?? (dx * dx + dy * dy + dx * dy <= (n! * (dx! + dy)) / 2 ? "features" : "gram");
    const sumSq = (t: Tensor) => t.square().sum().item();
    let cross: number;
    let selfX: number;
    let selfY: number;
    if (method === "features") {
      cross = sumSq(cy.t().mm(cx));
      selfX = Math.sqrt(sumSq(cx.t().mm(cx)));
      selfY = Math.sqrt(sumSq(cy.t().mm(cy)));
    } else {
      // ||YᵀX||_F² = tr(XXᵀ YYᵀ) and ||XᵀX||_F = ||XXᵀ||_F.
      const kx = cx.mm(cx.t());
      const ky = cy.mm(cy.t());
      cross = kx.mul(ky).sum().item();
      selfX = Math.sqrt(sumSq(kx));
      selfY = Math.sqrt(sumSq(ky));
    }
    if (selfX === 0 || selfY === 0) return NaN;
    return cross / (selfX * selfY);
  });
}

export interface SilhouetteOptions {
  /** Distance between embeddings (default "cosine": 1 - cosine similarity). */
  distance?: "cosine" | "euclidean";
}

export interface Silhouette {
  /** Mean silhouette over all samples, in [-1, 1]. */
  mean: number;
  /** s(i) = (b - a) / max(a, b); 0 for a sample alone in its cluster. */
  perSample: Float64Array;
}

/**
 * Silhouette of language labels on sentence embeddings, the "mingling" score:
 * near 1 when each language forms its own tight cluster, near 0 or below when
 * the languages' embeddings are mixed together. a(i) is the mean distance from
 * i to the other members of its language, b(i) the smallest mean distance to
 * another language.
 */
export function silhouetteScore(x: Rows | Tensor, labels: ArrayLike<number | string>, opts: SilhouetteOptions = {}): Silhouette {
  const n = "shape" in x ? x.shape[0]! : x.length;
  if (labels.length !== n) throw new RangeError(`silhouetteScore: ${n} rows but ${labels.length} labels`);
  const clusterIds = new Map<number | string, number>();
  const cluster = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels[i]!;
    if (!clusterIds.has(label)) clusterIds.set(label, clusterIds.size);
    cluster[i] = clusterIds.get(label)!;
  }
  const k = clusterIds.size;
  if (k < 2 || k > n - 1) throw new RangeError(`silhouetteScore: need between 2 and n-1 labels, got ${k} for n = ${n}`);

  const distance = opts.distance ?? "cosine";
  // All pairwise distances by libtorch in float64 (the hand-written version is test/analysis/similarity-reference.ts).
  const dist = tidy(() => {
    const m = float64Matrix(x, "silhouetteScore");
    let d: Tensor;
    if (distance === "cosine") {
      const norms = m.norm(2, [1], true);
      if ((norms.contiguous().toArray() as Float64Array).some((v) => v === 0)) throw new RangeError("silhouetteScore: a zero vector has no cosine distance");
      const u = m.div(norms);
      d = u.mm(u.t()).neg().add(1);
    } else {
      d = cdist(m, m, 2, CDIST_EXACT_DIFFERENCES);
    }
    return (d.contiguous().toArray() as Float64Array).slice();
  });

  const size = new Int32Array(k);
  for (let i = 0; i < n; i++) size[cluster[i]!]!++;
  const perSample = new Float64Array(n);
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const own = cluster[i]!;
    if (size[own] === 1) continue; // s(i) = 0 by convention
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[cluster[j]!]! += dist[i * n + j]!;
    const a = sums[own]! / (size[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own) b = Math.min(b, sums[c]! / size[c]!);
    const denom = Math.max(a, b);
    perSample[i] = denom > 0 ? (b - a) / denom : 0;
  }
  let total = 0;
  for (const s of perSample) total += s;
  return { mean: total / n, perSample };
}

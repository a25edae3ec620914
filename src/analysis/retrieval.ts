/**
 * Word-retrieval alignment (methods.md §3): row i of S (source-language word
 * vectors) and row i of T (their translations) should be each other's nearest
 * neighbours by cosine.
 *
 * - weak: a query's candidates are the other language's words only;
 * - strong: candidates are every word of both languages except the query
 *   itself, so the translation must also beat all same-language words.
 *
 * A query counts as correct only when its translation scores strictly higher
 * than every other candidate (by more than rounding, 1e-12): a tie is not a retrieval.
 */
import { tidy, type Tensor } from "../torch/index.js";
import type { Rows } from "./matrix.js";
import { float64Matrix } from "./engine-matrix.js";

export interface RetrievalAccuracy {
  /** Mean of the two weak directions. */
  weak: number;
  /** Mean of the two strong directions. */
  strong: number;
  weakSourceToTarget: number;
  weakTargetToSource: number;
  strongSourceToTarget: number;
  strongTargetToSource: number;
  /** Number of word pairs. */
  n: number;
}

/**
 * Whether a translation's cosine beats a competitor's: strictly higher, by more than
 * float64 rounding, so two exactly equal vectors tie whichever product computed them.
 */
export function beats(hit: number, competitor: number): boolean {
  return hit - competitor > 1e-12;
}

/** Unit rows of a float64 matrix on libtorch; a zero row has no direction. */
function unit(m: Rows | Tensor, what: string): Tensor {
  const x = float64Matrix(m, what);
  const norms = x.norm(2, [1], true);
  const zero = (norms.contiguous().toArray() as Float64Array).findIndex((v) => v === 0);
  if (zero >= 0) throw new RangeError(`${what}: row ${zero} is a zero vector`);
  return x.div(norms);
}

/** Weak and strong nearest-neighbour retrieval accuracy, both directions. */
export function retrievalAccuracy(source: Rows | Tensor, target: Rows | Tensor): RetrievalAccuracy {
  const rows = (m: Rows | Tensor) => ("shape" in m ? m.shape[0]! : m.length);
  const n = rows(source);
  if (rows(target) !== n) throw new RangeError(`retrievalAccuracy: ${n} source rows vs ${rows(target)} target rows`);
  if (n < 2) throw new RangeError("retrievalAccuracy: need at least 2 pairs");
  // The cosines of all pairs by libtorch products in float64; the hand-written version
  // is test/analysis/similarity-reference.ts.
  const [st, ss, tt] = tidy(() => {
    const s = unit(source, "retrievalAccuracy source");
    const t = unit(target, "retrievalAccuracy target");
    if (s.shape[1] !== t.shape[1]) throw new RangeError(`retrievalAccuracy: dimensions differ (${s.shape[1]} vs ${t.shape[1]})`);
    const flat = (m: Tensor) => (m.contiguous().toArray() as Float64Array).slice();
    return [flat(s.mm(t.t())), flat(s.mm(s.t())), flat(t.mm(t.t()))]; // st[i*n+j] = cos(S_i, T_j)
  });
  return countRetrievals(n, st, ss, tt);
}

/** The retrieval counts from the cosine matrices source x target, source x source, target x target. */
export function countRetrievals(n: number, st: Float64Array, ss: Float64Array, tt: Float64Array): RetrievalAccuracy {
  let weakST = 0;
  let weakTS = 0;
  let strongST = 0;
  let strongTS = 0;
  for (let i = 0; i < n; i++) {
    const hit = st[i * n + i]!;
    // Best competitor of each kind, excluding the true translation and the query itself.
    let crossS = -Infinity; // other targets for source query i
    let crossT = -Infinity; // other sources for target query i
    let sameS = -Infinity; // other sources for source query i
    let sameT = -Infinity; // other targets for target query i
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      crossS = Math.max(crossS, st[i * n + j]!);
      crossT = Math.max(crossT, st[j * n + i]!);
      sameS = Math.max(sameS, ss[i * n + j]!);
      sameT = Math.max(sameT, tt[i * n + j]!);
    }
    if (beats(hit, crossS)) {
      weakST++;
      if (beats(hit, sameS)) strongST++;
    }
    if (beats(hit, crossT)) {
      weakTS++;
      if (beats(hit, sameT)) strongTS++;
    }
  }
  const result = {
    weakSourceToTarget: weakST / n,
    weakTargetToSource: weakTS / n,
    strongSourceToTarget: strongST / n,
    strongTargetToSource: strongTS / n,
  };
  return {
    weak: (result.weakSourceToTarget + result.weakTargetToSource) / 2,
    strong: (result.strongSourceToTarget + result.strongTargetToSource) / 2,
    ...result,
    n,
  };
}

/** retrievalAccuracy for each layer; sourceLayers[l] and targetLayers[l] are the word vectors at layer l. */
export function retrievalByLayer(sourceLayers: ReadonlyArray<Rows>, targetLayers: ReadonlyArray<Rows>): RetrievalAccuracy[] {
  if (sourceLayers.length !== targetLayers.length) {
    throw new RangeError(`retrievalByLayer: ${sourceLayers.length} source layers vs ${targetLayers.length} target layers`);
  }
  return sourceLayers.map((s, l) => retrievalAccuracy(s, targetLayers[l]!));
}

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
 * than every other candidate: a tie is not a retrieval.
 */
import { type Dense, type Rows, multiplyTransposed, normaliseRows, toDense } from "./matrix.js";

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

function unit(m: Rows, what: string): Dense {
  const d = normaliseRows(toDense(m, what));
  for (let i = 0; i < d.data.length; i++) {
    if (Number.isNaN(d.data[i]!)) throw new RangeError(`${what}: row ${Math.floor(i / Math.max(d.cols, 1))} is a zero vector`);
  }
  return d;
}

/** Weak and strong nearest-neighbour retrieval accuracy, both directions. */
export function retrievalAccuracy(source: Rows, target: Rows): RetrievalAccuracy {
  const n = source.length;
  if (target.length !== n) throw new RangeError(`retrievalAccuracy: ${n} source rows vs ${target.length} target rows`);
  if (n < 2) throw new RangeError("retrievalAccuracy: need at least 2 pairs");
  const s = unit(source, "retrievalAccuracy source");
  const t = unit(target, "retrievalAccuracy target");
  if (s.cols !== t.cols) throw new RangeError(`retrievalAccuracy: dimensions differ (${s.cols} vs ${t.cols})`);
  const st = multiplyTransposed(s, t); // st[i*n+j] = cos(S_i, T_j)
  const ss = multiplyTransposed(s, s);
  const tt = multiplyTransposed(t, t);

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
    if (hit > crossS) {
      weakST++;
      if (hit > sameS) strongST++;
    }
    if (hit > crossT) {
      weakTS++;
      if (hit > sameT) strongTS++;
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

// Test references only: the hand-written float64 linear CKA and word retrieval xling
// computed before these ran on libtorch (src/analysis/similarity.ts, retrieval.ts).
import {
  type Rows,
  centreColumns,
  multiplyTransposed,
  normaliseRows,
  sumOfSquares,
  toDense,
  transposeMultiply,
} from "../../src/analysis/matrix.js";
import { beats } from "../../src/analysis/retrieval.js";

export function referenceLinearCka(x: Rows, y: Rows, opts: { method?: "features" | "gram" } = {}): number {
  if (x.length !== y.length) throw new RangeError(`linearCka: ${x.length} rows vs ${y.length}`);
  if (x.length < 2) throw new RangeError("linearCka: need at least 2 rows");
  const cx = centreColumns(toDense(x, "linearCka X"));
  const cy = centreColumns(toDense(y, "linearCka Y"));
  const n = cx.rows;
  // Multiply-adds per row of data: d₁² + d₂² + d₁d₂ for the cross products,
  // n(d₁ + d₂)/2 for the two symmetric Gram matrices.
  const featureCost = cx.cols * cx.cols + cy.cols * cy.cols + cx.cols * cy.cols;
  const gramCost = (n * (cx.cols + cy.cols)) / 2;
  const method = opts.method ?? (featureCost <= gramCost ? "features" : "gram");
  let cross: number;
  let selfX: number;
  let selfY: number;
  if (method === "features") {
    cross = sumOfSquares(transposeMultiply(cy, cx));
    selfX = Math.sqrt(sumOfSquares(transposeMultiply(cx, cx)));
    selfY = Math.sqrt(sumOfSquares(transposeMultiply(cy, cy)));
  } else {
    // ||YᵀX||_F² = tr(XXᵀ YYᵀ) and ||XᵀX||_F = ||XXᵀ||_F.
    const kx = multiplyTransposed(cx, cx);
    const ky = multiplyTransposed(cy, cy);
    cross = 0;
    for (let i = 0; i < kx.length; i++) cross += kx[i]! * ky[i]!;
    selfX = Math.sqrt(sumOfSquares(kx));
    selfY = Math.sqrt(sumOfSquares(ky));
  }
  if (selfX === 0 || selfY === 0) return NaN;
  return cross / (selfX * selfY);
}


/** The hand-written retrieval accuracy (weak and strong, both directions), ties as in the engine's version. */
export function referenceRetrievalAccuracy(source: Rows, target: Rows) {
  const unit = (m: Rows) => normaliseRows(toDense(m));
  const n = source.length;
  const s = unit(source);
  const t = unit(target);
  const st = multiplyTransposed(s, t);
  const ss = multiplyTransposed(s, s);
  const tt = multiplyTransposed(t, t);
  let weakST = 0;
  let weakTS = 0;
  let strongST = 0;
  let strongTS = 0;
  for (let i = 0; i < n; i++) {
    const hit = st[i * n + i]!;
    let crossS = -Infinity;
    let crossT = -Infinity;
    let sameS = -Infinity;
    let sameT = -Infinity;
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
  return { weakSourceToTarget: weakST / n, weakTargetToSource: weakTS / n, strongSourceToTarget: strongST / n, strongTargetToSource: strongTS / n };
}

/** The hand-written silhouette of labels (cosine or Euclidean distances from its own products). */
export function referenceSilhouetteScore(x: Rows, labels: ArrayLike<number | string>, opts: { distance?: "cosine" | "euclidean" } = {}): { mean: number; perSample: Float64Array } {
  const n = x.length;
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
  let dist: Float64Array;
  if (distance === "cosine") {
    const u = normaliseRows(toDense(x, "silhouetteScore"));
    if (u.data.some(Number.isNaN)) throw new RangeError("silhouetteScore: a zero vector has no cosine distance");
    dist = multiplyTransposed(u, u).map((c) => 1 - c);
  } else {
    const d = toDense(x, "silhouetteScore");
    const gram = multiplyTransposed(d, d);
    dist = gram.map((g, idx) => {
      const i = Math.floor(idx / n);
      const j = idx % n;
      // |x_i - x_j|² = |x_i|² + |x_j|² - 2 x_i·x_j, clamped against rounding below zero.
      return Math.sqrt(Math.max(0, gram[i * n + i]! + gram[j * n + j]! - 2 * g));
    });
  }

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

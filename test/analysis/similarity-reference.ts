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

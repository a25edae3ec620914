// The experts' numerics on libtorch (truncated SVD with QR and SVD, k-means distances with
// cdist, float64) against the hand-written float64 versions they replaced (test references).
import { test } from "node:test";
import assert from "node:assert/strict";
import { balancedAssign, fitBalancedKMeans, nearestCentre, pointCentreDistances, truncatedSvd, type Matrix } from "../../src/experts/index.js";
import { Rng } from "../../src/util/rng.js";
import { referenceTruncatedSvd } from "./svd-reference.js";
import { referenceBalancedAssign, referenceFitBalancedKMeans, referenceNearestCentre, squaredDistance } from "./kmeans-reference.js";

/** A sparse-ish matrix with decaying column scales, like a TF-IDF matrix. */
function tfIdfLike(rows: number, cols: number, rng: Rng): Matrix {
  const data = Float64Array.from({ length: rows * cols }, (_, i) => (rng.float() < 0.3 ? rng.float() / (1 + (i % cols)) : 0));
  return { rows, cols, data };
}

function column(m: Matrix, j: number): Float64Array {
  return Float64Array.from({ length: m.rows }, (_, i) => m.data[i * m.cols + j]!);
}

test("truncated SVD on libtorch agrees with the hand-written one (values, and vectors up to sign)", () => {
  const rng = new Rng(3);
  for (const [rows, cols, k] of [[40, 25, 5], [12, 60, 8], [30, 30, 30]] as const) {
    const a = tfIdfLike(rows, cols, rng);
    const got = truncatedSvd(a, k, { seed: 7 });
    const want = referenceTruncatedSvd(a, k, { seed: 7 });
    assert.equal(got.s.length, want.s.length, `${rows}x${cols} k=${k}: rank`);
    got.s.forEach((s, j) => assert.ok(Math.abs(s - want.s[j]!) <= 1e-9 * want.s[0]!, `singular value ${j}: ${s} vs ${want.s[j]}`));
    // Well-separated singular values: the vectors agree up to sign.
    for (let j = 0; j < got.s.length; j++) {
      if (j + 1 < got.s.length && want.s[j]! - want.s[j + 1]! < 1e-6 * want.s[0]!) continue;
      for (const [g, w] of [[got.u, want.u], [got.v, want.v]] as const) {
        const [x, y] = [column(g, j), column(w, j)];
        const dot = x.reduce((s, v, i) => s + v * y[i]!, 0);
        assert.ok(Math.abs(Math.abs(dot) - 1) <= 1e-7, `${rows}x${cols} vector ${j}: |cos| ${Math.abs(dot)}`);
      }
    }
  }
});

test("a rank-deficient matrix: the same numerical rank as the reference", () => {
  const rng = new Rng(5);
  const left: Matrix = { rows: 20, cols: 3, data: Float64Array.from({ length: 60 }, () => rng.float() - 0.5) };
  const right: Matrix = { rows: 3, cols: 15, data: Float64Array.from({ length: 45 }, () => rng.float() - 0.5) };
  const a: Matrix = { rows: 20, cols: 15, data: new Float64Array(300) };
  for (let i = 0; i < 20; i++) for (let j = 0; j < 15; j++) for (let p = 0; p < 3; p++) a.data[i * 15 + j]! += left.data[i * 3 + p]! * right.data[p * 15 + j]!;
  assert.equal(truncatedSvd(a, 6).s.length, 3);
  assert.equal(referenceTruncatedSvd(a, 6).s.length, 3);
});

test("cdist distances match the hand-written ones, and so do the assignments and the fitted partition", () => {
  const rng = new Rng(11);
  // Unit vectors in 3 loose groups, as content embeddings are.
  const points = Array.from({ length: 90 }, (_, i) => {
    const v = Float64Array.from({ length: 20 }, (_, d) => (d % 3 === i % 3 ? 1 : 0) + 0.6 * (rng.float() - 0.5));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  });
  const centres = points.slice(0, 4);
  const d = pointCentreDistances(points, centres);
  points.forEach((p, i) => centres.forEach((c, j) => assert.ok(Math.abs(d[i * 4 + j]! - Math.sqrt(squaredDistance(p, c))) <= 1e-12, `distance ${i},${j}`)));
  assert.deepEqual(balancedAssign(points, centres), referenceBalancedAssign(points, centres));
  for (const p of points.slice(0, 20)) assert.equal(nearestCentre(p, centres), referenceNearestCentre(p, centres));
  for (const seed of [0, 1, 2]) {
    const got = fitBalancedKMeans(points, 3, { seed });
    const want = referenceFitBalancedKMeans(points, 3, { seed });
    assert.deepEqual(got.labels, want.labels, `seed ${seed}: the same partition`);
    assert.equal(got.iterations, want.iterations);
  }
});

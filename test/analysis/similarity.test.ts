import { test } from "node:test";
import assert from "node:assert/strict";
import {
  cosine,
  cosineMatrix,
  embeddingCloneSimilarity,
  linearCka,
  matchedMeanCosine,
  meanRowCosine,
  rowCosines,
  silhouetteScore,
} from "../../src/analysis/similarity.js";
import { Rng } from "../../src/util/rng.js";
import { assertNear, matmul, normal, randomMatrix, randomOrthogonal } from "./helpers.js";

test("cosine by hand", () => {
  assertNear(cosine([1, 0], [1, 1]), Math.SQRT1_2, 1e-15);
  assertNear(cosine([1, 2, 3], [4, 5, 6]), 32 / Math.sqrt(14 * 77), 1e-15);
  assertNear(cosine([1, 2], [-2, -4]), -1, 1e-15);
  assert.ok(Number.isNaN(cosine([0, 0], [1, 1])));
  assert.throws(() => cosine([1], [1, 2]));
});

test("row-wise, mean and all-pairs cosines agree with the vector cosine", () => {
  const a = [
    [1, 0],
    [0, 2],
    [3, 4],
  ];
  const b = [
    [1, 1],
    [0, -1],
    [4, 3],
  ];
  const rows = rowCosines(a, b);
  // 1/sqrt2, -1, 24/25.
  assertNear(rows[0]!, Math.SQRT1_2, 1e-15);
  assertNear(rows[1]!, -1, 1e-15);
  assertNear(rows[2]!, 24 / 25, 1e-15);
  assertNear(meanRowCosine(a, b), (Math.SQRT1_2 - 1 + 24 / 25) / 3, 1e-15);
  const all = cosineMatrix(a, b.slice(0, 2));
  assert.equal(all.length, 3);
  for (let i = 0; i < 3; i++) {
    assert.equal(all[i]!.length, 2);
    for (let j = 0; j < 2; j++) assertNear(all[i]![j]!, cosine(a[i]!, b[j]!), 1e-14);
  }
});

test("matched mean cosine recovers shuffled rows", () => {
  const rng = new Rng(31);
  const a = randomMatrix(40, 16, rng);
  const perm = rng.shuffle(Array.from({ length: 40 }, (_, i) => i));
  // b's row perm[i] is a noisy copy of a's row i.
  const b: number[][] = new Array(40);
  a.forEach((row, i) => (b[perm[i]!] = row.map((v) => v + 0.05 * normal(rng))));
  const { mean, matching } = matchedMeanCosine(a, b);
  assert.deepEqual(Array.from(matching.rowToCol), perm);
  const expected = a.reduce((s, row, i) => s + cosine(row, b[perm[i]!]!), 0) / 40;
  assertNear(mean, expected, 1e-12);
  assert.ok(mean > 0.98);
});

test("embedding clone similarity against direct loops and the exhaustive chance level", () => {
  const rng = new Rng(32);
  const V = 40;
  const d = 12;
  const base = randomMatrix(V, d, rng);
  const clone1 = base.map((row) => row.map((v) => v + 0.2 * normal(rng)));
  const clone2 = randomMatrix(V, d, rng); // an unrelated "clone": no alignment
  const e = [...base, ...clone1, ...clone2];
  const result = embeddingCloneSimilarity(e, V, 3, new Rng(1), { randomPairs: 40_000 });
  assert.equal(result.length, 2);
  for (const { clone, cloneCosine, randomCosine, perId } of result) {
    const rowsK = clone === 1 ? clone1 : clone2;
    let direct = 0;
    let chance = 0;
    for (let i = 0; i < V; i++) {
      assertNear(perId[i]!, cosine(base[i]!, rowsK[i]!), 1e-14);
      direct += cosine(base[i]!, rowsK[i]!);
      for (let j = 0; j < V; j++) if (j !== i) chance += cosine(base[i]!, rowsK[j]!);
    }
    assertNear(cloneCosine, direct / V, 1e-12, `clone ${clone}`);
    assertNear(randomCosine, chance / (V * (V - 1)), 0.01, `chance level of clone ${clone}`);
  }
  assert.ok(result[0]!.cloneCosine > 0.9);
  assert.ok(Math.abs(result[1]!.cloneCosine - result[1]!.randomCosine) < 0.2);

  const subset = embeddingCloneSimilarity(e, V, 3, new Rng(1), { ids: [3, 5, 8], randomPairs: 10 });
  assert.deepEqual(Array.from(subset[0]!.perId), [3, 5, 8].map((i) => cosine(base[i]!, clone1[i]!)));
  assert.throws(() => embeddingCloneSimilarity(e.slice(1), V, 3, new Rng(1)), /K\*V/);
  assert.throws(() => embeddingCloneSimilarity(e, V, 3, new Rng(1), { ids: [4, 4] }), /distinct/);
});

test("linear CKA by hand on a tiny example", () => {
  // Centred x = (-1, 0, 1); Yᵀx = (-1, 0); ||xᵀx|| = 2; ||YᵀY||_F = sqrt(10)/3.
  const x = [[1], [2], [3]];
  const y = [
    [1, 0],
    [0, 1],
    [0, 0],
  ];
  const expected = 3 / (2 * Math.sqrt(10));
  assertNear(linearCka(x, y), expected, 1e-14);
  assertNear(linearCka(x, y, { method: "gram" }), expected, 1e-14);
  assertNear(linearCka(x, y, { method: "features" }), expected, 1e-14);
});

test("linear CKA is 1 on itself and invariant to orthogonal maps, isotropic scaling and shifts", () => {
  const rng = new Rng(33);
  const x = randomMatrix(30, 6, rng);
  const y = randomMatrix(30, 4, rng).map((row, i) => row.map((v, j) => v + 0.8 * x[i]![j]!));
  assertNear(linearCka(x, x), 1, 1e-12);
  const base = linearCka(x, y);
  assert.ok(base > 0.2 && base < 0.95, `CKA ${base}`);
  const xq = matmul(x, randomOrthogonal(6, rng)).map((row) => row.map((v) => 3.5 * v + 2));
  const yq = matmul(y, randomOrthogonal(4, rng)).map((row) => row.map((v) => 0.01 * v - 7));
  assertNear(linearCka(xq, yq), base, 1e-10);
  assertNear(linearCka(x, xq), 1, 1e-10);
  // Both computation routes agree, including d > n.
  const wide = randomMatrix(5, 20, rng);
  const wide2 = randomMatrix(5, 9, rng);
  assertNear(linearCka(wide, wide2, { method: "features" }), linearCka(wide, wide2, { method: "gram" }), 1e-12);
  // Not invariant to an anisotropic scaling (a check that the test can tell).
  const stretched = x.map((row) => row.map((v, j) => (j === 0 ? 10 * v : v)));
  assert.ok(Math.abs(linearCka(stretched, y) - base) > 1e-3);
  assert.ok(Number.isNaN(linearCka([[1], [1]], [[1], [2]])));
});

test("silhouette by hand, Euclidean", () => {
  // Clusters {0, 1} and {4, 6} on a line.
  // s(0) = (5 - 1)/5, s(1) = (4 - 1)/4, s(4) = (3.5 - 2)/3.5, s(6) = (5.5 - 2)/5.5.
  const s = silhouetteScore([[0], [1], [4], [6]], ["a", "a", "b", "b"], { distance: "euclidean" });
  const expected = [0.8, 0.75, 1.5 / 3.5, 3.5 / 5.5];
  expected.forEach((v, i) => assertNear(s.perSample[i]!, v, 1e-12));
  assertNear(s.mean, expected.reduce((u, v) => u + v) / 4, 1e-12);
});

test("silhouette by hand, cosine distance ignores vector length", () => {
  // Directions 0° and 90° (language 0) vs 180° and 270° (language 1):
  // a = 1 and b = (2 + 1)/2 for every point, so s = 1/3.
  const s = silhouetteScore(
    [
      [2, 0],
      [0, 0.5],
      [-3, 0],
      [0, -1],
    ],
    [0, 0, 1, 1],
  );
  for (const v of s.perSample) assertNear(v, 1 / 3, 1e-12);
  // Separated languages score near 1, identical mixtures near 0 or below.
  const rng = new Rng(34);
  const sep = randomMatrix(20, 8, rng).map((row, i) => row.map((v, j) => 0.1 * v + (j === (i < 10 ? 0 : 1) ? 1 : 0)));
  const labels = Array.from({ length: 20 }, (_, i) => (i < 10 ? "en" : "de"));
  assert.ok(silhouetteScore(sep, labels).mean > 0.7);
  const mixed = randomMatrix(20, 8, rng);
  assert.ok(silhouetteScore(mixed, labels).mean < 0.1);
});

test("silhouette gives singletons 0 and needs at least two labels", () => {
  const s = silhouetteScore([[0], [1], [5]], [0, 0, 1], { distance: "euclidean" });
  assert.equal(s.perSample[2], 0);
  assert.throws(() => silhouetteScore([[0], [1]], [0, 0]), /labels/);
  assert.throws(() => silhouetteScore([[0, 0], [1, 0], [0, 1]], [0, 0, 1]), /zero vector/);
});

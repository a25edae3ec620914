import { test } from "node:test";
import assert from "node:assert/strict";
import { retrievalAccuracy, retrievalByLayer } from "../../src/analysis/retrieval.js";
import { Rng } from "../../src/util/rng.js";
import { assertNear, matmul, normal, randomMatrix } from "./helpers.js";

/**
 * Reference: for each query, list every candidate with its cosine and check
 * that the translation strictly beats all others.
 */
function bruteForce(s: number[][], t: number[][]): { weak: number; strong: number } {
  const cos = (a: number[], b: number[]) => {
    const dot = a.reduce((acc, v, i) => acc + v * b[i]!, 0);
    return dot / Math.sqrt(a.reduce((acc, v) => acc + v * v, 0) * b.reduce((acc, v) => acc + v * v, 0));
  };
  const n = s.length;
  let weak = 0;
  let strong = 0;
  for (const [query, other] of [
    [s, t],
    [t, s],
  ] as const) {
    for (let i = 0; i < n; i++) {
      const hit = cos(query[i]!, other[i]!);
      const crossOthers = other.filter((_, j) => j !== i).map((v) => cos(query[i]!, v));
      const sameOthers = query.filter((_, j) => j !== i).map((v) => cos(query[i]!, v));
      if (crossOthers.every((c) => hit > c)) {
        weak++;
        if (sameOthers.every((c) => hit > c)) strong++;
      }
    }
  }
  return { weak: weak / (2 * n), strong: strong / (2 * n) };
}

/** S_i = e_i + αL and T_i = e_i - αL with a shared "language direction" L ⟂ every e_i. */
function languageOffset(n: number, alpha: number): { s: number[][]; t: number[][] } {
  const row = (i: number, sign: number) => Array.from({ length: n + 1 }, (_, j) => (j === i ? 1 : j === n ? sign * alpha : 0));
  return { s: Array.from({ length: n }, (_, i) => row(i, 1)), t: Array.from({ length: n }, (_, i) => row(i, -1)) };
}

test("language offset by hand: strong accuracy fails exactly when α² > 1/2", () => {
  // cos(S_i, T_i) = (1 - α²)/(1 + α²); cos(S_i, S_j) = α²/(1 + α²); cos(S_i, T_j) = -α²/(1 + α²).
  // Weak always succeeds; strong needs 1 - α² > α².
  const high = languageOffset(10, Math.sqrt(0.6));
  const r = retrievalAccuracy(high.s, high.t);
  assert.equal(r.weak, 1);
  assert.equal(r.strong, 0);
  assert.equal(r.n, 10);
  const low = languageOffset(10, Math.sqrt(0.4));
  const r2 = retrievalAccuracy(low.s, low.t);
  assert.equal(r2.weak, 1);
  assert.equal(r2.strong, 1);
});

test("a slightly rotated, noisy copy is retrieved perfectly; unrelated vectors are not", () => {
  const rng = new Rng(41);
  const n = 100;
  const d = 64;
  const s = randomMatrix(n, d, rng);
  // Q: product of small Givens rotations in random planes, close to the identity.
  let q: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
  for (let k = 0; k < 20; k++) {
    const p1 = rng.int(d);
    const p2 = (p1 + 1 + rng.int(d - 1)) % d;
    const angle = 0.15;
    const g: number[][] = Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => (i === j ? 1 : 0)));
    g[p1]![p1] = Math.cos(angle);
    g[p2]![p2] = Math.cos(angle);
    g[p1]![p2] = -Math.sin(angle);
    g[p2]![p1] = Math.sin(angle);
    q = matmul(q, g);
  }
  const t = matmul(s, q).map((row) => row.map((v) => v + 0.1 * normal(rng)));
  const r = retrievalAccuracy(s, t);
  assert.equal(r.weak, 1);
  assert.equal(r.strong, 1);
  const unrelated = retrievalAccuracy(s, randomMatrix(n, d, rng));
  assert.ok(unrelated.weak < 0.1, `chance-level weak accuracy ${unrelated.weak}`);
});

test("same-language near-duplicates break strong but not weak accuracy, as the brute force says", () => {
  const rng = new Rng(42);
  const n = 30;
  const d = 16;
  const s = randomMatrix(n, d, rng);
  // Rows 2k+1 are near-duplicates of rows 2k for k < 5 in the source language only.
  for (let k = 0; k < 5; k++) s[2 * k + 1] = s[2 * k]!.map((v) => v + 0.01 * normal(rng));
  const t = s.map((row) => row.map((v) => v + 0.3 * normal(rng)));
  const r = retrievalAccuracy(s, t);
  const ref = bruteForce(s, t);
  assertNear(r.weak, ref.weak, 1e-12, "weak");
  assertNear(r.strong, ref.strong, 1e-12, "strong");
  // The duplicated source rows (10 of them) lose the strong source→target query.
  assert.ok(r.strongSourceToTarget <= (n - 10) / n);
  assert.ok(r.strong < r.weak);
  assert.ok(r.weakSourceToTarget >= (n - 10) / n);
});

test("random cases agree with the brute force in every direction", () => {
  const rng = new Rng(43);
  for (let trial = 0; trial < 10; trial++) {
    const n = 5 + rng.int(20);
    const d = 2 + rng.int(8);
    const s = randomMatrix(n, d, rng);
    const t = s.map((row) => row.map((v) => v + (0.3 + trial * 0.1) * normal(rng)));
    const r = retrievalAccuracy(s, t);
    const ref = bruteForce(s, t);
    assertNear(r.weak, ref.weak, 1e-12, `weak, trial ${trial}`);
    assertNear(r.strong, ref.strong, 1e-12, `strong, trial ${trial}`);
  }
});

test("ties are not retrievals; zero vectors and shape mismatches are rejected", () => {
  const same = [
    [1, 0],
    [1, 0],
  ];
  assert.equal(retrievalAccuracy(same, same).weak, 0);
  assert.throws(() => retrievalAccuracy([[0, 0], [1, 0]], [[1, 0], [0, 1]]), /zero vector/);
  assert.throws(() => retrievalAccuracy([[1, 0]], [[1, 0]]), /2 pairs/);
  assert.throws(() => retrievalAccuracy([[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0]]), /dimensions/);
});

test("per-layer retrieval maps over layers", () => {
  const a = languageOffset(6, Math.sqrt(0.6));
  const b = languageOffset(6, Math.sqrt(0.4));
  const layers = retrievalByLayer([a.s, b.s], [a.t, b.t]);
  assert.deepEqual(layers.map((l) => l.strong), [0, 1]);
});

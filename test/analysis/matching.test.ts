import { test } from "node:test";
import assert from "node:assert/strict";
import { maxWeightMatching, type Matching } from "../../src/analysis/matching.js";
import { Rng } from "../../src/util/rng.js";
import { assertNear } from "./helpers.js";

/** Best total weight over every injective assignment of the smaller side, by exhaustive search. */
function bruteForceBest(w: number[][]): number {
  const rows = w.length;
  const cols = w[0]!.length;
  const used = new Array<boolean>(cols).fill(false);
  const pick = Math.min(rows, cols);
  let best = -Infinity;
  // Rows may go unmatched only when there are more rows than columns.
  const skipsAllowed = rows - pick;
  const visit = (row: number, skips: number, total: number): void => {
    if (row === rows) {
      best = Math.max(best, total);
      return;
    }
    if (skips < skipsAllowed) visit(row + 1, skips + 1, total);
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      visit(row + 1, skips, total + w[row]![j]!);
      used[j] = false;
    }
  };
  visit(0, 0, 0);
  return best;
}

function checkValid(m: Matching, w: number[][]): void {
  const rows = w.length;
  const cols = w[0]!.length;
  assert.equal(m.pairs.length, Math.min(rows, cols));
  const seenCols = new Set<number>();
  let total = 0;
  for (const [i, j] of m.pairs) {
    assert.ok(!seenCols.has(j), `column ${j} used twice`);
    seenCols.add(j);
    assert.equal(m.rowToCol[i], j);
    assert.equal(m.colToRow[j], i);
    total += w[i]![j]!;
  }
  assertNear(m.totalWeight, total, 1e-9, "totalWeight");
  for (let i = 0; i < rows; i++) if (m.rowToCol[i] === -1) assert.ok(rows > cols);
}

function randomWeights(rows: number, cols: number, rng: Rng, integer: boolean): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => (integer ? rng.int(4) - 1 : rng.float() * 2 - 1)),
  );
}

test("a small case by hand", () => {
  // Of the six assignments, rows→cols (0, 2, 1) gives 4 + 5 + 2 = 11, the unique maximum.
  const w = [
    [4, 1, 3],
    [2, 0, 5],
    [3, 2, 2],
  ];
  const m = maxWeightMatching(w);
  assert.deepEqual(Array.from(m.rowToCol), [0, 2, 1]);
  assert.equal(m.totalWeight, 11);
});

test("square matrices up to 7×7 match exhaustive search", () => {
  const rng = new Rng(21);
  for (let n = 1; n <= 7; n++) {
    for (let trial = 0; trial < 20; trial++) {
      const w = randomWeights(n, n, rng, false);
      const m = maxWeightMatching(w);
      checkValid(m, w);
      assertNear(m.totalWeight, bruteForceBest(w), 1e-9, `n = ${n}, trial ${trial}`);
    }
  }
});

test("rectangular matrices, both orientations, match exhaustive search", () => {
  const rng = new Rng(22);
  for (const [rows, cols] of [
    [1, 5],
    [2, 6],
    [3, 7],
    [5, 2],
    [7, 3],
    [6, 4],
  ] as const) {
    for (let trial = 0; trial < 15; trial++) {
      const w = randomWeights(rows, cols, rng, false);
      const m = maxWeightMatching(w);
      checkValid(m, w);
      assertNear(m.totalWeight, bruteForceBest(w), 1e-9, `${rows}×${cols}, trial ${trial}`);
    }
  }
});

test("heavy ties (small integer weights) still give an optimal valid matching", () => {
  const rng = new Rng(23);
  for (let trial = 0; trial < 60; trial++) {
    const rows = 1 + rng.int(7);
    const cols = 1 + rng.int(7);
    const w = randomWeights(rows, cols, rng, true);
    const m = maxWeightMatching(w);
    checkValid(m, w);
    assert.equal(m.totalWeight, bruteForceBest(w), `${rows}×${cols}, trial ${trial}`);
  }
  const constant = Array.from({ length: 4 }, () => [1, 1, 1, 1]);
  const m = maxWeightMatching(constant);
  checkValid(m, constant);
  assert.equal(m.totalWeight, 4);
});

test("recovers a hidden permutation and handles large inputs quickly", () => {
  const rng = new Rng(24);
  const n = 300;
  const perm = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  // Strong diagonal on the permuted positions over small noise elsewhere.
  const w = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (perm[i] === j ? 1 : 0) + 0.3 * rng.float()));
  const start = Date.now();
  const m = maxWeightMatching(w);
  assert.ok(Date.now() - start < 3000);
  assert.deepEqual(Array.from(m.rowToCol), perm);
});

test("empty and malformed inputs", () => {
  const m = maxWeightMatching([]);
  assert.equal(m.pairs.length, 0);
  assert.equal(m.totalWeight, 0);
  assert.throws(() => maxWeightMatching([[1, 2], [3]]), /length/);
  assert.throws(() => maxWeightMatching([[1, NaN]]), /finite/);
});

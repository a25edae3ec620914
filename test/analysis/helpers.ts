// Test helpers for the analysis routines: tolerance checks and seeded random matrices.
import assert from "node:assert/strict";
import { Rng } from "../../src/util/rng.js";

export function assertNear(actual: number, expected: number, tol: number, what = "value"): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    assert.fail(`${what}: ${actual} vs expected ${expected} (difference ${Math.abs(actual - expected)} > ${tol})`);
  }
}

/** Standard normal draws by the Box–Muller transform. */
export function normal(rng: Rng): number {
  const u = 1 - rng.float(); // in (0, 1], so the log is finite
  const v = rng.float();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function randomMatrix(rows: number, cols: number, rng: Rng): number[][] {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => normal(rng)));
}

/** A random d×d orthogonal matrix: Gram–Schmidt on Gaussian columns. */
export function randomOrthogonal(d: number, rng: Rng): number[][] {
  const cols: number[][] = [];
  while (cols.length < d) {
    const v = Array.from({ length: d }, () => normal(rng));
    for (const u of cols) {
      const dot = v.reduce((s, x, i) => s + x * u[i]!, 0);
      for (let i = 0; i < d; i++) v[i]! -= dot * u[i]!;
    }
    const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
    if (norm < 1e-8) continue;
    cols.push(v.map((x) => x / norm));
  }
  // Row i, column j = cols[j][i].
  return Array.from({ length: d }, (_, i) => cols.map((c) => c[i]!));
}

export function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
}

/**
 * Test reference only (the engine version is src/experts/svd.ts): the hand-written
 * float64 truncated SVD xling used before it ran on libtorch.
 * Truncated SVD by the randomized range finder (Halko, Martinsson & Tropp):
 * sample the range of A with Gaussian vectors, sharpen it with power
 * iterations, then take the exact SVD of the small projected matrix. The
 * Gaussian draws come from a seeded Rng, so equal seeds give equal results.
 */
import { Rng } from "../../src/util/rng.js";
import { symmetricEigen } from "../../src/analysis/linalg.js";

/** A row-major dense matrix. */
export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export interface TruncatedSvd {
  /** rows x rank left singular vectors, row-major. */
  u: Matrix;
  /** Singular values, descending, all > 0. */
  s: Float64Array;
  /** cols x rank right singular vectors, row-major (column j is the j-th vector). */
  v: Matrix;
}

export interface SvdOptions {
  seed?: number;
  /** Extra random directions beyond k (default 10). */
  oversample?: number;
  /** Power iterations (default 4); more help when singular values decay slowly. */
  powerIterations?: number;
}

function gaussian(rng: Rng): number {
  const u = 1 - rng.float(); // (0, 1], finite log
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.float());
}

/** A (r x c) times B (c x m). */
function multiply(a: Matrix, b: Matrix): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`multiply: ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const out = new Float64Array(a.rows * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p]!;
      if (x === 0) continue; // TF-IDF matrices are mostly zeros
      const bRow = p * b.cols;
      const oRow = i * b.cols;
      for (let j = 0; j < b.cols; j++) out[oRow + j]! += x * b.data[bRow + j]!;
    }
  }
  return { rows: a.rows, cols: b.cols, data: out };
}

/** A^T (c x r) times B (r x m). */
function multiplyTransposeA(a: Matrix, b: Matrix): Matrix {
  if (a.rows !== b.rows) throw new RangeError(`multiplyTransposeA: ${a.rows}x${a.cols} and ${b.rows}x${b.cols}`);
  const out = new Float64Array(a.cols * b.cols);
  for (let i = 0; i < a.rows; i++) {
    for (let p = 0; p < a.cols; p++) {
      const x = a.data[i * a.cols + p]!;
      if (x === 0) continue;
      for (let j = 0; j < b.cols; j++) out[p * b.cols + j]! += x * b.data[i * b.cols + j]!;
    }
  }
  return { rows: a.cols, cols: b.cols, data: out };
}

function norm2(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

/**
 * Orthonormalises the columns in place by modified Gram-Schmidt, applied twice
 * for stability; a column that vanishes (dependent) is dropped. Returns the basis.
 */
function orthonormalColumns(m: Matrix): Matrix {
  const cols: Float64Array[] = [];
  for (let j = 0; j < m.cols; j++) {
    const v = new Float64Array(m.rows);
    for (let i = 0; i < m.rows; i++) v[i] = m.data[i * m.cols + j]!;
    const original = norm2(v);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += v[i]! * q[i]!;
        for (let i = 0; i < v.length; i++) v[i]! -= dot * q[i]!;
      }
    }
    const norm = norm2(v);
    if (!(norm > 1e-10 * Math.max(original, 1e-300))) continue;
    for (let i = 0; i < v.length; i++) v[i]! /= norm;
    cols.push(v);
  }
  const out = new Float64Array(m.rows * cols.length);
  cols.forEach((q, j) => q.forEach((x, i) => (out[i * cols.length + j] = x)));
  return { rows: m.rows, cols: cols.length, data: out };
}

/**
 * The top-k singular triplets of A (fewer when A's numerical rank is lower:
 * singular values below 1e-10 of the largest are dropped).
 */
export function referenceTruncatedSvd(a: Matrix, k: number, opts: SvdOptions = {}): TruncatedSvd {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`truncatedSvd: k must be a positive integer, got ${k}`);
  const rng = new Rng(opts.seed ?? 0);
  const width = Math.min(k + (opts.oversample ?? 10), a.rows, a.cols);
  const omega: Matrix = { rows: a.cols, cols: width, data: new Float64Array(a.cols * width) };
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = gaussian(rng);
  let q = orthonormalColumns(multiply(a, omega));
  for (let it = 0; it < (opts.powerIterations ?? 4); it++) {
    // Re-orthonormalise after each product so small singular directions survive rounding.
    const z = orthonormalColumns(multiplyTransposeA(a, q));
    q = orthonormalColumns(multiply(a, z));
  }
  // B = Q^T A is small (l x cols); its SVD via the eigen-decomposition of B B^T.
  const b = multiplyTransposeA(q, a);
  const l = b.rows;
  const bbt = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    for (let j = i; j < l; j++) {
      let dot = 0;
      for (let c = 0; c < b.cols; c++) dot += b.data[i * b.cols + c]! * b.data[j * b.cols + c]!;
      bbt[i * l + j] = dot;
      bbt[j * l + i] = dot;
    }
  }
  const eig = symmetricEigen(bbt, l);
  const top = Math.sqrt(Math.max(eig.values[0] ?? 0, 0));
  let rank = 0;
  while (rank < Math.min(k, l) && Math.sqrt(Math.max(eig.values[rank]!, 0)) > 1e-10 * top && top > 0) rank++;
  const s = new Float64Array(rank);
  const ub: Matrix = { rows: l, cols: rank, data: new Float64Array(l * rank) };
  for (let j = 0; j < rank; j++) {
    s[j] = Math.sqrt(eig.values[j]!);
    for (let i = 0; i < l; i++) ub.data[i * rank + j] = eig.vectors[i * l + j]!;
  }
  const u = multiply(q, ub);
  // v_j = B^T ub_j / s_j
  const v = multiplyTransposeA(b, ub);
  for (let i = 0; i < v.rows; i++) for (let j = 0; j < rank; j++) v.data[i * rank + j]! /= s[j]!;
  return { u, s, v };
}

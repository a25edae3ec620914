/**
 * Truncated SVD by the randomized range finder (Halko, Martinsson & Tropp):
 * sample the range of A with Gaussian vectors, sharpen it with power
 * iterations, then take the exact SVD of the small projected matrix. The
 * Gaussian draws come from a seeded Rng, so equal seeds give equal results.
 */
import { Rng } from "../util/rng.js";

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
 * Eigen-decomposition of a symmetric n x n matrix by cyclic Jacobi rotations.
 * Returns eigenvalues in descending order and the matching eigenvectors as
 * columns of a row-major n x n matrix.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += m[i * n + j]! ** 2;
        if (i !== j) off += m[i * n + j]! ** 2;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p]!;
          const mkq = m[k * n + q]!;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k]!;
          const mqk = m[q * n + k]!;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!;
          const vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[y * n + y]! - m[x * n + x]!);
  const values = Float64Array.from(order, (i) => m[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors };
}

/**
 * The top-k singular triplets of A (fewer when A's numerical rank is lower:
 * singular values below 1e-10 of the largest are dropped).
 */
export function truncatedSvd(a: Matrix, k: number, opts: SvdOptions = {}): TruncatedSvd {
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

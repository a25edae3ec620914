/**
 * Dense row-major matrices for the analysis routines. Callers hand in plain
 * arrays of rows (number[][] or Float64Array[]); internally rows are copied
 * into one flat Float64Array so the inner loops stay tight.
 */

/** A matrix given as its rows; every row must have the same length. */
export type Rows = ReadonlyArray<ArrayLike<number>>;

/** A flat row-major copy of a matrix. */
export interface Dense {
  rows: number;
  cols: number;
  data: Float64Array;
}

/** Copies `m` into a flat array, checking it is rectangular and finite. */
export function toDense(m: Rows, what = "matrix"): Dense {
  const rows = m.length;
  const cols = rows > 0 ? m[0]!.length : 0;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = m[i]!;
    if (row.length !== cols) {
      throw new RangeError(`${what}: row ${i} has length ${row.length}, expected ${cols}`);
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j]!;
      if (!Number.isFinite(v)) throw new RangeError(`${what}: entry [${i}][${j}] is not finite: ${v}`);
      data[i * cols + j] = v;
    }
  }
  return { rows, cols, data };
}

/** Subtracts each column's mean, in place. */
export function centreColumns(m: Dense): Dense {
  const { rows, cols, data } = m;
  if (rows === 0) return m;
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < rows; i++) s += data[i * cols + j]!;
    const mu = s / rows;
    for (let i = 0; i < rows; i++) data[i * cols + j]! -= mu;
  }
  return m;
}

/**
 * Scales each row to unit Euclidean length, in place. A zero row cannot be
 * normalised; it is filled with NaN so every cosine involving it is NaN rather
 * than a silent 0.
 */
export function normaliseRows(m: Dense): Dense {
  const { rows, cols, data } = m;
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[i * cols + j]! ** 2;
    const inv = s > 0 ? 1 / Math.sqrt(s) : NaN;
    for (let j = 0; j < cols; j++) data[i * cols + j]! *= inv;
  }
  return m;
}

/** A · Bᵀ (rows of A against rows of B), as a flat rows(A) × rows(B) array. */
export function multiplyTransposed(a: Dense, b: Dense): Float64Array {
  if (a.cols !== b.cols) throw new RangeError(`inner dimensions differ: ${a.cols} vs ${b.cols}`);
  const d = a.cols;
  const ad = a.data;
  const bd = b.data;
  const nb = b.rows;
  const out = new Float64Array(a.rows * nb);
  // A · Aᵀ is symmetric: compute the upper triangle and mirror it.
  const symmetric = a === b;
  for (let i = 0; i < a.rows; i++) {
    const ai = i * d;
    for (let j = symmetric ? i : 0; j < nb; j++) {
      const bj = j * d;
      // Four independent partial sums let the loop pipeline.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let k = 0;
      for (; k + 3 < d; k += 4) {
        s0 += ad[ai + k]! * bd[bj + k]!;
        s1 += ad[ai + k + 1]! * bd[bj + k + 1]!;
        s2 += ad[ai + k + 2]! * bd[bj + k + 2]!;
        s3 += ad[ai + k + 3]! * bd[bj + k + 3]!;
      }
      for (; k < d; k++) s0 += ad[ai + k]! * bd[bj + k]!;
      const s = s0 + s1 + s2 + s3;
      out[i * nb + j] = s;
      if (symmetric) out[j * nb + i] = s;
    }
  }
  return out;
}

/** Aᵀ · B (columns of A against columns of B), as a flat cols(A) × cols(B) array. */
export function transposeMultiply(a: Dense, b: Dense): Float64Array {
  if (a.rows !== b.rows) throw new RangeError(`row counts differ: ${a.rows} vs ${b.rows}`);
  const p = a.cols;
  const q = b.cols;
  const ad = a.data;
  const bd = b.data;
  const out = new Float64Array(p * q);
  // Accumulate outer products of matching rows: contiguous inner loop over B's row.
  for (let r = 0; r < a.rows; r++) {
    const ar = r * p;
    const br = r * q;
    for (let i = 0; i < p; i++) {
      const v = ad[ar + i]!;
      if (v === 0) continue;
      const oi = i * q;
      for (let j = 0; j < q; j++) out[oi + j]! += v * bd[br + j]!;
    }
  }
  return out;
}

/** Sum of squares of all entries (the squared Frobenius norm). */
export function sumOfSquares(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]! ** 2;
  return s;
}

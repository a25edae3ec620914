// Exact minimisation of a convex quadratic over a (floored) probability simplex:
//
//   argmin_alpha  c . alpha + q alpha^T G alpha   s.t.  alpha_n >= floor, sum_n alpha_n = 1
//
// with G positive semi-definite (a Gram matrix of gradients) and q >= 0. CATS's Lagrangian
// form (cats.ts) solves this once per multiplier value. The number of languages N is
// small, so the solver enumerates the 2^N - 1 possible supports: on a support S the
// stationarity conditions of the problem restricted to {alpha_S >= 0, sum = 1} are the
// linear KKT system
//
//   [ 2 q G_SS   -1 ] [ alpha_S ]   [ -c_S ]
//   [ 1^T         0 ] [   mu    ] = [   1  ]
//
// Every non-singular support whose solution is non-negative is a feasible point, and the
// optimum's smallest support is non-singular (a singular direction inside the support
// would be flat and could be followed to a smaller support), so the feasible candidate
// with the lowest objective is the exact minimiser. No step sizes, no iteration count.
//
// Ties (equal c_n with q = 0, or identical gradients) would otherwise leave the answer to
// the enumeration order, a vertex. A ridge of RIDGE times the problem's scale on the
// diagonal makes the minimiser unique: among (near-)ties, the weights nearest uniform.

/** Relative size of the tie-breaking ridge. */
export const RIDGE = 1e-9;

/** Largest N enumerated (2^N supports of an N+1 system each). */
export const MAX_SIMPLEX_QP_SIZE = 12;

/** Solves A x = b in place by Gaussian elimination with partial pivoting; null when singular. */
function solveLinear(a: number[][], b: number[]): number[] | null {
  const n = b.length;
  let scale = 0;
  for (const row of a) for (const v of row) scale = Math.max(scale, Math.abs(v));
  const tol = 1e-12 * Math.max(1, scale);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    if (Math.abs(a[pivot][col]) <= tol) return null;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    [b[col], b[pivot]] = [b[pivot], b[col]];
    for (let r = col + 1; r < n; r++) {
      const f = a[r][col] / a[col][col];
      if (f === 0) continue;
      for (let k = col; k < n; k++) a[r][k] -= f * a[col][k];
      b[r] -= f * b[col];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < n; k++) s -= a[r][k] * x[k];
    x[r] = s / a[r][r];
  }
  return x;
}

/** c . alpha + q alpha^T G alpha. */
export function quadraticObjective(alpha: ArrayLike<number>, c: ArrayLike<number>, gram: number[][], q: number): number {
  let f = 0;
  for (let n = 0; n < alpha.length; n++) {
    f += c[n] * alpha[n];
    for (let m = 0; m < alpha.length; m++) f += q * alpha[n] * gram[n][m] * alpha[m];
  }
  return f;
}

/** The minimiser on the plain simplex {beta >= 0, sum beta = 1}. */
function minimizeOnSimplex(c: number[], gram: number[][], q: number): number[] {
  const n = c.length;
  let best: number[] | null = null;
  let bestValue = Infinity;
  for (let mask = 1; mask < 1 << n; mask++) {
    const support = Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
    const k = support.length;
    const a = Array.from({ length: k + 1 }, () => new Array<number>(k + 1).fill(0));
    const b = new Array<number>(k + 1).fill(0);
    support.forEach((i, r) => {
      support.forEach((j, s) => { a[r][s] = 2 * q * gram[i][j]; });
      a[r][k] = -1;
      a[k][r] = 1;
      b[r] = -c[i];
    });
    b[k] = 1;
    const x = solveLinear(a, b);
    if (!x) continue;
    // Rounding may leave a tiny negative weight on a support that is really optimal.
    if (x.slice(0, k).some((v) => v < -1e-9)) continue;
    const beta = new Array<number>(n).fill(0);
    support.forEach((i, r) => { beta[i] = Math.max(0, x[r]); });
    const total = beta.reduce((s, v) => s + v, 0);
    for (let i = 0; i < n; i++) beta[i] /= total;
    const value = quadraticObjective(beta, c, gram, q);
    if (value < bestValue - 1e-15 * Math.max(1, Math.abs(value))) {
      bestValue = value;
      best = beta;
    }
  }
  // Singletons are never singular, so some candidate always exists.
  return best!;
}

/**
 * argmin of c . alpha + q alpha^T G alpha over {alpha_n >= floor, sum alpha = 1}.
 * The floor is handled by alpha = floor + (1 - N floor) beta with beta on the simplex.
 */
export function minimizeQuadraticOnSimplex(c: ArrayLike<number>, gram: number[][], q: number, floor = 0): number[] {
  const n = c.length;
  if (n < 1) throw new Error("minimizeQuadraticOnSimplex: no coordinates");
  if (n > MAX_SIMPLEX_QP_SIZE) throw new RangeError(`minimizeQuadraticOnSimplex: ${n} coordinates, at most ${MAX_SIMPLEX_QP_SIZE} are enumerated`);
  if (gram.length !== n || gram.some((row) => row.length !== n)) throw new Error(`minimizeQuadraticOnSimplex: Gram matrix is not ${n}x${n}`);
  if (!(q >= 0) || !Number.isFinite(q)) throw new RangeError(`minimizeQuadraticOnSimplex: q must be finite and >= 0, got ${q}`);
  if (!(floor >= 0) || floor * n >= 1) throw new RangeError(`minimizeQuadraticOnSimplex: floor ${floor} leaves no room for ${n} weights summing to 1`);
  const s = 1 - n * floor;
  // Substituting alpha = floor 1 + s beta: c' = s c + 2 q s floor G 1, q' = q s^2 (constants dropped).
  const rowSums = gram.map((row) => row.reduce((acc, v) => acc + v, 0));
  const cPrime = Array.from({ length: n }, (_, i) => s * c[i] + 2 * q * s * floor * rowSums[i]);
  const qPrime = q * s * s;
  let scale = 1;
  for (let i = 0; i < n; i++) {
    scale = Math.max(scale, Math.abs(cPrime[i]));
    for (let j = 0; j < n; j++) scale = Math.max(scale, qPrime * Math.abs(gram[i][j]));
  }
  // c . beta + beta^T (q' G + ridge I) beta, written as one quadratic with q = 1.
  const ridge = RIDGE * scale;
  const regularized = gram.map((row, i) => row.map((v, j) => qPrime * v + (i === j ? ridge : 0)));
  const beta = minimizeOnSimplex(cPrime, regularized, 1);
  return beta.map((b) => floor + s * b);
}

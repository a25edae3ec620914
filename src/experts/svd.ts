/**
 * Truncated SVD by the randomized range finder (Halko, Martinsson & Tropp) on libtorch,
 * in float64: sample the range of A with Gaussian vectors, sharpen it with power
 * iterations (QR after every product, so small singular directions survive rounding),
 * then take the exact SVD of the small projected matrix. The Gaussian draws come from a
 * seeded Rng, so equal seeds give equal results. (The former hand-written version is the
 * test reference, test/experts/svd-reference.ts.)
 */
import { tensor, tidy, type Tensor } from "../torch/index.js";
import { Rng } from "../util/rng.js";
import type { Dense } from "../analysis/matrix.js";
import { denseOf, float64Matrix } from "../analysis/engine-matrix.js";

/** A row-major dense matrix (the analysis layer's). */
export type Matrix = Dense;

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

/** An orthonormal basis of m's columns (reduced QR). */
function basis(m: Tensor): Tensor {
  return m.qr()[0];
}

/**
 * The top-k singular triplets of A (fewer when A's numerical rank is lower:
 * singular values below 1e-10 of the largest are dropped).
 */
export function truncatedSvd(a: Matrix, k: number, opts: SvdOptions = {}): TruncatedSvd {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`truncatedSvd: k must be a positive integer, got ${k}`);
  const rng = new Rng(opts.seed ?? 0);
  const width = Math.min(k + (opts.oversample ?? 10), a.rows, a.cols);
  const omega = new Float64Array(a.cols * width);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian(rng);
  return tidy(() => {
    const x = float64Matrix(a, "truncatedSvd");
    let q = basis(x.mm(tensor(omega, { shape: [a.cols, width], dtype: "float64" })));
    for (let it = 0; it < (opts.powerIterations ?? 4); it++) q = basis(x.mm(basis(x.t().mm(q))));
    // B = Q^T A is small (width x cols): its exact SVD gives A's top triplets.
    const [ub, sAll, vh] = q.t().mm(x).svd(false);
    const s = sAll.contiguous().toArray() as Float64Array;
    const top = s[0] ?? 0;
    let rank = 0;
    while (rank < Math.min(k, s.length) && top > 0 && s[rank]! > 1e-10 * top) rank++;
    return { u: denseOf(q.mm(ub.narrow(1, 0, rank))), s: s.slice(0, rank), v: denseOf(vh.narrow(0, 0, rank).t()) };
  });
}

/**
 * Balanced k-means (methods.md §4): while fitting, every centre may take at
 * most ceil(n / k) points, so clusters come out of equal size (±1); once the
 * centres are fitted, a new point simply goes to its nearest centre. Distances
 * are libtorch's cdist in float64 (the former hand-written ones are the test
 * reference, test/experts/kmeans-reference.ts).
 */
import { cdist, tidy } from "../torch/index.js";
import { Rng } from "../util/rng.js";
import { CDIST_EXACT_DIFFERENCES, float64Matrix } from "../analysis/engine-matrix.js";

export interface BalancedKMeansOptions {
  seed?: number;
  maxIterations?: number;
}

export interface BalancedKMeansFit {
  centres: Float64Array[];
  /** Balanced cluster of each training point. */
  labels: number[];
  iterations: number;
}

/** Euclidean distance of every point to every centre, row-major points x centres. */
export function pointCentreDistances(points: readonly ArrayLike<number>[], centres: readonly ArrayLike<number>[]): Float64Array {
  return tidy(() => (cdist(float64Matrix(points, "k-means points"), float64Matrix(centres, "k-means centres"), 2, CDIST_EXACT_DIFFERENCES).contiguous().toArray() as Float64Array).slice());
}

/** Index of the nearest centre (lowest index among ties). */
export function nearestCentre(point: ArrayLike<number>, centres: readonly ArrayLike<number>[]): number {
  const d = pointCentreDistances([point], centres);
  let best = -1;
  let bestD = Infinity;
  d.forEach((x, j) => {
    if (x < bestD) {
      bestD = x;
      best = j;
    }
  });
  return best;
}

/**
 * Capacity-constrained assignment: all (point, centre) pairs sorted by
 * distance (ties by point then centre index) are taken greedily, a pair being
 * used when its point is still free and its centre has room. This is the
 * simple greedy approximation to the optimal balanced assignment; it always
 * yields sizes within the capacity.
 */
export function balancedAssign(points: readonly ArrayLike<number>[], centres: readonly ArrayLike<number>[]): number[] {
  const n = points.length;
  const k = centres.length;
  const capacity = Math.ceil(n / k);
  const d = pointCentreDistances(points, centres);
  const pairs: { d: number; i: number; j: number }[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) pairs.push({ d: d[i * k + j]!, i, j });
  pairs.sort((x, y) => x.d - y.d || x.i - y.i || x.j - y.j);
  const labels = new Array<number>(n).fill(-1);
  const sizes = new Array<number>(k).fill(0);
  let left = n;
  for (const { i, j } of pairs) {
    if (left === 0) break;
    if (labels[i] !== -1 || sizes[j]! >= capacity) continue;
    labels[i] = j;
    sizes[j]!++;
    left--;
  }
  return labels;
}

/** k-means++ seeding with a seeded Rng. */
function seedCentres(points: readonly ArrayLike<number>[], k: number, rng: Rng): Float64Array[] {
  const centres = [Float64Array.from(points[rng.int(points.length)]!)];
  while (centres.length < k) {
    const d = pointCentreDistances(points, centres);
    const c = centres.length;
    const weights = points.map((_, i) => {
      let m = Infinity;
      for (let j = 0; j < c; j++) m = Math.min(m, d[i * c + j]! ** 2);
      return m;
    });
    // All points coincide with centres: any point will do.
    const pick = weights.some((w) => w > 0) ? rng.choice(weights) : rng.int(points.length);
    centres.push(Float64Array.from(points[pick]!));
  }
  return centres;
}

/** Lloyd iterations with the balanced assignment in place of nearest-centre assignment. */
export function fitBalancedKMeans(
  points: readonly ArrayLike<number>[],
  k: number,
  opts: BalancedKMeansOptions = {},
): BalancedKMeansFit {
  const n = points.length;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`fitBalancedKMeans: k must be in [1, ${n}], got ${k}`);
  const dim = points[0]!.length;
  const rng = new Rng(opts.seed ?? 0);
  const centres = seedCentres(points, k, rng);
  let labels = balancedAssign(points, centres);
  let iterations = 0;
  for (; iterations < (opts.maxIterations ?? 100); iterations++) {
    for (let j = 0; j < k; j++) {
      const sum = new Float64Array(dim);
      let count = 0;
      labels.forEach((l, i) => {
        if (l !== j) return;
        count++;
        for (let d = 0; d < dim; d++) sum[d]! += points[i]![d]!;
      });
      if (count > 0) centres[j] = sum.map((x) => x / count);
    }
    const next = balancedAssign(points, centres);
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    if (!changed) break;
  }
  return { centres, labels, iterations };
}

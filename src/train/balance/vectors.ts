// Small dense-vector arithmetic on flat gradients (Float64Array), shared by the
// gradient-surgery, CATS and per-language-gradient modules. Plain loops in float64 so
// that results do not depend on libtorch's reduction order.

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`dot: lengths differ (${a.length} vs ${b.length})`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

/** Cosine similarity; 0 when either vector is zero (no direction to compare). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = norm(a) * norm(b);
  return d === 0 ? 0 : dot(a, b) / d;
}

/** y += scale * x, in place; returns y. */
export function addScaled(y: Float64Array, x: ArrayLike<number>, scale: number): Float64Array {
  if (y.length !== x.length) throw new Error(`addScaled: lengths differ (${y.length} vs ${x.length})`);
  for (let i = 0; i < y.length; i++) y[i] += scale * x[i];
  return y;
}

/** sum_n weights[n] * vectors[n] (weights default to 1). */
export function weightedSum(vectors: ArrayLike<number>[], weights?: ArrayLike<number>): Float64Array {
  if (vectors.length === 0) throw new Error("weightedSum: no vectors");
  if (weights && weights.length !== vectors.length) throw new Error(`weightedSum: ${weights.length} weights for ${vectors.length} vectors`);
  const out = new Float64Array(vectors[0].length);
  vectors.forEach((v, n) => addScaled(out, v, weights ? weights[n] : 1));
  return out;
}

/** G[n][m] = vectors[n] . vectors[m]. */
export function gramMatrix(vectors: ArrayLike<number>[]): number[][] {
  const g = vectors.map(() => new Array<number>(vectors.length).fill(0));
  for (let n = 0; n < vectors.length; n++)
    for (let m = n; m < vectors.length; m++) g[n][m] = g[m][n] = dot(vectors[n], vectors[m]);
  return g;
}

export function assertSameLength(vectors: ArrayLike<number>[], what: string): void {
  if (vectors.length === 0) throw new Error(`${what}: no gradients`);
  for (const v of vectors)
    if (v.length !== vectors[0].length) throw new Error(`${what}: gradients differ in length (${v.length} vs ${vectors[0].length})`);
}

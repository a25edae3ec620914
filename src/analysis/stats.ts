/**
 * Summary statistics for experiment results: means with t-based confidence
 * intervals, rank and linear correlation, a paired bootstrap interval for
 * Spearman's rho (methods.md §3) and simple linear regression.
 */
import { Rng } from "../util/rng.js";

function checkFinite(xs: ArrayLike<number>, what: string): void {
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!)) throw new RangeError(`${what}: element ${i} is not finite: ${xs[i]}`);
  }
}

function checkPaired(x: ArrayLike<number>, y: ArrayLike<number>, what: string): void {
  if (x.length !== y.length) throw new RangeError(`${what}: lengths differ (${x.length} vs ${y.length})`);
  checkFinite(x, what);
  checkFinite(y, what);
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Sample variance (denominator n - 1); NaN for fewer than two values. */
export function variance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mu = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i]! - mu) ** 2;
  return s / (n - 1);
}

/** Sample standard deviation (denominator n - 1); NaN for fewer than two values. */
export function std(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs));
}

// ---------------------------------------------------------------------------
// Student t distribution

/** log Γ(x) for x > 0 (Lanczos approximation, g = 7, about 15 digits). */
export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection keeps the series in its accurate range.
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const g = 7;
  const coef = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const z = x - 1;
  let sum = coef[0]!;
  for (let i = 1; i < coef.length; i++) sum += coef[i]! / (z + i);
  const t = z + g + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * Regularised incomplete beta function I_x(a, b), by the continued fraction
 * evaluated with the modified Lentz method; the symmetry
 * I_x(a, b) = 1 - I_{1-x}(b, a) keeps the fraction in its fast-converging range.
 */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 1000; m++) {
    // Even step, then odd step of the continued fraction.
    const even = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + even * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + even / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    f *= c * d;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + odd / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return (Math.exp(logFront) * f) / a;
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df > 0, not necessarily integer). */
export function tCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`tCdf: df must be positive, got ${df}`);
  if (Number.isNaN(t)) return NaN;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` degrees of freedom, found by bisection on tCdf. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new RangeError(`tQuantile: df must be positive, got ${df}`);
  if (p === 0.5) return 0;
  if (p < 0.5) return -tQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (tCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-14 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (tCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface MeanInterval {
  mean: number;
  /** Sample standard deviation. */
  std: number;
  /** Standard error of the mean, std / sqrt(n). */
  stdErr: number;
  /** Half-width of the interval: t_{(1+level)/2, n-1} × stdErr. */
  halfWidth: number;
  lower: number;
  upper: number;
  level: number;
  n: number;
}

/**
 * Confidence interval for the mean from the t distribution with n - 1 degrees
 * of freedom (assumes roughly normal values, as for a few seeds of a run).
 * With one value the interval is unbounded (NaN width), not zero.
 */
export function meanConfidenceInterval(xs: ArrayLike<number>, level = 0.95): MeanInterval {
  if (!(level > 0 && level < 1)) throw new RangeError(`meanConfidenceInterval: level must be in (0, 1), got ${level}`);
  if (xs.length === 0) throw new RangeError("meanConfidenceInterval: no values");
  checkFinite(xs, "meanConfidenceInterval");
  const n = xs.length;
  const m = mean(xs);
  const s = std(xs);
  const stdErr = s / Math.sqrt(n);
  const halfWidth = n >= 2 ? tQuantile((1 + level) / 2, n - 1) * stdErr : NaN;
  return { mean: m, std: s, stdErr, halfWidth, lower: m - halfWidth, upper: m + halfWidth, level, n };
}

// ---------------------------------------------------------------------------
// Correlation and regression

/** Ranks 1..n; tied values share the average of the ranks they span. */
export function ranks(xs: ArrayLike<number>): Float64Array {
  const n = xs.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => xs[i]! - xs[j]!);
  const r = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && xs[order[end]!] === xs[order[start]!]) end++;
    // Positions start..end-1 hold ranks start+1..end; their average:
    const avg = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) r[order[k]!] = avg;
    start = end;
  }
  return r;
}

/** Means and centred sums of squares and cross-products of paired samples. */
function centredMoments(x: ArrayLike<number>, y: ArrayLike<number>): { mx: number; my: number; sxy: number; sxx: number; syy: number } {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i]! - mx;
    const dy = y[i]! - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return { mx, my, sxy, sxx, syy };
}

/** Pearson correlation; NaN when either variable is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y, "pearson");
  const n = x.length;
  if (n < 2) return NaN;
  const { sxy, sxx, syy } = centredMoments(x, y);
  if (sxx === 0 || syy === 0) return NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's rho: Pearson correlation of average ranks (handles ties); NaN when either is constant. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPaired(x, y, "spearman");
  return pearson(ranks(x), ranks(y));
}

/**
 * Quantile with linear interpolation between order statistics (the common
 * "type 7" definition: position (n - 1) q in the sorted values).
 */
export function quantile(xs: ArrayLike<number>, q: number): number {
  if (xs.length === 0) return NaN;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const sorted = Float64Array.from(xs).sort();
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface BootstrapOptions {
  /** Number of resamples (default 2,000, as in methods.md §3). */
  resamples?: number;
  /** Coverage of the percentile interval (default 0.95). */
  level?: number;
  /** Seed for a fresh Rng (default 0); ignored when `rng` is given. */
  seed?: number;
  /** Generator to draw from, e.g. to continue a saved stream. */
  rng?: Rng;
}

export interface BootstrapInterval {
  /** The statistic on the original data. */
  estimate: number;
  lower: number;
  upper: number;
  level: number;
  resamples: number;
  /**
   * Resamples whose statistic was undefined (e.g. every drawn x equal) and
   * were left out of the interval; a large count means the interval is unreliable.
   */
  degenerate: number;
}

/**
 * Percentile bootstrap interval for Spearman's rho with paired resampling:
 * each resample draws n (x_i, y_i) pairs with replacement, so the pairing
 * between alignment score and transfer gap is kept.
 */
export function bootstrapSpearman(x: ArrayLike<number>, y: ArrayLike<number>, opts: BootstrapOptions = {}): BootstrapInterval {
  checkPaired(x, y, "bootstrapSpearman");
  const n = x.length;
  if (n < 3) throw new RangeError(`bootstrapSpearman: need at least 3 pairs, got ${n}`);
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`bootstrapSpearman: bad resample count ${resamples}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrapSpearman: level must be in (0, 1), got ${level}`);
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  const bx = new Float64Array(n);
  const by = new Float64Array(n);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) {
      const k = rng.int(n);
      bx[i] = x[k]!;
      by[i] = y[k]!;
    }
    const rho = spearman(bx, by);
    if (!Number.isNaN(rho)) stats.push(rho);
  }
  const alpha = 1 - level;
  return {
    estimate: spearman(x, y),
    lower: quantile(stats, alpha / 2),
    upper: quantile(stats, 1 - alpha / 2),
    level,
    resamples,
    degenerate: resamples - stats.length,
  };
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination, 1 - SS_res / SS_tot. */
  r2: number;
  n: number;
}

/** Ordinary least squares y ≈ intercept + slope·x. Throws if x is constant. */
export function linearRegression(x: ArrayLike<number>, y: ArrayLike<number>): LinearFit {
  checkPaired(x, y, "linearRegression");
  const n = x.length;
  if (n < 2) throw new RangeError(`linearRegression: need at least 2 points, got ${n}`);
  const { mx, my, sxy, sxx, syy } = centredMoments(x, y);
  if (sxx === 0) throw new RangeError("linearRegression: x is constant");
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let ssRes = 0;
  for (let i = 0; i < n; i++) ssRes += (y[i]! - intercept - slope * x[i]!) ** 2;
  // A constant y is fitted exactly by a flat line.
  const r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  return { slope, intercept, r2, n };
}

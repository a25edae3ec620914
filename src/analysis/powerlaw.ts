/**
 * Token efficiency (methods.md §1). Monolingual runs at several data amounts x
 * give points (x, 1/PPL); the saturating power law
 *
 *     1/PPL(x) = c - a · x^(-b),   a > 0, b > 0
 *
 * is fitted to them by nonlinear least squares, then inverted to turn another
 * run's perplexity into "monolingual tokens that would have reached it".
 */

import { inverseSpd, solveSpd, symmetricEigenvalues } from "./linalg.js";

export interface PowerLawParams {
  /** Asymptote of 1/PPL as x grows. */
  c: number;
  /** Scale of the gap below the asymptote (a > 0). */
  a: number;
  /** Decay exponent (b > 0). */
  b: number;
}

export interface PowerLawFit extends PowerLawParams {
  /** Number of points fitted. */
  n: number;
  /** Residual sum of squares. */
  rss: number;
  /** Root mean squared residual, sqrt(rss / n). */
  rmse: number;
  /** Coefficient of determination, 1 - rss / total sum of squares. */
  r2: number;
  /**
   * Approximate standard errors from the linearised covariance (JᵀJ)⁻¹ σ²
   * with σ² = rss / (n - 3); NaN when n = 3 or JᵀJ is singular.
   */
  stdErr: PowerLawParams;
  /**
   * Condition number of JᵀJ after scaling its columns to unit length, so it
   * measures how well the data pin the parameters down, not their units.
   */
  conditionNumber: number;
  /** The fit stopped on a convergence test rather than the iteration cap. */
  converged: boolean;
  /** conditionNumber exceeds the threshold, or JᵀJ is singular. */
  illConditioned: boolean;
  /** Fewer points than methods.md asks for (five by default). */
  tooFewPoints: boolean;
  /** Human-readable reasons not to trust this fit; empty when none. */
  warnings: string[];
  /** Smallest and largest x fitted; inversions outside it are extrapolations. */
  xRange: [number, number];
}

export interface PowerLawFitOptions {
  /** LM iterations per start (default 500). */
  maxIterations?: number;
  /** Stop when the relative RSS decrease and step are below this (default 1e-14). */
  tolerance?: number;
  /** Scaled condition number above which the fit is flagged (default 1e8). */
  conditionThreshold?: number;
  /** Fewer points than this is flagged (default 5, methods.md §1). */
  minPoints?: number;
  /** Exponents b to start from; each start gets c and a by linear least squares. */
  exponentStarts?: number[];
}

const DEFAULT_EXPONENT_STARTS = [0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2, 3, 5];

/** 1/PPL predicted at x. */
export function powerLawValue(p: PowerLawParams, x: number): number {
  return p.c - p.a * Math.pow(x, -p.b);
}

/**
 * The x at which the curve reaches y: x = (a / (c - y))^(1/b). The curve only
 * approaches c from below, so y >= c has no answer and gives NaN.
 */
export function invertPowerLaw(p: PowerLawParams, y: number): number {
  if (!(y < p.c)) return NaN;
  return Math.pow(p.a / (p.c - y), 1 / p.b);
}

export interface TokenEfficiency {
  /** Equivalent monolingual tokens / tokens seen; NaN when out of range. */
  teff: number;
  /** x at which the monolingual curve reaches 1/ppl (in the fit's x units). */
  equivalentX: number;
  /** equivalentX × tokensPerUnitX. */
  equivalentTokens: number;
  /** 1/ppl is at or above the fitted asymptote c: no finite data amount reaches it. */
  outOfRange: boolean;
  /** equivalentX lies outside the x range the curve was fitted on. */
  extrapolated: boolean;
}

/**
 * Token efficiency with the details needed to judge it.
 * `tokensPerUnitX` converts the fit's x to tokens: 1 when x was already tokens,
 * or the full data set's token count when x was a data fraction.
 */
export function tokenEfficiencyDetail(
  fit: PowerLawParams & { xRange?: [number, number] },
  ppl: number,
  tokensSeen: number,
  opts: { tokensPerUnitX?: number } = {},
): TokenEfficiency {
  if (!(ppl > 0)) throw new RangeError(`tokenEfficiency: perplexity must be positive, got ${ppl}`);
  if (!(tokensSeen > 0)) throw new RangeError(`tokenEfficiency: tokensSeen must be positive, got ${tokensSeen}`);
  const unit = opts.tokensPerUnitX ?? 1;
  const equivalentX = invertPowerLaw(fit, 1 / ppl);
  const outOfRange = Number.isNaN(equivalentX);
  const equivalentTokens = equivalentX * unit;
  const extrapolated =
    !outOfRange && fit.xRange !== undefined && (equivalentX < fit.xRange[0] || equivalentX > fit.xRange[1]);
  return { teff: equivalentTokens / tokensSeen, equivalentX, equivalentTokens, outOfRange, extrapolated };
}

/** Equivalent monolingual tokens / tokens seen (NaN when 1/ppl is above the asymptote). */
export function tokenEfficiency(
  fit: PowerLawParams,
  ppl: number,
  tokensSeen: number,
  opts: { tokensPerUnitX?: number } = {},
): number {
  return tokenEfficiencyDetail(fit, ppl, tokensSeen, opts).teff;
}

// ---------------------------------------------------------------------------
// Fitting

/**
 * Internal parameterisation θ = (c, ln a', ln b) on rescaled x' = x / s (stored as ln x'), where s
 * is the geometric mean of x. The logs keep a and b positive without
 * constraints; the rescaling keeps x'^(-b) near 1 whether x is a fraction or a
 * token count, so one set of starting exponents works for both.
 */
interface Problem {
  logXs: Float64Array; // ln x'
  y: Float64Array;
}

function residualSumOfSquares(p: Problem, theta: Float64Array): number {
  const c = theta[0]!;
  const a = Math.exp(theta[1]!);
  const b = Math.exp(theta[2]!);
  let s = 0;
  for (let i = 0; i < p.y.length; i++) s += (p.y[i]! - (c - a * Math.exp(-b * p.logXs[i]!))) ** 2;
  return Number.isFinite(s) ? s : Infinity;
}

/** JᵀJ and Jᵀr for the internal parameters, J = ∂f/∂θ. */
function normalEquations(p: Problem, theta: Float64Array): { jtj: Float64Array; jtr: Float64Array } {
  const c = theta[0]!;
  const a = Math.exp(theta[1]!);
  const b = Math.exp(theta[2]!);
  const jtj = new Float64Array(9);
  const jtr = new Float64Array(3);
  const row = new Float64Array(3);
  for (let i = 0; i < p.y.length; i++) {
    const term = a * Math.exp(-b * p.logXs[i]!); // a' x'^(-b)
    const r = p.y[i]! - (c - term);
    row[0] = 1; // ∂f/∂c
    row[1] = -term; // ∂f/∂ln a' = a' ∂f/∂a'
    row[2] = term * p.logXs[i]! * b; // ∂f/∂ln b = b ∂f/∂b
    for (let j = 0; j < 3; j++) {
      jtr[j]! += row[j]! * r;
      for (let k = 0; k < 3; k++) jtj[j * 3 + k]! += row[j]! * row[k]!;
    }
  }
  return { jtj, jtr };
}

/** Levenberg–Marquardt with Marquardt's diagonal scaling of the damping. */
function levenbergMarquardt(
  p: Problem,
  start: Float64Array,
  maxIterations: number,
  tolerance: number,
): { theta: Float64Array; rss: number; converged: boolean } {
  let theta = Float64Array.from(start);
  let rss = residualSumOfSquares(p, theta);
  let lambda = 1e-3;
  for (let iter = 0; iter < maxIterations; iter++) {
    const { jtj, jtr } = normalEquations(p, theta);
    let accepted = false;
    while (lambda < 1e20) {
      const damped = Float64Array.from(jtj);
      // A tiny floor keeps a zero diagonal (vanishing gradient column) solvable.
      for (let j = 0; j < 3; j++) damped[j * 4]! += lambda * Math.max(jtj[j * 4]!, 1e-30);
      const step = solveSpd(damped, jtr, 3);
      if (step) {
        const next = new Float64Array(3);
        for (let j = 0; j < 3; j++) next[j] = theta[j]! + step[j]!;
        const nextRss = residualSumOfSquares(p, next);
        if (nextRss < rss) {
          const decrease = (rss - nextRss) / Math.max(rss, 1e-300);
          let stepSize = 0;
          for (let j = 0; j < 3; j++) stepSize = Math.max(stepSize, Math.abs(step[j]!) / (Math.abs(theta[j]!) + 1e-8));
          theta = next;
          rss = nextRss;
          lambda = Math.max(lambda / 5, 1e-12);
          accepted = true;
          if (decrease < tolerance && stepSize < Math.sqrt(tolerance)) return { theta, rss, converged: true };
          break;
        }
      }
      lambda *= 5;
    }
    // No damping gives a downhill step: we sit at a (local) minimum to machine precision.
    if (!accepted) return { theta, rss, converged: true };
    if (rss === 0) return { theta, rss, converged: true };
  }
  return { theta, rss, converged: false };
}

/** c and a' by linear least squares for a fixed exponent: y = c - a' z with z = x'^(-b). */
function linearStart(p: Problem, b: number): Float64Array {
  const n = p.y.length;
  const z = p.logXs.map((lx) => Math.exp(-b * lx));
  let mz = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mz += z[i]!;
    my += p.y[i]!;
  }
  mz /= n;
  my /= n;
  let szz = 0;
  let szy = 0;
  for (let i = 0; i < n; i++) {
    szz += (z[i]! - mz) ** 2;
    szy += (z[i]! - mz) * (p.y[i]! - my);
  }
  // The model needs a > 0; if the best line slopes the wrong way, start from a
  // small positive a and let LM decide.
  let yScale = 0;
  for (let i = 0; i < n; i++) yScale = Math.max(yScale, Math.abs(p.y[i]!));
  const a = szz > 0 && -szy / szz > 0 ? -szy / szz : 1e-3 * (yScale || 1);
  const c = my + a * mz;
  return Float64Array.of(c, Math.log(a), Math.log(b));
}

/**
 * Fits 1/PPL = c - a x^(-b) by Levenberg–Marquardt from several starting
 * exponents, keeping the start with the smallest residual sum of squares.
 * Needs at least 3 points at 3 distinct x > 0; fewer than `minPoints` (5) or an
 * ill-conditioned problem is reported in `warnings`, not hidden.
 */
export function fitPowerLaw(x: ArrayLike<number>, y: ArrayLike<number>, opts: PowerLawFitOptions = {}): PowerLawFit {
  const n = x.length;
  if (y.length !== n) throw new RangeError(`fitPowerLaw: ${n} x values but ${y.length} y values`);
  for (let i = 0; i < n; i++) {
    if (!(x[i]! > 0) || !Number.isFinite(x[i]!)) throw new RangeError(`fitPowerLaw: x[${i}] must be finite and positive, got ${x[i]}`);
    if (!Number.isFinite(y[i]!)) throw new RangeError(`fitPowerLaw: y[${i}] is not finite: ${y[i]}`);
  }
  const distinct = new Set(Array.from(x)).size;
  if (distinct < 3) throw new RangeError(`fitPowerLaw: three parameters need at least 3 distinct x values, got ${distinct}`);

  const maxIterations = opts.maxIterations ?? 500;
  const tolerance = opts.tolerance ?? 1e-14;
  const conditionThreshold = opts.conditionThreshold ?? 1e8;
  const minPoints = opts.minPoints ?? 5;

  let logScale = 0;
  for (let i = 0; i < n; i++) logScale += Math.log(x[i]!);
  logScale /= n;
  const logXs = Float64Array.from(x, (v) => Math.log(v) - logScale);
  const problem: Problem = { logXs, y: Float64Array.from(y) };

  let best: { theta: Float64Array; rss: number; converged: boolean } | null = null;
  for (const b of opts.exponentStarts ?? DEFAULT_EXPONENT_STARTS) {
    const result = levenbergMarquardt(problem, linearStart(problem, b), maxIterations, tolerance);
    if (!best || result.rss < best.rss) best = result;
  }
  const { theta, rss, converged } = best!;

  const c = theta[0]!;
  const b = Math.exp(theta[2]!);
  // Undo the rescaling: a' x'^(-b) = a' (x/s)^(-b) = (a' s^b) x^(-b).
  const a = Math.exp(theta[1]! + b * logScale);

  // Linearised covariance in the natural parameters (c, a, b), scaled to unit
  // columns for a meaningful condition number and a stable inverse.
  const aPrime = Math.exp(theta[1]!);
  const jtj = new Float64Array(9);
  for (let i = 0; i < n; i++) {
    const zPrime = Math.exp(-b * logXs[i]!); // x'^(-b)
    const xPowB = zPrime * Math.exp(-b * logScale); // x^(-b)
    const row = [1, -xPowB, aPrime * zPrime * Math.log(x[i]!)];
    for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) jtj[j * 3 + k]! += row[j]! * row[k]!;
  }
  const scale = [0, 1, 2].map((j) => 1 / Math.sqrt(jtj[j * 4]!));
  const scaled = jtj.map((v, idx) => v * scale[Math.floor(idx / 3)]! * scale[idx % 3]!);
  const eig = symmetricEigenvalues(scaled, 3);
  const conditionNumber = eig[0]! > 0 ? eig[2]! / eig[0]! : Infinity;
  const scaledInverse = Number.isFinite(conditionNumber) ? inverseSpd(scaled, 3) : null;
  const sigma2 = n > 3 ? rss / (n - 3) : NaN;
  const se = [0, 1, 2].map((j) =>
    scaledInverse ? Math.sqrt(sigma2 * scaledInverse[j * 4]!) * scale[j]! : NaN,
  );

  let my = 0;
  for (let i = 0; i < n; i++) my += y[i]!;
  my /= n;
  let sst = 0;
  for (let i = 0; i < n; i++) sst += (y[i]! - my) ** 2;

  const illConditioned = !(conditionNumber <= conditionThreshold);
  const tooFewPoints = n < minPoints;
  const warnings: string[] = [];
  if (tooFewPoints) warnings.push(`only ${n} points; at least ${minPoints} are needed for a trustworthy fit`);
  if (illConditioned) {
    warnings.push(
      `ill-conditioned: scaled condition number ${conditionNumber.toExponential(2)} > ${conditionThreshold.toExponential(0)}; ` +
        "the data do not pin down c, a and b separately (widen the range of x)",
    );
  }
  if (!converged) warnings.push(`did not converge within ${maxIterations} iterations`);
  if (n === 3) warnings.push("no residual degrees of freedom: standard errors are undefined");
  const values = { c, a, b };
  for (const [name, err] of [["c", se[0]!], ["a", se[1]!], ["b", se[2]!]] as const) {
    if (err > Math.abs(values[name])) warnings.push(`${name} is poorly determined: standard error ${err.toPrecision(3)} exceeds |${name}|`);
  }

  let xMin = Infinity;
  let xMax = -Infinity;
  for (let i = 0; i < n; i++) {
    xMin = Math.min(xMin, x[i]!);
    xMax = Math.max(xMax, x[i]!);
  }
  return {
    c,
    a,
    b,
    n,
    rss,
    rmse: Math.sqrt(rss / n),
    r2: sst > 0 ? 1 - rss / sst : NaN,
    stdErr: { c: se[0]!, a: se[1]!, b: se[2]! },
    conditionNumber,
    converged,
    illConditioned,
    tooFewPoints,
    warnings,
    xRange: [xMin, xMax],
  };
}

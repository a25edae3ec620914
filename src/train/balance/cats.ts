// Curvature-aware task scaling (CATS, methods.md §5): per-language loss weights alpha_n,
// updated every k training steps. The paper's algorithm text is not public; what it
// states is a meta objective "guiding multilingual training to low-curvature
// neighborhoods with uniformly low loss for all languages", weights learned "such that
// the combined gradients will guide the optimization trajectory to low curvature
// region". Two forms are implemented, both documented as inferred (docs/methods-fidelity.md):
//
// form "lagrangian" (default): a constrained problem on the simplex,
//
//   min_alpha  sum_n alpha_n c_n   s.t.  S(alpha) <= budget * S(uniform),  alpha_n >= eps,  sum_n alpha_n = 1
//
// with the Lagrangian  sum_n alpha_n c_n + lambda (S(alpha) / S(uniform) - budget).  For a
// fixed multiplier the problem in alpha is a convex quadratic on the (floored) simplex,
// solved exactly (simplex-qp.ts); the multiplier then takes one projected ascent step,
// lambda <- max(0, lambda + rate * (S(alpha)/S(uniform) - budget)), and keeps its value
// from one update to the next (checkpointed). The budget is relative to the uniform
// weights' proxy so that it does not depend on the gradients' scale, which falls during
// training.
//
// form "penalty": the third-party reading in use before, a few projected gradient steps on
//
//   F(alpha) = sum_n alpha_n c_n - lambda_c (eps - S(alpha)) + lambda_s (sum_n alpha_n - 1)^2 - sum_n lambda_n (alpha_n - eps)
//
// with fixed multipliers (or dual ascent when dualLearningRate > 0), alpha_n >= eps after
// every step and the sum-to-one constraint only a penalty.
//
// In both: S is the curvature proxy, ||sum_n alpha_n g_n||^2 = alpha^T G alpha from the Gram
// matrix G_nm = g_n . g_m ("combined", what the paper's "combined gradients" describes;
// its alpha-gradient carries the cross-language dot products) or sum_n alpha_n^2 ||g_n||^2
// ("concatenated"). The g_n and losses L_n come from each language's held-out sequences
// or from its training sequences ("source"). The objective's coefficients c_n are the
// losses L_n ("weighted-loss": by itself it moves weight toward the language with the
// lowest loss) or, with objective "look-ahead", the mean held-out loss predicted after a
// step of size eta along g_n, c_n = mean_m L_m^val - eta h . g_n with h the mean held-out
// gradient (first order; the second-order term of the same expansion is the curvature
// term, eta^2/2 (sum alpha g)^T H (sum alpha g), which the proxy stands in for).
import { minimizeQuadraticOnSimplex } from "./simplex-qp.js";
import { dot, gramMatrix, weightedSum } from "./vectors.js";

export type CurvatureProxy = "concatenated" | "combined";
export type CatsForm = "lagrangian" | "penalty";
export type CatsSource = "held-out" | "training";
export type CatsObjective = "weighted-loss" | "look-ahead";

/** Which terms of the Lagrangian are present. */
export interface CatsConstraints {
  /** -lambda_c (eps - S(alpha)). */
  curvature: boolean;
  /** +lambda_s (sum alpha - 1)^2. */
  sumToOne: boolean;
  /** -sum lambda_n (alpha_n - eps); the projection alpha_n >= eps is applied regardless. */
  floor: boolean;
}

export interface CatsOptions {
  /** Exact simplex minimisation with multiplier ascent, or the earlier penalty descent. */
  form: CatsForm;
  /** Where L_n and g_n come from. */
  source: CatsSource;
  /** c_n = L_n, or the look-ahead held-out loss after a step along g_n. */
  objective: CatsObjective;
  /** Look-ahead: eta, the step along the weighted gradient. */
  lookAheadStep: number;
  /** Lagrangian form: the curvature budget as a fraction of the uniform weights' S. */
  curvatureBudget: number;
  /** Lagrangian form: ascent rate of the curvature multiplier. */
  multiplierLearningRate: number;
  constraints: CatsConstraints;
  curvatureProxy: CurvatureProxy;
  /** k: update alpha every k training steps. */
  updateInterval: number;
  /** Penalty form: gradient steps on F per update. Lagrangian form: (exact primal, dual ascent) rounds per update. */
  metaSteps: number;
  /** Step size of those gradient steps. */
  metaLearningRate: number;
  /** Initial curvature multiplier (>= 0), both forms. */
  lambdaCurvature: number;
  /** lambda_s (>= 0), fixed: a penalty weight. */
  lambdaSum: number;
  /** Initial lambda_n (>= 0), the same for every language. */
  lambdaFloor: number;
  /** eps: the smallest weight (both forms) and the penalty form's absolute curvature budget. */
  epsilon: number;
  /** Penalty form: step of dual ascent on lambda_c and lambda_n; 0 keeps the multipliers fixed. */
  dualLearningRate: number;
}

/**
 * Defaults: the combined-gradient Lagrangian on training batches with the look-ahead
 * objective, updated every 100 steps. Of the variants measured on the Debian Reference
 * at 80/15/5 (docs/balancing.md), the look-ahead one was the only one that did not hurt a
 * language; with c_n = L_n the Lagrangian puts almost all weight on the lowest-loss
 * language. The earlier default is { form: "penalty", source: "held-out",
 * curvatureProxy: "concatenated", objective: "weighted-loss" } (PENALTY_CATS_OPTIONS).
 */
export const DEFAULT_CATS_OPTIONS: CatsOptions = {
  form: "lagrangian",
  source: "training",
  objective: "look-ahead",
  lookAheadStep: 1,
  curvatureBudget: 1,
  multiplierLearningRate: 1,
  constraints: { curvature: true, sumToOne: true, floor: true },
  curvatureProxy: "combined",
  updateInterval: 100,
  metaSteps: 5,
  metaLearningRate: 0.01,
  lambdaCurvature: 1,
  lambdaSum: 10,
  lambdaFloor: 0,
  epsilon: 1e-3,
  dualLearningRate: 0,
};

/** The earlier default form, kept as a named option. */
export const PENALTY_CATS_OPTIONS: Partial<CatsOptions> = { form: "penalty", source: "held-out", curvatureProxy: "concatenated", objective: "weighted-loss" };

/** The quantities one update is built from. */
export interface CatsProblem {
  /** c_n, the objective's coefficient per language: L_n, or the look-ahead loss. */
  losses: number[];
  /** gram[n][m] = g_n . g_m (only the diagonal is used by the concatenated proxy). */
  gram: number[][];
}

export function catsProblem(losses: number[], grads: ArrayLike<number>[]): CatsProblem {
  if (losses.length !== grads.length) throw new Error(`catsProblem: ${losses.length} losses for ${grads.length} gradients`);
  return { losses: losses.slice(), gram: gramMatrix(grads) };
}

/**
 * Look-ahead coefficients: the mean held-out loss predicted (to first order) after a step
 * of size eta along each language's gradient g_n,
 *   c_n = mean_m L_m^val - eta * h . g_n,   h = mean_m h_m (held-out gradients).
 * Since the weights sum to one, sum_n alpha_n c_n is the prediction for the step along sum_n alpha_n g_n.
 */
export function lookAheadCoefficients(heldOutLosses: number[], heldOutGrads: ArrayLike<number>[], grads: ArrayLike<number>[], eta: number): number[] {
  if (heldOutLosses.length !== heldOutGrads.length || heldOutGrads.length !== grads.length)
    throw new Error(`lookAheadCoefficients: ${heldOutLosses.length} held-out losses, ${heldOutGrads.length} held-out gradients, ${grads.length} gradients`);
  const count = grads.length;
  const meanLoss = heldOutLosses.reduce((a, b) => a + b, 0) / count;
  const h = weightedSum(heldOutGrads, new Array<number>(count).fill(1 / count));
  return grads.map((g) => meanLoss - eta * dot(h, g));
}

export interface CatsMultipliers {
  curvature: number;
  floor: number[];
}

/** S(alpha), the squared norm of the weighted gradients. */
export function weightedGradientNormSq(alpha: ArrayLike<number>, gram: number[][], proxy: CurvatureProxy): number {
  let s = 0;
  for (let n = 0; n < alpha.length; n++) {
    if (proxy === "concatenated") s += alpha[n] * alpha[n] * gram[n][n];
    else for (let m = 0; m < alpha.length; m++) s += alpha[n] * gram[n][m] * alpha[m];
  }
  return s;
}

function checkShapes(alpha: ArrayLike<number>, problem: CatsProblem, multipliers: CatsMultipliers): void {
  const n = alpha.length;
  if (problem.losses.length !== n || problem.gram.length !== n || multipliers.floor.length !== n)
    throw new Error(`cats: ${n} weights, ${problem.losses.length} losses, ${problem.gram.length} gram rows, ${multipliers.floor.length} floor multipliers`);
}

/** F(alpha) as written in the header, with the enabled terms only. */
export function catsLagrangian(alpha: ArrayLike<number>, problem: CatsProblem, multipliers: CatsMultipliers, opts: CatsOptions): number {
  checkShapes(alpha, problem, multipliers);
  const eps = opts.epsilon;
  let f = 0;
  let sum = 0;
  for (let n = 0; n < alpha.length; n++) {
    f += alpha[n] * problem.losses[n];
    sum += alpha[n];
    if (opts.constraints.floor) f -= multipliers.floor[n] * (alpha[n] - eps);
  }
  if (opts.constraints.curvature) f -= multipliers.curvature * (eps - weightedGradientNormSq(alpha, problem.gram, opts.curvatureProxy));
  if (opts.constraints.sumToOne) f += opts.lambdaSum * (sum - 1) ** 2;
  return f;
}

/** dF/dalpha. */
export function catsLagrangianGradient(alpha: ArrayLike<number>, problem: CatsProblem, multipliers: CatsMultipliers, opts: CatsOptions): Float64Array {
  checkShapes(alpha, problem, multipliers);
  const count = alpha.length;
  let sum = 0;
  for (let n = 0; n < count; n++) sum += alpha[n];
  const out = new Float64Array(count);
  for (let n = 0; n < count; n++) {
    let d = problem.losses[n];
    if (opts.constraints.curvature) {
      // dS/dalpha_n: 2 alpha_n G_nn (concatenated) or 2 (G alpha)_n (combined).
      let ds = 0;
      if (opts.curvatureProxy === "concatenated") ds = 2 * alpha[n] * problem.gram[n][n];
      else for (let m = 0; m < count; m++) ds += 2 * problem.gram[n][m] * alpha[m];
      d += multipliers.curvature * ds;
    }
    if (opts.constraints.sumToOne) d += 2 * opts.lambdaSum * (sum - 1);
    if (opts.constraints.floor) d -= multipliers.floor[n];
    out[n] = d;
  }
  return out;
}

/**
 * One CATS update: opts.metaSteps projected gradient steps on F from alpha (each
 * followed by a dual ascent step when opts.dualLearningRate > 0). Pure: returns new
 * weights and multipliers.
 */
export function catsMetaUpdate(alpha: ArrayLike<number>, problem: CatsProblem, multipliers: CatsMultipliers, opts: CatsOptions): { alpha: number[]; multipliers: CatsMultipliers } {
  let a = Array.from(alpha);
  let mult: CatsMultipliers = { curvature: multipliers.curvature, floor: multipliers.floor.slice() };
  const eps = opts.epsilon;
  for (let step = 0; step < opts.metaSteps; step++) {
    const g = catsLagrangianGradient(a, problem, mult, opts);
    a = a.map((v, n) => Math.max(eps, v - opts.metaLearningRate * g[n]));
    if (opts.dualLearningRate > 0) {
      // Ascent on F in the multipliers, kept >= 0: dF/dlambda_c = S - eps,
      // dF/dlambda_n = -(alpha_n - eps).
      const eta = opts.dualLearningRate;
      const s = weightedGradientNormSq(a, problem.gram, opts.curvatureProxy);
      mult = {
        curvature: opts.constraints.curvature ? Math.max(0, mult.curvature + eta * (s - eps)) : mult.curvature,
        floor: mult.floor.map((l, n) => (opts.constraints.floor ? Math.max(0, l - eta * (a[n] - eps)) : l)),
      };
    }
  }
  return { alpha: a, multipliers: mult };
}

/**
 * One update of the Lagrangian form: opts.metaSteps rounds of the exact minimiser over
 * the floored simplex at the current multiplier followed by one projected ascent step on
 * the multiplier. Pure. Without the curvature constraint the minimiser is the vertex (or
 * floored vertex) of the smallest c_n.
 */
export function catsLagrangianUpdate(problem: CatsProblem, multipliers: CatsMultipliers, opts: CatsOptions): { alpha: number[]; multipliers: CatsMultipliers; relativeCurvature: number } {
  const count = problem.losses.length;
  const uniform = new Array<number>(count).fill(1 / count);
  const reference = weightedGradientNormSq(uniform, problem.gram, opts.curvatureProxy);
  // The quadratic term is lambda * S(alpha) / S(uniform); the concatenated proxy is the diagonal of G.
  const gram = opts.curvatureProxy === "combined" ? problem.gram : problem.gram.map((row, n) => row.map((v, m) => (n === m ? v : 0)));
  let lambda = multipliers.curvature;
  let alpha = uniform;
  let relative = 1;
  for (let round = 0; round < opts.metaSteps; round++) {
    const q = opts.constraints.curvature && reference > 0 ? lambda / reference : 0;
    alpha = minimizeQuadraticOnSimplex(problem.losses, gram, q, opts.epsilon);
    relative = reference > 0 ? weightedGradientNormSq(alpha, problem.gram, opts.curvatureProxy) / reference : 0;
    if (opts.constraints.curvature) lambda = Math.max(0, lambda + opts.multiplierLearningRate * (relative - opts.curvatureBudget));
  }
  return { alpha, multipliers: { curvature: lambda, floor: multipliers.floor.slice() }, relativeCurvature: relative };
}

/** Everything a resumed run needs: plain JSON. */
export interface CatsState {
  alpha: number[];
  multipliers: CatsMultipliers;
  /** Updates done so far. */
  updates: number;
}

/** Validates options, filling unspecified ones from DEFAULT_CATS_OPTIONS. */
export function catsOptions(partial: Partial<CatsOptions> = {}): CatsOptions {
  const o: CatsOptions = { ...DEFAULT_CATS_OPTIONS, ...partial, constraints: { ...DEFAULT_CATS_OPTIONS.constraints, ...partial.constraints } };
  if (o.form !== "lagrangian" && o.form !== "penalty") throw new Error(`cats: unknown form '${o.form as string}'`);
  if (o.source !== "held-out" && o.source !== "training") throw new Error(`cats: unknown source '${o.source as string}'`);
  if (o.objective !== "weighted-loss" && o.objective !== "look-ahead") throw new Error(`cats: unknown objective '${o.objective as string}'`);
  if (o.curvatureProxy !== "concatenated" && o.curvatureProxy !== "combined") throw new Error(`cats: unknown curvature proxy '${o.curvatureProxy as string}'`);
  if (!Number.isInteger(o.updateInterval) || o.updateInterval < 1) throw new RangeError(`cats: updateInterval must be a positive integer, got ${o.updateInterval}`);
  if (!Number.isInteger(o.metaSteps) || o.metaSteps < 1) throw new RangeError(`cats: metaSteps must be a positive integer, got ${o.metaSteps}`);
  for (const k of ["metaLearningRate", "epsilon"] as const)
    if (!(o[k] > 0) || !Number.isFinite(o[k])) throw new RangeError(`cats: ${k} must be positive, got ${o[k]}`);
  for (const k of ["lambdaCurvature", "lambdaSum", "lambdaFloor", "dualLearningRate", "lookAheadStep", "curvatureBudget", "multiplierLearningRate"] as const)
    if (!(o[k] >= 0) || !Number.isFinite(o[k])) throw new RangeError(`cats: ${k} must be non-negative, got ${o[k]}`);
  return o;
}

/** CATS weights over a training run: uniform at the start, updated every k steps. */
export class CatsWeights {
  readonly options: CatsOptions;
  private current: CatsState;

  constructor(languages: number, options: Partial<CatsOptions> = {}) {
    if (!Number.isInteger(languages) || languages < 1) throw new RangeError(`CatsWeights: languages must be a positive integer, got ${languages}`);
    this.options = catsOptions(options);
    this.current = {
      alpha: new Array<number>(languages).fill(1 / languages),
      multipliers: { curvature: this.options.lambdaCurvature, floor: new Array<number>(languages).fill(this.options.lambdaFloor) },
      updates: 0,
    };
  }

  /** The loss weights to use now. */
  get weights(): number[] {
    return this.current.alpha.slice();
  }

  /** Whether training step `step` (counting from 1) ends an update interval. */
  isDue(step: number): boolean {
    return step > 0 && step % this.options.updateInterval === 0;
  }

  /** Updates the weights from held-out per-language losses and gradients; returns them. */
  update(problem: CatsProblem): number[] {
    const next = this.options.form === "lagrangian"
      ? catsLagrangianUpdate(problem, this.current.multipliers, this.options)
      : catsMetaUpdate(this.current.alpha, problem, this.current.multipliers, this.options);
    this.current = { alpha: next.alpha, multipliers: next.multipliers, updates: this.current.updates + 1 };
    return this.weights;
  }

  state(): CatsState {
    return structuredClone(this.current);
  }

  restore(state: CatsState): void {
    const n = this.current.alpha.length;
    if (state.alpha.length !== n || state.multipliers.floor.length !== n) throw new Error(`CatsWeights.restore: state is for ${state.alpha.length} languages, not ${n}`);
    this.current = structuredClone(state);
  }
}

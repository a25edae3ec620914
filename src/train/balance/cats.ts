// Curvature-aware task scaling (CATS, methods.md §5): per-language loss weights alpha_n,
// updated every k training steps by a few projected gradient steps on the Lagrangian
//
//   F(alpha) = sum_n alpha_n L_n                       (objective: weighted held-out loss)
//            - lambda_c (eps - S(alpha))                (curvature: small weighted-gradient norm)
//            + lambda_s (sum_n alpha_n - 1)^2           (weights sum to one, as a penalty)
//            - sum_n lambda_n (alpha_n - eps)           (each weight at least eps)
//
// built from held-out per-language losses L_n and gradients g_n, which stay fixed during
// one update (so F is a quadratic in alpha). S is the squared norm of the weighted
// gradients; methods.md writes it ||[alpha_n g_n]||^2, read by default as the
// concatenation, S = sum_n alpha_n^2 ||g_n||^2, with the norm of the combined update
// ||sum_n alpha_n g_n||^2 as the alternative (it also sees how gradients interact).
//
// Why a larger gradient gets a smaller weight: dS/dalpha_n = 2 alpha_n ||g_n||^2, so
// the curvature term pushes hardest on the language whose gradient is largest, the
// proxy for a sharp region of its loss; languages in flat regions keep their weight.
//
// This form comes from a third-party reimplementation, not the paper's algorithm text,
// so every part of it is an explicit option. Multipliers are fixed by default; with
// dualLearningRate > 0 each primal step is followed by one projected dual ascent step
// on lambda_c and the lambda_n (the sum-to-one term is a penalty, not a multiplier).
// After every primal step alpha is projected onto alpha_n >= eps.
import { gramMatrix } from "./vectors.js";

export type CurvatureProxy = "concatenated" | "combined";

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
  /** The only objective: sum_n alpha_n L_n on held-out losses. Named so specs state it. */
  objective: "weighted-loss";
  constraints: CatsConstraints;
  curvatureProxy: CurvatureProxy;
  /** k: update alpha every k training steps. */
  updateInterval: number;
  /** Gradient steps on F per update. */
  metaSteps: number;
  /** Step size of those gradient steps. */
  metaLearningRate: number;
  /** Initial lambda_c (>= 0). */
  lambdaCurvature: number;
  /** lambda_s (>= 0), fixed: a penalty weight. */
  lambdaSum: number;
  /** Initial lambda_n (>= 0), the same for every language. */
  lambdaFloor: number;
  /** eps: the curvature budget and the smallest weight. */
  epsilon: number;
  /** Step of dual ascent on lambda_c and lambda_n; 0 keeps the multipliers fixed. */
  dualLearningRate: number;
}

/** Defaults: the form of methods.md with fixed multipliers, updated every 100 steps. */
export const DEFAULT_CATS_OPTIONS: CatsOptions = {
  objective: "weighted-loss",
  constraints: { curvature: true, sumToOne: true, floor: true },
  curvatureProxy: "concatenated",
  updateInterval: 100,
  metaSteps: 5,
  metaLearningRate: 0.01,
  lambdaCurvature: 1,
  lambdaSum: 10,
  lambdaFloor: 0,
  epsilon: 1e-3,
  dualLearningRate: 0,
};

/** The held-out quantities one update is built from. */
export interface CatsProblem {
  /** L_n. */
  losses: number[];
  /** gram[n][m] = g_n . g_m (only the diagonal is used by the concatenated proxy). */
  gram: number[][];
}

export function catsProblem(losses: number[], grads: ArrayLike<number>[]): CatsProblem {
  if (losses.length !== grads.length) throw new Error(`catsProblem: ${losses.length} losses for ${grads.length} gradients`);
  return { losses: losses.slice(), gram: gramMatrix(grads) };
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
  if (o.objective !== "weighted-loss") throw new Error(`cats: unknown objective '${o.objective as string}'`);
  if (o.curvatureProxy !== "concatenated" && o.curvatureProxy !== "combined") throw new Error(`cats: unknown curvature proxy '${o.curvatureProxy as string}'`);
  if (!Number.isInteger(o.updateInterval) || o.updateInterval < 1) throw new RangeError(`cats: updateInterval must be a positive integer, got ${o.updateInterval}`);
  if (!Number.isInteger(o.metaSteps) || o.metaSteps < 1) throw new RangeError(`cats: metaSteps must be a positive integer, got ${o.metaSteps}`);
  for (const k of ["metaLearningRate", "epsilon"] as const)
    if (!(o[k] > 0) || !Number.isFinite(o[k])) throw new RangeError(`cats: ${k} must be positive, got ${o[k]}`);
  for (const k of ["lambdaCurvature", "lambdaSum", "lambdaFloor", "dualLearningRate"] as const)
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
    const next = catsMetaUpdate(this.current.alpha, problem, this.current.multipliers, this.options);
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

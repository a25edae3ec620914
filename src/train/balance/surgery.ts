// Gradient-surgery baselines of methods.md §5 on per-language (per-task) gradients:
// PCGrad, GradVac and GradNorm. Each is a pure function of flat float64 gradients plus,
// where the method is random, a seeded Rng; stateful methods take and return a plain
// JSON state so that a resumed run continues exactly.
import { Rng } from "../../util/rng.js";
import { addScaled, assertSameLength, dot, norm } from "./vectors.js";

export interface SurgeryResult {
  /** Each task's gradient after surgery. */
  projected: Float64Array[];
  /** Their sum: the update direction to apply. */
  combined: Float64Array;
}

function sumOf(vectors: Float64Array[]): Float64Array {
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) addScaled(out, v, 1);
  return out;
}

/** The other tasks' indices in an order drawn from rng. */
function othersInRandomOrder(n: number, i: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, j) => j).filter((j) => j !== i));
}

/**
 * PCGrad (Yu et al. 2020). For each task i, the other tasks are visited in random
 * order; whenever the running gradient g_i' conflicts with another task's ORIGINAL
 * gradient g_j (g_i' . g_j < 0), g_i' loses its component along g_j:
 *   g_i' <- g_i' - (g_i' . g_j / ||g_j||^2) g_j.
 * The update is the sum of the projected gradients. Zero gradients are never
 * projected onto (they have no direction).
 */
export function pcgrad(grads: Float64Array[], rng: Rng): SurgeryResult {
  assertSameLength(grads, "pcgrad");
  const projected = grads.map((gi, i) => {
    const g = Float64Array.from(gi);
    for (const j of othersInRandomOrder(grads.length, i, rng)) {
      const d = dot(g, grads[j]);
      const nj2 = dot(grads[j], grads[j]);
      if (d < 0 && nj2 > 0) addScaled(g, grads[j], -d / nj2);
    }
    return g;
  });
  return { projected, combined: sumOf(projected) };
}

/** GradVac's cosine targets: target[i][j] is the EMA of cos(g_i, g_j) seen so far. */
export interface GradVacState {
  targets: number[][];
}

export interface GradVacOptions {
  /** EMA rate beta: target <- (1 - beta) target + beta cos. The paper uses 0.01. */
  beta: number;
}

export function initialGradVacState(tasks: number): GradVacState {
  return { targets: Array.from({ length: tasks }, () => new Array<number>(tasks).fill(0)) };
}

/**
 * GradVac (Wang et al. 2021, "Gradient Vaccine"). For each task i and each other task
 * j in random order, with phi = cos(g_i', g_j) (g_i' the running gradient, g_j the
 * original) and phi_hat the EMA target for the ordered pair (i, j): if phi < phi_hat,
 * g_i' is moved along g_j so that its cosine with g_j becomes exactly phi_hat:
 *   g_i' <- g_i' + g_j ||g_i'|| (phi_hat sqrt(1 - phi^2) - phi sqrt(1 - phi_hat^2))
 *                      / (||g_j|| sqrt(1 - phi_hat^2)).
 * Every visited pair then updates its target with the observed phi:
 *   phi_hat <- (1 - beta) phi_hat + beta phi.
 * Targets start at 0, so in the first step only conflicting pairs are changed (like
 * PCGrad, but to orthogonality). Returns the new state; the input state is not mutated.
 */
export function gradvac(grads: Float64Array[], state: GradVacState, opts: GradVacOptions, rng: Rng): SurgeryResult & { state: GradVacState } {
  assertSameLength(grads, "gradvac");
  const n = grads.length;
  if (state.targets.length !== n || state.targets.some((row) => row.length !== n))
    throw new Error(`gradvac: state has targets for ${state.targets.length} tasks, got ${n} gradients`);
  if (!(opts.beta >= 0 && opts.beta <= 1)) throw new RangeError(`gradvac: beta must lie in [0, 1], got ${opts.beta}`);
  const targets = state.targets.map((row) => row.slice());
  const projected = grads.map((gi, i) => {
    const g = Float64Array.from(gi);
    for (const j of othersInRandomOrder(n, i, rng)) {
      const nj = norm(grads[j]);
      const ni = norm(g);
      if (nj === 0 || ni === 0) continue;
      const phi = dot(g, grads[j]) / (ni * nj);
      const target = targets[i][j];
      if (phi < target) {
        const sinTarget = Math.sqrt(1 - target * target);
        const sinPhi = Math.sqrt(Math.max(0, 1 - phi * phi));
        // A target cosine of exactly 1 would need an infinite step; leave such a pair.
        if (sinTarget > 0) addScaled(g, grads[j], (ni * (target * sinPhi - phi * sinTarget)) / (nj * sinTarget));
      }
      targets[i][j] = (1 - opts.beta) * target + opts.beta * phi;
    }
    return g;
  });
  return { projected, combined: sumOf(projected), state: { targets } };
}

/** GradNorm's learnable task weights and the losses at its first step. */
export interface GradNormState {
  weights: number[];
  /** L_i(0), the reference for each task's training rate; null until the first update. */
  initialLosses: number[] | null;
}

export interface GradNormOptions {
  /** Asymmetry alpha: how strongly slow tasks (high relative loss) get larger target norms. */
  alpha: number;
  /** Step size of the weight update. */
  learningRate: number;
  /** Floor applied before renormalising, so a weight cannot vanish or turn negative. */
  minWeight?: number;
}

export function initialGradNormState(tasks: number): GradNormState {
  return { weights: new Array<number>(tasks).fill(1), initialLosses: null };
}

/**
 * One GradNorm update (Chen et al. 2018). With G_i = ||g_i|| the norm of task i's
 * (unweighted) gradient over the chosen shared parameters, r_i = (L_i/L_i(0)) /
 * mean_j(L_j/L_j(0)) its relative inverse training rate and Gbar = mean_j(w_j G_j), the
 * weights take one gradient step on
 *   L_grad(w) = sum_i |w_i G_i - Gbar r_i^alpha|
 * holding the target Gbar r_i^alpha constant, as the paper does: dL_grad/dw_i =
 * sign(w_i G_i - Gbar r_i^alpha) G_i. They are then floored at minWeight and rescaled
 * to sum to the number of tasks. The first call records L(0) = losses.
 */
export function gradnorm(grads: Float64Array[], losses: number[], state: GradNormState, opts: GradNormOptions): GradNormState {
  assertSameLength(grads, "gradnorm");
  const n = grads.length;
  if (losses.length !== n || state.weights.length !== n)
    throw new Error(`gradnorm: ${n} gradients, ${losses.length} losses, ${state.weights.length} weights`);
  if (losses.some((l) => !(l > 0) || !Number.isFinite(l))) throw new RangeError("gradnorm: losses must be finite and positive");
  const initial = state.initialLosses ?? losses.slice();
  const ratios = losses.map((l, i) => l / initial[i]);
  const meanRatio = ratios.reduce((a, b) => a + b, 0) / n;
  const norms = grads.map((g) => norm(g));
  const meanWeightedNorm = norms.reduce((s, gn, i) => s + state.weights[i] * gn, 0) / n;
  const stepped = state.weights.map((w, i) => {
    const target = meanWeightedNorm * (ratios[i] / meanRatio) ** opts.alpha;
    const gradient = Math.sign(w * norms[i] - target) * norms[i];
    return Math.max(opts.minWeight ?? 1e-6, w - opts.learningRate * gradient);
  });
  const total = stepped.reduce((a, b) => a + b, 0);
  return { weights: stepped.map((w) => (w * n) / total), initialLosses: initial };
}


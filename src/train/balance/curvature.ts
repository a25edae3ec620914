// Measured curvature (methods.md §5): the dominant eigenvalue of a loss's Hessian with
// respect to a parameter list, by power iteration on Hessian-vector products. CATS rests
// on the claim that down-weighting languages in sharp regions helps; this measures how
// sharp each language's loss actually is.
//
// Hv comes from double backward: g = dL/dtheta with the graph recorded, then
// Hv = d(g . v)/dtheta. The iterate lives in a float64 JS vector; only products with
// the Hessian touch tensors.
import { type Tensor, grad, tidy } from "../../torch/index.js";
import { Rng } from "../../util/rng.js";
import { flattenGradients, flatLength, unflattenGradient } from "./per-language-grads.js";
import { dot, norm } from "./vectors.js";

export interface PowerIterationOptions {
  /** Seed of the random starting vector. */
  seed?: number;
  /** Most Hessian-vector products to take. */
  maxIterations?: number;
  /** Stop once successive eigenvalue estimates differ by at most tolerance * |estimate|. */
  tolerance?: number;
}

export interface TopEigenvalue {
  /**
   * The eigenvalue of largest magnitude (signed: a saddle can make it negative), as the
   * Rayleigh quotient v . Hv of the final unit iterate v.
   */
  eigenvalue: number;
  /** Hessian-vector products taken. */
  iterations: number;
  converged: boolean;
  /** The final unit iterate (an approximate eigenvector), flattened over params. */
  vector: Float64Array;
}

/** Standard normal draws from a seeded Rng (Box-Muller). */
export function gaussianVector(n: number, rng: Rng): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.float(); // in (0, 1]: log is finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * rng.float();
    out[i] = r * Math.cos(theta);
    if (i + 1 < n) out[i + 1] = r * Math.sin(theta);
  }
  return out;
}

/**
 * Returns a function computing H v for flat float64 vectors v, where H is the Hessian of
 * `loss` with respect to `params`. The first-order graph stays alive as long as the
 * enclosing scope; call inside tidy.
 */
export function hessianVectorProduct(loss: Tensor, params: Tensor[]): (v: Float64Array) => Float64Array {
  const g = grad(loss, params, { createGraph: true, retainGraph: true, allowUnused: true });
  const n = flatLength(params);
  return (v: Float64Array) =>
    tidy(() => {
      const parts = unflattenGradient(v, params);
      let product: Tensor | null = null;
      for (let k = 0; k < g.length; k++) {
        const gk = g[k];
        if (gk === null) continue;
        const term = gk.mul(parts[k]).sum();
        product = product === null ? term : product.add(term);
      }
      // A loss linear in params has a gradient that does not depend on them: H = 0.
      if (product === null || !product.requiresGrad) return new Float64Array(n);
      return flattenGradients(grad(product, params, { retainGraph: true, allowUnused: true }), params);
    });
}

/**
 * Power iteration for the Hessian's eigenvalue of largest magnitude (the "top"
 * eigenvalue when the loss is locally convex). The start is a seeded Gaussian vector.
 */
export function topHessianEigenvalue(loss: Tensor, params: Tensor[], opts: PowerIterationOptions = {}): TopEigenvalue {
  const maxIterations = opts.maxIterations ?? 100;
  const tolerance = opts.tolerance ?? 1e-6;
  if (!Number.isInteger(maxIterations) || maxIterations < 1) throw new RangeError(`topHessianEigenvalue: maxIterations must be a positive integer, got ${maxIterations}`);
  return tidy(() => {
    const hvp = hessianVectorProduct(loss, params);
    let v = gaussianVector(flatLength(params), new Rng(opts.seed ?? 0));
    v = scaled(v, 1 / norm(v));
    let estimate = 0;
    for (let it = 1; it <= maxIterations; it++) {
      const hv = hvp(v);
      const next = dot(v, hv);
      const size = norm(hv);
      if (size === 0) return { eigenvalue: 0, iterations: it, converged: true, vector: v };
      const converged = it > 1 && Math.abs(next - estimate) <= tolerance * Math.abs(next);
      estimate = next;
      if (converged) return { eigenvalue: estimate, iterations: it, converged, vector: v };
      v = scaled(hv, 1 / size);
    }
    return { eigenvalue: estimate, iterations: maxIterations, converged: false, vector: v };
  });
}

function scaled(v: Float64Array, s: number): Float64Array {
  return v.map((x) => x * s);
}

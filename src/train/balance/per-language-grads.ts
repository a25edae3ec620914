// Per-language gradients (methods.md §5): the gradient of each language's loss with
// respect to the model's parameters, taken separately so that balancing methods
// (gradient surgery, CATS) can compare and recombine them. Keeping N gradients costs N
// copies of the parameters, so a name predicate can restrict them to a subset.
import { type NamedParameters, type Tensor, grad, noGrad, tensor, tidy } from "../../torch/index.js";
import { cosine } from "./vectors.js";

/** The parameters gradients are taken over, in a fixed order, with their names. */
export interface ParameterSubset {
  names: string[];
  params: Tensor[];
  /** The other trainable parameters (they get the plain gradient). */
  rest: Tensor[];
}

/**
 * The parameters whose name passes `include` (all when omitted), keeping the model's
 * order. Parameters that do not require gradients are left out.
 */
export function selectParameters(named: NamedParameters, include?: (name: string) => boolean): ParameterSubset {
  const names: string[] = [];
  const params: Tensor[] = [];
  const rest: Tensor[] = [];
  for (const [name, p] of named) {
    if (!p.requiresGrad) continue;
    if (include && !include(name)) {
      rest.push(p);
      continue;
    }
    names.push(name);
    params.push(p);
  }
  if (params.length === 0) throw new Error("selectParameters: no parameter selected");
  return { names, params, rest };
}

/** Total number of elements of a parameter list (the length of its flat gradients). */
export function flatLength(params: Tensor[]): number {
  return params.reduce((s, p) => s + p.numel(), 0);
}

/**
 * Each language's gradient as tensors shaped like `params`: losses[n] differentiated
 * alone. The graph is retained so that every loss (and a later backward) can use it;
 * a parameter a loss does not depend on gets a zero gradient.
 */
export function perLanguageGradientTensors(losses: Tensor[], params: Tensor[]): Tensor[][] {
  if (losses.length === 0) throw new Error("perLanguageGradientTensors: no losses");
  return losses.map((loss) => {
    const gs = grad(loss, params, { retainGraph: true, allowUnused: true });
    return gs.map((g, k) => g ?? noGrad(() => params[k].zerosLike()));
  });
}

/** Each language's gradient flattened (parameters in order, row-major) into float64. */
export function perLanguageGradients(losses: Tensor[], params: Tensor[]): Float64Array[] {
  return losses.map((loss) =>
    tidy(() => {
      const gs = grad(loss, params, { retainGraph: true, allowUnused: true });
      return flattenGradients(gs, params);
    }));
}

/**
 * Concatenates gradients (one per parameter, null meaning zero) into one float64
 * vector in parameter order.
 */
export function flattenGradients(grads: (Tensor | null)[], params: Tensor[]): Float64Array {
  if (grads.length !== params.length) throw new Error(`flattenGradients: ${grads.length} gradients for ${params.length} parameters`);
  const out = new Float64Array(flatLength(params));
  let offset = 0;
  grads.forEach((g, k) => {
    const n = params[k].numel();
    if (g) {
      if (g.numel() !== n) throw new Error(`flattenGradients: gradient ${k} has ${g.numel()} elements, parameter has ${n}`);
      out.set(g.toArray() as ArrayLike<number>, offset);
    }
    offset += n;
  });
  return out;
}

/** Splits a flat gradient back into tensors shaped (and typed) like `params`. */
export function unflattenGradient(flat: Float64Array, params: Tensor[]): Tensor[] {
  const total = flatLength(params);
  if (flat.length !== total) throw new Error(`unflattenGradient: ${flat.length} values for ${total} parameter elements`);
  let offset = 0;
  return params.map((p) => {
    const n = p.numel();
    const part = flat.subarray(offset, offset + n);
    offset += n;
    return tensor(part, { shape: p.shape, dtype: p.dtype, device: p.device });
  });
}

/**
 * Sets each parameter's .grad to its slice of a combined flat gradient, replacing
 * what was accumulated, so an optimizer step applies the combined update.
 */
export function setGradients(params: Tensor[], flat: Float64Array): void {
  const parts = unflattenGradient(flat, params);
  params.forEach((p, k) => {
    p.grad = parts[k];
    // The parameter now holds its own reference to the gradient's storage.
    parts[k].dispose();
  });
}

/** Pairwise cosine between languages' gradients: C[n][m]. */
export function gradientCosines(grads: ArrayLike<number>[]): number[][] {
  return grads.map((a) => grads.map((b) => cosine(a, b)));
}

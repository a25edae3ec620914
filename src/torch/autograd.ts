// Gradient computation beyond tensor.backward(): grad mode scopes and torch.autograd.grad.
import { native, type NativeTensor } from "./native.js";
import { Tensor } from "./tensor.js";

/** Runs fn with gradient recording off (PyTorch's torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs fn with gradient recording on, e.g. inside a noGrad region. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}

function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const prev = native.set_grad_enabled(enabled) as boolean;
  try {
    return fn();
  } finally {
    native.set_grad_enabled(prev);
  }
}

export function isGradEnabled(): boolean {
  return native.is_grad_enabled() as boolean;
}

export interface GradOptions {
  gradOutputs?: Tensor[];
  retainGraph?: boolean;
  /** Record the gradient computation itself, for higher derivatives (Hessian-vector products). */
  createGraph?: boolean;
  /** Return null for inputs the outputs do not depend on instead of throwing. */
  allowUnused?: boolean;
}

/** torch.autograd.grad: d(sum of outputs)/d(inputs), without touching .grad. */
export function grad(outputs: Tensor | Tensor[], inputs: Tensor[], opts: GradOptions = {}): (Tensor | null)[] {
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const handles = native.autograd_grad(
    outs.map((t) => t.handle),
    inputs.map((t) => t.handle),
    opts.gradOutputs ? opts.gradOutputs.map((t) => t.handle) : null,
    opts.retainGraph ?? null,
    opts.createGraph ?? false,
    opts.allowUnused ?? false,
  ) as (NativeTensor | null)[];
  return handles.map((h) => (h === null ? null : new Tensor(h)));
}

/** Drops .grad of every tensor (zero_grad with set_to_none). */
export function clearGrads(tensors: Tensor[]): void {
  native.clear_grads(tensors.map((t) => t.handle));
}

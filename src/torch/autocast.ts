// Mixed precision as a scope, like tidy: ops called inside run under libtorch's autocast
// policy (matrix products in the lower-precision dtype, losses and reductions such as
// cross_entropy in float32). Parameters, gradients and optimizer state are untouched:
// they stay in the dtype they were made in. The previous autocast state comes back when
// the scope ends, also when fn throws.
import { native } from "./native.js";
import type { DType } from "./dtype.js";

export type AutocastDevice = "cpu" | "cuda";

export interface AutocastState {
  enabled: boolean;
  dtype: DType;
}

/** Whether autocast is on for the device in this thread, and its dtype. */
export function autocastState(device: AutocastDevice = "cpu"): AutocastState {
  return native.autocast_state(device) as AutocastState;
}

/**
 * Runs fn with autocast on (or off, with enabled false) for the device. fn must be
 * synchronous: autocast is thread-local state and an await would leak it to other work.
 */
export function autocast<T>(opts: { device?: AutocastDevice; dtype: DType; enabled?: boolean }, fn: () => T): T {
  const device = opts.device ?? "cpu";
  const before = native.autocast_push(device, opts.enabled ?? true, opts.dtype) as AutocastState;
  try {
    const result = fn();
    if (result instanceof Promise) throw new Error("autocast: the function must be synchronous");
    return result;
  } finally {
    native.autocast_pop(device, before.enabled, before.dtype);
  }
}

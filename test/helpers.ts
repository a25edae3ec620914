// Test helpers: tolerance checks and finite-difference gradient checks in float64.
import assert from "node:assert/strict";
import { type Tensor, grad, tensor, tidy } from "../src/torch/index.js";

export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-9, what = "value"): void {
  assert.equal(actual.length, expected.length, `${what}: length ${actual.length} vs ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(err <= tol)) assert.fail(`${what}[${i}]: ${a} vs ${e} (relative error ${err} > ${tol})`);
  }
}

/** Deterministic pseudo-random doubles in [-1, 1) for test inputs. */
export function seeded(n: number, seed: number): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

export interface GradInput {
  data: Float64Array;
  shape: number[];
}

/**
 * Compares autograd's gradient of a scalar function with central differences, for
 * every element (or `maxChecks` evenly spread ones) of every input, in float64.
 */
export function gradcheck(name: string, f: (xs: Tensor[]) => Tensor, inputs: GradInput[], opts: { eps?: number; tol?: number; maxChecks?: number } = {}): void {
  const eps = opts.eps ?? 1e-6;
  const tol = opts.tol ?? 1e-6;
  const make = (datas: Float64Array[], requiresGrad: boolean) =>
    datas.map((d, k) => tensor(d, { shape: inputs[k].shape, requiresGrad }));
  const analytic = tidy(() => {
    const xs = make(inputs.map((i) => i.data), true);
    const gs = grad(f(xs), xs, { allowUnused: true });
    return gs.map((g, k) => (g ? (g.toArray() as Float64Array) : new Float64Array(inputs[k].data.length)));
  });
  const value = (datas: Float64Array[]) => tidy(() => f(make(datas, false)).item());
  inputs.forEach((input, k) => {
    const n = input.data.length;
    const step = Math.max(1, Math.floor(n / (opts.maxChecks ?? n)));
    for (let i = 0; i < n; i += step) {
      const plus = inputs.map((x) => Float64Array.from(x.data));
      const minus = inputs.map((x) => Float64Array.from(x.data));
      plus[k][i] += eps;
      minus[k][i] -= eps;
      const numeric = (value(plus) - value(minus)) / (2 * eps);
      const a = analytic[k][i];
      const err = Math.abs(a - numeric) / Math.max(1, Math.abs(numeric));
      if (!(err <= tol)) assert.fail(`${name}: d/dinput${k}[${i}] autograd ${a} vs finite difference ${numeric} (error ${err})`);
    }
  });
}

export function input(shape: number[], seed: number, scale = 1): GradInput {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: seeded(n, seed).map((v) => v * scale), shape };
}

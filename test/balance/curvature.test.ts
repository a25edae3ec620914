// Top Hessian eigenvalue by power iteration on Hessian-vector products, against a
// quadratic of known spectrum and a dense finite-difference Hessian of a tiny GPT.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GPT } from "../../src/nn/gpt.js";
import { type Tensor, cat, grad, manualSeed, noGrad, randint, tensor, tidy } from "../../src/torch/index.js";
import { topHessianEigenvalue } from "../../src/train/balance/curvature.js";
import { flattenGradients, selectParameters } from "../../src/train/balance/per-language-grads.js";
import { assertClose } from "../helpers.js";

/** A = Q diag(eigenvalues) Q with Q = I - 2 u u^T / u.u, a symmetric orthogonal reflection. */
function symmetricWithSpectrum(eigenvalues: number[], u: number[]): number[][] {
  const n = eigenvalues.length;
  const uu = u.reduce((s, x) => s + x * x, 0);
  const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / uu;
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => eigenvalues.reduce((s, lam, k) => s + q(i, k) * lam * q(k, j), 0)));
}

/** 0.5 x^T A x with x split over two parameter tensors (so the Hessian spans both). */
function quadraticTopEigenvalue(eigenvalues: number[], u: number[]) {
  const a = symmetricWithSpectrum(eigenvalues, u);
  return tidy(() => {
    const x1 = tensor([0.3, -0.2], { dtype: "float64", requiresGrad: true });
    const x2 = tensor(Array.from({ length: eigenvalues.length - 2 }, (_, i) => 0.1 * (i + 1)), { dtype: "float64", requiresGrad: true });
    const x = cat([x1, x2]);
    const loss = x.dot(tensor(a, { dtype: "float64" }).matmul(x)).mul(0.5);
    return topHessianEigenvalue(loss, [x1, x2], { seed: 3, maxIterations: 300, tolerance: 1e-12 });
  });
}

describe("top Hessian eigenvalue", () => {
  it("finds the largest eigenvalue of a quadratic with a known spectrum", () => {
    const r = quadraticTopEigenvalue([5, 2, -1, 0.5, 3], [1, 2, -1, 0.5, 1]);
    assert.ok(r.converged, `not converged after ${r.iterations}`);
    assertClose([r.eigenvalue], [5], 1e-9, "eigenvalue");
    assert.ok(r.iterations < 300);
    // The iterate is the eigenvector: A v = 5 v.
    const a = symmetricWithSpectrum([5, 2, -1, 0.5, 3], [1, 2, -1, 0.5, 1]);
    const av = a.map((row) => row.reduce((s, x, j) => s + x * r.vector[j], 0));
    assertClose(av, Array.from(r.vector, (x) => 5 * x), 1e-5, "Av = 5v");
  });

  it("returns the signed eigenvalue of largest magnitude when it is negative", () => {
    const r = quadraticTopEigenvalue([-4, 1, 2, 0.5], [0.3, -1, 2, 1]);
    assertClose([r.eigenvalue], [-4], 1e-9, "eigenvalue");
  });

  it("is reproducible for a seed and stops at maxIterations", () => {
    const a = quadraticTopEigenvalue([5, 2, -1, 0.5, 3], [1, 2, -1, 0.5, 1]);
    const b = quadraticTopEigenvalue([5, 2, -1, 0.5, 3], [1, 2, -1, 0.5, 1]);
    assert.equal(a.eigenvalue, b.eigenvalue);
    const short = tidy(() => {
      const x = tensor([1, 2, 3], { dtype: "float64", requiresGrad: true });
      return topHessianEigenvalue(x.pow(4).sum(), [x], { maxIterations: 2, tolerance: 0 });
    });
    assert.equal(short.iterations, 2);
    assert.equal(short.converged, false);
  });

  it("matches a dense finite-difference Hessian of a tiny float64 GPT on a parameter subset", () => {
    manualSeed(11);
    const m = new GPT({ vocabSize: 7, dModel: 4, layers: 1, heads: 2, seqLen: 5, dtype: "float64" });
    const tokens = randint(0, 7, [3, 5]);
    const { params } = selectParameters(m.namedParameters(), (n) => n === "ln_f.weight" || n === "lm_head.weight");
    const gradient = () => tidy(() => flattenGradients(grad(m.loss(tokens), params), params));
    // Column i of H: central difference of the gradient along coordinate i.
    const h = 1e-5;
    const columns: Float64Array[] = [];
    for (const p of params) {
      const flat = p.view([-1]);
      for (let i = 0; i < flat.numel(); i++) {
        const element: Tensor = flat.select(0, i);
        noGrad(() => element.add_(h));
        const up = gradient();
        noGrad(() => element.sub_(2 * h));
        const down = gradient();
        noGrad(() => element.add_(h));
        element.dispose();
        columns.push(up.map((u, k) => (u - down[k]) / (2 * h)));
      }
      flat.dispose();
    }
    const n = columns.length;
    assert.equal(n, 4 + 28);
    const dense = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dense[i * n + j] = 0.5 * (columns[j][i] + columns[i][j]);
    const spectrum = tidy(() => tensor(dense, { shape: [n, n] }).eigh()[0].toArray() as Float64Array);
    const sorted = Array.from(spectrum).sort((a, b) => Math.abs(b) - Math.abs(a));
    const r = tidy(() => topHessianEigenvalue(m.loss(tokens), params, { seed: 1, maxIterations: 1000, tolerance: 1e-13 }));
    assert.ok(r.converged, `not converged after ${r.iterations} (spectrum head ${sorted.slice(0, 3)})`);
    // The head of this spectrum is about 0.429, 0.349, 0.300: a gap power iteration closes in ~70 steps.
    assertClose([r.eigenvalue], [sorted[0]], 1e-5, "top eigenvalue");
    m.dispose();
    tokens.dispose();
  });
});

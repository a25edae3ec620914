// Hessian-vector products by double backward, against finite differences of gradients.
import { describe, it } from "node:test";
import { grad, tensor, tidy, type Tensor } from "../../src/torch/index.js";
import { assertClose, seeded } from "../helpers.js";

function f(w: Tensor, x: Tensor): Tensor {
  // A small two-layer network's loss: non-quadratic, so the Hessian depends on w.
  return x.matmul(w.reshape([4, 3])).tanh().pow(2).sum().add(w.pow(4).sum().mul(0.1));
}

describe("Hessian-vector products", () => {
  it("match finite differences of gradients", () => {
    const x = tensor(seeded(20, 5), { shape: [5, 4] });
    const w0 = seeded(12, 6);
    const v = seeded(12, 7);
    const hv = tidy(() => {
      const w = tensor(w0, { requiresGrad: true });
      const [g] = grad(f(w, x), [w], { createGraph: true });
      const [h] = grad(g!.mul(tensor(v)).sum(), [w]);
      return h!.toArray() as Float64Array;
    });
    const gradAt = (shift: number) => tidy(() => {
      const w = tensor(w0.map((wi, i) => wi + shift * v[i]), { requiresGrad: true });
      return grad(f(w, x), [w])[0]!.toArray() as Float64Array;
    });
    const eps = 1e-6;
    const up = gradAt(eps);
    const down = gradAt(-eps);
    assertClose(hv, up.map((u, i) => (u - down[i]) / (2 * eps)), 1e-6, "Hv");
  });
});

// Optimizer updates, clipping and the learning-rate schedule against float64 arithmetic
// done here by hand, following PyTorch 1.13's update rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AdamW, SGD, clipGradNorm, tensor, warmupCosineLr } from "../../src/torch/index.js";
import { assertClose } from "../helpers.js";

const p0 = [0.5, -1.25, 2];
const grads = [[0.1, -0.2, 0.3], [0.4, 0.1, -0.5], [-0.3, 0.2, 0.05]];

function withGrad(p: ReturnType<typeof tensor>, g: number[]): void {
  p.grad = tensor(Float64Array.from(g));
}

describe("optimizers", () => {
  it("SGD with momentum, dampening, weight decay and Nesterov follows torch.optim.SGD", () => {
    for (const nesterov of [false, true]) {
      const p = tensor(Float64Array.from(p0), { requiresGrad: true });
      const opt = new SGD([["p", p]], { lr: 0.1, momentum: 0.9, dampening: nesterov ? 0 : 0.1, weightDecay: 0.01, nesterov });
      const want = [...p0];
      let buf: number[] | null = null;
      for (const g of grads) {
        withGrad(p, g);
        opt.step();
        const d = g.map((gi, i) => gi + 0.01 * want[i]);
        buf = buf === null ? [...d] : buf.map((b, i) => 0.9 * b + (1 - (nesterov ? 0 : 0.1)) * d[i]);
        const step = nesterov ? d.map((di, i) => di + 0.9 * buf![i]) : buf;
        step.forEach((s, i) => (want[i] -= 0.1 * s));
      }
      assertClose(p.toArray() as Float64Array, want, 1e-14, `SGD nesterov=${nesterov}`);
    }
  });

  it("AdamW with weight decay follows torch.optim.AdamW", () => {
    const p = tensor(Float64Array.from(p0), { requiresGrad: true });
    const opt = new AdamW([["p", p]], { lr: 0.01, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 });
    const want = [...p0];
    const m = [0, 0, 0];
    const v = [0, 0, 0];
    grads.forEach((g, s) => {
      withGrad(p, g);
      opt.step();
      const t = s + 1;
      for (let i = 0; i < 3; i++) {
        want[i] *= 1 - 0.01 * 0.1;
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.95 * v[i] + 0.05 * g[i] * g[i];
        const denom = Math.sqrt(v[i]) / Math.sqrt(1 - 0.95 ** t) + 1e-8;
        want[i] -= (0.01 / (1 - 0.9 ** t)) * (m[i] / denom);
      }
    });
    assertClose(p.toArray() as Float64Array, want, 1e-12, "AdamW");
  });

  it("clipGradNorm rescales to the global norm and reports the norm before", () => {
    const a = tensor(Float64Array.from([0, 0]), { requiresGrad: true });
    const b = tensor(Float64Array.from([0]), { requiresGrad: true });
    withGrad(a, [3, 4]);
    withGrad(b, [12]);
    const total = clipGradNorm([a, b], 6.5);
    assert.equal(total, 13);
    const scale = 6.5 / (13 + 1e-6);
    assertClose(a.grad!.toArray() as Float64Array, [3 * scale, 4 * scale], 1e-14);
    assertClose(b.grad!.toArray() as Float64Array, [12 * scale], 1e-14);
    assert.equal(clipGradNorm([a, b], 100) < 13, true, "a norm below the limit is left as is");
  });

  it("warm-up then cosine decay", () => {
    const s = { maxLr: 6e-4, minLr: 6e-6, warmupSteps: 200, totalSteps: 1000 };
    assert.equal(warmupCosineLr(s, 0), 6e-4 / 200);
    assert.equal(warmupCosineLr(s, 199), 6e-4);
    assert.ok(Math.abs(warmupCosineLr(s, 600) - (6e-6 + 0.5 * (6e-4 - 6e-6))) < 1e-15);
    assert.ok(Math.abs(warmupCosineLr(s, 1000) - 6e-6) < 1e-15);
  });

  it("optimizer state round-trips through state()/loadState()", () => {
    const p = tensor(Float64Array.from(p0), { requiresGrad: true });
    const opt = new AdamW([["p", p]], { lr: 0.01 });
    withGrad(p, grads[0]);
    opt.step();
    const q = tensor(Float64Array.from(p.toArray() as Float64Array), { requiresGrad: true });
    const opt2 = new AdamW([["p", q]], { lr: 0.5 });
    opt2.loadState(opt.state());
    assert.equal(opt2.lr, 0.01);
    withGrad(p, grads[1]);
    withGrad(q, grads[1]);
    opt.step();
    opt2.step();
    assert.ok(p.equal(q));
  });
});

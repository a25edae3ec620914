// Gradient surgery against hand-computed two- and three-task cases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { gradnorm, gradvac, initialGradNormState, initialGradVacState, pcgrad } from "../../src/train/balance/surgery.js";
import { cosine } from "../../src/train/balance/vectors.js";
import { Rng } from "../../src/util/rng.js";
import { assertClose } from "../helpers.js";

const v = (...xs: number[]) => Float64Array.from(xs);
const key = (a: ArrayLike<number>) => Array.from(a, (x) => x.toFixed(9)).join(",");

describe("PCGrad", () => {
  it("projects two conflicting gradients off each other", () => {
    // g1 = (1, 0), g2 = (-1, 1): g1.g2 = -1 < 0.
    // g1' = g1 - (-1 / ||g2||^2 = 2) g2 = (1, 0) + 0.5 (-1, 1) = (0.5, 0.5)
    // g2' = g2 - (-1 / ||g1||^2 = 1) g1 = (-1, 1) + (1, 0)    = (0, 1)
    const r = pcgrad([v(1, 0), v(-1, 1)], new Rng(1));
    assertClose(r.projected[0], [0.5, 0.5], 1e-12, "g1'");
    assertClose(r.projected[1], [0, 1], 1e-12, "g2'");
    assertClose(r.combined, [0.5, 1.5], 1e-12, "sum");
  });

  it("leaves non-conflicting gradients alone", () => {
    // (1, 2) . (3, -1) = 1 >= 0: nothing to project.
    const r = pcgrad([v(1, 2), v(3, -1)], new Rng(2));
    assertClose(r.combined, [4, 1], 1e-12, "sum");
    // A barely positive dot product, (1, 0) . (0.1, 1) = 0.1, is no conflict either.
    assertClose(pcgrad([v(1, 0), v(0.1, 1)], new Rng(2)).combined, [1.1, 1], 1e-12, "sum");
  });

  it("three tasks: the result depends on the seeded order, both orders as computed by hand", () => {
    // g1 = (1, 0), g2 = (-1, 1), g3 = (-2, -1); ||g1||^2 = 1, ||g2||^2 = 2, ||g3||^2 = 5.
    // g1.g2 = -1, g1.g3 = -2, g2.g3 = 1.
    // Task 1, order (2, 3): (1,0) + 0.5 (-1,1) = (0.5, 0.5); .g3 = -1.5 -> + 0.3 (-2,-1) = (-0.1, 0.2)
    //         order (3, 2): (1,0) + 0.4 (-2,-1) = (0.2, -0.4); .g2 = -0.6 -> + 0.3 (-1,1) = (-0.1, -0.1)
    // Task 2, order (1, 3): (-1,1) + 1 (1,0) = (0, 1); .g3 = -1 -> + 0.2 (-2,-1) = (-0.4, 0.8)
    //         order (3, 1): .g3 = 1, kept; .g1 = -1 -> (0, 1)
    // Task 3, order (1, 2): (-2,-1) + 2 (1,0) = (0, -1); .g2 = -1 -> + 0.5 (-1,1) = (-0.5, -0.5)
    //         order (2, 1): .g2 = 1, kept; .g1 = -2 -> (0, -1)
    const grads = [v(1, 0), v(-1, 1), v(-2, -1)];
    const options = [
      [key([-0.1, 0.2]), key([-0.1, -0.1])],
      [key([-0.4, 0.8]), key([0, 1])],
      [key([-0.5, -0.5]), key([0, -1])],
    ];
    const seen = options.map(() => new Set<string>());
    for (let seed = 0; seed < 40; seed++) {
      const r = pcgrad(grads, new Rng(seed));
      r.projected.forEach((p, i) => {
        const k = key(p);
        assert.ok(options[i].includes(k), `task ${i + 1}: ${k} is neither hand-computed order`);
        seen[i].add(k);
      });
      assertClose(r.combined, [r.projected[0][0] + r.projected[1][0] + r.projected[2][0], r.projected[0][1] + r.projected[1][1] + r.projected[2][1]], 1e-12, "sum");
    }
    for (const s of seen) assert.equal(s.size, 2, "both orders occur over 40 seeds");
    // Equal seeds, equal orders.
    assert.equal(key(pcgrad(grads, new Rng(7)).combined), key(pcgrad(grads, new Rng(7)).combined));
  });
});

describe("GradVac", () => {
  it("raises a pair's cosine to its EMA target and updates the target", () => {
    // g1 = (1, 0), g2 = (0, 1): phi = 0 < target 0.5, sqrt(1 - 0.25) = 0.8660254.
    // g1' = g1 + g2 * ||g1|| (0.5 * 1 - 0 * 0.866) / (||g2|| * 0.866) = (1, 0.5773503) = (1, 1/sqrt(3))
    // cos(g1', g2) = (1/sqrt3) / sqrt(1 + 1/3) = 0.5. Symmetrically g2' = (1/sqrt3, 1).
    // Targets: 0.9 * 0.5 + 0.1 * 0 = 0.45 (beta = 0.1).
    const state = { targets: [[0, 0.5], [0.5, 0]] };
    const r = gradvac([v(1, 0), v(0, 1)], state, { beta: 0.1 }, new Rng(3));
    const s3 = 1 / Math.sqrt(3);
    assertClose(r.projected[0], [1, s3], 1e-12, "g1'");
    assertClose(r.projected[1], [s3, 1], 1e-12, "g2'");
    assertClose(r.combined, [1 + s3, 1 + s3], 1e-12, "sum");
    assertClose([cosine(r.projected[0], [0, 1])], [0.5], 1e-12, "cos reaches target");
    assertClose(r.state.targets.flat(), [0, 0.45, 0.45, 0], 1e-12, "targets");
    assert.deepEqual(state.targets, [[0, 0.5], [0.5, 0]], "input state untouched");
  });

  it("leaves pairs already above target and only moves the EMA", () => {
    // g1 = (1, 1), g2 = (1, 0): phi = 1/sqrt2 = 0.7071 > target 0: unchanged.
    // Target: 0.8 * 0 + 0.2 * 0.70710678 = 0.14142136 for both ordered pairs.
    const r = gradvac([v(1, 1), v(1, 0)], initialGradVacState(2), { beta: 0.2 }, new Rng(4));
    assertClose(r.combined, [2, 1], 1e-12, "sum");
    assertClose(r.state.targets.flat(), [0, 0.2 / Math.SQRT2, 0.2 / Math.SQRT2, 0], 1e-12, "targets");
    // The state is plain JSON.
    assert.deepEqual(JSON.parse(JSON.stringify(r.state)), r.state);
  });

  it("with zero targets, a conflicting pair is made orthogonal", () => {
    // g1 = (1, 0), g2 = (-1, 1): phi = -1/sqrt2, target 0:
    // g1' = g1 + g2 * 1 * (0 - (-1/sqrt2) * 1) / (sqrt2 * 1) = (1, 0) + 0.5 (-1, 1) = (0.5, 0.5)
    // (the PCGrad projection: with target 0 GradVac reduces to it).
    const r = gradvac([v(1, 0), v(-1, 1)], initialGradVacState(2), { beta: 0.01 }, new Rng(5));
    assertClose(r.projected[0], [0.5, 0.5], 1e-12, "g1'");
    assertClose(r.projected[1], [0, 1], 1e-12, "g2'");
  });
});

describe("GradNorm", () => {
  it("two tasks: one weight step by hand", () => {
    // w = (1, 1), G = (||(1,0)||, ||(0,3)||) = (1, 3), L(0) = (2, 2), L = (1, 1.5).
    // Ratios L/L(0) = (0.5, 0.75), mean 0.625, r = (0.8, 1.2); alpha = 1.
    // mean w G = 2; targets 2 r = (1.6, 2.4); w G - target = (-0.6, +0.6).
    // dL/dw = (sign(-0.6) * 1, sign(0.6) * 3) = (-1, 3); lr 0.1: w = (1.1, 0.7).
    // Renormalised to sum 2: (1.1, 0.7) * 2 / 1.8 = (1.2222222, 0.7777778).
    const s0 = { weights: [1, 1], initialLosses: [2, 2] };
    const s1 = gradnorm([v(1, 0), v(0, 3)], [1, 1.5], s0, { alpha: 1, learningRate: 0.1 });
    assertClose(s1.weights, [2.2 / 1.8, 1.4 / 1.8], 1e-12, "weights");
    assert.deepEqual(s1.initialLosses, [2, 2]);
  });

  it("three tasks: records L(0) on the first call, weights sum to 3", () => {
    // First call: L(0) = L, so r = (1, 1, 1) and the targets equal mean w G.
    // G = (1, 2, 6), w = (1, 1, 1): mean = 3; w G - 3 = (-2, -1, 3); dL/dw = (-1, -2, 6).
    // lr 0.05: w = (1.05, 1.1, 0.7), sum 2.85; * 3 / 2.85 = (1.1052632, 1.1578947, 0.7368421).
    const s1 = gradnorm([v(1, 0, 0), v(0, 2, 0), v(0, 0, 6)], [3, 2, 1], initialGradNormState(3), { alpha: 1.5, learningRate: 0.05 });
    assertClose(s1.weights, [1.05 * 3 / 2.85, 1.1 * 3 / 2.85, 0.7 * 3 / 2.85], 1e-12, "weights");
    assert.deepEqual(s1.initialLosses, [3, 2, 1]);
    assertClose([s1.weights.reduce((a, b) => a + b, 0)], [3], 1e-12, "sum");
  });

  it("alpha = 0 drives the weighted norms together", () => {
    // With alpha = 0 every target is mean w G; repeated small steps equalise w_i G_i.
    let s = initialGradNormState(2);
    const grads = [v(1, 0), v(0, 4)];
    for (let i = 0; i < 1000; i++) s = gradnorm(grads, [1, 1], s, { alpha: 0, learningRate: 0.001 });
    const weighted = [s.weights[0] * 1, s.weights[1] * 4];
    assert.ok(Math.abs(weighted[0] - weighted[1]) < 0.05, `weighted norms ${weighted}`);
    // Equal weighted norms with w1 + w2 = 2: w1 = 4 w2 -> (1.6, 0.4).
    assertClose(s.weights, [1.6, 0.4], 0.02, "weights");
  });
});

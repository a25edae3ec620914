// CATS weights in the penalty form: the Lagrangian's gradient against finite
// differences, and the behaviour methods.md §5 relies on (the Lagrangian form is in
// cats-lagrangian.test.ts; both forms are checked where the behaviour is shared).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CatsWeights, PENALTY_CATS_OPTIONS, type CatsOptions, type CatsProblem, catsLagrangian, catsLagrangianGradient, catsMetaUpdate, catsOptions, catsProblem,
  weightedGradientNormSq,
} from "../../src/train/balance/cats.js";
import { assertClose, seeded } from "../helpers.js";

const grads = [seeded(6, 11), seeded(6, 12).map((x) => 3 * x), seeded(6, 13)];
const problem = catsProblem([2.5, 1.2, 3.1], grads);

function numericGradient(f: (a: number[]) => number, a: number[], h = 1e-6): number[] {
  return a.map((_, n) => {
    const up = a.slice();
    const down = a.slice();
    up[n] += h;
    down[n] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

describe("CATS Lagrangian", () => {
  for (const proxy of ["concatenated", "combined"] as const) {
    it(`gradient matches finite differences (${proxy} norm, all terms)`, () => {
      const opts = catsOptions({ curvatureProxy: proxy, lambdaCurvature: 0.7, lambdaSum: 3, epsilon: 0.01 });
      const mult = { curvature: 0.7, floor: [0.2, 0.5, 0.1] };
      const alpha = [0.2, 0.5, 0.35];
      const analytic = catsLagrangianGradient(alpha, problem, mult, opts);
      const numeric = numericGradient((a) => catsLagrangian(a, problem, mult, opts), alpha);
      assertClose(analytic, numeric, 1e-7, "dF/dalpha");
    });
  }

  it("weighted gradient norm: concatenation vs combined update, by hand", () => {
    // g1 = (1, 0), g2 = (1, 1), alpha = (2, 3).
    // Concatenated: 4 * 1 + 9 * 2 = 22.  Combined: ||(2 + 3, 3)||^2 = 25 + 9 = 34.
    const p = catsProblem([0, 0], [[1, 0], [1, 1]]);
    assert.equal(weightedGradientNormSq([2, 3], p.gram, "concatenated"), 22);
    assert.equal(weightedGradientNormSq([2, 3], p.gram, "combined"), 34);
  });

  it("terms can be switched off: only the objective leaves dF/dalpha = L", () => {
    const opts = catsOptions({ constraints: { curvature: false, sumToOne: false, floor: false } });
    const g = catsLagrangianGradient([0.3, 0.3, 0.4], problem, { curvature: 5, floor: [1, 1, 1] }, opts);
    assertClose(g, problem.losses, 1e-15, "dF/dalpha");
  });
});

describe("CATS updates", () => {
  const uniform = (n: number) => new Array<number>(n).fill(1 / n);

  it("weights stay at least eps and sum near one", () => {
    // With lambda_s = 50 the penalty's minimum in the sum is near 1 - L/(2 lambda_s).
    const opts = catsOptions({ lambdaSum: 50, metaLearningRate: 0.002, metaSteps: 200, epsilon: 1e-3, lambdaCurvature: 0.5 });
    const r = catsMetaUpdate(uniform(3), problem, { curvature: opts.lambdaCurvature, floor: [0, 0, 0] }, opts);
    for (const a of r.alpha) assert.ok(a >= 1e-3, `weight ${a} below eps`);
    const sum = r.alpha.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 0.1, `sum ${sum}`);
  });

  it("projection keeps weights at eps when the loss pushes them down", () => {
    // A huge loss on language 0 drives its weight below zero without projection.
    const p = catsProblem([1000, 1, 1], grads);
    const opts = catsOptions({ metaLearningRate: 0.01, metaSteps: 3, epsilon: 0.05 });
    const r = catsMetaUpdate(uniform(3), p, { curvature: 1, floor: [0, 0, 0] }, opts);
    assert.equal(r.alpha[0], 0.05);
  });

  it("equal losses and gradients keep the weights uniform", () => {
    const g = seeded(8, 21);
    const p = catsProblem([1.7, 1.7, 1.7, 1.7], [g, g, g, g]);
    for (const [proxy, form] of [["concatenated", "penalty"], ["combined", "penalty"], ["concatenated", "lagrangian"], ["combined", "lagrangian"]] as const) {
      const cats = new CatsWeights(4, { form, curvatureProxy: proxy, metaSteps: 20, dualLearningRate: 0.1 });
      for (let i = 0; i < 5; i++) cats.update(p);
      const w = cats.weights;
      // The Lagrangian form's tie is broken by a 1e-9 ridge on a rank-one Gram matrix: close, not exact.
      for (const a of w) assertClose([a], [w[0]], form === "penalty" ? 1e-14 : 1e-6, "uniform");
    }
  });

  it("a language with a larger gradient norm gets a smaller weight", () => {
    // Equal losses and orthogonal gradients, norms 1, 2, 3: the curvature term's
    // derivative 2 lambda_c alpha_n ||g_n||^2 is largest for language 2. In the Lagrangian
    // form the exact minimiser of sum alpha_n^2 ||g_n||^2 is alpha proportional to 1/||g_n||^2.
    const p = catsProblem([1, 1, 1], [[1, 0, 0], [0, 2, 0], [0, 0, 3]]);
    for (const proxy of ["concatenated", "combined"] as const) {
      const cats = new CatsWeights(3, { ...PENALTY_CATS_OPTIONS, curvatureProxy: proxy, metaSteps: 10, metaLearningRate: 0.01 });
      const w = cats.update(p);
      assert.ok(w[0] > w[1] && w[1] > w[2], `${proxy}: weights ${w}`);
      const exact = new CatsWeights(3, { form: "lagrangian", curvatureProxy: proxy, metaSteps: 1, epsilon: 1e-9 }).update(p);
      const inverse = [1, 1 / 4, 1 / 9];
      const total = inverse.reduce((a, b) => a + b, 0);
      assertClose(exact, inverse.map((v) => v / total), 1e-6, `${proxy}: Lagrangian form`);
    }
  });

  it("one step by hand", () => {
    // alpha = (0.5, 0.5), L = (1, 2), ||g|| = (1, 2) orthogonal, lambda_c = 1, lambda_s = 10,
    // lambda_n = 0, concatenated: dF/dalpha = L + 2 alpha ||g||^2 + 2 * 10 * (1 - 1)
    //   = (1 + 1, 2 + 4) = (2, 6); lr 0.05: alpha = (0.5 - 0.1, 0.5 - 0.3) = (0.4, 0.2).
    const p: CatsProblem = catsProblem([1, 2], [[1, 0], [0, 2]]);
    const opts: CatsOptions = catsOptions({ metaSteps: 1, metaLearningRate: 0.05, lambdaCurvature: 1, lambdaSum: 10, lambdaFloor: 0 });
    const r = catsMetaUpdate([0.5, 0.5], p, { curvature: 1, floor: [0, 0] }, opts);
    assertClose(r.alpha, [0.4, 0.2], 1e-14, "alpha");
  });

  it("dual ascent raises lambda_c while the curvature budget is exceeded", () => {
    // S = 0.25 + 1 = 1.25 > eps: lambda_c grows; alpha_n >= eps keeps lambda_n at 0.
    const p = catsProblem([1, 1], [[1, 0], [0, 2]]);
    const opts = catsOptions({ metaSteps: 1, dualLearningRate: 0.5, lambdaCurvature: 1 });
    const r = catsMetaUpdate([0.5, 0.5], p, { curvature: 1, floor: [0, 0] }, opts);
    const s = weightedGradientNormSq(r.alpha, p.gram, "concatenated");
    assertClose([r.multipliers.curvature], [1 + 0.5 * (s - opts.epsilon)], 1e-14, "lambda_c");
    assert.deepEqual(r.multipliers.floor, [0, 0]);
  });

  it("schedule and state: due every k steps; the state round-trips through JSON", () => {
    const cats = new CatsWeights(3, { updateInterval: 100 });
    assert.deepEqual([0, 1, 99, 100, 150, 200].map((s) => cats.isDue(s)), [false, false, false, true, false, true]);
    cats.update(problem);
    const copy = new CatsWeights(3, { updateInterval: 100 });
    copy.restore(JSON.parse(JSON.stringify(cats.state())));
    assert.deepEqual(copy.update(problem), cats.update(problem));
    assert.equal(cats.state().updates, 2);
  });

  it("rejects invalid options", () => {
    assert.throws(() => catsOptions({ updateInterval: 0 }), /updateInterval/);
    assert.throws(() => catsOptions({ lambdaSum: -1 }), /lambdaSum/);
    assert.throws(() => catsOptions({ objective: "other" as "weighted-loss" }), /objective/);
  });
});

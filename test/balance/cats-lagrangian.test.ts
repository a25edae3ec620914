// CATS's Lagrangian form: the exact simplex minimiser against closed forms and a grid
// search, the multiplier's ascent step and the look-ahead coefficients by hand.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { minimizeQuadraticOnSimplex, quadraticObjective } from "../../src/train/balance/simplex-qp.js";
import { CatsWeights, catsLagrangianUpdate, catsOptions, catsProblem, lookAheadCoefficients } from "../../src/train/balance/cats.js";
import { gramMatrix } from "../../src/train/balance/vectors.js";
import { assertClose, seeded } from "../helpers.js";

/**
 * Two languages, alpha = (a, 1 - a): f(a) = c1 a + c2 (1 - a) + q (a^2 G11 + 2 a (1 - a) G12 + (1 - a)^2 G22),
 * f'(a) = 0 at a = (c2 - c1 + 2q (G22 - G12)) / (2q (G11 - 2 G12 + G22)), clipped to [floor, 1 - floor].
 */
function twoLanguageClosedForm(c: number[], g: number[][], q: number, floor = 0): number[] {
  const a = (c[1] - c[0] + 2 * q * (g[1][1] - g[0][1])) / (2 * q * (g[0][0] - 2 * g[0][1] + g[1][1]));
  const clipped = Math.min(1 - floor, Math.max(floor, a));
  return [clipped, 1 - clipped];
}

describe("quadratic on the simplex", () => {
  it("two languages, orthogonal gradients (1,0) and (0,2): the hand-worked minimisers", () => {
    const gram = gramMatrix([[1, 0], [0, 2]]); // [[1, 0], [0, 4]]
    // c = 0, q = 1: min a^2 + 4 (1 - a)^2 -> 2a = 8 (1 - a) -> a = 0.8.
    assertClose(minimizeQuadraticOnSimplex([0, 0], gram, 1), [0.8, 0.2], 1e-6, "c = 0");
    // c = (1, 0): a = (-1 + 8) / 10 = 0.7.
    assertClose(minimizeQuadraticOnSimplex([1, 0], gram, 1), [0.7, 0.3], 1e-6, "c = (1, 0)");
    // c = (10, 0): the stationary point a = -0.2 is outside, so the vertex (0, 1); with a floor 0.1, (0.1, 0.9).
    assertClose(minimizeQuadraticOnSimplex([10, 0], gram, 1), [0, 1], 1e-9, "vertex");
    assertClose(minimizeQuadraticOnSimplex([10, 0], gram, 1, 0.1), [0.1, 0.9], 1e-9, "floored vertex");
    // An inactive floor does not move the interior minimiser.
    assertClose(minimizeQuadraticOnSimplex([1, 0], gram, 1, 0.1), [0.7, 0.3], 1e-6, "inactive floor");
  });

  it("two languages with conflicting gradients match the closed form", () => {
    // g1 = (1, 0), g2 = (-1, 1): G = [[1, -1], [-1, 2]]; c = 0, q = 1: a = 2*3 / (2*5) = 0.6,
    // the combined gradient (0.2, 0.4) is the shortest in the segment.
    const gram = gramMatrix([[1, 0], [-1, 1]]);
    assertClose(minimizeQuadraticOnSimplex([0, 0], gram, 1), [0.6, 0.4], 1e-6, "min-norm point");
    for (const [c, q] of [[[0.3, -0.2], 0.5], [[2, 1], 0.25], [[-1, 1], 3]] as [number[], number][])
      assertClose(minimizeQuadraticOnSimplex(c, gram, q), twoLanguageClosedForm(c, gram, q), 1e-6, `c ${c}, q ${q}`);
  });

  it("three and four languages: no point of a fine grid does better", () => {
    for (const [n, seed] of [[3, 5], [3, 6], [4, 7]]) {
      const grads = Array.from({ length: n }, (_, k) => seeded(5, seed * 10 + k));
      const gram = gramMatrix(grads);
      const c = Array.from(seeded(n, seed + 100), (v) => 0.3 * v);
      const q = 0.7;
      const floor = 0.02;
      const alpha = minimizeQuadraticOnSimplex(c, gram, q, floor);
      assertClose([alpha.reduce((a, b) => a + b, 0)], [1], 1e-12, "sum");
      for (const a of alpha) assert.ok(a >= floor - 1e-12, `weight ${a} below the floor`);
      const best = quadraticObjective(alpha, c, gram, q);
      // Grid over the floored simplex, step 1/60 of the free mass.
      const steps = n === 3 ? 120 : 40;
      const free = 1 - n * floor;
      let gridBest = Infinity;
      const walk = (prefix: number[], left: number) => {
        if (prefix.length === n - 1) {
          const point = [...prefix, left].map((k) => floor + (free * k) / steps);
          gridBest = Math.min(gridBest, quadraticObjective(point, c, gram, q));
          return;
        }
        for (let k = 0; k <= left; k++) walk([...prefix, k], left - k);
      };
      walk([], steps);
      assert.ok(best <= gridBest + 1e-9, `n=${n}: solver ${best} worse than grid ${gridBest}`);
      assert.ok(gridBest - best < 1e-2, `n=${n}: grid ${gridBest} far from solver ${best} (objective wrong?)`);
    }
  });

  it("ties resolve to the weights nearest uniform, not to an enumeration-order vertex", () => {
    const g = [1, 2];
    assertClose(minimizeQuadraticOnSimplex([1, 1, 1], gramMatrix([g, g, g]), 1), [1 / 3, 1 / 3, 1 / 3], 1e-6, "equal gradients");
    assertClose(minimizeQuadraticOnSimplex([2, 1, 1], gramMatrix([g, g, g]), 0), [0, 0.5, 0.5], 1e-6, "linear tie");
  });

  it("refuses a floor that leaves no room and a negative q", () => {
    assert.throws(() => minimizeQuadraticOnSimplex([0, 0], [[1, 0], [0, 1]], 1, 0.5), /floor/);
    assert.throws(() => minimizeQuadraticOnSimplex([0, 0], [[1, 0], [0, 1]], -1), /q must/);
  });
});

describe("CATS Lagrangian form", () => {
  // L = (1, 0); g1 = (1, 0), g2 = (0, 2): S(uniform) = 0.25 + 0.25 * 4 = 1.25.
  const problem = catsProblem([1, 0], [[1, 0], [0, 2]]);

  it("one round by hand: exact minimiser at lambda/S(u), then one ascent step", () => {
    // lambda = 1: q = 1/1.25 = 0.8, a = (0 - 1 + 2*0.8*4) / (2*0.8*5) = 5.4/8 = 0.675;
    // S(alpha) = 0.675^2 + 4 * 0.325^2 = 0.878125, relative 0.7025;
    // lambda <- max(0, 1 + 0.5 (0.7025 - 1)) = 0.85125.
    const opts = catsOptions({ metaSteps: 1, multiplierLearningRate: 0.5, curvatureBudget: 1, epsilon: 1e-9 });
    const r = catsLagrangianUpdate(problem, { curvature: 1, floor: [0, 0] }, opts);
    assertClose(r.alpha, [0.675, 0.325], 1e-6, "alpha");
    assertClose([r.relativeCurvature], [0.7025], 1e-6, "S/S(u)");
    assertClose([r.multipliers.curvature], [0.85125], 1e-6, "lambda");
    // A large ascent rate would make the multiplier negative: it is kept at 0.
    const clamped = catsLagrangianUpdate(problem, { curvature: 1, floor: [0, 0] }, catsOptions({ metaSteps: 1, multiplierLearningRate: 10, epsilon: 1e-9 }));
    assert.equal(clamped.multipliers.curvature, 0);
  });

  it("the multiplier rises while the budget is exceeded and the weights move toward the flatter language", () => {
    // Budget 0.5 of S(u): at lambda = 1 the relative curvature 0.7025 exceeds it, so lambda grows
    // and each round puts more weight on language 0, whose gradient is smaller.
    const opts = catsOptions({ metaSteps: 1, multiplierLearningRate: 2, curvatureBudget: 0.5, epsilon: 1e-9 });
    let mult = { curvature: 1, floor: [0, 0] };
    let last = 0;
    for (let round = 0; round < 4; round++) {
      const r = catsLagrangianUpdate(problem, mult, opts);
      assert.ok(r.multipliers.curvature > mult.curvature, `round ${round}: lambda ${r.multipliers.curvature} did not rise`);
      assert.ok(r.alpha[0] > last, `round ${round}: weight ${r.alpha[0]} did not rise`);
      last = r.alpha[0];
      mult = r.multipliers;
    }
    // The limit as lambda grows is the min-norm point, a = 0.8.
    assert.ok(last < 0.8);
  });

  it("CatsWeights with the Lagrangian form: resumable from its JSON state", () => {
    const grads = [seeded(6, 1), seeded(6, 2), seeded(6, 3)];
    const p = catsProblem([2.1, 2.5, 3.0], grads);
    const a = new CatsWeights(3, { form: "lagrangian", metaSteps: 2, curvatureBudget: 0.3 });
    a.update(p);
    const b = new CatsWeights(3, { form: "lagrangian", metaSteps: 2, curvatureBudget: 0.3 });
    b.restore(JSON.parse(JSON.stringify(a.state())));
    assert.deepEqual(b.update(p), a.update(p));
    assert.deepEqual(b.state(), a.state());
  });

  it("look-ahead coefficients by hand", () => {
    // Held-out losses (2, 4), gradients h1 = (1, 0), h2 = (0, 1): mean loss 3, h = (0.5, 0.5).
    // Training gradients g1 = (2, 0), g2 = (0, -2), eta = 0.1:
    //   c1 = 3 - 0.1 * (0.5*2) = 2.9,  c2 = 3 - 0.1 * (0.5*-2) = 3.1.
    assertClose(lookAheadCoefficients([2, 4], [[1, 0], [0, 1]], [[2, 0], [0, -2]], 0.1), [2.9, 3.1], 1e-12, "c");
  });

  it("rejects unknown forms, sources and objectives", () => {
    assert.throws(() => catsOptions({ form: "other" as "penalty" }), /form/);
    assert.throws(() => catsOptions({ source: "other" as "training" }), /source/);
    assert.throws(() => catsOptions({ objective: "other" as "look-ahead" }), /objective/);
    assert.throws(() => catsOptions({ multiplierLearningRate: -1 }), /multiplierLearningRate/);
  });
});

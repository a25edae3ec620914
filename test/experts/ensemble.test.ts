import { test } from "node:test";
import assert from "node:assert/strict";
import {
  averageParameters,
  batchPosterior,
  BayesianPosteriorRule,
  distanceSoftmaxWeights,
  distributionTokenNll,
  ensembleTokenNll,
  estimateCachedPrior,
  FixedWeightsRule,
  logSumExp,
  mixLogProbs,
  ruleTokenNll,
  targetLogProbsOf,
  TfIdfDistanceRule,
  topKRenormalise,
  TopLanguageRule,
  UniformRule,
} from "../../src/experts/index.js";
import { Rng } from "../../src/util/rng.js";
import { assertAllNear, assertNear } from "./helpers.js";

// Two experts, three tokens. Probability each expert gives the actual token:
//   expert A: 0.5, 0.25, 0.5      expert B: 0.25, 0.5, 0.125
const pA = [0.5, 0.25, 0.5];
const pB = [0.25, 0.5, 0.125];
const targetLogProbs = [pA.map(Math.log), pB.map(Math.log)];

test("Bayesian posterior weights by hand, prior 0.5/0.5", () => {
  const w = new BayesianPosteriorRule([0.5, 0.5]).weights({ targetLogProbs });
  // t=0: no prefix, weights = prior = (0.5, 0.5).
  assertAllNear(w[0]!, [0.5, 0.5], 1e-15, "t0");
  // t=1: 0.5*0.5 = 0.25 vs 0.5*0.25 = 0.125 -> (2/3, 1/3).
  assertAllNear(w[1]!, [2 / 3, 1 / 3], 1e-15, "t1");
  // t=2: 0.25*0.25 = 0.0625 vs 0.125*0.5 = 0.0625 -> (1/2, 1/2).
  assertAllNear(w[2]!, [0.5, 0.5], 1e-15, "t2");
  // Mixtures: 0.5*0.5 + 0.5*0.25 = 0.375; (2/3)*0.25 + (1/3)*0.5 = 1/3; 0.5*0.5 + 0.5*0.125 = 0.3125.
  assertAllNear(ensembleTokenNll(targetLogProbs, w), [-Math.log(0.375), -Math.log(1 / 3), -Math.log(0.3125)], 1e-14, "nll");
  // A non-uniform prior (0.2, 0.8): t=1 -> 0.2*0.5 = 0.1 vs 0.8*0.25 = 0.2 -> (1/3, 2/3).
  assertAllNear(new BayesianPosteriorRule([0.2, 0.8]).weights({ targetLogProbs })[1]!, [1 / 3, 2 / 3], 1e-15);
});

test("posterior stays finite over a prefix far too long for linear-space products", () => {
  const long = [new Float64Array(5000).fill(Math.log(0.01)), new Float64Array(5000).fill(Math.log(0.011))];
  const w = new BayesianPosteriorRule().weights({ targetLogProbs: long });
  // After 4999 tokens the ratio is (1.1)^4999: all weight on expert B, and no NaN.
  assert.ok(w[4999]![1]! > 1 - 1e-12 && Number.isFinite(w[4999]![0]!));
});

test("uniform, top-1 by language and fixed weights", () => {
  assertAllNear(new UniformRule().weights({ targetLogProbs })[2]!, [0.5, 0.5], 0);
  const top = new TopLanguageRule({ en: 0, sw: 1 });
  assert.deepEqual(Array.from(top.weights({ targetLogProbs, language: "sw" })[0]!), [0, 1]);
  // Only expert B counts: NLL = -ln pB.
  assertAllNear(ruleTokenNll(top, { targetLogProbs, language: "sw" }), pB.map((p) => -Math.log(p)), 1e-15);
  assert.throws(() => top.weights({ targetLogProbs, language: "xx" }), /no expert for language "xx"/);
  assert.throws(() => new FixedWeightsRule([0.5, 0.6]), /sum to 1.1/);
});

test("batch posterior and the cached prior EMA by hand", () => {
  // Whole-sequence posterior: A 0.5*0.25*0.5 = 1/16, B 0.25*0.5*0.125 = 1/64; with prior (0.5, 0.5) -> (0.8, 0.2).
  assertAllNear(batchPosterior([targetLogProbs]), [0.8, 0.2], 1e-15);
  // A batch with that sequence and its mirror image averages to (0.5, 0.5).
  assertAllNear(batchPosterior([targetLogProbs, [targetLogProbs[1]!, targetLogProbs[0]!]]), [0.5, 0.5], 1e-15);
  // pi0 = (0.5, 0.5); q1 = (1, 0): pi1 = 0.7*(0.5, 0.5) + 0.3*(1, 0) = (0.65, 0.35);
  // q2 = (0.5, 0.5): pi2 = 0.7*(0.65, 0.35) + 0.3*(0.5, 0.5) = (0.605, 0.395).
  assertAllNear(estimateCachedPrior([[1, 0]]), [0.65, 0.35], 1e-15);
  assertAllNear(estimateCachedPrior([[1, 0], [0.5, 0.5]]), [0.605, 0.395], 1e-15);
  // Three experts, q1 = (0.6, 0.3, 0.1): pi1 = 7/30 + 0.3*q1 = (124, 97, 79)/300; top-2 -> (124, 97, 0)/221.
  assertAllNear(estimateCachedPrior([[0.6, 0.3, 0.1]]), [124 / 300, 97 / 300, 79 / 300], 1e-15);
  assertAllNear(estimateCachedPrior([[0.6, 0.3, 0.1]], { topK: 2 }), [124 / 221, 97 / 221, 0], 1e-15);
  const rule = new FixedWeightsRule(estimateCachedPrior([[1, 0], [0.5, 0.5]]));
  assertAllNear(rule.weights({ targetLogProbs })[1]!, [0.605, 0.395], 1e-15);
});

test("top-k renormalisation", () => {
  assertAllNear(topKRenormalise([0.1, 0.4, 0.2, 0.3], 2), [0, 4 / 7, 0, 3 / 7], 1e-15);
  // Tie between experts 1 and 2 goes to the lower index.
  assertAllNear(topKRenormalise([0.5, 0.25, 0.25], 2), [2 / 3, 1 / 3, 0], 1e-15);
  assertAllNear(topKRenormalise([0.5, 0.5], 5), [0.5, 0.5], 0);
});

test("softmax(-d^2 / T) distance weights with T = 0.1", () => {
  // d = (0, 0.1, 0.2): exponents 0, -0.01/0.1 = -0.1, -0.04/0.1 = -0.4.
  const z = 1 + Math.exp(-0.1) + Math.exp(-0.4);
  assertAllNear(distanceSoftmaxWeights([0, 0.1, 0.2]), [1 / z, Math.exp(-0.1) / z, Math.exp(-0.4) / z], 1e-15);
  // T = 1, d = (1, 2): exponents -1, -4.
  const z1 = Math.exp(-1) + Math.exp(-4);
  assertAllNear(distanceSoftmaxWeights([1, 2], 1), [Math.exp(-1) / z1, Math.exp(-4) / z1], 1e-15);
  const rule = new TfIdfDistanceRule();
  const w = rule.weights({ targetLogProbs, prefixDistances: [[0, 0.1], [0.1, 0], [0.3, 0.3]] });
  assertAllNear(w[1]!, [Math.exp(-0.1) / (1 + Math.exp(-0.1)), 1 / (1 + Math.exp(-0.1))], 1e-15);
  assertAllNear(w[2]!, [0.5, 0.5], 1e-15);
  assert.throws(() => rule.weights({ targetLogProbs }), /one distance row per token/);
});

/** A random log-softmax row over v symbols. */
function randomLogDistribution(v: number, rng: Rng): Float64Array {
  const logits = Float64Array.from({ length: v }, () => 6 * rng.float() - 3);
  const z = logSumExp(logits);
  return logits.map((x) => x - z);
}

test("mixed distributions sum to one and agree with direct mixing", () => {
  const rng = new Rng(7);
  const experts = 3;
  const tokens = 4;
  const vocab = 11;
  const dists = Array.from({ length: experts }, () => Array.from({ length: tokens }, () => randomLogDistribution(vocab, rng)));
  const targets = Array.from({ length: tokens }, () => rng.int(vocab));
  const rule = new BayesianPosteriorRule([0.2, 0.3, 0.5]);
  const targetLp = targetLogProbsOf(dists, targets);
  const weights = rule.weights({ targetLogProbs: targetLp });
  for (let t = 0; t < tokens; t++) {
    const mixed = mixLogProbs(dists.map((d) => d[t]!), weights[t]!);
    let total = 0;
    for (let v = 0; v < vocab; v++) {
      total += Math.exp(mixed[v]!);
      // Direct linear-space mixture as the reference.
      const direct = dists.reduce((s, d, j) => s + weights[t]![j]! * Math.exp(d[t]![v]!), 0);
      assertNear(Math.exp(mixed[v]!), direct, 1e-15, `p[${t}][${v}]`);
    }
    assertNear(total, 1, 1e-13, `sum at t=${t}`);
  }
  // Full distributions and target-only log-probs give the same NLL.
  assertAllNear(distributionTokenNll(dists, targets, weights), ensembleTokenNll(targetLp, weights), 1e-13);
  // An expert with weight 0 drops out exactly: mixing reduces to the other expert.
  assertAllNear(mixLogProbs([dists[0]![0]!, dists[1]![0]!], [0, 1]), dists[1]![0]!, 0);
});

test("parameter averaging", () => {
  const avg = averageParameters(
    [
      { w: [1, 2], b: Float64Array.of(4) },
      { w: [3, 6], b: Float64Array.of(0) },
    ],
    [0.25, 0.75],
  );
  // w: 0.25*(1, 2) + 0.75*(3, 6) = (2.5, 5); b: 0.25*4 = 1.
  assertAllNear(avg.w!, [2.5, 5], 1e-15);
  assertAllNear(avg.b!, [1], 1e-15);
  assertAllNear(averageParameters([{ w: [1] }, { w: [2] }]).w!, [1.5], 0);
  assert.throws(() => averageParameters([{ w: [1] }, { v: [2] }]), /different parameter names/);
  assert.throws(() => averageParameters([{ w: [1] }, { w: [2, 3] }]), /length 2/);
});

test("posterior, last-token form (the published code's) by hand, prior 0.5/0.5", () => {
  const w = new BayesianPosteriorRule([0.5, 0.5], "last-token").weights({ targetLogProbs });
  assert.equal(new BayesianPosteriorRule([0.5, 0.5], "last-token").name, "posterior-last-token");
  // t=0: the prior; t=1: token 0 only, 0.5 vs 0.25 -> (2/3, 1/3) as the full prefix;
  // t=2: token 1 only, 0.25 vs 0.5 -> (1/3, 2/3), where the full prefix gives (1/2, 1/2).
  assertAllNear(w[0]!, [0.5, 0.5], 1e-15, "t0");
  assertAllNear(w[1]!, [2 / 3, 1 / 3], 1e-15, "t1");
  assertAllNear(w[2]!, [1 / 3, 2 / 3], 1e-15, "t2");
});

test("TF-IDF distance rule with top-k keeps the k nearest experts, renormalised", () => {
  // Distances (0, 1, 2), T = 1: softmax(0, -1, -4); top 2 -> (1, e^-1, 0) / (1 + e^-1).
  const evidence = { targetLogProbs: [[0], [0], [0]].map((r) => Float64Array.from(r)), prefixDistances: [Float64Array.from([0, 1, 2])] };
  const z = 1 + Math.exp(-1);
  assertAllNear(new TfIdfDistanceRule(1, 2).weights(evidence)[0]!, [1 / z, Math.exp(-1) / z, 0], 1e-15, "top-2");
  const all = 1 + Math.exp(-1) + Math.exp(-4);
  assertAllNear(new TfIdfDistanceRule(1).weights(evidence)[0]!, [1 / all, Math.exp(-1) / all, Math.exp(-4) / all], 1e-15, "all");
});

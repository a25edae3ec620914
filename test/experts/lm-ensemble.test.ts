// The tensor ensemble against the scalar reference rules of ensemble.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { manualSeed, randint, tidy } from "../../src/torch/index.js";
import { GPT } from "../../src/nn/gpt.js";
import { expertTargetLogProbs, fixedWeightsEnsembleNll, lastTokenPosteriorEnsembleNll, posteriorEnsembleNll } from "../../src/experts/lm-ensemble.js";
import { BayesianPosteriorRule, FixedWeightsRule, ruleTokenNll } from "../../src/experts/ensemble.js";

describe("tensor ensembles of GPT experts", () => {
  manualSeed(21);
  const experts = [0, 1, 2].map(() => new GPT({ vocabSize: 30, dModel: 16, layers: 1, heads: 2, seqLen: 12, dtype: "float64" }));

  it("posterior (both forms) and fixed-weight NLLs equal the scalar rules, sequence by sequence", () => {
    tidy(() => {
      const tokens = randint(0, 30, [2, 11]);
      const lp = expertTargetLogProbs(experts, tokens);
      assert.deepEqual(lp.shape, [3, 2, 10]);
      const prior = [0.5, 0.3, 0.2];
      const post = posteriorEnsembleNll(lp, prior).toArray() as Float64Array;
      const fixed = fixedWeightsEnsembleNll(lp, prior).toArray() as Float64Array;
      const last = lastTokenPosteriorEnsembleNll(lp, prior).toArray() as Float64Array;
      const all = lp.toArray() as Float64Array;
      for (let b = 0; b < 2; b++) {
        const evidence = { targetLogProbs: [0, 1, 2].map((j) => all.subarray(j * 20 + b * 10, j * 20 + b * 10 + 10)) };
        const want = ruleTokenNll(new BayesianPosteriorRule(prior), evidence);
        const wantFixed = ruleTokenNll(new FixedWeightsRule(prior), evidence);
        const wantLast = ruleTokenNll(new BayesianPosteriorRule(prior, "last-token"), evidence);
        for (let t = 0; t < 10; t++) {
          assert.ok(Math.abs(post[b * 10 + t] - want[t]) < 1e-10, `posterior b${b} t${t}: ${post[b * 10 + t]} vs ${want[t]}`);
          assert.ok(Math.abs(fixed[b * 10 + t] - wantFixed[t]) < 1e-10);
          assert.ok(Math.abs(last[b * 10 + t] - wantLast[t]) < 1e-10, `last-token b${b} t${t}: ${last[b * 10 + t]} vs ${wantLast[t]}`);
        }
      }
    });
  });

  it("a one-hot weight reproduces that expert alone", () => {
    tidy(() => {
      const lp = expertTargetLogProbs(experts, randint(0, 30, [1, 9]));
      const only = fixedWeightsEnsembleNll(lp, [0, 1, 0]);
      assert.ok(only.sub(lp.select(0, 1).neg()).abs().maxAll().item() < 1e-12);
    });
  });
});

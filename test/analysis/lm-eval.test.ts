// Perplexity by sliding windows and hidden-state alignment, against direct computations.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { crossEntropy, manualSeed, noGrad, tensor, tidy } from "../../src/torch/index.js";
import { GPT } from "../../src/nn/gpt.js";
import { hiddenStateCosineByLayer, matchedHiddenCosineByLayer, slidingWindowPerplexity } from "../../src/analysis/lm-eval.js";
import { Rng } from "../../src/util/rng.js";

manualSeed(9);
const model = new GPT({ vocabSize: 40, dModel: 16, layers: 2, heads: 2, seqLen: 8 });
const rng = new Rng(3);
const ids = Int32Array.from({ length: 61 }, () => rng.int(40));

/** NLL of target i (ids[i]) given ids[max(0, i - window) .. i-1], one forward per target. */
function directNll(i: number, window: number): number {
  const start = Math.max(0, i - window);
  return noGrad(() => tidy(() => {
    const x = tensor(ids.subarray(start, i), { shape: [1, i - start], dtype: "int64" });
    const logits = model.forward(x).logits.select(1, i - start - 1);
    return crossEntropy(logits, tensor([ids[i]], { dtype: "int64" })).item();
  }));
}

describe("sliding-window perplexity", () => {
  it("with stride = window equals scoring consecutive chunks", () => {
    const r = slidingWindowPerplexity(model, ids, { stride: 8 });
    assert.equal(r.tokens, 60);
    let sum = 0;
    for (let i = 1; i <= 60; i++) sum += directNll(i, ((i - 1) % 8) + 1);
    assert.ok(Math.abs(r.nll - sum / 60) < 1e-5, `${r.nll} vs ${sum / 60}`);
  });

  it("with stride = window/4 scores every target once, with at least 6 tokens of context after the first window", () => {
    const r = slidingWindowPerplexity(model, ids, { stride: 2 });
    assert.equal(r.tokens, 60);
    let sum = 0;
    for (let i = 1; i <= 60; i++) {
      // Target i is scored by the window whose end covers it last-stride-wise.
      const context = i <= 8 ? i : 6 + ((i - 8 - 1) % 2) + 1;
      sum += directNll(i, context);
    }
    assert.ok(Math.abs(r.nll - sum / 60) < 1e-5, `${r.nll} vs ${sum / 60}`);
    assert.ok(Math.abs(r.ppl - Math.exp(r.nll)) < 1e-9);
  });
});

describe("hidden-state alignment", () => {
  it("identical text aligns perfectly; different text does not", () => {
    const a = ids.subarray(0, 16);
    const same = hiddenStateCosineByLayer(model, a, a, 2);
    same.forEach((c) => assert.ok(Math.abs(c - 1) < 1e-5));
    const other = hiddenStateCosineByLayer(model, a, ids.subarray(20, 36), 2);
    assert.ok(other.every((c) => c < 0.999));
  });

  it("matching finds the alignment of sentences of different lengths", () => {
    const a = ids.subarray(0, 7);
    const perfect = matchedHiddenCosineByLayer(model, [[a, a]]);
    perfect.forEach((c) => assert.ok(Math.abs(c - 1) < 1e-5, `${c}`));
    // A longer sentence that starts with the same tokens: every position of the shorter
    // one has an identical state in the longer one (causal attention).
    const longer = ids.subarray(0, 8);
    matchedHiddenCosineByLayer(model, [[a, longer]]).forEach((c) => assert.ok(Math.abs(c - 1) < 1e-5));
    const unrelated = matchedHiddenCosineByLayer(model, [[a, ids.subarray(30, 36)]]);
    assert.equal(unrelated.length, 2);
    assert.ok(unrelated.every((c) => c < 0.999));
  });
});

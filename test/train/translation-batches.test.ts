// The translation loss counts target tokens only; batches resume exactly.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { manualSeed, noGrad, tensor } from "../../src/torch/index.js";
import { GPT } from "../../src/nn/gpt.js";
import { makeSampler } from "../../src/data/samplers.js";
import { TranslationBatchSource, padRows, targetMask, translationSequenceLosses } from "../../src/train/translation-batches.js";

const SEP = 1;
const EOS = 2;
manualSeed(3);
const model = new GPT({ vocabSize: 9, dModel: 16, layers: 1, heads: 2, seqLen: 12 });
model.eval();
after(() => model.dispose());

describe("translation batches", () => {
  it("the mask covers the tokens after <sep> up to the first <eos>, not the prompt or the padding", () => {
    // <2x>=5 a=6 b=7 <sep> c=8 d=4 <eos> <eos>(pad)
    const row = [5, 6, 7, SEP, 8, 4, EOS, EOS];
    const { targets, counts } = targetMask(row, 1, SEP, EOS);
    // Position t predicts token t+1: positions 3, 4, 5 predict c, d, <eos>.
    assert.deepEqual(Array.from(targets, Number), [-100, -100, -100, 8, 4, EOS, -100]);
    assert.deepEqual(Array.from(counts), [3]);
    assert.throws(() => targetMask([5, 6, 7, 8], 1, SEP, EOS), /row 0 has no target tokens/);
  });

  it("the per-row loss is the mean negative log-probability of the row's target tokens", () => {
    const rows = [[5, 6, SEP, 8, 4, EOS], [5, 6, 7, 3, SEP, 8, EOS]];
    const flat = padRows(rows, EOS);
    const width = flat.length / 2;
    const ids = tensor(flat, { shape: [2, width], dtype: "int64" });
    const losses = noGrad(() => translationSequenceLosses(model, ids, SEP, EOS).toArray() as Float32Array);
    const lp = noGrad(() => model.forward(ids.narrow(1, 0, width - 1)).logits.logSoftmax(2).toArray() as Float32Array);
    rows.forEach((r, b) => {
      const sep = r.indexOf(SEP);
      let sum = 0;
      for (let j = sep + 1; j < r.length; j++) sum -= lp[(b * (width - 1) + j - 1) * 9 + r[j]];
      const expected = sum / (r.length - sep - 1);
      assert.ok(Math.abs(losses[b] - expected) < 1e-5, `row ${b}: ${losses[b]} vs ${expected}`);
    });
  });

  it("a restored batch source continues exactly, across epochs", () => {
    const examples = [[[5, SEP, 6, EOS], [5, 7, SEP, 8, EOS]], [[4, SEP, 6, EOS]]];
    const make = () => new TranslationBatchSource(examples, makeSampler({ kind: "uniform", languages: ["en-de", "en-fr"], seed: 1 }), 3, EOS, 9);
    const a = make();
    for (let i = 0; i < 3; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = [a.next(), a.next(), a.next()];
    const b = make();
    b.restore(saved);
    assert.deepEqual([b.next(), b.next(), b.next()], expected);
    assert.throws(() => new TranslationBatchSource([[], []], makeSampler({ kind: "uniform", languages: ["en-de", "en-fr"], seed: 1 }), 3, EOS, 9), /en-de has no training examples/);
  });
});

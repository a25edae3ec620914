// Greedy and beam decoding against brute force on a tiny random GPT: an exhaustive beam
// finds the best length-normalised continuation, beam 1 is greedy, and batching prompts of
// different lengths changes nothing.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { manualSeed, noGrad, tensor } from "../../src/torch/index.js";
import { GPT } from "../../src/nn/gpt.js";
import { beamSearch, greedyDecode } from "../../src/nn/decoding.js";

const V = 5;
const EOS = 0;
manualSeed(7);
const model = new GPT({ vocabSize: V, dModel: 16, layers: 2, heads: 2, seqLen: 10 });
// Sharper distributions than the initialisation's near-uniform ones, so ties are rare.
noGrad(() => model.lm_head.weight.mul_(40));
model.eval();
after(() => model.dispose());
const PROMPTS = [[3], [1, 2, 4], [2, 2]];

/** log p(continuation | prompt), one unbatched forward per token. */
function logProb(prompt: number[], cont: number[]): number {
  let sum = 0;
  for (let i = 0; i < cont.length; i++) {
    const ids = [...prompt, ...cont.slice(0, i)];
    const lp = noGrad(() => model.forward(tensor(Int32Array.from(ids), { shape: [1, ids.length], dtype: "int64" })).logits.logSoftmax(2).toArray() as Float32Array);
    sum += lp[(ids.length - 1) * V + cont[i]];
  }
  return sum;
}

/** Every continuation: ending in <eos> within maxNew tokens, or maxNew tokens without one. */
function allContinuations(maxNew: number): number[][] {
  const out: number[][] = [];
  const grow = (prefix: number[]) => {
    if (prefix.length === maxNew) return out.push(prefix);
    out.push([...prefix, EOS]);
    for (let t = 1; t < V; t++) grow([...prefix, t]);
  };
  grow([]);
  return out;
}

describe("decoding", () => {
  for (const alpha of [0, 1]) {
    it(`an exhaustive beam equals brute-force search (length penalty ${alpha})`, () => {
      const maxNew = 3;
      const conts = allContinuations(maxNew);
      const hyps = beamSearch(model, PROMPTS, { eosId: EOS, maxNewTokens: maxNew, beam: conts.length, lengthPenalty: alpha });
      PROMPTS.forEach((p, i) => {
        const scored = conts.map((c) => ({ c, s: logProb(p, c) / c.length ** alpha })).sort((a, b) => b.s - a.s);
        const best = scored[0];
        assert.ok(Math.abs(hyps[i].score - best.s) < 1e-4, `prompt ${i}: beam ${hyps[i].score} vs brute force ${best.s}`);
        const expected = best.c.at(-1) === EOS ? best.c.slice(0, -1) : best.c;
        if (scored[1].s < best.s - 1e-3) assert.deepEqual(hyps[i].tokens, expected, `prompt ${i}`);
      });
    });
  }

  it("greedy decoding takes the argmax at every step, batched or not", () => {
    const batched = greedyDecode(model, PROMPTS, { eosId: EOS, maxNewTokens: 5, batchSize: 3 });
    const single = greedyDecode(model, PROMPTS, { eosId: EOS, maxNewTokens: 5, batchSize: 1 });
    assert.deepEqual(batched, single);
    PROMPTS.forEach((p, i) => {
      const seq = [...p];
      const out: number[] = [];
      for (let s = 0; s < 5; s++) {
        const lp = noGrad(() => model.forward(tensor(Int32Array.from(seq), { shape: [1, seq.length], dtype: "int64" })).logits.toArray() as Float32Array);
        const row = Array.from(lp.subarray((seq.length - 1) * V, seq.length * V));
        const tok = row.indexOf(Math.max(...row));
        if (tok === EOS) break;
        out.push(tok);
        seq.push(tok);
      }
      assert.deepEqual(batched[i], out, `prompt ${i}`);
    });
  });

  it("beam 1 is greedy; a beam of 3 is the same batched or one prompt at a time", () => {
    const greedy = greedyDecode(model, PROMPTS, { eosId: EOS, maxNewTokens: 4 });
    assert.deepEqual(beamSearch(model, PROMPTS, { eosId: EOS, maxNewTokens: 4, beam: 1 }).map((h) => h.tokens), greedy);
    const a = beamSearch(model, PROMPTS, { eosId: EOS, maxNewTokens: 4, beam: 3, batchSize: 3 });
    const b = beamSearch(model, PROMPTS, { eosId: EOS, maxNewTokens: 4, beam: 3, batchSize: 1 });
    assert.deepEqual(a.map((h) => h.tokens), b.map((h) => h.tokens));
    a.forEach((h, i) => assert.ok(Math.abs(h.score - b[i].score) < 1e-5));
  });

  it("stops where the model's context ends, and refuses a prompt longer than it", () => {
    const long = [1, 2, 3, 4, 1, 2, 3, 4];
    const out = greedyDecode(model, [long], { eosId: EOS, maxNewTokens: 5 });
    assert.ok(out[0].length <= 3, `${out[0].length} tokens after an 8-token prompt in 10 positions`);
    assert.ok(beamSearch(model, [long], { eosId: EOS, maxNewTokens: 5, beam: 4 })[0].tokens.length <= 3);
    assert.throws(() => greedyDecode(model, [[...long, 1, 2, 3]], { eosId: EOS, maxNewTokens: 5 }), /prompt 0 has 11 tokens, more than the model's 10 positions/);
  });
});

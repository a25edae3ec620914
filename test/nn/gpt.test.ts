import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { grad, manualSeed, noGrad, randint, tidy } from "../../src/torch/index.js";
import { GPT } from "../../src/nn/gpt.js";

describe("GPT", () => {
  it("uses the reference's parameter names and shapes", () => {
    const m = new GPT({ vocabSize: 50, dModel: 16, layers: 2, heads: 2, seqLen: 8 });
    const shapes = Object.fromEntries(m.namedParameters().map(([n, p]) => [n, p.shape]));
    assert.deepEqual(shapes["tok_emb.weight"], [50, 16]);
    assert.deepEqual(shapes["pos_emb.weight"], [8, 16]);
    assert.deepEqual(shapes["blocks.1.attn.qkv.weight"], [48, 16]);
    assert.deepEqual(shapes["blocks.0.mlp.fc.bias"], [64]);
    assert.deepEqual(shapes["blocks.0.mlp.proj.weight"], [16, 64]);
    assert.deepEqual(shapes["lm_head.weight"], [50, 16]);
    assert.equal(shapes["lm_head.bias"], undefined);
    assert.equal(m.numParameters(), 50 * 16 * 2 + 8 * 16 + 2 * (4 * 16 + 48 * 16 + 48 + 16 * 16 + 16 + 64 * 16 + 64 + 16 * 64 + 16) + 2 * 16);
    m.dispose();
  });

  it("initialises as specified: N(0, 0.02), residual projections 0.02/sqrt(2L), zero bias, unit LN", () => {
    manualSeed(3);
    const m = new GPT({ vocabSize: 512, dModel: 64, layers: 4, heads: 4, seqLen: 32 });
    const p = m.stateDict();
    const std = (n: string) => tidy(() => p.get(n)!.std().item());
    assert.ok(Math.abs(std("tok_emb.weight") - 0.02) < 0.001);
    assert.ok(Math.abs(std("blocks.2.attn.proj.weight") - 0.02 / Math.sqrt(8)) < 0.0005);
    assert.ok(Math.abs(std("blocks.2.mlp.proj.weight") - 0.02 / Math.sqrt(8)) < 0.0005);
    assert.equal(tidy(() => p.get("blocks.0.attn.qkv.bias")!.abs().sum().item()), 0);
    assert.equal(tidy(() => p.get("ln_f.weight")!.sum().item()), 64);
    m.dispose();
  });

  it("is causal: changing a later token leaves earlier logits unchanged", () => {
    manualSeed(4);
    const m = new GPT({ vocabSize: 30, dModel: 16, layers: 2, heads: 4, seqLen: 10 });
    tidy(() => {
      const a = randint(0, 30, [1, 10]);
      const b = a.clone();
      b.select(1, 7).fill_(29 - a.select(1, 7).item());
      const la = m.forward(a).logits.narrow(1, 0, 7);
      const lb = m.forward(b).logits.narrow(1, 0, 7);
      assert.ok(la.equal(lb));
      const later = m.forward(a).logits.narrow(1, 7, 3).sub(m.forward(b).logits.narrow(1, 7, 3)).abs().sum().item();
      assert.ok(later > 0);
    });
    m.dispose();
  });

  it("returns every block's hidden state on request", () => {
    const m = new GPT({ vocabSize: 30, dModel: 16, layers: 3, heads: 4, seqLen: 10 });
    tidy(() => {
      const out = m.forward(randint(0, 30, [2, 5]), { hidden: true });
      assert.equal(out.hidden!.length, 3);
      assert.deepEqual(out.hidden![2].shape, [2, 5, 16]);
      assert.deepEqual(out.logits.shape, [2, 5, 30]);
    });
    m.dispose();
  });

  it("loss gradient matches finite differences for the whole model (float64)", () => {
    manualSeed(5);
    const m = new GPT({ vocabSize: 11, dModel: 8, layers: 2, heads: 2, seqLen: 6, dtype: "float64" });
    const tokens = randint(0, 11, [2, 6]);
    const loss = () => tidy(() => noGrad(() => m.loss(tokens).item()));
    const eps = 1e-6;
    for (const [name, p] of m.namedParameters()) {
      if (!["blocks.1.attn.qkv.weight", "blocks.0.ln1.weight", "tok_emb.weight", "blocks.0.mlp.fc.bias", "lm_head.weight"].includes(name)) continue;
      const analytic = tidy(() => grad(m.loss(tokens), [p])[0]!.reshape([-1]).toArray() as Float64Array);
      const flat = p.view([-1]);
      const n = flat.numel();
      for (let i = 0; i < n; i += Math.max(1, Math.floor(n / 10))) {
        const element = flat.select(0, i);
        noGrad(() => element.add_(eps));
        const up = loss();
        noGrad(() => element.sub_(2 * eps));
        const down = loss();
        noGrad(() => element.add_(eps));
        element.dispose();
        const numeric = (up - down) / (2 * eps);
        const err = Math.abs(numeric - analytic[i]) / Math.max(1, Math.abs(numeric));
        assert.ok(err < 1e-6, `${name}[${i}]: autograd ${analytic[i]} vs finite difference ${numeric}`);
      }
      flat.dispose();
    }
    m.dispose();
  });
});

// The encoder against an independent float64 reference written out in plain arithmetic
// (embeddings, LayerNorm, masked softmax attention, exact GELU, post-LN residuals), its
// padding invariance, and the masked-LM corruption and loss.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MaskedLM, encoderConfig } from "../../src/nn/encoder.js";
import { mlmSequenceLosses, maskTokens } from "../../src/train/mlm.js";
import { crossEntropy, manualSeed, randint, tensor, tidy } from "../../src/torch/index.js";
import { assertClose } from "../helpers.js";

type M = number[][];
const matmulT = (x: M, w: M) => x.map((r) => w.map((wr) => wr.reduce((s, v, k) => s + v * r[k], 0)));
const addRow = (x: M, b: number[]) => x.map((r) => r.map((v, j) => v + b[j]));
const layerNorm = (x: M, g: number[], b: number[], eps: number) => x.map((r) => {
  const mu = r.reduce((a, c) => a + c, 0) / r.length;
  const v = r.reduce((a, c) => a + (c - mu) ** 2, 0) / r.length;
  return r.map((c, j) => ((c - mu) / Math.sqrt(v + eps)) * g[j] + b[j]);
});
/** erf by its Maclaurin series (converges fast for the small inputs here). */
function erf(x: number): number {
  let sum = 0;
  let term = x;
  for (let n = 0; n < 60; n++) {
    sum += term / (2 * n + 1);
    term *= (-x * x) / (n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
const gelu = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

function reference(model: MaskedLM, ids: number[]): M {
  const p = new Map(model.namedParameters().map(([n, t]) => [n, t.toDtype("float64").tolist() as number[] | M]));
  const W = (n: string) => p.get(n) as M;
  const V = (n: string) => p.get(n) as number[];
  const c = model.config;
  const pad = ids.map((i) => i === c.padId);
  let x: M = ids.map((id, t) => W("encoder.embeddings.word_embeddings.weight")[id].map((v, j) =>
    v + W("encoder.embeddings.position_embeddings.weight")[t][j] + W("encoder.embeddings.token_type_embeddings.weight")[0][j]));
  x = layerNorm(x, V("encoder.embeddings.LayerNorm.weight"), V("encoder.embeddings.LayerNorm.bias"), c.layerNormEps);
  const dh = c.hidden / c.heads;
  for (let l = 0; l < c.layers; l++) {
    const pre = `encoder.encoder.layer.${l}.`;
    const lin = (y: M, n: string) => addRow(matmulT(y, W(`${pre}${n}.weight`)), V(`${pre}${n}.bias`));
    const q = lin(x, "attention.self.query");
    const k = lin(x, "attention.self.key");
    const v = lin(x, "attention.self.value");
    const ctx: M = x.map(() => new Array<number>(c.hidden).fill(0));
    for (let h = 0; h < c.heads; h++) {
      for (let i = 0; i < ids.length; i++) {
        const scores = ids.map((_, j) => (pad[j] ? -Infinity : q[i].slice(h * dh, (h + 1) * dh).reduce((s, a, d) => s + a * k[j][h * dh + d], 0) / Math.sqrt(dh)));
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < ids.length; j++) for (let d = 0; d < dh; d++) ctx[i][h * dh + d] += (e[j] / z) * v[j][h * dh + d];
      }
    }
    const a = layerNorm(lin(ctx, "attention.output.dense").map((r, i) => r.map((val, j) => val + x[i][j])), V(`${pre}attention.output.LayerNorm.weight`), V(`${pre}attention.output.LayerNorm.bias`), c.layerNormEps);
    const inter = lin(a, "intermediate.dense").map((r) => r.map(gelu));
    x = layerNorm(lin(inter, "output.dense").map((r, i) => r.map((val, j) => val + a[i][j])), V(`${pre}output.LayerNorm.weight`), V(`${pre}output.LayerNorm.bias`), c.layerNormEps);
  }
  const tr = layerNorm(addRow(matmulT(x, W("mlm.transform.dense.weight")), V("mlm.transform.dense.bias")).map((r) => r.map(gelu)), V("mlm.transform.LayerNorm.weight"), V("mlm.transform.LayerNorm.bias"), c.layerNormEps);
  return addRow(matmulT(tr, W("encoder.embeddings.word_embeddings.weight")), V("mlm.bias"));
}

function model(): MaskedLM {
  manualSeed(11);
  return new MaskedLM(encoderConfig({ vocabSize: 23, hidden: 8, layers: 2, heads: 2, maxPositions: 10, typeVocabSize: 1, padId: 0, dropout: 0, dtype: "float64" })).eval();
}

describe("encoder", () => {
  it("matches a float64 reference computed in plain arithmetic, padding included", () => {
    const m = model();
    // Non-zero biases and LayerNorm gains so every term of the reference is exercised.
    tidy(() => { for (const [, p] of m.namedParameters()) p.detach().add_(tensor([0.05], { dtype: "float64" })); });
    const ids = [5, 9, 3, 17, 0, 0];
    const got = tidy(() => m.forward(tensor([ids], { dtype: "int64" })).toArray() as Float64Array);
    const want = reference(m, ids).flat();
    assertClose(got, want, 1e-9, "logits");
  });

  it("gives the same states at real positions whatever the padding holds or how long it is", () => {
    const m = model();
    tidy(() => {
      const a = m.encoder.forward(tensor([[4, 7, 9, 0, 0]], { dtype: "int64" })).last.narrow(1, 0, 3);
      const b = m.encoder.forward(tensor([[4, 7, 9, 0, 0, 0, 0, 0]], { dtype: "int64" })).last.narrow(1, 0, 3);
      assertClose(a.toArray() as Float64Array, b.toArray() as Float64Array, 1e-12, "states");
    });
  });

  it("masks like BERT: only non-special positions, ~15% of them, 80/10/10 mask/random/kept", () => {
    manualSeed(3);
    tidy(() => {
      const ids = randint(5, 1000, [200, 100]);
      ids.narrow(1, 0, 10).fill_(2);
      const { input, labels } = maskTokens(ids, 1000, { maskId: 4, specialIds: [2, 0] });
      const sel = labels.ne(-100);
      const share = sel.sum().item() / (200 * 90);
      assert.ok(Math.abs(share - 0.15) < 0.01, `selected ${share}`);
      assert.equal(sel.narrow(1, 0, 10).sum().item(), 0, "special ids are never selected");
      const n = sel.sum().item();
      const masked = input.eq(4).logicalAnd(sel).sum().item() / n;
      const kept = input.eq(ids).logicalAnd(sel).sum().item() / n;
      assert.ok(Math.abs(masked - 0.8) < 0.02, `masked ${masked}`);
      assert.ok(Math.abs(kept - 0.1) < 0.02 + 0.001, `kept ${kept}`);
      assert.equal(input.eq(ids).logicalOr(sel).logicalNot().sum().item(), 0, "unselected positions are unchanged");
    });
  });

  it("a sequence's masked-LM loss is the mean cross-entropy over its selected positions", () => {
    const m = model();
    tidy(() => {
      const tokens = randint(1, 23, [3, 7]);
      manualSeed(5);
      const losses = mlmSequenceLosses(m, tokens, { maskId: 1, specialIds: [0], probability: 0.5 }).toArray() as Float64Array;
      manualSeed(5);
      const { input, labels } = maskTokens(tokens.narrow(1, 0, 6), 23, { maskId: 1, specialIds: [0], probability: 0.5 });
      const logits = m.forward(input);
      for (let b = 0; b < 3; b++) {
        const expected = crossEntropy(logits.select(0, b), labels.select(0, b), null, "mean", -100).item();
        assertClose([losses[b]], [Number.isNaN(expected) ? 0 : expected], 1e-12, `row ${b}`);
      }
    });
  });
});

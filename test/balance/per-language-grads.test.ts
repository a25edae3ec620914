// Per-language gradients against closed forms, and the flat/tensor helpers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GPT } from "../../src/nn/gpt.js";
import { manualSeed, randint, tensor, tidy } from "../../src/torch/index.js";
import {
  flattenGradients, flatLength, gradientCosines, perLanguageGradientTensors, perLanguageGradients, selectParameters, setGradients,
  unflattenGradient,
} from "../../src/train/balance/per-language-grads.js";
import { assertClose } from "../helpers.js";

const wData = [0.5, -1, 2, 0.25, 1.5, -0.75];
const bData = [1, -2, 0.5];

function setup() {
  const w = tensor(wData, { shape: [2, 3], dtype: "float64", requiresGrad: true });
  const b = tensor(bData, { dtype: "float64", requiresGrad: true });
  const unused = tensor([7, 8], { dtype: "float64", requiresGrad: true });
  // L1 = sum(w^2) + 3 sum(b): dL1/dw = 2w, dL1/db = 3, dL1/dunused = 0.
  // L2 = sum(w^3):            dL2/dw = 3w^2, dL2/db = 0, dL2/dunused = 0.
  const losses = [w.pow(2).sum().add(b.sum().mul(3)), w.pow(3).sum()];
  return { params: [w, b, unused], losses };
}

const expected1 = [...wData.map((x) => 2 * x), 3, 3, 3, 0, 0];
const expected2 = [...wData.map((x) => 3 * x * x), 0, 0, 0, 0, 0];

describe("per-language gradients", () => {
  it("flat gradients match closed forms, unused parameters are zero", () => {
    const flat = tidy(() => {
      const { params, losses } = setup();
      return perLanguageGradients(losses, params);
    });
    assertClose(flat[0], expected1, 1e-15, "language 1");
    assertClose(flat[1], expected2, 1e-15, "language 2");
  });

  it("tensor gradients are shaped like the parameters and agree with the flat ones", () => {
    tidy(() => {
      const { params, losses } = setup();
      const gs = perLanguageGradientTensors(losses, params);
      gs[0].forEach((g, k) => assert.deepEqual(g.shape, params[k].shape));
      assertClose(flattenGradients(gs[0], params), expected1, 1e-15, "language 1");
      assertClose(flattenGradients(gs[1], params), expected2, 1e-15, "language 2");
      // The graph was retained: a backward of the total still works afterwards.
      losses[0].add(losses[1]).backward();
      assertClose(flattenGradients(params.map((p) => p.grad), params), expected1.map((e, i) => e + expected2[i]), 1e-15, "sum");
    });
  });

  it("unflatten inverts flatten; setGradients installs a combined gradient", () => {
    tidy(() => {
      const { params } = setup();
      const combined = Float64Array.from(expected1, (e, i) => 0.25 * e + 0.75 * expected2[i]);
      const parts = unflattenGradient(combined, params);
      assert.deepEqual(parts.map((t) => t.shape), [[2, 3], [3], [2]]);
      assertClose(flattenGradients(parts, params), combined, 0, "round trip");
      setGradients(params, combined);
      assertClose(flattenGradients(params.map((p) => p.grad), params), combined, 0, ".grad");
      assert.throws(() => unflattenGradient(new Float64Array(3), params), /3 values for 11/);
    });
  });

  it("float32 parameters give float64 flat gradients of their values", () => {
    const flat = tidy(() => {
      const w = tensor([1.5, -2], { requiresGrad: true });
      return perLanguageGradients([w.pow(2).sum()], [w]);
    });
    assert.ok(flat[0] instanceof Float64Array);
    assertClose(flat[0], [3, -4], 1e-7, "2w");
  });

  it("cosines by hand", () => {
    // (1, 0) vs (1, 1): 1/sqrt2; (1, 0) vs (-2, 0): -1; (1, 1) vs (-2, 0): -2/(2 sqrt2) = -1/sqrt2.
    const c = gradientCosines([[1, 0], [1, 1], [-2, 0]]);
    const r = Math.SQRT1_2;
    assertClose(c.flat(), [1, r, -1, r, 1, -r, -1, -r, 1], 1e-15, "cosines");
  });

  it("a name predicate restricts gradients to a parameter subset of a GPT", () => {
    manualSeed(2);
    const m = new GPT({ vocabSize: 9, dModel: 8, layers: 1, heads: 2, seqLen: 6, dtype: "float64" });
    const subset = selectParameters(m.namedParameters(), (n) => n.startsWith("lm_head") || n.startsWith("ln_f"));
    assert.deepEqual(subset.names, ["ln_f.weight", "ln_f.bias", "lm_head.weight"]);
    assert.equal(flatLength(subset.params), 8 + 8 + 72);
    const all = selectParameters(m.namedParameters());
    tidy(() => {
      const batches = [randint(0, 9, [2, 6]), randint(0, 9, [2, 6])];
      const losses = batches.map((b) => m.loss(b));
      const sub = perLanguageGradients(losses, subset.params);
      const full = perLanguageGradients(losses, all.params);
      // The subset's gradient is the matching slice of the full gradient.
      let offset = 0;
      const slices: [number, number][] = [];
      all.names.forEach((name, k) => {
        const n = all.params[k].numel();
        if (subset.names.includes(name)) slices.push([offset, offset + n]);
        offset += n;
      });
      for (let l = 0; l < 2; l++) {
        const expected = slices.flatMap(([a, b]) => Array.from(full[l].subarray(a, b)));
        assertClose(sub[l], expected, 1e-15, `language ${l}`);
      }
    });
    m.dispose();
  });
});

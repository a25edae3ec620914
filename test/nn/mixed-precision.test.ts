// The layers under bf16 autocast: where float32 weights meet bf16 activations.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { autocast, cpuBf16Support, manualSeed, randn, tidy } from "../../src/torch/index.js";
import { LayerNorm, Linear } from "../../src/nn/layers.js";

describe("layers under bf16 autocast", () => {
  it("LayerNorm normalises a bf16 activation in float32, close to the all-float32 result", (t) => {
    if (!cpuBf16Support().native) return t.skip("this CPU has no native bf16");
    tidy(() => {
      manualSeed(3);
      const fc = new Linear(16, 32);
      const ln = new LayerNorm(32);
      const x = randn([4, 16]);
      const want = ln.forward(fc.forward(x).gelu("none"));
      const got = autocast({ dtype: "bfloat16" }, () => {
        const h = fc.forward(x).gelu("none");
        assert.equal(h.dtype, "bfloat16");
        return ln.forward(h);
      });
      assert.equal(got.dtype, "float32");
      const err = got.sub(want).abs().amax([0, 1]).item();
      // Normalised values are O(1); bf16 keeps 8 significant bits of the activation.
      assert.ok(err > 0 && err < 0.1, `max abs difference ${err}`);
    });
  });
});

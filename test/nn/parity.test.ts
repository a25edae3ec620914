// xling's GPT against PyTorch itself (Debian's python3-torch runs the project's reference
// script, scripts/reference/gpt_reference.py).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runParity } from "../../src/train/parity.js";
import { findReference } from "../../src/train/reference.js";
import { cpuBf16Support } from "../../src/torch/index.js";

const config = { vocabSize: 256, dModel: 32, layers: 2, heads: 4, seqLen: 16 };

describe("parity with PyTorch", () => {
  it("20 AdamW steps in fp32 give the reference's losses (max relative difference <= 1e-4)", () => {
    assert.ok(findReference(), "python3-torch is required (the README's test command installs it)");
    const r = runParity({ config, batch: 4, steps: 20, lr: 6e-4, seed: 7, precision: "fp32" });
    assert.equal(r.torch.length, 20);
    assert.ok(r.xling[19] < r.xling[0], "training lowers the loss");
    assert.ok(r.max_rel_diff <= 1e-4, `max_rel_diff ${r.max_rel_diff}`);
  });

  it("20 AdamW steps under bf16 autocast follow the reference under torch.autocast (max relative difference <= 1e-2)", (t) => {
    if (!cpuBf16Support().native) return t.skip("this CPU has no native bf16");
    const r = runParity({ config: { vocabSize: 512, dModel: 64, layers: 2, heads: 4, seqLen: 32 }, batch: 8, steps: 20, lr: 1e-3, seed: 11, precision: "bf16" });
    assert.equal(r.torch.length, 20);
    assert.ok(r.xling[19] < r.xling[0], "training lowers the loss");
    // bf16 rounding differs from fp32: the two runs must differ from an fp32 run, yet agree with each other.
    const fp32 = runParity({ config: { vocabSize: 512, dModel: 64, layers: 2, heads: 4, seqLen: 32 }, batch: 8, steps: 20, lr: 1e-3, seed: 11, precision: "fp32" });
    assert.ok(r.xling.some((l, i) => l !== fp32.xling[i]), "bf16 autocast changed nothing: it is not on");
    t.diagnostic(`bf16 max_rel_diff ${r.max_rel_diff}`);
    assert.ok(r.max_rel_diff <= 1e-2, `max_rel_diff ${r.max_rel_diff}`);
  });
});

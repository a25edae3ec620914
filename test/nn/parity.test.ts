// xling's GPT against PyTorch itself (Debian's python3-torch runs the reference script).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runParity } from "../../src/train/parity.js";
import { findReference } from "../../src/train/reference.js";

describe("parity with PyTorch", () => {
  it("20 AdamW steps give the reference's losses (max relative difference <= 1e-4)", () => {
    assert.ok(findReference(), "python3-torch and ../shared/bench/torch_gpt_reference.py are required (the README's test command installs them)");
    const r = runParity({ config: { vocabSize: 256, dModel: 32, layers: 2, heads: 4, seqLen: 16 }, batch: 4, steps: 20, lr: 6e-4, seed: 7 });
    assert.equal(r.torch.length, 20);
    assert.ok(r.xling[19] < r.xling[0], "training lowers the loss");
    assert.ok(r.max_rel_diff <= 1e-4, `max_rel_diff ${r.max_rel_diff}`);
  });
});

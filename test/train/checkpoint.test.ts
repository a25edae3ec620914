import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, truncateSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AdamW, cpuBf16Support, manualSeed, randint, readSafetensorsHeader, tidy, type Precision, type Tensor } from "../../src/torch/index.js";
import { GPT, type GPTConfig } from "../../src/nn/gpt.js";
import { lmTrainStep } from "../../src/train/step.js";
import { loadCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.js";

const cfg: GPTConfig = { vocabSize: 40, dModel: 16, layers: 2, heads: 2, seqLen: 8, dropout: 0.1 };
const dir = mkdtempSync(join(tmpdir(), "xling-ckpt-"));

function setup() {
  const model = new GPT(cfg);
  const opt = new AdamW(model.namedParameters(), { lr: 3e-3, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.01 });
  return { model, opt };
}
// Batches drawn from the same libtorch generator as dropout, so RNG state matters twice.
function run(model: GPT, opt: AdamW, steps: number, precision: Precision = "fp32"): number[] {
  const out: number[] = [];
  for (let i = 0; i < steps; i++) out.push(tidy(() => lmTrainStep(model, opt, randint(0, cfg.vocabSize, [4, cfg.seqLen + 1]), precision)));
  return out;
}

describe("checkpoints", () => {
  it("resume continues bit for bit (model, AdamW state, RNG, step)", () => {
    manualSeed(11);
    const a = setup();
    const first = run(a.model, a.opt, 5);
    const path = join(dir, "ckpt.safetensors");
    saveCheckpoint(path, a.model, a.opt, { step: 5, extra: { note: "x" } });
    const uninterrupted = run(a.model, a.opt, 6);

    manualSeed(999); // a different process state: everything must come from the file
    const b = setup();
    const meta = loadCheckpoint(path, b.model, b.opt);
    assert.equal(meta.step, 5);
    assert.deepEqual(meta.extra, { note: "x" });
    const resumed = run(b.model, b.opt, 6);
    assert.deepEqual(resumed, uninterrupted);
    assert.ok(first.every(Number.isFinite));
    for (const [n, p] of a.model.namedParameters()) assert.ok(p.equal(b.model.stateDict().get(n) as Tensor), n);
  });

  it("under bf16 autocast, weights, gradients and AdamW state stay float32 and resume continues bit for bit", (t) => {
    if (!cpuBf16Support().native) return t.skip("this CPU has no native bf16");
    manualSeed(13);
    const a = setup();
    run(a.model, a.opt, 3, "bf16");
    for (const [n, p] of a.model.namedParameters()) {
      assert.equal(p.dtype, "float32", n);
      assert.equal(p.grad?.dtype, "float32", `${n} gradient`);
    }
    const path = join(dir, "bf16.safetensors");
    saveCheckpoint(path, a.model, a.opt, { step: 3 });
    for (const [name, entry] of readSafetensorsHeader(path).tensors)
      if (entry.dtype.startsWith("float") || entry.dtype === "bfloat16") assert.equal(entry.dtype, "float32", name);
    const uninterrupted = run(a.model, a.opt, 4, "bf16");

    manualSeed(998);
    const b = setup();
    loadCheckpoint(path, b.model, b.opt);
    assert.deepEqual(run(b.model, b.opt, 4, "bf16"), uninterrupted);
    for (const [n, p] of a.model.namedParameters()) assert.ok(p.equal(b.model.stateDict().get(n) as Tensor), n);
  });

  it("a truncated checkpoint is refused with a clear error and the model is untouched", () => {
    manualSeed(12);
    const a = setup();
    const path = join(dir, "good.safetensors");
    saveCheckpoint(path, a.model, a.opt, { step: 1 });
    const bad = join(dir, "bad.safetensors");
    copyFileSync(path, bad);
    truncateSync(bad, readFileSync(path).length - 100);
    const b = setup();
    const before = b.model.stateDict().get("tok_emb.weight")!.clone();
    assert.throws(() => loadCheckpoint(bad, b.model, b.opt), /bad\.safetensors: .*(outside|truncated)/);
    assert.ok(b.model.stateDict().get("tok_emb.weight")!.equal(before));
  });
});

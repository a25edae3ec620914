// Checkpoint metadata is validated by schema before anything is restored.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { manualSeed, saveSafetensors, ones } from "../../src/torch/index.js";
import { GPT } from "../../src/nn/gpt.js";
import { validateCheckpointMetadata, CHECKPOINT_FORMAT, LEGACY_CHECKPOINT_FORMAT } from "../../src/train/checkpoint-metadata.js";
import { loadCheckpoint, loadLatestCheckpoint, previousCheckpointPath, saveCheckpoint } from "../../src/train/checkpoint.js";

const dir = mkdtempSync(join(tmpdir(), "xling-ckmeta-"));
const base = { format: CHECKPOINT_FORMAT, "xling.sha256": "00", step: "10", optimizer: "{}", extra: "null" };

describe("checkpoint metadata schema", () => {
  it("rejects steps that are not non-negative integers or past the run, naming the file", () => {
    for (const step of ["abc", "-50", "1.5", "", " 7", "1e3", "0x10", "99999999999999999999"]) {
      assert.throws(() => validateCheckpointMetadata("/x/ckpt.safetensors", { ...base, step }), (e: Error) =>
        e.message.startsWith("/x/ckpt.safetensors: checkpoint metadata: step must be a non-negative integer"), step);
    }
    assert.throws(() => validateCheckpointMetadata("/x/c", { ...base, step: "100000" }, { maxStep: 600 }), /\/x\/c: checkpoint metadata: step 100000 is past this run's 600 steps/);
    assert.equal(validateCheckpointMetadata("/x/c", { ...base, step: "600" }, { maxStep: 600 }).step, 600);
    assert.equal(validateCheckpointMetadata("/x/c", { ...base, step: "0" }).step, 0);
  });

  it("rejects unknown formats, a missing checksum, and JSON fields that do not parse", () => {
    assert.throws(() => validateCheckpointMetadata("/x/c", { ...base, format: "other" }), /not an xling checkpoint/);
    const { "xling.sha256": _, ...noSum } = base;
    assert.throws(() => validateCheckpointMetadata("/x/c", noSum), /requires a checksum/);
    assert.equal(validateCheckpointMetadata("/x/c", { ...noSum, format: LEGACY_CHECKPOINT_FORMAT }).step, 10);
    assert.throws(() => validateCheckpointMetadata("/x/c", { ...base, extra: "{oops" }), /'extra' is not valid JSON/);
    assert.throws(() => validateCheckpointMetadata("/x/c", { ...base, optimizer: "null" }, { needsOptimizer: true }), /no optimizer state/);
  });

  it("an unchecksummed (legacy) checkpoint with step 'abc' is refused before the model is touched", () => {
    manualSeed(3);
    const model = new GPT({ vocabSize: 20, dModel: 8, layers: 1, heads: 2, seqLen: 4, dropout: 0 });
    const path = join(dir, "legacy.safetensors");
    saveSafetensors(path, { "model.tok_emb.weight": ones([20, 8]) }, { format: LEGACY_CHECKPOINT_FORMAT, step: "abc", optimizer: "null", extra: "null" });
    const before = model.tok_emb.weight.clone();
    assert.throws(() => loadCheckpoint(path, model, null), (e: Error) => e.message.startsWith(`${path}: checkpoint metadata: step must be a non-negative integer, got "abc"`));
    assert.ok(model.tok_emb.weight.equal(before));
  });

  it("keeps the previous checkpoint and falls back to it when the latest is invalid", () => {
    manualSeed(4);
    const model = new GPT({ vocabSize: 20, dModel: 8, layers: 1, heads: 2, seqLen: 4, dropout: 0 });
    const path = join(dir, "ck.safetensors");
    saveCheckpoint(path, model, null, { step: 4 });
    saveCheckpoint(path, model, null, { step: 8 });
    assert.equal(previousCheckpointPath(path), join(dir, "ck.prev.safetensors"));
    const warnings: string[] = [];
    assert.equal(loadLatestCheckpoint(path, model, null, { warn: (m) => warnings.push(m) }).step, 8);
    // A latest checkpoint past the run's steps is invalid: the previous one is used, with a warning.
    const got = loadLatestCheckpoint(path, model, null, { maxStep: 6, warn: (m) => warnings.push(m) });
    assert.equal(got.step, 4);
    assert.equal(got.path, previousCheckpointPath(path));
    assert.match(warnings[0], /step 8 is past this run's 6 steps.*; loading the previous checkpoint .*ck\.prev\.safetensors instead/);
    assert.throws(() => loadLatestCheckpoint(path, model, null, { maxStep: 2, warn: () => undefined }), /no usable checkpoint: .*step 8 is past.*; and .*step 4 is past/);
    // A missing latest checkpoint (deleted by hand) also falls back, with a warning.
    rmSync(path);
    assert.equal(loadLatestCheckpoint(path, model, null, { warn: (m) => warnings.push(m) }).step, 4);
    assert.match(warnings[1], /ck\.safetensors is missing; loading the previous checkpoint/);
  });
});

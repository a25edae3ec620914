// A config.json whose sizes the weights do not back, or that would not fit in memory, is
// refused (naming the file) before anything is allocated.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { MaskedLM, encoderConfig } from "../../src/nn/encoder.js";
import { loadHuggingFace, saveHuggingFace } from "../../src/nn/huggingface.js";
import { checkConfigSizes, estimateParameters } from "../../src/nn/config-size-check.js";
import { manualSeed } from "../../src/torch/index.js";

function savedTiny(): string {
  manualSeed(7);
  const m = new MaskedLM(encoderConfig({ family: "bert", vocabSize: 50, hidden: 16, layers: 2, heads: 2, maxPositions: 40, typeVocabSize: 2, padId: 1, dropout: 0 }));
  const dir = join(mkdtempSync(join(tmpdir(), "xling-cfgsize-")), "model");
  saveHuggingFace(dir, m);
  m.dispose();
  return dir;
}

function withConfig(dir: string, change: Record<string, unknown>): void {
  const path = join(dir, "config.json");
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), ...change }));
}

describe("config sizes checked before allocation", () => {
  it("num_hidden_layers 1e8 or hidden_size 1e9 is refused naming config.json, in well under a second", () => {
    for (const change of [{ num_hidden_layers: 1e8 }, { hidden_size: 1e9 }, { vocab_size: 1e12 }]) {
      const dir = savedTiny();
      withConfig(dir, change);
      const t0 = performance.now();
      assert.throws(() => loadHuggingFace(dir), (e: Error) =>
        e.message.startsWith(join(dir, "config.json")) && /describes about .* parameters, but .*model\.safetensors holds \d+ values/.test(e.message), JSON.stringify(change));
      assert.ok(performance.now() - t0 < 1000);
    }
  });

  it("the unchanged config loads; sizes past memory or not integers are refused", () => {
    const dir = savedTiny();
    assert.equal(loadHuggingFace(dir).model.config.layers, 2);
    const sizes = { vocabSize: 50, hidden: 16, layers: 2, intermediate: 64, maxPositions: 40, typeVocabSize: 2 };
    // A hand-worked count: (50 + 40 + 2) * 16 + 2 * (4 * 16 * 16 + 2 * 16 * 64) = 1472 + 2 * 3072.
    assert.equal(estimateParameters(sizes), 7616);
    assert.throws(() => checkConfigSizes("/m/config.json", join(dir, "model.safetensors"), sizes, 1000), /\/m\/config\.json: .*needs about 0\.000 GB as float32, more than this machine's/);
    assert.throws(() => checkConfigSizes("/m/config.json", join(dir, "model.safetensors"), { ...sizes, layers: 1.5 }), /layers must be a non-negative integer, got 1\.5/);
  });
});

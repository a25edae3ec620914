// A training loop's resident memory stays flat: temporaries are disposed by tidy and
// their blocks reused by the caching allocator. Measured in a child process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { cpuCacheStats, tidy, ones } from "../../src/torch/index.js";

const script = `
import { AdamW, manualSeed, randint, tidy } from "${new URL("../../src/torch/index.js", import.meta.url).href}";
import { GPT } from "${new URL("../../src/nn/gpt.js", import.meta.url).href}";
import { lmTrainStep } from "${new URL("../../src/train/step.js", import.meta.url).href}";
manualSeed(0);
const model = new GPT({ vocabSize: 512, dModel: 64, layers: 2, heads: 2, seqLen: 32 });
const opt = new AdamW(model.namedParameters(), { lr: 1e-3, weightDecay: 0 });
const rss = () => process.memoryUsage().rss / 2 ** 20;
for (let i = 0; i < 15; i++) tidy(() => lmTrainStep(model, opt, randint(0, 512, [8, 33])));
const before = rss();
for (let i = 0; i < 60; i++) tidy(() => lmTrainStep(model, opt, randint(0, 512, [8, 33])));
console.log(JSON.stringify({ before, after: rss() }));
`;

describe("memory", () => {
  it("60 training steps grow resident memory by less than 10 MB", () => {
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", env: { ...process.env, OPENBLAS_NUM_THREADS: "1" } });
    assert.equal(r.status, 0, r.stderr);
    const { before, after } = JSON.parse(r.stdout.trim());
    assert.ok(after - before < 10, `resident memory grew from ${before.toFixed(1)} to ${after.toFixed(1)} MB`);
  });

  it("large blocks are reused by the caching allocator", () => {
    const start = cpuCacheStats();
    for (let i = 0; i < 5; i++) tidy(() => ones([256, 1024]).mul(2).sum().item());
    const end = cpuCacheStats();
    assert.ok(end.hits - start.hits >= 8, `hits ${start.hits} -> ${end.hits}`);
    assert.ok(end.cachedBytes <= end.limitBytes);
    assert.equal(cpuCacheStats(true).cachedBytes, 0);
  });
});

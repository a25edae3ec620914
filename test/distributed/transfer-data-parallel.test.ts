// `xling launch --nproc 2 -- transfer <spec> --out <dir>`: the masked-LM pretraining of a
// transfer study on two ranks with batch B follows one process with batch 2B (masks and
// dropout drawn for the global batch: src/nn/batch-shard.ts), so the saved encoder and
// the final loss agree within float tolerance; rank 0 alone runs the later stages, whose
// results then agree too (fp32, dropout on).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { loadSafetensors } from "../../src/torch/index.js";
import type { TransferResults } from "../../src/studies/transfer/run.js";
import { TEST_CACHE } from "../experiment/fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", XLING_CACHE: TEST_CACHE };
const TOL = 1e-5;

const spec = {
  name: "ddp-transfer", study: "transfer",
  languages: [{ lang: "en" }, { lang: "de" }],
  tokenizer: { vocabSize: 1000 }, encoder: { hidden: 16, layers: 1, heads: 2, maxLen: 32, dropout: 0.1 },
  pretrain: { steps: 6, batchSize: 8, warmup: 1, checkpointEvery: 3, precision: "fp32" },
  finetune: { budget: 32, steps: 2, batchSize: 8, seeds: [0] },
  conditions: [["en"]],
  realign: { modes: ["none"], texts: 20, steps: 2, batchTexts: 8 },
  alignment: { texts: 10, silhouetteTexts: 5 },
  selection: { k: 0 },
};

describe("data-parallel transfer pretraining", () => {
  it("two ranks with batch 4 pretrain the encoder one process pretrains with batch 8", (t) => {
    const root = mkdtempSync(join(tmpdir(), "xling-ddp-transfer-"));
    const specPath = join(root, "spec.json");
    writeFileSync(specPath, JSON.stringify(spec));
    const [single, ddp] = [join(root, "single"), join(root, "ddp")];
    const a = spawnSync(process.execPath, [bin, "transfer", specPath, "--out", single], { env, encoding: "utf8" });
    assert.equal(a.status, 0, a.stderr);
    const b = spawnSync(process.execPath, [bin, "launch", "--nproc", "2", "--timeout", "60", "--", "transfer", specPath, "--out", ddp], { env, encoding: "utf8" });
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /rank 1 started/);

    const weights = (dir: string) => loadSafetensors(join(dir, "encoder", "model.safetensors")).tensors;
    const [want, got] = [weights(single), weights(ddp)];
    assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort());
    let worst = 0;
    for (const [name, w] of want) {
      const [wa, ga] = [w.toArray() as Float32Array, got.get(name)!.toArray() as Float32Array];
      for (let i = 0; i < wa.length; i++) worst = Math.max(worst, Math.abs(ga[i] - wa[i]));
    }
    t.diagnostic(`largest weight difference ${worst.toExponential(2)}`);
    // Weights move by ~lr = 1e-3 per step; rank-dependent masks or dropout would differ by that much.
    assert.ok(worst <= 1e-5, `encoder weights differ by ${worst}`);

    const results = (dir: string) => JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as TransferResults;
    const [ra, rb] = [results(single), results(ddp)];
    assert.ok(Math.abs(rb.pretrain.finalLoss - ra.pretrain.finalLoss) <= TOL * Math.max(1, ra.pretrain.finalLoss), `final loss ${rb.pretrain.finalLoss} vs ${ra.pretrain.finalLoss}`);
    assert.deepEqual(rb.conditions.map((c) => c.key), ra.conditions.map((c) => c.key));
    rb.conditions.forEach((c, i) => {
      for (const [lang, acc] of Object.entries(ra.conditions[i].accuracy)) assert.ok(Math.abs(c.accuracy[lang] - acc) <= 1e-9, `${c.key} ${lang} accuracy ${c.accuracy[lang]} vs ${acc}`);
      for (const [lang, layers] of Object.entries(ra.conditions[i].alignmentAfter))
        layers.forEach((l, k) => assert.ok(Math.abs(c.alignmentAfter[lang][k].cka - l.cka) <= 1e-4, `${c.key} ${lang} layer ${k} CKA`));
    });
  });
});

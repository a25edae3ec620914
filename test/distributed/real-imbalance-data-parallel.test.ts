// `xling launch --nproc 2 -- _run <run>` for a real-language imbalance run (English and
// Spanish Bible verses, each language with its own tokenizer): two ranks with batch B
// follow one process with batch 2B step by step, and end with the same perplexities and
// matched hidden-state cosines, in fp32.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseRealExperiment } from "../../src/studies/real-imbalance/spec.js";
import { prepareRealCorpus } from "../../src/studies/real-imbalance/run.js";
import { TEST_CACHE } from "../experiment/fixtures.js";
import { assertSameMetrics, metricLines, trainInOneProcessAndOnTwoRanks } from "./compare.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
const TOL = 1e-5;

const config = parseRealExperiment({
  name: "ddp-real", study: "real-imbalance",
  base: {
    corpus: { name: "bible", languages: ["en", "es"], validFraction: 0.02, testFraction: 0.02 },
    tokenizer: { vocabSize: 200 },
    model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 16 },
    train: { steps: 6, batchSize: 8, warmup: 2, checkpointEvery: 3, threads: 1, precision: "fp32" },
    data: { ratio: 0.3 },
    eval: { every: 3, tokens: 256, alignmentParagraphs: 4 },
  },
}, "test").runs[0];

async function runDir(root: string, name: string): Promise<string> {
  await prepareRealCorpus(config, TEST_CACHE);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

const args = (dir: string) => ["_run", dir, "--study", "real-imbalance", "--cache", TEST_CACHE];

describe("data-parallel real-language imbalance runs", () => {
  it("two ranks with batch 4 follow one process with batch 8", async (t) => {
    const root = mkdtempSync(join(tmpdir(), "xling-ddp-real-"));
    const single = await runDir(root, "single");
    const ddp = await runDir(root, "ddp");
    trainInOneProcessAndOnTwoRanks(bin, env, args, single, ddp);

    const worst = assertSameMetrics(metricLines(single), metricLines(ddp), TOL);
    t.diagnostic(`largest relative difference ${worst.toExponential(2)}`);
    const results = (dir: string) => (JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { results: { name: string; lang: string | null; layer: number | null; value: number }[] }).results
      .filter((r) => r.name === "ppl" || r.name === "matched_hidden_cosine");
    const [ra, rb] = [results(single), results(ddp)];
    assert.ok(ra.some((r) => r.name === "matched_hidden_cosine"), "alignment measured");
    assert.equal(rb.length, ra.length);
    ra.forEach((r, i) => {
      assert.deepEqual([rb[i].name, rb[i].lang, rb[i].layer], [r.name, r.lang, r.layer]);
      assert.ok(Math.abs(rb[i].value - r.value) <= 1e-4 * Math.max(1, Math.abs(r.value)), `${r.name} ${r.lang} ${r.layer}: ${rb[i].value} vs ${r.value}`);
    });
  });
});

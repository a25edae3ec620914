// `xling launch --nproc 2 -- _run <run>` for a translation-balancing run: two ranks with
// batch B follow one process with batch 2B step by step (loss, loss per direction, the
// balancer's direction weights, held-out loss), and end with the same held-out loss per
// direction and the same translations, in fp32. Checked for the plain mixture and CATS.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseTranslationExperiment } from "../../src/studies/translation-balance/spec.js";
import { prepareTranslationCorpus } from "../../src/studies/translation-balance/run.js";
import { TEST_CACHE, writeTranslationPairs } from "../experiment/fixtures.js";
import { assertSameMetrics, metricLines, trainInOneProcessAndOnTwoRanks } from "./compare.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
/** Float tolerance between batch 2B in one process and B on each of two ranks (relative). */
const TOL = 1e-5;
const root = mkdtempSync(join(tmpdir(), "xling-ddp-translation-"));
const de = writeTranslationPairs(root, "en-de.tsv", 100, (w) => [...w].reverse().join(""));
const fr = writeTranslationPairs(root, "en-fr.tsv", 100, (w) => w.toUpperCase());

function translationRun(method: string) {
  return parseTranslationExperiment({
    name: "ddp-translation", study: "translation-balance",
    base: {
      corpus: { directions: [{ src: "en", tgt: "de", corpus: "tsv", path: de }, { src: "en", tgt: "fr", corpus: "tsv", path: fr, cap: 20 }], validFraction: 0.1, testFraction: 0.15 },
      tokenizer: { vocabSize: 60 },
      model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 40 },
      train: { steps: 6, batchSize: 8, warmup: 2, checkpointEvery: 3, threads: 1, precision: "fp32" },
      balance: { method, heldOutSequences: 2, cats: { updateInterval: 2 } },
      curvature: { every: 0 },
      eval: { every: 3, validExamples: 4, sentences: 5, maxNewTokens: 12, resamples: 20 },
    },
  }, "test").runs[0];
}

async function runDir(method: string, name: string): Promise<string> {
  const config = translationRun(method);
  await prepareTranslationCorpus(config, TEST_CACHE);
  const dir = join(root, method, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

const args = (dir: string) => ["_run", dir, "--study", "translation-balance", "--cache", TEST_CACHE];

describe("data-parallel translation-balancing runs", () => {
  for (const method of ["none", "cats"]) {
    it(`two ranks with batch 4 follow one process with batch 8 (${method})`, async (t) => {
      const single = await runDir(method, "single");
      const ddp = await runDir(method, "ddp");
      trainInOneProcessAndOnTwoRanks(bin, env, args, single, ddp);

      const [want, got] = [metricLines(single), metricLines(ddp)];
      assert.ok([...want.keys()].some((k) => k.startsWith("eval ")), "held-out loss is logged");
      if (method === "cats") assert.ok([...want.keys()].some((k) => k.includes(" weight ")), "CATS logs its direction weights");
      const worst = assertSameMetrics(want, got, TOL);
      t.diagnostic(`${method}: largest relative difference ${worst.toExponential(2)}`);

      const results = (dir: string) => (JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { results: { name: string; lang: string; value: number }[] }).results;
      const nll = (dir: string) => results(dir).filter((r) => r.name === "nll").map((r) => [r.lang, r.value] as const);
      const [na, nb] = [nll(single), nll(ddp)];
      assert.equal(nb.length, 2);
      na.forEach(([dir, v], i) => {
        assert.equal(nb[i][0], dir);
        assert.ok(Math.abs(nb[i][1] - v) <= TOL * Math.max(1, v), `${dir} nll ${nb[i][1]} vs ${v}`);
      });
      // Greedy decoding of nearly identical weights: the same translations.
      const hyps = (dir: string) => readFileSync(join(dir, "translations.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { hypothesis: string }).hypothesis);
      assert.deepEqual(hyps(ddp), hyps(single));
    });
  }
});

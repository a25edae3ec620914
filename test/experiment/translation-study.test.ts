// A whole (tiny) translation-balancing study on TSV directions: spec -> runs -> results
// store -> report with BLEU/chrF per direction and the CATS verdict; `xling translate` on a
// finished run; the finding's verdict rule.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser, openReport, skip } from "../report/browser.js";
import { parseTranslationExperiment } from "../../src/studies/translation-balance/spec.js";
import { runExperiment } from "../../src/studies/runner.js";
import { findingVerdict } from "../../src/studies/translation-balance/analysis.js";
import { meanConfidenceInterval } from "../../src/analysis/stats.js";
import { finishExperiment } from "../../src/studies/finish.js";
import { prepareTranslationCorpus } from "../../src/studies/translation-balance/run.js";
import { TEST_CACHE, writeTranslationPairs } from "./fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
describe("the translation-balancing study end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "xling-translation-"));
  const expDir = join(dir, "out");
  const de = writeTranslationPairs(dir, "en-de.tsv", 120, (w) => [...w].reverse().join(""));
  const fr = writeTranslationPairs(dir, "en-fr.tsv", 120, (w) => w.toUpperCase());
  const spec = {
    name: "translation", study: "translation-balance",
    base: {
      corpus: { directions: [{ src: "en", tgt: "de", corpus: "tsv", path: de }, { src: "en", tgt: "fr", corpus: "tsv", path: fr, cap: 20 }], validFraction: 0.1, testFraction: 0.15 },
      tokenizer: { vocabSize: 60 },
      model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 40 },
      train: { steps: 6, batchSize: 4, warmup: 2, checkpointEvery: 3, threads: 1 },
      balance: { heldOutSequences: 2, cats: { updateInterval: 2 } },
      curvature: { every: 3, iterations: 2, sequences: 2 },
      eval: { every: 3, validExamples: 4, sentences: 5, maxNewTokens: 12, resamples: 50 },
    },
    sweeps: [{ "balance.method": ["none", "cats"], "train.seed": [0, 1] }],
  };
  before(async () => {
    const exp = parseTranslationExperiment(spec);
    assert.equal(exp.runs.length, 4);
    const summary = await runExperiment(exp, expDir, { progress: false, cacheDir: TEST_CACHE, inProcess: true });
    assert.deepEqual(summary.failed, []);
    finishExperiment(expDir);
  });

  it("each run scores each direction's test sentences and writes them out", () => {
    const runs = JSON.parse(readFileSync(join(expDir, "experiment.json"), "utf8")).runs.length;
    assert.equal(runs, 4);
    for (const run of spawnSync("ls", [join(expDir, "runs")], { encoding: "utf8" }).stdout.split("\n").filter(Boolean)) {
      const results = JSON.parse(readFileSync(join(expDir, "runs", run, "results.json"), "utf8")).results as { name: string; lang: string; value: number }[];
      for (const d of ["en-de", "en-fr"])
        for (const name of ["bleu", "chrf"]) {
          const [est, lo, hi] = ["", "_lower", "_upper"].map((s) => results.find((r) => r.name === name + s && r.lang === d)!.value);
          assert.ok(lo <= est && est <= hi && lo >= 0 && hi <= 100, `${run} ${d} ${name} ${lo} ${est} ${hi}`);
        }
      const lines = readFileSync(join(expDir, "runs", run, "translations.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      assert.equal(lines.filter((l) => l.direction === "en-fr").length, 5);
      const metrics = readFileSync(join(expDir, "runs", run, "metrics.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      assert.equal(metrics.filter((m) => m.name === "hessian_top").length, 2 * 2, "two measurements, two directions");
    }
    const report = readFileSync(join(expDir, "report.html"), "utf8");
    assert.match(report, /BLEU and chrF, mean \[95% interval over seeds\]/);
    assert.match(report, /Finding &quot;CATS improves low-resource translation directions without hurting high-resource ones&quot; — cats[^,]*, chrF: (supported|contradicted|inconclusive)/);
    assert.match(report, /en-fr \(low-resource\): 20 training pairs/);
  });

  let browser: Browser | undefined;
  after(async () => browser?.close());
  it("the report's charts render", { skip }, async () => {
    browser = await launchBrowser();
    const { charts, problems } = await openReport(browser, join(expDir, "report.html"));
    assert.deepEqual(problems, []);
    assert.ok(charts.length >= 4, `${charts.length} charts`);
    for (const c of charts) {
      assert.equal(c.error, null, `chart ${c.id}: ${c.error}`);
      assert.ok(Object.values(c.marks).reduce((a, b) => a + b, 0) > 0, `chart ${c.id} drew nothing`);
    }
  });

  it("xling translate runs a finished run's model on stdin and refuses an unknown target", () => {
    const runsDir = join(expDir, "runs");
    const run = readFileSync(join(expDir, "experiment.json"), "utf8") && spawnSync("ls", [runsDir], { encoding: "utf8" }).stdout.split("\n")[0];
    const runDir = join(runsDir, run);
    assert.ok(existsSync(join(runDir, "translator.json")));
    const ok = spawnSync(process.execPath, [bin, "translate", runDir, "--to", "de", "--beam", "2"], { input: "red dog\nbig tree\n", encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.split("\n").length, 3, "one output line per input line");
    const bad = spawnSync(process.execPath, [bin, "translate", runDir, "--to", "es"], { input: "red\n", encoding: "utf8" });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /unknown target language 'es': this model translates into de, fr/);
  });
});

describe("a translation run killed mid-training", () => {
  it("resumes bit for bit (CATS weights, batches, losses, translations)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-translation-resume-"));
    const de = writeTranslationPairs(dir, "en-de.tsv", 120, (w) => [...w].reverse().join(""));
    const fr = writeTranslationPairs(dir, "en-fr.tsv", 120, (w) => w.toUpperCase());
    const config = parseTranslationExperiment({
      name: "resume", study: "translation-balance",
      base: {
        corpus: { directions: [{ src: "en", tgt: "de", corpus: "tsv", path: de }, { src: "en", tgt: "fr", corpus: "tsv", path: fr, cap: 20 }] },
        tokenizer: { vocabSize: 60 },
        model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 40 },
        train: { steps: 40, batchSize: 4, warmup: 2, checkpointEvery: 2, threads: 1 },
        balance: { method: "cats", heldOutSequences: 2, cats: { updateInterval: 3 } },
        eval: { every: 10, validExamples: 4, sentences: 4, maxNewTokens: 8, resamples: 20 },
      },
    }).runs[0];
    await prepareTranslationCorpus(config, TEST_CACHE);
    const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
    const args = (d: string) => [bin, "_run", d, "--study", "translation-balance", "--cache", TEST_CACHE];
    const [a, b] = ["a", "b"].map((n) => join(dir, n));
    for (const d of [a, b]) {
      mkdirSync(d);
      writeFileSync(join(d, "config.json"), JSON.stringify(config));
    }
    const full = spawnSync(process.execPath, args(a), { env, encoding: "utf8" });
    assert.equal(full.status, 0, full.stderr);
    const rows = (d: string) => readFileSync(join(d, "metrics.jsonl"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l))
      .filter((m) => m.split === "train" && (m.name === "loss" || m.name === "weight")).map((m) => `${m.step} ${m.name} ${m.lang} ${m.value}`);
    const child = spawn(process.execPath, args(b), { env, stdio: "ignore" });
    const killAfter = 5 + (Date.now() % 20);
    for (const end = Date.now() + 120_000; !(existsSync(join(b, "metrics.jsonl")) && rows(b).some((r) => r.startsWith(`${killAfter} loss`)));) {
      assert.ok(Date.now() < end, "timed out waiting for the run");
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    assert.ok(!existsSync(join(b, "results.json")));
    const resumed = spawnSync(process.execPath, args(b), { env, encoding: "utf8" });
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.deepEqual(rows(b), rows(a), `killed after step ${killAfter}`);
    assert.ok(rows(a).some((r) => / weight en-de /.test(r) && !/ weight en-de 1$/.test(r)), "CATS weights moved");
    assert.deepEqual(JSON.parse(readFileSync(join(b, "results.json"), "utf8")).results, JSON.parse(readFileSync(join(a, "results.json"), "utf8")).results);
    assert.equal(readFileSync(join(b, "translations.jsonl"), "utf8"), readFileSync(join(a, "translations.jsonl"), "utf8"));
  });
});

describe("the finding's verdict", () => {
  const iv = (xs: number[]) => meanConfidenceInterval(xs);
  it("supported only when the low-resource gain is detectable and the high-resource direction is not detectably hurt", () => {
    assert.equal(findingVerdict("cats", "chrf", "fr", "de", iv([1, 1.2, 0.9]), iv([-0.5, 0.4, 0.1])).verdict, "supported");
    assert.equal(findingVerdict("cats", "chrf", "fr", "de", iv([1, 1.2, 0.9]), iv([-1, -1.1, -0.9])).verdict, "contradicted");
    assert.equal(findingVerdict("cats", "chrf", "fr", "de", iv([-1, -1.2, -0.9]), iv([0, 0.1, -0.1])).verdict, "contradicted");
    assert.equal(findingVerdict("cats", "chrf", "fr", "de", iv([-1, 1.2, 0.1]), iv([0, 0.1, -0.1])).verdict, "inconclusive");
    assert.equal(findingVerdict("cats", "bleu", "fr", "de", iv([1]), iv([1])).verdict, "inconclusive");
  });
});

// A whole (tiny) imbalance study: spec -> runs -> results store -> report in a browser.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { runExperiment } from "../../src/studies/runner.js";
import { ResultsStore } from "../../src/run/store.js";
import { queryResults } from "../../src/run/query.js";
import { finishExperiment } from "../../src/studies/finish.js";
import { launchBrowser, openReport, skip } from "../report/browser.js";
import { TEST_CACHE, tinySpec } from "./fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));

describe("the cloned-language imbalance study end to end", () => {
  const expDir = mkdtempSync(join(tmpdir(), "xling-study-"));
  const spec = tinySpec("study", {
    sweeps: [{ "data.ratio": [0], "data.fraction": [0.2, 0.4, 0.6, 0.8, 1] }, { "data.ratio": [0.5, 0.1] }, { "data.schedule": ["0.1_0.9"] }],
  });
  let browser: Browser | undefined;
  before(async () => {
    const exp = parseExperiment(spec);
    const summary = await runExperiment(exp, expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(summary.failed, []);
    finishExperiment(expDir);
  });
  after(async () => browser?.close());

  it("stores every run's results, answerable by config field", () => {
    const store = ResultsStore.open(join(expDir, "results.sqlite"));
    try {
      const clone = queryResults(store, { experiment: "study", where: ["data.ratio=0.1"], result: "ppl", lang: "clone1" });
      assert.equal(clone.length, 1);
      assert.ok(clone[0].value > 1 && Number.isFinite(clone[0].value));
      assert.equal(store.runs("study").length, 8);
      const teff = queryResults(store, { experiment: "study", where: ["data.schedule=null"], result: "teff", lang: "clone1" });
      assert.equal(teff.length, 2, "TEff of the clone at 50/50 and 90/10");
    } finally {
      store.close();
    }
  });

  it("the results command answers the same question", () => {
    const r = spawnSync(process.execPath, [bin, "results", "study", "--store", join(expDir, "results.sqlite"), "--result", "ppl", "--lang", "clone1", "--where", "data.ratio=0.1", "--format", "json"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].lang, "clone1");
  });

  it("writes a report whose charts all render, stating the headline numbers", { skip }, async () => {
    browser = await launchBrowser();
    const { page, charts, problems } = await openReport(browser, join(expDir, "report.html"));
    assert.deepEqual(problems, []);
    assert.ok(charts.length >= 6, `${charts.length} charts`);
    for (const c of charts) {
      assert.equal(c.error, null, `chart ${c.id}: ${c.error}`);
      assert.ok(c.width > 0 && c.height > 0, `chart ${c.id} has no size`);
      assert.ok(Object.values(c.marks).reduce((a, b) => a + b, 0) > 0, `chart ${c.id} drew nothing`);
    }
    const text = await page.textContent("body");
    assert.match(text!, /TEff = [\d.]+ at 90\/10 against [\d.]+ at 50\/50/);
    assert.match(text!, /50\/50: held-out perplexity original [\d.,]+, clone1 [\d.,]+/);
    assert.match(text!, /Hidden-state cosine between the original and its clone by layer/);
  });
});

describe("bad specs", () => {
  it("are refused with the field's path, and nothing is trained", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-bad-"));
    const cases: [object, RegExp][] = [
      [{ ...tinySpec("bad1"), bogus: 1 }, /\(root\): Unrecognized key: "bogus"/],
      [tinySpec("bad2", { base: { ...tinySpec("x").base, train: { steps: "many" } } }), /base\.train\.steps: .*expected number/],
      [tinySpec("bad3", { base: { ...tinySpec("x").base, data: { ratio: 1.5 } } }), /base\.data\.ratio: Too big/],
      [tinySpec("bad4", { sweeps: [{ "data.ratio": [0.5, -0.1] }] }), /base\.data\.ratio: Too small.*sweeps combination 2/],
    ];
    for (const [spec, re] of cases) {
      const path = join(dir, "spec.json");
      writeFileSync(path, JSON.stringify(spec));
      const r = spawnSync(process.execPath, [bin, "run", path, "--out", join(dir, "out")], { encoding: "utf8" });
      assert.equal(r.status, 1);
      assert.match(r.stderr, re);
      assert.ok(r.stderr.includes(path), "the message names the spec file");
      assert.ok(!existsSync(join(dir, "out")), "nothing was created");
    }
  });
});

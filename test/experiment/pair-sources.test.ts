// Realignment pair sources: the spec's default and checks, condition keys (unchanged
// with one source), and the dictionary-vs-aligner effect worked by hand on a synthetic
// one-study result.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { pairSourcesOf, parseTransferSpec } from "../../src/studies/transfer/spec.js";
import { conditionKey, type ConditionResult, type TransferResults } from "../../src/studies/transfer/run.js";
import { FINDINGS, type SeedData } from "../../src/reproduce/findings.js";

function spec(realign: Record<string, unknown>) {
  return { name: "p", study: "transfer", languages: [{ lang: "en" }, { lang: "de" }, { lang: "fr" }], pretrain: { steps: 1 }, conditions: [["en"]], realign };
}

describe("realign.pairSources", () => {
  it("defaults to the aligner, or to the dictionaries when they are given; the method's InfoNCE over all batch words", () => {
    const plain = parseTransferSpec(spec({}));
    assert.deepEqual(pairSourcesOf(plain), ["aligner"]);
    assert.equal(plain.realign.negativesFrom, "batch-words");
    assert.deepEqual(pairSourcesOf(parseTransferSpec(spec({ dictionaries: { de: "freedict" } }))), ["dictionary"]);
    assert.deepEqual(pairSourcesOf(parseTransferSpec(spec({ dictionaries: { de: "freedict" }, pairSources: ["aligner", "dictionary"] }))), ["aligner", "dictionary"]);
  });

  it("refuses the dictionary source without dictionaries, and a source named twice", () => {
    assert.throws(() => parseTransferSpec(spec({ pairSources: ["aligner", "dictionary"] })), /realign.pairSources.*needs realign.dictionaries/s);
    assert.throws(() => parseTransferSpec(spec({ dictionaries: { de: "x" }, pairSources: ["aligner", "aligner"] })), /named twice/);
    assert.throws(() => parseTransferSpec(spec({ pairSources: ["wordnet"] })), /pairSources/);
  });

  it("names the pair source in a realigned condition's key only when the study compares several", () => {
    assert.equal(conditionKey(["en"], "during", "aligner", 0, 1), "en-during-s0");
    assert.equal(conditionKey(["en", "de"], "during", "dictionary", 2, 2), "en+de-during-dictionary-s2");
    assert.equal(conditionKey(["en"], "none", "aligner", 0, 2), "en-none-s0");
  });
});

describe("dictionary-vs-aligner", () => {
  const cond = (sources: string[], mode: ConditionResult["mode"], pairs: "aligner" | "dictionary" | undefined, accuracy: Record<string, number>): ConditionResult => ({
    key: "", sources, mode, ...(pairs ? { pairs } : {}), seed: 0, accuracy,
    alignmentBefore: {}, alignmentAfter: {}, silhouetteBefore: [], silhouetteAfter: [], seconds: 0,
  });
  // de and fr have dictionaries, es does not (its accuracy must not count). One source en,
  // two sources en+es; realigned modes before and during.
  const results: TransferResults = {
    name: "t", languages: ["en", "de", "fr", "es"], labels: ["a", "b"], examples: {}, pretrain: { steps: 1, finalLoss: 1 },
    pairSources: [{ source: "aligner", dictionaryLanguages: [], links: {} }, { source: "dictionary", dictionaryLanguages: ["de", "fr"], links: {} }],
    conditions: [
      cond(["en"], "none", undefined, { en: 0.9, de: 0.5, fr: 0.4, es: 0.3 }),
      cond(["en"], "before", "aligner", { en: 0.9, de: 0.55, fr: 0.45, es: 0.9 }),
      cond(["en"], "before", "dictionary", { en: 0.9, de: 0.6, fr: 0.4, es: 0.1 }),
      cond(["en"], "during", "aligner", { en: 0.9, de: 0.5, fr: 0.4, es: 0.3 }),
      cond(["en"], "during", "dictionary", { en: 0.9, de: 0.54, fr: 0.5, es: 0.3 }),
      cond(["en", "es"], "none", undefined, { en: 0.9, de: 0.9, fr: 0.9, es: 0.9 }),
    ],
    correlation: null, selection: null,
  };

  it("is the mean over modes and dictionary languages of the dictionary gain minus the aligner gain", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-dva-"));
    writeFileSync(join(dir, "results.json"), JSON.stringify(results));
    const data = { specs: { transfer: { spec: {} as never, dir } } } as SeedData;
    const finding = FINDINGS.find((f) => f.name === "dictionary-vs-aligner")!;
    assert.deepEqual(finding.specs, ["transfer"]);
    const e = finding.analyse(data);
    // before: de (0.10 - 0.05) = 0.05, fr (0 - 0.05) = -0.05; during: de 0.04, fr 0.10. Mean 0.035.
    assert.ok(Math.abs(e.value - 0.035) < 1e-12, `${e.value}`);
    assert.ok(Math.abs(e.detail.gain_dictionary_before_de - 0.1) < 1e-12);
    assert.ok(Math.abs(e.detail.gain_aligner_during_fr) < 1e-12);
    // A study without the aligner source cannot answer it.
    writeFileSync(join(dir, "results.json"), JSON.stringify({ ...results, pairSources: [results.pairSources![1]] }));
    assert.throws(() => finding.analyse(data), /does not compare/);
  });
});

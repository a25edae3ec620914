// The real-language imbalance study: two languages with their own tokenizers joined in
// one model vocabulary, each language's token-efficiency curve, and the matched
// hidden-state cosine of held-out parallel paragraphs. A synthetic paragraph-parallel
// corpus (registered below) keeps it small; the analysis is checked on hand-made runs
// whose answers are known in closed form.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { registerParallelCorpus } from "../../src/data/parallel-pairs.js";
import { anchoredVocabulary, disjointVocabulary } from "../../src/data/clones.js";
import { Rng } from "../../src/util/rng.js";
import { PackedSequenceStream } from "../../src/data/pack.js";
import { makeSampler } from "../../src/data/samplers.js";
import { MultilingualBatchSource } from "../../src/train/multilingual-batches.js";
import { JointVocabularyBatchSource } from "../../src/train/joint-batches.js";
import { parseRealExperiment } from "../../src/studies/real-imbalance/spec.js";
import { jointVocabularyOf, parallelInputs, prepareRealCorpus } from "../../src/studies/real-imbalance/run.js";
import { analyseRealStudy } from "../../src/studies/real-imbalance/analysis.js";
import { runExperiment } from "../../src/studies/runner.js";
import { finishExperiment } from "../../src/studies/finish.js";
import { ResultsStore } from "../../src/run/store.js";
import { queryResults } from "../../src/run/query.js";
import { planRuns } from "../../src/run/run-dir.js";
import { FINDINGS, type SeedData } from "../../src/reproduce/findings.js";
import { launchBrowser, openReport, skip } from "../report/browser.js";
import { TEST_CACHE } from "./fixtures.js";

// Language "aa" is words of a small lexicon; "bb" the same paragraph with each word
// spelled backwards and the word order reversed, so the languages differ in pieces and
// in order but say the same thing.
const LEXICON = ["the", "file", "menu", "opens", "a", "dialog", "choose", "cell", "sheet", "table", "insert", "format", "text", "page", "click", "button", "select", "window", "chart", "data"];
registerParallelCorpus("test-parallel", {
  languages: async () => ["aa", "bb"],
  async *units(langs) {
    const rng = new Rng(7);
    for (let p = 0; p < 400; p++) {
      const words = Array.from({ length: 6 + rng.int(10) }, () => LEXICON[rng.int(LEXICON.length)]!);
      const texts: Record<string, string> = { aa: words.join(" "), bb: words.map((w) => [...w].reverse().join("")).reverse().join(" ") };
      for (const lang of langs) yield { id: `test-parallel/${p}`, lang, text: texts[lang]! };
    }
  },
});

function tinyRealSpec(name: string, extra: Record<string, unknown> = {}) {
  return {
    name, study: "real-imbalance",
    base: {
      corpus: { name: "test-parallel", languages: ["aa", "bb"], validFraction: 0.05, testFraction: 0.1 },
      tokenizer: { vocabSize: 40 },
      model: { size: "custom", dModel: 16, layers: 2, heads: 2, seqLen: 16 },
      train: { steps: 20, batchSize: 4, warmup: 2, checkpointEvery: 10, threads: 1 },
      eval: { every: 20, tokens: 256, alignmentParagraphs: 4 },
    },
    sweeps: [{ "data.ratio": [0], "data.fraction": [0.25, 0.5, 1] }, { "data.ratio": [1], "data.fraction": [0.25, 0.5, 1] }, { "data.ratio": [0.5, 0.1] }],
    ...extra,
  };
}

describe("the real-language imbalance study end to end", () => {
  const expDir = mkdtempSync(join(tmpdir(), "xling-real-study-"));
  let browser: Browser | undefined;
  before(async () => {
    const summary = await runExperiment(parseRealExperiment(tinyRealSpec("real")), expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(summary.failed, []);
    finishExperiment(expDir);
  });
  after(async () => browser?.close());

  it("stores each language's TEff in the mixed runs and the matched cosine by layer, answerable by config field", () => {
    const store = ResultsStore.open(join(expDir, "results.sqlite"));
    try {
      assert.equal(store.runs("real").length, 8);
      for (const lang of ["aa", "bb"]) {
        const teff = queryResults(store, { experiment: "real", where: ["data.fraction=1"], result: "teff", lang });
        assert.equal(teff.length, 2, `TEff of ${lang} at 50/50 and 90/10`);
        assert.ok(teff.every((t) => Number.isFinite(t.value) && t.value > 0));
      }
      const cos = queryResults(store, { experiment: "real", where: ["data.ratio=0.1"], result: "matched_hidden_cosine" });
      assert.deepEqual(cos.map((c) => c.layer).sort(), [1, 2]);
      assert.ok(cos.every((c) => c.value > -1 && c.value <= 1 + 1e-6));
      const unpaired = queryResults(store, { experiment: "real", where: ["data.ratio=0.1"], result: "matched_hidden_cosine_unpaired" });
      assert.deepEqual(unpaired.map((c) => c.layer).sort(), [1, 2], "the baseline of paragraphs that are not translations");
      // Runs of one language alone measure no alignment.
      assert.equal(queryResults(store, { experiment: "real", where: ["data.ratio=0"], result: "matched_hidden_cosine" }).length, 0);
    } finally {
      store.close();
    }
  });

  it("writes a report whose charts all render, with TEff per language and the cosine by layer", { skip }, async () => {
    browser = await launchBrowser();
    const { page, charts, problems } = await openReport(browser, join(expDir, "report.html"));
    assert.deepEqual(problems, []);
    const ids = charts.map((c) => c.id);
    for (const id of ["mono-fit", "teff", "hidden-cosine"]) assert.ok(ids.includes(id), `chart ${id} in ${ids.join(", ")}`);
    for (const c of charts) {
      assert.equal(c.error, null, `chart ${c.id}: ${c.error}`);
      assert.ok(Object.values(c.marks).reduce((a, b) => a + b, 0) > 0, `chart ${c.id} drew nothing`);
    }
    const text = await page.textContent("body");
    assert.match(text!, /bb as the minority \(aa 90 \/ bb 10\): TEff = [\d.]+/);
    assert.match(text!, /matched hidden-state cosine by layer \[[\d.]+, [\d.]+\], middle layers [\d.]+ \(paragraphs that are not translations of each other: [\d.]+\)/);
  });
});

describe("the joint vocabulary of a held-out paragraph", () => {
  const cfg = parseRealExperiment(tinyRealSpec("vocab")).runs[0]!;
  it("disjoint: language 2's ids offset by language 1's vocabulary; anchored: a piece of both takes language 1's id", async () => {
    const prepared = await prepareRealCorpus(cfg, TEST_CACHE);
    const [l1, l2] = prepared.languages;
    const [t1, t2] = [l1.tokenizer(), l2.tokenizer()];
    const pair = prepared.testPairs()[0]!;
    assert.match(pair.id, /^test-parallel\/\d+$/);
    const ids1 = Array.from(t1.encode(pair.texts[0]));
    const ids2 = Array.from(t2.encode(pair.texts[1]));
    const V1 = t1.vocabSize;

    const disjoint = jointVocabularyOf("disjoint", l1.pieces(), l2.pieces());
    assert.equal(disjoint.size, V1 + t2.vocabSize);
    const [a, b] = parallelInputs(prepared, disjoint, 1, 1000)[0]!;
    assert.deepEqual(Array.from(a), ids1);
    assert.deepEqual(Array.from(b), ids2.map((j) => V1 + j));

    // By hand: the piece string of each language-2 id looked up in tokenizer 1.
    const expected = ids2.map((j) => {
      const piece = t2.idToPiece(j);
      const i = t1.pieceToId(piece);
      return t1.idToPiece(i) === piece ? i : V1 + j;
    });
    const anchored = jointVocabularyOf("anchored", l1.pieces(), l2.pieces());
    assert.ok(anchored.numShared > 0, "the two languages share characters, so some pieces");
    assert.ok(expected.some((x) => x < V1) && expected.some((x) => x >= V1), "the paragraph has shared and unshared pieces");
    assert.deepEqual(Array.from(parallelInputs(prepared, anchored, 1, 1000)[0]![1]), expected);
    // The same language-2 text in both variants differs exactly at the shared pieces.
    assert.deepEqual(jointVocabularyOf("disjoint", ["x"], ["x", "y"]).lang2, disjointVocabulary(["x"], ["x", "y"]).lang2);
    assert.deepEqual(Array.from(jointVocabularyOf("anchored", ["x"], ["y", "x"]).lang2), Array.from(anchoredVocabulary(["x"], ["y", "x"]).lang2));
    // A paragraph longer than the model's positions is cut to them.
    assert.ok(parallelInputs(prepared, disjoint, 3, 4).every(([x, y]) => x.length <= 4 && y.length <= 4));
  });

  it("training batches: each row in its own language's ids offset into the joint space, resumable from the state", async () => {
    const prepared = await prepareRealCorpus(cfg, TEST_CACHE);
    const [l1, l2] = prepared.languages;
    const vocab = jointVocabularyOf("disjoint", l1.pieces(), l2.pieces());
    const V1 = l1.vocabSize;
    const source = () => new JointVocabularyBatchSource(new MultilingualBatchSource(
      prepared.languages.map((l, k) => new PackedSequenceStream(l.open("train"), 8, k)), makeSampler({ kind: "fixed", probs: { aa: 0.7, bb: 0.3 }, seed: 3 }), 6), vocab);
    const a = source();
    for (let i = 0; i < 3; i++) a.next();
    const state = JSON.parse(JSON.stringify(a.state()));
    const later = [a.next(), a.next()];
    const both = new Set<number>();
    for (const { tokens, langs } of later) {
      langs.forEach((lang, b) => {
        both.add(lang);
        const row = Array.from(tokens.subarray(b * 9, (b + 1) * 9));
        assert.ok(row.every((id) => (lang === 0 ? id < V1 : id >= V1 && id < vocab.size)), `row ${b} of language ${lang}: ${row.join(" ")}`);
      });
    }
    assert.equal(both.size, 2, "both languages drawn");
    const b = source();
    b.restore(state);
    for (const want of later) {
      const got = b.next();
      assert.deepEqual(Array.from(got.tokens), Array.from(want.tokens));
      assert.deepEqual(Array.from(got.langs), Array.from(want.langs));
    }
  });

  it("refuses a spec naming one language twice, naming the spec", () => {
    const bad = tinyRealSpec("bad");
    (bad.base.corpus as { languages: string[] }).languages = ["aa", "aa"];
    assert.throws(() => parseRealExperiment(bad, "bad.json"), /bad\.json: corpus\.languages names 'aa' twice/);
  });
});

describe("the real-language analysis on runs with known answers", () => {
  // Curves 1/PPL = c - a t^-b, different per language, sampled exactly at the runs alone.
  const curveA = { c: 0.5, a: 3, b: 0.5 };
  const curveB = { c: 0.3, a: 2, b: 0.4 };
  const inv = (k: typeof curveA, t: number) => k.c - k.a * t ** -k.b;
  const dir = mkdtempSync(join(tmpdir(), "xling-real-known-"));
  const exp = parseRealExperiment(tinyRealSpec("known", { sweeps: [{ "data.ratio": [0], "data.fraction": [0.25, 0.5, 0.75, 1] }, { "data.ratio": [1], "data.fraction": [0.25, 0.5, 0.75, 1] }, { "data.ratio": [0.5, 0.1] }] }));
  const runs = planRuns(exp, dir);
  for (const r of runs) {
    const { ratio, fraction } = r.config.data;
    let seen: Record<string, number>;
    let ppl: Record<string, number>;
    let cosine: number[] = [];
    if (ratio === 0) [seen, ppl] = [{ aa: 4000 * fraction, bb: 0 }, { aa: 1 / inv(curveA, 4000 * fraction), bb: 1000 }];
    else if (ratio === 1) [seen, ppl] = [{ aa: 0, bb: 4000 * fraction }, { aa: 1000, bb: 1 / inv(curveB, 4000 * fraction) }];
    else if (ratio === 0.1) {
      // aa saw 3600 tokens and is as good as 1800 alone (TEff 0.5); bb saw 400 and is as good as 1200 alone (TEff 3).
      [seen, ppl] = [{ aa: 3600, bb: 400 }, { aa: 1 / inv(curveA, 1800), bb: 1 / inv(curveB, 1200) }];
      cosine = [0.5, 0.7];
    } else {
      // 50/50: each saw 2000 and is as good as 2000 alone (TEff 1).
      [seen, ppl] = [{ aa: 2000, bb: 2000 }, { aa: 1 / inv(curveA, 2000), bb: 1 / inv(curveB, 2000) }];
      cosine = [0.4, 0.5];
    }
    const results = [
      ...Object.entries(ppl).map(([lang, value]) => ({ name: "ppl", lang, layer: null, value })),
      ...cosine.map((value, i) => ({ name: "matched_hidden_cosine", lang: "bb", layer: i + 1, value })),
      ...cosine.map((value, i) => ({ name: "matched_hidden_cosine_unpaired", lang: "bb", layer: i + 1, value: value - 0.25 })),
    ];
    mkdirSync(r.dir, { recursive: true });
    writeFileSync(join(r.dir, "results.json"), JSON.stringify({ languages: ["aa", "bb"], steps: 1, tokensSeen: seen, results, seconds: 0 }));
  }

  it("fits one curve per language and reads each language's TEff from its own curve", () => {
    const study = analyseRealStudy(runs);
    assert.deepEqual(study.curves.map((c) => c.mono.length), [4, 4]);
    assert.ok(Math.abs(study.curves[0]!.fit!.b - 0.5) < 1e-3 && Math.abs(study.curves[1]!.fit!.b - 0.4) < 1e-3, "the fits recover b");
    const teff = (label: string, lang: string) => study.teff.find((t) => t.label === label && t.lang === lang)!.teff;
    assert.ok(Math.abs(teff("aa 90 / bb 10", "aa") - 0.5) < 1e-3);
    assert.ok(Math.abs(teff("aa 90 / bb 10", "bb") - 3) < 3e-3);
    assert.ok(Math.abs(teff("aa 50 / bb 50", "aa") - 1) < 1e-3);
    assert.ok(Math.abs(teff("aa 50 / bb 50", "bb") - 1) < 1e-3);
    assert.equal(study.teff.length, 4, "TEff only in mixed runs");
  });

  it("the findings read the minority's TEff minus 1 and the middle-layer cosine difference", () => {
    const data: SeedData = { specs: { "real-imbalance": { spec: { kind: "real-imbalance", exp }, dir } } };
    const real = FINDINGS.find((f) => f.name === "imbalance-real-languages")!.analyse(data);
    assert.ok(Math.abs(real.value - 2) < 3e-3, `effect ${real.value}`);
    assert.ok(Math.abs(real.detail.teff_50_50! - 1) < 1e-3);
    const align = FINDINGS.find((f) => f.name === "imbalance-real-hidden-alignment")!.analyse(data);
    // Two blocks: both are middle layers; (0.5 + 0.7) / 2 - (0.4 + 0.5) / 2.
    assert.ok(Math.abs(align.value - 0.15) < 1e-12, `effect ${align.value}`);
    assert.ok(Math.abs(align.detail.unpaired_90_10! - 0.35) < 1e-12 && Math.abs(align.detail.unpaired_50_50! - 0.2) < 1e-12);
  });
});

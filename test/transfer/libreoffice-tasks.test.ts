import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { HelpRecord } from "../../src/data/corpora/libreoffice-help.js";
import { LIBREOFFICE_HELP_MODULES } from "../../src/data/corpora/libreoffice-help.js";
import {
  MIN_JOIN_CHARS, helpTaskParagraphs, readHelpTaskParagraphs, retrievalPairs, splitGroups, uiSpanSentence, uiSpanSentences,
} from "../../src/transfer/libreoffice-tasks.js";
import { labelIds, paragraphSplit } from "../../src/transfer/paragraph-task.js";
import { LabelVocabulary, encodeTokenTask, wordPredictionLabels, wordPredictions } from "../../src/transfer/token-task.js";
import { entityScores } from "../../src/transfer/metrics.js";
import { retrievalAccuracy } from "../../src/analysis/retrieval.js";
import { convertFixture } from "../data/libreoffice-fixture.js";

const rec = (lang: string, page: string, id: string, text: string, spans: HelpRecord["spans"] = []): HelpRecord =>
  ({ lang, page, id, module: page.split("/")[1]!, tag: "p", text, spans });

describe("LibreOffice help split groups", () => {
  it("joins ids that share an English text of MIN_JOIN_CHARS or more, and no shorter one", () => {
    const long = "Choose Tools - Options - LibreOffice Writer.";
    assert.ok(long.length >= MIN_JOIN_CHARS);
    const english = [
      rec("en-us", "text/swriter/a.html", "par_id1", long),
      rec("en-us", "text/scalc/b.html", "par_id2", long),
      rec("en-us", "text/scalc/b.html", "par_id3", "Yes"),
      rec("en-us", "text/sdraw/c.html", "par_id4", "Yes"),
      rec("en-us", "text/sdraw/c.html", "par_id1", "An id reused on another page with other text."),
    ];
    const g = splitGroups(english);
    assert.equal(g.groupOfId.get("par_id1"), g.groupOfId.get("par_id2"));
    assert.notEqual(g.groupOfId.get("par_id3"), g.groupOfId.get("par_id4"));
    assert.deepEqual([...new Set(g.groupOfId.values())].sort(), [0, 1, 2]);
    assert.equal(g.canonical[0]!.page, "text/swriter/a.html");
  });

  it("keeps one paragraph per language and group, preferring the group's first en-US page", () => {
    const english = [rec("en-us", "text/swriter/a.html", "par_id1", "Same text on two pages here."), rec("en-us", "text/scalc/b.html", "par_id1", "Same text on two pages here.")];
    const german = [rec("de", "text/scalc/b.html", "par_id1", "Gleicher Text (Calc)."), rec("de", "text/swriter/a.html", "par_id1", "Gleicher Text (Writer).")];
    const ps = helpTaskParagraphs([...english, ...german], english);
    assert.deepEqual(ps.map((p) => [p.lang, p.label, p.text]), [["en-us", "swriter", english[0]!.text], ["de", "swriter", "Gleicher Text (Writer)."]]);
  });
});

describe("LibreOffice help tasks on real pages", () => {
  const dir = convertFixture(["de", "ja", "ru"]);
  const langs = ["en-us", "de", "ja", "ru"];
  const paragraphs = readHelpTaskParagraphs(langs, 0, dir);

  it("module classification: labels are help modules, every language present", () => {
    const { labels } = labelIds(paragraphs);
    assert.deepEqual(labels, ["sbasic", "scalc", "shared", "smath", "swriter"]);
    for (const l of labels) assert.ok((LIBREOFFICE_HELP_MODULES as readonly string[]).includes(l));
    for (const l of langs) assert.ok(paragraphs.some((p) => p.lang === l), l);
    for (const p of paragraphs) assert.equal(p.label, p.page.split("/")[1]);
  });

  it("no test paragraph, nor its English text, is in training in any language", () => {
    const o = { testFraction: 0.3 };
    const testIds = new Set(paragraphs.filter((p) => paragraphSplit(p, o) === "test").map((p) => p.id));
    const trainIds = new Set(paragraphs.filter((p) => paragraphSplit(p, o) === "train").map((p) => p.id));
    assert.ok(testIds.size > 0 && trainIds.size > 0);
    for (const id of testIds) assert.ok(!trainIds.has(id), id);
    // Every language's paragraph of one id has the same split.
    const splitOfId = new Map<string, string>();
    for (const p of paragraphs) {
      const s = paragraphSplit(p, o);
      assert.equal(splitOfId.get(p.id) ?? s, s, p.id);
      splitOfId.set(p.id, s);
    }
  });

  it("UI-span tagging: IOB words for Japanese (no spaces) and Russian, readable by encodeTokenTask", () => {
    const ja = paragraphs.find((p) => p.lang === "ja" && p.id === "par_id3152830")!;
    const s = uiSpanSentence(ja);
    // ツール → オートコレクトオプション を選択し、 オプション タブ ...: two MENU spans.
    assert.equal(s.words.join(""), ja.text.replace(/\s+/g, ""));
    assert.ok(s.words.length > 5, "Japanese is segmented into words");
    assert.equal(s.labels[0], "B-MENU");
    assert.deepEqual(s.labels.filter((l) => l.startsWith("B-")), ["B-MENU", "B-MENU"]);
    const firstO = s.labels.indexOf("O");
    assert.ok(s.labels.slice(1, firstO).every((l) => l === "I-MENU"));
    assert.equal(s.words.slice(0, firstO).join(""), "ツール→オートコレクトオプション");

    const sentences = uiSpanSentences(paragraphs);
    assert.ok(sentences.some((x) => x.where.startsWith("ru/")) && sentences.some((x) => x.where.startsWith("ja/")));
    for (const x of sentences) x.labels.forEach((l, i) => {
      if (l.startsWith("I-")) assert.ok(["B-", "I-"].map((b) => b + l.slice(2)).includes(x.labels[i - 1]!), `${x.where}: ${l} after ${x.labels[i - 1]}`);
    });
    // Through the existing token-task encoding with a code-point subword encoder.
    const vocab = LabelVocabulary.fromSentences(sentences);
    const encoder = { unkId: 1, encodeBatch: (ts: readonly string[]) => ts.map((t) => Int32Array.from([...t], (c) => 2 + (c.codePointAt(0)! % 5000))) };
    const batch = encodeTokenTask(sentences, encoder, vocab, { maxLength: 256, padId: 0 });
    const gold = sentences.map((x) => x.labels);
    const roundTrip = wordPredictionLabels(vocab, wordPredictions(batch, batch.labels));
    assert.deepEqual(entityScores(gold, roundTrip).f1, 1);
  });

  it("parallel retrieval: rows are translations of each other, across scripts", () => {
    const pairs = retrievalPairs(paragraphs, "de", "ja");
    const de = paragraphs.filter((p) => p.lang === "de");
    const ja = paragraphs.filter((p) => p.lang === "ja");
    assert.ok(pairs.length >= 2);
    for (const [a, b] of pairs) assert.ok(de.some((p) => p.text === a && ja.some((q) => q.index === p.index && q.text === b)), a);
    assert.equal(pairs.length, de.filter((p) => ja.some((q) => q.index === p.index)).length);
    // Identity embeddings (one-hot of the group) retrieve every pair: the benchmark's gold is consistent.
    const onehot = (i: number) => Float64Array.from({ length: pairs.length }, (_, j) => (j === i ? 1 : 0));
    const r = retrievalAccuracy(pairs.map((_, i) => onehot(i)), pairs.map((_, i) => onehot(i)));
    assert.equal(r.strong, 1);
  });
});

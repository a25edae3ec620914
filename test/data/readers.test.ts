import { test, after } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DataError, ReadReport } from "../../src/data/errors.js";
import {
  readConllu, readIob, readJsonl, readLines, readMuseDictionary, readParallelFiles,
  readParallelTsv, readPharaohAlignments, readSentencePairs, readTextDocuments, loadDictionary,
} from "../../src/data/readers/index.js";
import { collect, tempDir, withInvalidUtf8 } from "./helpers.js";

const tmp = tempDir();
after(() => tmp.cleanup());

async function rejectsAt(it: AsyncIterable<unknown>, file: string, line: number | undefined, pattern: RegExp): Promise<void> {
  await assert.rejects(collect(it), (e: unknown) => {
    assert.ok(e instanceof DataError, `expected DataError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.equal(e.line, line);
    assert.match(e.message, pattern);
    if (line !== undefined) assert.ok(e.message.startsWith(`${file}:${line}: `), e.message);
    return true;
  });
}

test("readLines splits CRLF and LF, keeps a last line without newline, drops only a leading BOM", async () => {
  const p = tmp.file("lines.txt", "\uFEFFa\r\nb\n\uFEFFc\nlast");
  const lines = await collect(readLines(p));
  assert.deepEqual(lines.map((l) => l.text), ["a", "b", "\uFEFFc", "last"]);
  assert.deepEqual(lines.map((l) => l.lineNo), [1, 2, 3, 4]);
});

test("readLines reassembles lines across stream chunks and reads gzip", async () => {
  const long = "x".repeat(200_000);
  const content = `short\n${long}\nñ${long}é\n`;
  const plain = await collect(readLines(tmp.file("long.txt", content)));
  const gz = await collect(readLines(tmp.file("long.txt.gz", content)));
  assert.deepEqual(plain.map((l) => l.text), ["short", long, `ñ${long}é`]);
  assert.deepEqual(gz, plain);
});

test("text documents per line and per blank-line block", async () => {
  const p = tmp.file("docs.txt", "one\ntwo a\n\nthree\n  \nfour\nfive\n");
  const perLine = await collect(readTextDocuments(p));
  assert.deepEqual(perLine.map((d) => d.text), ["one", "two a", "three", "four", "five"]);
  const blocks = await collect(readTextDocuments(p, { documents: "blank-line" }));
  assert.deepEqual(blocks.map((d) => [d.text, d.line]), [["one\ntwo a", 1], ["three", 4], ["four\nfive", 6]]);
});

test("invalid UTF-8 names the file and line; skip mode counts it", async () => {
  const p = tmp.file("bad.txt", withInvalidUtf8("ok\nbad", "\nfine\n"));
  await rejectsAt(readTextDocuments(p), p, 2, /invalid UTF-8/);
  const report = new ReadReport();
  const docs = await collect(readTextDocuments(p, { onBadLine: "skip", report }));
  assert.deepEqual(docs.map((d) => d.text), ["ok", "fine"]);
  assert.equal(report.skipped, 1);
  assert.deepEqual(report.badLineNumbers, [2]);
  assert.match(report.summary(), /skipped 1 bad line/);
});

test("invalid UTF-8 inside a gzip file is reported with its line", async () => {
  const p = tmp.file("bad.txt.gz", withInvalidUtf8("a\nb\nc", "\n"));
  await rejectsAt(readTextDocuments(p), p, 3, /invalid UTF-8/);
});

test("an empty file is an error in every reader", async () => {
  const p = tmp.file("empty.txt", "");
  await rejectsAt(readTextDocuments(p), p, undefined, /empty/);
  await rejectsAt(readJsonl(p), p, undefined, /empty/);
  await rejectsAt(readConllu(p), p, undefined, /empty/);
  await rejectsAt(readIob(p), p, undefined, /empty/);
  await rejectsAt(readMuseDictionary(p), p, undefined, /empty/);
  await rejectsAt(readPharaohAlignments(p), p, undefined, /empty/);
  await rejectsAt(readParallelTsv(p), p, undefined, /empty/);
  await rejectsAt(readSentencePairs(p), p, undefined, /empty/);
  await rejectsAt(readParallelFiles(p, p), `${p} + ${p}`, undefined, /empty/);
});

test("a missing file is a DataError naming it", async () => {
  const p = `${tmp.dir}/does-not-exist.txt`;
  await rejectsAt(readTextDocuments(p), p, undefined, /read failed: ENOENT/);
});

test("corrupt gzip data is a DataError at the line being read", async () => {
  const bytes = gzipSync(Buffer.from("a\nb\n"));
  // Damage the deflate stream after the 10-byte gzip header.
  for (let i = 12; i < bytes.length - 8; i++) bytes[i] = 0xff;
  const p = join(tmp.dir, "corrupt.txt.gz");
  writeFileSync(p, bytes);
  await rejectsAt(readTextDocuments(p), p, 1, /read failed/);
});

test("JSONL: text and lang, bad JSON and missing text", async () => {
  const p = tmp.file("corpus.jsonl", [
    '{"text": "hello", "lang": "en"}',
    '{"text": "hallo"}',
    "{not json",
    '{"lang": "de"}',
    "[1, 2]",
    '{"text": 5}',
    '{"text": "bonjour", "lang": "fr"}',
  ].join("\n"));
  await rejectsAt(readJsonl(p), p, 3, /not valid JSON/);
  const report = new ReadReport();
  const docs = await collect(readJsonl(p, { onBadLine: "skip", report, defaultLang: "xx" }));
  assert.deepEqual(docs.map((d) => [d.text, d.lang, d.line]), [["hello", "en", 1], ["hallo", "xx", 2], ["bonjour", "fr", 7]]);
  assert.equal(report.skipped, 4);
  assert.deepEqual(report.badLineNumbers, [3, 4, 5, 6]);
  assert.match(report.examples[1]!.reason, /missing "text"/);
  assert.equal(report.records, 3);
});

test("JSONL missing text throws at that line", async () => {
  const p = tmp.file("notext.jsonl", '{"text": "a"}\n{"txt": "b"}\n');
  await rejectsAt(readJsonl(p), p, 2, /missing "text"/);
});

test("skip mode without a report raises a process warning rather than losing lines silently", async () => {
  const p = tmp.file("warn.jsonl", '{"text": "a"}\nnope\n');
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  try {
    await collect(readJsonl(p, { onBadLine: "skip" }));
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off("warning", onWarning);
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /skipped 1 bad line.*warn\.jsonl:2/);
});

test("parallel files read in lockstep; unequal line counts are reported", async () => {
  const src = tmp.file("p.en", "a\nb\nc\n");
  const tgt = tmp.file("p.de", "A\nB\nC\n");
  const pairs = await collect(readParallelFiles(src, tgt));
  assert.deepEqual(pairs.map((p) => [p.src, p.tgt, p.line]), [["a", "A", 1], ["b", "B", 2], ["c", "C", 3]]);

  const shortTgt = tmp.file("short.de", "A\n");
  await rejectsAt(readParallelFiles(src, shortTgt), src, 2, /unequal line counts.*short\.de has 1 lines.*has 3/);
  const report = new ReadReport();
  const kept = await collect(readParallelFiles(src, shortTgt, { onBadLine: "skip", report }));
  assert.equal(kept.length, 1);
  assert.equal(report.skipped, 2);
  assert.deepEqual(report.badLineNumbers, [2, 3]);

  const badTgt = tmp.file("bad.de", withInvalidUtf8("A\nB", "\nC\n"));
  await rejectsAt(readParallelFiles(src, badTgt), badTgt, 2, /invalid UTF-8/);
});

test("parallel TSV requires two columns", async () => {
  const p = tmp.file("p.tsv", "a\tA\nb only\nc\tC\td\ne\tE\n");
  await rejectsAt(readParallelTsv(p), p, 2, /expected 2 tab-separated columns, found 1/);
  const report = new ReadReport();
  const pairs = await collect(readParallelTsv(p, { onBadLine: "skip", report }));
  assert.deepEqual(pairs.map((x) => [x.src, x.tgt]), [["a", "A"], ["e", "E"]]);
  assert.deepEqual(report.badLineNumbers, [2, 3]);
});

test("Pharaoh alignments parse links and reject malformed ones", async () => {
  const p = tmp.file("a.align", "0-0 1-2 2-1\n\n3-x\n10-11\n");
  const report = new ReadReport();
  const rows = await collect(readPharaohAlignments(p, { onBadLine: "skip", report }));
  assert.deepEqual(rows.map((r) => r.links), [[[0, 0], [1, 2], [2, 1]], [], [[10, 11]]]);
  assert.deepEqual(report.badLineNumbers, [3]);
  await rejectsAt(readPharaohAlignments(p), p, 3, /malformed alignment link "3-x"/);
});

test("MUSE dictionary entries and grouping", async () => {
  const p = tmp.file("en-de.txt", "the der\nthe die\ncat\tKatze\nthe der\noops\n");
  await rejectsAt(readMuseDictionary(p), p, 5, /expected 2 whitespace-separated fields, found 1/);
  const report = new ReadReport();
  const dict = await loadDictionary(readMuseDictionary(p, { onBadLine: "skip", report }));
  assert.deepEqual([...dict.entries()], [["the", ["der", "die"]], ["cat", ["Katze"]]]);
  assert.equal(report.records, 4);
  assert.deepEqual(report.badLineNumbers, [5]);
});

const CONLLU_OK = [
  "# sent_id = s1",
  "# text = Vámonos al mar.",
  "1-2\tVámonos\t_\t_\t_\t_\t_\t_\t_\t_",
  "1\tVamos\tir\tVERB\t_\t_\t0\troot\t_\t_",
  "2\tnos\tnosotros\tPRON\t_\t_\t1\tobj\t_\t_",
  "3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_",
  "3\ta\ta\tADP\t_\t_\t5\tcase\t_\t_",
  "4\tel\tel\tDET\t_\t_\t5\tdet\t_\t_",
  "4.1\tvoy\t_\t_\t_\t_\t_\t_\t_\t_",
  "5\tmar\tmar\tNOUN\t_\t_\t1\tobl\t_\tSpaceAfter=No",
  "6\t.\t.\tPUNCT\t_\t_\t1\tpunct\t_\t_",
  "",
  "# sent_id = s2",
  "1\tHi\thi\tINTJ\t_\t_\t0\troot\t_\t_",
].join("\n");

test("CoNLL-U: words, multiword tokens, empty nodes, comments", async () => {
  const p = tmp.file("ok.conllu", CONLLU_OK);
  const sents = await collect(readConllu(p));
  assert.equal(sents.length, 2);
  const s = sents[0]!;
  assert.equal(s.meta["sent_id"], "s1");
  assert.equal(s.meta["text"], "Vámonos al mar.");
  assert.deepEqual(s.words.map((w) => w.form), ["Vamos", "nos", "a", "el", "mar", "."]);
  assert.deepEqual(s.words.map((w) => w.upos), ["VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT"]);
  assert.deepEqual(s.words.map((w) => w.head), [0, 1, 5, 5, 1, 1]);
  assert.deepEqual(s.multiwordTokens, [{ first: 1, last: 2, form: "Vámonos" }, { first: 3, last: 4, form: "al" }]);
  assert.deepEqual(s.emptyNodes, [{ after: 4, index: 1, form: "voy" }]);
  assert.equal(sents[1]!.line, 13);
  assert.deepEqual(sents[1]!.words.map((w) => w.form), ["Hi"]);
});

test("CoNLL-U: wrong column count and non-integer id are bad lines; skip drops the sentence", async () => {
  const text = [
    "1\tA\ta\tNOUN\t_\t_\t0\troot\t_\t_",
    "",
    "1\tB\tb\tNOUN\t_\t_\t0\troot\t_",
    "2\tC\tc\tNOUN\t_\t_\t1\tdep\t_\t_",
    "",
    "x\tD\td\tNOUN\t_\t_\t0\troot\t_\t_",
    "",
    "1\tE\te\tNOUN\t_\t_\t0\troot\t_\t_",
    "3\tF\tf\tNOUN\t_\t_\t1\tdep\t_\t_",
    "",
    "1\tG\tg\tNOUN\t_\t_\t0\troot\t_\t_",
    "",
  ].join("\n");
  const p = tmp.file("bad.conllu", text);
  await rejectsAt(readConllu(p), p, 3, /expected 10 tab-separated columns, found 9/);
  const report = new ReadReport();
  const sents = await collect(readConllu(p, { onBadLine: "skip", report }));
  assert.deepEqual(sents.map((s) => s.words.map((w) => w.form).join(" ")), ["A", "G"]);
  assert.deepEqual(report.badLineNumbers, [3, 6, 9]);
  assert.match(report.examples[1]!.reason, /ID "x" is not an integer/);
  assert.match(report.examples[2]!.reason, /out of sequence/);

  const badId = tmp.file("badid.conllu", "1.5x\tD\td\tNOUN\t_\t_\t0\troot\t_\t_\n");
  await rejectsAt(readConllu(badId), badId, 1, /not an integer/);
  const badUpos = tmp.file("badupos.conllu", "1\tD\td\tNOUNY\t_\t_\t0\troot\t_\t_\n");
  await rejectsAt(readConllu(badUpos), badUpos, 1, /unknown UPOS/);
});

test("IOB: sentences, DOCSTART, tag checks", async () => {
  const p = tmp.file("ner.iob", "-DOCSTART- O\n\nJohn B-PER\nlives O\nin O\nParis B-LOC\n\nHe O\nwent\nthere Q-LOC\n\nOK O\n");
  await rejectsAt(readIob(p), p, 9, /found 1 column/);
  const report = new ReadReport();
  const sents = await collect(readIob(p, { onBadLine: "skip", report }));
  assert.deepEqual(sents.map((s) => [s.tokens, s.tags, s.line]), [
    [["John", "lives", "in", "Paris"], ["B-PER", "O", "O", "B-LOC"], 3],
    [["OK"], ["O"], 12],
  ]);
  // The sentence is dropped at its first bad line; the rest of it is not inspected.
  assert.deepEqual(report.badLineNumbers, [9]);
  const tsv = tmp.file("ner.tsv", "Paris\tNNP\tB-LOC\nis\tVBZ\tO\n");
  const rows = await collect(readIob(tsv, { separator: "tab", tokenColumn: 0, tagColumn: 2 }));
  assert.deepEqual(rows[0]!.tags, ["B-LOC", "O"]);
  const badTag = tmp.file("badtag.iob", "x B-PER\ny Q-LOC\n");
  await rejectsAt(readIob(badTag), badTag, 2, /invalid tag "Q-LOC"/);
});

test("sentence pairs by header name or index", async () => {
  const p = tmp.file("xnli.tsv", "premise\thypothesis\tlabel\nA man\tA person\tentailment\nshort row\nX\tY\tmaybe\nP\tQ\tcontradiction\n");
  await rejectsAt(readSentencePairs(p), p, 3, /expected 3 tab-separated columns, found 1/);
  const report = new ReadReport();
  const rows = await collect(readSentencePairs(p, { onBadLine: "skip", report, labels: ["entailment", "neutral", "contradiction"] }));
  assert.deepEqual(rows.map((r) => [r.premise, r.hypothesis, r.label, r.line]), [
    ["A man", "A person", "entailment", 2],
    ["P", "Q", "contradiction", 5],
  ]);
  assert.deepEqual(report.badLineNumbers, [3, 4]);

  const renamed = tmp.file("xnli2.tsv", "lang\tgold_label\tsentence1\tsentence2\nen\tneutral\ts1\ts2\n");
  const r2 = await collect(readSentencePairs(renamed, { columns: { premise: "sentence1", hypothesis: "sentence2", label: "gold_label" } }));
  assert.deepEqual(r2.map((r) => [r.premise, r.hypothesis, r.label]), [["s1", "s2", "neutral"]]);
  await rejectsAt(readSentencePairs(renamed), renamed, 1, /header has no "premise" column/);

  const noHeader = tmp.file("pairs.tsv", "0\tq\tp\n1\tq2\tp2\n");
  const r3 = await collect(readSentencePairs(noHeader, { header: false, columns: { label: 0, premise: 2, hypothesis: 1 } }));
  assert.deepEqual(r3.map((r) => [r.premise, r.hypothesis, r.label]), [["p", "q", "0"], ["p2", "q2", "1"]]);
});

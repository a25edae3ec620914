// Word-level tags as subword model inputs, on the hand-written CoNLL-U and IOB
// samples, with a small SentencePiece model trained here on the samples' text.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { readConllu } from "../../src/data/readers/conllu.js";
import { readIob } from "../../src/data/readers/iob.js";
import { type SentencePieceTokenizer, trainTokenizer } from "../../src/data/tokenizer.js";
import { IGNORE_INDEX } from "../../src/transfer/metrics.js";
import {
  type LabelledSentence,
  type SubwordEncoder,
  LabelVocabulary,
  encodeTokenTask,
  fromConllu,
  fromTagged,
  wordPredictionLabels,
  wordPredictions,
} from "../../src/transfer/token-task.js";
import { packageRoot } from "../../src/util/package-root.js";

const CONLLU = join(packageRoot(), "test/fixtures/transfer/sample.conllu");
const IOB = join(packageRoot(), "test/fixtures/transfer/sample.iob");

let dir: string;
let tokenizer: SentencePieceTokenizer;
let pos: LabelledSentence[];
let ner: LabelledSentence[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "xling-token-task-"));
  pos = [];
  for await (const s of readConllu(CONLLU)) pos.push(fromConllu(s, CONLLU));
  ner = [];
  for await (const s of readIob(IOB)) ner.push(fromTagged(s, IOB));
  // A vocabulary this small must split most words into several pieces.
  const text = [...pos, ...ner].map((s) => s.words.join(" "));
  tokenizer = await trainTokenizer(text, {
    modelPrefix: join(dir, "tiny"),
    vocabSize: 60,
    modelType: "bpe",
    characterCoverage: 1,
    padId: 3,
  });
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** The expected row of one sentence, built word by word from the tokenizer's own encoding. */
function expectedRow(s: LabelledSentence, vocab: LabelVocabulary, T: number, prefix: number[], suffix: number[]) {
  const ids = [...prefix];
  const labels: number[] = prefix.map(() => IGNORE_INDEX);
  const starts: number[] = [];
  for (let w = 0; w < s.words.length; w++) {
    const pieces = Array.from(tokenizer.encode(s.words[w]!));
    const room = T - suffix.length - ids.length;
    if (room <= 0) {
      starts.push(-1);
      continue;
    }
    starts.push(ids.length);
    pieces.slice(0, room).forEach((id, k) => {
      ids.push(id);
      labels.push(k === 0 ? vocab.idOf(s.labels[w]!) : IGNORE_INDEX);
    });
  }
  ids.push(...suffix);
  labels.push(...suffix.map(() => IGNORE_INDEX));
  const length = ids.length;
  while (ids.length < T) {
    ids.push(tokenizer.padId);
    labels.push(IGNORE_INDEX);
  }
  return { ids, labels, starts, length };
}

function checkBatch(sentences: LabelledSentence[], T: number, prefix: number[], suffix: number[]) {
  const vocab = LabelVocabulary.fromSentences(sentences);
  const batch = encodeTokenTask(sentences, tokenizer, vocab, { maxLength: T, padId: tokenizer.padId, prefixIds: prefix, suffixIds: suffix });
  assert.equal(batch.ids.length, sentences.length * T);
  assert.equal(batch.labels.length, sentences.length * T);
  let truncated = 0;
  sentences.forEach((s, n) => {
    const want = expectedRow(s, vocab, T, prefix, suffix);
    assert.deepEqual(Array.from(batch.ids.subarray(n * T, (n + 1) * T)), want.ids, `ids of ${s.where}`);
    assert.deepEqual(Array.from(batch.labels.subarray(n * T, (n + 1) * T)), want.labels, `labels of ${s.where}`);
    assert.deepEqual(Array.from(batch.wordStarts.subarray(batch.wordOffsets[n]!, batch.wordOffsets[n + 1]!)), want.starts);
    assert.equal(batch.lengths[n], want.length);
    truncated += want.starts.filter((p) => p < 0).length;
  });
  assert.equal(batch.truncatedWords, truncated);
  return { vocab, batch };
}

describe("token-task encoding", () => {
  it("reads the samples: syntactic words of multiword tokens, IOB tags", () => {
    assert.equal(pos.length, 4);
    // "zum" is the multiword token of "zu dem"; the words are what get tagged.
    assert.deepEqual(pos[2]!.words, ["Wir", "gehen", "zu", "dem", "Bahnhof", "."]);
    assert.deepEqual(pos[2]!.labels, ["PRON", "VERB", "ADP", "DET", "NOUN", "PUNCT"]);
    assert.match(pos[2]!.where, /sample\.conllu:\d+$/);
    assert.equal(ner.length, 5);
    assert.deepEqual(ner[0]!.labels, ["B-PER", "I-PER", "O", "O", "B-LOC", "O"]);
  });

  it("puts each label on its word's first subword and ignores the rest", () => {
    const multiPiece = [...pos, ...ner].flatMap((s) => s.words).filter((w) => tokenizer.encode(w).length > 1);
    assert.ok(multiPiece.length > 5, `expected several multi-piece words, got ${multiPiece.join(" ")}`);
    const prefix = [tokenizer.bosId];
    const suffix = [tokenizer.eosId];
    const { vocab, batch } = checkBatch(pos, 64, prefix, suffix);
    // Every word keeps its label exactly once.
    const labelled = Array.from(batch.labels).filter((l) => l !== IGNORE_INDEX).length;
    assert.equal(labelled, pos.reduce((n, s) => n + s.words.length, 0));
    assert.equal(vocab.labelOf(batch.labels[1]!), "DET"); // "The", right after BOS
    checkBatch(ner, 48, [], []);
  });

  it("never lets a subword span two words", () => {
    // Encoding the words separately gives a word boundary before every word; the
    // pieces between two word starts decode to exactly that word.
    const vocab = LabelVocabulary.fromSentences(ner);
    const batch = encodeTokenTask(ner, tokenizer, vocab, { maxLength: 48, padId: tokenizer.padId });
    ner.forEach((s, n) => {
      const starts = Array.from(batch.wordStarts.subarray(batch.wordOffsets[n]!, batch.wordOffsets[n + 1]!));
      starts.forEach((start, w) => {
        const end = w + 1 < starts.length ? starts[w + 1]! : batch.lengths[n]!;
        assert.equal(tokenizer.decode(batch.ids.subarray(n * 48 + start, n * 48 + end)), s.words[w]);
      });
    });
  });

  it("truncates to the maximum length, keeping the suffix and counting the words cut off", () => {
    const { batch } = checkBatch(pos, 8, [tokenizer.bosId], [tokenizer.eosId]);
    assert.ok(batch.truncatedWords > 0);
    // Each row is full and ends with EOS.
    for (let n = 0; n < pos.length; n++) assert.equal(batch.ids[n * 8 + 7], tokenizer.eosId);
    assert.throws(
      () => encodeTokenTask(pos, tokenizer, LabelVocabulary.fromSentences(pos), { maxLength: 2, padId: 0, prefixIds: [1], suffixIds: [2] }),
      /leaves no room/,
    );
  });

  it("maps per-subword predictions back to words", () => {
    const vocab = LabelVocabulary.fromSentences(pos);
    const T = 10;
    const batch = encodeTokenTask(pos, tokenizer, vocab, { maxLength: T, padId: tokenizer.padId });
    // Predict the gold label on first subwords and nonsense elsewhere.
    const predictions = Int32Array.from(batch.labels, (l) => (l === IGNORE_INDEX ? 999 : l));
    const perWord = wordPredictions(batch, predictions);
    const tags = wordPredictionLabels(vocab, perWord, "X");
    pos.forEach((s, n) => {
      assert.equal(perWord[n]!.length, s.words.length);
      s.labels.forEach((gold, w) => {
        const kept = batch.wordStarts[batch.wordOffsets[n]! + w]! >= 0;
        assert.equal(tags[n]![w], kept ? gold : "X");
      });
    });
    assert.throws(() => wordPredictions(batch, new Int32Array(3)), /expected 4 x 10 = 40 predictions, got 3/);
  });

  it("gives a word the tokenizer drops the unknown id, so it keeps its label", () => {
    const fake: SubwordEncoder = {
      unkId: 0,
      encodeBatch: (texts) => texts.map((t) => (t === "\u200b" ? new Int32Array(0) : Int32Array.from(t, (c) => c.charCodeAt(0)))),
    };
    const sentences = [{ words: ["ab", "\u200b", "c"], labels: ["X", "Y", "X"], where: "inline:1" }];
    const vocab = LabelVocabulary.fromSentences(sentences);
    const batch = encodeTokenTask(sentences, fake, vocab, { maxLength: 6, padId: -1 });
    assert.deepEqual(Array.from(batch.ids), [97, 98, 0, 99, -1, -1]);
    assert.deepEqual(Array.from(batch.labels), [0, IGNORE_INDEX, 1, 0, IGNORE_INDEX, IGNORE_INDEX]);
    assert.throws(
      () => encodeTokenTask([{ words: ["a"], labels: [], where: "inline:7" }], fake, vocab, { maxLength: 4, padId: 0 }),
      /inline:7: 1 words but 0 labels/,
    );
  });
});

describe("label vocabulary", () => {
  it("numbers the training labels in sorted order", () => {
    const vocab = LabelVocabulary.fromSentences(ner);
    assert.deepEqual(vocab.labels, ["B-LOC", "B-ORG", "B-PER", "I-LOC", "I-ORG", "I-PER", "O"]);
    assert.equal(vocab.labelOf(vocab.idOf("I-ORG")), "I-ORG");
    assert.equal(vocab.idOf("B-MISC"), -1);
    assert.throws(() => vocab.labelOf(7), /outside 0..6/);
  });

  it("reports labels missing from the training data with where they occur", () => {
    // The sample has two English sentences, then two German ones.
    const english = pos.slice(0, 2);
    const german = pos.slice(2);
    const vocab = LabelVocabulary.fromSentences(english);
    // Count by hand what the German sentences add.
    const unseen = new Map<string, number>();
    for (const s of german) for (const l of s.labels) if (!vocab.has(l)) unseen.set(l, (unseen.get(l) ?? 0) + 1);
    assert.ok(unseen.size > 0);
    const reported = vocab.unknownLabels(german);
    assert.deepEqual(new Map(reported.map((u) => [u.label, u.count])), unseen);
    for (const u of reported) assert.match(u.firstSeen, /sample\.conllu:\d+$/);

    const opts = { maxLength: 64, padId: tokenizer.padId };
    assert.throws(() => encodeTokenTask(german, tokenizer, vocab, opts), (e: Error) => {
      for (const label of unseen.keys()) assert.ok(e.message.includes(`"${label}"`), e.message);
      return /labels not in the training label set: .*sample\.conllu:\d+/.test(e.message);
    });
    const batch = encodeTokenTask(german, tokenizer, vocab, { ...opts, onUnknownLabel: "ignore" });
    assert.deepEqual(batch.unknownLabels, reported);
    assert.equal(batch.truncatedWords, 0);
    // Words with unknown labels are ignored: only known-label words carry a label.
    const known = german.reduce((n, s) => n + s.labels.filter((l) => vocab.has(l)).length, 0);
    assert.equal(Array.from(batch.labels).filter((l) => l !== IGNORE_INDEX).length, known);
  });
});

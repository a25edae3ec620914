// Token classification end to end on the shipped samples: CoNLL-U -> UPOS tagger and
// IOB -> NER tagger, fine-tuned from a tiny encoder, scored by token accuracy and
// conlleval entity F1. The samples are too small to generalise from, so the check is
// that training fits them: accuracy above the majority tag, entity F1 above zero.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { readConllu } from "../../src/data/readers/conllu.js";
import { readIob } from "../../src/data/readers/iob.js";
import { trainTokenizer } from "../../src/data/tokenizer.js";
import { MaskedLM, encoderConfig } from "../../src/nn/encoder.js";
import { manualSeed } from "../../src/torch/index.js";
import { encodeSentencePairs, evaluateClassifier, fineTuneClassifier, fineTuneTagger, predictTags } from "../../src/transfer/finetune.js";
import { readSentencePairs, type SentencePairExample } from "../../src/data/readers/pairs.js";
import { entityScores, tokenAccuracy } from "../../src/transfer/metrics.js";
import { LabelVocabulary, encodeTokenTask, fromConllu, fromTagged, wordPredictionLabels, wordPredictions, type LabelledSentence } from "../../src/transfer/token-task.js";
import { packageRoot } from "../../src/util/package-root.js";

const CONLLU = join(packageRoot(), "test/fixtures/transfer/sample.conllu");
const IOB = join(packageRoot(), "test/fixtures/transfer/sample.iob");

async function tagger(sentences: LabelledSentence[]) {
  const tokenizer = await trainTokenizer(sentences.map((s) => s.words.join(" ")), {
    modelPrefix: join(mkdtempSync(join(tmpdir(), "xling-tagging-")), "spm"), vocabSize: 80, modelType: "bpe", characterCoverage: 1, padId: 3,
  });
  const vocab = LabelVocabulary.fromSentences(sentences);
  const data = encodeTokenTask(sentences, tokenizer, vocab, { maxLength: 40, padId: 3 });
  manualSeed(1);
  const mlm = new MaskedLM(encoderConfig({ vocabSize: tokenizer.vocabSize, hidden: 32, layers: 1, heads: 2, maxPositions: 40, typeVocabSize: 1, padId: 3, dropout: 0 }));
  const model = fineTuneTagger(mlm.encoder, vocab.size, data, { steps: 80, batchSize: 4, lr: 3e-3, maxLen: 40, seed: 0 });
  const predicted = predictTags(model, data);
  return { vocab, data, predicted };
}

describe("token classification", () => {
  it("fits UPOS tags of the CoNLL-U sample above the majority-tag baseline", async () => {
    const sentences: LabelledSentence[] = [];
    for await (const s of readConllu(CONLLU)) sentences.push(fromConllu(s, CONLLU));
    const { data, predicted } = await tagger(sentences);
    const acc = tokenAccuracy(predicted, data.labels).accuracy;
    const counts = new Map<number, number>();
    for (const l of data.labels) if (l !== -100) counts.set(l, (counts.get(l) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / [...counts.values()].reduce((a, b) => a + b, 0);
    assert.ok(acc > majority + 0.2, `accuracy ${acc}, majority ${majority}`);
  });

  it("fits the NER entities of the IOB sample (conlleval F1)", async () => {
    const sentences: LabelledSentence[] = [];
    for await (const s of readIob(IOB)) sentences.push(fromTagged(s, IOB));
    const { vocab, data, predicted } = await tagger(sentences);
    const tags = wordPredictionLabels(vocab, wordPredictions(data, predicted));
    const scores = entityScores(sentences.map((s) => s.labels), tags);
    assert.ok(scores.gold > 5, `${scores.gold} gold entities`);
    assert.ok(scores.f1 > 0.5, `entity F1 ${scores.f1}`);
  });
});

describe("sentence-pair classification", () => {
  it("reads an NLI-style TSV, encodes pairs with token types and fits it", async () => {
    const path = join(packageRoot(), "test/fixtures/transfer/sample-nli.tsv");
    const pairs: SentencePairExample[] = [];
    for await (const p of readSentencePairs(path)) pairs.push(p);
    const tokenizer = await trainTokenizer(pairs.flatMap((p) => [p.premise, p.hypothesis]), {
      modelPrefix: join(mkdtempSync(join(tmpdir(), "xling-nli-")), "spm"), vocabSize: 60, modelType: "bpe", characterCoverage: 1, padId: 3,
    });
    const { ids, typeIds } = encodeSentencePairs(tokenizer, pairs, 24, tokenizer.eosId);
    // Types are 0 up to and including the separator, 1 after it.
    const sep = ids[0].indexOf(tokenizer.eosId);
    assert.deepEqual(Array.from(typeIds[0]), Array.from(ids[0], (_, i) => (i <= sep ? 0 : 1)));
    const labels = Int32Array.from(pairs, (p) => (p.label === "entailment" ? 0 : 1));
    manualSeed(2);
    const mlm = new MaskedLM(encoderConfig({ vocabSize: tokenizer.vocabSize, hidden: 32, layers: 1, heads: 2, maxPositions: 24, typeVocabSize: 2, padId: 3, dropout: 0 }));
    const set = { ids, labels, typeIds };
    const model = fineTuneClassifier(mlm.encoder, 2, set, { steps: 60, batchSize: 8, lr: 3e-3, maxLen: 24, seed: 0 });
    assert.ok(evaluateClassifier(model, set, 24).accuracy > 0.9);
  });
});

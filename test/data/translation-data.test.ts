// Tokenised translation data: tags and separator are reserved pieces that text cannot
// produce, caps do not change the tokenizer, examples have the documented layout.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { join } from "node:path";
import { prepareTranslation, translationExample, translationPrompt, loadTranslationTokenizer } from "../../src/data/translation-data.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
after(() => tmp.cleanup());
const WORDS = ["alpha", "beta", "gamma", "delta", "house", "river", "stone", "light"];
const pairs = (n: number, f: (w: string) => string) => Array.from({ length: n }, (_, i) => {
  const s = `${WORDS[i % 8]} ${WORDS[(i * 3 + 1) % 8]} number ${i}`;
  return `${s}\t${s.split(" ").map(f).join(" ")}\tu${i}`;
}).join("\n");

describe("translation data", () => {
  const de = tmp.file("de.tsv", pairs(200, (w) => w.toUpperCase()));
  const fr = tmp.file("fr.tsv", pairs(200, (w) => [...w].reverse().join("")));
  const tok = { vocabSize: 120, modelType: "unigram" as const, characterCoverage: 1 };
  const choice = (cap?: number) => ({
    directions: [{ src: "en", tgt: "de", corpus: "tsv", path: de }, { src: "en", tgt: "fr", corpus: "tsv", path: fr, cap }],
    validFraction: 0.1, testFraction: 0.1, maxChars: 200,
  });
  const cache = join(tmp.dir, "cache");

  it("reserves <sep> and one tag per language as pieces that text never produces", async () => {
    const p = await prepareTranslation(choice(), tok, cache);
    const { tokenizer, separatorId, tagIds } = loadTranslationTokenizer(p.tokenizerPath, ["en", "de", "fr"]);
    assert.equal(separatorId, p.separatorId);
    assert.deepEqual(tagIds, p.tagIds);
    const reserved = [separatorId, ...Object.values(tagIds)];
    assert.equal(new Set(reserved).size, 4);
    for (const id of reserved) assert.ok(tokenizer.isControl(id), `id ${id} is a control piece`);
    const ids = Array.from(tokenizer.encode("alpha <sep> <2de> beta"));
    for (const id of reserved) assert.ok(!ids.includes(id), "text produced a reserved id");
    const d = p.directions[0];
    const ex = translationExample(p.tagIds.de, d.pairs.train[0].sourceIds, p.separatorId, d.pairs.train[0].targetIds, p.eosId);
    assert.deepEqual(ex, [p.tagIds.de, ...d.pairs.train[0].sourceIds, p.separatorId, ...d.pairs.train[0].targetIds, p.eosId]);
    assert.deepEqual(translationPrompt(p.tagIds.de, [7, 8], p.separatorId), [p.tagIds.de, 7, 8, p.separatorId]);
    assert.equal(tokenizer.decode(d.pairs.train[0].targetIds), d.pairs.train[0].target);
  });

  it("a cap changes the training pairs but not the tokenizer", async () => {
    const full = await prepareTranslation(choice(), tok, cache);
    const capped = await prepareTranslation(choice(10), tok, cache);
    assert.notEqual(full.dir, capped.dir);
    assert.equal(capped.directions[1].pairs.train.length, 10);
    assert.equal(capped.directions[1].available, full.directions[1].pairs.train.length);
    // The model files name their own directory, so compare the vocabularies.
    const pieces = (path: string) => {
      const { tokenizer } = loadTranslationTokenizer(path, []);
      return Array.from({ length: tokenizer.vocabSize }, (_, i) => `${tokenizer.idToPiece(i)} ${tokenizer.score(i)}`);
    };
    assert.deepEqual(pieces(capped.tokenizerPath), pieces(full.tokenizerPath));
  });
});

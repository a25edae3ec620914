// decode(encode(text)) gives back the normalised text for every language of the
// embedded corpora: all UDHR translations and both Bible languages.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { listUdhrTranslations, loadUdhrParagraphs } from "../../../src/data/corpora/udhr.js";
import { readBibleVerses } from "../../../src/data/corpora/bible.js";
import { SentencePieceTokenizer } from "../../../src/data/tokenizer.js";

const dir = mkdtempSync(join(tmpdir(), "xling-roundtrip-"));
const samples: { lang: string; text: string }[] = [];

before(async () => {
  for (const t of await listUdhrTranslations()) {
    const paragraphs = await loadUdhrParagraphs(t.code);
    for (const p of paragraphs.slice(0, 2)) if (p.text.trim()) samples.push({ lang: `udhr:${t.code}`, text: p.text.replace(/\n/g, " ") });
  }
  let n = 0;
  for await (const v of readBibleVerses(["kjv", "sparv"])) {
    for (const [id, text] of Object.entries(v.texts)) samples.push({ lang: `bible:${id}`, text });
    if (++n === 100) break;
  }
  writeFileSync(join(dir, "corpus.txt"), samples.map((s) => s.text).join("\n") + "\n");
});

describe("tokenizer round trip over the embedded corpora", () => {
  it("covers every language", () => {
    const langs = new Set(samples.map((s) => s.lang));
    assert.ok(langs.size >= 300, `${langs.size} languages`);
    assert.ok(langs.has("bible:kjv") && langs.has("bible:sparv"));
  });

  it("with identity normalisation and byte fallback, every text comes back exactly", async () => {
    const tok = await SentencePieceTokenizer.train({
      input: join(dir, "corpus.txt"), modelPrefix: join(dir, "identity"), vocabSize: 4000, modelType: "unigram",
      characterCoverage: 0.9995, byteFallback: true, normalization: "identity", extraFlags: { remove_extra_whitespaces: false },
    });
    const failures = samples.filter((s) => tok.decode(tok.encode(s.text)) !== s.text);
    assert.deepEqual(failures.map((f) => f.lang).slice(0, 10), []);
  });

  it("with NFKC normalisation, every text comes back as SentencePiece's own normaliser writes it", async () => {
    const tok = await SentencePieceTokenizer.train({
      input: join(dir, "corpus.txt"), modelPrefix: join(dir, "nfkc"), vocabSize: 4000, modelType: "unigram",
      characterCoverage: 0.9995, byteFallback: true,
    });
    const r = spawnSync("spm_normalize", [`--model=${join(dir, "nfkc.model")}`], { input: samples.map((s) => s.text).join("\n") + "\n", encoding: "utf8", maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    const normalised = r.stdout.split("\n");
    const failures = samples.filter((s, i) => tok.decode(tok.encode(s.text)) !== normalised[i].replace(/▁/g, " ").trim());
    assert.deepEqual(failures.map((f) => f.lang).slice(0, 10), []);
  });
});

// tokenizer.json through xling's HfTokenizer (Hugging Face's JavaScript implementation)
// against the Rust `tokenizers` library that Python's AutoTokenizer runs: a Unigram
// file in the XLM-R layout and a Llama-style byte-fallback BPE file, both built here, and
// SentencePiece models trained by xling written as tokenizer.json.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import rust from "tokenizers";

import { HfTokenizer, loadHfTokenizer } from "../../src/data/hf-tokenizer.js";
import { sentencePieceToHf } from "../../src/data/spm-to-hf.js";
import { trainTokenizer, type SentencePieceTokenizer } from "../../src/data/tokenizer.js";
import { openCorpus } from "../../src/data/corpora/index.js";

const dir = mkdtempSync(join(tmpdir(), "xling-hflib-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;
function write(json: unknown): string {
  const path = join(dir, `t${count++}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** The ids the Rust library gives, with and without the post-processor's tokens. */
async function rustIds(path: string, text: string, addSpecialTokens: boolean): Promise<number[]> {
  const tok = rust.Tokenizer.fromFile(path);
  return (await tok.encode(text, null, { addSpecialTokens })).getIds();
}

async function assertSameIds(path: string, texts: string[]): Promise<void> {
  const ours = loadHfTokenizer(path);
  for (const text of texts)
    for (const addSpecialTokens of [false, true])
      assert.deepEqual(Array.from(ours.encode(text, { addSpecialTokens })), await rustIds(path, text, addSpecialTokens), `${JSON.stringify(text)} (special tokens ${addSpecialTokens})`);
}

const special = (id: number, content: string, lstrip = false) => ({ id, content, single_word: false, lstrip, rstrip: false, normalized: false, special: true });

// XLM-R layout: <s> <pad> </s> <unk> first, Metaspace, a template adding <s> ... </s>.
function xlmrUnigram(): Record<string, unknown> {
  const pieces: [string, number][] = [
    ["<s>", 0], ["<pad>", 0], ["</s>", 0], ["<unk>", 0],
    ["▁", -2.1], ["▁the", -3.0], ["▁hel", -5.2], ["lo", -4.1], ["▁hello", -6.0], ["▁wor", -6.3], ["ld", -5.0],
    ["▁world", -8.9], ["s", -6.1], ["h", -7.5], ["e", -7.4], ["l", -7.2], ["o", -7.3], ["t", -7.6], ["▁w", -5.5],
    ["or", -4.8], ["é", -8.0], ["▁caf", -7.0], ["▁café", -9.5], ["▁über", -7.7], ["ü", -9.9], ["ber", -6.6],
  ];
  const mask = pieces.length;
  pieces.push(["<mask>", 0]);
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [special(0, "<s>"), special(1, "<pad>"), special(2, "</s>"), special(3, "<unk>"), special(mask, "<mask>", true)],
    normalizer: { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Replace", pattern: { Regex: " {2,}" }, content: " " }] },
    pre_tokenizer: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "</s>", type_id: 0 } }, { Sequence: { id: "B", type_id: 1 } }, { SpecialToken: { id: "</s>", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [0], tokens: ["<s>"] }, "</s>": { id: "</s>", ids: [2], tokens: ["</s>"] } },
    },
    decoder: { type: "Metaspace", replacement: "▁", prepend_scheme: "always", split: true },
    model: { type: "Unigram", unk_id: 3, byte_fallback: false, vocab: pieces },
  };
}

// Llama layout: a Sequence normalizer (prepend ▁, spaces to ▁), no pre-tokenizer, BPE with
// the 256 byte pieces <0x00>..<0xFF> for what the merges cannot spell.
function llamaByteFallbackBpe(): Record<string, unknown> {
  const vocab: string[] = ["<unk>", "<s>", "</s>"];
  for (let b = 0; b < 256; b++) vocab.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
  const merges = ["▁ t", "h e", "▁t he", "l l", "e ll", "h ell", "hell o", "▁ hello", "o r", "▁ w", "▁w or", "▁wor l", "▁worl d", "é t", "▁ é"];
  const chars = ["▁", "t", "h", "e", "l", "o", "w", "r", "d", "é", "a", "s"];
  vocab.push(...chars);
  for (const m of merges) {
    const merged = m.replace(" ", "");
    if (!vocab.includes(merged)) vocab.push(merged);
  }
  return {
    version: "1.0", truncation: null, padding: null,
    added_tokens: [special(0, "<unk>"), special(1, "<s>"), special(2, "</s>")],
    normalizer: { type: "Sequence", normalizers: [{ type: "Prepend", prepend: "▁" }, { type: "Replace", pattern: { String: " " }, content: "▁" }] },
    pre_tokenizer: null,
    post_processor: {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }],
      pair: [{ SpecialToken: { id: "<s>", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "<s>", type_id: 1 } }, { Sequence: { id: "B", type_id: 1 } }],
      special_tokens: { "<s>": { id: "<s>", ids: [1], tokens: ["<s>"] } },
    },
    decoder: { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] },
    model: {
      type: "BPE", dropout: null, unk_token: "<unk>", continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])), merges,
    },
  };
}

describe("tokenizer.json through the library", () => {
  it("a Unigram file in the XLM-R layout gives the Rust library's ids", async () => {
    const path = write(xlmrUnigram());
    await assertSameIds(path, ["hello the world", "Hello  worlds über café", "the wor ld xyz", "ﬁ café <mask> hello", "", "  hello  "]);
    const tok = loadHfTokenizer(path);
    assert.equal(tok.model, "Unigram");
    // Worked by hand: ▁hello (-6.0) beats ▁hel + lo (-9.3); ▁world (-8.9) beats ▁wor + ld (-11.3).
    assert.deepEqual(Array.from(tok.encode("hello world", { addSpecialTokens: true })), [0, 8, 11, 2]);
    assert.equal(tok.unkId, 3);
    assert.equal(tok.padId, 1);
    assert.equal(tok.vocabSize, 27);
    assert.equal(tok.decode(tok.encode("hello the world")), "hello the world");
  });

  it("a byte-fallback BPE file with a Sequence normalizer gives the Rust library's ids", async () => {
    const path = write(llamaByteFallbackBpe());
    await assertSameIds(path, ["hello the world", "été", "hello 世界!", "the  world\n", ""]);
    const tok = loadHfTokenizer(path);
    // "世" is not in the vocabulary: its UTF-8 bytes E4 B8 96 become <0xE4> <0xB8> <0x96> (ids 3 + byte).
    const shi = Array.from(tok.encode("世"));
    assert.deepEqual(shi.slice(-3), [3 + 0xe4, 3 + 0xb8, 3 + 0x96]);
    assert.equal(tok.decode(tok.encode("hello 世界!")), "hello 世界!");
    assert.equal(tok.unkId, 0);
  });
});

describe("SentencePiece models written as tokenizer.json", () => {
  const texts: string[] = [];
  before(async () => {
    for await (const d of openCorpus("udhr", { langs: ["eng", "deu", "fra"] }).documents()) texts.push(d.text);
  });

  for (const modelType of ["unigram", "bpe"] as const) {
    it(`${modelType}: the Rust library loading the written file gives SentencePiece's ids`, async () => {
      const spm: SentencePieceTokenizer = await trainTokenizer(texts, { modelPrefix: join(dir, modelType), modelType, vocabSize: 300, numThreads: 1 });
      const path = write(sentencePieceToHf(spm));
      const rustTok = rust.Tokenizer.fromFile(path);
      const ours = HfTokenizer.load(path);
      const samples = [...texts.slice(0, 3), ...texts.slice(20, 23), ...texts.slice(40, 43), "  Ünïcode ﬁ ½  spaces   and\ttabs ", "x"];
      let tokens = 0;
      for (const text of samples) {
        const expected = Array.from(spm.encode(text));
        tokens += expected.length;
        assert.deepEqual((await rustTok.encode(text, null, { addSpecialTokens: true })).getIds(), expected, `Rust library, ${JSON.stringify(text.slice(0, 40))}`);
        assert.deepEqual(Array.from(ours.encode(text)), expected, `xling, ${JSON.stringify(text.slice(0, 40))}`);
      }
      assert.ok(tokens > 500, `only ${tokens} tokens compared`);
      assert.equal(ours.vocabSize, spm.vocabSize);
    });
  }
});

// tokenizer.json through xling's HfTokenizer: small WordPiece and byte-level BPE files written
// here, checked against tokenizations worked out by hand (the working is in the comments).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";

import rust from "tokenizers";

import { HfTokenizer, loadHfTokenizer } from "../../src/data/hf-tokenizer.js";
import { loadDirectoryTokenizer } from "../../src/data/directory-tokenizer.js";

const dir = mkdtempSync(join(tmpdir(), "xling-hftok-"));
let fileCount = 0;
function write(json: unknown, name = `t${fileCount++}.json`): string {
  const path = join(dir, name);
  writeFileSync(path, typeof json === "string" ? json : JSON.stringify(json));
  return path;
}

const ids = (a: Int32Array) => Array.from(a);

// ---- WordPiece ---------------------------------------------------------------------------

const WP_VOCAB = [
  "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", // 0-4
  "hello", "world", ",", "!", "un", // 5-9
  "##aff", "##able", "play", "##ing", "##s", // 10-14
  "the", "cafe", "中", "国", "a", // 15-19
  "##b", ".", "'", "s", "$", // 20-24
  "5", "##0", "run", "##n", "##er", // 25-29
];
const special = (id: number) => ({ id, content: WP_VOCAB[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });

function wordPieceJson(over: { normalizer?: unknown; post_processor?: unknown; model?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [0, 1, 2, 3, 4].map(special),
    normalizer: "normalizer" in over ? over.normalizer : { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: "post_processor" in over ? over.post_processor : {
      type: "TemplateProcessing",
      single: [{ SpecialToken: { id: "[CLS]", type_id: 0 } }, { Sequence: { id: "A", type_id: 0 } }, { SpecialToken: { id: "[SEP]", type_id: 0 } }],
      pair: [],
      special_tokens: { "[CLS]": { id: "[CLS]", ids: [2], tokens: ["[CLS]"] }, "[SEP]": { id: "[SEP]", ids: [3], tokens: ["[SEP]"] } },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece", unk_token: "[UNK]", continuing_subword_prefix: "##", max_input_chars_per_word: 100,
      vocab: Object.fromEntries(WP_VOCAB.map((t, i) => [t, i])), ...over.model,
    },
  };
}

describe("tokenizer.json: WordPiece", () => {
  const tok = loadHfTokenizer(write(wordPieceJson()));

  it("reports the vocabulary and special ids", () => {
    assert.equal(tok.model, "WordPiece");
    assert.equal(tok.vocabSize, 30);
    assert.equal(tok.padId, 0);
    assert.equal(tok.unkId, 1);
    assert.deepEqual(tok.specialIds, { "[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4 });
    assert.equal(tok.tokenToId("##able"), 11);
    assert.equal(tok.tokenToId("nope"), null);
    assert.equal(tok.idToToken(17), "中");
    assert.equal(tok.idToToken(30), null);
  });

  it("lowercases, strips accents and splits punctuation", () => {
    // "Héllo, World!" -> "hello, world!" -> hello | , | world | !
    assert.deepEqual(ids(tok.encode("Héllo, World!")), [5, 7, 6, 8]);
    // "$" (ASCII 36) and "." split off; "50" is 5 + ##0.
    assert.deepEqual(ids(tok.encode("$50.")), [24, 25, 26, 21]);
    // "¡" is Unicode punctuation (Po): its own word, unknown; "hello" stays whole.
    assert.deepEqual(ids(tok.encode("hello¡")), [5, 1]);
    // clean_text: the NUL goes, the tab is a space.
    assert.deepEqual(ids(tok.encode("hello\u0000\tworld")), [5, 6]);
  });

  it("splits words greedily, longest match first, with ## continuations", () => {
    // un | ##aff | ##able ; play | ##ing
    assert.deepEqual(ids(tok.encode("unaffable playing")), [9, 10, 11, 12, 13]);
    // run, then "##ning"/"##nin"/"##ni" are missing so ##n, then ##ing; runner: run ##n ##er
    assert.deepEqual(ids(tok.encode("running runner")), [27, 28, 13, 27, 28, 29]);
  });

  it("turns a word with an unmatchable part into one unk", () => {
    // "xyz": no piece starts it. "hellox": hello matches but ##x does not, so the whole word is [UNK].
    assert.deepEqual(ids(tok.encode("xyz hellox world")), [1, 1, 6]);
  });

  it("puts CJK ideographs in words of their own", () => {
    // "中国hello" -> " 中  国 hello"
    assert.deepEqual(ids(tok.encode("中国hello")), [17, 18, 5]);
  });

  it("matches special tokens verbatim before lowercasing and splitting", () => {
    // Lowercased and split, "[MASK]" would be [ mask ] (three unknowns).
    assert.deepEqual(ids(tok.encode("[CLS] Hello [MASK]")), [2, 5, 4]);
    assert.deepEqual(ids(tok.encode("hello[SEP]world")), [5, 3, 6]);
    // A different case is not the token.
    assert.deepEqual(ids(tok.encode("[mask]")), [1, 1, 1]);
  });

  it("adds what the template says when asked", () => {
    assert.deepEqual(ids(tok.encode("hello world", { addSpecialTokens: true })), [2, 5, 6, 3]);
    assert.deepEqual(ids(tok.encode("hello world", { addSpecialTokens: false })), [5, 6]);
    assert.deepEqual(tok.encodeBatch(["hello", "world !"]).map(ids), [[5], [6, 8]]);
    const flat = tok.encodeBatchFlat(["hello", "world !"]);
    assert.deepEqual([ids(flat.ids), ids(flat.offsets)], [[5, 6, 8], [0, 1, 3]]);
    assert.deepEqual(tok.decodeBatch(flat), ["hello", "world!"]);
    const bert = loadHfTokenizer(write(wordPieceJson({ post_processor: { type: "BertProcessing", sep: ["[SEP]", 3], cls: ["[CLS]", 2] } })));
    assert.deepEqual(ids(bert.encode("hello", { addSpecialTokens: true })), [2, 5, 3]);
  });

  it("decodes by joining words and gluing ## pieces", () => {
    // Special tokens are left out; the decoder's cleanup removes the space before "," and "!".
    assert.equal(tok.decode([2, 5, 7, 6, 8, 3]), "hello, world!");
    assert.equal(tok.decode([9, 10, 11, 12, 13]), "unaffable playing");
    assert.equal(tok.decode([2, 5, 3], { skipSpecialTokens: false }), "[CLS] hello [SEP]");
    assert.throws(() => tok.decode([99]), /id 99 is outside/);
  });

  it("follows strip_accents and lowercase when they are given", () => {
    // Lowercase but keep accents: "héllo" is not in the vocabulary.
    const keep = loadHfTokenizer(write(wordPieceJson({ normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: false, lowercase: true } })));
    assert.deepEqual(ids(keep.encode("Héllo hello")), [1, 5]);
    // Cased: "Hello" is unknown, "hello" known.
    const cased = loadHfTokenizer(write(wordPieceJson({ normalizer: { type: "BertNormalizer", clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: false } })));
    assert.deepEqual(ids(cased.encode("Hello hello")), [1, 5]);
    // A short word limit makes long words unknown.
    const short = loadHfTokenizer(write(wordPieceJson({ model: { max_input_chars_per_word: 4 } })));
    assert.deepEqual(ids(short.encode("hello the")), [1, 15]);
  });
});

// ---- byte-level BPE ------------------------------------------------------------------------

// "Ġ" is the space byte (0x20, the 33rd non-printable byte: 256 + 32 = U+0120), "Ċ" the
// newline (256 + 10 = U+010A); "é" is UTF-8 C3 A9, both printable: "Ã" (U+00C3) "©" (U+00A9).
const BPE_VOCAB = [
  "<|endoftext|>", "h", "e", "l", "o", "Ġ", "w", "r", "d", "!", "Ã", "©", // 0-11
  "ll", "Ġw", "he", "hell", "hello", "or", "Ġwor", "Ã©", "el", "Ċ", // 12-21
];
const MERGES = ["l l", "Ġ w", "h e", "he ll", "hell o", "o r", "Ġw or", "Ã ©", "e l"];

function bpeJson(over: { pre?: Record<string, unknown>; post_processor?: unknown; merges?: unknown; model?: Record<string, unknown> } = {}): Record<string, unknown> {
  return {
    version: "1.0",
    added_tokens: [{ id: 0, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true, ...over.pre },
    post_processor: "post_processor" in over ? over.post_processor : { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false,
      vocab: Object.fromEntries(BPE_VOCAB.map((t, i) => [t, i])), merges: over.merges ?? MERGES, ...over.model,
    },
  };
}

describe("tokenizer.json: byte-level BPE", () => {
  const tok = loadHfTokenizer(write(bpeJson()));

  it("applies merges by rank, not by position", () => {
    // "hello": l l (rank 0) -> h e ll o; h e (2) -> he ll o; he ll (3); hell o (4) -> hello
    assert.deepEqual(ids(tok.encode("hello")), [16]);
    // "hel": h e (rank 2) beats e l (rank 8): he | l (left-to-right merging would also pick he)
    assert.deepEqual(ids(tok.encode("hel")), [14, 3]);
    // "ell": l l (rank 0) beats e l (rank 8) even though e l comes first: e | ll
    assert.deepEqual(ids(tok.encode("ell")), [2, 12]);
  });

  it("keeps the leading space on words as Ġ", () => {
    // "hello world" -> "hello" | " world"; Ġ w o r l d: Ġ w (1), o r (5), Ġw or (6) -> Ġwor l d
    assert.deepEqual(ids(tok.encode("hello world")), [16, 18, 3, 8]);
    // Two spaces: the first stands alone (\s+(?!\S)), the second starts " world".
    assert.deepEqual(ids(tok.encode("hello  world")), [16, 5, 18, 3, 8]);
    // "!!" is one run of other characters, with no merge for it.
    assert.deepEqual(ids(tok.encode("hello!!")), [16, 9, 9]);
    // add_prefix_space: "hello" is read as " hello" -> Ġ | hello
    const prefixed = loadHfTokenizer(write(bpeJson({ pre: { add_prefix_space: true } })));
    assert.deepEqual(ids(prefixed.encode("hello")), [5, 16]);
    assert.deepEqual(ids(prefixed.encode(" hello")), [5, 16]);
  });

  it("takes non-ASCII text through the byte table and back", () => {
    // "héllo" -> bytes 68 C3 A9 6C 6C 6F -> h Ã © l l o; l l (0), Ã © (7) -> h | Ã© | ll | o
    assert.deepEqual(ids(tok.encode("héllo")), [1, 19, 12, 4]);
    assert.equal(tok.decode([1, 19, 12, 4]), "héllo");
    // "\n" is byte 10 -> "Ċ"
    assert.deepEqual(ids(tok.encode("\n")), [21]);
    for (const s of ["hello world!", "héllo\nworld", "  hel lo ", "ell\n\nhe"]) assert.equal(tok.decode(tok.encode(s)), s);
    // Half of "é" decodes to the replacement character.
    assert.equal(tok.decode([1, 10]), "h\uFFFD");
  });

  it("reads merges written as pairs the same as strings", () => {
    const pairs = loadHfTokenizer(write(bpeJson({ merges: MERGES.map((m) => m.split(" ")) })));
    for (const s of ["hello world", "héllo", "ell"]) assert.deepEqual(ids(pairs.encode(s)), ids(tok.encode(s)));
  });

  it("matches added tokens verbatim and adds the post-processor's tokens", () => {
    // Read as text, "<|endoftext|>" would be "<|" etc., none in the vocabulary (dropped with no unk).
    assert.deepEqual(ids(tok.encode("hello<|endoftext|> world")), [16, 0, 18, 3, 8]);
    assert.equal(tok.decode([16, 0]), "hello");
    assert.equal(tok.decode([16, 0], { skipSpecialTokens: false }), "hello<|endoftext|>");
    // GPT-2's ByteLevel post-processor adds nothing.
    assert.deepEqual(ids(tok.encode("hello", { addSpecialTokens: true })), [16]);
    const roberta = loadHfTokenizer(write(bpeJson({ post_processor: { type: "RobertaProcessing", sep: ["<|endoftext|>", 0], cls: ["<|endoftext|>", 0], trim_offsets: true, add_prefix_space: false } })));
    assert.deepEqual(ids(roberta.encode("hello", { addSpecialTokens: true })), [0, 16, 0]);
    assert.equal(tok.padId, null);
    assert.equal(tok.unkId, null);
    assert.equal(tok.vocabSize, 22);
  });

  it("lets an lstrip token take the whitespace before it", () => {
    const mask = (lstrip: boolean) => {
      const json = bpeJson();
      (json.added_tokens as unknown[]).push({ id: 22, content: "<mask>", single_word: false, lstrip, rstrip: false, normalized: false, special: true });
      return loadHfTokenizer(write(json));
    };
    // "hello <mask>": with lstrip the space goes with <mask>; without, it is a lone Ġ.
    assert.deepEqual(ids(mask(true).encode("hello <mask>")), [16, 22]);
    assert.deepEqual(ids(mask(false).encode("hello <mask>")), [16, 5, 22]);
    assert.equal(mask(true).vocabSize, 23);
  });
});

// ---- the same files through the Rust library ------------------------------------------------

describe("tokenizer.json: the hand-worked files agree with the Rust tokenizers library", () => {
  const texts = ["Héllo, World!", "$50. hello¡", "unaffable playing running runner", "xyz hellox world", "中国hello", "[CLS] Hello [MASK]",
    "hello world", "hello  world", "hello!!", "héllo\nworld", "  hel lo ", "hello<|endoftext|> world", "ell\n\nhe"];
  for (const [name, json] of [["WordPiece", wordPieceJson()], ["byte-level BPE", bpeJson()]] as const) {
    it(name, async () => {
      const path = write(json);
      const ours = loadHfTokenizer(path);
      const theirs = rust.Tokenizer.fromFile(path);
      for (const text of texts)
        for (const addSpecialTokens of [false, true])
          assert.deepEqual(ids(ours.encode(text, { addSpecialTokens })), (await theirs.encode(text, null, { addSpecialTokens })).getIds(), `${JSON.stringify(text)} ${addSpecialTokens}`);
    });
  }
});

// ---- errors --------------------------------------------------------------------------------

describe("tokenizer.json: what is refused", () => {
  it("names the file and what is wrong", () => {
    const unknownModel = write({ model: { type: "Sentencepiece", vocab: [] }, normalizer: null, pre_tokenizer: null });
    assert.throws(() => loadHfTokenizer(unknownModel), (e: Error) => e.message.includes(unknownModel) && /model type "Sentencepiece" is not one the tokenizer.json format defines/.test(e.message));
    const noModel = write({ normalizer: null });
    assert.throws(() => loadHfTokenizer(noModel), (e: Error) => e.message.includes(noModel) && /"model" is missing/.test(e.message));
    const badNormalizer = write(wordPieceJson({ normalizer: { type: "NoSuchNormalizer" } }));
    assert.throws(() => loadHfTokenizer(badNormalizer), (e: Error) => e.message.includes(badNormalizer) && /the tokenizers library rejects it/.test(e.message));
  });

  it("gives the JSON error with the path, and a missing file's", () => {
    const broken = write("{ \"model\": ");
    assert.throws(() => loadHfTokenizer(broken), (e: Error) => e.message.startsWith(`${broken}: not valid JSON (`));
    const missing = join(dir, "absent.json");
    assert.throws(() => loadHfTokenizer(missing), (e: Error) => e.message.startsWith(`${missing}: cannot read`));
  });
});

describe("model directories", () => {
  it("loads tokenizer.json when there is no SentencePiece model", () => {
    const modelDir = mkdtempSync(join(tmpdir(), "xling-hfdir-"));
    assert.throws(() => loadDirectoryTokenizer(modelDir), /no tokenizer found/);
    writeFileSync(join(modelDir, "tokenizer.json"), JSON.stringify(wordPieceJson()));
    const tok = loadDirectoryTokenizer(modelDir);
    assert.ok(tok instanceof HfTokenizer);
    assert.equal(tok.path, join(modelDir, "tokenizer.json"));
    assert.deepEqual(ids(tok.encode("Hello, world!")), [5, 7, 6, 8]);
    assert.equal(tok.padId, 0);
  });
});

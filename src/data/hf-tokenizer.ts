// A reader for the `tokenizer.json` files that BERT-family and GPT-2 model directories
// ship, written from the format's description. It covers the two pipelines those
// directories use and nothing else:
//
//   WordPiece: BertNormalizer -> BertPreTokenizer -> greedy longest-match subwords
//   BPE:       (no normalizer) -> ByteLevel pre-tokenizer -> merges applied by rank
//
// plus added tokens (matched verbatim before the pipeline) and the BERT / RoBERTa /
// template post-processors for single sequences. Any other component is refused with an
// error naming the file, so a file xling cannot follow never tokenizes silently wrong.
//
// Not applied: the file's `truncation` and `padding` settings (callers truncate and pad
// their batches themselves) and offsets (only ids are produced).
import { readFileSync } from "node:fs";

import type { EncodedBatch } from "./tokenizer.js";

type Ids = Int32Array | readonly number[];
type Json = Record<string, unknown>;

export interface HfEncodeOptions {
  /** Add what the post-processor adds around a single sequence ([CLS] ... [SEP]); default false. */
  addSpecialTokens?: boolean;
}

export interface HfDecodeOptions {
  /** Leave out special added tokens ([CLS], <|endoftext|>, ...); default true. */
  skipSpecialTokens?: boolean;
}

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  /** Matched against the normalized text rather than the raw input. */
  normalized: boolean;
  /** Swallow the whitespace to the token's left / right as part of the match. */
  lstrip: boolean;
  rstrip: boolean;
}

interface BertNormalizer {
  cleanText: boolean;
  chineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

/** One piece of the input: either an added token's id or text still to be tokenized. */
type Segment = { id: number } | { text: string };

class FileError extends Error {
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
  }
}

export class HfTokenizer {
  /** Vocabulary size with the added tokens: one past the highest id. */
  readonly vocabSize: number;
  /** Id of the added token [PAD] or <pad>; null when there is none. */
  readonly padId: number | null;
  /** Id of the model's unknown token; null when it has none (byte-level BPE usually). */
  readonly unkId: number | null;
  /** Special added tokens, content -> id. */
  readonly specialIds: Readonly<Record<string, number>>;
  readonly model: "WordPiece" | "BPE";

  private readonly vocab: Map<string, number>;
  private readonly tokens: (string | undefined)[];
  private readonly added: AddedToken[];
  private readonly addedById: Map<number, AddedToken>;
  private readonly normalizer: BertNormalizer | null;
  private readonly prefix: string;
  private readonly maxWordChars: number;
  private readonly unkToken: string | null;
  private readonly ranks: Map<string, number>;
  private readonly addPrefixSpace: boolean;
  private readonly useRegex: boolean;
  private readonly wordPieceCleanup: boolean;
  private readonly template: { before: number[]; after: number[] };
  private readonly bpeCache = new Map<string, number[]>();

  private constructor(readonly path: string, raw: Json) {
    const fail = (reason: string): never => {
      throw new FileError(path, reason);
    };
    const model = obj(raw.model, "model", path);
    const type = model.type;
    if (type !== "WordPiece" && type !== "BPE") fail(`model type ${JSON.stringify(type)} is not supported (WordPiece and BPE only)`);
    this.model = type as "WordPiece" | "BPE";

    this.vocab = new Map();
    for (const [tok, id] of Object.entries(obj(model.vocab, "model.vocab", path))) {
      if (!Number.isInteger(id) || (id as number) < 0) fail(`model.vocab: id of ${JSON.stringify(tok)} is not a non-negative integer`);
      this.vocab.set(tok, id as number);
    }
    // WordPiece always has an unknown token ("[UNK]" unless named); BPE may have none.
    this.unkToken = model.unk_token == null ? (type === "WordPiece" ? "[UNK]" : null) : str(model.unk_token, "model.unk_token", path);
    this.unkId = this.unkToken === null ? null : (this.vocab.get(this.unkToken) ?? null);

    this.added = [];
    for (const [k, t] of arr(raw.added_tokens ?? [], "added_tokens", path).entries()) {
      const a = obj(t, `added_tokens[${k}]`, path);
      if (!Number.isInteger(a.id)) fail(`added_tokens[${k}]: id is not an integer`);
      const content = str(a.content, `added_tokens[${k}].content`, path);
      if (content === "") fail(`added_tokens[${k}]: empty content`);
      // single_word needs word-boundary rules of its own; refuse rather than guess.
      if (a.single_word === true) fail(`added_tokens[${k}] (${content}): single_word is not supported`);
      this.added.push({ id: a.id as number, content, special: a.special === true, normalized: a.normalized === true, lstrip: a.lstrip === true, rstrip: a.rstrip === true });
    }
    this.addedById = new Map(this.added.map((a) => [a.id, a]));
    this.specialIds = Object.fromEntries(this.added.filter((a) => a.special).map((a) => [a.content, a.id]));

    let maxId = -1;
    for (const id of this.vocab.values()) maxId = Math.max(maxId, id);
    for (const a of this.added) maxId = Math.max(maxId, a.id);
    this.vocabSize = maxId + 1;
    this.tokens = new Array<string | undefined>(this.vocabSize);
    for (const [tok, id] of this.vocab) this.tokens[id] = tok;
    for (const a of this.added) this.tokens[a.id] = a.content;
    const pad = this.added.find((a) => a.content === "[PAD]" || a.content === "<pad>");
    this.padId = pad ? pad.id : null;

    this.normalizer = readNormalizer(raw.normalizer, path);
    const pre = raw.pre_tokenizer == null ? null : obj(raw.pre_tokenizer, "pre_tokenizer", path);
    const decoder = raw.decoder == null ? null : obj(raw.decoder, "decoder", path);

    // Model-specific settings; the fields of the other model keep neutral values.
    this.prefix = "##";
    this.maxWordChars = 100;
    this.ranks = new Map();
    this.addPrefixSpace = false;
    this.useRegex = true;
    this.wordPieceCleanup = false;
    if (this.model === "WordPiece") {
      if (pre?.type !== "BertPreTokenizer") fail(`pre_tokenizer ${describe(pre)} is not supported with WordPiece (BertPreTokenizer only)`);
      if (model.continuing_subword_prefix != null) this.prefix = str(model.continuing_subword_prefix, "model.continuing_subword_prefix", path);
      if (model.max_input_chars_per_word != null) {
        if (!Number.isInteger(model.max_input_chars_per_word)) fail("model.max_input_chars_per_word is not an integer");
        this.maxWordChars = model.max_input_chars_per_word as number;
      }
      if (decoder && decoder.type !== "WordPiece") fail(`decoder ${describe(decoder)} is not supported with WordPiece (WordPiece only)`);
      if (decoder?.prefix != null && decoder.prefix !== this.prefix) fail(`decoder prefix ${JSON.stringify(decoder.prefix)} differs from the model's ${JSON.stringify(this.prefix)}`);
      // Without a decoder, decode still glues "##" pieces but leaves the spacing alone.
      this.wordPieceCleanup = decoder != null && decoder.cleanup !== false;
    } else {
      if (pre?.type !== "ByteLevel") fail(`pre_tokenizer ${describe(pre)} is not supported with BPE (ByteLevel only)`);
      if (this.normalizer) fail("a normalizer is not supported with byte-level BPE");
      this.addPrefixSpace = pre!.add_prefix_space === true;
      this.useRegex = pre!.use_regex !== false;
      // Options that change the segmentation in ways this reader does not follow.
      if (typeof model.dropout === "number" && model.dropout > 0) fail("BPE dropout is not supported");
      if (model.byte_fallback === true) fail("BPE byte_fallback is not supported");
      if (model.ignore_merges === true) fail("BPE ignore_merges is not supported");
      if (model.continuing_subword_prefix) fail("BPE continuing_subword_prefix is not supported");
      if (model.end_of_word_suffix) fail("BPE end_of_word_suffix is not supported");
      if (decoder && decoder.type !== "ByteLevel") fail(`decoder ${describe(decoder)} is not supported with BPE (ByteLevel only)`);
      for (const [rank, m] of arr(model.merges ?? [], "model.merges", path).entries()) {
        const pair = typeof m === "string" ? m.split(" ") : m;
        if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string")
          fail(`model.merges[${rank}]: expected "a b" or ["a", "b"], got ${JSON.stringify(m)}`);
        const [a, b] = pair as [string, string];
        if (!this.vocab.has(a + b)) fail(`model.merges[${rank}]: the merged token ${JSON.stringify(a + b)} is not in the vocabulary`);
        // The first listing of a pair decides its rank.
        const key = pairKey(a, b);
        if (!this.ranks.has(key)) this.ranks.set(key, rank);
      }
    }
    this.template = readPostProcessor(raw.post_processor, path, this.tokenToId.bind(this));
  }

  /** Reads `tokenizer.json`. Errors name the file and the component that is not supported. */
  static load(path: string): HfTokenizer {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new FileError(path, `cannot read (${(e as Error).message})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new FileError(path, `not valid JSON (${(e as Error).message})`);
    }
    return new HfTokenizer(path, obj(raw, "the top level", path));
  }

  encode(text: string, opts: HfEncodeOptions = {}): Int32Array {
    const ids: number[] = [];
    for (const seg of this.segments(text)) {
      if ("id" in seg) ids.push(seg.id);
      else if (this.model === "WordPiece") this.wordPiece(seg.text, ids);
      else this.byteLevelBpe(seg.text, ids);
    }
    if (!opts.addSpecialTokens) return Int32Array.from(ids);
    return Int32Array.from([...this.template.before, ...ids, ...this.template.after]);
  }

  encodeBatch(texts: readonly string[], opts: HfEncodeOptions = {}): Int32Array[] {
    return texts.map((t) => this.encode(t, opts));
  }

  /** The batch as one flat id array plus offsets, as SentencePieceTokenizer gives it. */
  encodeBatchFlat(texts: readonly string[], opts: HfEncodeOptions = {}): EncodedBatch {
    const seqs = this.encodeBatch(texts, opts);
    const offsets = new Int32Array(seqs.length + 1);
    for (let k = 0; k < seqs.length; k++) offsets[k + 1] = offsets[k]! + seqs[k]!.length;
    const ids = new Int32Array(offsets[seqs.length]!);
    for (let k = 0; k < seqs.length; k++) ids.set(seqs[k]!, offsets[k]);
    return { ids, offsets };
  }

  /** The tokens of `text`, as strings (byte-level tokens in their mapped form, e.g. "Ġthe"). */
  encodePieces(text: string, opts: HfEncodeOptions = {}): string[] {
    return Array.from(this.encode(text, opts), (id) => this.idToToken(id) ?? "");
  }

  decode(ids: Ids, opts: HfDecodeOptions = {}): string {
    const skip = opts.skipSpecialTokens ?? true;
    const tokens: { text: string; added: boolean }[] = [];
    for (const id of ids) {
      const tok = this.idToToken(id);
      if (tok === null) throw new Error(`${this.path}: id ${id} is outside the vocabulary`);
      const added = this.addedById.get(id);
      if (added?.special && skip) continue;
      tokens.push({ text: tok, added: added !== undefined });
    }
    return this.model === "WordPiece" ? this.decodeWordPiece(tokens) : decodeByteLevel(tokens);
  }

  /** Decodes many sequences; accepts encodeBatchFlat's output as is. */
  decodeBatch(batch: readonly Ids[] | EncodedBatch, opts: HfDecodeOptions = {}): string[] {
    if (Array.isArray(batch)) return (batch as readonly Ids[]).map((ids) => this.decode(ids, opts));
    const { ids, offsets } = batch as EncodedBatch;
    const out: string[] = [];
    for (let k = 0; k + 1 < offsets.length; k++) out.push(this.decode(ids.subarray(offsets[k], offsets[k + 1]), opts));
    return out;
  }

  /** The id of a token (vocabulary or added); null when it has none. */
  tokenToId(token: string): number | null {
    return this.addedByContent(token)?.id ?? this.vocab.get(token) ?? null;
  }

  idToToken(id: number): string | null {
    return this.tokens[id] ?? null;
  }

  private addedByContent(token: string): AddedToken | undefined {
    return this.added.find((a) => a.content === token);
  }

  // ---- added tokens ------------------------------------------------------------------

  /**
   * Splits the input around added tokens. Tokens marked `normalized` are looked for in
   * the normalized text, the others in the raw input, so the raw ones go first.
   */
  private segments(text: string): Segment[] {
    const raw = this.added.filter((a) => !a.normalized);
    const norm = this.added.filter((a) => a.normalized);
    const out: Segment[] = [];
    for (const seg of splitAdded(text, raw)) {
      if ("id" in seg) out.push(seg);
      else out.push(...splitAdded(this.normalize(seg.text), norm));
    }
    return out;
  }

  // ---- WordPiece -----------------------------------------------------------------------

  private normalize(text: string): string {
    const n = this.normalizer;
    if (!n) return text;
    let out = "";
    for (const c of text) {
      const cp = c.codePointAt(0)!;
      if (n.cleanText) {
        if (cp === 0 || cp === 0xfffd || isControl(c)) continue;
        if (isWhitespace(c)) {
          out += " ";
          continue;
        }
      }
      out += n.chineseChars && isCjk(cp) ? ` ${c} ` : c;
    }
    // NFD splits accented letters into base + combining mark (Mn), which is then dropped.
    if (n.stripAccents) out = out.normalize("NFD").replace(/\p{Mn}/gu, "");
    if (n.lowercase) out = out.toLowerCase();
    return out;
  }

  /** Whitespace separates words; every punctuation character is a word of its own. */
  private wordPiece(text: string, ids: number[]): void {
    for (const chunk of text.split(WHITESPACE)) {
      let word = "";
      for (const c of chunk) {
        if (isBertPunctuation(c)) {
          if (word) this.wordPieceWord(word, ids);
          this.wordPieceWord(c, ids);
          word = "";
        } else word += c;
      }
      if (word) this.wordPieceWord(word, ids);
    }
  }

  /** Greedy longest-match-first; a word with any unmatchable part becomes a single unk. */
  private wordPieceWord(word: string, ids: number[]): void {
    const chars = Array.from(word);
    const pieces: number[] = [];
    let ok = chars.length <= this.maxWordChars;
    for (let start = 0; ok && start < chars.length; ) {
      let found = -1;
      let end = chars.length;
      for (; end > start; end--) {
        const sub = chars.slice(start, end).join("");
        const id = this.vocab.get(start > 0 ? this.prefix + sub : sub);
        if (id !== undefined) {
          found = id;
          break;
        }
      }
      if (found < 0) ok = false;
      else {
        pieces.push(found);
        start = end;
      }
    }
    if (ok) ids.push(...pieces);
    else ids.push(this.requireUnk());
  }

  private requireUnk(): number {
    if (this.unkId === null)
      throw new Error(`${this.path}: a word has no tokenization and the unknown token ${JSON.stringify(this.unkToken)} is not in the vocabulary`);
    return this.unkId;
  }

  private decodeWordPiece(tokens: { text: string; added: boolean }[]): string {
    let out = "";
    for (const [i, t] of tokens.entries()) {
      if (i > 0 && !t.added && t.text.startsWith(this.prefix)) out += t.text.slice(this.prefix.length);
      else out += (i > 0 ? " " : "") + t.text;
    }
    return this.wordPieceCleanup ? cleanup(out) : out;
  }

  // ---- byte-level BPE ----------------------------------------------------------------

  private byteLevelBpe(text: string, ids: number[]): void {
    // The prefix space makes the first word look like every other (" word" -> "Ġword").
    if (this.addPrefixSpace && !text.startsWith(" ")) text = " " + text;
    const words = this.useRegex ? (text.match(GPT2_SPLIT) ?? []) : [text];
    for (const word of words) {
      let mapped = "";
      for (const b of UTF8.encode(word)) mapped += BYTE_TO_CHAR[b];
      ids.push(...this.bpe(mapped));
    }
  }

  /** Repeatedly merges the adjacent pair of lowest rank (leftmost first on ties). */
  private bpe(word: string): number[] {
    const cached = this.bpeCache.get(word);
    if (cached) return cached;
    const parts = Array.from(word);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = this.ranks.get(pairKey(parts[i]!, parts[i + 1]!));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      parts.splice(best, 2, parts[best]! + parts[best + 1]!);
    }
    const ids: number[] = [];
    for (const p of parts) {
      const id = this.vocab.get(p);
      if (id !== undefined) ids.push(id);
      // A symbol outside the vocabulary becomes unk; with no unk token it is dropped,
      // as the tokenizers library does.
      else if (this.unkId !== null) ids.push(this.unkId);
      else if (this.unkToken !== null) this.requireUnk();
    }
    if (this.bpeCache.size > 50_000) this.bpeCache.clear();
    this.bpeCache.set(word, ids);
    return ids;
  }
}

/** Loads `tokenizer.json`; see HfTokenizer. */
export function loadHfTokenizer(path: string): HfTokenizer {
  return HfTokenizer.load(path);
}

// ---- reading the file ------------------------------------------------------------------

function obj(v: unknown, what: string, path: string): Json {
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw new FileError(path, `${what} is missing or not an object`);
  return v as Json;
}

function arr(v: unknown, what: string, path: string): unknown[] {
  if (!Array.isArray(v)) throw new FileError(path, `${what} is not an array`);
  return v;
}

function str(v: unknown, what: string, path: string): string {
  if (typeof v !== "string") throw new FileError(path, `${what} is not a string`);
  return v;
}

function describe(component: Json | null): string {
  return component === null ? "null" : JSON.stringify(component.type);
}

function readNormalizer(v: unknown, path: string): BertNormalizer | null {
  if (v == null) return null;
  const n = obj(v, "normalizer", path);
  if (n.type !== "BertNormalizer") throw new FileError(path, `normalizer ${describe(n)} is not supported (BertNormalizer only)`);
  const lowercase = n.lowercase !== false;
  return {
    cleanText: n.clean_text !== false,
    chineseChars: n.handle_chinese_chars !== false,
    // null means: strip accents exactly when lowercasing (BERT's uncased models).
    stripAccents: n.strip_accents == null ? lowercase : n.strip_accents === true,
    lowercase,
  };
}

/** The ids a single sequence gets before and after it when special tokens are added. */
function readPostProcessor(v: unknown, path: string, idOf: (t: string) => number | null): { before: number[]; after: number[] } {
  const none = { before: [], after: [] };
  if (v == null) return none;
  const p = obj(v, "post_processor", path);
  const pairId = (x: unknown, what: string): number => {
    if (!Array.isArray(x) || typeof x[0] !== "string" || !Number.isInteger(x[1])) throw new FileError(path, `post_processor.${what} is not a [token, id] pair`);
    return x[1] as number;
  };
  switch (p.type) {
    // Byte-level post-processing only adjusts offsets, which are not produced here.
    case "ByteLevel":
      return none;
    case "BertProcessing":
    case "RobertaProcessing":
      return { before: [pairId(p.cls, "cls")], after: [pairId(p.sep, "sep")] };
    case "TemplateProcessing": {
      const specials = p.special_tokens == null ? {} : obj(p.special_tokens, "post_processor.special_tokens", path);
      const out = { before: [] as number[], after: [] as number[] };
      let seenSequence = false;
      for (const [k, item] of arr(p.single, "post_processor.single", path).entries()) {
        const it = obj(item, `post_processor.single[${k}]`, path);
        if (it.Sequence != null) {
          const seq = obj(it.Sequence, `post_processor.single[${k}].Sequence`, path);
          if (seq.id !== "A" || seenSequence) throw new FileError(path, `post_processor.single: only one sequence "A" is supported`);
          seenSequence = true;
        } else if (it.SpecialToken != null) {
          const name = str(obj(it.SpecialToken, `post_processor.single[${k}].SpecialToken`, path).id, `post_processor.single[${k}].SpecialToken.id`, path);
          // The template's own table gives the ids; a token missing there falls back to the vocabulary.
          const entry = specials[name] as Json | undefined;
          const ids = entry && Array.isArray(entry.ids) ? (entry.ids as number[]) : [idOf(name)];
          if (ids.some((id) => !Number.isInteger(id))) throw new FileError(path, `post_processor: special token ${JSON.stringify(name)} has no id`);
          (seenSequence ? out.after : out.before).push(...(ids as number[]));
        } else throw new FileError(path, `post_processor.single[${k}]: expected Sequence or SpecialToken`);
      }
      if (!seenSequence) throw new FileError(path, `post_processor.single has no sequence "A"`);
      return out;
    }
    default:
      throw new FileError(path, `post_processor ${describe(p)} is not supported (TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel)`);
  }
}

// ---- added tokens ----------------------------------------------------------------------

/** Splits `text` at every occurrence of an added token, the longest token winning at a position. */
function splitAdded(text: string, added: readonly AddedToken[]): Segment[] {
  if (added.length === 0 || text === "") return text === "" ? [] : [{ text }];
  const byLength = [...added].sort((a, b) => b.content.length - a.content.length);
  // Most positions start no token; checking the first code unit skips them cheaply.
  const firsts = new Set(added.map((a) => a.content[0]));
  const out: Segment[] = [];
  let plain = "";
  for (let i = 0; i < text.length; ) {
    const hit = firsts.has(text[i]) ? byLength.find((a) => text.startsWith(a.content, i)) : undefined;
    if (!hit) {
      plain += text[i];
      i++;
      continue;
    }
    // lstrip / rstrip: the whitespace beside the token belongs to the token.
    if (hit.lstrip) plain = plain.replace(TRAILING_WHITESPACE, "");
    if (plain) out.push({ text: plain });
    out.push({ id: hit.id });
    plain = "";
    i += hit.content.length;
    if (hit.rstrip) while (i < text.length && isWhitespace(text[i]!)) i++;
  }
  if (plain) out.push({ text: plain });
  return out;
}

// ---- character classes -----------------------------------------------------------------

// Unicode White_Space, spelled out: JavaScript's \s also takes U+FEFF and misses U+0085.
const WS = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WHITESPACE = new RegExp(`[${WS}]+`, "u");
const ONE_WHITESPACE = new RegExp(`^[${WS}]$`, "u");
const TRAILING_WHITESPACE = new RegExp(`[${WS}]+$`, "u");

function isWhitespace(c: string): boolean {
  return ONE_WHITESPACE.test(c);
}

/** Other (C*) characters except the tab and line breaks, which count as whitespace. */
function isControl(c: string): boolean {
  return c !== "\t" && c !== "\n" && c !== "\r" && /^\p{C}$/u.test(c);
}

/** The CJK Unified Ideograph blocks (and compatibility blocks) BERT puts spaces around. */
function isCjk(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df)
    || (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf)
    || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

/** All non-alphanumeric printable ASCII counts (so "$", "+", "^" split too), plus Unicode P*. */
function isBertPunctuation(c: string): boolean {
  const cp = c.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /^\p{P}$/u.test(c);
}

/** The text clean-up WordPiece decoders apply: no space before punctuation and contractions. */
function cleanup(s: string): string {
  const rules: [string, string][] = [[" .", "."], [" ?", "?"], [" !", "!"], [" ,", ","], [" ' ", "'"], [" n't", "n't"], [" 'm", "'m"], [" do not", " don't"], [" 's", "'s"], [" 've", "'ve"], [" 're", "'re"]];
  for (const [from, to] of rules) s = s.split(from).join(to);
  return s;
}

// ---- byte level ------------------------------------------------------------------------

// GPT-2's split: contractions, letters, digits and other runs each with one optional
// leading space, and whitespace (a run before a word leaves its last space to the word).
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const UTF8 = new TextEncoder();

/**
 * GPT-2's byte -> character table: printable bytes (33-126, 161-172, 174-255) stand for
 * themselves; the rest (controls, space, 127-160, 173) map in order to 256, 257, ...
 * so every byte is a visible character (a space becomes "Ġ", U+0120).
 */
const BYTE_TO_CHAR: string[] = (() => {
  const table = new Array<string>(256);
  let next = 256;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
    table[b] = String.fromCodePoint(printable ? b : next++);
  }
  return table;
})();
const CHAR_TO_BYTE = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

function decodeByteLevel(tokens: { text: string; added: boolean }[]): string {
  const out: number[] = [];
  for (const t of tokens) {
    // Added tokens are stored as plain text, not in the byte alphabet.
    if (t.added) {
      out.push(...UTF8.encode(t.text));
      continue;
    }
    for (const c of t.text) {
      const b = CHAR_TO_BYTE.get(c);
      if (b !== undefined) out.push(b);
      else out.push(...UTF8.encode(c));
    }
  }
  // Tokens may end mid-character; invalid sequences come out as U+FFFD.
  return new TextDecoder("utf-8").decode(Uint8Array.from(out));
}

function pairKey(a: string, b: string): string {
  // A separator no token contains (tokens are text; U+0000 is never in a vocabulary piece).
  return `${a}\u0000${b}`;
}

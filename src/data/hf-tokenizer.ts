// `tokenizer.json` files (the Hugging Face tokenizers format: BERT/mBERT WordPiece,
// XLM-R and mT5 Unigram, GPT-2 byte-level BPE, Llama-style byte-fallback BPE) through
// Hugging Face's own JavaScript implementation of the format, `@huggingface/tokenizers`.
//
// Why that package and not the Rust bindings (`tokenizers` on npm, the implementation
// Python's AutoTokenizer runs): the Rust bindings only encode and decode asynchronously,
// while xling's tokenizer API (SentencePieceTokenizer's, which the data preparation and
// transfer code call) is synchronous. The tests check this wrapper against the Rust
// bindings id for id, so both implementations agree on the files xling reads and writes.
//
// Not applied: the file's `truncation` and `padding` settings (callers truncate and pad
// their batches themselves) and offsets (only ids are produced).
import { readFileSync } from "node:fs";

import { Tokenizer } from "@huggingface/tokenizers";

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

/** The model types the format defines; anything else is refused when loading. */
const MODEL_TYPES = ["WordPiece", "BPE", "Unigram", "WordLevel"] as const;
export type HfModelType = (typeof MODEL_TYPES)[number];

export class HfTokenizer {
  /** Vocabulary size with the added tokens: one past the highest id. */
  readonly vocabSize: number;
  /** Id of the added token [PAD] or <pad>; null when there is none. */
  readonly padId: number | null;
  /** Id of the model's unknown token; null when it has none (byte-level BPE usually). */
  readonly unkId: number | null;
  /** Special added tokens, content -> id. */
  readonly specialIds: Readonly<Record<string, number>>;
  readonly model: HfModelType;

  private readonly tok: Tokenizer;
  private readonly tokens: (string | undefined)[];
  private readonly ids: Map<string, number>;

  private constructor(readonly path: string, raw: Json) {
    const model = raw.model as Json | undefined;
    if (model === null || typeof model !== "object") throw new Error(`${path}: "model" is missing or not an object`);
    if (!MODEL_TYPES.includes(model.type as HfModelType)) throw new Error(`${path}: model type ${JSON.stringify(model.type)} is not one the tokenizer.json format defines (${MODEL_TYPES.join(", ")})`);
    this.model = model.type as HfModelType;
    try {
      this.tok = new Tokenizer(raw, {});
    } catch (e) {
      throw new Error(`${path}: the tokenizers library rejects it (${(e as Error).message})`, { cause: e });
    }
    this.ids = this.tok.get_vocab(true);
    let maxId = -1;
    for (const id of this.ids.values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    this.tokens = new Array<string | undefined>(this.vocabSize);
    for (const [t, id] of this.ids) this.tokens[id] = t;

    const added = Array.isArray(raw.added_tokens) ? (raw.added_tokens as Json[]) : [];
    this.specialIds = Object.fromEntries(added.filter((a) => a.special === true).map((a) => [a.content as string, a.id as number]));
    const pad = added.find((a) => a.content === "[PAD]" || a.content === "<pad>");
    this.padId = pad ? (pad.id as number) : null;
    this.unkId = unknownId(model, this.ids);
  }

  /** Reads `tokenizer.json`. Errors name the file. */
  static load(path: string): HfTokenizer {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      throw new Error(`${path}: cannot read (${(e as Error).message})`, { cause: e });
    }
    return HfTokenizer.fromString(text, path);
  }

  /** Reads the JSON text of a tokenizer.json; `path` names it in errors. */
  static fromString(text: string, path = "tokenizer.json"): HfTokenizer {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
    }
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new Error(`${path}: the top level is not an object`);
    return new HfTokenizer(path, raw as Json);
  }

  encode(text: string, opts: HfEncodeOptions = {}): Int32Array {
    return Int32Array.from(this.tok.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids);
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
    for (const id of ids) if (this.tokens[id] === undefined) throw new Error(`${this.path}: id ${id} is outside the vocabulary`);
    return this.tok.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? true });
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
    return this.ids.get(token) ?? null;
  }

  idToToken(id: number): string | null {
    return this.tokens[id] ?? null;
  }
}

/** The model's unknown-token id: Unigram names it by id, the others by token. */
function unknownId(model: Json, ids: Map<string, number>): number | null {
  if (model.type === "Unigram") return typeof model.unk_id === "number" ? model.unk_id : null;
  // WordPiece always has an unknown token ("[UNK]" unless named); BPE may have none.
  const unk = typeof model.unk_token === "string" ? model.unk_token : model.type === "WordPiece" ? "[UNK]" : null;
  return unk === null ? null : (ids.get(unk) ?? null);
}

/** Loads `tokenizer.json`; see HfTokenizer. */
export function loadHfTokenizer(path: string): HfTokenizer {
  return HfTokenizer.load(path);
}

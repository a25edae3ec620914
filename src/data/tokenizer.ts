// SentencePiece tokenizers backed by the native addon: load or train a model, encode
// text to ids or pieces, decode back. Batch methods cross into C++ once per batch.
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { sentencePieceAddon, type NativeSentencePiece, type PieceKind } from "../torch/sentencepiece.js";
import { checkTokenizerInput } from "./tokenizer-input.js";
import { trainerFlags, type TrainTokenizerOptions } from "./tokenizer-flags.js";

export { trainerFlags } from "./tokenizer-flags.js";
export type { NormalizationRule, SentencePieceModelType, TrainTokenizerOptions } from "./tokenizer-flags.js";

export type { PieceKind } from "../torch/sentencepiece.js";

/** A batch of encoded texts: the ids of text k are ids.subarray(offsets[k], offsets[k + 1]). */
export interface EncodedBatch {
  ids: Int32Array;
  offsets: Int32Array;
}

type Ids = Int32Array | readonly number[];

const native = sentencePieceAddon;

export class SentencePieceTokenizer {
  /** Vocabulary size, special pieces included. */
  readonly vocabSize: number;
  /** Special ids; -1 where the model has no such piece. */
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;

  private constructor(private readonly handle: NativeSentencePiece) {
    this.vocabSize = handle.vocabSize();
    const special = handle.specialIds();
    this.unkId = special.unk;
    this.bosId = special.bos;
    this.eosId = special.eos;
    this.padId = special.pad;
  }

  /** Loads a `.model` file. */
  static load(path: string): SentencePieceTokenizer {
    return new SentencePieceTokenizer(native().spm_load(path));
  }

  /** Loads a model from its serialized bytes (the content of a `.model` file). */
  static fromBytes(bytes: Uint8Array): SentencePieceTokenizer {
    return new SentencePieceTokenizer(native().spm_load_bytes(bytes));
  }

  /** Trains on text files (one sentence per line), writes `<modelPrefix>.model` and loads it. */
  static async train(opts: TrainTokenizerOptions): Promise<SentencePieceTokenizer> {
    for (const file of typeof opts.input === "string" ? opts.input.split(",") : opts.input) await checkTokenizerInput(file);
    await native().spm_train(trainerFlags(opts));
    return SentencePieceTokenizer.load(`${opts.modelPrefix}.model`);
  }

  encode(text: string): Int32Array {
    return this.handle.encodeIds(text);
  }

  /** One Int32Array per text; they are views into one shared buffer. */
  encodeBatch(texts: readonly string[]): Int32Array[] {
    const { ids, offsets } = this.encodeBatchFlat(texts);
    const out = new Array<Int32Array>(texts.length);
    for (let k = 0; k < texts.length; k++) out[k] = ids.subarray(offsets[k], offsets[k + 1]);
    return out;
  }

  /** The whole batch as one flat id array plus offsets: the cheapest form to produce. */
  encodeBatchFlat(texts: readonly string[]): EncodedBatch {
    const [ids, offsets] = this.handle.encodeIdsBatch(texts);
    return { ids, offsets };
  }

  encodePieces(text: string): string[] {
    return this.handle.encodePiecesBatch([text])[0]!;
  }

  encodePiecesBatch(texts: readonly string[]): string[][] {
    return this.handle.encodePiecesBatch(texts);
  }

  decode(ids: Ids): string {
    return this.handle.decodeIds(ids);
  }

  /** Decodes many sequences in one call; accepts encodeBatchFlat's output as is. */
  decodeBatch(batch: readonly Ids[] | EncodedBatch): string[] {
    if (!Array.isArray(batch)) {
      const { ids, offsets } = batch as EncodedBatch;
      return this.handle.decodeIdsBatch(ids, offsets);
    }
    const seqs = batch as readonly Ids[];
    const offsets = new Int32Array(seqs.length + 1);
    for (let k = 0; k < seqs.length; k++) offsets[k + 1] = offsets[k]! + seqs[k]!.length;
    const ids = new Int32Array(offsets[seqs.length]!);
    for (let k = 0; k < seqs.length; k++) ids.set(seqs[k]!, offsets[k]);
    return this.handle.decodeIdsBatch(ids, offsets);
  }

  decodePieces(pieces: readonly string[]): string {
    return this.handle.decodePieces(pieces);
  }

  /** The id of a piece; pieces outside the vocabulary give unkId. */
  pieceToId(piece: string): number {
    return this.handle.pieceToId(piece);
  }

  idToPiece(id: number): string {
    return this.handle.idToPiece(id);
  }

  /** The piece's score: its log probability for unigram models, a merge rank for BPE. */
  score(id: number): number {
    return this.handle.score(id);
  }

  pieceKind(id: number): PieceKind {
    return this.handle.idKind(id);
  }

  isControl(id: number): boolean {
    return this.pieceKind(id) === "control";
  }

  isUnknown(id: number): boolean {
    return this.pieceKind(id) === "unknown";
  }

  /** The model's serialized bytes, identical to its `.model` file; see fromBytes. */
  serialize(): Uint8Array {
    return this.handle.serialize();
  }
}

/** Options for trainTokenizer: the training options, with the corpus replacing `input`. */
export type TrainFromCorpusOptions = Omit<TrainTokenizerOptions, "input"> & {
  /** Where to put the temporary corpus file; default the system temp directory. */
  tmpDir?: string;
};

/**
 * Trains a tokenizer on a stream of documents. The trainer reads files, so the documents
 * are written to a temporary file first, one line per line of each document, blank lines
 * dropped; the file is removed afterwards.
 */
export async function trainTokenizer(
  corpus: AsyncIterable<string> | Iterable<string>,
  opts: TrainFromCorpusOptions,
): Promise<SentencePieceTokenizer> {
  const { tmpDir, ...trainOpts } = opts;
  const dir = await mkdtemp(join(tmpDir ?? tmpdir(), "xling-spm-"));
  try {
    const input = join(dir, "corpus.txt");
    const lines = await writeLines(corpus, input);
    if (lines === 0) throw new Error("trainTokenizer: the corpus has no text");
    return await SentencePieceTokenizer.train({ ...trainOpts, input });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes each non-blank line of each document to `path`; returns the number of lines. */
async function writeLines(corpus: AsyncIterable<string> | Iterable<string>, path: string): Promise<number> {
  const out = createWriteStream(path, { encoding: "utf8" });
  const failed = new Promise<never>((_, reject) => out.once("error", reject));
  failed.catch(() => {}); // observed through the races below
  let count = 0;
  try {
    for await (const doc of corpus) {
      for (const line of doc.split(/\r?\n/)) {
        if (line.trim().length === 0) continue;
        count++;
        // Respect backpressure so a large corpus is streamed, not buffered whole.
        if (!out.write(line + "\n")) await Promise.race([once(out, "drain"), failed]);
      }
    }
  } finally {
    out.end();
    await Promise.race([once(out, "finish"), failed]);
  }
  return count;
}

// The addon's SentencePiece functions (native/src/sentencepiece.cc), typed. Tokenizers
// (src/data/tokenizer.ts) reach the addon through here: only src/torch talks to it.
import { native } from "./native.js";

/** What kind of vocabulary entry an id is. User-defined symbols report "normal". */
export type PieceKind = "normal" | "unknown" | "control" | "unused" | "byte";

type Ids = Int32Array | readonly number[];

// The native side, as registered by native/src/sentencepiece.cc.
export interface NativeSentencePiece {
  encodeIds(text: string): Int32Array;
  encodeIdsBatch(texts: readonly string[]): [Int32Array, Int32Array];
  encodePiecesBatch(texts: readonly string[]): string[][];
  decodeIds(ids: Ids): string;
  decodeIdsBatch(ids: Int32Array, offsets: Int32Array): string[];
  decodePieces(pieces: readonly string[]): string;
  vocabSize(): number;
  idToPiece(id: number): string;
  pieceToId(piece: string): number;
  score(id: number): number;
  idKind(id: number): PieceKind;
  specialIds(): { unk: number; bos: number; eos: number; pad: number };
  serialize(): Uint8Array;
}

export interface NativeSentencePieceFunctions {
  spm_load(path: string): NativeSentencePiece;
  spm_load_bytes(bytes: Uint8Array): NativeSentencePiece;
  spm_train(flags: Record<string, string>): Promise<void>;
}

export function sentencePieceAddon(): NativeSentencePieceFunctions {
  return native as unknown as NativeSentencePieceFunctions;
}

// A SentencePiece model trained by xling, written as a `tokenizer.json` that Python's
// `AutoTokenizer` (and xling's HfTokenizer) load: the same layout Hugging Face's own
// converter gives XLM-R (Unigram) and Llama-style (BPE) models.
//
//   normalizer:    SentencePiece's precompiled character map (its NFKC rules), then the
//                  whitespace clean-up SentencePiece does (strip the ends, collapse runs)
//   pre-tokenizer: Metaspace (spaces become "▁", one is put in front)
//   model:         Unigram with the pieces' log probabilities, or BPE with merges ranked
//                  by the merged piece's score
//   decoder:       Metaspace
// Control and unknown pieces (<s>, </s>, <pad>, <unk>) become special added tokens.
import protobuf from "protobufjs";

import type { SentencePieceTokenizer } from "./tokenizer.js";

// The part of sentencepiece_model.proto read here; protobufjs skips the other fields.
const NormalizerSpec = new protobuf.Type("NormalizerSpec")
  .add(new protobuf.Field("name", 1, "string"))
  .add(new protobuf.Field("precompiledCharsmap", 2, "bytes"))
  .add(new protobuf.Field("addDummyPrefix", 3, "bool"))
  .add(new protobuf.Field("removeExtraWhitespaces", 4, "bool"));
// TrainerSpec.model_type: UNIGRAM = 1 (the default), BPE = 2, WORD = 3, CHAR = 4.
const TrainerSpec = new protobuf.Type("TrainerSpec").add(new protobuf.Field("modelType", 3, "int32"));
const ModelProto = new protobuf.Type("ModelProto")
  .add(new protobuf.Field("trainerSpec", 2, "TrainerSpec"))
  .add(new protobuf.Field("normalizerSpec", 3, "NormalizerSpec"));
new protobuf.Root().add(NormalizerSpec).add(TrainerSpec).add(ModelProto);

interface NormalizerFields {
  name?: string;
  precompiledCharsmap?: Uint8Array;
  addDummyPrefix?: boolean;
  removeExtraWhitespaces?: boolean;
}

/** The tokenizer.json object for `tok` (a unigram or BPE model; the type is read from the model). */
export function sentencePieceToHf(tok: SentencePieceTokenizer): Record<string, unknown> {
  const decoded = ModelProto.toObject(ModelProto.decode(tok.serialize()), { defaults: false }) as { normalizerSpec?: NormalizerFields; trainerSpec?: { modelType?: number } };
  const spec = decoded.normalizerSpec ?? {};
  const typeCode = decoded.trainerSpec?.modelType ?? 1;
  if (typeCode !== 1 && typeCode !== 2) throw new Error(`a SentencePiece ${typeCode === 3 ? "word" : "char"} model has no tokenizer.json equivalent here (unigram and BPE only)`);
  const modelType = typeCode === 1 ? "unigram" : "bpe";
  // proto2 defaults of these two flags are true.
  const dummyPrefix = spec.addDummyPrefix ?? true;
  const cleanWhitespace = spec.removeExtraWhitespaces ?? true;

  const pieces: { piece: string; score: number; kind: string }[] = [];
  for (let id = 0; id < tok.vocabSize; id++) pieces.push({ piece: tok.idToPiece(id), score: tok.score(id), kind: tok.pieceKind(id) });
  const added = pieces.flatMap((p, id) =>
    p.kind === "control" || p.kind === "unknown"
      ? [{ id, content: p.piece, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }]
      : [],
  );
  const byteFallback = pieces.some((p) => p.kind === "byte");

  const normalizers: unknown[] = [];
  if (spec.precompiledCharsmap && spec.precompiledCharsmap.length > 0)
    normalizers.push({ type: "Precompiled", precompiled_charsmap: Buffer.from(spec.precompiledCharsmap).toString("base64") });
  if (cleanWhitespace) {
    normalizers.push({ type: "Strip", strip_left: true, strip_right: true });
    normalizers.push({ type: "Replace", pattern: { Regex: " {2,}" }, content: " " });
  }
  const metaspace = { type: "Metaspace", replacement: "▁", prepend_scheme: dummyPrefix ? "always" : "never", split: true };

  const unkId = pieces.findIndex((p) => p.kind === "unknown");
  const model =
    modelType === "unigram"
      ? { type: "Unigram", unk_id: unkId >= 0 ? unkId : null, byte_fallback: byteFallback, vocab: pieces.map((p) => [p.piece, p.score]) }
      : {
          type: "BPE", dropout: null, unk_token: unkId >= 0 ? pieces[unkId]!.piece : null, continuing_subword_prefix: null,
          end_of_word_suffix: null, fuse_unk: true, byte_fallback: byteFallback, ignore_merges: false,
          vocab: Object.fromEntries(pieces.map((p, id) => [p.piece, id])), merges: bpeMerges(pieces),
        };

  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: normalizers.length === 0 ? null : normalizers.length === 1 ? normalizers[0] : { type: "Sequence", normalizers },
    pre_tokenizer: metaspace,
    post_processor: null,
    decoder: byteFallback
      ? { type: "Sequence", decoders: [{ type: "Replace", pattern: { String: "▁" }, content: " " }, { type: "ByteFallback" }, { type: "Fuse" }, ...(dummyPrefix ? [{ type: "Strip", content: " ", start: 1, stop: 0 }] : [])] }
      : metaspace,
    model,
  };
}

/**
 * BPE merges from a SentencePiece BPE vocabulary: every split of a normal piece into two
 * pieces of the vocabulary is a merge, ranked by the merged piece's score (SentencePiece
 * merges the adjacent pair whose union scores highest).
 */
function bpeMerges(pieces: { piece: string; score: number; kind: string }[]): [string, string][] {
  const normal = new Map<string, number>();
  pieces.forEach((p, id) => {
    if (p.kind === "normal") normal.set(p.piece, id);
  });
  const merges: { left: string; right: string; score: number; id: number; leftId: number; rightId: number }[] = [];
  for (const [piece, id] of normal) {
    const chars = Array.from(piece);
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join("");
      const right = chars.slice(k).join("");
      const leftId = normal.get(left);
      const rightId = normal.get(right);
      if (leftId !== undefined && rightId !== undefined) merges.push({ left, right, score: pieces[id]!.score, id, leftId, rightId });
    }
  }
  merges.sort((a, b) => b.score - a.score || a.id - b.id || a.leftId - b.leftId || a.rightId - b.rightId);
  return merges.map((m) => [m.left, m.right]);
}

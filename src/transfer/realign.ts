// Realignment (methods.md §3): a contrastive loss that pulls the representations of
// translated word pairs together. Word vectors are the mean of a word's subword states at
// one encoder layer, passed through a small projection head; for a batch of N pairs the
// loss is the symmetric InfoNCE
//   -1/2N sum_i [ log softmax_j(z_i . z'_j / tau)_i + log softmax_j(z'_i . z_j / tau)_i ]
// with z, z' the unit-normalised projections of the source and target words, so each
// word must pick out its own translation among the batch's other target words.
// Pairs come from the word aligner run on parallel paragraphs, or from a dictionary.
import { type Tensor, arange, crossEntropy, normalize, tensor } from "../torch/index.js";
import type { Encoder } from "../nn/encoder.js";
import { Linear } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { SentencePieceTokenizer } from "../data/tokenizer.js";

/** A text as words encoded one by one, so each word owns a contiguous span of subwords. */
export interface WordEncoding {
  ids: Int32Array;
  /** [start, end) subword positions of each word; null for a word cut off by maxLen. */
  spans: ([number, number] | null)[];
}

export function encodeWords(tokenizer: SentencePieceTokenizer, words: string[], maxLen: number): WordEncoding {
  const pieces = tokenizer.encodeBatch(words);
  const ids: number[] = [];
  const spans: ([number, number] | null)[] = [];
  for (const p of pieces) {
    if (p.length === 0 || ids.length + p.length > maxLen) {
      spans.push(null);
      continue;
    }
    spans.push([ids.length, ids.length + p.length]);
    ids.push(...p);
  }
  return { ids: Int32Array.from(ids), spans };
}

/** Rows of ids padded to `len` with padId: int64 [B, len]. */
export function padRows(rows: ArrayLike<number>[], len: number, padId: number): Tensor {
  const out = new Int32Array(rows.length * len).fill(padId);
  rows.forEach((r, b) => out.set(Array.from(r).slice(0, len), b * len));
  return tensor(out, { shape: [rows.length, len], dtype: "int64" });
}

/** One word of a batch: the row of the batch it is in and its subword span. */
export interface WordSlot {
  row: number;
  span: [number, number];
}

/** [W, B*T] matrix averaging each word's subword positions (flattened states). */
export function spanPooling(slots: WordSlot[], rows: number, len: number, dtype: "float32" | "float64" = "float32"): Tensor {
  const m = new Float32Array(slots.length * rows * len);
  slots.forEach((s, w) => {
    const [a, b] = s.span;
    for (let t = a; t < b; t++) m[w * rows * len + s.row * len + t] = 1 / (b - a);
  });
  return tensor(m, { shape: [slots.length, rows * len], dtype });
}

/** Word vectors [W, H] from layer states [B, T, H]. */
export function wordVectors(states: Tensor, pooling: Tensor): Tensor {
  const [b, t, h] = states.shape;
  return pooling.matmul(states.reshape([b * t, h]));
}

export class ProjectionHead extends Module {
  readonly dense: Linear;
  readonly out: Linear;
  constructor(hidden: number, dim: number) {
    super();
    this.dense = this.child("dense", new Linear(hidden, hidden));
    this.out = this.child("out", new Linear(hidden, dim));
  }
  forward(x: Tensor): Tensor {
    return this.out.forward(this.dense.forward(x).relu());
  }
}

/** Symmetric InfoNCE between row-aligned source and target vectors [N, D]. */
export function infoNce(src: Tensor, tgt: Tensor, temperature: number): Tensor {
  const n = src.shape[0];
  const logits = normalize(src, 2, 1, 1e-8).matmul(normalize(tgt, 2, 1, 1e-8).t()).div(temperature);
  const target = arange(0, n, 1, "int64");
  return crossEntropy(logits, target).add(crossEntropy(logits.t(), target)).div(2);
}

/** A batch of aligned texts: source and target texts with their linked words. */
export interface AlignedBatch {
  src: WordEncoding[];
  tgt: WordEncoding[];
  /** [text, source word, target word] for every linked pair both of whose words fit. */
  links: [number, number, number][];
}

export interface RealignOptions {
  /** Encoder layer whose states are aligned (0 = embeddings, L = last). */
  layer: number;
  temperature: number;
  maxLen: number;
}

/** Word vectors of both sides of a batch at `layer` (no projection): [N, H] each. */
export function alignedWordVectors(encoder: Encoder, batch: AlignedBatch, o: RealignOptions): { src: Tensor; tgt: Tensor } {
  const side = (texts: WordEncoding[], which: 1 | 2) => {
    const slots = batch.links.map((l) => ({ row: l[0], span: texts[l[0]].spans[l[which]]! }));
    const ids = padRows(texts.map((t) => t.ids), o.maxLen, encoder.config.padId);
    const { hidden } = encoder.forward(ids, { hidden: true });
    return wordVectors(hidden![o.layer], spanPooling(slots, texts.length, o.maxLen));
  };
  return { src: side(batch.src, 1), tgt: side(batch.tgt, 2) };
}

/** The realignment loss of a batch. */
export function realignmentLoss(encoder: Encoder, head: ProjectionHead, batch: AlignedBatch, o: RealignOptions): Tensor {
  const { src, tgt } = alignedWordVectors(encoder, batch, o);
  return infoNce(head.forward(src), head.forward(tgt), o.temperature);
}

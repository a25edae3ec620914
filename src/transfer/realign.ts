// Realignment (methods.md §3): a contrastive loss that pulls the representations of
// translated word pairs together. A word's vector is the state of its first subword at
// one encoder layer (the method's choice; the mean of its subwords is an option), passed
// through a projection head Linear(h,h)-ReLU-Linear(h,128) without bias. The loss is the
// method's symmetric InfoNCE over the words of a batch: for each of the N aligned pairs
// (s_i, t_i) of the batch's texts,
//   -1/2N sum_i [ log softmax_{w in T}(z(s_i) . z(w) / tau)_{t_i} + log softmax_{w in S}(z(t_i) . z(w) / tau)_{s_i} ]
// with z the unit-normalised projection, S and T every word of the batch's source and
// target texts ("batch-words", the method: unlinked words are negatives too), so each
// linked word must pick out its translation among all the other language's words of the
// batch ("cross" negatives). The strong variant also keeps the same language's words as
// negatives (only the word itself masked). The older form, "linked-words", takes S and T
// to be only the N linked words (an N x N logit matrix).
// Pairs come from the word aligner run on parallel paragraphs, or from a dictionary.
import { type Tensor, arange, cat, crossEntropy, normalize, tensor } from "../torch/index.js";
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

/** How a word's vector is made from its subwords' states. */
export type WordRepresentation = "first" | "mean";

/**
 * [W, B*T] matrix picking each word's first subword position (default) or averaging
 * all of its subword positions, over flattened states.
 */
export function spanPooling(slots: WordSlot[], rows: number, len: number, dtype: "float32" | "float64" = "float32", word: WordRepresentation = "first"): Tensor {
  const m = new Float32Array(slots.length * rows * len);
  slots.forEach((s, w) => {
    const [a, b] = s.span;
    const end = word === "first" ? a + 1 : b;
    for (let t = a; t < end; t++) m[w * rows * len + s.row * len + t] = 1 / (end - a);
  });
  return tensor(m, { shape: [slots.length, rows * len], dtype });
}

/** Word vectors [W, H] from layer states [B, T, H]. */
export function wordVectors(states: Tensor, pooling: Tensor): Tensor {
  const [b, t, h] = states.shape;
  return pooling.matmul(states.reshape([b * t, h]));
}

/** Linear(h,h)-ReLU-Linear(h,dim), without bias unless asked (the method's head has none). */
export class ProjectionHead extends Module {
  readonly dense: Linear;
  readonly out: Linear;
  constructor(hidden: number, dim: number, opts: { bias?: boolean } = {}) {
    super();
    const bias = opts.bias ?? false;
    this.dense = this.child("dense", new Linear(hidden, hidden, { bias }));
    this.out = this.child("out", new Linear(hidden, dim, { bias }));
  }
  forward(x: Tensor): Tensor {
    return this.out.forward(this.dense.forward(x).relu());
  }
}

/** Which words are negatives: the other language's aligned words, or also the same language's. */
export type InfoNceNegatives = "cross" | "strong";

/** Symmetric InfoNCE between row-aligned source and target vectors [N, D] (each row's negatives: the other rows). */
export function infoNce(src: Tensor, tgt: Tensor, temperature: number, negatives: InfoNceNegatives = "cross"): Tensor {
  const n = src.shape[0];
  const zs = normalize(src, 2, 1, 1e-8);
  const zt = normalize(tgt, 2, 1, 1e-8);
  if (negatives === "cross") {
    const logits = zs.matmul(zt.t()).div(temperature);
    const target = arange(0, n, 1, "int64");
    return crossEntropy(logits, target).add(crossEntropy(logits.t(), target)).div(2);
  }
  // Strong: all 2N words, each against the other 2N - 1 (its own similarity masked out);
  // word i's positive is i + N and vice versa. The mean over 2N rows is the same 1/2N average.
  const z = cat([zs, zt], 0);
  const self = new Float32Array(4 * n * n);
  for (let i = 0; i < 2 * n; i++) self[i * 2 * n + i] = 1e9;
  const logits = z.matmul(z.t()).div(temperature).sub(tensor(self, { shape: [2 * n, 2 * n], dtype: z.dtype }));
  const target = tensor(Int32Array.from({ length: 2 * n }, (_, i) => (i < n ? i + n : i - n)), { shape: [2 * n], dtype: "int64" });
  return crossEntropy(logits, target);
}

/**
 * Symmetric InfoNCE over all words of a batch: src [Ms, D] and tgt [Mt, D] are every word
 * of each side, `links` the [source row, target row] aligned pairs (the positives). Each
 * linked word is scored against every word of the other side ("cross") or of both sides
 * but itself ("strong"); the mean is over the 2N linked words. With Ms = Mt = N and links
 * (i, i) this is infoNce.
 */
export function batchInfoNce(src: Tensor, tgt: Tensor, links: [number, number][], temperature: number, negatives: InfoNceNegatives = "cross"): Tensor {
  const [ms, mt, n] = [src.shape[0], tgt.shape[0], links.length];
  const dtype = src.dtype === "float64" ? "float64" : "float32";
  const zs = normalize(src, 2, 1, 1e-8);
  const zt = normalize(tgt, 2, 1, 1e-8);
  const a = links.map((l) => l[0]);
  const b = links.map((l) => l[1]);
  const index = (xs: number[]) => tensor(Int32Array.from(xs), { shape: [xs.length], dtype: "int64" });
  const qs = zs.indexSelect(0, index(a));
  const qt = zt.indexSelect(0, index(b));
  if (negatives === "cross") {
    const fromSrc = qs.matmul(zt.t()).div(temperature);
    const fromTgt = qt.matmul(zs.t()).div(temperature);
    return crossEntropy(fromSrc, index(b)).add(crossEntropy(fromTgt, index(a))).div(2);
  }
  // Strong: the 2N linked words against all Ms + Mt words (source first), self masked out.
  const z = cat([zs, zt], 0);
  const self = new Float32Array(2 * n * (ms + mt));
  a.forEach((j, i) => { self[i * (ms + mt) + j] = 1e9; });
  b.forEach((j, i) => { self[(n + i) * (ms + mt) + ms + j] = 1e9; });
  const logits = cat([qs, qt], 0).matmul(z.t()).div(temperature).sub(tensor(self, { shape: [2 * n, ms + mt], dtype }));
  return crossEntropy(logits, index([...b.map((j) => ms + j), ...a]));
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
  /** First subword (default) or mean of the subwords. */
  word?: WordRepresentation;
  /** InfoNCE negatives: "cross" (default) or "strong". */
  negatives?: InfoNceNegatives;
  /** The words InfoNCE scores against: every word of the batch (default, the method) or only the linked ones. */
  negativesFrom?: NegativesFrom;
}

/** Which words are candidates in InfoNCE: all words of the batch's texts, or only the aligned ones. */
export type NegativesFrom = "batch-words" | "linked-words";

/** Vectors at `layer` of the given words of each side, [W, H], from one forward pass per side. */
function sideVectors(encoder: Encoder, texts: WordEncoding[], slots: WordSlot[], o: RealignOptions): Tensor {
  const ids = padRows(texts.map((t) => t.ids), o.maxLen, encoder.config.padId);
  const { hidden } = encoder.forward(ids, { hidden: true });
  return wordVectors(hidden![o.layer], spanPooling(slots, texts.length, o.maxLen, "float32", o.word ?? "first"));
}

/** Word vectors of both sides' linked words at `layer` (no projection): [N, H] each, row-aligned. */
export function alignedWordVectors(encoder: Encoder, batch: AlignedBatch, o: RealignOptions): { src: Tensor; tgt: Tensor } {
  const slots = (texts: WordEncoding[], which: 1 | 2) => batch.links.map((l) => ({ row: l[0], span: texts[l[0]].spans[l[which]]! }));
  return { src: sideVectors(encoder, batch.src, slots(batch.src, 1), o), tgt: sideVectors(encoder, batch.tgt, slots(batch.tgt, 2), o) };
}

/** Every word of a side's texts that fits in maxLen, and the slot index of (text, word). */
function allWordSlots(texts: WordEncoding[]): { slots: WordSlot[]; at: Map<string, number> } {
  const slots: WordSlot[] = [];
  const at = new Map<string, number>();
  texts.forEach((t, row) => t.spans.forEach((span, w) => {
    if (!span) return;
    at.set(`${row}:${w}`, slots.length);
    slots.push({ row, span });
  }));
  return { slots, at };
}

/** The realignment loss of a batch. */
export function realignmentLoss(encoder: Encoder, head: ProjectionHead, batch: AlignedBatch, o: RealignOptions): Tensor {
  if ((o.negativesFrom ?? "batch-words") === "linked-words") {
    const { src, tgt } = alignedWordVectors(encoder, batch, o);
    return infoNce(head.forward(src), head.forward(tgt), o.temperature, o.negatives ?? "cross");
  }
  const s = allWordSlots(batch.src);
  const t = allWordSlots(batch.tgt);
  const links = batch.links.map(([row, i, j]): [number, number] => [s.at.get(`${row}:${i}`)!, t.at.get(`${row}:${j}`)!]);
  const src = head.forward(sideVectors(encoder, batch.src, s.slots, o));
  const tgt = head.forward(sideVectors(encoder, batch.tgt, t.slots, o));
  return batchInfoNce(src, tgt, links, o.temperature, o.negatives ?? "cross");
}

// Fine-tuning an encoder for sentence classification (methods.md §2), optionally with
// the realignment loss added at every step ("during" fine-tuning), and zero-shot
// evaluation in every language. The example order is a seeded shuffle, so a condition
// trained twice from the same weights gives the same model.
import { AdamW, type Precision, type Tensor, crossEntropy, noGrad, tensor, tidy, clipGradNorm, warmupCosineLr, withPrecision } from "../torch/index.js";
import type { Module } from "../nn/module.js";
import type { SentencePieceTokenizer } from "../data/tokenizer.js";
import type { Encoder } from "../nn/encoder.js";
import { SequenceClassifier, TokenClassifier } from "../nn/heads.js";
import { Rng } from "../util/rng.js";
import { padRows, realignmentLoss, type AlignedBatch, type ProjectionHead, type RealignOptions } from "./realign.js";

/** Encoded examples: token ids per example and a label id each. */
export interface ClassificationSet {
  ids: Int32Array[];
  labels: Int32Array;
  /** Sentence pairs: 0 on the first text's tokens, 1 on the second's (encodeSentencePairs). */
  typeIds?: Int32Array[];
}

/** Sentence pairs (NLI, paraphrase) as one sequence each: first text, separator, second text, truncated to maxLen. */
export function encodeSentencePairs(tokenizer: SentencePieceTokenizer, pairs: { premise: string; hypothesis: string }[], maxLen: number, separatorId: number): { ids: Int32Array[]; typeIds: Int32Array[] } {
  const a = tokenizer.encodeBatch(pairs.map((p) => p.premise));
  const b = tokenizer.encodeBatch(pairs.map((p) => p.hypothesis));
  const ids: Int32Array[] = [];
  const typeIds: Int32Array[] = [];
  a.forEach((first, k) => {
    // Both texts keep a share of the room: the first at most half when the second needs it.
    const second = b[k];
    const firstLen = Math.min(first.length, Math.max(maxLen - 1 - second.length, Math.floor((maxLen - 1) / 2)));
    const row = Int32Array.from([...first.slice(0, firstLen), separatorId, ...second].slice(0, maxLen));
    ids.push(row);
    typeIds.push(row.map((_, i) => (i <= firstLen ? 0 : 1)));
  });
  return { ids, typeIds };
}

export interface FineTuneOptions {
  steps: number;
  batchSize: number;
  lr: number;
  maxLen: number;
  seed: number;
  /** Precision of the forward passes and losses (default fp32; bf16: autocast over float32 weights). */
  precision?: Precision;
  /** Realignment during fine-tuning: loss weight and batches cycled through. */
  realign?: { head: ProjectionHead; batches: AlignedBatch[]; weight: number; options: RealignOptions };
  onStep?: (step: number, loss: number, realignLoss: number | null) => void;
}

export function fineTuneClassifier(encoder: Encoder, numLabels: number, train: ClassificationSet, o: FineTuneOptions): SequenceClassifier {
  if (train.ids.length === 0) throw new Error("fine-tuning: no training examples");
  const model = new SequenceClassifier(encoder, numLabels).train();
  trainOnExamples(model, train.ids.length, o, (rows) => {
    const ids = padRows(rows.map((r) => train.ids[r]), o.maxLen, encoder.config.padId);
    const types = train.typeIds ? padRows(rows.map((r) => train.typeIds![r]), o.maxLen, 0) : undefined;
    return crossEntropy(model.forward(ids, types), tensor(Int32Array.from(rows, (r) => train.labels[r]), { dtype: "int64" }));
  });
  return model.eval();
}

/** Subword-level tagging data: ids and labels [N, T] row-major (-100 = no label). */
export interface TaggingSet {
  count: number;
  maxLength: number;
  ids: Int32Array;
  labels: Int32Array;
}

function rowsOf(data: Int32Array, rows: number[], len: number): Int32Array {
  const out = new Int32Array(rows.length * len);
  rows.forEach((r, b) => out.set(data.subarray(r * len, (r + 1) * len), b * len));
  return out;
}

/** Fine-tunes a token classifier (POS, NER) on first-subword labels. */
export function fineTuneTagger(encoder: Encoder, numLabels: number, train: TaggingSet, o: FineTuneOptions): TokenClassifier {
  if (train.count === 0) throw new Error("fine-tuning: no training sentences");
  const model = new TokenClassifier(encoder, numLabels).train();
  const len = train.maxLength;
  trainOnExamples(model, train.count, o, (rows) => {
    const ids = tensor(rowsOf(train.ids, rows, len), { shape: [rows.length, len], dtype: "int64" });
    const labels = tensor(rowsOf(train.labels, rows, len), { shape: [rows.length * len], dtype: "int64" });
    return crossEntropy(model.forward(ids).reshape([-1, numLabels]), labels, null, "mean", -100);
  });
  return model.eval();
}

/** Per-subword predictions [N * T] of a token classifier. */
export function predictTags(model: TokenClassifier, set: TaggingSet, batchSize = 64): Int32Array {
  const out = new Int32Array(set.count * set.maxLength);
  const len = set.maxLength;
  noGrad(() => {
    for (let i = 0; i < set.count; i += batchSize) {
      const n = Math.min(batchSize, set.count - i);
      tidy(() => {
        const ids = tensor(set.ids.subarray(i * len, (i + n) * len), { shape: [n, len], dtype: "int64" });
        out.set(model.forward(ids).argmax(2).toDtype("int32").toArray() as Int32Array, i * len);
      });
    }
  });
  return out;
}

/**
 * The fine-tuning loop shared by every head: seeded reshuffled passes over the examples,
 * AdamW with warm-up + cosine, clipping, and the realignment loss added when asked.
 */
function trainOnExamples(model: Module, count: number, o: FineTuneOptions, taskLoss: (rows: number[]) => Tensor): void {
  const named = [...model.namedParameters(), ...(o.realign ? o.realign.head.namedParameters("realign_head.") : [])];
  const optimizer = new AdamW(named, { lr: o.lr, weightDecay: 0.01 });
  const params = named.map(([, p]) => p);
  const rng = new Rng(o.seed);
  let order = rng.shuffle(Array.from({ length: count }, (_, i) => i));
  let at = 0;
  const schedule = { maxLr: o.lr, minLr: o.lr / 10, warmupSteps: Math.floor(o.steps / 10), totalSteps: o.steps };
  const encoder = (model as SequenceClassifier | TokenClassifier).encoder;
  for (let step = 0; step < o.steps; step++) {
    const rows: number[] = [];
    while (rows.length < o.batchSize) {
      if (at === order.length) {
        order = rng.shuffle(order);
        at = 0;
      }
      rows.push(order[at++]);
    }
    optimizer.lr = warmupCosineLr(schedule, step);
    const [loss, extra] = tidy(() => {
      optimizer.zeroGrad();
      const precision = o.precision ?? "fp32";
      let total = withPrecision(precision, () => taskLoss(rows));
      const value = total.item();
      let realign: number | null = null;
      if (o.realign) {
        const r = withPrecision(precision, () => realignmentLoss(encoder, o.realign!.head, o.realign!.batches[step % o.realign!.batches.length], o.realign!.options));
        realign = r.item();
        total = total.add(r.mul(o.realign.weight));
      }
      total.backward();
      clipGradNorm(params, 1);
      optimizer.step();
      return [value, realign] as const;
    });
    o.onStep?.(step + 1, loss, extra);
  }
}

/** Accuracy and predictions of a classifier on a set, in batches. */
export function evaluateClassifier(model: SequenceClassifier, set: ClassificationSet, maxLen: number, batchSize = 64): { accuracy: number; predictions: Int32Array } {
  const predictions = new Int32Array(set.ids.length);
  noGrad(() => {
    for (let i = 0; i < set.ids.length; i += batchSize) {
      tidy(() => {
        const ids = padRows(set.ids.slice(i, i + batchSize), maxLen, model.encoder.config.padId);
        const types = set.typeIds ? padRows(set.typeIds.slice(i, i + batchSize), maxLen, 0) : undefined;
        predictions.set(model.forward(ids, types).argmax(1).toDtype("int32").toArray() as Int32Array, i);
      });
    }
  });
  let right = 0;
  predictions.forEach((p, i) => { if (p === set.labels[i]) right++; });
  return { accuracy: set.ids.length ? right / set.ids.length : NaN, predictions };
}

/** Training examples split evenly across sources: budget / |sources| from each (seeded choice). */
export function evenBudget(sets: Map<string, ClassificationSet>, sources: string[], budget: number, seed: number): ClassificationSet {
  const per = Math.floor(budget / sources.length);
  const ids: Int32Array[] = [];
  const labels: number[] = [];
  sources.forEach((lang, k) => {
    const set = sets.get(lang);
    if (!set) throw new Error(`no training examples in source language '${lang}'`);
    if (set.ids.length < per) throw new Error(`source '${lang}' has ${set.ids.length} training examples, fewer than its share of the budget (${per})`);
    const chosen = new Rng(seed * 1000 + k).shuffle(Array.from(set.ids.keys())).slice(0, per);
    for (const i of chosen) {
      ids.push(set.ids[i]);
      labels.push(set.labels[i]);
    }
  });
  return { ids, labels: Int32Array.from(labels) };
}

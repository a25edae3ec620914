// Fine-tuning an encoder for sentence classification (methods.md §2), optionally with
// the realignment loss added at every step ("during" fine-tuning), and zero-shot
// evaluation in every language. The example order is a seeded shuffle, so a condition
// trained twice from the same weights gives the same model.
import { AdamW, crossEntropy, noGrad, tensor, tidy, clipGradNorm, warmupCosineLr } from "../torch/index.js";
import type { Encoder } from "../nn/encoder.js";
import { SequenceClassifier } from "../nn/heads.js";
import { Rng } from "../util/rng.js";
import { padRows, realignmentLoss, type AlignedBatch, type ProjectionHead, type RealignOptions } from "./realign.js";

/** Encoded examples: token ids per example and a label id each. */
export interface ClassificationSet {
  ids: Int32Array[];
  labels: Int32Array;
}

export interface FineTuneOptions {
  steps: number;
  batchSize: number;
  lr: number;
  maxLen: number;
  seed: number;
  /** Realignment during fine-tuning: loss weight and batches cycled through. */
  realign?: { head: ProjectionHead; batches: AlignedBatch[]; weight: number; options: RealignOptions };
  onStep?: (step: number, loss: number, realignLoss: number | null) => void;
}

export function fineTuneClassifier(encoder: Encoder, numLabels: number, train: ClassificationSet, o: FineTuneOptions): SequenceClassifier {
  if (train.ids.length === 0) throw new Error("fine-tuning: no training examples");
  const model = new SequenceClassifier(encoder, numLabels).train();
  const named = [...model.namedParameters(), ...(o.realign ? o.realign.head.namedParameters("realign_head.") : [])];
  const optimizer = new AdamW(named, { lr: o.lr, weightDecay: 0.01 });
  const params = named.map(([, p]) => p);
  const rng = new Rng(o.seed);
  let order = rng.shuffle(Array.from(train.ids.keys()));
  let at = 0;
  const schedule = { maxLr: o.lr, minLr: o.lr / 10, warmupSteps: Math.floor(o.steps / 10), totalSteps: o.steps };
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
      const ids = padRows(rows.map((r) => train.ids[r]), o.maxLen, encoder.config.padId);
      const labels = Int32Array.from(rows, (r) => train.labels[r]);
      let total = crossEntropy(model.forward(ids), tensor(labels, { dtype: "int64" }));
      const taskLoss = total.item();
      let realign: number | null = null;
      if (o.realign) {
        const r = realignmentLoss(encoder, o.realign.head, o.realign.batches[step % o.realign.batches.length], o.realign.options);
        realign = r.item();
        total = total.add(r.mul(o.realign.weight));
      }
      total.backward();
      clipGradNorm(params, 1);
      optimizer.step();
      return [taskLoss, realign] as const;
    });
    o.onStep?.(step + 1, loss, extra);
  }
  return model.eval();
}

/** Accuracy and predictions of a classifier on a set, in batches. */
export function evaluateClassifier(model: SequenceClassifier, set: ClassificationSet, maxLen: number, batchSize = 64): { accuracy: number; predictions: Int32Array } {
  const predictions = new Int32Array(set.ids.length);
  noGrad(() => {
    for (let i = 0; i < set.ids.length; i += batchSize) {
      tidy(() => {
        const ids = padRows(set.ids.slice(i, i + batchSize), maxLen, model.encoder.config.padId);
        predictions.set(model.forward(ids).argmax(1).toDtype("int32").toArray() as Int32Array, i);
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

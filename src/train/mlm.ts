// Masked-language-model pretraining of an encoder (methods.md §2): BERT's corruption.
// Of the positions that are not special ids, each is selected with probability p
// (15%); a selected token becomes the mask id (80%), a random id (10%) or stays (10%),
// and the loss is the cross-entropy of predicting the original at selected positions.
// The draws come from libtorch's generator, whose state is in every checkpoint, so a
// resumed pretraining run masks exactly as an uninterrupted one, and W data-parallel
// ranks mask their rows as one process masks the whole batch.
import { type Tensor, crossEntropy, rand, randint, where } from "../torch/index.js";
import type { MaskedLM } from "../nn/encoder.js";
import { drawRows } from "../nn/batch-shard.js";

export interface MaskingOptions {
  maskId: number;
  /** Ids never selected (padding, separators, control symbols). */
  specialIds: number[];
  /** Selection probability (0.15). */
  probability?: number;
}

export interface MaskedBatch {
  input: Tensor;
  /** Original ids at selected positions, -100 elsewhere. */
  labels: Tensor;
}

/** Corrupts ids [B, T] for masked-LM training. */
export function maskTokens(ids: Tensor, vocabSize: number, o: MaskingOptions): MaskedBatch {
  const shape = ids.shape;
  let candidate = ids.ne(o.specialIds[0] ?? -1);
  for (const s of o.specialIds.slice(1)) candidate = candidate.logicalAnd(ids.ne(s));
  // Drawn for the global batch under data parallelism (src/nn/batch-shard.ts).
  const selected = drawRows(shape, (s) => rand(s)).lt(o.probability ?? 0.15).logicalAnd(candidate);
  const how = drawRows(shape, (s) => rand(s));
  const randomIds = drawRows(shape, (s) => randint(0, vocabSize, s));
  const input = where(selected.logicalAnd(how.lt(0.8)), o.maskId, where(selected.logicalAnd(how.ge(0.9)), randomIds, ids));
  return { input, labels: where(selected, ids, -100) };
}

/**
 * Each sequence's masked-LM loss for tokens [B, T+1] (the trainer's batch shape; the
 * first T are used): the mean over its selected positions, 0 when none was selected.
 */
export function mlmSequenceLosses(model: MaskedLM, tokens: Tensor, o: MaskingOptions): Tensor {
  const [b, len] = tokens.shape;
  const ids = tokens.narrow(1, 0, len - 1);
  const { input, labels } = maskTokens(ids, model.config.vocabSize, o);
  const nll = crossEntropy(model.forward(input).reshape([-1, model.config.vocabSize]), labels.reshape([-1]), null, "none", -100).view([b, len - 1]);
  const counts = labels.ne(-100).sum([1]).toDtype(nll.dtype);
  return nll.sum([1]).div(counts.clamp(1));
}

// Fine-tuning heads over an encoder (methods.md §2): a sentence(-pair) classifier on the
// mean of the non-padding token states, and a token classifier on every token's state.
// Both hold the encoder they were given (the same tensors), so fine-tuning updates it.
import { type Tensor } from "../torch/index.js";
import type { Encoder } from "./encoder.js";
import { Dropout, Linear } from "./layers.js";
import { Module } from "./module.js";

/** Mean of the states of non-padding tokens: [B, T, H] -> [B, H]. */
export function meanPool(states: Tensor, ids: Tensor, padId: number): Tensor {
  const mask = ids.ne(padId).unsqueeze(-1).toDtype(states.dtype);
  return states.mul(mask).sum([1]).div(mask.sum([1]).clamp(1));
}

/** A linear classifier over an encoder's states, with dropout before it. */
abstract class EncoderHead extends Module {
  readonly classifier: Linear;
  protected readonly dropout: Dropout;
  constructor(readonly encoder: Encoder, readonly numLabels: number, dropout: number) {
    super();
    this.child("encoder", encoder);
    this.dropout = this.child("dropout", new Dropout(dropout));
    this.classifier = this.child("classifier", new Linear(encoder.config.hidden, numLabels, { dtype: encoder.config.dtype }));
  }
}

export class SequenceClassifier extends EncoderHead {
  constructor(encoder: Encoder, numLabels: number, dropout = 0.1) {
    super(encoder, numLabels, dropout);
  }
  /** Logits [B, numLabels] for ids [B, T] (sentence pairs: both texts in one sequence, typeIds marking the second). */
  forward(ids: Tensor, typeIds?: Tensor): Tensor {
    const states = this.encoder.forward(ids, { typeIds }).last;
    return this.classifier.forward(this.dropout.forward(meanPool(states, ids, this.encoder.config.padId)));
  }
}

export class TokenClassifier extends EncoderHead {
  constructor(encoder: Encoder, numLabels: number, dropout = 0.1) {
    super(encoder, numLabels, dropout);
  }
  /** Logits [B, T, numLabels]. */
  forward(ids: Tensor): Tensor {
    return this.classifier.forward(this.dropout.forward(this.encoder.forward(ids).last));
  }
}

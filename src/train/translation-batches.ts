// Training batches and the per-sequence loss of a decoder-only translation model (issue
// 19). A row is one example `<2tgt> source <sep> target <eos>`, right-padded with <eos>
// to the longest row of its batch; each row's direction is drawn by a sampler over
// directions (proportional, temperature, uniform), so directions are the "languages" a
// balancer weighs. The loss counts only the tokens after <sep> up to and including the
// first <eos> after it: the model is not trained to produce the prompt or the padding.
import { crossEntropy, tensor, type Tensor } from "../torch/index.js";
import type { GPT } from "../nn/gpt.js";
import type { Sampler, SamplerState } from "../data/samplers.js";
import { Rng } from "../util/rng.js";
import { hashInts } from "../util/hash.js";
import type { BatchSource, LanguageBatch } from "./clone-batches.js";

/**
 * Which next-token targets of tokens [B, L] count: position t predicts token t+1, which
 * counts when it lies after the row's first separator and at or before the first <eos>
 * after it. Returns the targets with the others set to -100 (ignored), and each row's count.
 */
export function targetMask(tokens: ArrayLike<number | bigint>, rows: number, separatorId: number, eosId: number): { targets: BigInt64Array; counts: Float32Array } {
  const len = tokens.length / rows;
  const targets = new BigInt64Array(rows * (len - 1)).fill(-100n);
  const counts = new Float32Array(rows);
  for (let b = 0; b < rows; b++) {
    let inTarget = false;
    for (let j = 0; j < len; j++) {
      const tok = Number(tokens[b * len + j]);
      if (inTarget) {
        targets[b * (len - 1) + j - 1] = BigInt(tok);
        counts[b] += 1;
        if (tok === eosId) break;
      } else if (tok === separatorId) inTarget = true;
    }
    if (counts[b] === 0) throw new Error(`translation row ${b} has no target tokens (no separator, or nothing after it)`);
  }
  return { targets, counts };
}

/** Mean cross-entropy over each row's target tokens: a [B] tensor. */
export function translationSequenceLosses(model: GPT, tokens: Tensor, separatorId: number, eosId: number): Tensor {
  const [b, len] = tokens.shape;
  const { targets, counts } = targetMask(tokens.toArray() as BigInt64Array, b, separatorId, eosId);
  const { logits } = model.forward(tokens.narrow(1, 0, len - 1));
  const nll = crossEntropy(logits.reshape([-1, model.config.vocabSize]), tensor(targets, { shape: [b * (len - 1)] }), null, "none", -100);
  return nll.view([b, len - 1]).sum([1]).div(tensor(counts, { shape: [b] }));
}

/** Rows [examples.length, width] right-padded with `pad`, as one flat array. */
export function padRows(examples: readonly (readonly number[])[], pad: number, width = Math.max(...examples.map((e) => e.length))): Int32Array {
  const out = new Int32Array(examples.length * width).fill(pad);
  examples.forEach((e, r) => {
    if (e.length > width) throw new Error(`an example of ${e.length} tokens does not fit ${width}`);
    out.set(e, r * width);
  });
  return out;
}

interface ExampleStreamState {
  epoch: number;
  position: number;
}

/** One direction's examples in a fresh seeded order each epoch. */
class ExampleStream {
  private order: number[] = [];
  private epoch = 0;
  private position = 0;

  constructor(private readonly examples: readonly (readonly number[])[], private readonly seed: number) {
    if (examples.length === 0) throw new Error("a translation direction has no training examples");
    this.shuffle();
  }

  private shuffle(): void {
    const rng = new Rng(hashInts(this.seed, this.epoch));
    this.order = Array.from({ length: this.examples.length }, (_, i) => i);
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
  }

  next(): readonly number[] {
    if (this.position === this.order.length) {
      this.epoch += 1;
      this.position = 0;
      this.shuffle();
    }
    return this.examples[this.order[this.position++]];
  }

  state(): ExampleStreamState {
    return { epoch: this.epoch, position: this.position };
  }

  restore(s: ExampleStreamState): void {
    this.epoch = s.epoch;
    this.position = s.position;
    this.shuffle();
  }
}

export class TranslationBatchSource implements BatchSource {
  readonly languages: readonly string[];
  private readonly streams: ExampleStream[];
  /** Tokens per row of the last batch (rows are padded to the batch's longest example). */
  lastWidth = 0;

  /** examples[k]: token ids of direction sampler.languages[k]'s training examples. */
  constructor(examples: readonly (readonly (readonly number[])[])[], private readonly sampler: Sampler, private readonly batchSize: number,
    private readonly padId: number, seed: number) {
    if (examples.length !== sampler.languages.length) throw new Error(`${examples.length} directions for ${sampler.languages.length} sampled directions`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    this.streams = examples.map((e, k) => {
      if (e.length === 0) throw new Error(`direction ${sampler.languages[k]} has no training examples`);
      return new ExampleStream(e, hashInts(seed, k));
    });
    this.languages = sampler.languages;
  }

  next(): LanguageBatch {
    const langs = new Int32Array(this.batchSize);
    const rows: (readonly number[])[] = [];
    for (let b = 0; b < this.batchSize; b++) {
      langs[b] = this.sampler.next();
      rows.push(this.streams[langs[b]].next());
    }
    const tokens = padRows(rows, this.padId);
    this.lastWidth = tokens.length / this.batchSize;
    return { tokens, langs };
  }

  state(): { streams: ExampleStreamState[]; sampler: SamplerState } {
    return { streams: this.streams.map((s) => s.state()), sampler: this.sampler.state() };
  }

  restore(state: unknown): void {
    const s = state as { streams: ExampleStreamState[]; sampler: SamplerState };
    if (!Array.isArray(s.streams) || s.streams.length !== this.streams.length) throw new Error(`batch state has ${s.streams?.length} streams, this source ${this.streams.length}`);
    this.streams.forEach((stream, k) => stream.restore(s.streams[k]));
    this.sampler.restore(s.sampler);
  }
}


// Training batches over several real languages (methods.md §5): each row's language is
// drawn by a sampler (proportional, temperature, uniform, ...) and filled with the next
// packed sequence of that language's own stream.
import type { PackedSequenceStream, PackedStreamState } from "../data/pack.js";
import type { Sampler, SamplerState } from "../data/samplers.js";
import type { BatchSource, LanguageBatch } from "./clone-batches.js";

export class MultilingualBatchSource implements BatchSource {
  readonly languages: readonly string[];

  /** streams[k] holds the sequences of sampler.languages[k]. */
  constructor(
    private readonly streams: PackedSequenceStream[],
    private readonly sampler: Sampler,
    private readonly batchSize: number,
  ) {
    if (streams.length !== sampler.languages.length) throw new Error(`${streams.length} streams for ${sampler.languages.length} sampled languages`);
    const len = streams[0].seqLen;
    if (streams.some((s) => s.seqLen !== len)) throw new Error("every language's stream must have the same sequence length");
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
    this.languages = sampler.languages;
  }

  next(): LanguageBatch {
    const len = this.streams[0].seqLen + 1;
    const tokens = new Int32Array(this.batchSize * len);
    const langs = new Int32Array(this.batchSize);
    for (let b = 0; b < this.batchSize; b++) {
      const lang = this.sampler.next();
      langs[b] = lang;
      tokens.set(this.streams[lang].nextSequence().tokens, b * len);
    }
    return { tokens, langs };
  }

  state(): { streams: PackedStreamState[]; sampler: SamplerState } {
    return { streams: this.streams.map((s) => s.state()), sampler: this.sampler.state() };
  }

  restore(state: unknown): void {
    const s = state as { streams: PackedStreamState[]; sampler: SamplerState };
    if (!Array.isArray(s.streams) || s.streams.length !== this.streams.length) throw new Error(`batch state has ${s.streams?.length} streams, this source ${this.streams.length}`);
    this.streams.forEach((stream, k) => stream.restore(s.streams[k]));
    this.sampler.restore(s.sampler);
  }
}

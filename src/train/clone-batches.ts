// Training batches for the cloned-language study (methods.md §1): packed sequences of
// one language, each rendered as the original or as a clone by a per-sequence draw.
import type { CloneMapping } from "../data/clones.js";
import type { PackedSequenceStream, PackedStreamState } from "../data/pack.js";
import type { Sampler, SamplerState } from "../data/samplers.js";

export interface LanguageBatch {
  /** batchSize * (seqLen + 1) model ids, row-major. */
  tokens: Int32Array;
  /** Language of each row (0 = original, k = clone k). */
  langs: Int32Array;
}

/** A resumable source of batches: its state goes into every checkpoint. */
export interface BatchSource {
  readonly languages: readonly string[];
  next(): LanguageBatch;
  state(): unknown;
  restore(state: unknown): void;
}

export class CloneBatchSource implements BatchSource {
  readonly languages: readonly string[];
  constructor(
    private readonly stream: PackedSequenceStream,
    private readonly sampler: Sampler,
    private readonly mapping: CloneMapping,
    private readonly batchSize: number,
  ) {
    this.languages = sampler.languages;
  }

  next(): LanguageBatch {
    const { tokens } = this.stream.nextBatch(this.batchSize);
    const len = tokens.length / this.batchSize;
    const langs = new Int32Array(this.batchSize);
    for (let b = 0; b < this.batchSize; b++) {
      const lang = this.sampler.next();
      langs[b] = lang;
      const row = tokens.subarray(b * len, (b + 1) * len);
      if (lang !== 0) this.mapping.render(row, lang, row);
    }
    return { tokens, langs };
  }

  state(): { stream: PackedStreamState; sampler: SamplerState } {
    return { stream: this.stream.state(), sampler: this.sampler.state() };
  }

  restore(state: unknown): void {
    const s = state as { stream: PackedStreamState; sampler: SamplerState };
    this.stream.restore(s.stream);
    this.sampler.restore(s.sampler);
  }
}

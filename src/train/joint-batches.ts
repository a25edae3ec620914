// Training batches for two real languages with their own tokenizers (methods.md §1,
// real-language variant): each row is drawn in its language's own ids and mapped into
// the joint vocabulary (disjoint or anchored, src/data/clones.ts) by the row's language.
import { toJoint, type JointVocabulary } from "../data/clones.js";
import type { BatchSource, LanguageBatch } from "./clone-batches.js";

export class JointVocabularyBatchSource implements BatchSource {
  readonly languages: readonly string[];

  /** `inner` draws rows of two languages in their own ids; language k maps as language k + 1 of `vocab`. */
  constructor(private readonly inner: BatchSource, private readonly vocab: JointVocabulary) {
    if (inner.languages.length !== 2) throw new Error(`a joint vocabulary joins two languages; the batch source has ${inner.languages.length}`);
    this.languages = inner.languages;
  }

  next(): LanguageBatch {
    const { tokens, langs } = this.inner.next();
    const len = tokens.length / langs.length;
    for (let b = 0; b < langs.length; b++) {
      const row = tokens.subarray(b * len, (b + 1) * len);
      row.set(toJoint(this.vocab, langs[b] === 0 ? 1 : 2, row));
    }
    return { tokens, langs };
  }

  state(): unknown {
    return this.inner.state();
  }

  restore(state: unknown): void {
    this.inner.restore(state);
  }
}

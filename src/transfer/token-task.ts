/**
 * Word-level tagging data (UPOS from CoNLL-U, NER tags from IOB files) as
 * subword-level model inputs. Each word is encoded on its own, so no subword
 * crosses a word boundary; the word's label goes on its first subword and
 * IGNORE_INDEX on the rest, which is how a tagger predicts one label per word
 * (methods.md §3: a word is represented by its first subword). Rows are
 * truncated and padded to a fixed length; the position of every word's first
 * subword is kept so per-subword predictions map back to words.
 */
import type { ConlluSentence } from "../data/readers/conllu.js";
import type { TaggedSentence } from "../data/readers/iob.js";
import { IGNORE_INDEX } from "./metrics.js";

/** A sentence as words with one label each; `where` ("file:line") names it in errors. */
export interface LabelledSentence {
  words: string[];
  labels: string[];
  where: string;
}

/** Syntactic words and their UPOS tags (the words of a multiword token, not its surface form). */
export function fromConllu(sentence: ConlluSentence, file: string): LabelledSentence {
  const where = `${file}:${sentence.line}`;
  const words = sentence.words.map((w) => w.form);
  const labels = sentence.words.map((w) => {
    if (w.upos === "_") throw new Error(`${where}: word ${w.id} ("${w.form}") has no UPOS tag`);
    return w.upos;
  });
  return { words, labels, where };
}

/** Tokens and their tags from an IOB file. */
export function fromTagged(sentence: TaggedSentence, file: string): LabelledSentence {
  return { words: [...sentence.tokens], labels: [...sentence.tags], where: `${file}:${sentence.line}` };
}

// ---------------------------------------------------------------------------
// Label vocabulary

/** Where an unknown label occurs: how often, and the first sentence with it. */
export interface UnknownLabel {
  label: string;
  count: number;
  firstSeen: string;
}

/** Labels <-> ids 0..size-1, in sorted order so the same training data always gives the same ids. */
export class LabelVocabulary {
  readonly labels: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(labels: Iterable<string>) {
    this.labels = [...new Set(labels)].sort();
    if (this.labels.length === 0) throw new RangeError("LabelVocabulary: no labels");
    this.ids = new Map(this.labels.map((label, id) => [label, id]));
  }

  /** Every label of the training sentences. */
  static fromSentences(sentences: Iterable<LabelledSentence>): LabelVocabulary {
    const labels = new Set<string>();
    for (const s of sentences) for (const label of s.labels) labels.add(label);
    return new LabelVocabulary(labels);
  }

  get size(): number {
    return this.labels.length;
  }

  has(label: string): boolean {
    return this.ids.has(label);
  }

  /** The id of a label; -1 when unknown. */
  idOf(label: string): number {
    return this.ids.get(label) ?? -1;
  }

  labelOf(id: number): string {
    const label = this.labels[id];
    if (label === undefined) throw new RangeError(`label id ${id} outside 0..${this.size - 1}`);
    return label;
  }

  /** Labels of `sentences` missing from this vocabulary, most frequent first. */
  unknownLabels(sentences: Iterable<LabelledSentence>): UnknownLabel[] {
    const found = new Map<string, UnknownLabel>();
    for (const s of sentences) {
      for (const label of s.labels) {
        if (this.ids.has(label)) continue;
        const u = found.get(label);
        if (u) u.count++;
        else found.set(label, { label, count: 1, firstSeen: s.where });
      }
    }
    return [...found.values()].sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
  }
}

/** One line per unknown label, e.g. `"B-MISC" x3 (first at test.iob:17)`. */
export function describeUnknownLabels(unknown: readonly UnknownLabel[]): string {
  return unknown.map((u) => `"${u.label}" x${u.count} (first at ${u.firstSeen})`).join(", ");
}

// ---------------------------------------------------------------------------
// Subword encoding

/** What the encoding needs from a tokenizer; SentencePieceTokenizer provides it. */
export interface SubwordEncoder {
  encodeBatch(texts: readonly string[]): Int32Array[];
  readonly unkId: number;
}

export interface TokenTaskOptions {
  /** Row length T: special ids, subwords and padding together. */
  maxLength: number;
  padId: number;
  /** Ids put before the subwords (e.g. a BOS / CLS id); labelled IGNORE_INDEX. */
  prefixIds?: readonly number[];
  /** Ids put after the (possibly truncated) subwords (e.g. EOS / SEP); labelled IGNORE_INDEX. */
  suffixIds?: readonly number[];
  /**
   * Labels outside the vocabulary: "throw" (default) fails with every unknown
   * label and where it first occurs; "ignore" labels such words IGNORE_INDEX and
   * lists them in the result's `unknownLabels`.
   */
  onUnknownLabel?: "throw" | "ignore";
}

/** N sentences as rows of T positions; row n occupies [n*T, (n+1)*T) of ids and labels. */
export interface TokenTaskBatch {
  count: number;
  maxLength: number;
  ids: Int32Array;
  /** Label id on each word's first subword, IGNORE_INDEX elsewhere. */
  labels: Int32Array;
  /** Non-padding positions per row. */
  lengths: Int32Array;
  /**
   * Position within its row of each word's first subword, -1 for words cut off
   * by truncation; the words of sentence n are wordStarts[wordOffsets[n]..wordOffsets[n+1]).
   */
  wordStarts: Int32Array;
  wordOffsets: Int32Array;
  /** Words that did not fit (their labels are not in the batch). */
  truncatedWords: number;
  /** Labels outside the vocabulary (only with onUnknownLabel "ignore"). */
  unknownLabels: UnknownLabel[];
}

function checkOptions(opts: TokenTaskOptions): { prefix: readonly number[]; suffix: readonly number[] } {
  const prefix = opts.prefixIds ?? [];
  const suffix = opts.suffixIds ?? [];
  if (!Number.isInteger(opts.maxLength) || opts.maxLength <= prefix.length + suffix.length) {
    throw new RangeError(`maxLength ${opts.maxLength} leaves no room for subwords after ${prefix.length + suffix.length} special id(s)`);
  }
  if (!Number.isInteger(opts.padId)) throw new RangeError(`padId must be an integer, got ${opts.padId}`);
  return { prefix, suffix };
}

/**
 * Encodes labelled sentences for a token-classification model. A word the
 * tokenizer turns into no subword at all (e.g. only characters the
 * normaliser removes) is given the unknown id, so every word keeps a position.
 */
export function encodeTokenTask(
  sentences: readonly LabelledSentence[],
  encoder: SubwordEncoder,
  vocabulary: LabelVocabulary,
  opts: TokenTaskOptions,
): TokenTaskBatch {
  const { prefix, suffix } = checkOptions(opts);
  const T = opts.maxLength;
  const room = T - prefix.length - suffix.length;
  const unknownLabels = vocabulary.unknownLabels(sentences);
  if (unknownLabels.length > 0 && (opts.onUnknownLabel ?? "throw") === "throw") {
    throw new Error(`labels not in the training label set: ${describeUnknownLabels(unknownLabels)}`);
  }

  const wordOffsets = new Int32Array(sentences.length + 1);
  sentences.forEach((s, n) => {
    if (s.words.length !== s.labels.length) {
      throw new RangeError(`${s.where}: ${s.words.length} words but ${s.labels.length} labels`);
    }
    wordOffsets[n + 1] = wordOffsets[n]! + s.words.length;
  });
  // One call into the tokenizer for every word of every sentence.
  const pieces = encoder.encodeBatch(sentences.flatMap((s) => s.words));

  const ids = new Int32Array(sentences.length * T).fill(opts.padId);
  const labels = new Int32Array(sentences.length * T).fill(IGNORE_INDEX);
  const lengths = new Int32Array(sentences.length);
  const wordStarts = new Int32Array(wordOffsets[sentences.length]!).fill(-1);
  let truncatedWords = 0;

  sentences.forEach((s, n) => {
    const row = n * T;
    ids.set(prefix, row);
    let pos = prefix.length;
    const end = prefix.length + room;
    for (let w = 0; w < s.words.length; w++) {
      const flat = wordOffsets[n]! + w;
      if (pos >= end) {
        truncatedWords++;
        continue;
      }
      const wordPieces = pieces[flat]!.length > 0 ? pieces[flat]! : Int32Array.of(encoder.unkId);
      wordStarts[flat] = pos;
      const label = vocabulary.idOf(s.labels[w]!);
      labels[row + pos] = label === -1 ? IGNORE_INDEX : label;
      const fit = wordPieces.subarray(0, end - pos);
      ids.set(fit, row + pos);
      pos += fit.length;
    }
    ids.set(suffix, row + pos);
    lengths[n] = pos + suffix.length;
  });
  return { count: sentences.length, maxLength: T, ids, labels, lengths, wordStarts, wordOffsets, truncatedWords, unknownLabels };
}

/**
 * Per-word predictions from per-position ones ([N*T], e.g. the argmax over
 * labels): each word takes the prediction at its first subword; a truncated
 * word gets -1.
 */
export function wordPredictions(batch: TokenTaskBatch, predictions: ArrayLike<number>): Int32Array[] {
  const T = batch.maxLength;
  if (predictions.length !== batch.count * T) {
    throw new RangeError(`wordPredictions: expected ${batch.count} x ${T} = ${batch.count * T} predictions, got ${predictions.length}`);
  }
  const out: Int32Array[] = [];
  for (let n = 0; n < batch.count; n++) {
    const starts = batch.wordStarts.subarray(batch.wordOffsets[n]!, batch.wordOffsets[n + 1]!);
    out.push(Int32Array.from(starts, (p) => (p < 0 ? -1 : predictions[n * T + p]!)));
  }
  return out;
}

/** Word predictions as label strings; words without a prediction (truncated) get `missing`. */
export function wordPredictionLabels(
  vocabulary: LabelVocabulary,
  predictions: readonly Int32Array[],
  missing = "O",
): string[][] {
  return predictions.map((sentence) => Array.from(sentence, (id) => (id < 0 ? missing : vocabulary.labelOf(id))));
}

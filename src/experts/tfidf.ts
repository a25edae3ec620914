/**
 * TF-IDF document vectors for partitioning by content (methods.md §4).
 *
 * Terms are either words (maximal runs of letters, marks and digits, lower-cased)
 * or character n-grams of the lower-cased text with whitespace runs collapsed
 * to one space and one space of padding at each end, for every n in [minN, maxN].
 * Character n-grams suit scripts written without spaces.
 * Weight of term t in document d: count(t, d) * idf(t) with the smoothed
 * idf(t) = ln((1 + N) / (1 + df(t))) + 1, then each document vector is
 * L2-normalised (an empty document stays zero).
 */

export type TermKind = { kind: "word" } | { kind: "char"; minN: number; maxN: number };

export interface TfIdfOptions {
  terms?: TermKind;
  /** Keep terms found in at least this many documents (default 1). */
  minDocumentFrequency?: number;
  /** Keep at most this many terms, those with the highest df (ties: alphabetical). */
  maxTerms?: number;
}

/** A fitted vocabulary with its idf weights; plain data so it serialises as JSON. */
export interface TfIdfModel {
  terms: TermKind;
  vocabulary: string[];
  idf: number[];
}

export function extractTerms(text: string, terms: TermKind): string[] {
  const lower = text.toLowerCase();
  if (terms.kind === "word") return lower.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  const { minN, maxN } = terms;
  if (!Number.isInteger(minN) || !Number.isInteger(maxN) || minN < 1 || maxN < minN) {
    throw new RangeError(`character n-grams need integers 1 <= minN <= maxN, got ${minN}, ${maxN}`);
  }
  // Array.from splits by code point, so characters outside the BMP stay whole.
  const chars = Array.from(` ${lower.replace(/\s+/gu, " ").trim()} `);
  const out: string[] = [];
  for (let n = minN; n <= maxN; n++) {
    for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(""));
  }
  return out;
}

export function fitTfIdf(documents: readonly string[], opts: TfIdfOptions = {}): TfIdfModel {
  const terms = opts.terms ?? { kind: "word" };
  const df = new Map<string, number>();
  for (const doc of documents) for (const t of new Set(extractTerms(doc, terms))) df.set(t, (df.get(t) ?? 0) + 1);
  const minDf = opts.minDocumentFrequency ?? 1;
  let kept = [...df.entries()].filter(([, f]) => f >= minDf);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (opts.maxTerms !== undefined) kept = kept.slice(0, opts.maxTerms);
  kept.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const n = documents.length;
  return {
    terms,
    vocabulary: kept.map(([t]) => t),
    idf: kept.map(([, f]) => Math.log((1 + n) / (1 + f)) + 1),
  };
}

/** Index of each vocabulary term, built once per model use. */
export function vocabularyIndex(model: TfIdfModel): Map<string, number> {
  return new Map(model.vocabulary.map((t, i) => [t, i]));
}

/** The L2-normalised TF-IDF vector of one document; terms outside the vocabulary are ignored. */
export function tfIdfVector(model: TfIdfModel, document: string, index = vocabularyIndex(model)): Float64Array {
  const v = new Float64Array(model.vocabulary.length);
  for (const t of extractTerms(document, model.terms)) {
    const i = index.get(t);
    if (i !== undefined) v[i]! += model.idf[i]!;
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= inv;
  }
  return v;
}

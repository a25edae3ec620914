// Aligned word pairs inside parallel texts, the training signal of realignment and the
// test items of word retrieval: from the FastAlign-style aligner (grow-diag-final-and,
// one-to-one links, identically spelled pairs dropped) or from a bilingual dictionary
// (a source word and a target word of the same text pair that the dictionary pairs).
import type { SentencePieceTokenizer } from "../data/tokenizer.js";
import { alignerWordPairs, trainBidirectional, type FastAlignOptions } from "./fast-align.js";
import { tokenizeWords, type TokenizedPair } from "./tokenize.js";
import { sameSpelling } from "./word-pairs.js";
import { encodeWords, type AlignedBatch, type WordEncoding } from "./realign.js";

export interface AlignedText {
  src: WordEncoding;
  tgt: WordEncoding;
  /** [source word, target word] links whose words both fit in maxLen. */
  links: [number, number][];
}

export function tokenizePairs(texts: [string, string][]): TokenizedPair[] {
  return texts.map(([s, t]) => ({ src: tokenizeWords(s), tgt: tokenizeWords(t) }));
}

function encodePair(tokenizer: SentencePieceTokenizer, pair: TokenizedPair, links: [number, number][], maxLen: number): AlignedText {
  const src = encodeWords(tokenizer, pair.src, maxLen);
  const tgt = encodeWords(tokenizer, pair.tgt, maxLen);
  return { src, tgt, links: links.filter(([s, t]) => src.spans[s] && tgt.spans[t]) };
}

/** Aligns the text pairs with an aligner trained on `trainOn` (default: the pairs themselves). */
export function alignerLinks(tokenizer: SentencePieceTokenizer, texts: [string, string][], maxLen: number,
  o: { trainOn?: [string, string][]; aligner?: FastAlignOptions } = {}): AlignedText[] {
  const pairs = tokenizePairs(texts);
  const models = trainBidirectional(tokenizePairs(o.trainOn ?? texts), o.aligner ?? {});
  const links: [number, number][][] = pairs.map(() => []);
  for (const w of alignerWordPairs(models, pairs)) links[w.sentence].push([w.srcIndex, w.tgtIndex]);
  return pairs.map((p, k) => encodePair(tokenizer, p, links[k], maxLen));
}

/** Links every source word to a target word of the same text that the dictionary gives as its translation (first occurrence, one-to-one). */
export function dictionaryLinks(tokenizer: SentencePieceTokenizer, texts: [string, string][], dictionary: Map<string, Set<string>>, maxLen: number): AlignedText[] {
  return tokenizePairs(texts).map((p) => {
    const used = new Set<number>();
    const links: [number, number][] = [];
    p.src.forEach((w, s) => {
      const translations = dictionary.get(w.toLowerCase());
      if (!translations) return;
      const t = p.tgt.findIndex((v, j) => !used.has(j) && translations.has(v.toLowerCase()) && !sameSpelling(w, v));
      if (t >= 0) {
        used.add(t);
        links.push([s, t]);
      }
    });
    return encodePair(tokenizer, p, links, maxLen);
  });
}

/** Groups aligned texts into batches of `size` texts, at most `perText` links from each. */
export function alignedBatches(texts: AlignedText[], size: number, perText: number): AlignedBatch[] {
  const usable = texts.filter((t) => t.links.length > 0);
  const out: AlignedBatch[] = [];
  for (let i = 0; i < usable.length; i += size) {
    const group = usable.slice(i, i + size);
    out.push({
      src: group.map((t) => t.src),
      tgt: group.map((t) => t.tgt),
      links: group.flatMap((t, row) => t.links.slice(0, perText).map(([s, w]): [number, number, number] => [row, s, w])),
    });
  }
  return out;
}

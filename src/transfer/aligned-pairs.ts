// Aligned word pairs inside parallel texts, the training signal of realignment and the
// test items of word retrieval: from the FastAlign-style aligner (grow-diag-final-and,
// one-to-one links, identically spelled pairs dropped) or from a bilingual dictionary
// (a source word and a target word of the same text pair that the dictionary pairs
// unambiguously).
import type { SentencePieceTokenizer } from "../data/tokenizer.js";
import { alignerWordPairs, trainBidirectional, type FastAlignOptions } from "./fast-align.js";
import { tokenizeWords, type TokenizedPair } from "./tokenize.js";
import { dictionaryWordPairsForCorpus, type BilingualDictionary } from "./dictionary-pairs.js";
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

/** Links from a bilingual dictionary: unambiguous one-to-one pairs of each text pair (dictionary-pairs.ts); `dict` normalised. */
export function dictionaryLinks(tokenizer: SentencePieceTokenizer, texts: [string, string][], dict: BilingualDictionary, maxLen: number): AlignedText[] {
  const pairs = tokenizePairs(texts);
  const links: [number, number][][] = pairs.map(() => []);
  for (const w of dictionaryWordPairsForCorpus(pairs, dict)) links[w.sentence].push([w.srcIndex, w.tgtIndex]);
  return pairs.map((p, k) => encodePair(tokenizer, p, links[k], maxLen));
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

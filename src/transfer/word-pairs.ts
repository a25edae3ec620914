/** Word pairs (a source token and its translation in the same sentence pair). */
import type { Link } from "./symmetrize.js";
import { oneToOneLinks } from "./symmetrize.js";
import type { TokenizedPair } from "./tokenize.js";

export interface WordPair {
  /** Index of the sentence pair in the corpus it came from. */
  sentence: number;
  srcIndex: number;
  tgtIndex: number;
  src: string;
  tgt: string;
}

/** Spelled the same, ignoring case: such pairs (names, numbers, punctuation) say little about alignment of meaning. */
export function sameSpelling(a: string, b: string): boolean {
  return a.toLocaleLowerCase() === b.toLocaleLowerCase();
}

/** Keeps one-to-one links and drops pairs whose two words are spelled the same. */
export function wordPairsFromLinks(pair: TokenizedPair, links: ReadonlyArray<Link>, sentence: number): WordPair[] {
  const out: WordPair[] = [];
  for (const [s, t] of oneToOneLinks(links)) {
    const src = pair.src[s];
    const tgt = pair.tgt[t];
    if (src === undefined || tgt === undefined) {
      throw new RangeError(`sentence ${sentence}: link ${s}-${t} is outside the sentence (${pair.src.length} x ${pair.tgt.length} tokens)`);
    }
    if (sameSpelling(src, tgt)) continue;
    out.push({ sentence, srcIndex: s, tgtIndex: t, src, tgt });
  }
  return out;
}

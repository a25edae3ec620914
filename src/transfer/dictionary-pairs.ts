/**
 * Word pairs from a bilingual dictionary: source token i is paired with target
 * token j only when the pairing is unambiguous in both directions:
 *   - of i's translations, exactly one occurs in the target sentence, and it
 *     occurs there exactly once (at j);
 *   - exactly one source token of the sentence has the word at j among its
 *     translations (i itself);
 * and the two words are not spelled the same (names, numbers, punctuation).
 * Matching is on lower-cased whole tokens; multi-word translations never match.
 */
import { loadDictionary, readMuseDictionary } from "../data/readers/muse.js";
import type { TokenizedPair } from "./tokenize.js";
import { sameSpelling, type WordPair } from "./word-pairs.js";

/** Source word -> its translations, all lower case. */
export type BilingualDictionary = ReadonlyMap<string, ReadonlyArray<string>>;

/** Lower-cases headwords and translations and merges entries that then coincide. */
export function normalizeDictionary(dict: ReadonlyMap<string, ReadonlyArray<string>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [src, tgts] of dict) {
    const key = src.toLowerCase();
    const list = out.get(key) ?? [];
    for (const t of tgts) {
      const v = t.toLowerCase();
      if (!list.includes(v)) list.push(v);
    }
    out.set(key, list);
  }
  return out;
}

/** Reads a MUSE dictionary file (`source target` per line) as a normalised dictionary. */
export async function readMuseBilingualDictionary(path: string): Promise<Map<string, string[]>> {
  return normalizeDictionary(await loadDictionary(readMuseDictionary(path)));
}

/** Unambiguous one-to-one dictionary pairs of one sentence pair; `dict` must be normalised. */
export function dictionaryWordPairs(pair: TokenizedPair, dict: BilingualDictionary, sentence = 0): WordPair[] {
  const src = pair.src.map((w) => w.toLowerCase());
  const tgt = pair.tgt.map((w) => w.toLowerCase());
  const positions = new Map<string, number[]>();
  tgt.forEach((w, j) => {
    const list = positions.get(w);
    if (list) list.push(j);
    else positions.set(w, [j]);
  });
  // For each target position, how many source tokens have its word as a translation.
  const backCount = new Int32Array(tgt.length);
  const candidate = new Int32Array(src.length).fill(-1);
  src.forEach((w, i) => {
    const translations = new Set(dict.get(w) ?? []);
    let present = 0;
    let only: number[] = [];
    for (const tr of translations) {
      const at = positions.get(tr);
      if (!at) continue;
      present++;
      only = at;
      for (const j of at) backCount[j]!++;
    }
    if (present === 1 && only.length === 1) candidate[i] = only[0]!;
  });
  const out: WordPair[] = [];
  candidate.forEach((j, i) => {
    if (j < 0 || backCount[j] !== 1) return;
    const s = pair.src[i]!;
    const t = pair.tgt[j]!;
    if (!sameSpelling(s, t)) out.push({ sentence, srcIndex: i, tgtIndex: j, src: s, tgt: t });
  });
  return out;
}

/** Dictionary pairs over a corpus; `sentence` in each pair is its index in `pairs`. */
export function dictionaryWordPairsForCorpus(pairs: ReadonlyArray<TokenizedPair>, dict: BilingualDictionary): WordPair[] {
  return pairs.flatMap((p, k) => dictionaryWordPairs(p, dict, k));
}

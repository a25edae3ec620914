// Sentence pairs too long to align. Why: IBM Model 2 keeps a cell per (source word,
// target word) of each pair, so one 100k-word line asks for 10^10 cells and used to
// abort the whole corpus ("Invalid typed array length"). Such a pair is almost always a
// paragraph or file joined into one line by mistake: it is skipped, reported with its
// file and line, and gets an empty alignment line so the output stays line-aligned.

/** Words per side beyond which a pair is not aligned (Moses' corpus cleaning uses 80-100). */
export const MAX_ALIGN_WORDS = 1000;

export interface OverlongPair {
  /** Index in the corpus. */
  index: number;
  line: number;
  srcWords: number;
  tgtWords: number;
}

/** The indices of pairs short enough to align, and those skipped. */
export function splitOverlong(pairs: readonly { src: readonly string[]; tgt: readonly string[]; line: number }[], maxWords = MAX_ALIGN_WORDS): { kept: number[]; skipped: OverlongPair[] } {
  const kept: number[] = [];
  const skipped: OverlongPair[] = [];
  pairs.forEach((p, index) => {
    if (p.src.length > maxWords || p.tgt.length > maxWords) skipped.push({ index, line: p.line, srcWords: p.src.length, tgtWords: p.tgt.length });
    else kept.push(index);
  });
  return { kept, skipped };
}

export function overlongMessage(file: string, s: OverlongPair, maxWords = MAX_ALIGN_WORDS): string {
  return `${file}:${s.line}: skipped a sentence pair of ${s.srcWords} x ${s.tgtWords} words (at most ${maxWords} per side are aligned); its output line is empty`;
}

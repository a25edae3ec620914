/**
 * Word tokenisation for alignment: runs of letters (with combining marks and
 * inner apostrophes), runs of digits, and every other non-space character on its
 * own, so punctuation becomes separate tokens that aligners can link or leave.
 */

const WORD = /[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*|\p{N}+|[^\s\p{L}\p{M}\p{N}]/gu;

export function tokenizeWords(text: string): string[] {
  return text.match(WORD) ?? [];
}

/** A sentence pair as tokens, source first. */
export interface TokenizedPair {
  src: string[];
  tgt: string[];
}

/**
 * CoNLL-U treebanks (Universal Dependencies). Per the format: comment lines
 * start with "#"; word lines have 10 tab-separated fields; ID is an integer
 * (a syntactic word, numbered 1..n per sentence), a range "a-b" (a multiword
 * token, whose words follow it), or a decimal "n.k" (an empty node); a blank
 * line ends a sentence. With `onBadLine: "skip"` a bad line drops its whole
 * sentence, because a sentence with a line missing would be silently wrong.
 */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";

export const UPOS_TAGS: ReadonlySet<string> = new Set([
  "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
  "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
]);

export interface ConlluWord {
  id: number;
  form: string;
  lemma: string;
  /** Universal POS tag, or "_" when unannotated. */
  upos: string;
  xpos: string;
  feats: string;
  /** Head word id (0 = root), or null when "_". */
  head: number | null;
  deprel: string;
  deps: string;
  misc: string;
}

export interface ConlluMultiwordToken {
  first: number;
  last: number;
  form: string;
}

export interface ConlluEmptyNode {
  /** The word id the empty node follows (0 = before the first word). */
  after: number;
  index: number;
  form: string;
}

export interface ConlluSentence {
  /** Syntactic words in order; words[i].id === i + 1. */
  words: ConlluWord[];
  multiwordTokens: ConlluMultiwordToken[];
  emptyNodes: ConlluEmptyNode[];
  /** Raw comment lines without the leading "#" and surrounding spaces. */
  comments: string[];
  /** Values of `# key = value` comments, e.g. sent_id and text. */
  meta: Record<string, string>;
  /** 1-based line where the sentence starts. */
  line: number;
}

const INT = /^[1-9]\d*$/;
const RANGE = /^([1-9]\d*)-([1-9]\d*)$/;
const DECIMAL = /^(0|[1-9]\d*)\.([1-9]\d*)$/;
const HEAD = /^(0|[1-9]\d*)$/;

export interface ConlluReadOptions extends ReadOptions {
  /** Reject UPOS values outside the 17 universal tags (and "_"). Default true. */
  checkUpos?: boolean;
}

export async function* readConllu(path: string, opts: ConlluReadOptions = {}): AsyncGenerator<ConlluSentence> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const checkUpos = opts.checkUpos ?? true;
  let sent: ConlluSentence | null = null;
  let broken = false;

  const fresh = (line: number): ConlluSentence => ({ words: [], multiwordTokens: [], emptyNodes: [], comments: [], meta: {}, line });
  // Returns an error message, or null when the line was added to the sentence.
  const addWordLine = (s: ConlluSentence, text: string): string | null => {
    const cols = text.split("\t");
    if (cols.length !== 10) return `expected 10 tab-separated columns, found ${cols.length}`;
    const [id, form, lemma, upos, xpos, feats, head, deprel, deps, misc] = cols as [string, string, string, string, string, string, string, string, string, string];
    const expected = s.words.length + 1;
    let m: RegExpExecArray | null;
    if ((m = RANGE.exec(id))) {
      const first = Number(m[1]);
      const last = Number(m[2]);
      if (first !== expected || last < first) return `multiword token range ${id} does not start at the next word id ${expected}`;
      s.multiwordTokens.push({ first, last, form });
      return null;
    }
    if ((m = DECIMAL.exec(id))) {
      const after = Number(m[1]);
      if (after !== expected - 1) return `empty node ${id} does not follow word ${expected - 1}`;
      s.emptyNodes.push({ after, index: Number(m[2]), form });
      return null;
    }
    if (!INT.test(id)) return `ID "${id}" is not an integer, range or decimal`;
    if (Number(id) !== expected) return `word ID ${id} out of sequence (expected ${expected})`;
    if (checkUpos && upos !== "_" && !UPOS_TAGS.has(upos)) return `unknown UPOS tag "${upos}"`;
    if (head !== "_" && !HEAD.test(head)) return `HEAD "${head}" is not a non-negative integer`;
    s.words.push({ id: expected, form, lemma, upos, xpos, feats, head: head === "_" ? null : Number(head), deprel, deps, misc });
    return null;
  };

  // The line of each word of the current sentence, to name a bad HEAD's line.
  let wordLines: number[] = [];
  const end = (): ConlluSentence | null => {
    const done = sent;
    const lines = wordLines;
    sent = null;
    wordLines = [];
    const wasBroken = broken;
    broken = false;
    if (!done || wasBroken) return null;
    // A sentence of comments only has no words to learn from.
    if (done.words.length === 0) return null;
    // A HEAD can only be checked once the sentence's length is known.
    const past = done.words.findIndex((w) => w.head !== null && w.head > done.words.length);
    if (past >= 0) {
      policy.bad(path, lines[past], `HEAD ${done.words[past].head} of word ${past + 1} points past the sentence's ${done.words.length} words`);
      return null;
    }
    return done;
  };

  for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      if (!sent) sent = fresh(lineNo);
      broken = true;
      continue;
    }
    if (text.trim() === "") {
      const s = end();
      if (s) {
        report.records++;
        yield s;
      }
      continue;
    }
    if (!sent) sent = fresh(lineNo);
    if (broken) continue;
    if (text.startsWith("#")) {
      if (sent.words.length > 0) {
        policy.bad(path, lineNo, "comment line inside a sentence");
        broken = true;
        continue;
      }
      const c = text.slice(1).trim();
      sent.comments.push(c);
      const eq = c.indexOf("=");
      if (eq > 0) sent.meta[c.slice(0, eq).trim()] = c.slice(eq + 1).trim();
      continue;
    }
    const before = sent.words.length;
    const err = addWordLine(sent, text);
    if (sent.words.length > before) wordLines.push(lineNo);
    if (err !== null) {
      policy.bad(path, lineNo, err);
      broken = true;
    }
  }
  const last = end();
  if (last) {
    report.records++;
    yield last;
  }
  policy.finish(path);
}

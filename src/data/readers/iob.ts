/**
 * IOB/BIO named-entity files: one token per line with token and tag columns,
 * a blank line between sentences. `-DOCSTART-` lines (CoNLL-2003 document
 * markers) are not tokens and are dropped.
 */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";

export interface TaggedSentence {
  tokens: string[];
  tags: string[];
  line: number;
}

export interface IobReadOptions extends ReadOptions {
  /** Column separator: "tab" or "whitespace" (default: any run of whitespace). */
  separator?: "tab" | "whitespace";
  tokenColumn?: number;
  /** Tag column; negative counts from the end. Default -1 (last column). */
  tagColumn?: number;
  /** Check tags are "O" or B-/I- (plus E-/S- when allowed) followed by a type. Default true. */
  checkTags?: boolean;
  /** Also accept IOBES prefixes E- and S-. Default false. */
  allowIobes?: boolean;
}

export async function* readIob(path: string, opts: IobReadOptions = {}): AsyncGenerator<TaggedSentence> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const split = opts.separator === "tab" ? (s: string) => s.split("\t") : (s: string) => s.trim().split(/\s+/);
  const tokenCol = opts.tokenColumn ?? 0;
  const tagCol = opts.tagColumn ?? -1;
  const checkTags = opts.checkTags ?? true;
  const tagPattern = opts.allowIobes ? /^(O|[BIES]-\S+)$/ : /^(O|[BI]-\S+)$/;
  let tokens: string[] = [];
  let tags: string[] = [];
  let start = 0;
  let broken = false;

  const flush = (): TaggedSentence | null => {
    const s = tokens.length > 0 && !broken ? { tokens, tags, line: start } : null;
    tokens = [];
    tags = [];
    broken = false;
    return s;
  };

  for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text !== null && text.trim() === "") {
      const s = flush();
      if (s) {
        report.records++;
        yield s;
      }
      continue;
    }
    if (tokens.length === 0 && !broken) start = lineNo;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      broken = true;
      continue;
    }
    if (text.startsWith("-DOCSTART-")) continue;
    if (broken) continue;
    const cols = split(text);
    const need = Math.max(tokenCol, tagCol < 0 ? -tagCol - 1 : tagCol) + 1;
    const tagIdx = tagCol < 0 ? cols.length + tagCol : tagCol;
    if (cols.length < Math.max(need, 2) || tagIdx === tokenCol) {
      policy.bad(path, lineNo, `expected token and tag columns, found ${cols.length} column(s)`);
      broken = true;
      continue;
    }
    const tag = cols[tagIdx]!;
    if (checkTags && !tagPattern.test(tag)) {
      policy.bad(path, lineNo, `invalid tag "${tag}"`);
      broken = true;
      continue;
    }
    tokens.push(cols[tokenCol]!);
    tags.push(tag);
  }
  const s = flush();
  if (s) {
    report.records++;
    yield s;
  }
  policy.finish(path);
}

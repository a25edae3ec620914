/**
 * Parallel corpora: two line-aligned files (line i of one translates line i of
 * the other), or one TSV file with source and target columns.
 */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines, type RawLine } from "./lines.js";

export interface SentencePair {
  src: string;
  tgt: string;
  /** 1-based line number (the same in both files for line-aligned input). */
  line: number;
}

/**
 * Reads two line-aligned files in lockstep. Unequal line counts are bad input:
 * by default a DataError naming the shorter file; with `onBadLine: "skip"`
 * the surplus lines of the longer file are skipped and counted.
 */
export async function* readParallelFiles(srcPath: string, tgtPath: string, opts: ReadOptions = {}): AsyncGenerator<SentencePair> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const a = readLines(srcPath)[Symbol.asyncIterator]();
  const b = readLines(tgtPath)[Symbol.asyncIterator]();
  try {
    for (;;) {
      const [ra, rb] = await Promise.all([a.next(), b.next()]);
      if (ra.done && rb.done) break;
      if (ra.done || rb.done) {
        const [shortPath, longPath, longIt, first] = ra.done
          ? [srcPath, tgtPath, b, rb.value as RawLine]
          : [tgtPath, srcPath, a, ra.value as RawLine];
        const shortCount = first.lineNo - 1;
        // Count the rest of the longer file so the message says how far apart they are.
        let longCount = first.lineNo;
        const surplus: number[] = [first.lineNo];
        for (let r = await longIt.next(); !r.done; r = await longIt.next()) {
          longCount = r.value.lineNo;
          surplus.push(r.value.lineNo);
        }
        const reason = `unequal line counts in parallel corpus: ${shortPath} has ${shortCount} lines, ${longPath} has ${longCount}`;
        for (const ln of surplus) {
          report.linesRead++;
          policy.bad(longPath, ln, reason);
        }
        break;
      }
      const la = ra.value;
      const lb = rb.value;
      report.linesRead++;
      if (la.text === null || lb.text === null) {
        policy.bad(la.text === null ? srcPath : tgtPath, la.lineNo, "invalid UTF-8");
        continue;
      }
      report.records++;
      yield { src: la.text, tgt: lb.text, line: la.lineNo };
    }
  } finally {
    await a.return?.(undefined);
    await b.return?.(undefined);
  }
  policy.finish(`${srcPath} + ${tgtPath}`);
}

export interface ParallelTsvOptions extends ReadOptions {
  /** Column indices of source and target (default 0 and 1). */
  srcColumn?: number;
  tgtColumn?: number;
  /** Exact number of tab-separated columns each line must have (default 2). */
  columns?: number;
}

/** Reads a TSV with source and target sentences on the same line. */
export async function* readParallelTsv(path: string, opts: ParallelTsvOptions = {}): AsyncGenerator<SentencePair> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const srcCol = opts.srcColumn ?? 0;
  const tgtCol = opts.tgtColumn ?? 1;
  const columns = opts.columns ?? 2;
  for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      continue;
    }
    if (text === "") continue;
    const cols = text.split("\t");
    if (cols.length !== columns) {
      policy.bad(path, lineNo, `expected ${columns} tab-separated columns, found ${cols.length}`);
      continue;
    }
    report.records++;
    yield { src: cols[srcCol]!, tgt: cols[tgtCol]!, line: lineNo };
  }
  policy.finish(path);
}

/**
 * Pharaoh-format word alignments: per line, space-separated `i-j` links from
 * source token i to target token j (0-based). An empty line is a sentence
 * with no links.
 */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";

export interface AlignmentLine {
  /** Links as [sourceIndex, targetIndex] pairs, in file order. */
  links: Array<[number, number]>;
  line: number;
}

const LINK = /^(\d+)-(\d+)$/;

export async function* readPharaohAlignments(path: string, opts: ReadOptions = {}): AsyncGenerator<AlignmentLine> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  lines: for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      continue;
    }
    const links: Array<[number, number]> = [];
    const fields = text.trim() === "" ? [] : text.trim().split(/\s+/);
    for (const f of fields) {
      const m = LINK.exec(f);
      if (!m) {
        policy.bad(path, lineNo, `malformed alignment link "${f}" (expected i-j)`);
        continue lines;
      }
      links.push([Number(m[1]), Number(m[2])]);
    }
    report.records++;
    yield { links, line: lineNo };
  }
  policy.finish(path);
}

/**
 * Plain-text corpora: one document per line, or documents separated by blank
 * lines (lines of a document are joined with "\n").
 */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";

export interface TextDocument {
  text: string;
  /** 1-based line where the document starts. */
  line: number;
}

export interface TextReadOptions extends ReadOptions {
  /** "line" (default): every non-empty line is a document. "blank-line": blank lines separate documents. */
  documents?: "line" | "blank-line";
}

export async function* readTextDocuments(path: string, opts: TextReadOptions = {}): AsyncGenerator<TextDocument> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const mode = opts.documents ?? "line";
  if (mode !== "line" && mode !== "blank-line") throw new TypeError(`documents must be "line" or "blank-line", got ${String(mode)}`);
  let buf: string[] = [];
  let bufStart = 0;

  for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      continue;
    }
    const blank = text.trim() === "";
    if (mode === "line") {
      // Blank lines carry no text, so skipping them loses nothing.
      if (blank) continue;
      report.records++;
      yield { text, line: lineNo };
    } else if (blank) {
      if (buf.length > 0) {
        report.records++;
        yield { text: buf.join("\n"), line: bufStart };
        buf = [];
      }
    } else {
      if (buf.length === 0) bufStart = lineNo;
      buf.push(text);
    }
  }
  if (buf.length > 0) {
    report.records++;
    yield { text: buf.join("\n"), line: bufStart };
  }
  policy.finish(path);
}

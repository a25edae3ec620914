/**
 * Sentence-pair classification TSVs (XNLI, PAWS-X style). Columns are found by
 * header name (default premise / hypothesis / label) or given as indices for
 * files without a header. Fields are taken verbatim: no quote processing,
 * because these files contain unbalanced quotes in the text.
 */
import { BadLinePolicy, DataError, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";

export interface SentencePairExample {
  premise: string;
  hypothesis: string;
  label: string;
  line: number;
}

export interface PairColumns {
  premise: string | number;
  hypothesis: string | number;
  label: string | number;
}

export interface PairReadOptions extends ReadOptions {
  /** Whether the first line is a header row (default true). */
  header?: boolean;
  /** Header names or 0-based indices. Names require a header. */
  columns?: Partial<PairColumns>;
  /** When given, labels outside this set are bad lines. */
  labels?: readonly string[];
}

export async function* readSentencePairs(path: string, opts: PairReadOptions = {}): AsyncGenerator<SentencePairExample> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const hasHeader = opts.header ?? true;
  const wanted: PairColumns = {
    premise: opts.columns?.premise ?? (hasHeader ? "premise" : 0),
    hypothesis: opts.columns?.hypothesis ?? (hasHeader ? "hypothesis" : 1),
    label: opts.columns?.label ?? (hasHeader ? "label" : 2),
  };
  const labelSet = opts.labels ? new Set(opts.labels) : null;
  let idx: { premise: number; hypothesis: number; label: number } | null = null;
  let width = 0;

  const resolve = (header: string[] | null, lineNo: number) => {
    const out = { premise: 0, hypothesis: 0, label: 0 };
    for (const key of ["premise", "hypothesis", "label"] as const) {
      const w = wanted[key];
      if (typeof w === "number") {
        out[key] = w;
      } else {
        if (!header) throw new DataError(path, lineNo, `column "${w}" given by name but the file has no header`);
        const i = header.indexOf(w);
        // A missing column is structural, not a bad line: nothing could be read.
        if (i < 0) throw new DataError(path, lineNo, `header has no "${w}" column (columns: ${header.join(", ")})`);
        out[key] = i;
      }
    }
    return out;
  };

  for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text === null) {
      if (hasHeader && idx === null) throw new DataError(path, lineNo, "invalid UTF-8 in header");
      policy.bad(path, lineNo, "invalid UTF-8");
      continue;
    }
    if (text === "") continue;
    const cols = text.split("\t");
    if (idx === null) {
      idx = resolve(hasHeader ? cols : null, lineNo);
      width = hasHeader ? cols.length : 0;
      if (hasHeader) continue;
    }
    const need = Math.max(idx.premise, idx.hypothesis, idx.label) + 1;
    if (cols.length < need || (width > 0 && cols.length !== width)) {
      policy.bad(path, lineNo, `expected ${width || need} tab-separated columns, found ${cols.length}`);
      continue;
    }
    const label = cols[idx.label]!;
    if (labelSet && !labelSet.has(label)) {
      policy.bad(path, lineNo, `unknown label "${label}"`);
      continue;
    }
    report.records++;
    yield { premise: cols[idx.premise]!, hypothesis: cols[idx.hypothesis]!, label, line: lineNo };
  }
  policy.finish(path);
}

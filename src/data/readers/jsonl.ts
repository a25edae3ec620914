/**
 * JSON Lines corpora: one object per line with a string `text` and optional `lang`.
 * Parquet files (`.parquet`) are read the same way, a row per record.
 */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";
import { readParquetRows } from "./parquet.js";

export interface JsonlDocument {
  text: string;
  /** From the record's language field, else `defaultLang`, else undefined. */
  lang: string | undefined;
  line: number;
  /** The parsed object, for callers that need further fields. */
  record: Record<string, unknown>;
}

export interface JsonlReadOptions extends ReadOptions {
  textField?: string;
  langField?: string;
  defaultLang?: string;
}

export async function* readJsonl(path: string, opts: JsonlReadOptions = {}): AsyncGenerator<JsonlDocument> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  const textField = opts.textField ?? "text";
  const langField = opts.langField ?? "lang";

  for await (const { lineNo, text, parsed } of records(path, [textField, langField])) {
    report.linesRead++;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      continue;
    }
    if (parsed === undefined && text.trim() === "") continue;
    let value: unknown = parsed;
    if (value === undefined) {
      try {
        value = JSON.parse(text);
      } catch (e) {
        policy.bad(path, lineNo, `not valid JSON (${(e as Error).message})`);
        continue;
      }
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      policy.bad(path, lineNo, "not a JSON object");
      continue;
    }
    const record = value as Record<string, unknown>;
    const t = record[textField];
    if (typeof t !== "string") {
      policy.bad(path, lineNo, t === undefined ? `missing "${textField}" field` : `"${textField}" is not a string`);
      continue;
    }
    const l = record[langField];
    if (l !== undefined && typeof l !== "string") {
      policy.bad(path, lineNo, `"${langField}" is not a string`);
      continue;
    }
    report.records++;
    yield { text: t, lang: l ?? opts.defaultLang, line: lineNo, record };
  }
  policy.finish(path);
}

/** Lines of a JSONL file, or rows of a Parquet file already as objects (`parsed`). */
async function* records(path: string, columns: string[]): AsyncGenerator<{ lineNo: number; text: string | null; parsed?: unknown }> {
  if (!path.endsWith(".parquet")) {
    yield* readLines(path);
    return;
  }
  for await (const { row, record } of readParquetRows(path, columns)) yield { lineNo: row, text: "", parsed: record };
}

/** Whether a path names a record file readJsonl reads: JSONL (compressed or not) or Parquet. */
export function isRecordFile(path: string): boolean {
  return /\.jsonl?(\.(gz|zst|zstd|xz))?$/.test(path) || path.endsWith(".parquet");
}

/** MUSE bilingual dictionaries: `source target` per line, whitespace separated. */
import { BadLinePolicy, type ReadOptions } from "../errors.js";
import { readLines } from "./lines.js";

export interface DictionaryEntry {
  src: string;
  tgt: string;
  line: number;
}

export async function* readMuseDictionary(path: string, opts: ReadOptions = {}): AsyncGenerator<DictionaryEntry> {
  const policy = new BadLinePolicy(opts);
  const report = policy.report;
  for await (const { lineNo, text } of readLines(path)) {
    report.linesRead++;
    if (text === null) {
      policy.bad(path, lineNo, "invalid UTF-8");
      continue;
    }
    const trimmed = text.trim();
    if (trimmed === "") continue;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 2) {
      policy.bad(path, lineNo, `expected 2 whitespace-separated fields, found ${fields.length}`);
      continue;
    }
    report.records++;
    yield { src: fields[0]!, tgt: fields[1]!, line: lineNo };
  }
  policy.finish(path);
}

/** Collects entries into source word -> translations (in file order, without duplicates). */
export async function loadDictionary(entries: AsyncIterable<DictionaryEntry>): Promise<Map<string, string[]>> {
  const dict = new Map<string, string[]>();
  for await (const { src, tgt } of entries) {
    const list = dict.get(src);
    if (!list) dict.set(src, [tgt]);
    else if (!list.includes(tgt)) list.push(tgt);
  }
  return dict;
}

/**
 * Reader for dictd dictionaries (the format of FreeDict's Debian packages,
 * `dict-freedict-*`): a `.index` file of `headword TAB offset TAB length` lines,
 * offset and length written in base 64 (digits A-Z a-z 0-9 + /, most significant
 * first), pointing at byte ranges of the `.dict` file. `.dict.dz` is dictzip, a
 * gzip file with a random-access table in an extra header field, so an ordinary
 * gunzip reads it whole.
 *
 * Each entry's text is its headword line (the headword, often followed by a
 * pronunciation between slashes), then one or more lines of translations,
 * separated by commas or semicolons, sometimes numbered ("1. casa"), annotated with
 * grammar in angle brackets ("Haus <neut>") and domains in square ones ("[mus.]").
 * Indented lines are examples, notes, synonyms and cross-references ("see: {...}"),
 * not translations.
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

const DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

export interface DictdIndexEntry {
  headword: string;
  offset: number;
  length: number;
}

/** Value of a dictd base-64 number ("B" = 1, "BA" = 64). */
export function decodeDictdNumber(text: string): number {
  if (text === "") throw new SyntaxError("dictd number: empty");
  let value = 0;
  for (const ch of text) {
    const digit = DIGITS.indexOf(ch);
    if (digit < 0) throw new SyntaxError(`dictd number "${text}": "${ch}" is not a base-64 digit`);
    value = value * 64 + digit;
  }
  return value;
}

/** Parses a `.index` file; entries whose headword starts with "00database" (metadata) are left out. */
export function parseDictdIndex(text: string, where = "dictd index"): DictdIndexEntry[] {
  const out: DictdIndexEntry[] = [];
  text.split("\n").forEach((line, k) => {
    if (line.trim() === "") return;
    const fields = line.split("\t");
    if (fields.length < 3) throw new SyntaxError(`${where}:${k + 1}: expected headword, offset and length separated by tabs`);
    const [headword, offset, length] = fields as [string, string, string];
    if (headword.startsWith("00database") || headword.startsWith("00-database")) return;
    out.push({ headword, offset: decodeDictdNumber(offset), length: decodeDictdNumber(length) });
  });
  return out;
}

/** Translations in one entry's text: every unindented line after the headword line, split on , and ;. */
export function parseDictdEntry(body: string): string[] {
  const lines = body.split("\n");
  const out: string[] = [];
  for (const line of lines.slice(1)) {
    if (/^\s/.test(line)) continue;
    // Parenthetical notes, grammar and domains go first: they may hold commas themselves.
    for (const piece of line.replace(/\([^)]*\)|<[^>]*>|\[[^\]]*\]/g, "").split(/[,;]/)) {
      const cleaned = piece
        .replace(/^\s*\d+\.\s*/, "") // sense numbers
        .trim();
      if (cleaned !== "" && !out.includes(cleaned)) out.push(cleaned);
    }
  }
  return out;
}

function readMaybeGzipped(path: string): Buffer {
  const bytes = readFileSync(path);
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return gzipped ? gunzipSync(bytes) : bytes;
}

/** One word as the alignment tokeniser sees words: letters and marks, inner apostrophes allowed. */
const SINGLE_WORD = /^[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*$/u;

/**
 * Loads a dictd dictionary as headword -> translations, both lower-cased, each
 * headword's translations gathered over all its entries in index order. With
 * `singleWords`, multi-word headwords and translations are left out (they can never
 * match one token of a text).
 */
export function readDictdDictionary(indexPath: string, dictPath: string, o: { singleWords?: boolean } = {}): Map<string, string[]> {
  const keep = (w: string) => !o.singleWords || SINGLE_WORD.test(w);
  const index = parseDictdIndex(readFileSync(indexPath, "utf8"), indexPath);
  const data = readMaybeGzipped(dictPath);
  const dict = new Map<string, string[]>();
  for (const { headword, offset, length } of index) {
    if (offset + length > data.length) {
      throw new RangeError(`${indexPath}: entry "${headword}" points past the end of ${dictPath} (${offset}+${length} > ${data.length})`);
    }
    const key = headword.toLowerCase();
    if (!keep(key)) continue;
    const list = dict.get(key) ?? [];
    for (const tr of parseDictdEntry(data.subarray(offset, offset + length).toString("utf8"))) {
      const t = tr.toLowerCase();
      if (keep(t) && !list.includes(t)) list.push(t);
    }
    if (list.length > 0) dict.set(key, list);
  }
  return dict;
}

/**
 * Corpus manifest: per-language document, line, character and whitespace-token
 * counts for a set of sources. Counting a large corpus is slow, so each
 * source's counts are cached in a JSON file next to it, keyed by the file's
 * size and mtime and recomputed when either changes.
 *
 * Also: deterministic train/valid/test splits decided by a hash of
 * (seed, document index), so a document's split never depends on reading order.
 */
import { readFileSync, statSync } from "node:fs";
import { writeFileAtomic } from "../util/atomic.js";
import { hashUnit } from "../util/hash.js";
import { DataError, ReadReport, type OnBadLine } from "./errors.js";
import { readJsonl } from "./readers/jsonl.js";
import { readTextDocuments } from "./readers/text.js";

export type SourceFormat = "text" | "text-blocks" | "jsonl";

export interface CorpusSource {
  path: string;
  /** "text": a document per line; "text-blocks": blank-line separated; "jsonl": {text, lang}. */
  format: SourceFormat;
  /** Required for text formats; for JSONL it overrides each record's own lang. */
  lang?: string;
}

export interface CorpusCounts {
  documents: number;
  /** Non-empty lines inside documents. */
  lines: number;
  /** Unicode code points. */
  characters: number;
  /** Whitespace-separated tokens. */
  tokens: number;
}

export interface SourceManifest {
  path: string;
  format: SourceFormat;
  size: number;
  mtimeMs: number;
  languages: Record<string, CorpusCounts>;
  /** Bad lines skipped while counting (only with onBadLine "skip"). */
  skippedLines: number;
  /** True when the counts came from the cache file. */
  fromCache: boolean;
}

export interface CorpusManifest {
  sources: SourceManifest[];
  /** Totals per language over all sources. */
  languages: Record<string, CorpusCounts>;
}

export interface ManifestOptions {
  /** Read and write cache files (default true). */
  cache?: boolean;
  onBadLine?: OnBadLine;
}

const CACHE_VERSION = 1;

export function cachePathFor(corpusPath: string): string {
  return `${corpusPath}.xling-stats.json`;
}

function zeroCounts(): CorpusCounts {
  return { documents: 0, lines: 0, characters: 0, tokens: 0 };
}

function addCounts(into: CorpusCounts, from: CorpusCounts): void {
  into.documents += from.documents;
  into.lines += from.lines;
  into.characters += from.characters;
  into.tokens += from.tokens;
}

/** Counts of one document's text. */
export function countText(text: string): CorpusCounts {
  let lines = 0;
  for (const l of text.split("\n")) if (l.trim() !== "") lines++;
  let characters = 0;
  for (const _ of text) characters++;
  const trimmed = text.trim();
  const tokens = trimmed === "" ? 0 : trimmed.split(/\s+/u).length;
  return { documents: 1, lines, characters, tokens };
}

interface CacheFile {
  version: number;
  size: number;
  mtimeMs: number;
  key: string;
  languages: Record<string, CorpusCounts>;
  skippedLines: number;
}

function cacheKey(src: CorpusSource, onBadLine: OnBadLine): string {
  return JSON.stringify([src.format, src.lang ?? null, onBadLine]);
}

function readCache(src: CorpusSource, size: number, mtimeMs: number, key: string): CacheFile | null {
  let raw: string;
  try {
    raw = readFileSync(cachePathFor(src.path), "utf8");
  } catch {
    return null;
  }
  try {
    const c = JSON.parse(raw) as CacheFile;
    if (c.version === CACHE_VERSION && c.size === size && c.mtimeMs === mtimeMs && c.key === key) return c;
  } catch {
    // A corrupt cache is only a cache: recompute.
  }
  return null;
}

async function countSource(src: CorpusSource, onBadLine: OnBadLine): Promise<{ languages: Record<string, CorpusCounts>; skipped: number }> {
  const languages: Record<string, CorpusCounts> = {};
  const report = new ReadReport();
  const add = (lang: string, text: string) => addCounts((languages[lang] ??= zeroCounts()), countText(text));
  if (src.format === "jsonl") {
    for await (const d of readJsonl(src.path, { onBadLine, report })) {
      const lang = src.lang ?? d.lang;
      if (lang === undefined) throw new DataError(src.path, d.line, "record has no lang and the source gives none");
      add(lang, d.text);
    }
  } else {
    if (src.lang === undefined) throw new TypeError(`${src.path}: text sources need a lang`);
    const documents = src.format === "text-blocks" ? "blank-line" : "line";
    for await (const d of readTextDocuments(src.path, { documents, onBadLine, report })) add(src.lang, d.text);
  }
  return { languages, skipped: report.skipped };
}

export async function buildManifest(sources: readonly CorpusSource[], opts: ManifestOptions = {}): Promise<CorpusManifest> {
  const useCache = opts.cache ?? true;
  const onBadLine = opts.onBadLine ?? "throw";
  const out: SourceManifest[] = [];
  const totals: Record<string, CorpusCounts> = {};
  for (const src of sources) {
    if (!["text", "text-blocks", "jsonl"].includes(src.format)) throw new TypeError(`${src.path}: unknown format ${String(src.format)}`);
    let st;
    try {
      st = statSync(src.path);
    } catch (e) {
      throw new DataError(src.path, undefined, `cannot stat: ${(e as Error).message}`);
    }
    const key = cacheKey(src, onBadLine);
    const cached = useCache ? readCache(src, st.size, st.mtimeMs, key) : null;
    let entry: SourceManifest;
    if (cached) {
      entry = { path: src.path, format: src.format, size: st.size, mtimeMs: st.mtimeMs, languages: cached.languages, skippedLines: cached.skippedLines, fromCache: true };
    } else {
      const { languages, skipped } = await countSource(src, onBadLine);
      entry = { path: src.path, format: src.format, size: st.size, mtimeMs: st.mtimeMs, languages, skippedLines: skipped, fromCache: false };
      if (useCache) {
        const file: CacheFile = { version: CACHE_VERSION, size: st.size, mtimeMs: st.mtimeMs, key, languages, skippedLines: skipped };
        writeFileAtomic(cachePathFor(src.path), JSON.stringify(file, null, 2) + "\n");
      }
    }
    for (const [lang, c] of Object.entries(entry.languages)) addCounts((totals[lang] ??= zeroCounts()), c);
    out.push(entry);
  }
  return { sources: out, languages: totals };
}

export type Split = "train" | "valid" | "test";

export interface SplitSpec {
  seed: number;
  /** Fractions of documents held out; the rest is train. */
  valid: number;
  test: number;
}

function checkSpec(spec: SplitSpec): void {
  const ok = (f: number) => Number.isFinite(f) && f >= 0 && f <= 1;
  if (!ok(spec.valid) || !ok(spec.test) || spec.valid + spec.test > 1) {
    throw new RangeError(`split fractions must be in [0, 1] and sum to at most 1: valid ${spec.valid}, test ${spec.test}`);
  }
}

/**
 * The split of document `docIndex` (0-based, within its source). Because it
 * hashes only (seed, index), line-aligned sources such as the two sides of a
 * parallel corpus put matching documents into the same split.
 */
export function splitOf(docIndex: number, spec: SplitSpec): Split {
  checkSpec(spec);
  const u = hashUnit(spec.seed, docIndex);
  if (u < spec.test) return "test";
  if (u < spec.test + spec.valid) return "valid";
  return "train";
}

/** Keeps the documents of a stream that fall into `split`. */
export async function* filterSplit<T>(docs: AsyncIterable<T> | Iterable<T>, split: Split, spec: SplitSpec): AsyncGenerator<T> {
  checkSpec(spec);
  let i = 0;
  for await (const d of docs) {
    if (splitOf(i++, spec) === split) yield d;
  }
}

// Translation pairs for multilingual translation runs (issue 19): for each direction
// (source language -> target language), the pairs of a parallel corpus, split into
// train/valid/test by the *shared unit id* (paragraph index, verse reference), so a
// paragraph held out for testing is held out in every direction: a one-to-many set
// en->de, en->fr never trains on the English side of a test paragraph, a many-to-one
// set de->en, fr->en never trains on its English target.
//
// Sources:
//  - a paragraph-parallel corpus registered below (debian-reference: paragraph index;
//    bible: OSIS verse reference), or any corpus of the registry whose paragraph documents
//    are named <corpus>/<lang>/<id shared by the translations> (the LibreOffice help).
//    Another corpus plugs in with registerParallelCorpus(name, reader), where the reader
//    yields {id, lang, text} units whose id is the same in every language;
//  - "tsv": one file, source<TAB>target[<TAB>id] per line;
//  - "jsonl": one object per line with string fields `source`, `target` and optional `id`;
//  - "files": two line-aligned files (line i of one translates line i of the other).
// A file's unit id is its own `id` field where given, else `<path>:<line>`.
//
// Per-direction caps keep the first `cap` training pairs of a seeded order, to impose an
// imbalance on a corpus that has none (or more of one).
import { readBibleManifest, readBibleVerses } from "./corpora/bible.js";
import { listCorpora, openCorpus } from "./corpora/index.js";
import { DataError } from "./errors.js";
import { splitOf, type Split, type SplitSpec } from "./manifest.js";
import { readLines } from "./readers/lines.js";
import { readParallelFiles } from "./readers/parallel.js";
import { hashInts, hashString } from "../util/hash.js";

/** One unit of a paragraph-parallel corpus in one language. */
export interface ParallelUnit {
  /** The same for every translation of the unit. */
  id: string;
  lang: string;
  text: string;
}

export interface ParallelCorpusReader {
  /** Languages the corpus has (for the unknown-language error). */
  languages(): Promise<string[]>;
  /** The units in these languages. */
  units(langs: string[]): AsyncIterable<ParallelUnit>;
}

const CORPORA = new Map<string, ParallelCorpusReader>();

/** Makes a paragraph-parallel corpus usable as a translation pair source under `name`. */
export function registerParallelCorpus(name: string, reader: ParallelCorpusReader): void {
  CORPORA.set(name, reader);
}

export function parallelCorpusNames(): string[] {
  return [...CORPORA.keys()];
}

/**
 * A corpus of the registry (openCorpus) whose paragraph documents are named
 * `<corpus>/<lang>/<rest>` with `<rest>` the same in every translation, such as the
 * LibreOffice help (`<page>#<paragraph id>`).
 */
export function paragraphCorpusReader(name: string): ParallelCorpusReader {
  return {
    languages: () => openCorpus(name, {}).languages(),
    async *units(langs) {
      for await (const d of openCorpus(name, { langs, unit: "paragraph" }).documents()) {
        const rest = d.docId.split("/").slice(2).join("/");
        yield { id: `${name}/${rest}`, lang: d.lang, text: d.text };
      }
    },
  };
}

registerParallelCorpus("debian-reference", {
  languages: () => openCorpus("debian-reference", {}).languages(),
  async *units(langs) {
    for await (const d of openCorpus("debian-reference", { langs, unit: "paragraph" }).documents()) {
      // docId debian-reference/<lang>/<section>/<index>: the index alone names the paragraph.
      yield { id: `debian-reference/${d.docId.split("/")[3]}`, lang: d.lang, text: d.text };
    }
  },
});

registerParallelCorpus("bible", {
  languages: async () => [...new Set(readBibleManifest().translations.map((t) => t.lang))],
  async *units(langs) {
    // The first translation of each language in the manifest (kjv for en, sparv for es).
    const manifest = readBibleManifest();
    const chosen = langs.map((l) => {
      const t = manifest.translations.find((x) => x.lang === l);
      if (!t) throw new Error(`bible: no translation in language '${l}'`);
      return t;
    });
    for await (const v of readBibleVerses(chosen.map((t) => t.id)))
      for (const t of chosen) yield { id: `bible/${v.ref}`, lang: t.lang, text: v.texts[t.id] };
  },
});

export interface DirectionSource {
  /** A registered paragraph-parallel corpus, or a file format. */
  corpus: string;
  /** tsv, jsonl: the pairs file; files: the source-side file. */
  path?: string;
  /** files: the target-side file. */
  targetPath?: string;
}

export interface DirectionChoice extends DirectionSource {
  src: string;
  tgt: string;
  /** Most training pairs kept (after the split); default all. */
  cap?: number;
}

export interface TranslationPair {
  id: string;
  source: string;
  target: string;
}

export interface DirectionPairs {
  /** "en-de". */
  name: string;
  src: string;
  tgt: string;
  pairs: Record<Split, TranslationPair[]>;
  /** Training pairs before the cap. */
  available: number;
  /** The training pairs before the cap (what a tokenizer is trained on, so caps do not change it). */
  uncappedTrain: TranslationPair[];
}

export function directionName(d: { src: string; tgt: string }): string {
  return `${d.src}-${d.tgt}`;
}

const FILE_FORMATS = ["tsv", "jsonl", "files"];

/** Pairs from a user file (tsv, jsonl, files), with ids and errors naming file and line. */
async function filePairs(d: DirectionChoice): Promise<TranslationPair[]> {
  const where = `direction ${directionName(d)}`;
  if (!d.path) throw new Error(`${where}: corpus '${d.corpus}' needs a path`);
  const path = d.path;
  const out: TranslationPair[] = [];
  if (d.corpus === "files") {
    if (!d.targetPath) throw new Error(`${where}: corpus 'files' needs targetPath (the target-side file)`);
    for await (const p of readParallelFiles(path, d.targetPath)) out.push({ id: `${path}:${p.line}`, source: p.src, target: p.tgt });
    return out;
  }
  for await (const { lineNo, text } of readLines(path)) {
    if (text === null) throw new DataError(path, lineNo, "invalid UTF-8");
    if (text.trim() === "") continue;
    if (d.corpus === "tsv") {
      const cols = text.split("\t");
      if (cols.length !== 2 && cols.length !== 3) throw new DataError(path, lineNo, `expected source<TAB>target[<TAB>id], found ${cols.length} columns`);
      out.push({ source: cols[0], target: cols[1], id: cols[2] ?? `${path}:${lineNo}` });
    } else {
      let r: unknown;
      try {
        r = JSON.parse(text);
      } catch (e) {
        throw new DataError(path, lineNo, `not JSON (${(e as Error).message})`);
      }
      const o = r as Record<string, unknown>;
      if (typeof o?.source !== "string" || typeof o?.target !== "string") throw new DataError(path, lineNo, "a pair needs string fields 'source' and 'target'");
      out.push({ source: o.source, target: o.target, id: o.id === undefined ? `${path}:${lineNo}` : String(o.id) });
    }
  }
  return out;
}

/** The reader of a registered paragraph-parallel corpus, or undefined; `have` lists the known names. */
export function parallelCorpusReader(name: string): { reader: ParallelCorpusReader | undefined; have: string[] } {
  // Any other paragraph-parallel corpus of the registry (the LibreOffice help) reads the same way.
  const known = listCorpora().map((c) => c.name).filter((n) => n !== "udhr");
  const reader = CORPORA.get(name) ?? (known.includes(name) ? paragraphCorpusReader(name) : undefined);
  return { reader, have: [...new Set([...CORPORA.keys(), ...known])] };
}

/** Pairs of a registered corpus between two of its languages, in unit order. */
async function corpusPairs(d: DirectionChoice): Promise<TranslationPair[]> {
  const { reader, have: names } = parallelCorpusReader(d.corpus);
  if (!reader) throw new Error(`direction ${directionName(d)}: unknown corpus '${d.corpus}' (have: ${[...names, ...FILE_FORMATS].join(", ")})`);
  const have = await reader.languages();
  for (const l of [d.src, d.tgt])
    if (!have.includes(l)) throw new Error(`direction ${directionName(d)}: corpus ${d.corpus} has no language '${l}' (have: ${have.join(", ") || "none installed"})`);
  const bySide = { [d.src]: new Map<string, string>(), [d.tgt]: new Map<string, string>() };
  const order: string[] = [];
  for await (const u of reader.units([d.src, d.tgt])) {
    const side = bySide[u.lang];
    if (!side || u.text.trim() === "") continue;
    if (u.lang === d.src) order.push(u.id);
    side.set(u.id, u.text);
  }
  const tgt = bySide[d.tgt];
  return order.filter((id) => tgt.has(id)).map((id) => ({ id, source: bySide[d.src].get(id)!, target: tgt.get(id)! }));
}

/** The split of a unit: a hash of its shared id, so every direction agrees. */
export function pairSplit(id: string, spec: SplitSpec): Split {
  return splitOf(hashString(id), spec);
}

/**
 * Every direction's pairs split by unit id, with caps applied to training pairs. Pairs
 * whose source or target is longer than `maxChars` are left out (counted in `available`
 * only when kept). Throws, naming the direction, when one has no pairs.
 */
export async function loadDirections(choices: DirectionChoice[], split: SplitSpec, opts: { maxChars?: number } = {}): Promise<DirectionPairs[]> {
  const names = choices.map(directionName);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`direction ${dup} is listed twice`);
  const out: DirectionPairs[] = [];
  for (const d of choices) {
    const name = directionName(d);
    if (d.src === d.tgt) throw new Error(`direction ${name}: source and target are the same language`);
    let all = FILE_FORMATS.includes(d.corpus) ? await filePairs(d) : await corpusPairs(d);
    const total = all.length;
    if (opts.maxChars !== undefined) all = all.filter((p) => p.source.length <= opts.maxChars! && p.target.length <= opts.maxChars!);
    if (all.length === 0)
      throw new Error(`direction ${name}: no pairs in ${d.path ?? d.corpus}${total ? ` (${total} pairs, all longer than ${opts.maxChars} characters)` : ""}`);
    const pairs: Record<Split, TranslationPair[]> = { train: [], valid: [], test: [] };
    for (const p of all) pairs[pairSplit(p.id, split)].push(p);
    const uncappedTrain = pairs.train;
    const available = uncappedTrain.length;
    if (d.cap !== undefined) {
      if (!Number.isInteger(d.cap) || d.cap < 1) throw new Error(`direction ${name}: cap must be a positive integer, got ${d.cap}`);
      // A seeded order independent of corpus order, so a cap takes pairs from the whole corpus.
      const key = (p: TranslationPair) => hashInts(split.seed, hashString(p.id));
      pairs.train = [...pairs.train].sort((a, b) => key(a) - key(b)).slice(0, d.cap);
    }
    if (pairs.train.length === 0) throw new Error(`direction ${name}: no training pairs after the split`);
    if (pairs.test.length === 0) throw new Error(`direction ${name}: no test pairs after the split (${all.length} pairs)`);
    out.push({ name, src: d.src, tgt: d.tgt, pairs, available, uncappedTrain });
  }
  return out;
}

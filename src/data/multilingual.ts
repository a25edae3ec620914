// A multilingual corpus for language-model runs over several real languages (methods.md
// §4 and §5): one SentencePiece tokenizer shared by all languages, and one token cache
// per language and split. Everything is cached under a key of the settings, so every
// run of an experiment (and every balancing method or expert) tokenizes once.
//
// The tokenizer is trained on an equal number of characters from each language's
// training split (the smallest language's amount), so its vocabulary does not depend on
// how imbalanced a run's training data is: runs at 80/15/5 and at 33/33/33 share ids,
// and a low-resource language is not left with character-level pieces.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { openCorpus } from "./corpora/index.js";
import type { Split } from "./manifest.js";
import { TokenCacheReader, writeDocumentsToCache } from "./token-cache.js";
import { readJsonl, readTextDocuments, isRecordFile } from "./readers/index.js";
import { splitDocuments, trainCorpusTokenizer, type TokenizerChoice } from "./corpus-tokenizer.js";
import { writeFileAtomic } from "../util/atomic.js";

/** The corpora a study can name: the embedded ones, or "file" with a path. */
export const CORPUS_NAMES = ["bible", "udhr", "debian-reference", "libreoffice-help", "file"] as const;
export type CorpusName = (typeof CORPUS_NAMES)[number];

/** Where one language's text comes from. */
export interface LanguageSource {
  /** The name the language goes by in results ("en", "de"). */
  lang: string;
  corpus: CorpusName;
  /** The language's code inside the corpus when it differs from `lang` (UDHR: "eng"). */
  code?: string;
  /** Bible translation id (kjv, web, sparv). */
  translation?: string;
  /** corpus "file": plain text (one document per line) or JSONL with a text field. */
  path?: string;
}

export interface MultilingualChoice {
  languages: LanguageSource[];
  validFraction: number;
  testFraction: number;
}

export interface PreparedLanguage {
  lang: string;
  documents: Record<Split, number>;
  tokens: Record<Split, number>;
  cachePath(split: Split): string;
  open(split: Split): TokenCacheReader;
}

export interface PreparedMultilingual {
  dir: string;
  tokenizerPath: string;
  vocabSize: number;
  separatorId: number;
  specialIds: number[];
  languages: PreparedLanguage[];
  language(lang: string): PreparedLanguage;
}

interface Manifest {
  vocabSize: number;
  separatorId: number;
  specialIds: number[];
  tokenizerChars: number;
  languages: { lang: string; documents: Record<Split, number>; tokens: Record<Split, number> }[];
  choice: MultilingualChoice;
  tokenizer: TokenizerChoice;
}

const SPLITS: Split[] = ["train", "valid", "test"];

export async function prepareMultilingual(choice: MultilingualChoice, tok: TokenizerChoice, cacheRoot: string, seed = 0,
  log: (msg: string) => void = () => {}): Promise<PreparedMultilingual> {
  const langs = choice.languages.map((l) => l.lang);
  if (langs.length === 0) throw new Error("a multilingual corpus needs at least one language");
  const dup = langs.find((l, i) => langs.indexOf(l) !== i);
  if (dup !== undefined) throw new Error(`language '${dup}' is listed twice`);
  const key = createHash("sha256").update(JSON.stringify({ choice, tok, seed, v: 1 })).digest("hex").slice(0, 12);
  const dir = join(cacheRoot, `multi-${langs.join("-")}-${tok.vocabSize}-${key}`);
  const manifestPath = join(dir, "prepared.json");
  if (!existsSync(manifestPath)) await build(choice, tok, seed, dir, log);
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const languages = m.languages.map((l): PreparedLanguage => {
    const cachePath = (split: Split) => join(dir, `${l.lang}.${split}.tokens`);
    return { ...l, cachePath, open: (split) => TokenCacheReader.open(cachePath(split)) };
  });
  return {
    dir, tokenizerPath: join(dir, "tokenizer.model"), vocabSize: m.vocabSize, separatorId: m.separatorId, specialIds: m.specialIds,
    languages,
    language(lang) {
      const found = languages.find((l) => l.lang === lang);
      if (!found) throw new Error(`language '${lang}' is not in this corpus (have: ${langs.join(", ")})`);
      return found;
    },
  };
}

async function build(choice: MultilingualChoice, tok: TokenizerChoice, seed: number, dir: string, log: (msg: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const splitSpec = { seed, valid: choice.validFraction, test: choice.testFraction };
  const texts: Record<string, Record<Split, string[]>> = {};
  for (const source of choice.languages) {
    log(`reading ${source.corpus} (${source.lang})`);
    texts[source.lang] = splitDocuments(await readLanguage(source), splitSpec, `${source.corpus}/${source.lang}`);
  }

  const tokenizerChars = Math.min(...Object.values(texts).map((t) => t.train.reduce((s, d) => s + d.length, 0)));
  const sample = Object.values(texts).flatMap((t) => firstChars(t.train, tokenizerChars));
  log(`training a ${tok.modelType} SentencePiece tokenizer, vocabulary ${tok.vocabSize}, ${tokenizerChars} characters per language`);
  const { tokenizer, separatorId, specialIds } = await trainCorpusTokenizer(sample, tok, dir);
  const languages: Manifest["languages"] = [];
  for (const source of choice.languages) {
    const tokens = {} as Record<Split, number>;
    const documents = {} as Record<Split, number>;
    for (const s of SPLITS) {
      const docs = texts[source.lang][s];
      log(`encoding ${source.lang} ${s} (${docs.length} documents)`);
      tokens[s] = writeDocumentsToCache(join(dir, `${source.lang}.${s}.tokens`), tokenizer.encodeBatch(docs), { separatorId });
      documents[s] = docs.length;
    }
    languages.push({ lang: source.lang, documents, tokens });
  }
  const manifest: Manifest = { vocabSize: tokenizer.vocabSize, separatorId, specialIds, tokenizerChars, languages, choice, tokenizer: tok };
  writeFileAtomic(join(dir, "prepared.json"), JSON.stringify(manifest, null, 2));
}

/** Leading documents holding `chars` characters in all (the last one cut to fit). */
export function firstChars(docs: string[], chars: number): string[] {
  const out: string[] = [];
  let left = chars;
  for (const d of docs) {
    if (left <= 0) break;
    out.push(d.length <= left ? d : d.slice(0, left));
    left -= d.length;
  }
  return out;
}

/** The documents of one language, in corpus order. */
export async function readLanguage(source: LanguageSource): Promise<string[]> {
  const code = source.code ?? source.lang;
  const out: string[] = [];
  if (source.corpus === "file") {
    if (!source.path) throw new Error(`language '${source.lang}': corpus 'file' needs a path`);
    if (isRecordFile(source.path)) {
      for await (const r of readJsonl(source.path)) if (r.lang === code || !r.lang) out.push(r.text);
    } else {
      for await (const d of readTextDocuments(source.path)) out.push(d.text);
    }
  } else {
    // Debian Reference chapters are few and long; paragraphs give splits of useful size.
    const unit = source.corpus === "debian-reference" || source.corpus === "libreoffice-help" ? "paragraph" : "chapter";
    const corpus = openCorpus(source.corpus, { langs: [code], translations: source.translation ? [source.translation] : undefined, unit });
    for await (const d of corpus.documents()) out.push(d.text);
  }
  if (out.length === 0) {
    const hint = source.corpus === "debian-reference" ? ` (install it with: xling corpus debian-reference --out <dir> --lang ${code})`
      : source.corpus === "libreoffice-help" ? ` (convert it with: xling corpus libreoffice-help --lang ${code}; studies read $XLING_LIBREOFFICE_HELP or data/libreoffice-help)` : "";
    throw new Error(`corpus ${source.corpus} has no documents in language '${code}'${hint}`);
  }
  return out;
}

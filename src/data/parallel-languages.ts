// Two real languages of a paragraph-parallel corpus, each with its OWN SentencePiece
// tokenizer (methods.md §1, real-language variant of the imbalance study). Paragraphs are
// split by their shared id (pairSplit), so a held-out paragraph is held out in both
// languages, and the held-out paragraphs present in both languages are kept as parallel
// pairs for hidden-state alignment. Everything is cached under a key of the settings.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Split } from "./manifest.js";
import { TokenCacheReader, writeDocumentsToCache } from "./token-cache.js";
import { parallelCorpusReader, pairSplit } from "./parallel-pairs.js";
import { trainCorpusTokenizer, type TokenizerChoice } from "./corpus-tokenizer.js";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { writeFileAtomic } from "../util/atomic.js";

export interface ParallelLanguagesChoice {
  /** A registered paragraph-parallel corpus (libreoffice-help, debian-reference, bible). */
  corpus: string;
  /** Exactly two languages; the first is language 1 of the joint vocabulary. */
  languages: [string, string];
  validFraction: number;
  testFraction: number;
}

export interface OwnTokenizerLanguage {
  lang: string;
  tokenizerPath: string;
  vocabSize: number;
  /** Id placed between paragraphs in this language's token streams. */
  separatorId: number;
  documents: Record<Split, number>;
  tokens: Record<Split, number>;
  open(split: Split): TokenCacheReader;
  /** The tokenizer's pieces, id order (what a joint vocabulary is built from). */
  pieces(): string[];
  tokenizer(): SentencePieceTokenizer;
}

export interface HeldOutParallel {
  id: string;
  /** The paragraph in languages[0] and languages[1]. */
  texts: [string, string];
}

export interface PreparedParallelLanguages {
  dir: string;
  languages: [OwnTokenizerLanguage, OwnTokenizerLanguage];
  /** Test-split paragraphs present in both languages, in corpus order. */
  testPairs(): HeldOutParallel[];
}

interface Manifest {
  languages: { lang: string; vocabSize: number; separatorId: number; documents: Record<Split, number>; tokens: Record<Split, number> }[];
  testPairs: number;
  choice: ParallelLanguagesChoice;
  tokenizer: TokenizerChoice;
}

const SPLITS: Split[] = ["train", "valid", "test"];

export async function prepareParallelLanguages(choice: ParallelLanguagesChoice, tok: TokenizerChoice, cacheRoot: string, seed = 0,
  log: (msg: string) => void = () => {}): Promise<PreparedParallelLanguages> {
  const [a, b] = choice.languages;
  if (a === b) throw new Error(`the two languages are the same ('${a}')`);
  const key = createHash("sha256").update(JSON.stringify({ choice, tok, seed, v: 1 })).digest("hex").slice(0, 12);
  const dir = join(cacheRoot, `own-${choice.corpus}-${a}-${b}-${tok.vocabSize}-${key}`);
  const manifestPath = join(dir, "prepared.json");
  if (!existsSync(manifestPath)) await build(choice, tok, seed, dir, log);
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
  const languages = m.languages.map((l): OwnTokenizerLanguage => {
    const tokenizerPath = join(dir, l.lang, "tokenizer.model");
    let loaded: SentencePieceTokenizer | undefined;
    const tokenizer = () => (loaded ??= SentencePieceTokenizer.load(tokenizerPath));
    return {
      ...l, tokenizerPath, tokenizer,
      open: (split) => TokenCacheReader.open(join(dir, `${l.lang}.${split}.tokens`)),
      pieces: () => Array.from({ length: l.vocabSize }, (_, i) => tokenizer().idToPiece(i)),
    };
  }) as [OwnTokenizerLanguage, OwnTokenizerLanguage];
  return { dir, languages, testPairs: () => JSON.parse(readFileSync(join(dir, "test-pairs.json"), "utf8")) as HeldOutParallel[] };
}

async function build(choice: ParallelLanguagesChoice, tok: TokenizerChoice, seed: number, dir: string, log: (msg: string) => void): Promise<void> {
  const { reader, have } = parallelCorpusReader(choice.corpus);
  if (!reader) throw new Error(`unknown paragraph-parallel corpus '${choice.corpus}' (have: ${have.join(", ")})`);
  const available = await reader.languages();
  for (const l of choice.languages)
    if (!available.includes(l)) throw new Error(`corpus ${choice.corpus} has no language '${l}' (have: ${available.join(", ") || "none installed"})${choice.corpus === "libreoffice-help" ? `; convert it with: xling corpus libreoffice-help --lang ${choice.languages.join(",")}` : ""}`);
  mkdirSync(dir, { recursive: true });
  const splitSpec = { seed, valid: choice.validFraction, test: choice.testFraction };
  const texts = choice.languages.map(() => ({ train: [], valid: [], test: [] }) as Record<Split, string[]>);
  const testById = choice.languages.map(() => new Map<string, string>());
  const testOrder: string[] = [];
  log(`reading ${choice.corpus} (${choice.languages.join(", ")})`);
  for await (const u of reader.units([...choice.languages])) {
    const k = choice.languages.indexOf(u.lang);
    if (k < 0 || u.text.trim() === "") continue;
    const split = pairSplit(u.id, splitSpec);
    texts[k][split].push(u.text);
    if (split === "test") {
      if (k === 0) testOrder.push(u.id);
      testById[k].set(u.id, u.text);
    }
  }
  const manifestLangs: Manifest["languages"] = [];
  for (const [k, lang] of choice.languages.entries()) {
    for (const s of SPLITS)
      if (texts[k][s].length === 0) throw new Error(`${choice.corpus}/${lang}: the ${s} split is empty; raise its fraction or use a larger corpus`);
    const langDir = join(dir, lang);
    mkdirSync(langDir, { recursive: true });
    log(`training a ${tok.modelType} SentencePiece tokenizer for ${lang} alone, vocabulary ${tok.vocabSize}`);
    const { tokenizer, separatorId } = await trainCorpusTokenizer(texts[k].train, tok, langDir);
    const tokens = {} as Record<Split, number>;
    const documents = {} as Record<Split, number>;
    for (const s of SPLITS) {
      tokens[s] = writeDocumentsToCache(join(dir, `${lang}.${s}.tokens`), tokenizer.encodeBatch(texts[k][s]), { separatorId });
      documents[s] = texts[k][s].length;
    }
    manifestLangs.push({ lang, vocabSize: tokenizer.vocabSize, separatorId, documents, tokens });
  }
  const pairs: HeldOutParallel[] = testOrder.filter((id) => testById[1].has(id)).map((id) => ({ id, texts: [testById[0].get(id)!, testById[1].get(id)!] }));
  if (pairs.length === 0) throw new Error(`${choice.corpus}: no held-out paragraph is in both ${choice.languages.join(" and ")}`);
  writeFileAtomic(join(dir, "test-pairs.json"), JSON.stringify(pairs));
  const manifest: Manifest = { languages: manifestLangs, testPairs: pairs.length, choice, tokenizer: tok };
  writeFileAtomic(join(dir, "prepared.json"), JSON.stringify(manifest, null, 2));
}

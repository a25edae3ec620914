// Tokenised translation data for a decoder-only model (issue 19): one SentencePiece
// tokenizer shared by every language, with each target language's tag (`<2de>`) and the
// separator (`<sep>`) as reserved control pieces, and each pair stored as its source and
// target ids. A training example is `<2tgt> source <sep> target <eos>` (translationExample).
// Cached under a key of the settings, so every run of a study tokenises once.
//
// The tokenizer is trained on an equal number of characters of each language's training
// text (the smallest language's amount, as for language-model runs), so a direction's
// cap does not change the vocabulary.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { trainCorpusTokenizer, type TokenizerChoice } from "./prepare.js";
import { loadDirections, type DirectionChoice, type TranslationPair } from "./parallel-pairs.js";
import type { Split } from "./manifest.js";
import { writeFileAtomic } from "../util/atomic.js";
import { firstChars } from "./multilingual.js";

export const SEPARATOR_PIECE = "<sep>";
export const languageTag = (lang: string) => `<2${lang}>`;

export interface TranslationDataChoice {
  directions: DirectionChoice[];
  validFraction: number;
  testFraction: number;
  /** Pairs with a longer source or target (characters) are left out. */
  maxChars: number;
}

export interface EncodedPair extends TranslationPair {
  sourceIds: number[];
  targetIds: number[];
}

export interface PreparedDirection {
  name: string;
  src: string;
  tgt: string;
  /** Training pairs before the direction's cap. */
  available: number;
  pairs: Record<Split, EncodedPair[]>;
}

export interface PreparedTranslation {
  dir: string;
  tokenizerPath: string;
  vocabSize: number;
  separatorId: number;
  eosId: number;
  /** Language -> id of its tag piece. */
  tagIds: Record<string, number>;
  directions: PreparedDirection[];
}

export async function prepareTranslation(choice: TranslationDataChoice, tok: TokenizerChoice, cacheRoot: string, seed = 0,
  log: (msg: string) => void = () => {}): Promise<PreparedTranslation> {
  const key = createHash("sha256").update(JSON.stringify({ choice, tok, seed, v: 1 })).digest("hex").slice(0, 12);
  const dir = join(cacheRoot, `translation-${key}`);
  const path = join(dir, "prepared.json");
  if (!existsSync(path)) await build(choice, tok, seed, dir, log);
  const p = JSON.parse(readFileSync(path, "utf8")) as Omit<PreparedTranslation, "dir" | "tokenizerPath">;
  return { ...p, dir, tokenizerPath: join(dir, "tokenizer.model") };
}

/** The languages of a direction set, sources first, in order of appearance. */
export function directionLanguages(directions: readonly { src: string; tgt: string }[]): string[] {
  return [...new Set(directions.flatMap((d) => [d.src, d.tgt]))];
}

async function build(choice: TranslationDataChoice, tok: TokenizerChoice, seed: number, dir: string, log: (msg: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  log(`reading ${choice.directions.length} translation directions`);
  const directions = await loadDirections(choice.directions, { seed, valid: choice.validFraction, test: choice.testFraction }, { maxChars: choice.maxChars });
  const langs = directionLanguages(directions);
  // Each language's training text (deduplicated: en is the source of several directions).
  const texts = new Map<string, Map<string, string>>(langs.map((l) => [l, new Map()]));
  for (const d of directions)
    for (const p of d.uncappedTrain) {
      texts.get(d.src)!.set(p.id, p.source);
      texts.get(d.tgt)!.set(p.id, p.target);
    }
  const perLang = langs.map((l) => [...texts.get(l)!.values()]);
  const chars = Math.min(...perLang.map((t) => t.reduce((s, x) => s + x.length, 0)));
  const sample = perLang.flatMap((t) => firstChars(t, chars));
  const controls = [SEPARATOR_PIECE, ...langs.map(languageTag)];
  log(`training a ${tok.modelType} SentencePiece tokenizer, vocabulary ${tok.vocabSize}, ${chars} characters per language, reserved ${controls.join(" ")}`);
  const { tokenizer } = await trainCorpusTokenizer(sample, { ...tok, controlSymbols: [...(tok.controlSymbols ?? []), ...controls] }, dir);
  const encoded = directions.map((d): PreparedDirection => {
    const pairs = {} as Record<Split, EncodedPair[]>;
    for (const s of ["train", "valid", "test"] as Split[]) {
      const src = tokenizer.encodeBatch(d.pairs[s].map((p) => p.source));
      const tgt = tokenizer.encodeBatch(d.pairs[s].map((p) => p.target));
      pairs[s] = d.pairs[s].map((p, i) => ({ ...p, sourceIds: Array.from(src[i]), targetIds: Array.from(tgt[i]) }));
    }
    log(`${d.name}: ${pairs.train.length} training pairs (of ${d.available}), ${pairs.valid.length} valid, ${pairs.test.length} test`);
    return { name: d.name, src: d.src, tgt: d.tgt, available: d.available, pairs };
  });
  if (tokenizer.eosId < 0) throw new Error("the translation tokenizer needs an end-of-sequence piece");
  const prepared = {
    vocabSize: tokenizer.vocabSize, separatorId: tokenizer.pieceToId(SEPARATOR_PIECE), eosId: tokenizer.eosId,
    tagIds: Object.fromEntries(langs.map((l) => [l, tokenizer.pieceToId(languageTag(l))])), directions: encoded,
  };
  writeFileAtomic(join(dir, "prepared.json"), JSON.stringify(prepared));
}

/** `<2tgt> source <sep> target <eos>` as token ids. */
export function translationExample(tagId: number, sourceIds: readonly number[], separatorId: number, targetIds: readonly number[], eosId: number): number[] {
  return [tagId, ...sourceIds, separatorId, ...targetIds, eosId];
}

/** The decoding prompt `<2tgt> source <sep>`. */
export function translationPrompt(tagId: number, sourceIds: readonly number[], separatorId: number): number[] {
  return [tagId, ...sourceIds, separatorId];
}

/** Loads the tokenizer of a prepared translation set and checks its reserved pieces. */
export function loadTranslationTokenizer(path: string, langs: string[]): { tokenizer: SentencePieceTokenizer; separatorId: number; tagIds: Record<string, number> } {
  const tokenizer = SentencePieceTokenizer.load(path);
  const separatorId = tokenizer.pieceToId(SEPARATOR_PIECE);
  if (separatorId === tokenizer.unkId) throw new Error(`${path}: the tokenizer has no ${SEPARATOR_PIECE} piece`);
  const tagIds = Object.fromEntries(langs.map((l) => [l, tokenizer.pieceToId(languageTag(l))]));
  return { tokenizer, separatorId, tagIds };
}

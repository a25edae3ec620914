// Turns an embedded or user corpus into what a language-model run trains on: a
// SentencePiece tokenizer trained on the training split, and the three splits encoded
// and packed into token caches. Everything is cached under a key of the settings, so
// the runs of an experiment (and later experiments) tokenize once.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { Split } from "./manifest.js";
import { TokenCacheReader, writeDocumentsToCache } from "./token-cache.js";
import { readLanguage } from "./multilingual.js";
import { writeFileAtomic } from "../util/atomic.js";
import type { CorpusName } from "./multilingual.js";
import { splitDocuments, trainCorpusTokenizer, type TokenizerChoice } from "./corpus-tokenizer.js";

export { splitDocuments, trainCorpusTokenizer, type TokenizerChoice } from "./corpus-tokenizer.js";

export interface CorpusChoice {
  name: CorpusName;
  lang: string;
  translation?: string;
  path?: string;
  validFraction: number;
  testFraction: number;
}

export interface PreparedCorpus {
  dir: string;
  tokenizerPath: string;
  vocabSize: number;
  /** Id placed between documents in the token streams. */
  separatorId: number;
  /** Unknown, control and padding pieces (a clone study's anchors with clones.anchors "all-special"). */
  specialIds: number[];
  /** The padding id, -1 when the tokenizer has none. */
  padId: number;
  documents: Record<Split, number>;
  tokens: Record<Split, number>;
  cachePath(split: Split): string;
  open(split: Split): TokenCacheReader;
}

interface PreparedManifest {
  vocabSize: number;
  separatorId: number;
  specialIds: number[];
  documents: Record<Split, number>;
  tokens: Record<Split, number>;
  corpus: CorpusChoice;
  tokenizer: TokenizerChoice;
}

const SPLITS: Split[] = ["train", "valid", "test"];

export async function prepareCorpus(corpus: CorpusChoice, tok: TokenizerChoice, cacheRoot: string, seed = 0,
  log: (msg: string) => void = () => {}): Promise<PreparedCorpus> {
  const key = createHash("sha256").update(JSON.stringify({ corpus, tok, seed, v: 1 })).digest("hex").slice(0, 12);
  const dir = join(cacheRoot, `${corpus.name}-${corpus.lang}-${tok.vocabSize}-${key}`);
  const manifestPath = join(dir, "prepared.json");
  if (!existsSync(manifestPath)) await build(corpus, tok, seed, dir, log);
  const m = JSON.parse(readFileSync(manifestPath, "utf8")) as PreparedManifest;
  const cachePath = (split: Split) => join(dir, `${split}.tokens`);
  return {
    dir, tokenizerPath: join(dir, "tokenizer.model"), vocabSize: m.vocabSize, separatorId: m.separatorId,
    specialIds: m.specialIds, padId: m.tokenizer.padId ?? -1, documents: m.documents, tokens: m.tokens, cachePath,
    open: (split) => TokenCacheReader.open(cachePath(split)),
  };
}

async function build(corpus: CorpusChoice, tok: TokenizerChoice, seed: number, dir: string, log: (msg: string) => void): Promise<void> {
  mkdirSync(dir, { recursive: true });
  log(`reading ${corpus.name} (${corpus.lang})`);
  const bySplit = splitDocuments(await readDocuments(corpus), { seed, valid: corpus.validFraction, test: corpus.testFraction }, `${corpus.name}/${corpus.lang}`);
  log(`training a ${tok.modelType} SentencePiece tokenizer, vocabulary ${tok.vocabSize}`);
  const { tokenizer, separatorId, specialIds } = await trainCorpusTokenizer(bySplit.train, tok, dir);
  const tokens = {} as Record<Split, number>;
  const documents = {} as Record<Split, number>;
  for (const s of SPLITS) {
    log(`encoding the ${s} split (${bySplit[s].length} documents)`);
    tokens[s] = writeDocumentsToCache(join(dir, `${s}.tokens`), tokenizer.encodeBatch(bySplit[s]), { separatorId });
    documents[s] = bySplit[s].length;
  }
  const manifest: PreparedManifest = { vocabSize: tokenizer.vocabSize, separatorId, specialIds, documents, tokens, corpus, tokenizer: tok };
  writeFileAtomic(join(dir, "prepared.json"), JSON.stringify(manifest, null, 2));
}

function readDocuments(c: CorpusChoice): Promise<string[]> {
  return readLanguage({ lang: c.lang, corpus: c.name, translation: c.translation, path: c.path });
}

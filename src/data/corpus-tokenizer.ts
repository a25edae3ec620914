// What monolingual (prepare.ts) and multilingual (multilingual.ts) corpus preparation
// share: the document split and the corpus tokenizer's training.
import { renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { splitOf, type Split, type SplitSpec } from "./manifest.js";
import { trainTokenizer, type SentencePieceTokenizer } from "./tokenizer.js";

const SPLITS: Split[] = ["train", "valid", "test"];

export interface TokenizerChoice {
  vocabSize: number;
  modelType: "unigram" | "bpe";
  characterCoverage: number;
  /** A padding piece (encoders pad sequences; language models pack them). */
  padId?: number;
  /** Extra control pieces, e.g. "<mask>" for masked-LM pretraining. */
  controlSymbols?: string[];
}

/** A corpus's documents by split (hash of seed and document index); every split must get some. */
export function splitDocuments(texts: string[], spec: SplitSpec, what: string): Record<Split, string[]> {
  if (texts.length < 3) throw new Error(`${what}: only ${texts.length} documents; need at least 3 to split`);
  const bySplit: Record<Split, string[]> = { train: [], valid: [], test: [] };
  texts.forEach((t, i) => bySplit[splitOf(i, spec)].push(t));
  for (const s of SPLITS) if (bySplit[s].length === 0) throw new Error(`${what}: the ${s} split is empty; raise its fraction`);
  return bySplit;
}

/**
 * Trains the SentencePiece model of a prepared corpus into dir/tokenizer.model (written
 * under a temporary name first, so a crash leaves no half model), and names the id put
 * between documents and the ids that are never cloned or masked.
 */
export async function trainCorpusTokenizer(texts: string[], tok: TokenizerChoice, dir: string): Promise<{ tokenizer: SentencePieceTokenizer; separatorId: number; specialIds: number[] }> {
  const tmpPrefix = join(dir, `tokenizer.tmp-${process.pid}`);
  const tokenizer = await trainTokenizer(texts, {
    modelPrefix: tmpPrefix, vocabSize: tok.vocabSize, modelType: tok.modelType, characterCoverage: tok.characterCoverage,
    numThreads: 2, tmpDir: dir, padId: tok.padId, controlSymbols: tok.controlSymbols,
  });
  renameSync(`${tmpPrefix}.model`, join(dir, "tokenizer.model"));
  rmSync(`${tmpPrefix}.vocab`, { force: true });
  const separatorId = tokenizer.eosId >= 0 ? tokenizer.eosId : tokenizer.unkId;
  const specialIds = [tokenizer.unkId, tokenizer.bosId, tokenizer.eosId, tokenizer.padId].filter((i) => i >= 0);
  return { tokenizer, separatorId, specialIds };
}

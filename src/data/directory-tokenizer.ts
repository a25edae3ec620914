// The tokenizer saved in a Hugging Face model directory (src/nn/huggingface.ts names its files).
import { HfTokenizer } from "./hf-tokenizer.js";
import { SentencePieceTokenizer } from "./tokenizer.js";
import { SENTENCEPIECE_FILES, sentencePiecePath, tokenizerJsonPath } from "../nn/huggingface.js";

/**
 * The tokenizer of a model directory: its SentencePiece model when it has one (the
 * XLM-R family), else its tokenizer.json (BERT family, GPT-2). Both give ids through
 * encode / encodeBatch / decode and report vocabSize and padId.
 */
export function loadDirectoryTokenizer(dir: string): SentencePieceTokenizer | HfTokenizer {
  const spm = sentencePiecePath(dir);
  if (spm) return SentencePieceTokenizer.load(spm);
  const json = tokenizerJsonPath(dir);
  if (json) return HfTokenizer.load(json);
  throw new Error(`${dir}: no tokenizer found (looked for ${[...SENTENCEPIECE_FILES, "tokenizer.json"].join(", ")})`);
}

// Checks a text file before SentencePiece trains on it. Why: SentencePiece reads bytes
// as they come, so invalid UTF-8 entered a vocabulary silently, and an empty file ended
// in an assertion from inside the library with no file named. Both are now errors
// naming the file (and the line).
import { existsSync } from "node:fs";
import { DataError } from "./errors.js";
import { readLines } from "./readers/lines.js";

/** Throws a DataError naming file:line for invalid UTF-8, or the file when it has no text. */
export async function checkTokenizerInput(path: string): Promise<void> {
  if (!existsSync(path)) throw new DataError(path, undefined, "no such file (the tokenizer's training text)");
  let text = false;
  for await (const { lineNo, text: line } of readLines(path)) {
    if (line === null) throw new DataError(path, lineNo, "invalid UTF-8 (a tokenizer is trained on UTF-8 text; fix or remove the line)");
    if (!text && line.trim() !== "") text = true;
  }
  if (!text) throw new DataError(path, undefined, "no text to train a tokenizer on (the file is empty or blank)");
}

// A tiny clone-study configuration that trains in seconds, shared by the experiment tests.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TEST_CACHE = join(tmpdir(), "xling-test-cache");

export function tinySpec(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    base: {
      corpus: { name: "bible", lang: "en", translation: "kjv" },
      tokenizer: { vocabSize: 512 },
      model: { size: "custom", dModel: 32, layers: 2, heads: 2, seqLen: 16 },
      train: { steps: 24, batchSize: 4, warmup: 4, checkpointEvery: 4, threads: 1 },
      eval: { every: 12, tokens: 512, alignmentSequences: 4 },
      data: { ratio: 0.1 },
    },
    ...extra,
  };
}

const WORDS = ["red", "blue", "green", "house", "tree", "dog", "cat", "big", "small", "old"];

/** Synthetic translation pairs (TSV: source, target, unit id); f maps each source word to its translation. */
export function writeTranslationPairs(dir: string, name: string, n: number, f: (w: string) => string): string {
  const lines = Array.from({ length: n }, (_, i) => {
    const src = [WORDS[i % 10], WORDS[(i * 3 + 1) % 10], WORDS[(i * 7 + 2) % 10]].join(" ");
    return `${src}\t${src.split(" ").map(f).join(" ")}\tunit-${i}`;
  });
  const path = join(dir, name);
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

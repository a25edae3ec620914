// A tiny clone-study configuration that trains in seconds, shared by the experiment tests.
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

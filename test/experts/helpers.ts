// Shared checks for the expert tests.
import assert from "node:assert/strict";

export function assertNear(actual: number, expected: number, tol: number, what = "value"): void {
  if (!(Math.abs(actual - expected) <= tol)) {
    assert.fail(`${what}: ${actual} vs expected ${expected} (difference ${Math.abs(actual - expected)} > ${tol})`);
  }
}

export function assertAllNear(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what = "array"): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) assertNear(actual[i]!, expected[i]!, tol, `${what}[${i}]`);
}

/** A four-language UDHR expert study that trains in seconds: {en} and {fr, es}, pt left to add. */
export function tinyStudy(extra: Record<string, unknown> = {}) {
  return {
    name: "btm-test",
    corpus: {
      languages: [
        { lang: "en", corpus: "udhr", code: "eng" }, { lang: "fr", corpus: "udhr", code: "fra" },
        { lang: "es", corpus: "udhr", code: "spa" }, { lang: "pt", corpus: "udhr", code: "por_PT" },
      ],
      validFraction: 0.15, testFraction: 0.15,
    },
    tokenizer: { vocabSize: 256 },
    model: { size: "custom", dModel: 32, layers: 1, heads: 2, seqLen: 16 },
    seed: { steps: 3 },
    experts: { k: 2, languages: ["en", "fr", "es"], partition: { method: "language-map", map: { en: 0, fr: 1, es: 1 } }, similarity: { method: "geographic" }, steps: 4 },
    train: { batchSize: 4, warmup: 1, checkpointEvery: 2 },
    eval: { tokens: 340, priorBatches: 2, batch: 8, dimensions: 8 },
    ...extra,
  };
}

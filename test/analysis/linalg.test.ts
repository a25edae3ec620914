import { test } from "node:test";
import assert from "node:assert/strict";
import * as analysis from "../../src/analysis/index.js";
import { inverseSpd, solveSpd, symmetricEigenvalues } from "../../src/analysis/linalg.js";
import { assertNear } from "./helpers.js";

test("SPD solve and inverse by hand", () => {
  // [[4, 2], [2, 3]] x = [2, 1] has x = [0.5, 0]; the inverse is [[3, -2], [-2, 4]] / 8.
  const a = Float64Array.of(4, 2, 2, 3);
  assert.deepEqual(Array.from(solveSpd(a, Float64Array.of(2, 1), 2)!), [0.5, 0]);
  const inv = inverseSpd(a, 2)!;
  [3 / 8, -2 / 8, -2 / 8, 4 / 8].forEach((v, i) => assertNear(inv[i]!, v, 1e-15));
  assert.equal(solveSpd(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2), null);
});

test("symmetric eigenvalues by hand", () => {
  // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
  const e2 = symmetricEigenvalues(Float64Array.of(2, 1, 1, 2), 2);
  assertNear(e2[0]!, 1, 1e-14);
  assertNear(e2[1]!, 3, 1e-14);
  // [[2, -1, 0], [-1, 2, -1], [0, -1, 2]] has eigenvalues 2 - sqrt2, 2, 2 + sqrt2.
  const e3 = symmetricEigenvalues(Float64Array.of(2, -1, 0, -1, 2, -1, 0, -1, 2), 3);
  [2 - Math.SQRT2, 2, 2 + Math.SQRT2].forEach((v, i) => assertNear(e3[i]!, v, 1e-14));
});

test("the index re-exports every module", () => {
  for (const name of [
    "fitPowerLaw",
    "invertPowerLaw",
    "tokenEfficiency",
    "maxWeightMatching",
    "cosine",
    "linearCka",
    "silhouetteScore",
    "embeddingCloneSimilarity",
    "retrievalAccuracy",
    "spearman",
    "bootstrapSpearman",
    "meanConfidenceInterval",
    "linearRegression",
  ]) {
    assert.equal(typeof (analysis as Record<string, unknown>)[name], "function", name);
  }
});

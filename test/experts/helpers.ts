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

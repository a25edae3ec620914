// Verdicts from per-seed effects, against intervals worked by hand:
// t(0.975, 2) = 4.302652729911275, t(0.975, 1) = 12.706204736174707 (statistical tables).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { effectInterval, verdictAtScale, verdictOf } from "../../src/reproduce/verdict.js";

const T2 = 4.302652729911275;
const T1 = 12.706204736174707;

function close(a: number | null, b: number, what: string): void {
  assert.ok(a !== null && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
}

describe("reproduce verdicts", () => {
  it("three seeds straddling 0 are inconclusive: [1, 2, 3] gives 2 +- 4.3027/sqrt(3)", () => {
    const i = effectInterval([1, 2, 3]);
    close(i.mean, 2, "mean");
    close(i.lower, 2 - T2 / Math.sqrt(3), "lower");
    close(i.upper, 2 + T2 / Math.sqrt(3), "upper");
    assert.equal(verdictOf(i), "inconclusive");
  });

  it("an interval wholly above 0 is reproduced: [2, 3, 4] gives [0.5159, 5.4841]", () => {
    const i = effectInterval([2, 3, 4]);
    close(i.lower, 3 - T2 / Math.sqrt(3), "lower");
    assert.ok(i.lower! > 0);
    assert.equal(verdictOf(i), "reproduced");
  });

  it("an interval wholly below 0 is not reproduced", () => {
    const i = effectInterval([-2, -3, -4]);
    close(i.upper, -3 + T2 / Math.sqrt(3), "upper");
    assert.equal(verdictOf(i), "not reproduced");
  });

  it("two seeds use 1 degree of freedom: [1, 2] gives 1.5 +- 12.706 x 0.5", () => {
    const i = effectInterval([1, 2]);
    close(i.lower, 1.5 - T1 * 0.5, "lower");
    close(i.upper, 1.5 + T1 * 0.5, "upper");
    assert.equal(verdictOf(i), "inconclusive");
  });

  it("one seed has no interval and no verdict beyond inconclusive, however large", () => {
    const i = effectInterval([100]);
    assert.equal(i.lower, null);
    assert.equal(i.upper, null);
    assert.equal(verdictOf(i), "inconclusive");
  });

  it("an interval touching 0 does not exclude no effect", () => {
    assert.equal(verdictOf(effectInterval([0, 0, 0])), "inconclusive");
  });

  it("quick scale never claims a verdict", () => {
    assert.equal(verdictAtScale(effectInterval([2, 3, 4]), "quick"), "no verdict at quick scale");
    assert.equal(verdictAtScale(effectInterval([2, 3, 4]), "machine"), "reproduced");
  });

  it("no values is an error, not a verdict", () => {
    assert.throws(() => effectInterval([]), /no per-seed values/);
  });
});

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alignmentErrorRate, corpusAlignmentErrorRate, parseGoldAlignments } from "../../src/transfer/aer.js";
import { parsePharaoh as L } from "../../src/transfer/symmetrize.js";

describe("alignment error rate", () => {
  it("matches the definition on a hand-worked case", () => {
    // A = {0-0, 1-1, 2-2}, S = {0-0, 1-2}, P = S + {1-1}.
    // |A∩S| = 1 (0-0), |A∩P| = 2 (0-0, 1-1), |A| + |S| = 5, so AER = 1 - 3/5 = 0.4.
    assert.ok(Math.abs(alignmentErrorRate(L("0-0 1-1 2-2"), L("0-0 1-2"), L("1-1")) - 0.4) < 1e-12);
    // Predicting exactly the sure links gives 0; predicting only impossible links gives 1.
    assert.equal(alignmentErrorRate(L("0-0 1-2"), L("0-0 1-2"), L("1-1")), 0);
    assert.equal(alignmentErrorRate(L("3-3"), L("0-0 1-2"), []), 1);
  });

  it("sums counts over sentences before dividing", () => {
    const gold = parseGoldAlignments("ref: a\nsrc: x y\ntgt: u v\nsure: 0-0 1-1\n\nref: b\nsrc: x\ntgt: u\nsure: 0-0\n");
    // Sentence a: A = {0-0}: 2 hits over 1 + 2; sentence b: A = {}: 0 over 0 + 1. Total 1 - 2/4.
    assert.equal(corpusAlignmentErrorRate([L("0-0"), []], gold), 0.5);
  });

  it("parses the gold format and rejects links outside the sentence", () => {
    const [g] = parseGoldAlignments("# note\nref: r\nsrc: a b\ntgt: c d\nsure: 0-1\npossible: 1-0 0-1\n");
    assert.deepEqual(g!.src, ["a", "b"]);
    assert.deepEqual(g!.possible, L("0-1 1-0"));
    assert.throws(() => parseGoldAlignments("ref: r\nsrc: a\ntgt: c\nsure: 0-3\n"), /outside/);
    assert.throws(() => parseGoldAlignments("ref: r\nsrc: a\nsure: 0-0\n"), /lacks "tgt:"/);
  });
});

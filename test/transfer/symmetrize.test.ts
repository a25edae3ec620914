import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatPharaoh, growDiag, growDiagFinal, growDiagFinalAnd, intersection, oneToOneLinks, parsePharaoh, union, type Link } from "../../src/transfer/symmetrize.js";

const L = (s: string): Link[] => parsePharaoh(s);

describe("symmetrisation", () => {
  // Case A (4 x 4). Rows are source tokens, columns target tokens; F = forward, R = reverse, B = both.
  //        t0 t1 t2 t3
  //   s0   B  .  .  .
  //   s1   .  B  .  .
  //   s2   .  .  R  F
  //   s3   .  .  F  R
  // Intersection {0-0, 1-1}. Growing, 1-1 has diagonal neighbour 2-2 (union, s2 unaligned): add.
  // The scan then reaches 2-2: neighbour (1,0) = 3-2 is in the union with s3 unaligned: add;
  // neighbour (0,1) = 2-3 has t3 unaligned: add; neighbour (1,1) = 3-3 now has s3 and t3
  // aligned: skip. Nothing else can be added, and the final steps find every remaining
  // directional link (3-3) with both ends aligned, so all three grow variants agree.
  const fA = L("0-0 1-1 2-3 3-2");
  const rA = L("0-0 1-1 2-2 3-3");

  it("intersection and union", () => {
    assert.deepEqual(intersection(fA, rA), L("0-0 1-1"));
    assert.deepEqual(union(fA, rA), L("0-0 1-1 2-2 2-3 3-2 3-3"));
  });

  it("grow-diag adds diagonal neighbours that touch an unaligned token", () => {
    assert.deepEqual(growDiag(fA, rA), L("0-0 1-1 2-2 2-3 3-2"));
    assert.deepEqual(growDiagFinal(fA, rA), L("0-0 1-1 2-2 2-3 3-2"));
    assert.deepEqual(growDiagFinalAnd(fA, rA), L("0-0 1-1 2-2 2-3 3-2"));
  });

  // Case B (5 x 5), where the final steps matter:
  //        t0 t1 t2 t3 t4
  //   s0   B  .  .  .  .
  //   s1   .  B  .  .  .
  //   s2   .  .  .  R  F
  //   s3   .  .  .  R  .
  //   s4   .  .  F  .  R
  // Intersection {0-0, 1-1}; no union link neighbours them, so grow-diag stops there.
  // FINAL over F (row-major): 2-4 (s2, t4 free) added, 4-2 (s4, t2 free) added.
  // FINAL over R: 2-3 has s2 aligned and t3 free: added by "or", refused by "and".
  //   3-3: with "or", t3 is taken by 2-3 but s3 is free: added; with "and", both free: added.
  //   4-4: s4 and t4 both aligned: refused by both.
  const fB = L("0-0 1-1 2-4 4-2");
  const rB = L("0-0 1-1 2-3 3-3 4-4");

  it("grow-diag-final and grow-diag-final-and differ on a link with one free end", () => {
    assert.deepEqual(growDiag(fB, rB), L("0-0 1-1"));
    assert.deepEqual(growDiagFinal(fB, rB), L("0-0 1-1 2-3 2-4 3-3 4-2"));
    assert.deepEqual(growDiagFinalAnd(fB, rB), L("0-0 1-1 2-4 3-3 4-2"));
  });

  it("results are subsets of the union and supersets of the intersection", () => {
    for (const [f, r] of [[fA, rA], [fB, rB]] as const) {
      const u = new Set(union(f, r).map((l) => `${l[0]}-${l[1]}`));
      for (const sym of [growDiag(f, r), growDiagFinal(f, r), growDiagFinalAnd(f, r)]) {
        const keys = new Set(sym.map((l) => `${l[0]}-${l[1]}`));
        for (const k of keys) assert.ok(u.has(k), `${k} not in union`);
        for (const [s, t] of intersection(f, r)) assert.ok(keys.has(`${s}-${t}`));
      }
    }
  });

  it("one-to-one links and Pharaoh round trip", () => {
    // s0 links to t0 and t1, so both of those go; 2-2 is the only one-to-one link.
    assert.deepEqual(oneToOneLinks(L("0-0 0-1 2-2")), L("2-2"));
    assert.equal(formatPharaoh(L("0-1 2-3")), "0-1 2-3");
    assert.deepEqual(parsePharaoh(""), []);
    assert.throws(() => parsePharaoh("0-1 x"), /malformed/);
    assert.throws(() => intersection([[-1, 0]], []), /non-negative/);
  });
});

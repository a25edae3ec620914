// Realignment pieces against hand-worked cases: first-subword and mean word vectors,
// the projection head's shape, and the InfoNCE value on a 3-word batch in both variants.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tensor } from "../../src/torch/index.js";
import { ProjectionHead, batchInfoNce, infoNce, spanPooling, wordVectors } from "../../src/transfer/realign.js";
import { assertClose, gradcheck, input } from "../helpers.js";

const E = Math.E;
const log = Math.log;

describe("word vectors from subword states", () => {
  // One text of 4 positions, hidden size 2: states (0,0), (1,10), (3,30), (5,50).
  const states = tensor(Float32Array.from([0, 0, 1, 10, 3, 30, 5, 50]), { shape: [1, 4, 2] });
  const slots = [{ row: 0, span: [1, 3] as [number, number] }, { row: 0, span: [3, 4] as [number, number] }];

  it("first subword by default", () => {
    assertClose(wordVectors(states, spanPooling(slots, 1, 4)).toArray() as Float32Array, [1, 10, 5, 50], 1e-6, "first");
  });

  it("mean of the subwords as the option", () => {
    assertClose(wordVectors(states, spanPooling(slots, 1, 4, "float32", "mean")).toArray() as Float32Array, [2, 20, 5, 50], 1e-6, "mean");
  });
});

describe("projection head", () => {
  it("Linear(h,h)-ReLU-Linear(h,128) without bias by default; bias as the option", () => {
    const head = new ProjectionHead(8, 128);
    assert.deepEqual(head.namedParameters().map(([n, p]) => [n, p.shape]), [["dense.weight", [8, 8]], ["out.weight", [128, 8]]]);
    assert.deepEqual(head.forward(tensor(new Float32Array(3 * 8).fill(1), { shape: [3, 8] })).shape, [3, 128]);
    assert.equal(new ProjectionHead(8, 128, { bias: true }).namedParameters().length, 4);
  });
});

describe("InfoNCE on a 3-word batch, by hand", () => {
  // Source words s = (1,0), (0,1), (-1,0); their translations t = (1,0), (0,1), (0,-1);
  // temperature 1, so logits are cosines. Source vectors are given at other lengths to
  // check that they are normalised first.
  const src = tensor(Float32Array.from([2, 0, 0, 3, -5, 0]), { shape: [3, 2] });
  const tgt = tensor(Float32Array.from([1, 0, 0, 1, 0, -1]), { shape: [3, 2] });

  it("cross negatives: each word against the other language's aligned words, both directions", () => {
    // s -> t rows: s1 [1, 0, 0] (positive 1), s2 [0, 1, -1] (1), s3 [-1, 0, 0] (0).
    const rows = [log(E + 2) - 1, log(1 + E + 1 / E) - 1, log(2 + 1 / E)];
    // t -> s rows: t1 [1, 0, -1] (1), t2 [0, 1, 0] (1), t3 [0, -1, 0] (0).
    const cols = [log(E + 1 + 1 / E) - 1, log(2 + E) - 1, log(2 + 1 / E)];
    const expected = ((rows[0] + rows[1] + rows[2]) / 3 + (cols[0] + cols[1] + cols[2]) / 3) / 2;
    assertClose([infoNce(src, tgt, 1).item()], [expected], 1e-6, "cross");
  });

  it("strong: same-language words are negatives too", () => {
    // Each of the 6 words against the other 5 (positive its translation):
    // s1: s2 0, s3 -1, t1 1, t2 0, t3 0;   s2: s1 0, s3 0, t1 0, t2 1, t3 -1;   s3: s1 -1, s2 0, t1 -1, t2 0, t3 0;
    // t1: s1 1, s2 0, s3 -1, t2 0, t3 0;   t2: s1 0, s2 1, s3 0, t1 0, t3 -1;   t3: s1 0, s2 -1, s3 0, t1 0, t2 -1.
    const a = log(E + 3 + 1 / E) - 1;
    const c = log(3 + 2 / E);
    const expected = (a + a + c + a + a + c) / 6;
    assertClose([infoNce(src, tgt, 1, "strong").item()], [expected], 1e-6, "strong");
  });

  it("temperature divides the logits", () => {
    // One pair against one other, cross: rows s1 [1, 0] / 0.5 and s2 [0, 1] / 0.5; columns the same.
    const s = tensor(Float32Array.from([1, 0, 0, 1]), { shape: [2, 2] });
    assertClose([infoNce(s, s, 0.5).item()], [log(E ** 2 + 1) - 2], 1e-6, "tau 0.5");
  });
});

describe("InfoNCE over all words of a batch (the method), by hand", () => {
  // Three words a side, the third of each unlinked: s = (1,0), (0,1), (-1,0) and
  // t = (1,0), (0,1), (0,-1); links s1-t1, s2-t2; temperature 1 (logits are cosines).
  const src = tensor(Float32Array.from([3, 0, 0, 2, -1, 0]), { shape: [3, 2] });
  const tgt = tensor(Float32Array.from([1, 0, 0, 4, 0, -1]), { shape: [3, 2] });
  const links: [number, number][] = [[0, 0], [1, 1]];

  it("cross: each linked word against every word of the other language, the unlinked one included", () => {
    // s1 vs T [1, 0, 0] (positive t1); s2 vs T [0, 1, -1] (t2); t1 vs S [1, 0, -1] (s1); t2 vs S [0, 1, 0] (s2).
    const expected = (log(E + 2) - 1 + log(1 + E + 1 / E) - 1 + log(E + 1 + 1 / E) - 1 + log(2 + E) - 1) / 4;
    assertClose([batchInfoNce(src, tgt, links, 1).item()], [expected], 1e-6, "cross");
  });

  it("strong: each linked word against all other five words of both languages", () => {
    // s1: s2 0, s3 -1, t1 1, t2 0, t3 0 -> log(e + 3 + 1/e) - 1, and by symmetry the same for s2, t1, t2.
    assertClose([batchInfoNce(src, tgt, links, 1, "strong").item()], [log(E + 3 + 1 / E) - 1], 1e-6, "strong");
  });

  it("with only the linked words it is the N x N InfoNCE", () => {
    const s = tensor(Float32Array.from([2, 0, 0, 3, -5, 0]), { shape: [3, 2] });
    const t = tensor(Float32Array.from([1, 0, 0, 1, 0, -1]), { shape: [3, 2] });
    const diag: [number, number][] = [[0, 0], [1, 1], [2, 2]];
    for (const neg of ["cross", "strong"] as const) assertClose([batchInfoNce(s, t, diag, 0.7, neg).item()], [infoNce(s, t, 0.7, neg).item()], 1e-6, neg);
  });

  // Float64 reference of the formula, written out term by term.
  function reference(s: Float64Array, t: Float64Array, d: number, links: [number, number][], tau: number, strong: boolean): number {
    const unit = (x: Float64Array) => Array.from({ length: x.length / d }, (_, i) => {
      const v = Array.from(x.subarray(i * d, (i + 1) * d));
      const n = Math.hypot(...v);
      return v.map((a) => a / n);
    });
    const S = unit(s);
    const T = unit(t);
    const dot = (a: number[], b: number[]) => a.reduce((acc, v, k) => acc + v * b[k], 0);
    const term = (q: number[], pos: number[], cands: number[][]) => -(dot(q, pos) / tau) + log(cands.reduce((acc, c) => acc + Math.exp(dot(q, c) / tau), 0));
    let sum = 0;
    for (const [a, b] of links) {
      const fromS = strong ? [...S.filter((_, k) => k !== a), ...T] : T;
      const fromT = strong ? [...S, ...T.filter((_, k) => k !== b)] : S;
      sum += term(S[a], T[b], fromS) + term(T[b], S[a], fromT);
    }
    return sum / (2 * links.length);
  }

  it("matches the formula in float64 on random vectors, and its gradient matches finite differences", () => {
    const s = input([5, 3], 11);
    const t = input([4, 3], 12);
    const pairs: [number, number][] = [[0, 2], [3, 0], [4, 1]];
    for (const strong of [false, true]) {
      const neg = strong ? "strong" : "cross";
      const value = batchInfoNce(tensor(s.data, { shape: s.shape }), tensor(t.data, { shape: t.shape }), pairs, 0.3, neg).item();
      assertClose([value], [reference(s.data, t.data, 3, pairs, 0.3, strong)], 1e-10, `${neg} value`);
      gradcheck(`batchInfoNce ${neg}`, ([a, b]) => batchInfoNce(a, b, pairs, 0.3, neg), [s, t], { tol: 1e-6 });
    }
  });
});

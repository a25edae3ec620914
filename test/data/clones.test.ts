import { test } from "node:test";
import assert from "node:assert/strict";
import { CloneMapping, cloneExclusions, anchoredVocabulary, disjointVocabulary, fromJointTable, toJoint } from "../../src/data/clones.js";

test("clone k maps cloned ids to i + k*V and keeps anchors shared", () => {
  const m = new CloneMapping({ vocabSize: 100, numLanguages: 3, fracClone: 0.5, seed: 1, exclude: [0, 1] });
  assert.equal(m.modelVocabSize, 300);
  assert.equal(m.numCloned, 49);
  assert.equal(m.isCloned(0), false);
  assert.equal(m.isCloned(1), false);
  let cloned = 0;
  for (let i = 0; i < 100; i++) {
    if (m.isCloned(i)) {
      cloned++;
      assert.equal(m.map(i, 0), i);
      assert.equal(m.map(i, 1), i + 100);
      assert.equal(m.map(i, 2), i + 200);
    } else {
      assert.equal(m.map(i, 2), i);
    }
  }
  assert.equal(cloned, 49);
});

test("the cloned set is a seeded choice that never includes excluded ids", () => {
  const spec = { vocabSize: 1000, numLanguages: 2, fracClone: 0.3, exclude: [0, 3, 999] };
  const a = new CloneMapping({ ...spec, seed: 7 });
  const b = new CloneMapping({ ...spec, seed: 7 });
  const c = new CloneMapping({ ...spec, seed: 8 });
  assert.deepEqual(a.cloned, b.cloned);
  assert.notDeepEqual(a.cloned, c.cloned);
  assert.equal(a.numCloned, Math.round(0.3 * 997));
  const full = new CloneMapping({ ...spec, fracClone: 1, seed: 7 });
  assert.equal(full.numCloned, 997);
  for (const id of spec.exclude) assert.equal(full.isCloned(id), false);
  const none = new CloneMapping({ ...spec, fracClone: 0, seed: 7 });
  assert.equal(none.numCloned, 0);
});

test("render, invert and unrender round trip", () => {
  const m = new CloneMapping({ vocabSize: 50, numLanguages: 4, fracClone: 0.6, seed: 3, exclude: [0] });
  const seq = Int32Array.from({ length: 50 }, (_, i) => i);
  for (let k = 0; k < 4; k++) {
    const r = m.render(seq, k);
    assert.deepEqual(Array.from(r), Array.from(seq, (i) => m.map(i, k)));
    assert.deepEqual(m.unrender(r), seq);
    for (let i = 0; i < 50; i++) {
      const inv = m.invert(r[i]!);
      assert.equal(inv.id, i);
      assert.equal(inv.lang, m.isCloned(i) ? k : null);
    }
  }
  const anchor = [...Array(50).keys()].find((i) => !m.isCloned(i))!;
  assert.throws(() => m.invert(anchor + 50), /unused clone-1 row/);
  assert.throws(() => m.render([50], 1), RangeError);
  assert.throws(() => m.render([1], 4), RangeError);
  assert.throws(() => new CloneMapping({ vocabSize: 10, numLanguages: 2, fracClone: 1.5, seed: 0 }), RangeError);
  assert.throws(() => new CloneMapping({ vocabSize: 10, numLanguages: 2, fracClone: 1, seed: 0, exclude: [10] }), RangeError);
});

test("disjoint and anchored joint vocabularies", () => {
  const v1 = ["<pad>", "▁the", "▁a", "s"];
  const v2 = ["<pad>", "▁der", "s", "▁a", "en"];
  const d = disjointVocabulary(v1, v2);
  assert.equal(d.size, 9);
  assert.deepEqual(Array.from(d.lang2), [4, 5, 6, 7, 8]);
  assert.equal(d.numShared, 0);

  const a = anchoredVocabulary(v1, v2, { neverShare: ["<pad>"] });
  assert.deepEqual(Array.from(a.lang2), [4, 5, 3, 2, 8]);
  assert.equal(a.numShared, 2);
  assert.deepEqual(Array.from(toJoint(a, 2, [3, 1, 2])), [2, 5, 3]);
  assert.deepEqual(Array.from(toJoint(a, 1, [3])), [3]);
  assert.throws(() => toJoint(a, 2, [5]), RangeError);
  const inv2 = fromJointTable(a, 2);
  assert.deepEqual(Array.from(inv2), [-1, -1, 3, 2, 0, 1, -1, -1, 4]);
  // Without neverShare the special piece is shared too.
  assert.equal(anchoredVocabulary(v1, v2).lang2[0], 0);
});

test("clone exclusions: the method clones every id but padding, end-of-document included; all-special keeps the old anchors", () => {
  // Special ids: unk 0, bos 1, eos 2, pad 3.
  assert.deepEqual(cloneExclusions([0, 1, 2, 3], 3, "padding-only"), [3]);
  assert.deepEqual(cloneExclusions([0, 1, 2], -1, "padding-only"), []);
  assert.deepEqual(cloneExclusions([0, 1, 2, 3], 3, "all-special"), [0, 1, 2, 3]);
  // With fracClone = 1 and only padding excluded, the end-of-document id 2 gets a clone per language.
  const m = new CloneMapping({ vocabSize: 10, numLanguages: 2, fracClone: 1, seed: 0, exclude: cloneExclusions([0, 1, 2, 3], 3, "padding-only") });
  assert.equal(m.map(2, 1), 12);
  assert.equal(m.map(3, 1), 3);
  const old = new CloneMapping({ vocabSize: 10, numLanguages: 2, fracClone: 1, seed: 0, exclude: cloneExclusions([0, 1, 2, 3], 3, "all-special") });
  assert.equal(old.map(2, 1), 2);
});

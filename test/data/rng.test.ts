import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng } from "../../src/util/rng.js";
import { hashInts } from "../../src/util/hash.js";

test("same seed gives the same stream, different seeds differ", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const sa = Array.from({ length: 50 }, () => a.next());
  const sb = Array.from({ length: 50 }, () => b.next());
  const sc = Array.from({ length: 50 }, () => c.next());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, sc);
  for (const x of sa) assert.ok(Number.isInteger(x) && x >= 0 && x < 2 ** 32);
});

test("state survives a JSON round trip and reproduces the continuation", () => {
  const r = new Rng(7);
  for (let i = 0; i < 1000; i++) r.next();
  const saved = JSON.parse(JSON.stringify(r.state()));
  const expected = [r.next(), r.float(), r.int(1000), r.choice([1, 2, 3])];
  const restored = Rng.fromState(saved);
  assert.deepEqual([restored.next(), restored.float(), restored.int(1000), restored.choice([1, 2, 3])], expected);
});

test("restore rejects malformed states", () => {
  const r = new Rng(1);
  assert.throws(() => r.restore({ kind: "xoshiro128**", s: [0, 0, 0, 0] }));
  assert.throws(() => r.restore({ kind: "xoshiro128**", s: [1, 2, 3, 2 ** 32] }));
  assert.throws(() => r.restore({ kind: "other" } as never));
});

test("float and int are roughly uniform", () => {
  const r = new Rng(123);
  const n = 100_000;
  const bins = new Array(10).fill(0);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const f = r.float();
    assert.ok(f >= 0 && f < 1);
    sum += f;
    bins[r.int(10)]++;
  }
  assert.ok(Math.abs(sum / n - 0.5) < 0.005, `mean ${sum / n}`);
  // Chi-square with 9 degrees of freedom; 27.9 is the 0.1% critical value.
  const expected = n / 10;
  const chi2 = bins.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
  assert.ok(chi2 < 27.9, `chi2 ${chi2} bins ${bins}`);
});

test("shuffle is a seeded permutation", () => {
  const base = Array.from({ length: 100 }, (_, i) => i);
  const a = new Rng(5).shuffle(base.slice());
  const b = new Rng(5).shuffle(base.slice());
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, base);
  assert.deepEqual(a.slice().sort((x, y) => x - y), base);
  const typed = new Rng(5).shuffle(Int32Array.from(base));
  assert.deepEqual(Array.from(typed), a);
});

test("choice follows the weights and never picks zero weights", () => {
  const r = new Rng(9);
  const counts = [0, 0, 0];
  for (let i = 0; i < 30_000; i++) counts[r.choice([1, 0, 3])]++;
  assert.equal(counts[1], 0);
  assert.ok(Math.abs(counts[0]! / 30_000 - 0.25) < 0.01, `${counts}`);
  assert.throws(() => r.choice([0, 0]));
  assert.throws(() => r.choice([1, -1]));
});

test("hashInts depends on every value and handles indices beyond 2^32", () => {
  assert.equal(hashInts(1, 2), hashInts(1, 2));
  assert.notEqual(hashInts(1, 2), hashInts(2, 1));
  assert.notEqual(hashInts(1, 2 ** 32), hashInts(1, 0));
  assert.throws(() => hashInts(-1));
});

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { episodeOf, makeSampler, parseSchedule, temperatureProbabilities, type Sampler, type SamplerSpec } from "../../src/data/samplers.js";
import { CloneMapping } from "../../src/data/clones.js";
import { PackedSequenceStream } from "../../src/data/pack.js";
import { TokenCacheReader, writeDocumentsToCache } from "../../src/data/token-cache.js";
import { Rng } from "../../src/util/rng.js";
import { tempDir } from "./helpers.js";

const tmp = tempDir();
after(() => tmp.cleanup());

function frequencies(s: Sampler, n: number): number[] {
  const counts = new Array(s.languages.length).fill(0);
  for (let i = 0; i < n; i++) counts[s.next()]++;
  return counts.map((c) => c / n);
}

test("90/10 clone draw gives 10.0% +- 0.3% clones over 100,000 sequences, uniform over clones", () => {
  const two = makeSampler({ kind: "clone", numLanguages: 2, p: 0.1, seed: 1 });
  const f = frequencies(two, 100_000);
  assert.ok(Math.abs(f[1]! - 0.1) <= 0.003, `clone share ${f[1]}`);
  const four = makeSampler({ kind: "clone", numLanguages: 4, p: 0.3, seed: 2 });
  const g = frequencies(four, 100_000);
  assert.ok(Math.abs(g[0]! - 0.7) <= 0.005, `original share ${g[0]}`);
  for (const k of [1, 2, 3]) assert.ok(Math.abs(g[k]! - 0.1) <= 0.005, `clone ${k} share ${g[k]}`);
  assert.deepEqual(four.languages, ["original", "clone1", "clone2", "clone3"]);
  assert.throws(() => makeSampler({ kind: "clone", numLanguages: 1, p: 0.1, seed: 0 }));
});

test("temperature sampling matches p ∝ n^(1/T) within 0.5 points", () => {
  const sizes = { en: 1_000_000, de: 200_000, sw: 5_000, yo: 800 };
  const T = 5;
  const s = makeSampler({ kind: "temperature", T, sizes, seed: 4 });
  const raw = Object.values(sizes).map((n) => n ** (1 / T));
  const expected = raw.map((x) => x / raw.reduce((a, b) => a + b, 0));
  assert.deepEqual(s.languages, ["en", "de", "sw", "yo"]);
  s.probabilities().forEach((p, i) => assert.ok(Math.abs(p - expected[i]!) < 1e-12));
  const f = frequencies(s, 100_000);
  f.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 0.005, `${s.languages[i]}: ${x} vs ${expected[i]}`));
});

test("proportional is T = 1, uniform is equal, large T approaches uniform", () => {
  const sizes = { a: 3, b: 1 };
  const prop = makeSampler({ kind: "proportional", sizes, seed: 0 }).probabilities();
  assert.ok(Math.abs(prop[0]! - 0.75) < 1e-12 && Math.abs(prop[1]! - 0.25) < 1e-12, `${prop}`);
  assert.deepEqual(makeSampler({ kind: "uniform", languages: ["x", "y", "z", "w"], seed: 0 }).probabilities(), [0.25, 0.25, 0.25, 0.25]);
  const hot = temperatureProbabilities([1e12, 1], 1e6);
  assert.ok(Math.abs(hot[0]! - 0.5) < 1e-4);
  // Huge corpora must not overflow.
  const big = temperatureProbabilities([1e300, 1e299], 0.01);
  assert.ok(big.every(Number.isFinite));
  const f = frequencies(makeSampler({ kind: "fixed", probs: { en: 2, de: 6 }, seed: 3 }), 50_000);
  assert.ok(Math.abs(f[1]! - 0.75) < 0.01, `${f}`);
  assert.throws(() => makeSampler({ kind: "temperature", T: 0, sizes, seed: 0 }));
  assert.throws(() => makeSampler({ kind: "nope", seed: 0 } as unknown as SamplerSpec), /unknown sampler kind/);
  assert.throws(() => makeSampler({ kind: "uniform", languages: ["a"] } as unknown as SamplerSpec), /seed/);
});

test("schedule parsing and episode arithmetic", () => {
  assert.deepEqual(parseSchedule("0.1_0.9"), [0.1, 0.9]);
  assert.deepEqual(parseSchedule("0.5"), [0.5]);
  assert.throws(() => parseSchedule("0.1_1.5"));
  assert.throws(() => parseSchedule("0.1__0.9"));
  assert.equal(episodeOf(499, 1000, 2), 0);
  assert.equal(episodeOf(500, 1000, 2), 1);
  assert.equal(episodeOf(1200, 1000, 2), 1);
  assert.equal(episodeOf(333, 1000, 3), 0);
  assert.equal(episodeOf(334, 1000, 3), 1);
});

test("a schedule switches at exactly the episode boundary", () => {
  const S = 20_000;
  const s = makeSampler({ kind: "schedule", schedule: "0_1_0.5", total: S, numLanguages: 2, seed: 9 });
  const draws = Array.from({ length: S }, () => s.next());
  const boundary1 = Math.ceil(S / 3);
  const boundary2 = Math.ceil((2 * S) / 3);
  // p = 0 then p = 1 make the boundary visible draw by draw.
  assert.ok(draws.slice(0, boundary1).every((k) => k === 0));
  assert.ok(draws.slice(boundary1, boundary2).every((k) => k === 1));
  const third = draws.slice(boundary2);
  const share = third.filter((k) => k === 1).length / third.length;
  assert.ok(Math.abs(share - 0.5) < 0.03, `third episode share ${share}`);

  // Counted in steps of 4 sequences: the switch happens at step 5 of 10, i.e. draw 20.
  const steps = makeSampler({ kind: "schedule", schedule: "0_1", total: 10, numLanguages: 2, seed: 1, sequencesPerStep: 4 });
  const byStep = Array.from({ length: 40 }, () => steps.next());
  assert.ok(byStep.slice(0, 20).every((k) => k === 0));
  assert.ok(byStep.slice(20).every((k) => k === 1));
});

test("stopping any sampler mid-way and restoring its state reproduces the following draws", () => {
  const specs: SamplerSpec[] = [
    { kind: "clone", numLanguages: 3, p: 0.1, seed: 5 },
    { kind: "temperature", T: 3, sizes: { a: 100, b: 10, c: 1 }, seed: 5 },
    { kind: "proportional", sizes: { a: 100, b: 10 }, seed: 5 },
    { kind: "uniform", languages: ["a", "b", "c"], seed: 5 },
    { kind: "fixed", probs: { a: 0.2, b: 0.8 }, seed: 5 },
    { kind: "schedule", schedule: "0.1_0.9", total: 2000, numLanguages: 2, seed: 5 },
  ];
  for (const spec of specs) {
    const a = makeSampler(spec);
    for (let i = 0; i < 997; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state()));
    const expected = Array.from({ length: 1000 }, () => a.next());
    const b = makeSampler(spec);
    b.next();
    b.restore(saved);
    assert.equal(b.draws, 997);
    assert.deepEqual(Array.from({ length: 1000 }, () => b.next()), expected, spec.kind);
  }
  const other = makeSampler({ kind: "clone", numLanguages: 3, p: 0.2, seed: 5 });
  assert.throws(() => other.restore(makeSampler(specs[0]!).state()), /sampler state/);
});

test("a packed stream rendered through a clone schedule resumes with identical batches", () => {
  const path = join(tmp.dir, "clone-stream.bin");
  const r = new Rng(21);
  const V = 64;
  const docs = Array.from({ length: 120 }, () => Int32Array.from({ length: 5 + r.int(30) }, () => 1 + r.int(V - 1)));
  writeDocumentsToCache(path, docs, { separatorId: 0, dtype: "uint16" });
  const mapping = new CloneMapping({ vocabSize: V, numLanguages: 2, fracClone: 1, seed: 2, exclude: [0] });
  const spec: SamplerSpec = { kind: "schedule", schedule: "0.1_0.9", total: 200, numLanguages: 2, seed: 3 };
  const T = 7;
  const B = 8;

  const nextBatch = (stream: PackedSequenceStream, sampler: Sampler) => {
    const batch = stream.nextBatch(B);
    const langs = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      langs[b] = sampler.next();
      const row = batch.tokens.subarray(b * (T + 1), (b + 1) * (T + 1));
      mapping.render(row, langs[b]!, row);
    }
    return { tokens: batch.tokens, langs };
  };

  const cacheA = TokenCacheReader.open(path);
  const streamA = new PackedSequenceStream(cacheA, T, 17);
  const samplerA = makeSampler(spec);
  for (let i = 0; i < 11; i++) nextBatch(streamA, samplerA);
  const saved = JSON.parse(JSON.stringify({ stream: streamA.state(), sampler: samplerA.state() }));
  const expected = Array.from({ length: 10 }, () => nextBatch(streamA, samplerA));
  // The continuation crosses the schedule boundary (draw 100) and contains both languages.
  const allLangs = expected.flatMap((b) => Array.from(b.langs));
  assert.ok(allLangs.includes(0) && allLangs.includes(1));

  const cacheB = TokenCacheReader.open(path);
  const streamB = new PackedSequenceStream(cacheB, T, 17);
  const samplerB = makeSampler(spec);
  streamB.restore(saved.stream);
  samplerB.restore(saved.sampler);
  const actual = Array.from({ length: 10 }, () => nextBatch(streamB, samplerB));
  assert.deepEqual(actual, expected);
  // Rows in clone 1 carry only shifted ids (every non-separator id is cloned).
  const first = expected[0]!;
  for (let b = 0; b < B; b++) {
    const row = first.tokens.subarray(b * (T + 1), (b + 1) * (T + 1));
    for (const id of row) if (id !== 0) assert.equal(id >= V, first.langs[b] === 1);
  }
  cacheA.close();
  cacheB.close();
});

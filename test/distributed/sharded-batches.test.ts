// Sharding the sampled sequence stream over ranks: disjoint shards whose union is the
// single-process batch, and a saved state that resumes on any world size.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { interleaveShards, ShardedBatchSource } from "../../src/distributed/sharded-batches.js";
import type { BatchSource, LanguageBatch } from "../../src/train/clone-batches.js";

/** A resumable stream of numbered rows: row k holds tokens k*10 .. k*10+len-1 and language k % 3. */
class CountingSource implements BatchSource {
  readonly languages = ["en", "clone1", "clone2"];
  private row = 0;
  constructor(private readonly batchSize: number, private readonly len = 3) {}
  next(): LanguageBatch {
    const tokens = new Int32Array(this.batchSize * this.len);
    const langs = new Int32Array(this.batchSize);
    for (let b = 0; b < this.batchSize; b++, this.row++) {
      for (let t = 0; t < this.len; t++) tokens[b * this.len + t] = this.row * 10 + t;
      langs[b] = this.row % 3;
    }
    return { tokens, langs };
  }
  state() { return { row: this.row }; }
  restore(s: unknown) { this.row = (s as { row: number }).row; }
}

const rowsOf = (b: LanguageBatch, len = 3) => Array.from({ length: b.langs.length }, (_, i) => b.tokens[i * len] / 10);

describe("ShardedBatchSource", () => {
  it("gives rank r the rows r, r+W, ...; the shards are disjoint and together are the global batch", () => {
    for (const w of [1, 2, 3, 4]) {
      const global = new CountingSource(12).next();
      const shards = Array.from({ length: w }, (_, r) => new ShardedBatchSource(new CountingSource(12), r, w).next());
      shards.forEach((s, r) => {
        assert.deepEqual(rowsOf(s), Array.from({ length: 12 / w }, (_, i) => r + i * w));
        assert.deepEqual([...s.langs], rowsOf(s).map((k) => k % 3));
      });
      const union = shards.flatMap((s) => rowsOf(s)).sort((x, y) => x - y);
      assert.deepEqual(union, rowsOf(global));
      // Putting the shards' rows back in global order gives the global batch exactly.
      assert.deepEqual(interleaveShards(shards.map((s) => s.langs), (n) => new Int32Array(n)), global.langs);
    }
  });

  it("keeps the global stream's state: a checkpoint from 2 ranks resumes on 1 or 3 ranks where 1 process would be", () => {
    const two = [0, 1].map((r) => new ShardedBatchSource(new CountingSource(6), r, 2));
    for (let s = 0; s < 5; s++) two.forEach((src) => src.next());
    const saved = JSON.parse(JSON.stringify(two[0].state()));
    const reference = new CountingSource(6);
    for (let s = 0; s < 5; s++) reference.next();
    const want = rowsOf(reference.next());

    const one = new CountingSource(6);
    one.restore(saved);
    assert.deepEqual(rowsOf(one.next()), want);
    const three = [0, 1, 2].map((r) => new ShardedBatchSource(new CountingSource(6), r, 3));
    three.forEach((src) => src.restore(saved));
    assert.deepEqual(three.flatMap((src) => rowsOf(src.next())).sort((x, y) => x - y), want);
  });

  it("refuses a global batch that does not split evenly, and a rank outside the world", () => {
    assert.throws(() => new ShardedBatchSource(new CountingSource(5), 0, 2).next(), /5 sequences does not split evenly over 2 ranks/);
    assert.throws(() => new ShardedBatchSource(new CountingSource(4), 2, 2), /rank 2 is not in a world of 2/);
  });
});

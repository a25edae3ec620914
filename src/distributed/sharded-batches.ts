// Data parallelism over the sampled sequence stream: every rank draws the same global
// batch (W*B rows, the single-process stream) and keeps rows rank, rank+W, rank+2W, ...
// The ranks' shards are disjoint and their union is the global batch, so W ranks with B
// rows each see exactly what one process with W*B rows sees. The state saved in
// checkpoints is the global stream's, which is why a run resumes on any world size.
import type { BatchSource, LanguageBatch } from "../train/clone-batches.js";

export class ShardedBatchSource implements BatchSource {
  readonly languages: readonly string[];

  constructor(private readonly global: BatchSource, readonly rank: number, readonly worldSize: number) {
    if (!(Number.isInteger(worldSize) && worldSize >= 1 && Number.isInteger(rank) && rank >= 0 && rank < worldSize))
      throw new Error(`rank ${rank} is not in a world of ${worldSize}`);
    this.languages = global.languages;
  }

  next(): LanguageBatch {
    const batch = this.global.next();
    const rows = batch.langs.length;
    if (rows % this.worldSize !== 0)
      throw new Error(`a global batch of ${rows} sequences does not split evenly over ${this.worldSize} ranks`);
    const len = batch.tokens.length / rows;
    const mine = rows / this.worldSize;
    const tokens = new Int32Array(mine * len);
    const langs = new Int32Array(mine);
    for (let i = 0; i < mine; i++) {
      const row = this.rank + i * this.worldSize;
      tokens.set(batch.tokens.subarray(row * len, (row + 1) * len), i * len);
      langs[i] = batch.langs[row];
    }
    return { tokens, langs };
  }

  state(): unknown {
    return this.global.state();
  }

  restore(state: unknown): void {
    this.global.restore(state);
  }
}

/** Puts the ranks' per-row values (shards from ShardedBatchSource, in rank order) back into global row order. */
export function interleaveShards<T extends Float32Array | Int32Array>(shards: T[], make: (n: number) => T): T {
  const w = shards.length;
  const per = shards[0].length;
  const out = make(per * w);
  shards.forEach((s, r) => {
    if (s.length !== per) throw new Error(`rank ${r} has ${s.length} rows, rank 0 has ${per}`);
    for (let i = 0; i < per; i++) out[r + i * w] = s[i];
  });
  return out;
}

// Random draws that do not depend on how a batch is split over data-parallel ranks.
// Rank r of W holds rows r, r+W, r+2W, ... of the global batch (ShardedBatchSource).
// Inside withBatchShard, a per-row draw (dropout masks, masked-LM corruption) is made
// for the whole global batch, from the same generator state on every rank, and each
// rank keeps its rows: W ranks with B rows draw exactly what one process with W*B rows
// draws, and their generators stay in step with it.
import type { Tensor } from "../torch/index.js";

export interface BatchShard {
  rank: number;
  worldSize: number;
}

let current: BatchShard | null = null;

/** Runs fn (synchronous: a forward pass) with per-row draws made for the global batch. */
export function withBatchShard<T>(shard: BatchShard | null, fn: () => T): T {
  if (!shard || shard.worldSize === 1) return fn();
  const outer = current;
  current = shard;
  try {
    return fn();
  } finally {
    current = outer;
  }
}

/**
 * A draw of per-row values for a local batch of `shape` ([B, ...]): draw(shape) alone,
 * or draw([W*B, ...]) and this rank's rows of it inside withBatchShard.
 */
export function drawRows(shape: number[], draw: (shape: number[]) => Tensor): Tensor {
  if (!current) return draw(shape);
  const { rank, worldSize } = current;
  const [b, ...rest] = shape;
  // Global row r + i*W is element [i, r] of a [B, W, ...] view.
  return draw([b * worldSize, ...rest]).reshape([b, worldSize, ...rest]).narrow(1, rank, 1).reshape(shape);
}

/** Whether per-row draws are being made for a global batch split over ranks. */
export function inBatchShard(): boolean {
  return current !== null;
}

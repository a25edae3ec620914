// Data-parallel training on a c10d process group, plugged into trainLanguageModel
// through its hooks: parameters broadcast from rank 0 at the start, gradients averaged
// by bucketed allreduce after every backward, the step's per-sequence losses gathered
// so every rank records the global batch's metrics, checkpoints written by rank 0.
//
// Loss semantics: one process with batch W*B minimises the mean over W*B sequences; a
// rank minimises the mean over its B, and the average of the ranks' gradients is the
// gradient of the global mean. Clipping and AdamW then see the same gradient on every
// rank, so the replicas stay identical without further synchronisation.
import { tensor, tidy, type Tensor } from "../torch/index.js";
import type { BatchSource } from "../train/clone-batches.js";
import { distributedEnv, type DistributedEnv } from "./context.js";
import { ProcessGroup } from "./process-group.js";
import { interleaveShards, ShardedBatchSource } from "./sharded-batches.js";

/** PyTorch DDP's default bucket size. */
export const DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024;

/** Time spent communicating, summed over the steps so far. */
export interface CommStats {
  steps: number;
  /** Gradient allreduce, including packing into and out of buckets. */
  gradientSeconds: number;
  /** All-gather of per-sequence losses and languages. */
  metricsSeconds: number;
  /** The one-number allreduce that agrees on stopping. */
  stopSeconds: number;
  buckets: number;
  /** Gradient bytes averaged so far (parameters are float32). */
  gradientBytes: number;
}

export class DataParallel {
  readonly rank: number;
  readonly worldSize: number;
  readonly comm: CommStats = { steps: 0, gradientSeconds: 0, metricsSeconds: 0, stopSeconds: 0, buckets: 0, gradientBytes: 0 };

  constructor(readonly group: ProcessGroup, private readonly bucketBytes = DEFAULT_BUCKET_BYTES) {
    this.rank = group.rank;
    this.worldSize = group.worldSize;
  }

  /** Joins the job described by the environment, or returns null when this process runs alone. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): DataParallel | null {
    const d: DistributedEnv | null = distributedEnv(env);
    return d ? new DataParallel(new ProcessGroup(d)) : null;
  }

  /** Rank 0 writes checkpoints, metrics and results; the others only train. */
  get isWriter(): boolean {
    return this.rank === 0;
  }

  /** Makes every rank start from rank 0's weights. */
  broadcastParameters(params: Tensor[]): void {
    this.group.broadcast(params, 0);
  }

  /** This rank's share of a source configured with the global batch size. */
  shard(global: BatchSource): ShardedBatchSource {
    return new ShardedBatchSource(global, this.rank, this.worldSize);
  }

  /** Averages the gradients of `params` over the ranks (call after backward, before clipping). */
  averageGradients(params: Tensor[]): void {
    const t0 = performance.now();
    this.comm.buckets += this.group.averageGradients(params, this.bucketBytes);
    this.comm.gradientSeconds += (performance.now() - t0) / 1000;
    this.comm.gradientBytes += params.reduce((s, p) => s + p.numel() * 4, 0);
    this.comm.steps += 1;
  }

  /** This rank's per-sequence losses and languages -> the global batch's, in global row order. */
  gatherBatch(perSequence: Float32Array, langs: Int32Array): { perSequence: Float32Array; langs: Int32Array } {
    const t0 = performance.now();
    // One all-gather carries both: float64 holds float32 losses and language ids exactly.
    const packed = new Float64Array(perSequence.length * 2);
    packed.set(perSequence, 0);
    packed.set(langs, perSequence.length);
    const parts = tidy(() => this.group.allGather(tensor(packed, { dtype: "float64" })).map((t) => t.toArray() as Float64Array));
    const n = perSequence.length;
    const out = {
      perSequence: interleaveShards(parts.map((p) => Float32Array.from(p.subarray(0, n))), (k) => new Float32Array(k)),
      langs: interleaveShards(parts.map((p) => Int32Array.from(p.subarray(n))), (k) => new Int32Array(k)),
    };
    this.comm.metricsSeconds += (performance.now() - t0) / 1000;
    return out;
  }

  /**
   * Whether any rank was asked to stop (SIGINT/SIGTERM). A signal reaches the ranks at
   * slightly different moments; agreeing at the top of every step makes them all stop
   * after the same step, where rank 0's checkpoint is, instead of one waiting in a
   * collective for a rank that has already left.
   */
  agreeStop(requested: boolean): boolean {
    const t0 = performance.now();
    const any = tidy(() => {
      const flag = tensor(Float32Array.of(requested ? 1 : 0));
      this.group.allreduce([flag], "max");
      return (flag.toArray() as Float32Array)[0] > 0;
    });
    this.comm.stopSeconds += (performance.now() - t0) / 1000;
    return any;
  }

  /** The options that make trainLanguageModel data-parallel. */
  trainerHooks() {
    return {
      afterBackward: (params: Tensor[]) => this.averageGradients(params),
      gatherBatch: (perSequence: Float32Array, langs: Int32Array) => this.gatherBatch(perSequence, langs),
      writesCheckpoints: this.isWriter,
      agreeStop: (requested: boolean) => this.agreeStop(requested),
    };
  }

  /** One line on what communication cost per step, for the run's log. */
  summary(): string {
    const ms = (s: number) => ((s * 1000) / Math.max(1, this.comm.steps)).toFixed(2);
    const mib = this.comm.gradientBytes / Math.max(1, this.comm.steps) / 2 ** 20;
    return `${this.worldSize} ranks, ${this.group.backend}: per step, gradient allreduce ${ms(this.comm.gradientSeconds)} ms ` +
      `(${mib.toFixed(2)} MiB in ${(this.comm.buckets / Math.max(1, this.comm.steps)).toFixed(0)} bucket(s)), ` +
      `loss all-gather ${ms(this.comm.metricsSeconds)} ms, stop agreement ${ms(this.comm.stopSeconds)} ms`;
  }

  close(): void {
    this.group.close();
  }
}

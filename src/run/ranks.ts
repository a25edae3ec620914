// The processes one run trains in. Alone, a run is one process. Under `xling launch`
// (WORLD_SIZE > 1) each process is one rank of a data-parallel job: train.batchSize is
// the global batch, rank 0 builds shared caches first and is the only one that writes
// to the run directory (config, metrics, checkpoints, results). Every study's run goes
// through here, so `xling launch -- _run <dir>` works for each kind that trains a model.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { resolvePrecision, setNumThreads, type Precision, type Tensor } from "../torch/index.js";
import type { BatchSource } from "../train/clone-batches.js";
import { DataParallel } from "../distributed/data-parallel.js";
import { writeFileAtomic } from "../util/atomic.js";
import { RUN_ADAMW } from "../train/trainer.js";
import type { BatchShard } from "../nn/batch-shard.js";

export class RunRanks {
  private constructor(readonly dp: DataParallel | null) {}

  /** Joins the data-parallel job the environment describes (if any), creates the run directory and writes config.json (rank 0). */
  static join(runDir: string, config: unknown): RunRanks {
    const ranks = new RunRanks(DataParallel.fromEnv());
    mkdirSync(runDir, { recursive: true });
    if (ranks.writer) writeFileAtomic(join(runDir, "config.json"), JSON.stringify(config, null, 2));
    return ranks;
  }

  /** Rank 0 (or the only process) writes the run directory. */
  get writer(): boolean {
    return this.dp?.isWriter ?? true;
  }

  /** Progress lines: only from the writer. */
  progress(requested: boolean | undefined): boolean | undefined {
    return this.writer ? requested : false;
  }

  /**
   * Builds what the ranks share (tokenizer, token caches): rank 0 first, then the others
   * read it; built concurrently, the files could come from different ranks.
   */
  prepare<T>(what: string, build: () => Promise<T>): Promise<T> {
    return this.dp ? this.dp.group.rankZeroFirst(what, build) : build();
  }

  /** Makes every rank start from rank 0's initial weights. */
  startFrom(params: Tensor[]): void {
    this.dp?.broadcastParameters(params);
  }

  /** This rank's rows of the global batch stream. */
  batches(global: BatchSource): BatchSource {
    return this.dp ? this.dp.shard(global) : global;
  }

  /** This rank's place in the global batch (null alone), for per-row random draws (src/nn/batch-shard.ts). */
  get shard(): BatchShard | null {
    return this.dp ? { rank: this.dp.rank, worldSize: this.dp.worldSize } : null;
  }

  /** The trainer options that make training data-parallel (none alone). */
  trainerHooks() {
    return this.dp?.trainerHooks() ?? {};
  }

  /** Leaves the job, logging what communication cost. */
  close(log: (msg: string) => void): void {
    if (!this.dp) return;
    log(this.dp.summary());
    this.dp.close();
  }
}

/** What every study's run sets up before it touches data: its ranks, threads, precision and log. */
export interface RunStart {
  started: number;
  ranks: RunRanks;
  writer: boolean;
  /** Progress lines: only from the writer. */
  progress: boolean | undefined;
  precision: Precision;
  log: (msg: string) => void;
}

/**
 * The common start of a run: join the ranks (one process, or one rank under `xling
 * launch`), write config.json, set the thread count and resolve the precision.
 */
export function startRun(runDir: string, cfg: { train: { threads: number; precision?: Precision } }, opts: { progress?: boolean; label?: string }): RunStart {
  const started = Date.now();
  const ranks = RunRanks.join(runDir, cfg);
  const progress = ranks.progress(opts.progress);
  setNumThreads(cfg.train.threads);
  // Configs written before precision was recorded trained in fp32.
  const precision = resolvePrecision(cfg.train.precision ?? "fp32", `${join(runDir, "config.json")}: train.precision`);
  const log = (msg: string) => { if (progress !== false) process.stderr.write(`${opts.label ?? "run"}: ${msg}\n`); };
  return { started, ranks, writer: ranks.writer, progress, precision, log };
}

/**
 * The optimisation settings every study's trainer call shares: warm-up (at most half the
 * run) then cosine decay from train.*, AdamW as in every run, clipping, checkpoints.
 */
export function runTrainingSettings(train: { lr: number; minLr: number; warmup: number; clip: number | null; checkpointEvery: number }, steps: number, checkpointPath: string) {
  return {
    schedule: { maxLr: train.lr, minLr: train.minLr, warmupSteps: Math.min(train.warmup, Math.floor(steps / 2)), totalSteps: steps },
    adam: RUN_ADAMW,
    clip: train.clip, checkpointPath, checkpointEvery: train.checkpointEvery,
  };
}

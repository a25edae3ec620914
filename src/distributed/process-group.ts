// A c10d process group with errors that say what went wrong in the job: when a
// collective fails, the heartbeats in the rendezvous store tell which rank is gone.
import { NativeProcessGroup, distributedBackends, type ReduceOp } from "../torch/distributed.js";
import type { Tensor } from "../torch/index.js";
import type { DistributedEnv } from "./context.js";

/** A collective failed: `lost` are the ranks found dead ([] when all are alive but one is not taking part). */
export class CollectiveError extends Error {
  constructor(message: string, readonly lost: number[]) {
    super(message);
    this.name = "CollectiveError";
  }
}

const HEARTBEAT_MS = 250;

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  private readonly group: NativeProcessGroup;
  private readonly timeoutMs: number;

  /** Joins the job: blocks until every rank has reached the store, or throws after the timeout. */
  constructor(env: DistributedEnv) {
    const backends = distributedBackends();
    if (!backends.includes(env.backend))
      throw new Error(`distributed backend '${env.backend}' is not in this build (available: ${backends.join(", ")}; nccl needs a CUDA libtorch)`);
    this.rank = env.rank;
    this.worldSize = env.worldSize;
    this.timeoutMs = env.timeoutMs;
    try {
      this.group = new NativeProcessGroup({
        backend: env.backend, host: env.masterAddr, port: env.masterPort, rank: env.rank, worldSize: env.worldSize,
        timeoutMs: env.timeoutMs, rendezvousTimeoutMs: env.rendezvousTimeoutMs, heartbeatMs: HEARTBEAT_MS,
      });
    } catch (e) {
      throw new Error(`rank ${env.rank} could not join the ${env.worldSize}-rank job at ${env.masterAddr}:${env.masterPort} ` +
        `within ${env.rendezvousTimeoutMs / 1000} s: ${(e as Error).message}`, { cause: e });
    }
  }

  get backend(): string {
    return this.group.backend;
  }

  allreduce(tensors: Tensor[], op: ReduceOp = "sum"): void {
    this.run("allreduce", () => this.group.allreduce(tensors, op));
  }

  averageGradients(params: Tensor[], bucketBytes: number): number {
    return this.run("gradient allreduce", () => this.group.averageGradients(params, bucketBytes));
  }

  broadcast(tensors: Tensor[], root = 0): void {
    this.run("broadcast", () => this.group.broadcast(tensors, root));
  }

  allGather(tensor: Tensor): Tensor[] {
    return this.run("all_gather", () => this.group.allGather(tensor));
  }

  barrier(): void {
    this.run("barrier", () => this.group.barrier());
  }

  /**
   * Runs `work` on rank 0 before any other rank runs `then` (e.g. rank 0 builds a cache
   * that the others then read). The others wait up to `timeoutMs`, which may be far
   * longer than the collective timeout; if rank 0 fails, its store goes away and they
   * fail at once.
   */
  async rankZeroFirst<T>(name: string, work: () => Promise<T>, then: () => Promise<T> = work, timeoutMs = 6 * 3600_000): Promise<T> {
    if (this.rank === 0) {
      const out = await work();
      this.group.storeSet(`done/${name}`, "1");
      return out;
    }
    try {
      this.group.storeWait(`done/${name}`, timeoutMs);
    } catch (e) {
      throw this.diagnose(`waiting for rank 0 to finish ${name}`, e as Error);
    }
    return then();
  }

  close(): void {
    this.group.close();
  }

  private run<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.diagnose(what, e as Error);
    }
  }

  /** Names the lost rank(s) from the heartbeats; c10d's own message comes last, as detail. */
  private diagnose(what: string, cause: Error): CollectiveError {
    let lost: number[] | null;
    try {
      lost = this.group.lostRanks();
    } catch {
      lost = null;
    }
    const where = `${what} failed on rank ${this.rank} of ${this.worldSize}`;
    if (lost === null)
      return new CollectiveError(`${where}: lost rank 0 (the rendezvous store it hosts is unreachable). ${cause.message}`, [0]);
    if (lost.length > 0)
      return new CollectiveError(`${where}: lost rank${lost.length > 1 ? "s" : ""} ${lost.join(", ")} (heartbeat stopped). ${cause.message}`, lost);
    return new CollectiveError(`${where}: every rank is alive but one is not taking part (timeout ${this.timeoutMs / 1000} s). ${cause.message}`, []);
  }
}

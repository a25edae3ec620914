// Typed surface of the addon's c10d process group (native/src/distributed.cc). The
// distributed layer (src/distributed) builds rendezvous, error diagnosis and data
// parallelism on top; this file only converts between Tensor and native handles.
import { native, type NativeTensor } from "./native.js";
import { Tensor } from "./tensor.js";

export type ReduceOp = "sum" | "max" | "min" | "product";

export interface NativeGroupOptions {
  backend: string;
  /** Address and port of the TCPStore that rank 0 hosts. */
  host: string;
  port: number;
  rank: number;
  worldSize: number;
  /** Bound on every collective. */
  timeoutMs: number;
  /** Bound on waiting for all ranks to reach the store. */
  rendezvousTimeoutMs: number;
  /** How often each rank writes its heartbeat to the store. */
  heartbeatMs: number;
}

interface NativeGroup {
  allreduce(tensors: NativeTensor[], op: ReduceOp): void;
  averageGradients(params: NativeTensor[], bucketBytes: number): number;
  broadcast(tensors: NativeTensor[], root: number): void;
  allGather(tensor: NativeTensor): NativeTensor[];
  barrier(): void;
  lostRanks(): number[] | null;
  storeSet(key: string, value: string): void;
  storeWait(key: string, timeoutMs: number): string;
  close(): void;
  backend(): string;
}

/** Backends compiled into this addon: always gloo; nccl with a CUDA libtorch. */
export function distributedBackends(): string[] {
  return native.distributed_backends as string[];
}

/** One c10d process group. Collectives block until done, or throw after the timeout. */
export class NativeProcessGroup {
  private readonly group: NativeGroup;

  /** Blocks until all worldSize ranks have joined the store (or throws after the timeout). */
  constructor(o: NativeGroupOptions) {
    this.group = new native.ProcessGroup(o.backend, o.host, o.port, o.rank, o.worldSize, o.timeoutMs, o.heartbeatMs, o.rendezvousTimeoutMs) as NativeGroup;
  }

  allreduce(tensors: Tensor[], op: ReduceOp = "sum"): void {
    this.group.allreduce(tensors.map((t) => t.handle), op);
  }

  /** Replaces each parameter's gradient by its mean over the ranks; returns the number of buckets sent. */
  averageGradients(params: Tensor[], bucketBytes: number): number {
    return this.group.averageGradients(params.map((t) => t.handle), bucketBytes);
  }

  broadcast(tensors: Tensor[], root = 0): void {
    this.group.broadcast(tensors.map((t) => t.handle), root);
  }

  /** Every rank's copy of `tensor` (same shape and dtype on all ranks), in rank order. */
  allGather(tensor: Tensor): Tensor[] {
    return this.group.allGather(tensor.handle).map((h) => new Tensor(h));
  }

  barrier(): void {
    this.group.barrier();
  }

  /** Ranks whose heartbeat has stopped; null when the store (hosted by rank 0) is unreachable. Takes a few heartbeat intervals. */
  lostRanks(): number[] | null {
    return this.group.lostRanks();
  }

  /** Sets a key in the rendezvous store. */
  storeSet(key: string, value: string): void {
    this.group.storeSet(key, value);
  }

  /** Waits (up to timeoutMs, independent of the group's timeout) until a key exists; returns its value. */
  storeWait(key: string, timeoutMs: number): string {
    return this.group.storeWait(key, timeoutMs);
  }

  close(): void {
    this.group.close();
  }

  get backend(): string {
    return this.group.backend();
  }
}

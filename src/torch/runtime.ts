// Process-wide libtorch settings: seeding, RNG state, threads, build information.
import { native, type NativeTensor } from "./native.js";
import { Tensor } from "./tensor.js";

/** Seeds libtorch's default CPU generator (rand, randn, dropout, init). */
export function manualSeed(seed: number): void {
  native.manual_seed(seed);
}

/** The full state of the CPU generator, as a uint8 tensor (for checkpoints). */
export function getRngState(): Tensor {
  return new Tensor(native.rng_get_state() as NativeTensor);
}

export function setRngState(state: Tensor): void {
  native.rng_set_state(state.handle);
}

/**
 * Sets libtorch's intra-op thread count. OpenBLAS should stay single-threaded
 * (OPENBLAS_NUM_THREADS=1, set by the xling CLI before the addon loads): both pools
 * on the same cores oversubscribe them and roughly halve throughput.
 */
export function setNumThreads(n: number): void {
  native.set_num_threads(n);
}

export function getNumThreads(): number {
  return native.get_num_threads() as number;
}

export interface BuildInfo {
  torchVersion: string;
  cuda: boolean;
  parallel: string;
  config: string;
}

export function buildInfo(): BuildInfo {
  return native.build_info() as BuildInfo;
}

export function cudaDeviceCount(): number {
  return native.cuda_device_count() as number;
}

export interface CpuCacheStats {
  cachedBytes: number;
  limitBytes: number;
  hits: number;
  misses: number;
}

/**
 * The caching CPU allocator's counters (native/src/allocator.cc). `release` returns
 * every cached block to the system first.
 */
export function cpuCacheStats(release = false): CpuCacheStats {
  return native.cpu_cache_stats(release) as CpuCacheStats;
}

// xling's tensor library: the public surface of src/torch.
export { Tensor, tensor, fromBytes, type TensorOptions, type NestedNumbers } from "./tensor.js";
export * from "./generated/ops.js";
export { tidy, keep, dispose, scopeSize } from "./scope.js";
export { noGrad, enableGrad, isGradEnabled, grad, clearGrads, type GradOptions } from "./autograd.js";
export { manualSeed, getRngState, setRngState, setNumThreads, getNumThreads, buildInfo, cudaDeviceCount, cpuCacheStats, type CpuCacheStats } from "./runtime.js";
export type { DType, Device } from "./dtype.js";
export { AdamW, SGD, clipGradNorm, warmupCosineLr, type Optimizer, type OptimizerState, type AdamWOptions, type SGDOptions, type WarmupCosine, type NamedParameters } from "./optim.js";
export { saveSafetensors, loadSafetensors, readSafetensorsHeader, verifySafetensors, CHECKSUM_KEY, SafetensorsError, type TensorEntry, type SafetensorsHeader } from "./safetensors.js";
export { autocast, autocastState, type AutocastDevice, type AutocastState } from "./autocast.js";
export { PRECISIONS, resolvePrecision, defaultPrecision, withPrecision, cpuBf16Support, bf16SupportFromCpuinfo, type Precision, type CpuBf16Support } from "./precision.js";

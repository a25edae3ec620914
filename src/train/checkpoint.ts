// Training checkpoints as one safetensors file: model parameters, optimizer state, the
// libtorch RNG state and JSON metadata (step, sampler state, config), so that a resumed
// run continues bit for bit. Written atomically: a crash mid-write keeps the old file.
import { type Optimizer, type Tensor, getRngState, loadSafetensors, saveSafetensors, setRngState, dispose } from "../torch/index.js";
import type { Module } from "../nn/module.js";

export interface CheckpointContents {
  step: number;
  /** Anything JSON-able the trainer needs back (sampler state, data position, config). */
  extra?: unknown;
}

const MODEL = "model.";
const OPTIM = "optim.";
const RNG = "rng.cpu";

export function saveCheckpoint(path: string, model: Module, optimizer: Optimizer | null, contents: CheckpointContents): void {
  const tensors = new Map<string, Tensor>();
  for (const [name, p] of model.namedParameters()) tensors.set(MODEL + name, p);
  const optState = optimizer?.state();
  if (optState) for (const [name, t] of optState.tensors) tensors.set(OPTIM + name, t);
  const rng = getRngState();
  tensors.set(RNG, rng);
  try {
    saveSafetensors(path, tensors, {
      format: "xling-checkpoint-1",
      step: String(contents.step),
      optimizer: JSON.stringify(optState?.meta ?? null),
      extra: JSON.stringify(contents.extra ?? null),
    });
  } finally {
    rng.dispose();
  }
}

/** Restores model, optimizer and RNG from path; returns the step and extra metadata. */
export function loadCheckpoint(path: string, model: Module, optimizer: Optimizer | null, opts: { restoreRng?: boolean } = {}): CheckpointContents {
  const { tensors, metadata } = loadSafetensors(path);
  try {
    if (metadata.format !== "xling-checkpoint-1") throw new Error(`${path}: not an xling checkpoint (format ${metadata.format ?? "missing"})`);
    const modelState = new Map<string, Tensor>();
    const optTensors = new Map<string, Tensor>();
    for (const [name, t] of tensors) {
      if (name.startsWith(MODEL)) modelState.set(name.slice(MODEL.length), t);
      else if (name.startsWith(OPTIM)) optTensors.set(name.slice(OPTIM.length), t);
    }
    model.loadStateDict(modelState);
    if (optimizer) {
      const meta = JSON.parse(metadata.optimizer ?? "null");
      if (!meta) throw new Error(`${path}: checkpoint has no optimizer state`);
      optimizer.loadState({ tensors: optTensors, meta });
    }
    const rng = tensors.get(RNG);
    if ((opts.restoreRng ?? true) && rng) setRngState(rng);
    return { step: Number(metadata.step), extra: JSON.parse(metadata.extra ?? "null") };
  } finally {
    dispose([...tensors.values()]);
  }
}

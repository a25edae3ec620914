// Training checkpoints as one safetensors file: model parameters, optimizer state, the
// libtorch RNG state and JSON metadata (step, sampler state, config), so that a resumed
// run continues bit for bit.
//
// Every checkpoint is verified: the file carries a SHA-256 of its header and data
// (src/torch/safetensors.ts), its metadata is checked against a schema (checkpoint-
// metadata.ts), and a new checkpoint is written beside the current one and read back
// before it replaces it; the one it replaces is kept as `<name>.prev.safetensors`. A
// latest checkpoint that is missing, corrupt or invalid is reported and the previous
// one is loaded instead (the steps since are trained again, exactly as before).
import { copyFileSync, existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { type Optimizer, type Tensor, getRngState, loadSafetensors, saveSafetensors, setRngState, dispose, verifySafetensors } from "../torch/index.js";
import type { Module } from "../nn/module.js";
import { CHECKPOINT_FORMAT, LEGACY_CHECKPOINT_FORMAT, validateCheckpointMetadata } from "./checkpoint-metadata.js";

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
  const next = `${path}.next`;
  try {
    saveSafetensors(next, tensors, {
      format: CHECKPOINT_FORMAT,
      step: String(contents.step),
      optimizer: JSON.stringify(optState?.meta ?? null),
      extra: JSON.stringify(contents.extra ?? null),
    }, { checksum: true });
  } finally {
    rng.dispose();
  }
  // Read back before it replaces anything: a write the disk did not keep is caught here.
  try {
    verifySafetensors(next);
  } catch (e) {
    rmSync(next, { force: true });
    throw e;
  }
  // The current checkpoint becomes the previous one by a hard link, so that the latest
  // name never disappears (readers polling it, a crash at any point); the rename then
  // replaces it atomically.
  const prev = previousCheckpointPath(path);
  if (existsSync(path)) {
    rmSync(prev, { force: true });
    try {
      linkSync(path, prev);
    } catch {
      copyFileSync(path, prev); // filesystems without hard links
    }
  }
  renameSync(next, path);
}

/** Where the checkpoint a new one replaced is kept. */
export function previousCheckpointPath(path: string): string {
  return path.endsWith(".safetensors") ? `${path.slice(0, -".safetensors".length)}.prev.safetensors` : `${path}.prev`;
}

/** Whether there is a checkpoint to resume from (the latest or the previous one). */
export function hasCheckpoint(path: string): boolean {
  return existsSync(path) || existsSync(previousCheckpointPath(path));
}

/**
 * Loads the latest checkpoint, or, when it is missing, corrupt or invalid, the previous
 * one with a warning naming both files. Throws (naming the files) when neither loads.
 */
export function loadLatestCheckpoint(path: string, model: Module, optimizer: Optimizer | null,
  opts: { maxStep?: number; warn?: (message: string) => void } = {}): CheckpointContents & { path: string } {
  const warn = opts.warn ?? ((m: string) => process.stderr.write(`xling: warning: ${m}\n`));
  const prev = previousCheckpointPath(path);
  let latestError: Error | null = null;
  if (existsSync(path)) {
    try {
      return { ...loadCheckpoint(path, model, optimizer, { maxStep: opts.maxStep }), path };
    } catch (e) {
      latestError = e as Error;
      if (!existsSync(prev)) throw e;
    }
  }
  if (!existsSync(prev)) throw new Error(`${path}: no checkpoint to load`);
  warn(latestError ? `${latestError.message}; loading the previous checkpoint ${prev} instead` : `${path} is missing; loading the previous checkpoint ${prev}`);
  try {
    return { ...loadCheckpoint(prev, model, optimizer, { maxStep: opts.maxStep }), path: prev };
  } catch (e) {
    throw new Error(`no usable checkpoint: ${latestError ? latestError.message : `${path} is missing`}; and ${(e as Error).message}`, { cause: e });
  }
}

/** Restores model, optimizer and RNG from path; returns the step and extra metadata. */
export function loadCheckpoint(path: string, model: Module, optimizer: Optimizer | null, opts: { restoreRng?: boolean; maxStep?: number } = {}): CheckpointContents {
  const { tensors, metadata } = loadSafetensors(path);
  try {
    // Validated before anything is restored, so an invalid file leaves the model untouched.
    const valid = validateCheckpointMetadata(path, metadata, { maxStep: opts.maxStep, needsOptimizer: optimizer !== null });
    if (valid.format === LEGACY_CHECKPOINT_FORMAT)
      process.stderr.write(`xling: warning: ${path}: a checkpoint without checksum (written before checkpoints were verified); loaded unverified\n`);
    const modelState = new Map<string, Tensor>();
    const optTensors = new Map<string, Tensor>();
    for (const [name, t] of tensors) {
      if (name.startsWith(MODEL)) modelState.set(name.slice(MODEL.length), t);
      else if (name.startsWith(OPTIM)) optTensors.set(name.slice(OPTIM.length), t);
    }
    model.loadStateDict(modelState);
    if (optimizer) optimizer.loadState({ tensors: optTensors, meta: valid.optimizer as never });
    const rng = tensors.get(RNG);
    if ((opts.restoreRng ?? true) && rng) setRngState(rng);
    return { step: valid.step, extra: valid.extra };
  } finally {
    dispose([...tensors.values()]);
  }
}

// The schema of a checkpoint's metadata. Why: the step decides where training resumes
// and which metric lines are kept, so a damaged or hand-edited value must be refused,
// not coerced: Number("abc") is NaN (a run taken as finished with its metrics emptied),
// "100000" would finish a 600-step run without training, "-50" fails far away.
import { CHECKSUM_KEY } from "../torch/index.js";

/** Checkpoints written with a checksum (src/torch/safetensors.ts) and verified on load. */
export const CHECKPOINT_FORMAT = "xling-checkpoint-2";
/** Checkpoints from before checksums: still loadable, with a warning. */
export const LEGACY_CHECKPOINT_FORMAT = "xling-checkpoint-1";

export interface CheckpointMetadata {
  format: string;
  step: number;
  optimizer: unknown;
  extra: unknown;
}

export class CheckpointMetadataError extends Error {
  constructor(path: string, msg: string) {
    super(`${path}: checkpoint metadata: ${msg}`);
    this.name = "CheckpointMetadataError";
  }
}

function parseJsonField(path: string, metadata: Record<string, string>, key: string): unknown {
  const text = metadata[key];
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointMetadataError(path, `'${key}' is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Checks a checkpoint's metadata: a known format (with its checksum key), a step that is
 * a non-negative decimal integer no larger than `maxStep`, and JSON optimizer/extra fields.
 */
export function validateCheckpointMetadata(path: string, metadata: Record<string, string>, opts: { maxStep?: number; needsOptimizer?: boolean } = {}): CheckpointMetadata {
  const bad = (msg: string) => new CheckpointMetadataError(path, msg);
  const format = metadata.format;
  if (format !== CHECKPOINT_FORMAT && format !== LEGACY_CHECKPOINT_FORMAT)
    throw bad(`not an xling checkpoint (format ${format === undefined ? "missing" : JSON.stringify(format)})`);
  if (format === CHECKPOINT_FORMAT && metadata[CHECKSUM_KEY] === undefined) throw bad(`format ${format} requires a checksum ('${CHECKSUM_KEY}'), and it is missing`);
  const stepText = metadata.step;
  if (stepText === undefined || !/^(0|[1-9][0-9]{0,14})$/.test(stepText))
    throw bad(`step must be a non-negative integer, got ${stepText === undefined ? "nothing" : JSON.stringify(stepText)}`);
  const step = Number(stepText);
  if (opts.maxStep !== undefined && step > opts.maxStep) throw bad(`step ${step} is past this run's ${opts.maxStep} steps (a checkpoint of another run?)`);
  const optimizer = parseJsonField(path, metadata, "optimizer");
  if (opts.needsOptimizer && (optimizer === null || typeof optimizer !== "object")) throw bad("has no optimizer state");
  const extra = parseJsonField(path, metadata, "extra");
  return { format, step, optimizer, extra };
}

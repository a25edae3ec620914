// A model built from a Hugging Face config.json is sized by the config, not the weights:
// `num_hidden_layers: 1e8` would allocate for minutes and `hidden_size: 1e9` fails in
// libtorch with a bare std::bad_alloc. Before anything is allocated, the parameter count
// the config implies is compared with the values the weights file holds (read from its
// header only) and with the machine's memory.
import { totalmem } from "node:os";
import { readSafetensorsHeader } from "../torch/index.js";

/** The sizes that decide a transformer's parameter count. */
export interface ConfigSizes {
  vocabSize: number;
  hidden: number;
  layers: number;
  /** Feed-forward width (4 x hidden when the family fixes it). */
  intermediate: number;
  maxPositions: number;
  typeVocabSize?: number;
}

/** A transformer's parameter count from its sizes, up to biases and norms (which are small). */
export function estimateParameters(s: ConfigSizes): number {
  return (s.vocabSize + s.maxPositions + (s.typeVocabSize ?? 0)) * s.hidden + s.layers * (4 * s.hidden * s.hidden + 2 * s.hidden * s.intermediate);
}

const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 3 : 1)} GB`;

/**
 * Throws (naming config.json) when the config's sizes are not positive integers, imply
 * many more parameters than `weightsPath` holds, or would not fit in memory as float32.
 */
export function checkConfigSizes(configPath: string, weightsPath: string, s: ConfigSizes, memoryBytes = totalmem()): void {
  for (const [key, v] of Object.entries(s)) {
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0)) throw new Error(`${configPath}: ${key} must be a non-negative integer, got ${v}`);
  }
  const params = estimateParameters(s);
  let stored = 0;
  for (const e of readSafetensorsHeader(weightsPath).tensors.values()) stored += e.shape.reduce((a, b) => a * b, 1);
  const describe = `layers ${s.layers}, hidden ${s.hidden}, intermediate ${s.intermediate}, vocabulary ${s.vocabSize}`;
  // Heads a checkpoint may lack (an MLM head, a pooler) are small next to the body.
  if (params > 1.5 * stored + 1e6)
    throw new Error(`${configPath}: the config (${describe}) describes about ${params.toExponential(2)} parameters, but ${weightsPath} holds ${stored} values: the config does not match the weights`);
  if (params * 4 > memoryBytes)
    throw new Error(`${configPath}: the config (${describe}) needs about ${gb(params * 4)} as float32, more than this machine's ${gb(memoryBytes)} of memory`);
}

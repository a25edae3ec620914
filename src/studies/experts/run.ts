// One training run of an expert study (methods.md §4): the seed, one expert, or the
// dense baseline. Every kind is the same thing: a GPT that starts from given weights (or
// from seeded initialisation) and trains on a set of languages for a number of steps,
// in its own directory:
//   config.json, checkpoint.safetensors (resumable), metrics.jsonl,
//   model.safetensors (final weights, what other runs branch from), results.json (last).
import { existsSync, readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { loadSafetensors, manualSeed, saveSafetensors, dispose, type Tensor, withPrecision } from "../../torch/index.js";
import { GPT } from "../../nn/gpt.js";
import { PackedSequenceStream } from "../../data/pack.js";
import { makeSampler } from "../../data/samplers.js";
import { prepareMultilingual, type MultilingualChoice, type PreparedMultilingual } from "../../data/multilingual.js";
import type { TokenizerChoice } from "../../data/prepare.js";
import { TokenCacheReader } from "../../data/token-cache.js";
import { writeFileAtomic } from "../../util/atomic.js";
import { runTrainingSettings, startRun } from "../../run/ranks.js";
import { MultilingualBatchSource } from "../../train/multilingual-batches.js";
import { trainLanguageModel, type StepRecord } from "../../train/trainer.js";
import { appendMetrics, trainMetricRows, truncateMetrics, type MetricRow } from "../../run/metrics.js";
import { DATA_SPLIT_SEED, modelConfigFor, RunInterrupted } from "../../run/contract.js";
import type { ExpertStudy } from "./spec.js";
import { meanSequenceNll, testSequences } from "../../experts/evaluate.js";

export type ExpertRunKind = "seed" | "expert" | "dense";

export interface ExpertRunConfig {
  kind: ExpertRunKind;
  /** "seed", "expert-0", ..., "dense". */
  name: string;
  /** Languages it trains on (sequences drawn in proportion to their training tokens). */
  languages: string[];
  steps: number;
  /** Token caches of its training text per language when not the languages' whole train splits (content experts). */
  trainCaches?: Record<string, string>;
  /** Weights it starts from (another run's model.safetensors, or a loaded seed); null: seeded initialisation. */
  init: { path: string; from: string } | null;
  corpus: MultilingualChoice;
  tokenizer: TokenizerChoice;
  model: ExpertStudy["model"];
  train: ExpertStudy["train"];
}

/**
 * The settings that make a run what it is: its config without where its parent's weights
 * are. That path is absolute, so it changes when a study directory is moved or reached
 * through another path, while the parent (`init.from`, a run of the same study) does not.
 * Started runs are compared, and runs are recorded in the results store, by this.
 */
export function expertRunIdentity(config: ExpertRunConfig): Omit<ExpertRunConfig, "init"> & { init: { from: string } | null } {
  return { ...config, init: config.init ? { from: config.init.from } : null };
}

export interface ExpertRunOutcome {
  name: string;
  kind: ExpertRunKind;
  languages: string[];
  steps: number;
  tokensSeen: Record<string, number>;
  /** sha256 of the weights file it started from (null: seeded initialisation). */
  initSha256: string | null;
  /** Mean NLL per language on validation sequences after training. */
  validNll: Record<string, number>;
  seconds: number;
}

export const WEIGHTS_FILE = "model.safetensors";
export const CHECKPOINT_FILE = "checkpoint.safetensors";
export const RESULTS_FILE = "results.json";

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

/** Parameters from a weights file or an xling checkpoint (whose names carry a "model." prefix). */
export function loadWeightsInto(model: GPT, path: string): void {
  const { tensors } = loadSafetensors(path);
  try {
    const isCheckpoint = [...tensors.keys()].some((n) => n.startsWith("model."));
    const state = new Map<string, Tensor>();
    for (const [name, t] of tensors) {
      if (!isCheckpoint) state.set(name, t);
      else if (name.startsWith("model.")) state.set(name.slice("model.".length), t);
    }
    model.loadStateDict(state);
  } finally {
    dispose([...tensors.values()]);
  }
}

export function saveWeights(model: GPT, path: string, metadata: Record<string, string>): void {
  saveSafetensors(path, new Map(model.namedParameters()), { format: "xling-weights-1", ...metadata });
}

export function readRunOutcome(dir: string): ExpertRunOutcome | null {
  const path = join(dir, RESULTS_FILE);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as ExpertRunOutcome) : null;
}

/** A GPT shaped for the study's model spec and the prepared vocabulary. */
export function studyModel(model: ExpertStudy["model"], vocabSize: number): GPT {
  return new GPT(modelConfigFor({ model }, vocabSize));
}

export async function executeExpertRun(cfg: ExpertRunConfig, dir: string, opts: { cacheDir: string; progress?: boolean; prepared?: PreparedMultilingual }): Promise<ExpertRunOutcome> {
  // One process, or one rank of a data-parallel job under `xling launch` (src/run/ranks.ts).
  const { started, ranks, writer, progress, precision, log } = startRun(dir, cfg, { ...opts, label: cfg.name });
  opts = { ...opts, progress };
  const prepared = opts.prepared ?? await ranks.prepare("corpus preparation", () => prepareMultilingual(cfg.corpus, cfg.tokenizer, opts.cacheDir, DATA_SPLIT_SEED, log));

  manualSeed(cfg.train.seed);
  const model = studyModel(cfg.model, prepared.vocabSize);
  const checkpointPath = join(dir, CHECKPOINT_FILE);
  let initSha256: string | null = null;
  if (cfg.init) {
    if (!existsSync(cfg.init.path)) throw new Error(`${cfg.name}: the weights to branch from are missing (${cfg.init.path}); train ${cfg.init.from} first`);
    initSha256 = sha256File(cfg.init.path);
    // On resume the checkpoint replaces these weights; loading them first keeps one code path.
    loadWeightsInto(model, cfg.init.path);
  }
  ranks.startFrom(model.parameters());

  const caches = cfg.languages.map((l) => (cfg.trainCaches ? TokenCacheReader.open(cfg.trainCaches[l]!) : prepared.language(l).open("train")));
  const streams = caches.map((c) => new PackedSequenceStream(c, cfg.model.seqLen, cfg.train.seed));
  const sizes = Object.fromEntries(cfg.languages.map((l, i) => [l, caches[i]!.count]));
  const batches = ranks.batches(new MultilingualBatchSource(streams, makeSampler({ kind: "proportional", sizes, seed: cfg.train.seed }), cfg.train.batchSize));

  const metricsPath = join(dir, "metrics.jsonl");
  const writeMetrics = (rows: MetricRow[]) => writer && appendMetrics(metricsPath, rows);
  const onStep = (r: StepRecord) => writeMetrics(trainMetricRows(r));
  let tokensSeen: Record<string, number> = Object.fromEntries(cfg.languages.map((l) => [l, 0]));
  const validNll: Record<string, number> = {};
  const measureValid = () => {
    for (const lang of cfg.languages) {
      const reader = prepared.language(lang).open("valid");
      validNll[lang] = withPrecision(precision, () => meanSequenceNll(model, testSequences(reader, cfg.model.seqLen, 16 * (cfg.model.seqLen + 1))));
      reader.close();
    }
  };
  // The validation lines are written at the last step, before its checkpoint: a run
  // resumed from the final checkpoint has them already and does not write them twice.
  const evaluate = (step: number) => {
    measureValid();
    writeMetrics(cfg.languages.map((lang): MetricRow => ({ step, split: "eval", name: "nll", lang, value: validNll[lang] })));
  };
  if (cfg.steps > 0) {
    const result = await trainLanguageModel({
      model, batches, steps: cfg.steps,
      ...runTrainingSettings(cfg.train, cfg.steps, checkpointPath),
      evalEvery: cfg.steps, evaluate, onStep, onResume: (step) => writer && truncateMetrics(metricsPath, step),
      progress: opts.progress, label: cfg.name, precision,
      ...ranks.trainerHooks(),
    });
    if (result.interrupted) {
      caches.forEach((c) => c.close());
      model.dispose();
      throw new RunInterrupted(result.steps);
    }
    tokensSeen = result.tokensSeen;
  }
  caches.forEach((c) => c.close());
  ranks.close(log);

  if (cfg.steps === 0) {
    if (writer) truncateMetrics(metricsPath, -1);
    evaluate(0);
  } else if (Object.keys(validNll).length === 0) measureValid();
  if (!writer) {
    model.dispose();
    return { name: cfg.name, kind: cfg.kind, languages: cfg.languages, steps: cfg.steps, tokensSeen, initSha256, validNll, seconds: (Date.now() - started) / 1000 };
  }
  saveWeights(model, join(dir, WEIGHTS_FILE), { run: cfg.name, languages: cfg.languages.join(","), steps: String(cfg.steps) });
  model.dispose();
  const outcome: ExpertRunOutcome = {
    name: cfg.name, kind: cfg.kind, languages: cfg.languages, steps: cfg.steps, tokensSeen, initSha256, validNll,
    seconds: (Date.now() - started) / 1000,
  };
  writeFileAtomic(join(dir, RESULTS_FILE), JSON.stringify(outcome, null, 2));
  return outcome;
}

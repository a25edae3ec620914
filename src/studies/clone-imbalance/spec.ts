// Specs of the cloned-language imbalance study (methods.md §1): the corpus, the clones,
// the data ratio or schedule, evaluation; tokenizer, model and training from src/run/spec.ts.
import { z } from "zod";
import { CORPUS_NAMES } from "../../data/multilingual.js";
import { parseSchedule } from "../../data/samplers.js";
import { ModelSpec, TokenizerSpec, TrainSpec, checkModel, expandExperiment, readSpecFile, type ExperimentOf } from "../../run/spec.js";

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);

/** "p1_p2_..._pn": one clone probability per equal episode. */
const scheduleString = z.string().regex(/^(0(\.\d+)?|1(\.0+)?)(_(0(\.\d+)?|1(\.0+)?))*$/, "a schedule is probabilities in [0,1] joined by '_', e.g. 0.1_0.9");

export const CorpusSpec = z.strictObject({
  /** An embedded corpus (bible, udhr, debian-reference) or "file" with a path. */
  name: z.enum(CORPUS_NAMES).default("bible"),
  lang: z.string().min(1).default("en"),
  /** Bible translation id (kjv, web, sparv). */
  translation: z.string().optional(),
  /** For name "file": a plain-text file, one document per line (or .jsonl with a text field). */
  path: z.string().optional(),
  /** Share of documents held out for validation and test. */
  validFraction: probability.default(0.02),
  testFraction: probability.default(0.03),
});

export const ClonesSpec = z.strictObject({
  /** K: the original language plus K-1 clones. */
  languages: z.number().int().min(2).max(16).default(2),
  /** Share of token ids cloned; the rest are shared anchors (1 = nothing shared). */
  fracClone: probability.default(1),
  /** Ids never cloned: padding only (the method; end-of-document cloned too) or every special id (xling before). */
  anchors: z.enum(["padding-only", "all-special"]).default("padding-only"),
  seed: z.number().int().min(0).default(0),
});

export const DataSpec = z.strictObject({
  /** p: probability that a training sequence is rendered as a clone (0.1 = 90/10). */
  ratio: probability.default(0.5),
  /** Episode schedule; overrides ratio when set (ratio then records its overall share). */
  schedule: scheduleString.nullable().default(null),
  /** Share of the full step budget this run trains for (monolingual data-fraction runs). */
  fraction: z.number().gt(0).max(1).default(1),
});

export const EvalSpec = z.strictObject({
  every: positiveInt.default(100),
  /** Held-out tokens scored per language. */
  tokens: positiveInt.default(8192),
  /** Sliding-window stride; default seqLen / 4. */
  stride: positiveInt.optional(),
  /** Parallel sequences for hidden-state and gradient alignment. */
  alignmentSequences: positiveInt.default(16),
});

export const RunSpec = z.strictObject({
  corpus: CorpusSpec.prefault({}),
  tokenizer: TokenizerSpec.prefault({}),
  clones: ClonesSpec.prefault({}),
  model: ModelSpec.prefault({}),
  train: TrainSpec,
  data: DataSpec.prefault({}),
  eval: EvalSpec.prefault({}),
});
export type RunConfig = z.output<typeof RunSpec>;
export type Experiment = ExperimentOf<RunConfig>;

/** Validates a parsed clone-imbalance spec and expands its sweeps into run configs. */
export function parseExperiment(raw: unknown, source = "spec"): Experiment {
  return expandExperiment(raw, source, RunSpec, (run) => {
    checkModel(run, source);
    // A schedule's overall clone share is the mean of its episodes; ratio records it, so
    // runs group by how much of each language they saw in total.
    if (run.data.schedule) {
      const ps = parseSchedule(run.data.schedule);
      run.data.ratio = ps.reduce((a, b) => a + b, 0) / ps.length;
    }
  }, "clone-imbalance");
}

export function loadExperiment(path: string): Experiment {
  return parseExperiment(readSpecFile(path), path);
}

// Runs of the translation-balancing study (issue 19; methods.md §5 in its own setting):
// one decoder-only model trained on several translation directions of imbalanced size,
// the directions being the tasks a sampler and a balancing method weigh. The balancing,
// curvature and training options are the language-balance study's (balance-spec.ts).
import { z } from "zod";
import { ModelSpec, SpecError, TokenizerSpec, TrainSpec, checkModel, expandExperiment, type ExperimentOf } from "../../run/spec.js";
import { BalanceSpec, CurvatureSpec, catsVariantLabel, checkParameterFilters } from "../balancing/spec.js";

const positiveInt = z.number().int().positive();
const language = z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-'");

export const DirectionEntry = z.strictObject({
  src: language,
  tgt: language,
  /** A paragraph-parallel corpus (debian-reference, bible) or a file format (tsv, jsonl, files). */
  corpus: z.string().default("debian-reference"),
  path: z.string().optional(),
  targetPath: z.string().optional(),
  /** Most training pairs kept: imposes the imbalance. */
  cap: positiveInt.optional(),
});

export const TranslationCorpusSpec = z.strictObject({
  directions: z.array(DirectionEntry).min(2),
  validFraction: z.number().gt(0).lt(1).default(0.05),
  testFraction: z.number().gt(0).lt(1).default(0.1),
  /** Pairs with a longer source or target (characters) are left out. */
  maxChars: positiveInt.default(400),
});

export const TranslationDataSpec = z.strictObject({
  /** Which direction each training example comes from: p ∝ pairs, ∝ pairs^(1/T), or uniform. */
  sampling: z.enum(["proportional", "temperature", "uniform"]).default("proportional"),
  temperature: z.number().min(1).default(5),
});

export const TranslationEvalSpec = z.strictObject({
  /** Held-out (valid) loss on target tokens every N steps. */
  every: positiveInt.default(100),
  /** Valid examples per direction behind that loss. */
  validExamples: positiveInt.default(64),
  /** Test sentences per direction translated at the end (a seeded choice, the same for every run). */
  sentences: positiveInt.default(200),
  /** Beam width; 1 is greedy decoding. */
  beam: positiveInt.default(1),
  lengthPenalty: z.number().min(0).default(1),
  maxNewTokens: positiveInt.default(96),
  /** Bootstrap resamples of each run's BLEU/chrF interval. */
  resamples: positiveInt.default(1000),
  batchSize: positiveInt.default(32),
});

export const TranslationRunSpec = z.strictObject({
  corpus: TranslationCorpusSpec,
  tokenizer: TokenizerSpec.prefault({}),
  model: ModelSpec.prefault({}),
  train: TrainSpec,
  data: TranslationDataSpec.prefault({}),
  balance: BalanceSpec.prefault({}),
  curvature: CurvatureSpec.prefault({}),
  eval: TranslationEvalSpec.prefault({}),
});
export type TranslationRunConfig = z.output<typeof TranslationRunSpec>;
export type TranslationExperiment = ExperimentOf<TranslationRunConfig>;

/** "proportional", "temperature T=5", "cats lagrangian/combined/training/look-ahead", "pcgrad (uniform)", ...: the language-balance study's labels. */
export function translationMethodLabel(c: TranslationRunConfig): string {
  const sampling = c.data.sampling === "temperature" ? `temperature T=${c.data.temperature}` : c.data.sampling;
  if (c.balance.method === "none") return sampling;
  const method = c.balance.method === "cats" ? catsVariantLabel(c.balance.cats) : c.balance.method;
  return c.data.sampling === "proportional" ? method : `${method} (${sampling})`;
}

export function parseTranslationExperiment(raw: unknown, source = "spec"): TranslationExperiment {
  return expandExperiment(raw, source, TranslationRunSpec, (run) => {
    checkModel(run, source);
    checkParameterFilters(run, source);
    const names = run.corpus.directions.map((d) => `${d.src}-${d.tgt}`);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) throw new SpecError(source, [{ path: "base.corpus.directions", message: `direction ${dup} is listed twice` }]);
    if (run.eval.maxNewTokens >= run.model.seqLen)
      throw new SpecError(source, [{ path: "base.eval.maxNewTokens", message: `must leave room for the prompt in model.seqLen (${run.model.seqLen})` }]);
  }, "translation-balance");
}

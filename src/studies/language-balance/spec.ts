// Runs of the language-balancing study (methods.md §5): a language model trained on an
// imbalanced mixture of real languages, with a data-level sampler and a gradient-level
// balancing method, both named in the spec with every option explicit.
import { z } from "zod";
import { CORPUS_NAMES } from "../../data/multilingual.js";
import { BalanceSpec, CurvatureSpec, catsVariantLabel, checkParameterFilters } from "../balancing/spec.js";

export { CatsSpec, BalanceSpec, CurvatureSpec, catsVariantLabel, parameterFilter } from "../balancing/spec.js";
import { ModelSpec, SpecError, TokenizerSpec, TrainSpec, checkModel, expandExperiment, type ExperimentOf } from "../../run/spec.js";

const positiveInt = z.number().int().positive();

export const LanguageEntry = z.strictObject({
  /** The language's name in results ("en"). */
  lang: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-'"),
  corpus: z.enum(CORPUS_NAMES).default("debian-reference"),
  /** Code inside the corpus when it differs from lang (UDHR: "eng"). */
  code: z.string().optional(),
  translation: z.string().optional(),
  path: z.string().optional(),
  /** Relative share of data.trainTokens this language contributes (0.8, 0.15, 0.05). */
  share: z.number().positive(),
});

export const BalanceCorpusSpec = z.strictObject({
  languages: z.array(LanguageEntry).min(2),
  validFraction: z.number().gt(0).lt(1).default(0.05),
  testFraction: z.number().gt(0).lt(1).default(0.05),
});

export const BalanceDataSpec = z.strictObject({
  /** Training tokens of all languages together, split by the languages' shares. */
  trainTokens: positiveInt,
  /** Which language each training sequence comes from: p_n ∝ D_n (proportional), ∝ D_n^(1/T), or 1/N. */
  sampling: z.enum(["proportional", "temperature", "uniform"]).default("proportional"),
  temperature: z.number().min(1).default(5),
});




export const BalanceEvalSpec = z.strictObject({
  every: positiveInt.default(100),
  /** Held-out test tokens scored per language. */
  tokens: positiveInt.default(8192),
  stride: positiveInt.optional(),
});

export const BalanceRunSpec = z.strictObject({
  corpus: BalanceCorpusSpec,
  tokenizer: TokenizerSpec.prefault({}),
  model: ModelSpec.prefault({}),
  train: TrainSpec,
  data: BalanceDataSpec,
  balance: BalanceSpec.prefault({}),
  curvature: CurvatureSpec.prefault({}),
  eval: BalanceEvalSpec.prefault({}),
});
export type BalanceRunConfig = z.output<typeof BalanceRunSpec>;


/** "proportional", "temperature T=5", "uniform", "cats lagrangian/combined/training", "pcgrad", ... */
export function methodLabel(c: BalanceRunConfig): string {
  const sampling = c.data.sampling === "temperature" ? `temperature T=${c.data.temperature}` : c.data.sampling;
  if (c.balance.method === "none") return sampling;
  const method = c.balance.method === "cats" ? catsVariantLabel(c.balance.cats) : c.balance.method;
  return c.data.sampling === "proportional" ? method : `${method} (${sampling})`;
}


export type BalanceExperiment = ExperimentOf<BalanceRunConfig>;

/** Validates a language-balance spec and expands its sweeps into run configs. */
export function parseBalanceExperiment(raw: unknown, source = "spec"): BalanceExperiment {
  return expandExperiment(raw, source, BalanceRunSpec, (run) => {
    checkModel(run, source);
    checkParameterFilters(run, source);
    const langs = run.corpus.languages.map((l) => l.lang);
    const dup = langs.find((l, i) => langs.indexOf(l) !== i);
    if (dup) throw new SpecError(source, [{ path: "base.corpus.languages", message: `language '${dup}' is listed twice` }]);
  }, "language-balance");
}

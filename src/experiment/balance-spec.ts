// Runs of the language-balancing study (methods.md §5): a language model trained on an
// imbalanced mixture of real languages, with a data-level sampler and a gradient-level
// balancing method, both named in the spec with every option explicit.
import { z } from "zod";
import { DEFAULT_CATS_OPTIONS } from "../train/balance/cats.js";
import { ModelSpec, SpecError, TokenizerSpec, TrainSpec, checkModel, expandExperiment, type ExperimentOf } from "./spec.js";

const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);

export const LanguageEntry = z.strictObject({
  /** The language's name in results ("en"). */
  lang: z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-'"),
  corpus: z.enum(["bible", "udhr", "debian-reference", "libreoffice-help", "file"]).default("debian-reference"),
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

/** CATS (src/train/balance/cats.ts): every option of its Lagrangian and update. */
export const CatsSpec = z.strictObject({
  form: z.enum(["lagrangian", "penalty"]).default(DEFAULT_CATS_OPTIONS.form),
  source: z.enum(["held-out", "training"]).default(DEFAULT_CATS_OPTIONS.source),
  objective: z.enum(["weighted-loss", "look-ahead"]).default(DEFAULT_CATS_OPTIONS.objective),
  lookAheadStep: nonNegative.default(DEFAULT_CATS_OPTIONS.lookAheadStep),
  curvatureBudget: nonNegative.default(DEFAULT_CATS_OPTIONS.curvatureBudget),
  multiplierLearningRate: nonNegative.default(DEFAULT_CATS_OPTIONS.multiplierLearningRate),
  constraints: z.strictObject({
    curvature: z.boolean().default(true),
    sumToOne: z.boolean().default(true),
    floor: z.boolean().default(true),
  }).prefault({}),
  curvatureProxy: z.enum(["concatenated", "combined"]).default(DEFAULT_CATS_OPTIONS.curvatureProxy),
  updateInterval: positiveInt.default(DEFAULT_CATS_OPTIONS.updateInterval),
  metaSteps: positiveInt.default(DEFAULT_CATS_OPTIONS.metaSteps),
  metaLearningRate: z.number().positive().default(DEFAULT_CATS_OPTIONS.metaLearningRate),
  lambdaCurvature: nonNegative.default(DEFAULT_CATS_OPTIONS.lambdaCurvature),
  lambdaSum: nonNegative.default(DEFAULT_CATS_OPTIONS.lambdaSum),
  lambdaFloor: nonNegative.default(DEFAULT_CATS_OPTIONS.lambdaFloor),
  epsilon: z.number().positive().default(DEFAULT_CATS_OPTIONS.epsilon),
  dualLearningRate: nonNegative.default(DEFAULT_CATS_OPTIONS.dualLearningRate),
});

export const BalanceSpec = z.strictObject({
  method: z.enum(["none", "cats", "pcgrad", "gradvac", "gradnorm"]).default("none"),
  /** Parameters per-language gradients are taken over: "all", or a regular expression on parameter names. */
  parameters: z.string().default("all"),
  cats: CatsSpec.prefault({}),
  gradvac: z.strictObject({ beta: z.number().min(0).max(1).default(0.01) }).prefault({}),
  gradnorm: z.strictObject({ alpha: nonNegative.default(1.5), learningRate: z.number().positive().default(0.025) }).prefault({}),
  /** CATS: held-out (or training, with cats.source "training") sequences per language behind each update. */
  heldOutSequences: positiveInt.default(8),
});

export const CurvatureSpec = z.strictObject({
  /** Measure every N steps (and at the end); 0 never. */
  every: z.number().int().min(0).default(0),
  /** Hessian-vector products per power iteration. */
  iterations: positiveInt.default(20),
  /** Held-out sequences per language (the same ones at every measurement). */
  sequences: positiveInt.default(8),
  parameters: z.string().default("all"),
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

/** CATS's variant in a few words: "cats lagrangian/combined/training", "+look-ahead" when used. */
export function catsVariantLabel(c: BalanceRunConfig["balance"]["cats"]): string {
  return `cats ${c.form}/${c.curvatureProxy}/${c.source}${c.objective === "look-ahead" ? "/look-ahead" : ""}`;
}

/** "proportional", "temperature T=5", "uniform", "cats lagrangian/combined/training", "pcgrad", ... */
export function methodLabel(c: BalanceRunConfig): string {
  const sampling = c.data.sampling === "temperature" ? `temperature T=${c.data.temperature}` : c.data.sampling;
  if (c.balance.method === "none") return sampling;
  const method = c.balance.method === "cats" ? catsVariantLabel(c.balance.cats) : c.balance.method;
  return c.data.sampling === "proportional" ? method : `${method} (${sampling})`;
}

/** A parameter-name predicate from the spec's "all" or regular expression. */
export function parameterFilter(pattern: string): ((name: string) => boolean) | undefined {
  if (pattern === "all") return undefined;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new Error(`parameters: '${pattern}' is not a regular expression (${(e as Error).message})`);
  }
  return (name) => re.test(name);
}

export type BalanceExperiment = ExperimentOf<BalanceRunConfig>;

/** Validates a language-balance spec and expands its sweeps into run configs. */
export function parseBalanceExperiment(raw: unknown, source = "spec"): BalanceExperiment {
  return expandExperiment(raw, source, BalanceRunSpec, (run) => {
    checkModel(run, source);
    for (const p of [run.balance.parameters, run.curvature.parameters]) {
      try {
        parameterFilter(p);
      } catch (e) {
        throw new SpecError(source, [{ path: "base.balance.parameters", message: (e as Error).message }]);
      }
    }
    const langs = run.corpus.languages.map((l) => l.lang);
    const dup = langs.find((l, i) => langs.indexOf(l) !== i);
    if (dup) throw new SpecError(source, [{ path: "base.corpus.languages", message: `language '${dup}' is listed twice` }]);
  }, "language-balance");
}

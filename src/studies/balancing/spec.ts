// The balancing-method options shared by the studies that compare balancing methods
// (language-balance, translation-balance): CATS's, the method and its parameters, the
// curvature measurement, and their labels.
import { z } from "zod";
import { DEFAULT_CATS_OPTIONS } from "../../train/balance/cats.js";
import { SpecError } from "../../run/spec.js";

const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);

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

/** CATS's variant in a few words: "cats lagrangian/combined/training", "+look-ahead" when used. */
export function catsVariantLabel(c: z.output<typeof CatsSpec>): string {
  return `cats ${c.form}/${c.curvatureProxy}/${c.source}${c.objective === "look-ahead" ? "/look-ahead" : ""}`;
}

/** A parameter-name predicate from the spec's "all" or regular expression. */
export function parameterFilter(pattern: string): ((name: string) => boolean) | undefined {
  if (pattern === "all") return undefined;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new Error(`parameters: '${pattern}' is not a regular expression (${(e as Error).message})`, { cause: e });
  }
  return (name) => re.test(name);
}

/** Checks a run's parameter filters (balance.parameters, curvature.parameters) compile, naming the field that does not. */
export function checkParameterFilters(run: { balance: { parameters: string }; curvature: { parameters: string } }, source: string): void {
  for (const [field, p] of [["balance", run.balance.parameters], ["curvature", run.curvature.parameters]] as const) {
    try {
      parameterFilter(p);
    } catch (e) {
      throw new SpecError(source, [{ path: `base.${field}.parameters`, message: (e as Error).message }]);
    }
  }
}

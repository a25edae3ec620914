// Specs of the real-language imbalance study (methods.md §1, real-language variant): two
// languages of a paragraph-parallel corpus, each with its own tokenizer, joined in one
// model vocabulary; the data ratio; evaluation. Tokenizer (per language), model and
// training from src/run/spec.ts.
import { z } from "zod";
import { ModelSpec, TokenizerSpec, TrainSpec, checkModel, expandExperiment, readSpecFile, type ExperimentOf } from "../../run/spec.js";

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);

export const CorpusSpec = z.strictObject({
  /** A paragraph-parallel corpus: libreoffice-help (default), debian-reference, bible. */
  name: z.string().min(1).default("libreoffice-help"),
  /** The two languages; the first is language 1 of the joint vocabulary. */
  languages: z.tuple([z.string().min(1), z.string().min(1)]).default(["en-us", "de"]),
  /** Share of paragraphs (by paragraph id, the same in both languages) held out. */
  validFraction: probability.default(0.02),
  testFraction: probability.default(0.05),
});

export const DataSpec = z.strictObject({
  /** Probability that a training sequence is in the SECOND language: 0.1 = 90/10 with it the minority; 0 and 1 = one language alone. */
  ratio: probability.default(0.5),
  /** Share of the full step budget this run trains for (the "alone" data-fraction runs). */
  fraction: z.number().gt(0).max(1).default(1),
});

export const EvalSpec = z.strictObject({
  every: positiveInt.default(100),
  /** Held-out tokens scored per language. */
  tokens: positiveInt.default(8192),
  /** Sliding-window stride; default seqLen / 4. */
  stride: positiveInt.optional(),
  /** Held-out parallel paragraphs for the matched hidden-state cosine. */
  alignmentParagraphs: positiveInt.default(32),
});

export const RunSpec = z.strictObject({
  corpus: CorpusSpec.prefault({}),
  /** One SentencePiece tokenizer per language, each with these settings, trained on that language alone. */
  tokenizer: TokenizerSpec.prefault({}),
  /** How the two vocabularies are joined: disjoint (nothing shared) or anchored (identical pieces share an id). */
  vocabulary: z.enum(["disjoint", "anchored"]).default("disjoint"),
  model: ModelSpec.prefault({}),
  train: TrainSpec,
  data: DataSpec.prefault({}),
  eval: EvalSpec.prefault({}),
});
export type RealRunConfig = z.output<typeof RunSpec>;
export type RealExperiment = ExperimentOf<RealRunConfig>;

/** Validates a parsed real-imbalance spec and expands its sweeps into run configs. */
export function parseRealExperiment(raw: unknown, source = "spec"): RealExperiment {
  return expandExperiment(raw, source, RunSpec, (run) => {
    checkModel(run, source);
    const [a, b] = run.corpus.languages;
    if (a === b) throw new Error(`${source}: corpus.languages names '${a}' twice; the study needs two languages`);
  }, "real-imbalance");
}

export function loadRealExperiment(path: string): RealExperiment {
  return parseRealExperiment(readSpecFile(path), path);
}

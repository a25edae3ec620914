// Specs of expert studies (methods.md §4): which languages, how they are split into
// experts, how long the seed, each expert and the compute-matched dense baseline train,
// and how the ensembles are evaluated. Validated with zod; a bad spec is refused with the
// path of the offending field before anything is trained.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { ModelSpec, SpecError, TokenizerSpec, TrainSpec, settlePrecision } from "../../run/spec.js";

const positiveInt = z.number().int().positive();
const probability = z.number().min(0).max(1);
const languageName = z.string().regex(/^[A-Za-z0-9_-]+$/, "letters, digits, '_' and '-'");

export const LanguageSourceSpec = z.strictObject({
  lang: languageName,
  corpus: z.enum(["debian-reference", "libreoffice-help", "udhr", "bible", "file"]),
  /** The language's code inside the corpus when it differs from `lang` (UDHR: "eng"). */
  code: z.string().optional(),
  translation: z.string().optional(),
  path: z.string().optional(),
});

/** Language features for typological partitioning and for choosing a new language's parent expert. */
export const SimilaritySpec = z.discriminatedUnion("method", [
  /** A lang2vec-style CSV or JSON file (relative paths: from the spec's folder). */
  z.strictObject({ method: z.literal("typological"), features: z.string().min(1) }),
  /** Great-circle geography from the coordinates the UDHR package carries; `codes` maps languages to UDHR codes. */
  z.strictObject({ method: z.literal("geographic"), codes: z.record(z.string(), z.string()).default({}) }),
]);

export const PartitionSpec = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("language-map"), map: z.record(z.string(), z.number().int().min(0)) }),
  ...SimilaritySpec.options,
  /**
   * Documents by content: TF-IDF (token ids as terms) -> truncated SVD -> balanced k-means,
   * fitted on a sample of training documents; every document then goes to its nearest centre.
   */
  z.strictObject({
    method: z.literal("content"),
    dimensions: positiveInt.default(100),
    maxTerms: positiveInt.default(4000),
    /** Training documents (spread over the languages) the centres are fitted on. */
    fitDocuments: positiveInt.default(2000),
  }),
]);

export const ExpertsSpec = z.strictObject({
  /** Number of experts the initial languages are split into. */
  k: positiveInt,
  /** Languages of the initial experts (each must be in corpus.languages). */
  languages: z.array(languageName).min(1),
  partition: PartitionSpec,
  /** How a new language's parent expert is chosen; defaults to the partition's features. */
  similarity: SimilaritySpec.optional(),
  /** Training steps of each expert. */
  steps: positiveInt,
  /**
   * Hierarchical multi-round training of the initial experts: with R rounds, expert i (in
   * cluster order) trains in round floor(i R / k); round 0 branches from the seed, every
   * later expert from its nearest expert of an earlier round (similarity features). 1 = all
   * from the seed.
   */
  rounds: positiveInt.default(1),
  /** Languages added after the initial experts, each as a new expert branched from the most similar one. */
  add: z.array(z.strictObject({ language: languageName, steps: positiveInt.optional() })).default([]),
});

export const SeedSpec = z.strictObject({
  /** Steps of the seed model on all initial languages (0: the experts start from `load` or from scratch). */
  steps: z.number().int().min(0),
  /** A safetensors file (weights or an xling checkpoint) to start the seed from. */
  load: z.string().optional(),
});

/** A run's training settings as in every study, without a step count (each stage has its own), warm-up 100. */
export const ExpertTrainSpec = TrainSpec.omit({ steps: true }).extend({ warmup: z.number().int().min(0).default(100) });

export const ExpertEvalSpec = z.strictObject({
  /** Held-out test tokens scored per language (whole sequences of model.seqLen + 1). */
  tokens: positiveInt.default(8192),
  /** Validation batches per language for the cached prior. */
  priorBatches: positiveInt.default(8),
  /** Exponential weight of each batch's posterior in the cached prior. */
  alpha: z.number().gt(0).max(1).default(0.3),
  /** Keep only the k largest cached-prior weights (renormalised). */
  topK: positiveInt.optional(),
  /** TF-IDF distance rule: only the k nearest experts keep weight (renormalised); all when absent. */
  tfidfTopK: positiveInt.optional(),
  /** Temperature T of the TF-IDF distance weights softmax(-d^2 / T). */
  temperature: z.number().positive().default(0.1),
  /** SVD dimensions of the TF-IDF prefix embedding. */
  dimensions: positiveInt.default(100),
  /** Sequences scored together (every expert on the same batch). */
  batch: positiveInt.default(32),
});

export const ExpertStudySpec = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-'"),
  study: z.literal("experts").default("experts"),
  description: z.string().optional(),
  /** Every language the study will ever use, added ones included: they share one tokenizer. */
  corpus: z.strictObject({
    languages: z.array(LanguageSourceSpec).min(1),
    validFraction: probability.default(0.05),
    testFraction: probability.default(0.05),
  }),
  tokenizer: TokenizerSpec.prefault({}),
  model: ModelSpec.prefault({}),
  seed: SeedSpec,
  experts: ExpertsSpec,
  train: ExpertTrainSpec.prefault({}),
  eval: ExpertEvalSpec.prefault({}),
  /** Also train the compute-matched dense baseline. */
  dense: z.boolean().default(true),
  /** Training processes at once. */
  parallel: positiveInt.default(1),
});
export type ExpertStudy = z.output<typeof ExpertStudySpec>;
export type Similarity = z.output<typeof SimilaritySpec>;

/** Validates a parsed spec; relative feature and corpus paths resolve against `baseDir`. */
export function parseExpertStudy(raw: unknown, source = "spec", baseDir = "."): ExpertStudy {
  const parsed = ExpertStudySpec.safeParse(raw);
  if (!parsed.success) {
    throw new SpecError(source, parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
  }
  const s = parsed.data;
  const fail = (path: string, message: string): never => {
    throw new SpecError(source, [{ path, message }]);
  };
  const corpusLangs = s.corpus.languages.map((l) => l.lang);
  corpusLangs.forEach((l, i) => corpusLangs.indexOf(l) !== i && fail(`corpus.languages.${i}.lang`, `language '${l}' is listed twice`));
  s.experts.languages.forEach((l, i) => !corpusLangs.includes(l) && fail(`experts.languages.${i}`, `'${l}' is not in corpus.languages`));
  if (new Set(s.experts.languages).size !== s.experts.languages.length) fail("experts.languages", "a language is listed twice");
  if (s.experts.k > s.experts.languages.length) fail("experts.k", `${s.experts.k} experts for ${s.experts.languages.length} languages`);
  s.experts.add.forEach((a, i) => {
    if (!corpusLangs.includes(a.language)) fail(`experts.add.${i}.language`, `'${a.language}' is not in corpus.languages (the tokenizer must know it)`);
    if (s.experts.languages.includes(a.language)) fail(`experts.add.${i}.language`, `'${a.language}' already belongs to an initial expert`);
  });
  if (s.experts.partition.method === "language-map") {
    const map = s.experts.partition.map;
    for (const l of s.experts.languages) if (map[l] === undefined) fail(`experts.partition.map.${l}`, "missing: every expert language needs a cluster");
    for (const [l, c] of Object.entries(map)) if (c >= s.experts.k) fail(`experts.partition.map.${l}`, `cluster ${c} is not below k = ${s.experts.k}`);
    if (s.experts.add.length && !s.experts.similarity) fail("experts.similarity", "adding languages to a language-map partition needs similarity features");
  }
  if (s.experts.rounds > s.experts.k) fail("experts.rounds", `${s.experts.rounds} rounds for ${s.experts.k} experts`);
  if (s.experts.rounds > 1 && s.experts.partition.method === "content") fail("experts.rounds", "rounds branch from the most similar language expert; content experts hold every language");
  if (s.experts.rounds > 1 && s.experts.partition.method === "language-map" && !s.experts.similarity) fail("experts.similarity", "rounds on a language-map partition need similarity features");
  if (s.experts.partition.method === "content" && s.experts.add.length)
    fail("experts.add", "adding a language branches from the most similar language expert; content experts hold every language");
  if (s.model.size === "custom" && (s.model.dModel === undefined || s.model.layers === undefined || s.model.heads === undefined))
    fail("model", "size 'custom' needs dModel, layers and heads");
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  for (const sim of [s.experts.partition, s.experts.similarity]) if (sim?.method === "typological") sim.features = abs(sim.features);
  for (const l of s.corpus.languages) if (l.path) l.path = abs(l.path);
  if (s.seed.load) s.seed.load = abs(s.seed.load);
  settlePrecision(s.train, source, "train.precision");
  return s;
}

export function loadExpertStudy(path: string): ExpertStudy {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  return parseExpertStudy(raw, path, dirname(resolve(path)));
}

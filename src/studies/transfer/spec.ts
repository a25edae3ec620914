// A cross-lingual transfer study (methods.md §2, §3): pretrain a small encoder on several
// real languages, fine-tune it on a derived labelled task from one or several source
// languages at the same example budget, with realignment not at all, before or during
// fine-tuning, and evaluate zero-shot in every language; measure alignment per layer,
// correlate it with the transfer gap, and rank source sets by selection heuristics.
import { z } from "zod";
import { SpecError, TokenizerSpec, readSpecFile, PrecisionSpec, settlePrecision } from "../../run/spec.js";

const positiveInt = z.number().int().positive();

export const TransferLanguage = z.strictObject({
  /** Debian Reference language code (en, de, fr, es, it, pt, ...). */
  lang: z.string().min(1),
  /** UDHR code whose coordinates stand for the language's location (geographic heuristic). */
  udhr: z.string().optional(),
});

export const TransferSpec = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-'"),
  study: z.literal("transfer"),
  description: z.string().optional(),
  languages: z.array(TransferLanguage).min(2),
  tokenizer: TokenizerSpec.prefault({ vocabSize: 8000 }),
  encoder: z.strictObject({
    hidden: positiveInt.default(128),
    layers: positiveInt.default(4),
    heads: positiveInt.default(4),
    /** Tokens per sequence, pretraining and fine-tuning alike. */
    maxLen: positiveInt.default(64),
    dropout: z.number().min(0).lt(1).default(0.1),
  }).prefault({}),
  pretrain: z.strictObject({
    steps: positiveInt,
    batchSize: positiveInt.default(32),
    lr: z.number().positive().default(1e-3),
    warmup: z.number().int().min(0).default(100),
    /** Language sampling temperature (1 = proportional to data). */
    temperature: z.number().min(1).default(3),
    maskProbability: z.number().gt(0).lt(1).default(0.15),
    checkpointEvery: positiveInt.default(200),
    seed: z.number().int().min(0).default(0),
    threads: positiveInt.default(1),
    /** Pretraining, fine-tuning and evaluation precision; absent: the machine's default (see TrainSpec). */
    precision: PrecisionSpec.optional(),
  }),
  task: z.strictObject({
    /** debian-chapter: Debian Reference chapters; libreoffice-module: LibreOffice help modules (pretraining reads the same corpus). */
    kind: z.enum(["debian-chapter", "libreoffice-module"]).default("debian-chapter"),
    minChars: positiveInt.default(40),
    testFraction: z.number().gt(0).lt(1).default(0.2),
  }).prefault({}),
  finetune: z.strictObject({
    /** Training examples per condition, split evenly across its source languages. */
    budget: positiveInt.default(1200),
    steps: positiveInt.default(200),
    batchSize: positiveInt.default(32),
    lr: z.number().positive().default(5e-4),
    seeds: z.array(z.number().int().min(0)).min(1).default([0]),
  }).prefault({}),
  /** Source-language sets to fine-tune on; every language is a zero-shot target. */
  conditions: z.array(z.array(z.string()).min(1)).min(1),
  realign: z.strictObject({
    modes: z.array(z.enum(["none", "before", "during"])).min(1).default(["none", "before", "during"]),
    /** The pivot language every other language is realigned to. */
    pivot: z.string().default("en"),
    /**
     * Bilingual dictionaries (pivot word first) by language: "freedict" (the FreeDict
     * English-X dictionary that `xling corpus freedict` fetched), a dictd `.index` file, or
     * a MUSE text file. Under the "dictionary" pair source that language's word pairs come
     * from its dictionary; a language without one keeps the aligner's pairs.
     */
    dictionaries: z.record(z.string(), z.string()).default({}),
    /**
     * Where realignment's word pairs come from; each realigned mode runs once per source,
     * on the same pretrained encoder. Default: ["dictionary"] when dictionaries are given
     * (xling's earlier meaning of them), else ["aligner"].
     */
    pairSources: z.array(z.enum(["aligner", "dictionary"])).min(1).optional(),
    /** Parallel training paragraphs per language pair given to the aligner. */
    texts: positiveInt.default(1500),
    /** Realignment steps before fine-tuning ("before" mode); default as many as fine-tuning steps, as in the method. */
    steps: positiveInt.optional(),
    batchTexts: positiveInt.default(16),
    linksPerText: positiveInt.default(8),
    /** Weight of the realignment loss added during fine-tuning ("during" mode); the method's 0.1. */
    weight: z.number().positive().default(0.1),
    temperature: z.number().positive().default(0.1),
    /** Encoder layer aligned (0 = embeddings); default L - 1, the layer below the last, as in the method. */
    layer: z.number().int().min(0).optional(),
    /** Output size of the projection head Linear(h,h)-ReLU-Linear(h,projection). */
    projection: positiveInt.default(128),
    projectionBias: z.boolean().default(false),
    /** A word's vector: its first subword's state (the method) or the mean of its subwords'. */
    word: z.enum(["first", "mean"]).default("first"),
    /** InfoNCE negatives: the other language's aligned words ("cross") or also the same language's ("strong"). */
    negatives: z.enum(["cross", "strong"]).default("cross"),
    /** InfoNCE candidates: every word of the batch's texts (the method) or only the aligned words (the older N x N form). */
    negativesFrom: z.enum(["batch-words", "linked-words"]).default("batch-words"),
    lr: z.number().positive().default(5e-4),
  }).prefault({}),
  alignment: z.strictObject({
    /** Held-out parallel paragraphs per language pair for retrieval and CKA. */
    texts: positiveInt.default(150),
    linksPerText: positiveInt.default(4),
    /** Paragraphs per language for the silhouette. */
    silhouetteTexts: positiveInt.default(100),
  }).prefault({}),
  selection: z.strictObject({
    /**
     * Sources per candidate set; 0 skips source selection. Default: 3 as in the method,
     * fewer when the candidates allow no two sets of 3 (min(3, candidates - 1)).
     */
    k: z.number().int().min(0).optional(),
    /**
     * The fixed held-out target languages every candidate set is scored on (mean zero-shot
     * accuracy) and whose vocabulary coverage counts; never candidates. Default: the
     * languages that are a source in no condition.
     */
    targets: z.array(z.string()).min(1).optional(),
    /** Fine-tunes every candidate set (mode none, first seed) to measure its transfer. */
    measure: z.boolean().default(true),
    /** Optional lang2vec-style feature file (CSV or JSON) for the linguistic heuristic. */
    /**
     * Or one file per feature family ({ "syntax": "syntax.csv", "inventory": ... }): each
     * family is its own heuristic, "linguistic-<family>", as the method ranks them.
     */
    features: z.union([z.string(), z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), z.string())]).optional(),
  }).prefault({}),
});
export type TransferConfig = z.output<typeof TransferSpec>;

export function parseTransferSpec(raw: unknown, source = "spec"): TransferConfig {
  const r = TransferSpec.safeParse(raw);
  if (!r.success) throw new SpecError(source, r.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })));
  const c = r.data;
  const langs = c.languages.map((l) => l.lang);
  const unknown = (l: string) => !langs.includes(l);
  c.conditions.forEach((set, i) => {
    const bad = set.find(unknown);
    if (bad) throw new SpecError(source, [{ path: `conditions.${i}`, message: `source '${bad}' is not one of the languages (${langs.join(", ")})` }]);
  });
  for (const l of Object.keys(c.realign.dictionaries))
    if (unknown(l) || l === c.realign.pivot) throw new SpecError(source, [{ path: `realign.dictionaries.${l}`, message: `'${l}' is not one of the non-pivot languages` }]);
  const sources = pairSourcesOf(c);
  if (new Set(sources).size !== sources.length) throw new SpecError(source, [{ path: "realign.pairSources", message: "a pair source is named twice" }]);
  if (sources.includes("dictionary") && Object.keys(c.realign.dictionaries).length === 0)
    throw new SpecError(source, [{ path: "realign.pairSources", message: "\"dictionary\" needs realign.dictionaries for at least one language" }]);
  if (unknown(c.realign.pivot)) throw new SpecError(source, [{ path: "realign.pivot", message: `'${c.realign.pivot}' is not one of the languages` }]);
  if (c.realign.layer !== undefined && c.realign.layer > c.encoder.layers) throw new SpecError(source, [{ path: "realign.layer", message: `the encoder has ${c.encoder.layers} layers` }]);
  const plan = selectionPlan(c);
  const badTarget = plan.targets.find(unknown);
  if (badTarget) throw new SpecError(source, [{ path: "selection.targets", message: `'${badTarget}' is not one of the languages` }]);
  if (plan.targets.length === 0) throw new SpecError(source, [{ path: "selection.targets", message: "every language is a source in some condition; name the held-out targets" }]);
  if (plan.k > plan.candidates.length) throw new SpecError(source, [{ path: "selection.k", message: `k = ${plan.k} but only ${plan.candidates.length} candidate languages are left beside the targets` }]);
  settlePrecision(c.pretrain, source, "pretrain.precision");
  return c;
}

export type PairSource = "aligner" | "dictionary";

/** The realignment pair sources the study runs (realign.pairSources or its default). */
export function pairSourcesOf(c: TransferConfig): PairSource[] {
  return c.realign.pairSources ?? (Object.keys(c.realign.dictionaries).length > 0 ? ["dictionary"] : ["aligner"]);
}

/** Source selection's fixed targets, its candidates (every other language) and the set size. */
export function selectionPlan(c: TransferConfig): { targets: string[]; candidates: string[]; k: number } {
  const langs = c.languages.map((l) => l.lang);
  const targets = c.selection.targets ?? langs.filter((l) => !c.conditions.some((set) => set.includes(l)));
  const candidates = langs.filter((l) => !targets.includes(l));
  const k = c.selection.k ?? Math.max(1, Math.min(3, candidates.length - 1));
  return { targets, candidates, k };
}

export function loadTransferSpec(path: string): TransferConfig {
  return parseTransferSpec(readSpecFile(path), path);
}

// A cross-lingual transfer study (methods.md §2, §3): pretrain a small encoder on several
// real languages, fine-tune it on a derived labelled task from one or several source
// languages at the same example budget, with realignment not at all, before or during
// fine-tuning, and evaluate zero-shot in every language; measure alignment per layer,
// correlate it with the transfer gap, and rank source sets by selection heuristics.
import { z } from "zod";
import { SpecError, TokenizerSpec, readSpecFile } from "./spec.js";

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
     * Bilingual dictionaries (MUSE format, pivot word then translation) by language: that
     * language's word pairs come from its dictionary instead of the aligner.
     */
    dictionaries: z.record(z.string(), z.string()).default({}),
    /** Parallel training paragraphs per language pair given to the aligner. */
    texts: positiveInt.default(1500),
    steps: positiveInt.default(150),
    batchTexts: positiveInt.default(16),
    linksPerText: positiveInt.default(8),
    weight: z.number().positive().default(1),
    temperature: z.number().positive().default(0.1),
    /** Encoder layer aligned; default the last. */
    layer: z.number().int().min(0).optional(),
    projection: positiveInt.default(64),
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
    /** Sources per candidate set; 0 skips source selection. */
    k: z.number().int().min(0).default(2),
    /** Fine-tunes every candidate set (mode none, first seed) to measure its transfer. */
    measure: z.boolean().default(true),
    /** Optional lang2vec-style feature file (CSV or JSON) for the linguistic heuristic. */
    features: z.string().optional(),
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
  if (unknown(c.realign.pivot)) throw new SpecError(source, [{ path: "realign.pivot", message: `'${c.realign.pivot}' is not one of the languages` }]);
  if (c.realign.layer !== undefined && c.realign.layer > c.encoder.layers) throw new SpecError(source, [{ path: "realign.layer", message: `the encoder has ${c.encoder.layers} layers` }]);
  if (c.selection.k >= langs.length) throw new SpecError(source, [{ path: "selection.k", message: `k must leave at least one target language (have ${langs.length})` }]);
  return c;
}

export function loadTransferSpec(path: string): TransferConfig {
  return parseTransferSpec(readSpecFile(path), path);
}

// The studies an experiment spec can name, and what the runner needs of each: how to
// validate a spec into runs, what to prepare once before the runs (tokenizers, token
// caches), and how to execute one run in its directory.
import { readSpecFile, parseExperiment, type Experiment, type ExperimentOf, type RunConfig } from "./spec.js";
import { parseBalanceExperiment, type BalanceRunConfig } from "./balance-spec.js";
import { executeCloneRun, type RunOutcome } from "./clone-run.js";
import { executeBalanceRun, prepareBalanceCorpus } from "./balance-run.js";
import { prepareCorpus } from "../data/prepare.js";
import { parseTranslationExperiment, type TranslationRunConfig } from "./translation-spec.js";
import { executeTranslationRun, prepareTranslationCorpus } from "./translation-run.js";

export type StudyName = Experiment["study"];
export type AnyExperiment = ExperimentOf<RunConfig> | ExperimentOf<BalanceRunConfig> | ExperimentOf<TranslationRunConfig>;

export interface RunContext {
  cacheDir: string;
  progress?: boolean;
  label?: string;
}

export interface StudyDriver {
  parse(raw: unknown, source: string): AnyExperiment;
  /** Runs with equal keys share what prepare() builds. */
  prepareKey(config: unknown): string;
  prepare(config: unknown, cacheDir: string, log: (msg: string) => void): Promise<unknown>;
  execute(config: unknown, dir: string, ctx: RunContext): Promise<RunOutcome>;
}

const DRIVERS: Record<StudyName, StudyDriver> = {
  "clone-imbalance": {
    parse: parseExperiment,
    prepareKey: (c) => JSON.stringify([(c as RunConfig).corpus, (c as RunConfig).tokenizer]),
    prepare: (c, cacheDir, log) => prepareCorpus((c as RunConfig).corpus, (c as RunConfig).tokenizer, cacheDir, 0, log),
    execute: (c, dir, ctx) => executeCloneRun(c as RunConfig, dir, ctx),
  },
  "language-balance": {
    parse: parseBalanceExperiment,
    prepareKey: (c) => JSON.stringify([(c as BalanceRunConfig).corpus.languages.map(({ share: _s, ...l }) => l), (c as BalanceRunConfig).tokenizer]),
    prepare: (c, cacheDir, log) => prepareBalanceCorpus(c as BalanceRunConfig, cacheDir, log),
    execute: (c, dir, ctx) => executeBalanceRun(c as BalanceRunConfig, dir, ctx),
  },
  "translation-balance": {
    parse: parseTranslationExperiment,
    prepareKey: (c) => JSON.stringify([(c as TranslationRunConfig).corpus, (c as TranslationRunConfig).tokenizer]),
    prepare: (c, cacheDir, log) => prepareTranslationCorpus(c as TranslationRunConfig, cacheDir, log),
    execute: (c, dir, ctx) => executeTranslationRun(c as TranslationRunConfig, dir, ctx),
  },
};

export function studyDriver(study: string): StudyDriver {
  const d = DRIVERS[study as StudyName];
  if (!d) throw new Error(`unknown study '${study}' (have: ${Object.keys(DRIVERS).join(", ")})`);
  return d;
}

/** Reads and validates a spec of any study. */
export function loadAnyExperiment(path: string): AnyExperiment {
  const raw = readSpecFile(path);
  const study = (raw as { study?: unknown } | null)?.study ?? "clone-imbalance";
  return studyDriver(String(study)).parse(raw, path);
}

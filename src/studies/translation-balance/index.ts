// The translation-balance study (docs/translation.md): balancing methods on a multilingual
// translation task, scored with BLEU and chrF; also `xling translate` with a trained run.
import type { StudyKind, SweepStudy } from "../study.js";
import { ingestRuns } from "../../run/ingest.js";
import { parseTranslationExperiment, type TranslationExperiment, type TranslationRunConfig } from "./spec.js";
import { executeTranslationRun, prepareTranslationCorpus } from "./run.js";
import { analyseTranslationStudy, type TranslationStudy } from "./analysis.js";
import { translationStudyReport } from "./report.js";
import { translateCommands } from "./commands.js";

const sweep: SweepStudy<TranslationRunConfig, TranslationStudy> = {
  parse: parseTranslationExperiment,
  prepareKey: (c) => JSON.stringify([c.corpus, c.tokenizer]),
  prepare: prepareTranslationCorpus,
  execute: executeTranslationRun,
  analyse: (_exp, runs) => analyseTranslationStudy(runs),
  ingest: (store, exp, study) => ingestRuns(store, exp, study.runs),
  report: (exp, study) => translationStudyReport(exp as TranslationExperiment, study),
};

export const translationBalance: StudyKind = { name: "translation-balance", sweep, commands: translateCommands };

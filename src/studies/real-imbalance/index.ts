// The real-language imbalance study (methods.md §1, real-language variant; docs/architecture.md).
import type { StudyKind, SweepStudy } from "../study.js";
import { parseRealExperiment, type RealExperiment, type RealRunConfig } from "./spec.js";
import { executeRealRun, prepareRealCorpus } from "./run.js";
import { analyseRealStudy, ingestRealStudy, type RealStudy } from "./analysis.js";
import { realStudyReport } from "./report.js";

const sweep: SweepStudy<RealRunConfig, RealStudy> = {
  parse: parseRealExperiment,
  prepareKey: (c) => JSON.stringify([c.corpus, c.tokenizer]),
  prepare: (c, cacheDir, log) => prepareRealCorpus(c, cacheDir, log),
  execute: executeRealRun,
  analyse: (_exp, runs) => analyseRealStudy(runs),
  ingest: (store, exp, study) => ingestRealStudy(store, exp as RealExperiment, study),
  report: (exp, study) => realStudyReport(exp as RealExperiment, study),
};

export const realImbalance: StudyKind = { name: "real-imbalance", sweep };

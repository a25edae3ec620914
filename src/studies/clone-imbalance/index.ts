// The cloned-language imbalance study (methods.md §1, docs/architecture.md).
import type { StudyKind, SweepStudy } from "../study.js";
import { parseExperiment, type Experiment, type RunConfig } from "./spec.js";
import { prepareCorpus } from "../../data/prepare.js";
import { executeCloneRun } from "./run.js";
import { analyseCloneStudy, ingestStudy, type CloneStudy } from "./analysis.js";
import { cloneStudyReport } from "./report.js";

const sweep: SweepStudy<RunConfig, CloneStudy> = {
  parse: parseExperiment,
  prepareKey: (c) => JSON.stringify([c.corpus, c.tokenizer]),
  prepare: (c, cacheDir, log) => prepareCorpus(c.corpus, c.tokenizer, cacheDir, 0, log),
  execute: executeCloneRun,
  analyse: (_exp, runs) => analyseCloneStudy(runs),
  ingest: (store, exp, study) => ingestStudy(store, exp as Experiment, study),
  report: (exp, study) => cloneStudyReport(exp as Experiment, study),
};

export const cloneImbalance: StudyKind = { name: "clone-imbalance", sweep };

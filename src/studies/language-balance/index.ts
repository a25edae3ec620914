// The language-balancing study (methods.md §5, docs/balancing.md).
import type { StudyKind, SweepStudy } from "../study.js";
import { ingestRuns } from "../../run/ingest.js";
import { parseBalanceExperiment, type BalanceExperiment, type BalanceRunConfig } from "./spec.js";
import { executeBalanceRun, prepareBalanceCorpus } from "./run.js";
import { analyseBalanceStudy, type BalanceStudy } from "./analysis.js";
import { balanceStudyReport } from "./report.js";

const sweep: SweepStudy<BalanceRunConfig, BalanceStudy> = {
  parse: parseBalanceExperiment,
  prepareKey: (c) => JSON.stringify([c.corpus.languages.map(({ share: _s, ...l }) => l), c.tokenizer]),
  prepare: prepareBalanceCorpus,
  execute: executeBalanceRun,
  analyse: (_exp, runs) => analyseBalanceStudy(runs),
  ingest: (store, exp, study) => ingestRuns(store, exp, study.runs),
  report: (exp, study) => balanceStudyReport(exp as BalanceExperiment, study),
};

export const languageBalance: StudyKind = { name: "language-balance", sweep };

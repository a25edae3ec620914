// After the runs of an experiment: analyse, load the results store, write the report.
import { join } from "node:path";
import { analyseCloneStudy, ingestRuns, ingestStudy } from "./clone-imbalance/analysis.js";
import { analyseBalanceStudy } from "./language-balance/analysis.js";
import { planRuns } from "../run/run-dir.js";
import { readSpecFile, type Experiment } from "../run/spec.js";
import type { BalanceExperiment } from "./language-balance/spec.js";
import { cloneStudyReport } from "./clone-imbalance/report.js";
import { balanceStudyReport } from "./language-balance/report.js";
import { writeReport } from "../report/write.js";

/** Returns the report's path. Safe to call on a partly finished experiment. */
export function finishExperiment(expDir: string): string {
  const exp = readSpecFile(join(expDir, "experiment.json")) as Experiment;
  const store = join(expDir, "results.sqlite");
  const out = join(expDir, "report.html");
  if (exp.study === "language-balance") {
    const balance = exp as unknown as BalanceExperiment;
    const study = analyseBalanceStudy(planRuns(balance, expDir));
    ingestRuns(store, balance, study.runs);
    return writeReport(out, balanceStudyReport(balance, study));
  }
  const study = analyseCloneStudy(planRuns(exp, expDir));
  ingestStudy(store, exp, study);
  return writeReport(out, cloneStudyReport(exp, study));
}

// After the runs of an experiment: analyse, load the results store, write the report.
import { join } from "node:path";
import { analyseCloneStudy, ingestRuns, ingestStudy } from "../experiment/clone-study.js";
import { analyseBalanceStudy } from "../experiment/balance-study.js";
import { planRuns } from "../experiment/runner.js";
import { readSpecFile, type Experiment } from "../experiment/spec.js";
import type { BalanceExperiment } from "../experiment/balance-spec.js";
import { cloneStudyReport } from "./clone-study.js";
import { balanceStudyReport } from "./balance-study.js";
import { analyseTranslationStudy } from "../experiment/translation-study.js";
import type { TranslationExperiment } from "../experiment/translation-spec.js";
import { translationStudyReport } from "./translation-study.js";
import { writeReport } from "./write.js";

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
  if (exp.study === "translation-balance") {
    const translation = exp as unknown as TranslationExperiment;
    const study = analyseTranslationStudy(planRuns(translation, expDir));
    ingestRuns(store, translation, study.runs);
    return writeReport(out, translationStudyReport(translation, study));
  }
  const study = analyseCloneStudy(planRuns(exp, expDir));
  ingestStudy(store, exp, study);
  return writeReport(out, cloneStudyReport(exp, study));
}

// After the runs of an experiment: analyse, load the results store, write the report.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyseCloneStudy, ingestStudy } from "../experiment/clone-study.js";
import { planRuns } from "../experiment/runner.js";
import type { Experiment } from "../experiment/spec.js";
import { cloneStudyReport } from "./clone-study.js";
import { writeReport } from "./write.js";

/** Returns the report's path. Safe to call on a partly finished experiment. */
export function finishExperiment(expDir: string): string {
  const exp = JSON.parse(readFileSync(join(expDir, "experiment.json"), "utf8")) as Experiment;
  const study = analyseCloneStudy(planRuns(exp, expDir));
  ingestStudy(join(expDir, "results.sqlite"), exp, study);
  return writeReport(join(expDir, "report.html"), cloneStudyReport(exp, study));
}

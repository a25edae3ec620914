// After the runs of an experiment: analyse, load the results store, write the report,
// through the study's own hooks.
import { join } from "node:path";
import { readSpecFile } from "../run/spec.js";
import { planRuns } from "../run/run-dir.js";
import { writeReport } from "../report/write.js";
import { sweepStudy, type AnyExperiment } from "./registry.js";

/** Returns the report's path. Safe to call on a partly finished experiment. */
export function finishExperiment(expDir: string): string {
  const exp = readSpecFile(join(expDir, "experiment.json")) as AnyExperiment;
  const study = sweepStudy(exp.study ?? "clone-imbalance");
  const analysis = study.analyse(exp, planRuns(exp, expDir));
  study.ingest(join(expDir, "results.sqlite"), exp, analysis);
  return writeReport(join(expDir, "report.html"), study.report(exp, analysis));
}

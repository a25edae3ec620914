// The experiment-level analysis of a cloned-language imbalance study: token
// efficiency from the monolingual data-fraction runs (methods.md §1), and the loading
// of every run's metrics and results into the experiment's results store.
import type { PowerLawFit } from "../../analysis/powerlaw.js";
import { fitTeffCurve, teffRow, type MonoPoint, type TeffRow } from "../../analysis/teff-curve.js";
import { ingestRuns } from "../../run/ingest.js";
import { type RunOutcome } from "../../run/contract.js";
import { isFinished, readOutcome, type PlannedRun } from "../../run/run-dir.js";
import type { Experiment, RunConfig } from "./spec.js";

export interface StudyRun extends PlannedRun<RunConfig> {
  label: string;
  kind: "monolingual" | "bilingual";
  outcome: RunOutcome | null;
}

export type { TeffRow } from "../../analysis/teff-curve.js";

export interface CloneStudy {
  runs: StudyRun[];
  /** Monolingual points: tokens seen and held-out perplexity of the original. */
  mono: MonoPoint[];
  fit: PowerLawFit | null;
  fitError: string | null;
  teff: TeffRow[];
}

/** "mono 0.35", "50/50", "90/10", "schedule 0.1_0.9". */
export function runLabel(run: PlannedRun<RunConfig>): string {
  const d = run.config.data;
  if (d.schedule) return `schedule ${d.schedule}`;
  if (d.ratio === 0) return `mono ${d.fraction}`;
  const main = Math.round((1 - d.ratio) * 100);
  return `${main}/${100 - main}${d.fraction < 1 ? ` (fraction ${d.fraction})` : ""}${run.config.train.seed ? ` seed ${run.config.train.seed}` : ""}`;
}

export function analyseCloneStudy(runs: PlannedRun<RunConfig>[]): CloneStudy {
  const study: StudyRun[] = runs.map((r) => ({
    ...r,
    label: runLabel(r),
    kind: r.config.data.ratio === 0 && !r.config.data.schedule ? "monolingual" : "bilingual",
    outcome: isFinished(r) ? readOutcome(r) : null,
  }));
  const ppl = (o: RunOutcome, lang: string) => o.results.find((x) => x.name === "ppl" && x.lang === lang)?.value ?? NaN;
  const curve = fitTeffCurve("original", study
    .filter((r) => r.kind === "monolingual" && r.outcome)
    .map((r) => ({ runId: r.runId, fraction: r.config.data.fraction, tokens: r.outcome!.tokensSeen[r.outcome!.languages[0]], ppl: ppl(r.outcome!, r.outcome!.languages[0]) })));
  const { mono, fit, fitError } = curve;

  const teff: TeffRow[] = [];
  for (const r of study) {
    if (r.kind !== "bilingual" || !r.outcome) continue;
    for (const lang of r.outcome.languages) {
      // Every clone is the original's text in other ids: one curve serves all.
      const row = teffRow({ ...curve, lang }, r, ppl(r.outcome, lang), r.outcome.tokensSeen[lang]);
      if (row) teff.push(row);
    }
  }
  return { runs: study, mono, fit, fitError, teff };
}

/** Loads configs, statuses, metrics and results of every run (and TEff) into the store. */
export function ingestStudy(storePath: string, exp: Experiment, study: CloneStudy): void {
  ingestRuns(storePath, exp, study.runs, study.teff.map((t) => ({ runId: t.runId, name: "teff", lang: t.lang, layer: null, value: t.teff })));
}

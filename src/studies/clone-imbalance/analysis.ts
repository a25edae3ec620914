// The experiment-level analysis of a cloned-language imbalance study: token
// efficiency from the monolingual data-fraction runs (methods.md §1), and the loading
// of every run's metrics and results into the experiment's results store.
import { fitPowerLaw, tokenEfficiencyDetail, type PowerLawFit } from "../../analysis/powerlaw.js";
import { ingestRuns } from "../../run/ingest.js";
import { type RunOutcome } from "../../run/contract.js";
import { isFinished, readOutcome, type PlannedRun } from "../../run/run-dir.js";
import type { Experiment, RunConfig } from "./spec.js";

export interface StudyRun extends PlannedRun<RunConfig> {
  label: string;
  kind: "monolingual" | "bilingual";
  outcome: RunOutcome | null;
}

export interface TeffRow {
  runId: string;
  label: string;
  lang: string;
  ppl: number;
  tokensSeen: number;
  teff: number;
  equivalentTokens: number;
  extrapolated: boolean;
  outOfRange: boolean;
}

export interface CloneStudy {
  runs: StudyRun[];
  /** Monolingual points: tokens seen and held-out perplexity of the original. */
  mono: { runId: string; fraction: number; tokens: number; ppl: number }[];
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
  const mono = study
    .filter((r) => r.kind === "monolingual" && r.outcome)
    .map((r) => ({ runId: r.runId, fraction: r.config.data.fraction, tokens: r.outcome!.tokensSeen[r.outcome!.languages[0]], ppl: ppl(r.outcome!, r.outcome!.languages[0]) }))
    .sort((a, b) => a.tokens - b.tokens);

  let fit: PowerLawFit | null = null;
  let fitError: string | null = null;
  try {
    if (mono.length < 3) throw new Error(`token efficiency needs monolingual runs at 3 or more data fractions (5 recommended); have ${mono.length}`);
    fit = fitPowerLaw(mono.map((m) => m.tokens), mono.map((m) => 1 / m.ppl));
  } catch (e) {
    fitError = (e as Error).message;
  }

  const teff: TeffRow[] = [];
  if (fit) {
    for (const r of study) {
      if (r.kind !== "bilingual" || !r.outcome) continue;
      for (const lang of r.outcome.languages) {
        const seen = r.outcome.tokensSeen[lang];
        const p = ppl(r.outcome, lang);
        if (!(seen > 0) || !(p > 0)) continue;
        const d = tokenEfficiencyDetail(fit, p, seen);
        teff.push({ runId: r.runId, label: r.label, lang, ppl: p, tokensSeen: seen, teff: d.teff, equivalentTokens: d.equivalentTokens, extrapolated: d.extrapolated, outOfRange: d.outOfRange });
      }
    }
  }
  return { runs: study, mono, fit, fitError, teff };
}

/** Loads configs, statuses, metrics and results of every run (and TEff) into the store. */
export function ingestStudy(storePath: string, exp: Experiment, study: CloneStudy): void {
  ingestRuns(storePath, exp, study.runs, study.teff.map((t) => ({ runId: t.runId, name: "teff", lang: t.lang, layer: null, value: t.teff })));
}

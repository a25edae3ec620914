// The experiment-level analysis of a real-language imbalance study: one token-efficiency
// curve PER LANGUAGE, each fitted to that language's runs alone at several data fractions
// (the two languages differ, unlike clones), each language's TEff in every mixed run,
// and the loading of every run's results into the experiment's results store.
import { ingestRuns } from "../../run/ingest.js";
import type { RunOutcome } from "../../run/contract.js";
import { isFinished, readOutcome, type PlannedRun } from "../../run/run-dir.js";
import { fitTeffCurve, teffRow, type TeffCurve, type TeffRow } from "../../analysis/teff-curve.js";
import type { RealExperiment, RealRunConfig } from "./spec.js";

export interface RealStudyRun extends PlannedRun<RealRunConfig> {
  label: string;
  /** The language a run trained on alone (ratio 0: the first, 1: the second), else null. */
  alone: string | null;
  outcome: RunOutcome | null;
}

export interface RealStudy {
  runs: RealStudyRun[];
  languages: [string, string];
  /** One curve per language, in the order of `languages`. */
  curves: TeffCurve[];
  teff: TeffRow[];
}

/** The language a run trained on alone, or null for a mixture. */
export function aloneLanguage(c: RealRunConfig): string | null {
  return c.data.ratio === 0 ? c.corpus.languages[0] : c.data.ratio === 1 ? c.corpus.languages[1] : null;
}

/** "en-us alone 0.35", "en-us 90 / de 10". */
export function realRunLabel(c: RealRunConfig): string {
  const alone = aloneLanguage(c);
  const seed = c.train.seed ? ` seed ${c.train.seed}` : "";
  if (alone) return `${alone} alone ${c.data.fraction}${seed}`;
  const second = Math.round(c.data.ratio * 100);
  const [a, b] = c.corpus.languages;
  return `${a} ${100 - second} / ${b} ${second}${c.data.fraction < 1 ? ` (fraction ${c.data.fraction})` : ""}${seed}`;
}

export function resultOf(o: RunOutcome, name: string, lang: string | null, layer: number | null = null): number {
  return o.results.find((x) => x.name === name && x.lang === lang && x.layer === layer)?.value ?? NaN;
}

export function analyseRealStudy(planned: PlannedRun<RealRunConfig>[]): RealStudy {
  if (planned.length === 0) throw new Error("a real-language imbalance study with no runs");
  const runs: RealStudyRun[] = planned.map((r) => ({ ...r, label: realRunLabel(r.config), alone: aloneLanguage(r.config), outcome: isFinished(r) ? readOutcome(r) : null }));
  const languages = planned[0]!.config.corpus.languages;
  const curves = languages.map((lang) => fitTeffCurve(lang, runs
    .filter((r) => r.alone === lang && r.outcome)
    .map((r) => ({ runId: r.runId, fraction: r.config.data.fraction, tokens: r.outcome!.tokensSeen[lang] ?? 0, ppl: resultOf(r.outcome!, "ppl", lang) }))));
  const teff: TeffRow[] = [];
  for (const r of runs) {
    if (r.alone || !r.outcome) continue;
    for (const curve of curves) {
      const row = teffRow(curve, r, resultOf(r.outcome, "ppl", curve.lang), r.outcome.tokensSeen[curve.lang] ?? 0);
      if (row) teff.push(row);
    }
  }
  return { runs, languages, curves, teff };
}

/** Loads configs, statuses, metrics and results of every run (and each language's TEff) into the store. */
export function ingestRealStudy(storePath: string, exp: RealExperiment, study: RealStudy): void {
  ingestRuns(storePath, exp, study.runs, study.teff.map((t) => ({ runId: t.runId, name: "teff", lang: t.lang, layer: null, value: t.teff })));
}

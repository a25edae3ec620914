// The experiment-level analysis of a language-balancing study: per method and language,
// the held-out loss over seeds with a t confidence interval, its difference from the
// baseline method paired by seed, and the cost of each method's training step.
import { mean, meanConfidenceInterval, type MeanInterval } from "../../analysis/stats.js";
import { methodLabel, type BalanceRunConfig } from "./spec.js";
import { readMetrics } from "../../run/metrics.js";
import { type RunOutcome } from "../../run/contract.js";
import { isFinished, readOutcome, type PlannedRun } from "../../run/run-dir.js";

export interface BalanceStudyRun extends PlannedRun<BalanceRunConfig> {
  method: string;
  seed: number;
  outcome: RunOutcome | null;
}

export interface LanguageOutcome {
  method: string;
  lang: string;
  /** Held-out loss (nats per token) over seeds. */
  nll: MeanInterval;
  /** exp of the mean loss. */
  ppl: number;
  /** method minus baseline, paired by seed; null for the baseline or without pairs. */
  deltaNll: MeanInterval | null;
  /** Top Hessian eigenvalue of the language's held-out loss at each run's last measurement, over seeds; null if not measured. */
  hessianTop: MeanInterval | null;
  /** The language's loss scale (the `weight` metric) averaged over steps, then over seeds. */
  meanWeight: number | null;
}

export interface StepCost {
  method: string;
  /** Mean seconds per training step (first steps excluded), over seeds. */
  stepSeconds: number;
  /** stepSeconds / the baseline's. */
  ratio: number;
}

export interface BalanceStudy {
  runs: BalanceStudyRun[];
  languages: string[];
  methods: string[];
  baseline: string;
  outcomes: LanguageOutcome[];
  costs: StepCost[];
}

/** Steps left out of timing: the first ones pay for allocation and warm-up. */
const WARM_STEPS = 5;

function interval(xs: number[]): MeanInterval | null {
  return xs.length ? meanConfidenceInterval(xs) : null;
}

export function analyseBalanceStudy(runs: PlannedRun<BalanceRunConfig>[]): BalanceStudy {
  const study: BalanceStudyRun[] = runs.map((r) => ({ ...r, method: methodLabel(r.config), seed: r.config.train.seed, outcome: isFinished(r) ? readOutcome(r) : null }));
  const languages = runs[0]?.config.corpus.languages.map((l) => l.lang) ?? [];
  const methods = [...new Set(study.map((r) => r.method))];
  const baseline = methods.includes("proportional") ? "proportional" : methods[0] ?? "";
  const nllOf = (r: BalanceStudyRun, lang: string) => r.outcome?.results.find((x) => x.name === "nll" && x.lang === lang)?.value;
  const done = study.filter((r) => r.outcome);
  const metricsOf = new Map(done.map((r) => [r.runId, readMetrics(r.dir)]));
  const lastHessian = (r: BalanceStudyRun, lang: string) => {
    const rows = metricsOf.get(r.runId)!.filter((m) => m.name === "hessian_top" && m.lang === lang);
    return rows.length ? rows.reduce((a, b) => (b.step >= a.step ? b : a)).value : undefined;
  };
  const meanWeightOf = (r: BalanceStudyRun, lang: string) => {
    const xs = metricsOf.get(r.runId)!.filter((m) => m.name === "weight" && m.lang === lang).map((m) => m.value);
    return xs.length ? mean(xs) : undefined;
  };

  const outcomes: LanguageOutcome[] = [];
  for (const method of methods) {
    const mine = done.filter((r) => r.method === method);
    if (!mine.length) continue;
    for (const lang of languages) {
      const values = mine.map((r) => nllOf(r, lang)).filter((v): v is number => v !== undefined);
      const nll = interval(values);
      if (!nll) continue;
      const deltas = method === baseline ? [] : mine.flatMap((r) => {
        const base = done.find((b) => b.method === baseline && b.seed === r.seed);
        const a = nllOf(r, lang);
        const b = base && nllOf(base, lang);
        return a !== undefined && b !== undefined ? [a - b] : [];
      });
      const tops = mine.map((r) => lastHessian(r, lang)).filter((v): v is number => v !== undefined);
      const weights = mine.map((r) => meanWeightOf(r, lang)).filter((v): v is number => v !== undefined);
      outcomes.push({ method, lang, nll, ppl: Math.exp(nll.mean), deltaNll: interval(deltas), hessianTop: interval(tops), meanWeight: weights.length ? mean(weights) : null });
    }
  }

  const secondsOf = (r: BalanceStudyRun) => {
    const xs = metricsOf.get(r.runId)!.filter((m) => m.name === "step_seconds" && m.step > WARM_STEPS).map((m) => m.value);
    return xs.length ? mean(xs) : NaN;
  };
  const perMethod = methods.map((method) => {
    const xs = done.filter((r) => r.method === method).map(secondsOf).filter(Number.isFinite);
    return { method, stepSeconds: xs.length ? mean(xs) : NaN };
  });
  const baseSeconds = perMethod.find((c) => c.method === baseline)?.stepSeconds ?? NaN;
  const costs = perMethod.map((c) => ({ ...c, ratio: c.stepSeconds / baseSeconds }));
  return { runs: study, languages, methods, baseline, outcomes, costs };
}

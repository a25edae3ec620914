// The experiment-level analysis of a translation-balancing study: per method and
// direction, BLEU and chrF over seeds with a t interval, the difference to the baseline
// paired by seed, a paired bootstrap over test sentences for each seed, the low- and
// high-resource directions (fewest and most training pairs), the verdict on the finding
// "CATS improves low-resource directions without hurting high-resource ones", and the
// wall time of each method's runs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { mean, meanConfidenceInterval, type MeanInterval } from "../../analysis/stats.js";
import { pairedBootstrap, translationStatistics } from "../../analysis/translation-metrics.js";
import type { RunOutcome } from "../../run/contract.js";
import { isFinished, readOutcome, type PlannedRun } from "../../run/run-dir.js";
import { translationMethodLabel, type TranslationRunConfig } from "./spec.js";

export interface TranslationStudyRun extends PlannedRun<TranslationRunConfig> {
  method: string;
  seed: number;
  outcome: RunOutcome | null;
}

export type TranslationMetric = "bleu" | "chrf";

export interface SeedTests {
  /** Seeds with a baseline run to compare against. */
  seeds: number;
  /** Seeds in which the paired bootstrap finds the method better (p < 0.05). */
  better: number;
  worse: number;
}

export interface DirectionOutcome {
  method: string;
  direction: string;
  bleu: MeanInterval;
  chrf: MeanInterval;
  /** Held-out loss on target tokens (nats per token). */
  nll: MeanInterval;
  /** Method minus baseline, paired by seed; null for the baseline or without pairs. */
  delta: Record<TranslationMetric, MeanInterval | null>;
  tests: Record<TranslationMetric, SeedTests> | null;
}

export interface FindingVerdict {
  method: string;
  metric: TranslationMetric;
  verdict: "supported" | "contradicted" | "inconclusive";
  /** Why, with the figures. */
  reason: string;
}

export interface TranslationStudy {
  runs: TranslationStudyRun[];
  directions: string[];
  /** Training pairs (that fit the model) per direction, from the finished runs. */
  trainPairs: Record<string, number>;
  low: string;
  high: string;
  methods: string[];
  baseline: string;
  outcomes: DirectionOutcome[];
  verdicts: FindingVerdict[];
  /** Mean wall-clock seconds of a whole run (training, curvature probes, translating the test sentences). */
  costs: { method: string; runSeconds: number; ratio: number }[];
}

const SIGNIFICANCE = 0.05;

interface Translation {
  direction: string;
  id: string;
  reference: string;
  hypothesis: string;
}

export function readTranslations(dir: string): Translation[] {
  const path = join(dir, "translations.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Translation);
}

function interval(xs: number[]): MeanInterval | null {
  return xs.length ? meanConfidenceInterval(xs) : null;
}

const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "n/a");

/** The finding's verdict for one method and metric from the seed-paired differences. */
export function findingVerdict(method: string, metric: TranslationMetric, low: string, high: string, lowDelta: MeanInterval | null, highDelta: MeanInterval | null): FindingVerdict {
  const name = metric === "bleu" ? "BLEU" : "chrF";
  if (!lowDelta || !highDelta || lowDelta.n < 2)
    return { method, metric, verdict: "inconclusive", reason: "fewer than two seeds paired with the baseline" };
  const show = (d: MeanInterval) => `${fmt(d.mean)} [${fmt(d.lower)}, ${fmt(d.upper)}]`;
  const figures = `${name} difference on ${low} (low-resource) ${show(lowDelta)}, on ${high} (high-resource) ${show(highDelta)}, ${lowDelta.n} seeds`;
  if (lowDelta.upper < 0) return { method, metric, verdict: "contradicted", reason: `lower on the low-resource direction: ${figures}` };
  if (highDelta.upper < 0) return { method, metric, verdict: "contradicted", reason: `hurts the high-resource direction: ${figures}` };
  if (lowDelta.lower > 0) return { method, metric, verdict: "supported", reason: `higher on the low-resource direction, no detectable loss on the high-resource one: ${figures}` };
  return { method, metric, verdict: "inconclusive", reason: `no difference detectable on the low-resource direction: ${figures}` };
}

export function analyseTranslationStudy(runs: PlannedRun<TranslationRunConfig>[]): TranslationStudy {
  const study: TranslationStudyRun[] = runs.map((r) => ({ ...r, method: translationMethodLabel(r.config), seed: r.config.train.seed, outcome: isFinished(r) ? readOutcome(r) : null }));
  const directions = runs[0]?.config.corpus.directions.map((d) => `${d.src}-${d.tgt}`) ?? [];
  const methods = [...new Set(study.map((r) => r.method))];
  const baseline = methods.includes("proportional") ? "proportional" : methods[0] ?? "";
  const done = study.filter((r) => r.outcome);
  const value = (r: TranslationStudyRun, name: string, dir: string) => r.outcome?.results.find((x) => x.name === name && x.lang === dir)?.value;

  const trainPairs: Record<string, number> = {};
  for (const d of directions) trainPairs[d] = done.map((r) => value(r, "train_pairs", d)).find((v) => v !== undefined) ?? NaN;
  const ranked = [...directions].sort((a, b) => trainPairs[a] - trainPairs[b]);
  const low = ranked[0] ?? "";
  const high = ranked.at(-1) ?? "";

  const translations = new Map<string, Translation[]>();
  const translationsOf = (r: TranslationStudyRun) => {
    if (!translations.has(r.runId)) translations.set(r.runId, readTranslations(r.dir));
    return translations.get(r.runId)!;
  };

  const outcomes: DirectionOutcome[] = [];
  for (const method of methods) {
    const mine = done.filter((r) => r.method === method);
    for (const dir of directions) {
      const series = (name: string) => mine.map((r) => value(r, name, dir)).filter((v): v is number => v !== undefined);
      const bleu = interval(series("bleu"));
      const chrf = interval(series("chrf"));
      const nll = interval(series("nll"));
      if (!bleu || !chrf || !nll) continue;
      const pairs = method === baseline ? [] : mine.flatMap((r) => {
        const base = done.find((b) => b.method === baseline && b.seed === r.seed);
        return base ? [[r, base] as const] : [];
      });
      const deltaOf = (name: TranslationMetric) => interval(pairs.flatMap(([r, b]) => {
        const x = value(r, name, dir);
        const y = value(b, name, dir);
        return x !== undefined && y !== undefined ? [x - y] : [];
      }));
      let tests: DirectionOutcome["tests"] = null;
      if (pairs.length) {
        tests = { bleu: { seeds: 0, better: 0, worse: 0 }, chrf: { seeds: 0, better: 0, worse: 0 } };
        for (const [r, b] of pairs) {
          const mineT = translationsOf(r).filter((t) => t.direction === dir);
          const baseT = translationsOf(b).filter((t) => t.direction === dir);
          if (!mineT.length || mineT.length !== baseT.length || mineT.some((t, i) => t.id !== baseT[i].id)) continue;
          const refs = mineT.map((t) => t.reference);
          const a = translationStatistics(baseT.map((t) => t.hypothesis), refs);
          const m = translationStatistics(mineT.map((t) => t.hypothesis), refs);
          for (const metric of ["bleu", "chrf"] as const) {
            const cmp = pairedBootstrap(a[metric], m[metric], { seed: r.seed, resamples: 1000 });
            const t = tests[metric];
            t.seeds += 1;
            if (cmp.pValue < SIGNIFICANCE && cmp.delta > 0) t.better += 1;
            if (cmp.pValue < SIGNIFICANCE && cmp.delta < 0) t.worse += 1;
          }
        }
      }
      outcomes.push({ method, direction: dir, bleu, chrf, nll, delta: { bleu: deltaOf("bleu"), chrf: deltaOf("chrf") }, tests });
    }
  }

  const verdicts: FindingVerdict[] = [];
  for (const method of methods.filter((m) => m.startsWith("cats")))
    for (const metric of ["bleu", "chrf"] as const) {
      const find = (dir: string) => outcomes.find((o) => o.method === method && o.direction === dir)?.delta[metric] ?? null;
      verdicts.push(findingVerdict(method, metric, low, high, find(low), find(high)));
    }

  const perMethod = methods.map((method) => {
    const xs = done.filter((r) => r.method === method).map((r) => r.outcome!.seconds);
    return { method, runSeconds: xs.length ? mean(xs) : NaN };
  });
  const baseSeconds = perMethod.find((c) => c.method === baseline)?.runSeconds ?? NaN;
  const costs = perMethod.map((c) => ({ ...c, ratio: c.runSeconds / baseSeconds }));
  return { runs: study, directions, trainPairs, low, high, methods, baseline, outcomes, verdicts, costs };
}

// The report of a translation-balancing study: the verdict on "CATS improves low-resource
// directions without hurting high-resource ones" first, then BLEU and chrF per direction
// and method with intervals over seeds, the seed-paired differences to the baseline with
// per-seed paired bootstrap tests, held-out loss, weights and curvature over training,
// sample translations, run times and the runs.
import { readMetrics } from "../../run/metrics.js";
import type { TranslationExperiment } from "./spec.js";
import { readTranslations, type DirectionOutcome, type TranslationStudy } from "./analysis.js";
import type { MeanInterval } from "../../analysis/stats.js";
import { barChart } from "../../report/charts.js";
import { colorMapping } from "../../report/colors.js";
import { formatNumber, type Report, type Section } from "../../report/html.js";
import { curvatureSection, runsSection, trainingSection, type RunMetrics } from "../balancing/charts.js";

const fmt = (v: number | undefined | null) => (v === undefined || v === null || !Number.isFinite(v) ? "n/a" : formatNumber(v));

function withInterval(i: MeanInterval | null | undefined): string {
  if (!i) return "n/a";
  return i.n >= 2 ? `${fmt(i.mean)} [${fmt(i.lower)}, ${fmt(i.upper)}]` : `${fmt(i.mean)} (1 seed)`;
}

function tests(o: DirectionOutcome | undefined, metric: "bleu" | "chrf"): string {
  const t = o?.tests?.[metric];
  if (!t || t.seeds === 0) return "";
  return ` (better in ${t.better}/${t.seeds} seeds, worse in ${t.worse}/${t.seeds})`;
}

export function translationStudyReport(exp: TranslationExperiment, study: TranslationStudy): Report {
  const c = exp.runs[0];
  const done = study.runs.filter((r) => r.outcome);
  const seeds = [...new Set(study.runs.map((r) => r.seed))];
  const dirColors = colorMapping(study.directions);
  const methodColors = colorMapping(study.methods);
  const find = (m: string, d: string) => study.outcomes.find((o) => o.method === m && o.direction === d);
  const testSentences = (d: string) => done[0]?.outcome?.results.find((x) => x.name === "test_sentences" && x.lang === d)?.value;
  const role = (d: string) => (d === study.low ? " (low-resource)" : d === study.high ? " (high-resource)" : "");

  const sections: Section[] = [{
    heading: "Summary",
    paragraphs: [
      exp.description ?? "",
      ...study.verdicts.map((v) => `Finding "CATS improves low-resource translation directions without hurting high-resource ones" — ${v.method}, ${v.metric === "bleu" ? "BLEU" : "chrF"}: ${v.verdict}. ${v.reason}.`),
      "Intervals are 95% t intervals over seeds; differences are paired by seed (same initialisation and data order). At this scale BLEU is close to zero for every method: chrF, which gives credit for partly right words, is the more informative of the two here.",
    ].filter(Boolean),
    facts: [
      { label: "directions", value: study.directions.map((d) => `${d}${role(d)}: ${fmt(study.trainPairs[d])} training pairs, ${fmt(testSentences(d))} test sentences`).join("; ") },
      { label: "corpora", value: c.corpus.directions.map((d) => `${d.src}-${d.tgt} ${d.corpus}${d.cap ? ` (cap ${d.cap})` : ""}`).join(", ") },
      { label: "tokenizer", value: `one SentencePiece ${c.tokenizer.modelType} model, vocabulary ${c.tokenizer.vocabSize}, equal text per language, language tags and <sep> reserved` },
      { label: "model", value: `decoder-only GPT d${c.model.dModel ?? c.model.size}, ${c.model.layers ?? ""} layers, ${c.model.seqLen} positions; <2tgt> source <sep> target <eos>, loss on target tokens` },
      { label: "budget", value: `${c.train.steps} steps of ${c.train.batchSize} examples, the same for every method` },
      { label: "decoding", value: c.eval.beam === 1 ? "greedy" : `beam ${c.eval.beam}, length penalty ${c.eval.lengthPenalty}` },
      { label: "metrics", value: "corpus BLEU (13a tokens, exp smoothing) and chrF (character 1-6-grams, beta 2, no word n-grams), 0-100" },
      { label: "methods", value: study.methods.join(", ") },
      { label: "seeds", value: `${seeds.length} (${seeds.join(", ")})` },
      { label: "runs finished", value: `${done.length} of ${study.runs.length}` },
    ],
  }];

  const bars = (metric: "bleu" | "chrf") => study.outcomes.map((o) => ({ method: o.method, direction: o.direction, value: o[metric].mean, low: o[metric].n >= 2 ? o[metric].lower : o[metric].mean, high: o[metric].n >= 2 ? o[metric].upper : o[metric].mean }));
  sections.push({
    heading: "BLEU and chrF by direction and method",
    paragraphs: [`Each run translates the same test sentences of each direction; a run's score is corpus-level. ${study.baseline} is the baseline of the differences.`],
    charts: study.outcomes.length ? [
      { id: "chrf", title: "chrF (95% interval over seeds)", spec: barChart({ rows: bars("chrf"), x: "direction", y: "value", xOffset: "method", errorLow: "low", errorHigh: "high", colors: methodColors, yTitle: "chrF" }) },
      { id: "bleu", title: "BLEU (95% interval over seeds)", spec: barChart({ rows: bars("bleu"), x: "direction", y: "value", xOffset: "method", errorLow: "low", errorHigh: "high", colors: methodColors, yTitle: "BLEU" }) },
    ] : [],
    tables: [{
      title: "BLEU and chrF, mean [95% interval over seeds]",
      columns: ["method", ...study.directions.map((d) => `${d} BLEU`), ...study.directions.map((d) => `${d} chrF`)],
      rows: study.methods.map((m) => [m, ...study.directions.map((d) => withInterval(find(m, d)?.bleu)), ...study.directions.map((d) => withInterval(find(m, d)?.chrf))]),
    }, {
      title: `Difference to ${study.baseline}, paired by seed (positive = better), with per-seed paired bootstrap tests over test sentences (p < 0.05)`,
      columns: ["method", ...study.directions.map((d) => `${d} ΔBLEU`), ...study.directions.map((d) => `${d} ΔchrF`)],
      rows: study.methods.filter((m) => m !== study.baseline).map((m) => [m,
        ...study.directions.map((d) => withInterval(find(m, d)?.delta.bleu) + tests(find(m, d), "bleu")),
        ...study.directions.map((d) => withInterval(find(m, d)?.delta.chrf) + tests(find(m, d), "chrf"))]),
    }, {
      title: "Held-out loss on target tokens (nats per token), mean [95% interval]",
      columns: ["method", ...study.directions],
      rows: study.methods.map((m) => [m, ...study.directions.map((d) => withInterval(find(m, d)?.nll))]),
    }],
  });

  const metrics: RunMetrics = done.map((r) => [r, readMetrics(r.dir)]);
  sections.push(trainingSection(metrics, dirColors));
  sections.push(curvatureSection(metrics, dirColors));

  const sample = done.find((r) => r.method === study.baseline) ?? done[0];
  if (sample) {
    const rows = study.directions.flatMap((d) => readTranslations(sample.dir).filter((t) => t.direction === d).slice(0, 3).map((t) => [d, t.reference, t.hypothesis]));
    sections.push({ heading: "Sample translations", paragraphs: [`The first three test sentences of each direction, run ${sample.runId} (${sample.method}, seed ${sample.seed}).`], tables: [{ columns: ["direction", "reference", "output"], rows }] });
  }
  sections.push({
    heading: "Run time",
    paragraphs: ["Mean wall-clock seconds of a whole run (training with the method's extra passes, curvature probes, translating the test sentences), over seeds. Runs shared a 2-core machine with other work, so these times carry its load."],
    tables: [{ columns: ["method", "seconds per run", `× ${study.baseline}`], rows: study.costs.map((k) => [k.method, k.runSeconds, k.ratio]) }],
  });
  sections.push(runsSection(study.runs));
  return { title: `${exp.name}: balancing translation directions`, subtitle: "xling experiment report", generatedAt: new Date().toISOString(), sections };
}

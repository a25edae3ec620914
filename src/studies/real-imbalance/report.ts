// The report of a real-language imbalance study: the headline numbers in words (each
// language's TEff as the minority, the matched hidden-state cosine), then the charts
// (TEff per language per mixture, cosine by layer) and the tables behind them.
import { readMetrics, smoothed } from "../../run/metrics.js";
import { barChart, layerProfile, lineChart } from "../../report/charts.js";
import { colorMapping } from "../../report/colors.js";
import { formatNumber, type Chart, type Report, type Section } from "../../report/html.js";
import { precisionFact } from "../../report/precision.js";
import { teffSection } from "../../report/teff-section.js";
import { mixtureRunsSection } from "../../report/mixture-runs.js";
import { middleLayerMean } from "../../analysis/middle-layers.js";
import { resultOf, type RealStudy, type RealStudyRun } from "./analysis.js";
import type { RealExperiment } from "./spec.js";

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "n/a" : formatNumber(v));

function cosineProfile(r: RealStudyRun, name = "matched_hidden_cosine"): { layer: number; value: number }[] {
  return r.outcome!.results.filter((x) => x.name === name).map((x) => ({ layer: x.layer!, value: x.value }));
}

function headline(study: RealStudy, mixed: RealStudyRun[]): string[] {
  const out: string[] = [];
  for (const c of study.curves) if (!c.fit) out.push(`Token efficiency of ${c.lang} could not be computed: ${c.fitError}`);
  for (const [k, lang] of study.languages.entries()) {
    // The mixtures where this language is the minority, and the balanced one.
    const minority = mixed.filter((r) => (k === 0 ? r.config.data.ratio > 0.5 : r.config.data.ratio < 0.5));
    const balanced = mixed.filter((r) => r.config.data.ratio === 0.5);
    const teffOf = (r: RealStudyRun) => study.teff.find((t) => t.runId === r.runId && t.lang === lang)?.teff;
    for (const r of minority) {
      const t = teffOf(r);
      if (t === undefined) continue;
      out.push(`${lang} as the minority (${r.label}): TEff = ${fmt(t)} (${t > 1 ? "above 1: it learned more than its own tokens alone give" : "not above 1 at this model and data size"})` +
        (balanced.length ? `; at ${balanced[0]!.label} TEff = ${fmt(teffOf(balanced[0]!))}.` : "."));
    }
  }
  for (const r of mixed) {
    const prof = cosineProfile(r);
    const baseline = middleLayerMean(cosineProfile(r, "matched_hidden_cosine_unpaired"));
    out.push(`${r.label}: held-out perplexity ${study.languages.map((l) => `${l} ${fmt(resultOf(r.outcome!, "ppl", l))}`).join(", ")}` +
      (prof.length ? `; matched hidden-state cosine by layer [${prof.map((p) => fmt(p.value)).join(", ")}], middle layers ${fmt(middleLayerMean(prof))}` +
        (Number.isFinite(baseline) ? ` (paragraphs that are not translations of each other: ${fmt(baseline)}).` : ".") : "."));
  }
  return out;
}

export function realStudyReport(exp: RealExperiment, study: RealStudy): Report {
  const mixed = study.runs.filter((r) => !r.alone && r.outcome);
  const finished = study.runs.filter((r) => r.outcome).length;
  const c = exp.runs[0]!;
  const colors = colorMapping(study.languages);
  const mixColors = colorMapping(study.runs.map((r) => r.label));
  const shared = mixed[0] ? resultOf(mixed[0].outcome!, "shared_ids", null) : NaN;

  const sections: Section[] = [{
    heading: "Summary",
    paragraphs: [exp.description ?? "", ...headline(study, mixed)].filter(Boolean),
    facts: [
      { label: "corpus", value: `${c.corpus.name}: ${study.languages.join(" and ")}, paragraphs held out by paragraph id in both` },
      { label: "tokenizers", value: `one SentencePiece ${c.tokenizer.modelType} per language, trained on that language alone, vocabulary ${c.tokenizer.vocabSize} each` },
      { label: "model vocabulary", value: `${c.vocabulary}${Number.isFinite(shared) ? ` (${shared} pieces of the second language share an id)` : ""}` },
      { label: "model", value: c.model.size === "custom" ? `GPT d${c.model.dModel}, ${c.model.layers} layers, ${c.model.heads} heads, ${c.model.seqLen} positions` : `GPT ${c.model.size}, ${c.model.seqLen} positions` },
      { label: "budget", value: `${c.train.steps} steps of ${c.train.batchSize} sequences` },
      precisionFact(exp.runs.map((r) => r.train.precision)),
      { label: "runs finished", value: `${finished} of ${study.runs.length}` },
    ],
  }];

  const curveRows = mixed.flatMap((r) => smoothed(readMetrics(r.dir).filter((m) => m.split === "train" && m.name === "loss" && m.lang !== null), 10).map((p) => ({ ...p, run: r.label })));
  const trainingCharts: Chart[] = [];
  if (curveRows.length) trainingCharts.push({ id: "train-loss", title: "Training loss by language", spec: lineChart({ rows: curveRows, x: "step", y: "loss", color: "lang", facet: "run", yTitle: "loss (nats)", colors }) });
  sections.push({ heading: "Training", paragraphs: ["Training loss per language (mean over blocks of 10 steps), one panel per mixture. Each language's loss is per token of its own tokenizer, so the two languages' losses are not comparable with each other."], charts: trainingCharts });

  const pplRows = mixed.flatMap((r) => study.languages.map((lang) => ({ mixture: r.label, lang, ppl: resultOf(r.outcome!, "ppl", lang) })));
  sections.push({
    heading: "Perplexity by mixture",
    paragraphs: ["Sliding-window perplexity on held-out paragraphs of each language, per token of that language's own tokenizer."],
    charts: pplRows.length ? [{ id: "ppl-by-mixture", title: "Perplexity per language and mixture", spec: barChart({ rows: pplRows, x: "lang", y: "ppl", xOffset: "mixture", colors: mixColors }) }] : [],
    tables: [{ title: "Held-out perplexity", columns: ["run", ...study.languages], rows: study.runs.filter((r) => r.outcome).map((r) => [r.label, ...study.languages.map((l) => resultOf(r.outcome!, "ppl", l))]) }],
  });

  sections.push(teffSection(study.curves, study.teff, mixColors));

  const cosRows = mixed.flatMap((r) => [
    ...cosineProfile(r).map((p) => ({ mixture: r.label, layer: p.layer, cosine: p.value })),
    ...cosineProfile(r, "matched_hidden_cosine_unpaired").map((p) => ({ mixture: `${r.label}, not translations`, layer: p.layer, cosine: p.value })),
  ]);
  sections.push({
    heading: "Alignment of the languages",
    paragraphs: ["Matched hidden-state cosine (methods.md §1): for each held-out parallel paragraph (the same paragraph id in both languages, each side encoded by its own tokenizer into the joint vocabulary), each block's outputs of the two sides are compared all against all, matched one to one by maximum total cosine, and the matched cosines averaged; then averaged over paragraphs. Middle layers: the middle half of the blocks. The baseline pairs each paragraph with another paragraph's translation: the part of the cosine that any two texts share."],
    charts: cosRows.length ? [{ id: "hidden-cosine", title: "Matched hidden-state cosine by layer", spec: layerProfile({ rows: cosRows, layer: "layer", value: "cosine", series: "mixture", colors: colorMapping([...new Set(cosRows.map((r) => r.mixture))]) }) }] : [],
    tables: [{
      title: "Matched hidden-state cosine",
      columns: ["mixture", "paragraphs", "middle layers", "middle layers, not translations", "by layer (1 = first block)"],
      rows: mixed.map((r) => [r.label, resultOf(r.outcome!, "alignment_paragraphs", null), middleLayerMean(cosineProfile(r)),
        middleLayerMean(cosineProfile(r, "matched_hidden_cosine_unpaired")), cosineProfile(r).map((p) => fmt(p.value)).join(", ")]),
    }],
  });

  sections.push(mixtureRunsSection(study.runs));
  return { title: `${exp.name}: language imbalance with two real languages`, subtitle: "xling experiment report", generatedAt: new Date().toISOString(), sections };
}

// The report of a cloned-language imbalance study: what a researcher reads first
// (the headline numbers, stated in words), then the charts and the tables behind them.
import { teffSection } from "../../report/teff-section.js";
import { mixtureRunsSection } from "../../report/mixture-runs.js";
import { readMetrics, smoothed } from "../../run/metrics.js";
import type { CloneStudy, StudyRun } from "./analysis.js";
import type { Experiment } from "./spec.js";
import { barChart, layerProfile, lineChart } from "../../report/charts.js";
import { colorMapping } from "../../report/colors.js";
import { formatNumber, type Chart, type Report, type Section, type Table } from "../../report/html.js";
import { precisionFact } from "../../report/precision.js";

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "n/a" : formatNumber(v));

function result(run: StudyRun, name: string, lang?: string | null, layer?: number | null): number | undefined {
  return run.outcome?.results.find((r) => r.name === name && (lang === undefined || r.lang === lang) && (layer === undefined || r.layer === layer))?.value;
}

function headline(study: CloneStudy, bilingual: StudyRun[]): string[] {
  const out: string[] = [];
  const byLabel = (label: string) => bilingual.find((r) => r.label === label);
  const teffOf = (label: string, lang: string) => study.teff.find((t) => t.label === label && t.lang === lang);
  const clone = "clone1";
  const t90 = teffOf("90/10", clone);
  const t50 = teffOf("50/50", clone);
  if (!study.fit) out.push(`Token efficiency could not be computed: ${study.fitError}`);
  else if (t90 && t50)
    out.push(`Token efficiency of the minority clone: TEff = ${fmt(t90.teff)} at 90/10 against ${fmt(t50.teff)} at 50/50 (` +
      (t90.teff > t50.teff
        ? "higher at 90/10: the clone learned more per token of its own when the other language dominated)."
        : "not higher at 90/10 at this model and data size).") +
      ` The original at 90/10: TEff ${fmt(teffOf("90/10", "original")?.teff)}.`);
  for (const r of bilingual)
    out.push(`${r.label}: held-out perplexity ${r.outcome!.languages.map((l) => `${l} ${fmt(result(r, "ppl", l))}`).join(", ")}.`);
  const fifty = byLabel("50/50");
  const ninety = byLabel("90/10");
  if (fifty && ninety) {
    const layers = fifty.outcome!.results.filter((x) => x.name === "hidden_cosine" && x.lang === clone).map((x) => x.layer!);
    const profile = (r: StudyRun) => `[${layers.map((l) => fmt(result(r, "hidden_cosine", clone, l))).join(", ")}]`;
    out.push(`Hidden-state cosine between the original and its clone by layer (1 = first block): 90/10 ${profile(ninety)} against 50/50 ${profile(fifty)}.`);
    out.push(`Mean gradient cosine between the languages: 90/10 ${fmt(result(ninety, "grad_cosine_mean", clone))}, 50/50 ${fmt(result(fifty, "grad_cosine_mean", clone))}.`);
  }
  return out;
}

export function cloneStudyReport(exp: Experiment, study: CloneStudy): Report {
  const bilingual = study.runs.filter((r) => r.kind === "bilingual" && r.outcome);
  const finished = study.runs.filter((r) => r.outcome).length;
  const c = exp.runs[0];
  const languages = bilingual[0]?.outcome?.languages ?? ["original"];
  const colors = colorMapping(languages);
  const mixColors = colorMapping(study.runs.map((r) => r.label));

  const sections: Section[] = [{
    heading: "Summary",
    paragraphs: [exp.description ?? "", ...headline(study, bilingual)].filter(Boolean),
    facts: [
      { label: "corpus", value: `${c.corpus.name} (${c.corpus.lang}${c.corpus.translation ? `, ${c.corpus.translation}` : ""})` },
      { label: "tokenizer", value: `SentencePiece ${c.tokenizer.modelType}, vocabulary ${c.tokenizer.vocabSize} per language` },
      { label: "languages", value: `original + ${c.clones.languages - 1} clone(s), ${Math.round(c.clones.fracClone * 100)}% of ids cloned` },
      { label: "model", value: c.model.size === "custom" ? `GPT d${c.model.dModel}, ${c.model.layers} layers, ${c.model.heads} heads, ${c.model.seqLen} positions` : `GPT ${c.model.size}, ${c.model.seqLen} positions` },
      { label: "budget", value: `${c.train.steps} steps of ${c.train.batchSize} sequences` },
      precisionFact(exp.runs.map((r) => r.train.precision)),
      { label: "runs finished", value: `${finished} of ${study.runs.length}` },
    ],
  }];

  const curveRows = bilingual.flatMap((r) => smoothed(readMetrics(r.dir).filter((m) => m.split === "train" && m.name === "loss" && m.lang !== null), 10).map((p) => ({ ...p, run: r.label })));
  const evalRows = bilingual.flatMap((r) => readMetrics(r.dir).filter((m) => m.split === "eval" && m.name === "ppl").map((m) => ({ step: m.step, lang: m.lang ?? "", ppl: m.value, run: r.label })));
  const trainingCharts: Chart[] = [];
  if (curveRows.length) trainingCharts.push({ id: "train-loss", title: "Training loss by language", spec: lineChart({ rows: curveRows, x: "step", y: "loss", color: "lang", facet: "run", yTitle: "loss (nats)", colors }) });
  if (evalRows.length) trainingCharts.push({ id: "eval-ppl", title: "Held-out perplexity during training", spec: lineChart({ rows: evalRows, x: "step", y: "ppl", color: "lang", facet: "run", logY: true, colors }) });
  sections.push({ heading: "Training", paragraphs: ["Training loss per language (mean over blocks of 10 steps), one panel per mixture; held-out perplexity at each evaluation."], charts: trainingCharts });

  const pplRows = bilingual.flatMap((r) => r.outcome!.languages.map((lang) => ({ mixture: r.label, lang, ppl: result(r, "ppl", lang) ?? NaN })));
  const pplTable: Table = { title: "Held-out perplexity", columns: ["mixture", ...languages], rows: bilingual.map((r) => [r.label, ...r.outcome!.languages.map((l) => result(r, "ppl", l) ?? null)]) };
  sections.push({
    heading: "Perplexity by mixture",
    paragraphs: ["Sliding-window perplexity (window = sequence length, stride a quarter of it) on held-out chapters: the same text in every language."],
    charts: pplRows.length ? [{ id: "ppl-by-mixture", title: "Perplexity per language and mixture", spec: barChart({ rows: pplRows, x: "lang", y: "ppl", xOffset: "mixture", colors: mixColors }) }] : [],
    tables: [pplTable],
  });

  sections.push(teffSection([{ lang: "original", mono: study.mono, fit: study.fit, fitError: study.fitError }], study.teff, mixColors));
  sections.push(alignmentSection(bilingual, mixColors));
  sections.push(mixtureRunsSection(study.runs));
  return { title: `${exp.name}: language imbalance with cloned languages`, subtitle: "xling experiment report", generatedAt: new Date().toISOString(), sections };
}

function alignmentSection(bilingual: StudyRun[], mixColors: Record<string, string>): Section {
  const hiddenRows = bilingual.flatMap((r) => r.outcome!.results.filter((x) => x.name === "hidden_cosine").map((x) => ({ mixture: r.label, layer: x.layer!, cosine: x.value })));
  const gradRows = bilingual.flatMap((r) => r.outcome!.results.filter((x) => x.name === "grad_cosine_mean").map((x) => ({ mixture: r.label, cosine: x.value })));
  const charts: Chart[] = [];
  if (hiddenRows.length) charts.push({ id: "hidden-cosine", title: "Hidden-state cosine by layer", spec: layerProfile({ rows: hiddenRows, layer: "layer", value: "cosine", series: "mixture", colors: mixColors }) });
  if (gradRows.length) charts.push({ id: "grad-cosine", title: "Mean gradient cosine between the languages", spec: barChart({ rows: gradRows, x: "mixture", y: "cosine", color: "mixture", colors: mixColors }) });
  const tensorNames = [...new Set(bilingual.flatMap((r) => r.outcome!.results.filter((x) => x.name.startsWith("grad_cosine:")).map((x) => x.name)))];
  return {
    heading: "Alignment of the languages",
    paragraphs: [
      "Hidden-state cosine: each block's output for the same held-out text in the original and in the clone id space, compared position by position. Gradient cosine: the loss gradients of the same text in both languages, per parameter tensor (mean over tensors in the chart). Embedding cosine: row i against row i + V of the input and output embeddings, against random row pairs.",
    ],
    charts,
    tables: [{
      title: "Embedding similarity of clone pairs",
      columns: ["mixture", "language", "input, clone pairs", "input, random pairs", "output, clone pairs", "output, random pairs"],
      rows: bilingual.flatMap((r) => r.outcome!.languages.slice(1).map((l) => [r.label, l,
        result(r, "emb_cosine_clone:tok_emb", l) ?? null, result(r, "emb_cosine_random:tok_emb", l) ?? null,
        result(r, "emb_cosine_clone:lm_head", l) ?? null, result(r, "emb_cosine_random:lm_head", l) ?? null])),
    }, {
      title: "Gradient cosine per parameter tensor",
      columns: ["tensor", ...bilingual.map((r) => r.label)],
      rows: tensorNames.map((n) => [n.slice("grad_cosine:".length), ...bilingual.map((r) => result(r, n, "clone1") ?? null)]),
    }],
  };
}

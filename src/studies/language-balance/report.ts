// The report of a language-balancing study: the answer first (did CATS help the
// low-resource language, at what cost to the others, and what does a step cost), then
// held-out loss per method and language with intervals over seeds, the language weights,
// curvature and gradient cosines over training, and the runs.
import { readMetrics } from "../../run/metrics.js";
import type { BalanceExperiment } from "./spec.js";
import { type BalanceStudy, type LanguageOutcome } from "./analysis.js";
import { barChart } from "../../report/charts.js";
import { colorMapping } from "../../report/colors.js";
import { formatNumber, type Report, type Section } from "../../report/html.js";
import { precisionFact } from "../../report/precision.js";
import { curvatureSection, runsSection, trainingSection, type RunMetrics } from "../balancing/charts.js";

const fmt = (v: number | undefined | null) => (v === undefined || v === null || !Number.isFinite(v) ? "n/a" : formatNumber(v));

function withInterval(i: { mean: number; lower: number; upper: number; n: number } | null): string {
  if (!i) return "n/a";
  return i.n >= 2 ? `${fmt(i.mean)} [${fmt(i.lower)}, ${fmt(i.upper)}]` : `${fmt(i.mean)} (1 seed)`;
}

/** "lower" / "higher" / "no detectable difference" for a paired loss difference. */
function verdict(d: LanguageOutcome["deltaNll"]): string {
  if (!d || d.n < 2) return "not enough paired seeds to tell";
  if (d.upper < 0) return `lower by ${fmt(-d.mean)} nats (95% interval of the difference [${fmt(d.lower)}, ${fmt(d.upper)}], ${d.n} seeds): it helped`;
  if (d.lower > 0) return `higher by ${fmt(d.mean)} nats (95% interval [${fmt(d.lower)}, ${fmt(d.upper)}], ${d.n} seeds): it hurt`;
  return `no difference detectable with ${d.n} seeds (difference ${fmt(d.mean)} nats, 95% interval [${fmt(d.lower)}, ${fmt(d.upper)}])`;
}

function headline(exp: BalanceExperiment, study: BalanceStudy): string[] {
  const out: string[] = [];
  const shares = exp.runs[0]?.corpus.languages ?? [];
  const low = [...shares].sort((a, b) => a.share - b.share)[0]?.lang;
  const find = (method: string, lang: string) => study.outcomes.find((o) => o.method === method && o.lang === lang);
  for (const method of study.methods) {
    if (method === study.baseline || !low) continue;
    const lowOutcome = find(method, low);
    if (!lowOutcome) continue;
    const others = study.languages.filter((l) => l !== low).map((l) => `${l}: ${verdict(find(method, l)?.deltaNll ?? null).replace(/: it (helped|hurt)$/, "")}`);
    out.push(`${method} against ${study.baseline}, held-out loss of the low-resource language ${low}: ${verdict(lowOutcome.deltaNll)}. The others — ${others.join("; ")}.`);
  }
  const cats = study.costs.find((c) => c.method.startsWith("cats"));
  if (cats && Number.isFinite(cats.ratio))
    out.push(`A CATS training step took ${fmt(cats.stepSeconds)} s on average against ${fmt(study.costs.find((c) => c.method === study.baseline)?.stepSeconds)} s for ${study.baseline} (×${fmt(cats.ratio)}), its held-out updates amortised over the update interval.`);
  return out;
}


export function balanceStudyReport(exp: BalanceExperiment, study: BalanceStudy): Report {
  const c = exp.runs[0];
  const done = study.runs.filter((r) => r.outcome);
  const langColors = colorMapping(study.languages);
  const methodColors = colorMapping(study.methods);
  const seeds = [...new Set(study.runs.map((r) => r.seed))];
  const totalShare = c.corpus.languages.reduce((s, l) => s + l.share, 0);
  const available = (lang: string) => done[0]?.outcome?.results.find((x) => x.name === "train_tokens_available" && x.lang === lang)?.value;

  const sections: Section[] = [{
    heading: "Summary",
    paragraphs: [exp.description ?? "", ...headline(exp, study)].filter(Boolean),
    facts: [
      { label: "languages", value: c.corpus.languages.map((l) => `${l.lang} ${formatNumber((100 * l.share) / totalShare)}% (${fmt(available(l.lang))} tokens, ${l.corpus})`).join(", ") },
      { label: "tokenizer", value: `one SentencePiece ${c.tokenizer.modelType} model, vocabulary ${c.tokenizer.vocabSize}, trained on equal text per language` },
      { label: "model", value: c.model.size === "custom" ? `GPT d${c.model.dModel}, ${c.model.layers} layers, ${c.model.heads} heads, ${c.model.seqLen} positions` : `GPT ${c.model.size}, ${c.model.seqLen} positions` },
      { label: "budget", value: `${c.train.steps} steps of ${c.train.batchSize} sequences, the same for every method` },
      precisionFact(exp.runs.map((r) => r.train.precision)),
      { label: "methods", value: study.methods.join(", ") },
      { label: "seeds", value: `${seeds.length} (${seeds.join(", ")})` },
      { label: "runs finished", value: `${done.length} of ${study.runs.length}` },
    ],
  }];

  const bars = study.outcomes.map((o) => ({ method: o.method, lang: o.lang, nll: o.nll.mean, low: o.nll.n >= 2 ? o.nll.lower : o.nll.mean, high: o.nll.n >= 2 ? o.nll.upper : o.nll.mean }));
  sections.push({
    heading: "Held-out loss by method and language",
    paragraphs: [
      "Loss in nats per token on each language's held-out test paragraphs (sliding window), mean over seeds with a 95% t interval. The difference to the baseline is paired by seed (same data order and initialisation), which removes most of the seed-to-seed variation.",
    ],
    charts: bars.length ? [{ id: "nll", title: "Held-out loss (95% interval over seeds)", spec: barChart({ rows: bars, x: "lang", y: "nll", xOffset: "method", errorLow: "low", errorHigh: "high", colors: methodColors, yTitle: "loss (nats/token)" }) }] : [],
    tables: [{
      title: "Held-out loss, mean [95% interval]",
      columns: ["method", ...study.languages.map((l) => `${l} loss`), ...study.languages.map((l) => `${l} perplexity`)],
      rows: study.methods.map((m) => [m,
        ...study.languages.map((l) => withInterval(study.outcomes.find((o) => o.method === m && o.lang === l)?.nll ?? null)),
        ...study.languages.map((l) => study.outcomes.find((o) => o.method === m && o.lang === l)?.ppl ?? null)]),
    }, {
      title: `Difference to ${study.baseline}, paired by seed (negative = better)`,
      columns: ["method", ...study.languages],
      rows: study.methods.filter((m) => m !== study.baseline).map((m) => [m,
        ...study.languages.map((l) => withInterval(study.outcomes.find((o) => o.method === m && o.lang === l)?.deltaNll ?? null))]),
    }],
  });

  sections.push(sideBySideSection(study));
  const metrics: RunMetrics = done.map((r) => [r, readMetrics(r.dir)]);
  sections.push(trainingSection(metrics, langColors));
  sections.push(curvatureSection(metrics, langColors));
  sections.push({
    heading: "Cost of a training step",
    paragraphs: [`Mean wall-clock seconds per step after the first few, over seeds, including every method's extra backward passes and CATS's held-out updates (so CATS's cost is amortised over its update interval of ${c.balance.cats.updateInterval} steps). Curvature measurements are outside the step and not counted. Runs that shared the machine with other runs time each other's load too; compare methods run at the same parallelism.`],
    tables: [{ columns: ["method", "seconds per step", `× ${study.baseline}`], rows: study.costs.map((k) => [k.method, k.stepSeconds, k.ratio]) }],
  });
  sections.push(runsSection(study.runs));
  return { title: `${exp.name}: balancing imbalanced languages`, subtitle: "xling experiment report", generatedAt: new Date().toISOString(), sections };
}

/**
 * Every method (the CATS variants among them) in one table: the paired loss change per
 * language, the measured top Hessian eigenvalue per language at the end of training, and
 * the mean loss scale each language got.
 */
function sideBySideSection(study: BalanceStudy): Section {
  const find = (m: string, l: string) => study.outcomes.find((o) => o.method === m && o.lang === l);
  return {
    heading: "Methods side by side: loss change and measured curvature",
    paragraphs: [
      `Per language: the held-out loss difference to ${study.baseline} paired by seed (negative = better) with its 95% interval; the top Hessian eigenvalue of the language's held-out loss at the last curvature measurement (mean [95% interval] over seeds), the sharpness CATS is meant to reduce; and the mean loss scale the language's sequences got over training (N·alpha_n for CATS, 1 otherwise).`,
    ],
    tables: [{
      title: "Loss change, top Hessian eigenvalue and mean loss scale per language",
      columns: ["method", ...study.languages.map((l) => `${l} Δ loss`), ...study.languages.map((l) => `${l} top eigenvalue`), ...study.languages.map((l) => `${l} scale`)],
      rows: study.methods.map((m) => [m,
        ...study.languages.map((l) => (m === study.baseline ? "baseline" : withInterval(find(m, l)?.deltaNll ?? null))),
        ...study.languages.map((l) => withInterval(find(m, l)?.hessianTop ?? null)),
        ...study.languages.map((l) => find(m, l)?.meanWeight ?? null)]),
    }],
  };
}



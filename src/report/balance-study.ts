// The report of a language-balancing study: the answer first (did CATS help the
// low-resource language, at what cost to the others, and what does a step cost), then
// held-out loss per method and language with intervals over seeds, the language weights,
// curvature and gradient cosines over training, and the runs.
import { readMetrics, type MetricRow } from "../experiment/clone-run.js";
import type { BalanceExperiment } from "../experiment/balance-spec.js";
import { type BalanceStudy, type BalanceStudyRun, type LanguageOutcome } from "../experiment/balance-study.js";
import { barChart, lineChart } from "./charts.js";
import { colorMapping } from "./colors.js";
import { precisionFact } from "./precision.js";
import { formatNumber, type Chart, type Report, type Section } from "./html.js";

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

/** Mean over seeds of a metric at each step (and language), for each method. */
/** Each finished run with its metrics, read once for all the charts. */
export type RunMetrics = [Pick<BalanceStudyRun, "method">, MetricRow[]][];

function curves(runs: RunMetrics, pick: (m: MetricRow) => boolean, every = 1): { step: number; lang: string; method: string; value: number }[] {
  const sums = new Map<string, { step: number; lang: string; method: string; sum: number; n: number }>();
  for (const [r, metrics] of runs) {
    for (const m of metrics) {
      if (!pick(m)) continue;
      const step = Math.ceil(m.step / every) * every;
      const key = `${r.method}|${m.lang}|${step}`;
      const s = sums.get(key) ?? { step, lang: m.lang ?? "all", method: r.method, sum: 0, n: 0 };
      s.sum += m.value;
      s.n += 1;
      sums.set(key, s);
    }
  }
  return [...sums.values()].map((s) => ({ step: s.step, lang: s.lang, method: s.method, value: s.sum / s.n }));
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
  sections.push({
    heading: "Runs",
    tables: [{
      columns: ["run", "method", "seed", "tokens seen", "seconds", "status"],
      rows: study.runs.map((r) => [r.runId, r.method, r.seed,
        r.outcome ? Object.entries(r.outcome.tokensSeen).map(([l, n]) => `${l} ${n}`).join(", ") : null,
        r.outcome?.seconds ?? null, r.outcome ? "done" : "not finished"]),
    }],
  });
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

export function trainingSection(done: RunMetrics, langColors: Record<string, string>): Section {
  const charts: Chart[] = [];
  const weights = curves(done, (m) => m.split === "train" && m.name === "weight", 10);
  const loss = curves(done, (m) => m.split === "train" && m.name === "loss" && m.lang !== null, 20);
  const ppl = curves(done, (m) => m.split === "eval" && m.name === "ppl");
  if (weights.length) charts.push({ id: "weights", title: "Per-language loss scale over training (mean over seeds)", spec: lineChart({ rows: weights, x: "step", y: "value", color: "lang", facet: "method", yTitle: "scale of the language's loss", colors: langColors }) });
  if (ppl.length) charts.push({ id: "eval-ppl", title: "Held-out perplexity during training (mean over seeds)", spec: lineChart({ rows: ppl, x: "step", y: "value", color: "lang", facet: "method", logY: true, yTitle: "perplexity", colors: langColors }) });
  if (loss.length) charts.push({ id: "train-loss", title: "Training loss by language (mean over seeds, blocks of 20 steps)", spec: lineChart({ rows: loss, x: "step", y: "value", color: "lang", facet: "method", yTitle: "loss (nats)", colors: langColors }) });
  return {
    heading: "Training",
    paragraphs: ["Language weights are the scale each language's sequences get in the loss (1 = plain mean): CATS's N·alpha_n and GradNorm's w_n; sampling methods and gradient surgery keep 1. Held-out perplexity shows over-fitting of an up-sampled low-resource language as a rise late in training."],
    charts,
  };
}

export function curvatureSection(done: RunMetrics, langColors: Record<string, string>): Section {
  const top = curves(done, (m) => m.name === "hessian_top");
  const cos = curves(done, (m) => m.name === "grad_cosine");
  const charts: Chart[] = [];
  if (top.length) charts.push({ id: "hessian", title: "Top Hessian eigenvalue of each language's held-out loss", spec: lineChart({ rows: top, x: "step", y: "value", color: "lang", facet: "method", yTitle: "top eigenvalue", colors: langColors }) });
  if (cos.length) charts.push({ id: "grad-cos", title: "Cosine between languages' held-out gradients", spec: lineChart({ rows: cos, x: "step", y: "value", color: "lang", facet: "method", yTitle: "cosine" }) });
  return {
    heading: "Curvature and gradient conflict",
    paragraphs: [
      "CATS assumes that a language whose loss sits in a sharp region should get a smaller weight. Here that sharpness is measured rather than assumed: the largest-magnitude eigenvalue of the Hessian of each language's loss on fixed held-out sequences, by power iteration on Hessian-vector products (double backward), and the cosine between the languages' gradients on the same sequences (negative = conflict, what PCGrad and GradVac act on).",
      ...(top.length ? [] : ["Not measured in this experiment (curvature.every is 0)."]),
    ],
    charts,
  };
}

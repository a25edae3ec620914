// Report sections the balancing studies share: language weights, losses and held-out
// perplexity over training, and curvature and gradient conflict, per method.
import type { MetricRow } from "../../run/metrics.js";
import { lineChart } from "../../report/charts.js";
import type { Chart, Section } from "../../report/html.js";

/** Mean over seeds of a metric at each step (and language), for each method. */
/** Each finished run with its metrics, read once for all the charts. */
export type RunMetrics = [{ method: string }, MetricRow[]][];

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

/** One row per run of a balancing study: method, seed, tokens seen per language or direction, time, status. */
export function runsSection(runs: { runId: string; method: string; seed: number; outcome?: { tokensSeen: Record<string, number>; seconds: number } | null }[]): Section {
  return {
    heading: "Runs",
    tables: [{
      columns: ["run", "method", "seed", "tokens seen", "seconds", "status"],
      rows: runs.map((r) => [r.runId, r.method, r.seed,
        r.outcome ? Object.entries(r.outcome.tokensSeen).map(([l, n]) => `${l} ${n}`).join(", ") : null,
        r.outcome?.seconds ?? null, r.outcome ? "done" : "not finished"]),
    }],
  };
}

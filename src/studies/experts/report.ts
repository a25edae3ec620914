// The report of an expert study (methods.md §4): per-language perplexity of the
// compute-matched dense baseline against every ensemble rule, then the experts, how the
// added languages branched, the cached priors and the training curves.
import type { ExpertStudy } from "./spec.js";
import type { StudyEvaluation, StudyPlan } from "./btm.js";
import { readRunOutcome } from "./run.js";
import { barChart, lineChart } from "../../report/charts.js";
import { readMetrics, smoothed } from "../../run/metrics.js";
import { colorMapping } from "../../report/colors.js";
import { formatNumber, type Chart, type Report, type Section, type Table } from "../../report/html.js";
import { precisionFact } from "../../report/precision.js";

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "n/a" : formatNumber(v));
const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(1)}%`;

/** Rules in the order the tables show them: baselines first, then the ensembles. */
export function ruleOrder(ev: Pick<StudyEvaluation, "rows">): string[] {
  const present = new Set(ev.rows.map((r) => r.rule));
  const order = ["dense", "param-average", "top1-language", "uniform", "posterior", "posterior-last-token", "cached-prior", "posterior+cached-prior", "tfidf-distance"];
  return order.filter((r) => present.has(r));
}

function pplOf(ev: StudyEvaluation, lang: string, rule: string): number | undefined {
  return ev.rows.find((r) => r.lang === lang && r.rule === rule)?.ppl;
}

/** Mean relative change of a rule's perplexity against the dense baseline, over languages. */
export function meanRelativeToDense(ev: StudyEvaluation, rule: string): number | undefined {
  const changes = ev.languages.map((l) => {
    const d = pplOf(ev, l, "dense");
    const r = pplOf(ev, l, rule);
    return d !== undefined && r !== undefined ? r / d - 1 : undefined;
  });
  if (changes.some((c) => c === undefined)) return undefined;
  return (changes as number[]).reduce((a, b) => a + b, 0) / changes.length;
}

export function expertStudyReport(study: ExpertStudy, plan: StudyPlan, ev: StudyEvaluation): Report {
  const rules = ruleOrder(ev);
  const tokensPerStep = study.train.batchSize * study.model.seqLen;
  const expertSteps = plan.experts.reduce((s, e) => s + e.config.steps, 0);
  const hasDense = rules.includes("dense");
  const m = study.model;
  const headline: string[] = [];
  if (hasDense) {
    const ensembleRules = rules.filter((r) => r !== "dense");
    const changes = ensembleRules.map((r) => ({ rule: r, change: meanRelativeToDense(ev, r) })).filter((c) => c.change !== undefined) as { rule: string; change: number }[];
    changes.sort((a, b) => a.change - b.change);
    if (changes.length) {
      const best = changes[0]!;
      headline.push(`Best rule against the dense baseline: ${best.rule}, mean perplexity change ${pct(best.change)} over ${ev.languages.length} languages` +
        ` (negative = the experts are better). All rules: ${changes.map((c) => `${c.rule} ${pct(c.change)}`).join(", ")}.`);
      const improved = ev.languages.filter((l) => (pplOf(ev, l, best.rule) ?? Infinity) < (pplOf(ev, l, "dense") ?? -Infinity));
      headline.push(`With ${best.rule}, ${improved.length} of ${ev.languages.length} languages have lower perplexity than dense${improved.length ? ` (${improved.join(", ")})` : ""}.`);
    }
  } else headline.push("The dense baseline has not finished (or was not requested), so only the ensembles are compared.");

  const sections: Section[] = [{
    heading: "Summary",
    paragraphs: [study.description ?? "", ...headline,
      `Compute matching: the dense baseline trains on all expert languages for ${ev.denseSteps ?? "(not run)"} steps = seed ${study.seed.steps} + ` +
      `${plan.experts.map((e) => e.config.steps).join(" + ")} expert steps, at the same batch (${study.train.batchSize} sequences of ${m.seqLen} tokens = ${tokensPerStep} tokens per step), ` +
      `so dense and experts see the same total number of training tokens (${formatNumber((study.seed.steps + expertSteps) * tokensPerStep)}).`,
    ].filter(Boolean),
    facts: [
      { label: "corpus", value: study.corpus.languages.map((l) => `${l.lang} (${l.corpus}${l.code ? ` ${l.code}` : ""})`).join(", ") },
      { label: "tokenizer", value: `one SentencePiece ${study.tokenizer.modelType} model shared by all languages, vocabulary ${study.tokenizer.vocabSize}` },
      { label: "model", value: m.size === "custom" ? `GPT d${m.dModel}, ${m.layers} layers, ${m.heads} heads, ${m.seqLen} positions` : `GPT ${m.size}, ${m.seqLen} positions` },
      precisionFact([study.train.precision]),
      { label: "partition", value: `${study.experts.partition.method}: ${plan.experts.map((e) => `${e.config.name} {${e.config.languages.join(", ")}}`).join(", ")}` },
      { label: "seed", value: study.seed.load ? `loaded from ${study.seed.load}, then ${study.seed.steps} steps` : `${study.seed.steps} steps on ${study.experts.languages.join(", ")}` },
      { label: "experts", value: `${plan.experts.length}, ${plan.experts.map((e) => e.config.steps).join(" / ")} steps` },
      { label: "held-out tokens scored", value: ev.languages.map((l) => `${l} ${formatNumber(ev.rows.find((r) => r.lang === l)?.tokens ?? 0)}`).join(", ") },
    ],
  }];

  const pplRows = ev.languages.flatMap((lang) => rules.map((rule) => ({ lang, rule, ppl: pplOf(ev, lang, rule) ?? NaN })));
  const pplTable: Table = {
    title: "Held-out perplexity per language",
    columns: ["language", ...rules],
    rows: ev.languages.map((l) => [l, ...rules.map((r) => pplOf(ev, l, r) ?? null)]),
  };
  const tables: Table[] = [pplTable];
  if (hasDense) tables.push({
    title: "Change against the dense baseline",
    columns: ["language", ...rules.filter((r) => r !== "dense")],
    rows: [...ev.languages.map((l) => [l, ...rules.filter((r) => r !== "dense").map((r) => {
      const d = pplOf(ev, l, "dense");
      const v = pplOf(ev, l, r);
      return d !== undefined && v !== undefined ? pct(v / d - 1) : null;
    })]), ["mean", ...rules.filter((r) => r !== "dense").map((r) => {
      const c = meanRelativeToDense(ev, r);
      return c === undefined ? null : pct(c);
    })]],
  });
  sections.push({
    heading: "Perplexity: dense against the ensembles",
    paragraphs: [
      "Every model is scored on the same held-out test sequences of each language (the first sequences of its test split, full context of the model's length). " +
      "top1-language: the expert trained on the language. uniform: 1/k each. posterior: Bayes over experts from the prefix likelihood, uniform prior; posterior-last-token: the same from the previous token's likelihood only (the published code's form). " +
      `cached-prior: fixed weights, the exponentially weighted (alpha ${study.eval.alpha}) mean of per-batch posteriors on ${study.eval.priorBatches} validation batches of the language${study.eval.topK ? `, top ${study.eval.topK}` : ""}. ` +
      "posterior+cached-prior: the posterior with that prior. " +
      `tfidf-distance: softmax(-d²/${study.eval.temperature}) of the prefix's TF-IDF -> SVD distance to each expert's centre (the mean embedding of its training sequences, token ids as terms)${study.eval.tfidfTopK ? `, the ${study.eval.tfidfTopK} nearest experts only` : ""}. ` +
      "param-average: one model whose parameters are the experts' mean.",
    ],
    charts: pplRows.length ? [{ id: "ppl-by-rule", title: "Perplexity per language and rule", spec: barChart({ rows: pplRows, x: "lang", y: "ppl", xOffset: "rule", colors: colorMapping(rules), yTitle: "perplexity" }) }] : [],
    tables,
  });

  sections.push({
    heading: "Experts",
    tables: [{
      title: "Runs",
      columns: ["run", "languages", "branched from", "steps", "tokens seen", "validation NLL", "seconds"],
      rows: [plan.seed, ...plan.experts, ...(plan.dense ? [plan.dense] : [])].map((r) => {
        const o = readRunOutcome(r.dir);
        return [r.config.name, r.config.languages.join(", "), r.config.init?.from ?? "initialisation", r.config.steps,
          o ? Object.entries(o.tokensSeen).map(([l, n]) => `${l} ${n}`).join(", ") : null,
          o ? Object.entries(o.validNll).map(([l, v]) => `${l} ${fmt(v)}`).join(", ") : null, o?.seconds ?? null];
      }),
    }, {
      title: "Each expert alone (perplexity)",
      columns: ["language", ...ev.experts.map((e) => `${e.name} {${e.languages.join(", ")}}`)],
      rows: ev.languages.map((l) => [l, ...ev.experts.map((e) => pplOf(ev, l, `expert:${e.name}`) ?? null)]),
    }, {
      title: "Cached prior per language",
      columns: ["language", ...ev.experts.map((e) => e.name)],
      rows: ev.languages.map((l) => [l, ...(ev.priors[l] ?? []).map((p) => p)]),
    }],
  });

  if (plan.added.length) sections.push({
    heading: "Added languages",
    paragraphs: ["Each added language gets a new expert branched from the most similar existing expert (single-link distance of the language to each expert's languages) and trained on the new language only; the existing experts are not trained further."],
    tables: [{
      columns: ["language", "branched from", "distance to each earlier expert", "perplexity: parent alone", "perplexity: new expert"],
      rows: plan.added.map((a, i) => {
        const parent = plan.experts[a.parent]!.config.name;
        const mine = plan.experts[study.experts.k + i]!.config.name;
        return [a.language, parent, a.distances.map((d, j) => `${plan.experts[j]!.config.name} ${fmt(d)}`).join(", "),
          pplOf(ev, a.language, `expert:${parent}`) ?? null, pplOf(ev, a.language, `expert:${mine}`) ?? null];
      }),
    }],
  });

  const runs = [plan.seed, ...plan.experts, ...(plan.dense ? [plan.dense] : [])];
  const curveRows = runs.flatMap((r) => smoothed(readMetrics(r.dir).filter((x) => x.split === "train" && x.name === "loss" && x.lang !== null), 10).map((p) => ({ ...p, run: r.config.name })));
  const charts: Chart[] = curveRows.length
    ? [{ id: "train-loss", title: "Training loss by language", spec: lineChart({ rows: curveRows, x: "step", y: "loss", color: "lang", facet: "run", yTitle: "loss (nats)", colors: colorMapping(ev.languages) }) }]
    : [];
  sections.push({ heading: "Training", paragraphs: ["Training loss per language (mean over blocks of 10 steps), one panel per run; the experts' steps count from their branching."], charts });
  return { title: `${study.name}: cross-lingual expert language models`, subtitle: "xling expert study report", generatedAt: new Date().toISOString(), sections };
}

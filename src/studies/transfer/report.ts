// The report of a transfer study: zero-shot accuracy per target language for each
// source set and realignment mode (mean over seeds, with the range), alignment by layer
// before and after fine-tuning, dictionary against aligner pairs when both ran, the correlation between alignment and the transfer gap,
// and how well each source-selection heuristic predicted the measured transfer.
import type { ConditionResult, TransferResults } from "./run.js";
import type { TransferConfig } from "./spec.js";
import { barChart, layerProfile, lineChart, scatterChart } from "../../report/charts.js";
import { colorMapping } from "../../report/colors.js";
import { formatNumber, type Chart, type Report, type Section } from "../../report/html.js";
import { precisionFact } from "../../report/precision.js";

const fmt = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? "n/a" : formatNumber(v));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Whether the results compare several realignment pair sources (then labels name them). */
function comparesPairSources(results: ConditionResult[]): boolean {
  return new Set(results.flatMap((c) => (c.pairs ? [c.pairs] : []))).size > 1;
}

/** "en", "en+de+fr", the mode and, when the study compares several, the pair source: the condition's label without its seed. */
function conditionLabel(c: ConditionResult, withPairs: boolean): string {
  return `${c.sources.join("+")}, realign ${c.mode}${withPairs && c.pairs ? ` (${c.pairs} pairs)` : ""}`;
}

function groups(results: ConditionResult[]): Map<string, ConditionResult[]> {
  const withPairs = comparesPairSources(results);
  const out = new Map<string, ConditionResult[]>();
  for (const c of results) out.set(conditionLabel(c, withPairs), [...(out.get(conditionLabel(c, withPairs)) ?? []), c]);
  return out;
}

/** The (mode, pair source) variants of the study, as label suffixes: "realign none", "realign during (dictionary pairs)". */
function variants(r: TransferResults): { mode: string; pairs?: string; suffix: string }[] {
  const withPairs = comparesPairSources(r.conditions);
  const seen = new Map<string, { mode: string; pairs?: string; suffix: string }>();
  for (const c of r.conditions) {
    const suffix = conditionLabel({ ...c, sources: [] }, withPairs).slice(2);
    if (!seen.has(suffix)) seen.set(suffix, { mode: c.mode, pairs: withPairs ? c.pairs : undefined, suffix });
  }
  return [...seen.values()];
}

/** Mean zero-shot accuracy on the languages that are a source in none of the conditions. */
function headline(cfg: TransferConfig, r: TransferResults): string[] {
  const sources = new Set(cfg.conditions.flat());
  const targets = r.languages.filter((l) => !sources.has(l));
  const out: string[] = [];
  if (!targets.length) return out;
  const score = (cs: ConditionResult[]) => mean(cs.map((c) => mean(targets.map((t) => c.accuracy[t]))));
  const byLabel = groups(r.conditions);
  for (const v of variants(r)) {
    const parts = cfg.conditions.map((set) => {
      const cs = byLabel.get(`${set.join("+")}, ${v.suffix}`) ?? [];
      return cs.length ? `${set.join("+")} ${fmt(score(cs))}` : null;
    }).filter(Boolean);
    out.push(`Zero-shot accuracy on ${targets.join(", ")} (never a source), ${v.suffix.replace("realign ", "realignment ")}: ${parts.join(" against ")} (mean over ${cfg.finetune.seeds.length} seed(s); chance is ${fmt(1 / r.labels.length)}).`);
  }
  for (const set of cfg.conditions) {
    const base = byLabel.get(`${set.join("+")}, realign none`);
    if (!base) continue;
    for (const v of variants(r).filter((x) => x.mode !== "none")) {
      const cs = byLabel.get(`${set.join("+")}, ${v.suffix}`);
      if (cs) out.push(`Realignment ${v.mode}${v.pairs ? ` with ${v.pairs} pairs` : ""}, fine-tuning on ${set.join("+")}: accuracy on those targets changes by ${fmt(score(cs) - score(base))} (absolute) against no realignment.`);
    }
  }
  if (r.correlation)
    out.push(`Spearman correlation between word-retrieval alignment with ${cfg.realign.pivot} (layer ${r.correlation.layer}) and the relative transfer gap: ${fmt(r.correlation.spearman)}, 95% bootstrap interval [${fmt(r.correlation.low)}, ${fmt(r.correlation.high)}] over ${r.correlation.points.length} (condition, target) points.`);
  return out;
}

export function transferStudyReport(cfg: TransferConfig, r: TransferResults): Report {
  const labelColors = colorMapping([...groups(r.conditions).keys()]);
  const sections: Section[] = [{
    heading: "Summary",
    paragraphs: [cfg.description ?? "", ...headline(cfg, r)].filter(Boolean),
    facts: [
      { label: "languages", value: r.languages.map((l) => `${l} (${r.examples[l].train} train / ${r.examples[l].test} test paragraphs)`).join(", ") },
      { label: "task", value: `${cfg.task.kind === "libreoffice-module" ? "LibreOffice help paragraph → its help module" : "Debian Reference paragraph → its chapter"} (${r.labels.length} classes); test paragraphs are held out in every language` },
      { label: "encoder", value: `${cfg.encoder.layers} layers, hidden ${cfg.encoder.hidden}, ${cfg.encoder.heads} heads, ${cfg.encoder.maxLen} tokens; SentencePiece vocabulary ${cfg.tokenizer.vocabSize}` },
      { label: "pretraining", value: `masked LM, ${r.pretrain.steps} steps of ${cfg.pretrain.batchSize} sequences, temperature ${cfg.pretrain.temperature}; final loss ${fmt(r.pretrain.finalLoss)}` },
      precisionFact([cfg.pretrain.precision]),
      { label: "fine-tuning", value: `${cfg.finetune.budget} examples split evenly across the sources, ${cfg.finetune.steps} steps of ${cfg.finetune.batchSize}` },
      { label: "realignment", value: `${cfg.realign.modes.join(", ")}; word pairs on ${cfg.realign.pivot}-X parallel paragraphs from ${pairSourcesFact(r)}; InfoNCE at layer ${cfg.realign.layer ?? cfg.encoder.layers - 1} over ${cfg.realign.negativesFrom === "linked-words" ? "the linked words" : "all words"} of a batch (${cfg.realign.negatives} negatives), τ = ${cfg.realign.temperature}` },
    ],
  }];

  const accRows = [...groups(r.conditions)].flatMap(([label, cs]) => r.languages.map((lang) => {
    const xs = cs.map((c) => c.accuracy[lang]);
    return { condition: label, lang, accuracy: mean(xs), low: Math.min(...xs), high: Math.max(...xs) };
  }));
  sections.push({
    heading: "Zero-shot transfer by target language",
    paragraphs: ["Accuracy on each language's held-out paragraphs; bars are the mean over seeds, whiskers the lowest and highest seed. A condition's own source languages are in-language, all others zero-shot."],
    charts: [{ id: "transfer", title: "Accuracy per target language", spec: barChart({ rows: accRows, x: "lang", y: "accuracy", xOffset: "condition", errorLow: "low", errorHigh: "high", colors: labelColors }) }],
    tables: [{ columns: ["condition", ...r.languages], rows: [...groups(r.conditions)].map(([label, cs]) => [label, ...r.languages.map((l) => mean(cs.map((c) => c.accuracy[l])))]) }],
  });

  const pairs = pairSourceSection(r);
  if (pairs) sections.push(pairs);
  sections.push(alignmentSection(r));
  if (r.correlation) {
    sections.push({
      heading: "Alignment and the transfer gap",
      paragraphs: [`Each point is one target language in one condition and seed: weak word-retrieval accuracy with ${cfg.realign.pivot} at layer ${r.correlation.layer} after fine-tuning, against the relative transfer gap (target accuracy − source accuracy) / source accuracy (the method's sign: negative when the target is worse, so better alignment should go with a positive ρ). Spearman ρ = ${fmt(r.correlation.spearman)}, 95% bootstrap interval [${fmt(r.correlation.low)}, ${fmt(r.correlation.high)}].`],
      charts: [{ id: "correlation", title: "Transfer gap against alignment", spec: scatterChart({ rows: r.correlation.points.map((p) => ({ ...p, condition: p.key.replace(/-s\d+$/, "") })), x: "weak", y: "gap", color: "condition", label: "target", trendline: true, xTitle: "word retrieval (weak)", yTitle: "relative transfer gap" }) }],
    });
  }
  if (r.selection) sections.push(selectionSection(r));
  sections.push({
    heading: "Conditions",
    tables: [{ columns: ["condition", "sources", "realignment", "pairs", "seed", "seconds"], rows: r.conditions.map((c) => [c.key, c.sources.join("+"), c.mode, c.pairs ?? "", c.seed, c.seconds]) }],
  });
  return { title: `${r.name}: cross-lingual transfer`, subtitle: "xling experiment report", generatedAt: new Date().toISOString(), sections };
}

function pairSourcesFact(r: TransferResults): string {
  if (!r.pairSources) return "the aligner (or the dictionaries given)";
  return r.pairSources.map((p) => `${p.source === "aligner" ? "the word aligner" : `dictionaries for ${p.dictionaryLanguages.join(", ") || "no language"} (the aligner for the others)`} (training links: ${Object.entries(p.links).map(([l, n]) => `${l} ${n}`).join(", ")})`).join("; and from ");
}

/**
 * Dictionary against aligner pairs, side by side: per realigned mode, source set and
 * dictionary language (zero-shot targets only), the accuracy gain over no realignment
 * with each pair source. Only when the study compares both.
 */
function pairSourceSection(r: TransferResults): Section | null {
  const dict = r.pairSources?.find((p) => p.source === "dictionary");
  if (!comparesPairSources(r.conditions) || !dict) return null;
  const byLabel = groups(r.conditions);
  const rows: (string | number)[][] = [];
  const sets = [...new Map(r.conditions.map((c) => [c.sources.join("+"), c.sources])).values()];
  for (const set of sets)
    for (const mode of [...new Set(r.conditions.map((c) => c.mode))].filter((m) => m !== "none")) {
      const base = byLabel.get(`${set.join("+")}, realign none`);
      const withA = byLabel.get(`${set.join("+")}, realign ${mode} (aligner pairs)`);
      const withD = byLabel.get(`${set.join("+")}, realign ${mode} (dictionary pairs)`);
      if (!base || !withA || !withD) continue;
      for (const l of dict.dictionaryLanguages.filter((x) => !set.includes(x))) {
        const acc = (cs: ConditionResult[]) => mean(cs.map((c) => c.accuracy[l]));
        const gainA = acc(withA) - acc(base);
        const gainD = acc(withD) - acc(base);
        rows.push([set.join("+"), mode, l, acc(base), gainA, gainD, gainD - gainA]);
      }
    }
  return {
    heading: "Dictionary pairs against aligner pairs",
    paragraphs: [`The same pretrained encoder realigned with word pairs from the aligner and, for ${dict.dictionaryLanguages.join(", ")}, from a bilingual dictionary (the other languages keep the aligner's pairs under both). Zero-shot accuracy gain over no realignment on each dictionary language that is not a source, mean over seeds.`],
    tables: [{ columns: ["sources", "realignment", "target", "accuracy, no realignment", "gain, aligner pairs", "gain, dictionary pairs", "dictionary − aligner"], rows }],
  };
}

function alignmentSection(r: TransferResults): Section {
  const charts: Chart[] = [];
  const rows = (stage: "before" | "after", metric: "weak" | "strong" | "cka") => [...groups(r.conditions)].flatMap(([label, cs]) => {
    const langs = Object.keys(cs[0][stage === "before" ? "alignmentBefore" : "alignmentAfter"]);
    const layers = cs[0].alignmentAfter[langs[0]]?.length ?? 0;
    return Array.from({ length: layers }, (_, layer) => ({
      series: `${label} (${stage})`, layer,
      value: mean(cs.flatMap((c) => langs.map((l) => (stage === "before" ? c.alignmentBefore : c.alignmentAfter)[l][layer][metric]))),
    }));
  });
  for (const metric of ["weak", "strong", "cka"] as const) {
    const data = [...rows("before", metric), ...rows("after", metric)];
    if (data.length) charts.push({ id: `align-${metric}`, title: metric === "cka" ? "Linear CKA with the pivot by layer" : `Word retrieval (${metric}) with the pivot by layer`, spec: layerProfile({ rows: data, layer: "layer", value: "value", series: "series", valueTitle: metric === "cka" ? "CKA" : "accuracy" }) });
  }
  const sil = [...groups(r.conditions)].flatMap(([label, cs]) => cs[0].silhouetteAfter.map((_, layer) => [
    { series: `${label} (before)`, layer, value: mean(cs.map((c) => c.silhouetteBefore[layer])) },
    { series: `${label} (after)`, layer, value: mean(cs.map((c) => c.silhouetteAfter[layer])) },
  ]).flat());
  if (sil.length) charts.push({ id: "silhouette", title: "Silhouette of language labels by layer (lower = languages mingle more)", spec: lineChart({ rows: sil, x: "layer", y: "value", color: "series", yTitle: "silhouette" }) });
  return {
    heading: "Alignment by layer",
    paragraphs: [
      "Averaged over the non-pivot languages and seeds, before fine-tuning (after realignment when it comes first) and after. Weak retrieval: a word's translation must be its nearest neighbour among the other language's words of the held-out aligned pairs; strong: among the words of both languages. CKA compares mean-pooled paragraph states of parallel paragraphs. Layer 0 is the embedding layer.",
    ],
    charts,
  };
}

function selectionSection(r: TransferResults): Section {
  const s = r.selection!;
  const keys = Object.keys(s.measured);
  const scoreOf = (h: string, key: string) => s.rankings.find((x) => x.heuristic === h)?.sets.find((x) => x.key === key)?.score ?? null;
  return {
    heading: "Choosing source languages",
    paragraphs: [
      `Every candidate set of sources ranked by each heuristic, beside its measured transfer (mean zero-shot accuracy on the same fixed held-out targets${s.targets ? `, ${s.targets.join(", ")},` : ""} for every set, one fine-tuning per set at the same budget). Spearman: agreement of a heuristic's scores with the measured transfer; pick: where the heuristic's top set ranks by measured transfer (1 = best).`,
    ],
    tables: [{
      title: "Heuristics against measured transfer",
      columns: ["heuristic", "Spearman", "best set's rank by heuristic", "heuristic's pick", "pick's rank by transfer"],
      rows: s.evaluation.map((e) => [e.heuristic, e.spearman, e.bestSetRank, e.pick, e.pickTransferRank]),
    }, {
      title: "Candidate sets",
      columns: ["set", "measured transfer", ...s.rankings.map((x) => x.heuristic)],
      rows: keys.sort((a, b) => s.measured[b] - s.measured[a]).map((k) => [k, s.measured[k], ...s.rankings.map((x) => scoreOf(x.heuristic, k))]),
    }],
  };
}

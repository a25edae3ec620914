// The token-efficiency section of both imbalance studies' reports (clone and real-language):
// each fitted curve with the runs it was fitted to, TEff per language and mixture, and the tables behind.
import { powerLawValue } from "../analysis/powerlaw.js";
import { barChart, lineChart } from "./charts.js";
import { formatNumber, type Chart, type Section } from "./html.js";
import type { TeffCurve, TeffRow } from "../analysis/teff-curve.js";

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? "n/a" : formatNumber(v));

export function teffSection(curves: TeffCurve[], teff: TeffRow[], mixColors: Record<string, string>): Section {
  const perLanguage = curves.length > 1;
  const section: Section = { heading: "Token efficiency", paragraphs: [
    `TEff compares a language's perplexity with runs on it alone: 1/PPL(tokens) = c − a·tokens^(−b) is fitted to those runs by least squares${perLanguage ? ", one curve per language" : ""}, inverted at the language's perplexity in a mixed run, and divided by the tokens of that language the run saw. TEff > 1: the language learned more than its own data allows.`,
  ] };
  const fitted = curves.filter((c) => c.fit);
  for (const c of curves) if (!c.fit) section.paragraphs!.push(`Not computed${perLanguage ? ` for ${c.lang}` : ""}: ${c.fitError}`);
  if (!fitted.length) return section;
  const name = (c: TeffCurve, what: string) => (perLanguage ? `${c.lang}: ${what}` : what);
  section.facts = fitted.flatMap((c) => [
    { label: name(c, "fit"), value: `c = ${fmt(c.fit!.c)}, a = ${fmt(c.fit!.a)}, b = ${fmt(c.fit!.b)}` },
    { label: name(c, "fit quality"), value: `R² = ${fmt(c.fit!.r2)}, RMSE = ${fmt(c.fit!.rmse)} over ${c.fit!.n} runs` },
  ]);
  for (const c of fitted) if (c.fit!.warnings.length) section.paragraphs!.push(`Fit warnings${perLanguage ? ` for ${c.lang}` : ""} (treat TEff with care): ${c.fit!.warnings.join("; ")}.`);
  const rows = fitted.flatMap((c) => {
    const lo = Math.min(...c.mono.map((m) => m.tokens));
    const hi = Math.max(...c.mono.map((m) => m.tokens));
    const curve = Array.from({ length: 40 }, (_, i) => lo * (hi / lo) ** (i / 39)).map((t) => ({ tokens: t, inv_ppl: powerLawValue(c.fit!, t), series: name(c, "fitted curve") }));
    const points = c.mono.map((m) => ({ tokens: m.tokens, inv_ppl: 1 / m.ppl, series: name(c, perLanguage ? "runs alone" : "monolingual runs") }));
    return [...curve, ...points];
  });
  const charts: Chart[] = [{ id: "mono-fit", title: perLanguage ? "Runs of each language alone and its fitted curve" : "Monolingual runs and the fitted curve", spec: lineChart({ rows, x: "tokens", y: "inv_ppl", color: "series", yTitle: "1 / perplexity" }) }];
  if (teff.length)
    charts.push({ id: "teff", title: "Token efficiency per language and mixture", spec: barChart({ rows: teff.map((t) => ({ mixture: t.label, lang: t.lang, teff: t.teff })), x: "lang", y: "teff", xOffset: "mixture", colors: mixColors }) });
  section.charts = charts;
  section.tables = [{
    title: "Token efficiency",
    columns: ["mixture", "language", "perplexity", "tokens seen", "equivalent monolingual tokens", "TEff", "note"],
    rows: teff.map((t) => [t.label, t.lang, t.ppl, t.tokensSeen, t.equivalentTokens, t.teff, t.outOfRange ? "beyond the fitted asymptote" : t.extrapolated ? "extrapolated" : ""]),
  }, {
    title: perLanguage ? "Runs of each language alone" : "Monolingual runs",
    columns: [...(perLanguage ? ["language"] : []), "data fraction", "tokens seen", "perplexity"],
    rows: curves.flatMap((c) => c.mono.map((m) => [...(perLanguage ? [c.lang] : []), m.fraction, m.tokens, m.ppl])),
  }];
  return section;
}

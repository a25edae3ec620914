// Token efficiency (methods.md §1) as both imbalance studies compute it: a power law
// 1/PPL(tokens) = c − a·tokens^(−b) fitted to a language's runs alone at several data
// fractions, inverted at a mixed run's perplexity and divided by the tokens of that
// language the run saw. The clone study fits one curve (the original); the real-language
// study one per language.
import { fitPowerLaw, tokenEfficiencyDetail, type PowerLawFit } from "./powerlaw.js";

/** One run of a language alone: tokens of it seen and its held-out perplexity. */
export interface MonoPoint {
  runId: string;
  fraction: number;
  tokens: number;
  ppl: number;
}

/** The fitted curve of one language, or why there is none. */
export interface TeffCurve {
  lang: string;
  mono: MonoPoint[];
  fit: PowerLawFit | null;
  fitError: string | null;
}

export interface TeffRow {
  runId: string;
  label: string;
  lang: string;
  ppl: number;
  tokensSeen: number;
  teff: number;
  equivalentTokens: number;
  extrapolated: boolean;
  outOfRange: boolean;
}

/** Fits a language's curve to its runs alone (sorted by tokens); at least 3 are needed. */
export function fitTeffCurve(lang: string, points: MonoPoint[]): TeffCurve {
  const mono = [...points].sort((a, b) => a.tokens - b.tokens);
  try {
    if (mono.length < 3) throw new Error(`token efficiency of ${lang} needs runs of it alone at 3 or more data fractions (5 recommended); have ${mono.length}`);
    return { lang, mono, fit: fitPowerLaw(mono.map((m) => m.tokens), mono.map((m) => 1 / m.ppl)), fitError: null };
  } catch (e) {
    return { lang, mono, fit: null, fitError: (e as Error).message };
  }
}

/** TEff of `lang` in a mixed run from its curve; null without a fit or without tokens or perplexity. */
export function teffRow(curve: TeffCurve, run: { runId: string; label: string }, ppl: number, tokensSeen: number): TeffRow | null {
  if (!curve.fit || !(tokensSeen > 0) || !(ppl > 0)) return null;
  const d = tokenEfficiencyDetail(curve.fit, ppl, tokensSeen);
  return { runId: run.runId, label: run.label, lang: curve.lang, ppl, tokensSeen, teff: d.teff, equivalentTokens: d.equivalentTokens, extrapolated: d.extrapolated, outOfRange: d.outOfRange };
}

// The verdict of a finding from its per-seed effects (docs/findings.md, "Verdicts").
// Every finding's analysis yields one number per seed, signed so that a positive value
// is an effect in the seed paper's direction and 0 is no effect. The verdict reads the
// 95% t interval of their mean (n - 1 degrees of freedom):
//   reproduced      the whole interval is above 0 (excludes no effect, paper's direction);
//   not reproduced  the whole interval is below 0 (an effect in the opposite direction);
//   inconclusive    the interval contains 0, or fewer than two seeds give no interval.
// A finding run at quick scale gets no verdict whatever its numbers; one whose runs
// failed is "failed"; one never run is "not run".
import { meanConfidenceInterval } from "../analysis/stats.js";

export type Verdict = "reproduced" | "not reproduced" | "inconclusive" | "no verdict at quick scale" | "failed" | "not run";

export interface EffectInterval {
  /** Per-seed effects, paper's direction positive. */
  values: number[];
  mean: number;
  /** 95% t interval; null with fewer than two seeds. */
  lower: number | null;
  upper: number | null;
  level: number;
}

export function effectInterval(values: number[], level = 0.95): EffectInterval {
  if (values.length === 0) throw new RangeError("effectInterval: no per-seed values");
  const ci = meanConfidenceInterval(values, level);
  const bounded = values.length >= 2;
  return { values, mean: ci.mean, lower: bounded ? ci.lower : null, upper: bounded ? ci.upper : null, level };
}

/** The verdict of an interval at a scale that claims one (machine or paper). */
export function verdictOf(interval: EffectInterval): Verdict {
  if (interval.lower === null || interval.upper === null) return "inconclusive";
  if (interval.lower > 0) return "reproduced";
  if (interval.upper < 0) return "not reproduced";
  return "inconclusive";
}

/** The verdict a finding gets at `scale`: quick scale proves the machinery only. */
export function verdictAtScale(interval: EffectInterval, scale: string): Verdict {
  return scale === "quick" ? "no verdict at quick scale" : verdictOf(interval);
}

// Comparing a run trained by several ranks with the same run in one process.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface MetricLine {
  step: number;
  split: string;
  name: string;
  lang: string | null;
  value: number;
}

/** A run's metric lines by "split step name lang", those `keep` accepts (step timings never: they are wall time); a line logged twice fails. */
export function metricLines(dir: string, keep: (m: MetricLine) => boolean = () => true): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const m = JSON.parse(line) as MetricLine;
    if (m.name === "step_seconds" || !keep(m)) continue;
    const key = `${m.split} ${m.step} ${m.name} ${m.lang ?? "all"}`;
    assert.ok(!out.has(key), `${key} logged twice`);
    out.set(key, m.value);
  }
  return out;
}

/** Asserts both runs logged the same lines, equal within `tol` (relative, at least absolute); returns the largest relative difference. */
export function assertSameMetrics(want: Map<string, number>, got: Map<string, number>, tol: number): number {
  assert.ok(want.size > 0, "metrics were logged");
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), "the same steps, metrics and languages are logged");
  let worst = 0;
  for (const [key, w] of want) {
    const g = got.get(key)!;
    const rel = Math.abs(g - w) / Math.max(1, Math.abs(w));
    worst = Math.max(worst, rel);
    assert.ok(rel <= tol, `${key}: ${g} with several ranks vs ${w} in one process`);
  }
  return worst;
}

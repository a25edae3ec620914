// Comparing a run trained by several ranks with the same run in one process.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
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

/**
 * Trains the run prepared in `single` in one process, then the one prepared in `ddp`
 * under `xling launch --nproc 2`; both must succeed and rank 1 must have started.
 */
export function trainInOneProcessAndOnTwoRanks(bin: string, env: NodeJS.ProcessEnv, runArgs: (dir: string) => string[], single: string, ddp: string): void {
  const a = spawnSync(process.execPath, [bin, ...runArgs(single)], { env, encoding: "utf8" });
  assert.equal(a.status, 0, a.stderr);
  const b = spawnSync(process.execPath, [bin, "launch", "--nproc", "2", "--timeout", "30", "--", ...runArgs(ddp)], { env, encoding: "utf8" });
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /rank 1 started/);
}

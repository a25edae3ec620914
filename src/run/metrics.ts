// A run's metrics.jsonl: one JSON line per measurement, appended as training goes,
// truncated back to the checkpoint's step when a run resumes.
import { join } from "node:path";
import { appendMetricsFile, readMetricsFile, truncateMetricsFile } from "./metrics-file.js";
import type { StepRecord } from "../train/trainer.js";

export interface MetricRow {
  step: number;
  split: "train" | "eval";
  name: string;
  lang: string | null;
  value: number;
}

/** One training step's metric lines: loss, learning rate, loss per language. */
export function trainMetricRows(r: StepRecord): MetricRow[] {
  return [
    { step: r.step, split: "train", name: "loss", lang: null, value: r.loss },
    { step: r.step, split: "train", name: "lr", lang: null, value: r.lr },
    ...Object.entries(r.langLoss).map(([lang, value]): MetricRow => ({ step: r.step, split: "train", name: "loss", lang, value })),
  ];
}

/** Appends metric lines to a run's metrics.jsonl (a failed write names the file). */
export function appendMetrics(path: string, rows: MetricRow[]): void {
  appendMetricsFile(path, rows);
}

/** A run directory's metrics.jsonl lines (none when it has not started); a bad line is an error naming file:line. */
export function readMetrics(dir: string): MetricRow[] {
  return readMetricsFile<MetricRow>(join(dir, "metrics.jsonl"));
}

/** Drops metric lines past `step` (and a torn last line): they are redone after resuming from its checkpoint. */
export function truncateMetrics(path: string, step: number): void {
  truncateMetricsFile(path, step);
}

/** Mean of each block of `every` steps, so curves stay readable over thousands of steps. */
export function smoothed(rows: MetricRow[], every: number): { step: number; lang: string; loss: number }[] {
  const buckets = new Map<string, { step: number; lang: string; sum: number; n: number }>();
  for (const r of rows) {
    const step = Math.ceil(r.step / every) * every;
    const key = `${r.lang}|${step}`;
    const b = buckets.get(key) ?? { step, lang: r.lang ?? "all", sum: 0, n: 0 };
    b.sum += r.value;
    b.n += 1;
    buckets.set(key, b);
  }
  return [...buckets.values()].map((b) => ({ step: b.step, lang: b.lang, loss: b.sum / b.n }));
}

// A run's metrics.jsonl: one JSON line per measurement, appended as training goes,
// truncated back to the checkpoint's step when a run resumes.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
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

/** Appends metric lines to a run's metrics.jsonl. */
export function appendMetrics(path: string, rows: MetricRow[]): void {
  appendFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
}

/** A run directory's metrics.jsonl lines (none when it has not started). */
export function readMetrics(dir: string): MetricRow[] {
  const path = join(dir, "metrics.jsonl");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as MetricRow);
}

/** Drops metric lines past `step`: they are redone after resuming from its checkpoint. */
export function truncateMetrics(path: string, step: number): void {
  if (!existsSync(path)) return;
  const kept = readFileSync(path, "utf8").split("\n").filter((l) => l && (JSON.parse(l) as MetricRow).step <= step);
  writeFileAtomic(path, kept.length ? kept.join("\n") + "\n" : "");
}

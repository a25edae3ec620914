// Loading a study's runs into its results store (results.sqlite), so `xling results`
// queries every study kind the same way.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ResultsStore } from "./store.js";
import { readMetrics } from "./metrics.js";
import type { ResultRow, RunOutcome } from "./contract.js";

/** A run as the store sees it: its config, directory and outcome (null: not finished). */
export interface IngestedRun {
  runId: string;
  dir: string;
  config: unknown;
  outcome: RunOutcome | null;
}

/** Loads every run's config, status, metrics and results, plus study-level results, into the store. */
export function ingestRuns(storePath: string, exp: { name: string }, runs: IngestedRun[], extra: (ResultRow & { runId: string })[] = []): void {
  const store = ResultsStore.open(storePath);
  try {
    store.putExperiment(exp.name, exp);
    for (const r of runs) {
      store.putRun({ runId: r.runId, experiment: exp.name, config: r.config as Record<string, unknown> });
      const rows = readMetrics(r.dir);
      if (rows.length) store.logMetrics(rows.map((m) => ({ runId: r.runId, ...m })));
      if (r.outcome) {
        store.putResults(r.outcome.results.map((x) => ({ runId: r.runId, ...x })));
        store.setStatus(r.runId, "done");
      } else {
        store.setStatus(r.runId, existsSync(join(r.dir, "checkpoint.safetensors")) ? "running" : "pending");
      }
    }
    store.putResults(extra);
  } finally {
    store.close();
  }
}

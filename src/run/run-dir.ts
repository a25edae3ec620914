// The run directory contract shared by every study: each run lives in its own directory
//   config.json, checkpoint.safetensors, metrics.jsonl, results.json (written last)
// and is finished when results.json exists (written atomically).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runIdFor } from "./run-id.js";
import type { RunOutcome } from "./contract.js";

export interface PlannedRun<C = unknown> {
  runId: string;
  dir: string;
  config: C;
}

export function planRuns<C>(exp: { sweeps: Record<string, unknown[]>[]; runs: C[] }, expDir: string): PlannedRun<C>[] {
  // Run ids name the swept fields' values, then a hash of the whole config.
  const swept = [...new Set(exp.sweeps.flatMap((g) => Object.keys(g)))];
  return exp.runs.map((config) => {
    const runId = runIdFor(config, swept);
    return { runId, dir: join(expDir, "runs", runId), config };
  });
}

export function isFinished(run: { dir: string }): boolean {
  return existsSync(join(run.dir, "results.json"));
}

export function readOutcome(run: { dir: string }): RunOutcome {
  return JSON.parse(readFileSync(join(run.dir, "results.json"), "utf8")) as RunOutcome;
}

/** Where prepared corpora (tokenizers, token caches) are kept: XLING_CACHE, else beside the study directory. */
export function defaultCacheDir(studyDir: string): string {
  return process.env.XLING_CACHE ?? join(studyDir, "..", ".xling-cache");
}

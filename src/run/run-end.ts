// The common end of every study's run once training has returned: a stopped run throws
// RunInterrupted (its checkpoint is saved); rank 0, or the only process, computes the
// final results and writes results.json last (the run's "done" mark); the other ranks of
// a data-parallel job return an outcome without results. What the run holds (model,
// tensors) is released on every path.
import { join } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { RunInterrupted, type ResultRow, type RunOutcome } from "./contract.js";
import type { RunStart } from "./ranks.js";

export interface TrainingEnd {
  steps: number;
  interrupted: boolean;
  tokensSeen: Record<string, number>;
}

export function endRun(runDir: string, start: Pick<RunStart, "started" | "writer">, trained: TrainingEnd, o: {
  languages: string[];
  /** The run's configured steps. */
  steps: number;
  /** The final results (called on the writer only). */
  results: () => ResultRow[];
  release: () => void;
}): RunOutcome {
  let results: ResultRow[] = [];
  try {
    if (trained.interrupted) throw new RunInterrupted(trained.steps);
    if (start.writer) results = o.results();
  } finally {
    o.release();
  }
  const outcome: RunOutcome = { languages: o.languages, steps: o.steps, tokensSeen: trained.tokensSeen, results, seconds: (Date.now() - start.started) / 1000 };
  if (start.writer) writeFileAtomic(join(runDir, "results.json"), JSON.stringify(outcome, null, 2));
  return outcome;
}

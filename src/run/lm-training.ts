// The training call of a run that trains one language model on a batch source (the
// clone and real-language imbalance studies): its metrics file (training rows every
// step, evaluation rows when `evaluate` runs, cut back to the checkpoint on resume) and
// the trainer with the settings every study shares (runTrainingSettings).
import { join } from "node:path";
import type { GPT } from "../nn/gpt.js";
import type { BatchSource } from "../train/clone-batches.js";
import { trainLanguageModel, type StepRecord, type TrainResult } from "../train/trainer.js";
import { appendMetrics, trainMetricRows, truncateMetrics, type MetricRow } from "./metrics.js";
import { runTrainingSettings, type RunStart } from "./ranks.js";

export interface RunTraining {
  model: GPT;
  batches: BatchSource;
  steps: number;
  train: Parameters<typeof runTrainingSettings>[0];
  evalEvery: number;
  /** The evaluation rows at a step (every rank computes them; only the writer writes them). */
  evaluate: (step: number) => MetricRow[];
  progress?: boolean;
  label?: string;
}

export async function trainRunModel(run: RunStart, runDir: string, o: RunTraining): Promise<TrainResult> {
  const metricsPath = join(runDir, "metrics.jsonl");
  const writeMetrics = (rows: MetricRow[]) => run.writer && appendMetrics(metricsPath, rows);
  const result = await trainLanguageModel({
    model: o.model, batches: o.batches, steps: o.steps,
    ...runTrainingSettings(o.train, o.steps, join(runDir, "checkpoint.safetensors")),
    evalEvery: o.evalEvery,
    evaluate: (step: number) => writeMetrics(o.evaluate(step)),
    onStep: (r: StepRecord) => writeMetrics(trainMetricRows(r)),
    onResume: (step: number) => run.writer && truncateMetrics(metricsPath, step),
    progress: o.progress, label: o.label, precision: run.precision,
    // Every rank evaluates (only rank 0 writes), so no rank waits in a collective for
    // the length of an evaluation, which could exceed the timeout.
    ...run.ranks.trainerHooks(),
  });
  run.ranks.close(run.log);
  return result;
}

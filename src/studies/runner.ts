// Runs an experiment's runs: each in its own process (up to `parallel` at once), each
// in its own directory, skipping finished runs and resuming interrupted ones from their
// checkpoints. A run is finished when its results.json exists (written last, atomically).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runPool } from "../run/pool.js";
import { runXlingChild, signalChildren } from "../run/child.js";
import { acquireDirLock } from "../run/dir-lock.js";
import { defaultCacheDir, isFinished, planRuns, type PlannedRun } from "../run/run-dir.js";
import { sweepStudy, type AnyExperiment } from "./registry.js";

export interface RunnerOptions {
  parallel?: number;
  /** Run in this process instead of child processes (tests, debugging). */
  inProcess?: boolean;
  progress?: boolean;
  cacheDir?: string;
}

export interface RunnerSummary {
  runs: PlannedRun<unknown>[];
  ran: string[];
  skipped: string[];
  failed: { runId: string; error: string }[];
  /** SIGINT/SIGTERM stopped the runner: running runs checkpointed, no new run started. */
  interrupted?: boolean;
}

export async function runExperiment(exp: AnyExperiment, expDir: string, opts: RunnerOptions = {}): Promise<RunnerSummary> {
  mkdirSync(expDir, { recursive: true });
  // One runner per experiment directory: a second one refuses (src/run/dir-lock.ts).
  const lock = acquireDirLock(expDir);
  try {
    return await runLocked(exp, expDir, opts);
  } finally {
    lock.release();
  }
}

async function runLocked(exp: AnyExperiment, expDir: string, opts: RunnerOptions): Promise<RunnerSummary> {
  writeFileSync(join(expDir, "experiment.json"), JSON.stringify(exp, null, 2));
  const cacheDir = opts.cacheDir ?? defaultCacheDir(expDir);
  const driver = sweepStudy(exp.study);
  const runs = planRuns<unknown>(exp, expDir);
  const log = (msg: string) => opts.progress !== false && process.stderr.write(`${exp.name}: ${msg}\n`);

  // Tokenize once, here, so parallel runs do not race to build the same cache.
  const prepared = new Set<string>();
  for (const r of runs) {
    const key = driver.prepareKey(r.config);
    if (!prepared.has(key)) await driver.prepare(r.config, cacheDir, log);
    prepared.add(key);
  }

  const skipped = runs.filter(isFinished).map((r) => r.runId);
  const todo = runs.filter((r) => !isFinished(r));
  if (skipped.length) log(`${skipped.length} finished run(s) skipped`);
  let done = 0;
  let failures = 0;
  const jobs = todo.map((run) => ({
    name: run.runId,
    run: async () => {
      mkdirSync(run.dir, { recursive: true });
      writeFileSync(join(run.dir, "config.json"), JSON.stringify(run.config, null, 2));
      log(`run ${run.runId} started`);
      if (opts.inProcess) await driver.execute(run.config, run.dir, { cacheDir, progress: opts.progress, label: run.runId });
      else await runChild(run, exp.study, cacheDir);
    },
  }));
  // A signal is passed to the runs' processes (each checkpoints and stops) and no new run starts.
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!interrupted) log(`${sig}: asking the running runs to checkpoint and stop`);
    interrupted = true;
    signalChildren(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const parallel = opts.parallel ?? exp.parallel;
  let pool;
  try {
    pool = await runPool(jobs, parallel, {
      stopped: () => interrupted,
      onDone: (_job, error) => {
        if (error !== null) failures++;
        log(`runs ${++done}/${todo.length} done${failures ? `, ${failures} failed` : ""}`);
      },
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const ran = pool.ran;
  const failed = pool.failed.map((f) => ({ runId: f.name, error: f.error }));
  return { runs, ran, skipped, failed, ...(interrupted ? { interrupted } : {}) };
}

/** Runs `xling _run <dir>` and resolves when it exits 0. */
function runChild(run: PlannedRun<unknown>, study: string, cacheDir: string): Promise<void> {
  return runXlingChild(["_run", run.dir, "--study", study, "--cache", cacheDir], `run ${run.runId}`);
}

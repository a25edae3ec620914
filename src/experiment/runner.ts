// Runs an experiment's runs: each in its own process (up to `parallel` at once), each
// in its own directory, skipping finished runs and resuming interrupted ones from their
// checkpoints. A run is finished when its results.json exists (written last, atomically).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PACKAGE_ROOT } from "../torch/native.js";
import type { RunOutcome } from "./clone-run.js";
import type { RunConfig } from "./spec.js";
import { studyDriver, type AnyExperiment } from "./studies.js";
import { runIdFor } from "./run-id.js";
import { acquireDirLock } from "./dir-lock.js";
import { parentEnv } from "../util/parent-watch.js";

export interface PlannedRun<C = RunConfig> {
  runId: string;
  dir: string;
  config: C;
}

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

export function planRuns<C>(exp: { sweeps: Record<string, unknown[]>[]; runs: C[] }, expDir: string): PlannedRun<C>[] {
  // Run ids name the swept fields' values, then a hash of the whole config.
  const swept = [...new Set(exp.sweeps.flatMap((g) => Object.keys(g)))];
  return exp.runs.map((config) => {
    const runId = runIdFor(config, swept);
    return { runId, dir: join(expDir, "runs", runId), config };
  });
}

export function isFinished(run: PlannedRun<unknown>): boolean {
  return existsSync(join(run.dir, "results.json"));
}

export function readOutcome(run: PlannedRun<unknown>): RunOutcome {
  return JSON.parse(readFileSync(join(run.dir, "results.json"), "utf8")) as RunOutcome;
}

export function defaultCacheDir(expDir: string): string {
  return process.env.XLING_CACHE ?? join(expDir, "..", ".xling-cache");
}

export async function runExperiment(exp: AnyExperiment, expDir: string, opts: RunnerOptions = {}): Promise<RunnerSummary> {
  mkdirSync(expDir, { recursive: true });
  // One runner per experiment directory: a second one refuses (src/experiment/dir-lock.ts).
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
  const driver = studyDriver(exp.study);
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
  const ran: string[] = [];
  const failed: { runId: string; error: string }[] = [];
  let next = 0;
  let done = 0;
  // A signal is passed to the runs' processes (each checkpoints and stops) and no new run starts.
  let interrupted = false;
  const onSignal = (sig: NodeJS.Signals) => {
    if (!interrupted) log(`${sig}: asking the running runs to checkpoint and stop`);
    interrupted = true;
    for (const c of activeChildren) if (c.exitCode === null && c.signalCode === null) c.kill(sig);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const worker = async () => {
    while (next < todo.length && !interrupted) {
      const run = todo[next++];
      mkdirSync(run.dir, { recursive: true });
      writeFileSync(join(run.dir, "config.json"), JSON.stringify(run.config, null, 2));
      log(`run ${run.runId} started (${todo.length - next} waiting)`);
      try {
        if (opts.inProcess) await driver.execute(run.config, run.dir, { cacheDir, progress: opts.progress, label: run.runId });
        else await runChild(run, exp.study, cacheDir);
        ran.push(run.runId);
      } catch (e) {
        failed.push({ runId: run.runId, error: (e as Error).message });
      }
      done++;
      log(`runs ${done}/${todo.length} done${failed.length ? `, ${failed.length} failed` : ""}`);
    }
  };
  const parallel = Math.max(1, Math.min(opts.parallel ?? exp.parallel, todo.length || 1));
  try {
    await Promise.all(Array.from({ length: parallel }, worker));
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return { runs, ran, skipped, failed, ...(interrupted ? { interrupted } : {}) };
}

/** The xling child processes now running, to pass signals on to. */
const activeChildren = new Set<ChildProcess>();

/** Runs `xling _run <dir>` and resolves when it exits 0. */
function runChild(run: PlannedRun<unknown>, study: string, cacheDir: string): Promise<void> {
  return runXlingChild(["_run", run.dir, "--study", study, "--cache", cacheDir], `run ${run.runId}`);
}

/**
 * Runs `xling <args>` in a child process (stderr passed through) and resolves when it
 * exits 0; otherwise rejects with `what`, the exit code or signal and stderr's last lines.
 */
export function runXlingChild(args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, "bin", "xling.js"), ...args], {
      stdio: ["ignore", "inherit", "pipe"],
      // The child stops when this process is gone, even killed with SIGKILL (src/util/parent-watch.ts).
      env: { ...process.env, OPENBLAS_NUM_THREADS: "1", ...parentEnv() },
    });
    activeChildren.add(child);
    child.on("exit", () => activeChildren.delete(child));
    let tail = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      process.stderr.write(chunk);
      tail = (tail + chunk).slice(-4000);
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${what} ${signal ? `killed by ${signal}` : `exited with ${code}`}: ${tail.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

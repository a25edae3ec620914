// Signals reach the runs: SIGTERM to the runner is passed to its run processes (each
// checkpoints and stops), and a runner killed with SIGKILL leaves no orphan training
// (the run notices its parent is gone, checkpoints and stops).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { LOCK_FILE } from "../../src/run/dir-lock.js";
import { TEST_CACHE, tinySpec } from "./fixtures.js";
import { prepareCorpus } from "../../src/data/prepare.js";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));

async function waitFor<T>(get: () => T | null | undefined | false, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = get();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts `xling run` on a long tiny spec; resolves when its run process trains, with both pids. */
async function startRunner(name: string) {
  const spec = tinySpec(name);
  spec.base.train.steps = 2000;
  const exp = parseExperiment(spec);
  await prepareCorpus(exp.runs[0].corpus, exp.runs[0].tokenizer, TEST_CACHE, 0);
  const root = mkdtempSync(join(tmpdir(), "xling-signals-"));
  const specPath = join(root, "spec.json");
  writeFileSync(specPath, JSON.stringify(spec));
  const out = join(root, "exp");
  const runner = spawn(process.execPath, [bin, "run", specPath, "--out", out], {
    env: { ...process.env, OPENBLAS_NUM_THREADS: "1", XLING_CACHE: TEST_CACHE }, stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  runner.stderr.on("data", (d) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: string | null }>((r) => runner.once("exit", (code, signal) => r({ code, signal })));
  const runDir = await waitFor(() => existsSync(join(out, "runs")) && readdirSync(join(out, "runs")).map((d) => join(out, "runs", d))[0], 60_000, "the run directory");
  const childPid = await waitFor(() => existsSync(join(runDir, LOCK_FILE)) && JSON.parse(readFileSync(join(runDir, LOCK_FILE), "utf8")).pid as number, 60_000, "the run's lock");
  await waitFor(() => existsSync(join(runDir, "metrics.jsonl")) && readFileSync(join(runDir, "metrics.jsonl"), "utf8").split("\n").length > 10, 60_000, "training");
  return { runner, childPid, runDir, exit, stderr: () => stderr };
}

/** A run directory for a long tiny run, without the runner. */
async function longRunDir(name: string): Promise<string> {
  const spec = tinySpec(name);
  spec.base.train.steps = 2000;
  const c = parseExperiment(spec).runs[0];
  await prepareCorpus(c.corpus, c.tokenizer, TEST_CACHE, 0);
  const dir = join(mkdtempSync(join(tmpdir(), "xling-signals-")), "run");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(c));
  return dir;
}

describe("signals", () => {
  it("SIGTERM to the runner is passed to its run, which checkpoints and stops; the runner exits 130", async () => {
    const r = await startRunner("sigterm-runner");
    r.runner.kill("SIGTERM");
    const { code } = await r.exit;
    assert.equal(code, 130, r.stderr());
    assert.ok(!alive(r.childPid), "the run process must have stopped with the runner");
    assert.ok(existsSync(join(r.runDir, "checkpoint.safetensors")), "the run checkpointed");
    assert.ok(!existsSync(join(r.runDir, "results.json")));
    assert.ok(!existsSync(join(r.runDir, LOCK_FILE)), "the run released its lock");
    assert.match(r.stderr(), /SIGTERM: asking the running runs to checkpoint and stop/);
  });

  it("a runner killed with SIGKILL leaves no orphan: its run checkpoints and stops within seconds", async () => {
    const r = await startRunner("sigkill-runner");
    r.runner.kill("SIGKILL");
    await r.exit;
    await waitFor(() => !alive(r.childPid), 20_000, "the orphaned run to stop");
    assert.ok(existsSync(join(r.runDir, "checkpoint.safetensors")), "the run checkpointed");
    assert.ok(!existsSync(join(r.runDir, LOCK_FILE)), "the run released its lock");
    // Its stderr went to the dead runner: the missing results show it stopped early.
    assert.ok(!existsSync(join(r.runDir, "results.json")), "the orphan must not have trained to the end");
  });

  it("a launcher killed with SIGKILL leaves no orphan rank: both ranks checkpoint and stop", async () => {
    const dir = await longRunDir("sigkill-launch");
    const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
    const launcher = spawn(process.execPath, [bin, "launch", "--nproc", "2", "--timeout", "30", "--", "_run", dir, "--cache", TEST_CACHE], { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    launcher.stderr.on("data", (d) => (stderr += d));
    const pids = await waitFor(() => {
      const found = [...stderr.matchAll(/rank \d started \(pid (\d+)\)/g)].map((m) => Number(m[1]));
      return found.length === 2 && existsSync(join(dir, "metrics.jsonl")) && readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").length > 10 && found;
    }, 60_000, "both ranks training");
    launcher.kill("SIGKILL");
    await waitFor(() => pids.every((p) => !alive(p)), 30_000, "the orphaned ranks to stop");
    assert.ok(existsSync(join(dir, "checkpoint.safetensors")), "rank 0 checkpointed");
    assert.ok(!existsSync(join(dir, "results.json")), "the ranks stopped before the end");
    assert.ok(!existsSync(join(dir, LOCK_FILE)), "rank 0 released the run directory");
  });
});

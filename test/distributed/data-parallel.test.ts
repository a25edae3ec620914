// Data-parallel training end to end through `xling launch`: two ranks with batch B
// follow one process with batch 2B (same initial weights, same data) step by step; a
// rank killed mid-run makes the other stop with an error naming it, and relaunching
// resumes from the last checkpoint and finishes on the single-process trajectory.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { prepareCorpus } from "../../src/data/prepare.js";
import { readSafetensorsHeader } from "../../src/torch/index.js";
import { TEST_CACHE, tinySpec } from "../experiment/fixtures.js";
import { freePort } from "../../src/distributed/launcher.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
/** Float tolerance between batch 2B in one process and B on each of two ranks (relative). */
const TOL = 1e-5;

interface Metric { step: number; split: string; name: string; lang: string | null; value: number }

/** The step a checkpoint was written at (checkpoints are replaced atomically, so a read never sees half a file). */
const readCheckpointStep = (path: string) => Number(readSafetensorsHeader(path).metadata.step);

function trainMetrics(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const m = JSON.parse(line) as Metric;
    if (m.split !== "train") continue;
    const key = `${m.step} ${m.name} ${m.lang ?? "all"}`;
    assert.ok(!out.has(key), `${key} logged twice`);
    out.set(key, m.value);
  }
  return out;
}

function assertSameTrajectory(got: Map<string, number>, want: Map<string, number>, what: string): void {
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: the same steps and languages are logged`);
  for (const [key, w] of want) {
    const g = got.get(key)!;
    assert.ok(Math.abs(g - w) <= TOL * Math.max(1, Math.abs(w)), `${what}: ${key}: ${g} vs single-process ${w}`);
  }
}

async function runDir(root: string, name: string, steps: number, batchSize: number): Promise<string> {
  const spec = tinySpec("ddp");
  spec.base.train.steps = steps;
  spec.base.train.batchSize = batchSize;
  // Pinned: the comparison with one process is to float32 rounding, and bf16 rounds coarser.
  Object.assign(spec.base.train, { precision: "fp32" });
  const c = parseExperiment(spec).runs[0];
  await prepareCorpus(c.corpus, c.tokenizer, TEST_CACHE, 0);
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(c));
  return dir;
}

const single = (dir: string) => spawnSync(process.execPath, [bin, "_run", dir, "--cache", TEST_CACHE], { env, encoding: "utf8" });
const launch = (dir: string, nproc: number) =>
  spawnSync(process.execPath, [bin, "launch", "--nproc", String(nproc), "--timeout", "30", "--", "_run", dir, "--cache", TEST_CACHE], { env, encoding: "utf8" });

/** A checkpoint's step once it is at least `min`: polled, since rank 0 writes it while the job runs. */
async function checkpointReaches(dir: string, min: number, log: () => string): Promise<number> {
  const path = join(dir, "checkpoint.safetensors");
  const end = Date.now() + 120_000;
  for (;;) {
    const step = existsSync(path) ? readCheckpointStep(path) : 0;
    if (step >= min) return step;
    assert.ok(Date.now() < end, `no checkpoint at step ${min}: ${log()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function launchInBackground(dir: string, nproc: number, extra: string[] = []) {
  const child = spawn(process.execPath, [bin, "launch", "--nproc", String(nproc), "--timeout", "30", ...extra, "--", "_run", dir, "--cache", TEST_CACHE], { env, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
  return { child, exited, stderr: () => stderr };
}

describe("data-parallel training", () => {
  // Single-process runs with batch 8 (the independent reference), one per length, shared by the tests.
  const STEPS = 48;
  const references = new Map<number, Promise<string>>();
  const singleRun = (steps: number) => {
    if (!references.has(steps)) references.set(steps, (async () => {
      const dir = await runDir(mkdtempSync(join(tmpdir(), "xling-ddp-ref-")), "single", steps, 8);
      const r = single(dir);
      assert.equal(r.status, 0, r.stderr);
      return dir;
    })());
    return references.get(steps)!;
  };
  const singleReference = async (steps = STEPS) => trainMetrics(await singleRun(steps));

  it("two ranks with batch 4 follow one process with batch 8: losses, per-language losses, results", async () => {
    const ref = await singleRun(24);
    const ddp = await runDir(mkdtempSync(join(tmpdir(), "xling-ddp-")), "ddp", 24, 8);
    const b = launch(ddp, 2);
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /rank 1 started/);
    assertSameTrajectory(trainMetrics(ddp), trainMetrics(ref), "2 ranks");
    // Evaluation on rank 0 after training: the replicas ended where the single model did.
    const ra = JSON.parse(readFileSync(join(ref, "results.json"), "utf8"));
    const rb = JSON.parse(readFileSync(join(ddp, "results.json"), "utf8"));
    assert.deepEqual(rb.tokensSeen, ra.tokensSeen);
    const ppl = (r: { results: { name: string; lang: string; value: number }[] }) => r.results.filter((x) => x.name === "ppl").map((x) => x.value);
    const [pa, pb] = [ppl(ra), ppl(rb)];
    assert.equal(pb.length, pa.length);
    pa.forEach((v, i) => assert.ok(Math.abs(pb[i] - v) <= 1e-4 * v, `ppl ${pb[i]} vs ${v}`));
  });

  it("killing a rank stops the other with an error naming it; relaunching resumes and completes, also by --max-restarts", async () => {
    const steps = STEPS;
    const dir = await runDir(mkdtempSync(join(tmpdir(), "xling-ddp-kill-")), "ddp", steps, 8);
    const job = launchInBackground(dir, 2);
    // Kill rank 1 once rank 0 has written a checkpoint past step 8.
    await checkpointReaches(dir, 8, job.stderr);
    const pid = Number(/rank 1 started \(pid (\d+)\)/.exec(job.stderr())?.[1]);
    assert.ok(pid > 0, job.stderr());
    const killedAt = Date.now();
    process.kill(pid, "SIGKILL");
    const code = await job.exited;
    const err = job.stderr();
    const seconds = (Date.now() - killedAt) / 1000;
    assert.notEqual(code, 0, err);
    assert.ok(seconds < 30, `the job took ${seconds} s to stop after the kill (timeout 30 s)`);
    assert.match(err, /failed on rank 0 of 2: lost rank 1/, err);
    assert.match(err, /rank 1 was killed by SIGKILL/);
    assert.ok(!existsSync(join(dir, "results.json")), "the failed job must not look finished");
    const resumedFrom = readCheckpointStep(join(dir, "checkpoint.safetensors"));
    assert.ok(resumedFrom >= 8 && resumedFrom < steps, `checkpoint at step ${resumedFrom}`);

    // The relaunch loses rank 1 again, after its next checkpoint; with --max-restarts 1
    // the launcher starts the job once more by itself, and it finishes.
    const again = launchInBackground(dir, 2, ["--max-restarts", "1"]);
    await checkpointReaches(dir, resumedFrom + 4, again.stderr);
    process.kill(Number(/rank 1 started \(pid (\d+)\)/.exec(again.stderr())?.[1]), "SIGKILL");
    assert.equal(await again.exited, 0, again.stderr());
    assert.match(again.stderr(), /rank 1 was killed by SIGKILL.*\n(.*\n)*.*restarting the job \(1 of 1\)/);
    assert.equal(readCheckpointStep(join(dir, "checkpoint.safetensors")), steps);
    // Every step logged once (the steps after the checkpoint were redone, not appended
    // twice), and the whole trajectory is the single process's.
    assertSameTrajectory(trainMetrics(dir), await singleReference(), `killed, resumed from step ${resumedFrom}`);
  });

  it("two launchers as two nodes (--nnodes 2 --node-rank r --master) train as one job", async () => {
    const dir = await runDir(mkdtempSync(join(tmpdir(), "xling-ddp-nodes-")), "ddp", 24, 8);
    const master = `127.0.0.1:${await freePort()}`;
    const nodes = [0, 1].map((r) => spawn(process.execPath, [bin, "launch", "--nproc", "1", "--nnodes", "2", "--node-rank", String(r), "--master", master,
      "--timeout", "30", "--", "_run", dir, "--cache", TEST_CACHE], { env, stdio: ["ignore", "ignore", "pipe"] }));
    let err = "";
    const codes = await Promise.all(nodes.map((n) => new Promise<number | null>((r) => {
      n.stderr!.on("data", (d) => (err += d));
      n.once("exit", (c) => r(c));
    })));
    assert.deepEqual(codes, [0, 0], err);
    assert.match(err, /rank 0 started/);
    assert.match(err, /rank 1 started/);
    assertSameTrajectory(trainMetrics(dir), await singleReference(24), "2 nodes x 1 rank");
  });

  it("SIGINT to the launcher stops every rank after the same step; the run resumes on one rank", async () => {
    const dir = await runDir(mkdtempSync(join(tmpdir(), "xling-ddp-int-")), "ddp", STEPS, 8);
    const job = launchInBackground(dir, 2);
    await checkpointReaches(dir, 8, job.stderr);
    job.child.kill("SIGINT");
    assert.equal(await job.exited, 130, job.stderr());
    const stops = [...job.stderr().matchAll(/run interrupted at step (\d+)/g)].map((m) => Number(m[1]));
    assert.equal(stops.length, 2, job.stderr());
    assert.equal(stops[0], stops[1], "both ranks stop after the same step");
    assert.equal(readCheckpointStep(join(dir, "checkpoint.safetensors")), stops[0]);
    assert.doesNotMatch(job.stderr(), /failed on rank/);

    // The checkpoint holds the global stream's state: a single process takes over.
    const again = launch(dir, 1);
    assert.equal(again.status, 0, again.stderr);
    assertSameTrajectory(trainMetrics(dir), await singleReference(), `2 ranks to step ${stops[0]}, then 1`);
  });
});

// Kill -9 during training, resume: every later step's loss equals an uninterrupted
// run's, bit for bit. Interrupting the runner mid-sweep redoes no finished run.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { planRuns } from "../../src/run/run-dir.js";
import { runExperiment } from "../../src/studies/runner.js";
import { prepareCorpus } from "../../src/data/prepare.js";
import { TEST_CACHE, tinySpec } from "./fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };

function trainLosses(runDir: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const line of readFileSync(join(runDir, "metrics.jsonl"), "utf8").split("\n")) {
    if (!line) continue;
    const r = JSON.parse(line);
    if (r.split === "train" && r.name === "loss" && r.lang === null) {
      assert.ok(!out.has(r.step), `step ${r.step} logged twice`);
      out.set(r.step, r.value);
    }
  }
  return out;
}

async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("resume", () => {
  it("a run killed with SIGKILL at a random step resumes bit for bit", async () => {
    const exp = parseExperiment(tinySpec("resume"));
    const c = exp.runs[0];
    await prepareCorpus(c.corpus, c.tokenizer, TEST_CACHE, 0);
    const root = mkdtempSync(join(tmpdir(), "xling-resume-"));
    const a = join(root, "a");
    const b = join(root, "b");
    for (const d of [a, b]) {
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, "config.json"), JSON.stringify(c));
    }
    const run = (dir: string) => spawnSync(process.execPath, [bin, "_run", dir, "--cache", TEST_CACHE], { env, encoding: "utf8" });
    const full = run(a);
    assert.equal(full.status, 0, full.stderr);

    // Kill at a step drawn from the clock, somewhere after the first checkpoint.
    const killAfter = 5 + (Date.now() % 14);
    const child = spawn(process.execPath, [bin, "_run", b, "--cache", TEST_CACHE], { env, stdio: "ignore" });
    await waitFor(() => existsSync(join(b, "metrics.jsonl")) && trainLosses(b).size >= killAfter, 120_000);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    assert.ok(!existsSync(join(b, "results.json")), "the killed run must not look finished");
    const resumed = run(b);
    assert.equal(resumed.status, 0, resumed.stderr);

    const want = trainLosses(a);
    const got = trainLosses(b);
    assert.equal(got.size, 24);
    for (const [step, loss] of want) assert.equal(got.get(step), loss, `step ${step} (killed after ${killAfter})`);
    const ra = JSON.parse(readFileSync(join(a, "results.json"), "utf8"));
    const rb = JSON.parse(readFileSync(join(b, "results.json"), "utf8"));
    assert.deepEqual(rb.results, ra.results);
  });

  it("SIGTERM saves a checkpoint and the run resumes from it", async () => {
    const spec = tinySpec("sigterm");
    spec.base.train.steps = 400;
    const exp = parseExperiment(spec);
    const dir = join(mkdtempSync(join(tmpdir(), "xling-term-")), "r");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "config.json"), JSON.stringify(exp.runs[0]));
    const child = spawn(process.execPath, [bin, "_run", dir, "--cache", TEST_CACHE], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => (err += d));
    await waitFor(() => existsSync(join(dir, "metrics.jsonl")) && trainLosses(dir).size >= 6, 120_000);
    child.kill("SIGTERM");
    const code = await new Promise((r) => child.once("exit", (c) => r(c)));
    assert.equal(code, 130, err);
    assert.match(err, /interrupted at step \d+/);
    assert.ok(existsSync(join(dir, "checkpoint.safetensors")));
    const again = spawnSync(process.execPath, [bin, "_run", dir, "--cache", TEST_CACHE], { env, encoding: "utf8" });
    assert.equal(again.status, 0, again.stderr);
    assert.equal(trainLosses(dir).size, 400);
  });

  it("re-running an experiment redoes no finished run", async () => {
    const exp = parseExperiment(tinySpec("sweep", { sweeps: [{ "data.ratio": [0.5, 0.1] }] }));
    const expDir = mkdtempSync(join(tmpdir(), "xling-sweep-"));
    const runs = planRuns(exp, expDir);
    // Finish the first run only, as if the runner had been stopped mid-sweep.
    const first = await runExperiment({ ...exp, runs: [exp.runs[0]] }, expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(first.ran, [runs[0].runId]);
    const finishedAt = statSync(join(runs[0].dir, "results.json")).mtimeMs;
    const second = await runExperiment(exp, expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(second.skipped, [runs[0].runId]);
    assert.deepEqual(second.ran, [runs[1].runId]);
    assert.equal(statSync(join(runs[0].dir, "results.json")).mtimeMs, finishedAt);
  });
});

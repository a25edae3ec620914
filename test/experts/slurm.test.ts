import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expertCommand, shellQuote, slurmArrayScript, type SlurmArrayOptions } from "../../src/experts/index.js";

const base: SlurmArrayOptions = {
  jobName: "xling-experts",
  experts: 8,
  commandTemplate: "xling train --expert {expert} --checkpoint {checkpoint}",
  checkpointRoot: "/scratch/my runs/x-elm",
  time: "24:00:00",
  mem: "32G",
  cpusPerTask: 4,
};

test("array size, resources and environment lines", () => {
  const script = slurmArrayScript({ ...base, env: { XLING_DATA: "/data/with space" }, extraOptions: ["--gres=gpu:1"], maxConcurrent: 2 });
  const lines = script.split("\n");
  assert.equal(lines[0], "#!/bin/bash");
  assert.ok(lines.includes("#SBATCH --array=0-7%2"));
  assert.ok(lines.includes("#SBATCH --time=24:00:00"));
  assert.ok(lines.includes("#SBATCH --mem=32G"));
  assert.ok(lines.includes("#SBATCH --cpus-per-task=4"));
  assert.ok(lines.includes("#SBATCH --gres=gpu:1"));
  assert.ok(lines.includes("export OPENBLAS_NUM_THREADS=1"));
  assert.ok(lines.includes("export OMP_NUM_THREADS=4"));
  assert.ok(lines.includes("export XLING_DATA='/data/with space'"));
  assert.ok(slurmArrayScript({ ...base, experts: 1 }).includes("#SBATCH --array=0-0\n"));
  assert.ok(slurmArrayScript({ ...base, threads: 2 }).includes("export OMP_NUM_THREADS=2\n"));
  assert.throws(() => slurmArrayScript({ ...base, experts: 0 }), RangeError);
  assert.throws(() => slurmArrayScript({ ...base, mem: "32 G" }), /mem must be/);
  assert.throws(() => slurmArrayScript({ ...base, env: { "BAD-NAME": "x" } }), /invalid environment variable/);
});

test("shell quoting survives spaces, quotes and dollars", () => {
  const nasty = "it's a $HOME \"dir\" \\ here";
  const echoed = execFileSync("bash", ["-c", `printf '%s' ${shellQuote(nasty)}`]).toString();
  assert.equal(echoed, nasty);
  assert.equal(expertCommand(base, 3), "xling train --expert 3 --checkpoint '/scratch/my runs/x-elm/expert-3'");
});

test("each array task runs its own command with its own checkpoint directory", async () => {
  const root = await mkdtemp(join(tmpdir(), "xling slurm "));
  const checkpointRoot = join(root, "check points");
  // The command records its arguments and environment into its checkpoint directory.
  const script = slurmArrayScript({
    ...base,
    experts: 3,
    checkpointRoot,
    commandTemplate: `printf '%s\\n' {expert} {checkpoint} "$OPENBLAS_NUM_THREADS" "$OMP_NUM_THREADS" > {checkpoint}/args.txt`,
  });
  const path = join(root, "job.sh");
  await writeFile(path, script);
  for (const task of [0, 2]) {
    execFileSync("bash", [path], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(task) } });
    const dir = join(checkpointRoot, `expert-${task}`);
    const args = (await readFile(join(dir, "args.txt"), "utf8")).split("\n");
    assert.deepEqual(args.slice(0, 4), [String(task), dir, "1", "4"]);
    // The log went to the log directory under the checkpoint root.
    await readFile(join(checkpointRoot, "logs", `expert-${task}.log`), "utf8");
  }
});

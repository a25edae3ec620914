// `xling launch --nproc 2 -- experts _train <run>`: an expert study's run (its seed, here)
// trained by two ranks with batch B follows one process with batch 2B step by step and
// ends with the same validation loss per language (fp32).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { parseExpertStudy } from "../../src/studies/experts/spec.js";
import { planStudy, writeExpertConfigs } from "../../src/studies/experts/btm.js";
import { tinyStudy } from "../experts/helpers.js";
import { TEST_CACHE } from "../experiment/fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const env = { ...process.env, OPENBLAS_NUM_THREADS: "1" };
const TOL = 1e-5;

function lines(dir: string, split: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of readFileSync(join(dir, "metrics.jsonl"), "utf8").split("\n").filter(Boolean)) {
    const m = JSON.parse(line) as { step: number; split: string; name: string; lang: string | null; value: number };
    if (m.split === split) out.set(`${m.step} ${m.name} ${m.lang ?? "all"}`, m.value);
  }
  return out;
}

describe("data-parallel expert runs", () => {
  it("two ranks with batch 4 follow one process with batch 8 (the seed run)", async () => {
    const root = mkdtempSync(join(tmpdir(), "xling-ddp-experts-"));
    const study = parseExpertStudy({ ...tinyStudy({ name: "ddp-experts" }), train: { batchSize: 8, warmup: 1, checkpointEvery: 2, precision: "fp32" } }, "test");
    const plan = await planStudy(study, join(root, "study"));
    writeExpertConfigs({ ...plan, experts: [plan.seed] });
    const single = plan.seed.dir;
    const ddp = join(root, "ddp-seed");
    mkdirSync(ddp);
    cpSync(join(single, "config.json"), join(ddp, "config.json"));

    const a = spawnSync(process.execPath, [bin, "experts", "_train", single, "--cache", TEST_CACHE], { env, encoding: "utf8" });
    assert.equal(a.status, 0, a.stderr);
    const b = spawnSync(process.execPath, [bin, "launch", "--nproc", "2", "--timeout", "30", "--", "experts", "_train", ddp, "--cache", TEST_CACHE], { env, encoding: "utf8" });
    assert.equal(b.status, 0, b.stderr);
    assert.match(b.stderr, /rank 1 started/);
    for (const split of ["train", "eval"]) {
      const [want, got] = [lines(single, split), lines(ddp, split)];
      assert.ok(want.size > 0);
      assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${split}: the same lines`);
      for (const [k, w] of want) assert.ok(Math.abs(got.get(k)! - w) <= TOL * Math.max(1, Math.abs(w)), `${split} ${k}: ${got.get(k)} with 2 ranks vs ${w}`);
    }
  });
});

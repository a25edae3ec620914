// Random tensor calls in a child process: only JS exceptions, never a crash. The calls
// use edge values (int64/int32 extremes, +-Infinity, NaN), empty and impossibly large
// shapes and disposed tensors. CI runs 10,000 calls; XLING_FUZZ_LONG=1 runs 20,000
// calls in each of two seeds (the release check).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const worker = fileURLToPath(new URL("../../scripts/fuzz-tensors.js", import.meta.url));
const long = process.env.XLING_FUZZ_LONG === "1";
const runs: [number, number][] = long ? [[20000, 20261122], [20000, 7]] : [[10000, 20261122]];

describe("fuzzing the tensor API", () => {
  for (const [calls, seed] of runs) {
    it(`${calls} random calls (seed ${seed}) with invalid shapes, dtypes, indices and edge values raise JS errors only`, () => {
      const r = spawnSync(process.execPath, [worker, "--calls", String(calls), "--seed", String(seed)], {
        encoding: "utf8",
        env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
        timeout: 900_000,
        maxBuffer: 64 * 1024 * 1024,
      });
      assert.equal(r.signal, null, `fuzz process was killed by ${r.signal}: ${r.stderr.slice(-2000)}`);
      assert.equal(r.status, 0, r.stderr.slice(-2000));
      const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
      if (long) process.stderr.write(`fuzz seed ${seed}: ${JSON.stringify(out)}\n`);
      assert.equal(out.calls, calls);
      assert.ok(out.errors > calls / 10, "most random calls are invalid and must have raised");
      assert.ok(out.ok > calls / 20, "some random calls are valid and must have succeeded");
      assert.ok(out.edgeTensors > calls / 50, "edge-value tensors must have been made");
    });
  }
});

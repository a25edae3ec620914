// 10,000 random tensor calls in a child process: only JS exceptions, never a crash.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";

const worker = fileURLToPath(new URL("../../scripts/fuzz-tensors.js", import.meta.url));

describe("fuzzing the tensor API", () => {
  it("10,000 random calls with invalid shapes, dtypes and indices raise JS errors only", () => {
    const r = spawnSync(process.execPath, [worker, "--calls", "10000", "--seed", "20261122"], {
      encoding: "utf8",
      env: { ...process.env, OPENBLAS_NUM_THREADS: "1" },
      timeout: 300_000,
    });
    assert.equal(r.signal, null, `fuzz process was killed by ${r.signal}: ${r.stderr.slice(-2000)}`);
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!);
    assert.equal(out.calls, 10000);
    assert.ok(out.errors > 1000, "most random calls are invalid and must have raised");
    assert.ok(out.ok > 500, "some random calls are valid and must have succeeded");
  });
});

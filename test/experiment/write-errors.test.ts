// A failed write (a full disk) is an error naming the file, and leaves no temp file and
// the previous contents intact. The disk is simulated by a node:fs write hook.
import assert from "node:assert/strict";
import fs, { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { writeFileAtomic } from "../../src/util/atomic.js";
import { saveSafetensors, ones } from "../../src/torch/index.js";
import { appendMetricsFile } from "../../src/run/metrics-file.js";

/** Runs fn with every write failing with ENOSPC, as on a full disk. */
function withFullDisk(fn: () => void): void {
  const realWrite = fs.writeSync;
  const realAppend = fs.appendFileSync;
  const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write" });
  fs.writeSync = (() => { throw enospc(); }) as typeof fs.writeSync;
  fs.appendFileSync = (() => { throw enospc(); }) as typeof fs.appendFileSync;
  syncBuiltinESMExports();
  try {
    fn();
  } finally {
    fs.writeSync = realWrite;
    fs.appendFileSync = realAppend;
    syncBuiltinESMExports();
  }
}

describe("write errors name the file", () => {
  it("ENOSPC in an atomic write, a safetensors save and a metrics append", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-enospc-"));
    const results = join(dir, "results.json");
    writeFileSync(results, "old");
    const st = join(dir, "w.safetensors");
    saveSafetensors(st, { a: ones([2]) });
    const before = readFileSync(st);
    withFullDisk(() => {
      assert.throws(() => writeFileAtomic(results, "new"), (e: Error) => e.message.startsWith(`${results}: cannot write `) && /ENOSPC/.test(e.message));
      assert.throws(() => saveSafetensors(st, { a: ones([3]) }), (e: Error) => e.message.startsWith(`${st}: cannot write `) && /ENOSPC/.test(e.message));
      assert.throws(() => appendMetricsFile(join(dir, "metrics.jsonl"), [{ step: 1 }]), new RegExp(`metrics\\.jsonl: cannot append metrics: ENOSPC`));
    });
    assert.equal(readFileSync(results, "utf8"), "old");
    assert.ok(readFileSync(st).equals(before));
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes("tmp")), []);
  });
});

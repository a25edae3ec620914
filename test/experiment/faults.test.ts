// Fault injection: a tiny run (24 steps, a checkpoint every 4) is killed, torn, starved
// of disk space, corrupted or started twice, at exact points (test/experiment/
// fault-preload.ts wraps node:fs in the child). Each case ends either in an exact resume
// (metrics.jsonl, checkpoint.safetensors and results byte-identical to an uninterrupted
// run) or in a clear refusal naming the file.
import assert from "node:assert/strict";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { before, describe, it } from "node:test";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { prepareCorpus } from "../../src/data/prepare.js";
import { LOCK_FILE } from "../../src/run/dir-lock.js";
import { TEST_CACHE, tinySpec } from "./fixtures.js";

const bin = fileURLToPath(new URL("../../../bin/xling.js", import.meta.url));
const preload = new URL("./fault-preload.js", import.meta.url).href;
const root = mkdtempSync(join(tmpdir(), "xling-faults-"));
let config: unknown;
let reference: string;

function newRunDir(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  return dir;
}

function run(dir: string, fault?: object): SpawnSyncReturns<string> {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", XLING_TEST_FAULT: fault ? JSON.stringify(fault) : "" };
  return spawnSync(process.execPath, ["--import", preload, bin, "_run", dir, "--cache", TEST_CACHE], { env, encoding: "utf8", timeout: 120_000 });
}

/** The run's files match the uninterrupted reference byte for byte (results apart from timing). */
function assertSameAsReference(dir: string, what: string): void {
  for (const f of ["metrics.jsonl", "checkpoint.safetensors"]) {
    assert.ok(readFileSync(join(dir, f)).equals(readFileSync(join(reference, f))), `${what}: ${f} differs from the uninterrupted run`);
  }
  const results = (d: string) => JSON.parse(readFileSync(join(d, "results.json"), "utf8")).results;
  assert.deepEqual(results(dir), results(reference), `${what}: results differ`);
  assert.ok(!existsSync(join(dir, LOCK_FILE)), `${what}: the lock is released`);
}

function killed(r: SpawnSyncReturns<string>): void {
  assert.equal(r.signal, "SIGKILL", `the fault must have killed the run: ${r.stderr.slice(-800)}`);
}

describe("fault injection: every fault ends in an exact resume or a clear refusal", () => {
  before(async () => {
    const exp = parseExperiment(tinySpec("faults"));
    config = exp.runs[0];
    await prepareCorpus(exp.runs[0].corpus, exp.runs[0].tokenizer, TEST_CACHE, 0);
    reference = newRunDir("reference");
    const r = run(reference);
    assert.equal(r.status, 0, r.stderr);
  });

  it("kill -9 before the first checkpoint: the restart drops the dead run's metric lines", () => {
    const dir = newRunDir("kill-early");
    killed(run(dir, { kind: "kill-after-append", match: "metrics.jsonl", n: 2 }));
    assert.ok(!existsSync(join(dir, "checkpoint.safetensors")));
    assert.ok(readFileSync(join(dir, "metrics.jsonl"), "utf8").length > 0);
    const r = run(dir);
    assert.equal(r.status, 0, r.stderr);
    assertSameAsReference(dir, "kill before the first checkpoint");
  });

  it("kill -9 right after a checkpoint, and between keeping the previous one and renaming the new one", () => {
    const after = newRunDir("kill-after-ckpt");
    killed(run(after, { kind: "kill-after-rename", match: "checkpoint.safetensors", n: 2 }));
    let r = run(after);
    assert.equal(r.status, 0, r.stderr);
    assertSameAsReference(after, "kill after a checkpoint");

    // Killed after the current checkpoint was linked as the previous one, before the new one replaced it.
    const between = newRunDir("kill-between");
    killed(run(between, { kind: "kill-after-link", match: "checkpoint.prev.safetensors", n: 2 }));
    assert.ok(existsSync(join(between, "checkpoint.safetensors")), "the latest checkpoint name never disappears");
    assert.ok(existsSync(join(between, "checkpoint.safetensors.next")), "the new checkpoint was written but not yet in place");
    r = run(between);
    assert.equal(r.status, 0, r.stderr);
    assertSameAsReference(between, "kill between the renames");
  });

  it("a torn metrics line (killed mid-append) is dropped on resume with a warning naming the file", () => {
    const dir = newRunDir("torn");
    killed(run(dir, { kind: "torn-append", match: "metrics.jsonl", n: 7 }));
    assert.ok(!readFileSync(join(dir, "metrics.jsonl"), "utf8").endsWith("\n"), "the last line is torn");
    const r = run(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`${join(dir, "metrics.jsonl").replace(/[.]/g, "\\.")}:\\d+: dropped a torn last line`));
    assertSameAsReference(dir, "torn metrics line");
  });

  it("a full disk while appending metrics or writing a checkpoint: an error naming the file, then an exact resume", () => {
    const m = newRunDir("enospc-metrics");
    let r = run(m, { kind: "enospc-append", match: "metrics.jsonl", n: 10 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /metrics\.jsonl: cannot append metrics: ENOSPC/);
    r = run(m);
    assert.equal(r.status, 0, r.stderr);
    assertSameAsReference(m, "ENOSPC on metrics");

    const c = newRunDir("enospc-ckpt");
    r = run(c, { kind: "enospc-write", match: ".safetensors.next.tmp", n: 3 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /checkpoint\.safetensors\.next: cannot write .*ENOSPC/);
    assert.ok(existsSync(join(c, "checkpoint.safetensors")), "the previous checkpoint survives");
    r = run(c);
    assert.equal(r.status, 0, r.stderr);
    assertSameAsReference(c, "ENOSPC on a checkpoint");
  });

  it("corrupted checkpoint data falls back to the previous checkpoint; corrupted metadata without one is refused", () => {
    const dir = newRunDir("corrupt");
    killed(run(dir, { kind: "kill-after-rename", match: "checkpoint.safetensors", n: 3 }));
    const path = join(dir, "checkpoint.safetensors");
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] ^= 0x10;
    writeFileSync(path, bytes);
    let r = run(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /checksum mismatch.*loading the previous checkpoint/);
    assertSameAsReference(dir, "corrupted data");

    // The step changed in the header ("8" -> "9", same length), and no previous checkpoint.
    const meta = newRunDir("corrupt-meta");
    killed(run(meta, { kind: "kill-after-rename", match: "checkpoint.safetensors", n: 2 }));
    rmSync(join(meta, "checkpoint.prev.safetensors"));
    const ck = join(meta, "checkpoint.safetensors");
    const text = readFileSync(ck).toString("latin1");
    assert.ok(text.includes('"step":"8"'));
    writeFileSync(ck, Buffer.from(text.replace('"step":"8"', '"step":"9"'), "latin1"));
    const metricsBefore = readFileSync(join(meta, "metrics.jsonl"));
    r = run(meta);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`${ck.replace(/[.]/g, "\\.")}: checksum mismatch`));
    assert.ok(readFileSync(join(meta, "metrics.jsonl")).equals(metricsBefore), "a refused resume leaves the metrics alone");
  });

  it("a second process on the same run directory refuses while the first trains; a stale lock is taken over", async () => {
    const dir = newRunDir("concurrent");
    // The first run is slowed (each metrics append sleeps) so that it still trains when the second starts.
    const env = { ...process.env, OPENBLAS_NUM_THREADS: "1", XLING_TEST_FAULT: JSON.stringify({ kind: "sleep-append", match: "metrics.jsonl", n: 150 }) };
    const first = spawn(process.execPath, ["--import", preload, bin, "_run", dir, "--cache", TEST_CACHE], { env, stdio: ["ignore", "ignore", "pipe"] });
    const exited = new Promise<number | null>((res) => first.once("exit", (c) => res(c)));
    const end = Date.now() + 60_000;
    while (!existsSync(join(dir, "metrics.jsonl")) && Date.now() < end) await new Promise((res) => setTimeout(res, 20));
    const second = run(dir);
    assert.equal(first.exitCode, null, "the first run must still be training when the second has finished");
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, /xling\.lock: the directory is in use by pid \d+ on .*started/);
    assert.equal(await exited, 0);
    assertSameAsReference(dir, "concurrent second run");

    // A lock left by a process that no longer exists.
    const stale = newRunDir("stale");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    writeFileSync(join(stale, LOCK_FILE), JSON.stringify({ pid: Number(dead.stdout), host: (await import("node:os")).hostname(), started: "2026-01-01T00:00:00.000Z", procStart: null, command: "_run", token: "x" }));
    const r = run(stale);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /took over the stale lock of pid \d+/);
    assertSameAsReference(stale, "stale lock");
  });
});


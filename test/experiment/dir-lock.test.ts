// Run-directory locks: a live holder refuses, a dead one is taken over, release removes only our own lock.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { acquireDirLock, LOCK_FILE } from "../../src/run/dir-lock.js";
import { runExperiment } from "../../src/studies/runner.js";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { tinySpec, TEST_CACHE } from "./fixtures.js";

const holder = (pid: number, host = hostname()) => JSON.stringify({ pid, host, started: "2026-12-01T00:00:00.000Z", procStart: null, command: "run spec.json", token: "t" });

describe("directory locks", () => {
  it("a live lock refuses with the holder's pid, host and start time; release frees it", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-lock-"));
    const lock = acquireDirLock(dir);
    const held = JSON.parse(readFileSync(join(dir, LOCK_FILE), "utf8"));
    assert.equal(held.pid, process.pid);
    assert.equal(held.host, hostname());
    assert.throws(() => acquireDirLock(dir), new RegExp(`${LOCK_FILE}: the directory is in use by pid ${process.pid} on ${hostname()}, started ${held.started}`));
    lock.release();
    assert.ok(!existsSync(join(dir, LOCK_FILE)));
    acquireDirLock(dir).release();
  });

  it("a dead process's lock is taken over with a message; another host's lock refuses", () => {
    const dir = mkdtempSync(join(tmpdir(), "xling-lock-"));
    const dead = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    writeFileSync(join(dir, LOCK_FILE), holder(dead));
    const logs: string[] = [];
    const lock = acquireDirLock(dir, { log: (m) => logs.push(m) });
    assert.match(logs[0], new RegExp(`took over the stale lock of pid ${dead} on ${hostname()}`));
    lock.release();
    writeFileSync(join(dir, LOCK_FILE), holder(1, "elsewhere.example"));
    assert.throws(() => acquireDirLock(dir), /in use by pid 1 on elsewhere\.example.*if it is gone, delete/);
    // A live PID whose recorded start time differs is a reused PID: stale.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ ...JSON.parse(holder(process.pid)), procStart: 1 }));
    acquireDirLock(dir, { log: (m) => logs.push(m) }).release();
    assert.match(logs[1], /took over the stale lock/);
  });

  it("the runner refuses an experiment directory another live runner owns, creating nothing", async () => {
    const exp = parseExperiment(tinySpec("locked"));
    const expDir = mkdtempSync(join(tmpdir(), "xling-lock-exp-"));
    writeFileSync(join(expDir, LOCK_FILE), holder(process.ppid));
    await assert.rejects(runExperiment(exp, expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE }), /in use by pid/);
    assert.ok(!existsSync(join(expDir, "experiment.json")));
  });
});

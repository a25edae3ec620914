// The environment contract of a distributed job, and `xling launch`'s argument parsing.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { distributedEnv, DEFAULT_RENDEZVOUS_TIMEOUT_S, DEFAULT_TIMEOUT_S } from "../../src/distributed/context.js";
import { parseMaster } from "../../src/distributed/launcher.js";
import { main } from "../../src/cli/main.js";

const job = { MASTER_ADDR: "10.0.0.1", MASTER_PORT: "29500", RANK: "3", WORLD_SIZE: "4", LOCAL_RANK: "1" };

describe("distributed environment", () => {
  it("is null for a process on its own", () => {
    assert.equal(distributedEnv({}), null);
    assert.equal(distributedEnv({ WORLD_SIZE: "1", RANK: "0" }), null);
  });

  it("reads rank, world size, local rank, master, backend and timeout", () => {
    assert.deepEqual(distributedEnv(job), {
      rank: 3, worldSize: 4, localRank: 1, masterAddr: "10.0.0.1", masterPort: 29500, backend: "gloo",
      timeoutMs: DEFAULT_TIMEOUT_S * 1000, rendezvousTimeoutMs: DEFAULT_RENDEZVOUS_TIMEOUT_S * 1000,
    });
    assert.equal(distributedEnv({ ...job, XLING_DIST_TIMEOUT: "2.5" })!.timeoutMs, 2500);
    assert.equal(distributedEnv({ ...job, XLING_DIST_RENDEZVOUS_TIMEOUT: "30" })!.rendezvousTimeoutMs, 30_000);
  });

  it("rejects a partial or inconsistent environment instead of training alone", () => {
    assert.throws(() => distributedEnv({ ...job, RANK: "4" }), /RANK=4 must be an integer in 0\.\.3/);
    assert.throws(() => distributedEnv({ ...job, RANK: undefined }), /RANK=\(unset\)/);
    assert.throws(() => distributedEnv({ ...job, MASTER_ADDR: undefined }), /MASTER_ADDR is unset/);
    assert.throws(() => distributedEnv({ ...job, MASTER_PORT: "70000" }), /MASTER_PORT=70000/);
    assert.throws(() => distributedEnv({ ...job, XLING_DIST_TIMEOUT: "0" }), /XLING_DIST_TIMEOUT=0/);
  });
});

describe("xling launch arguments", () => {
  it("parses ADDR:PORT, with IPv6 in brackets", () => {
    assert.deepEqual(parseMaster("node1:29500"), { addr: "node1", port: 29500 });
    assert.deepEqual(parseMaster("[::1]:1234"), { addr: "::1", port: 1234 });
    assert.throws(() => parseMaster("node1"), /--master must be ADDR:PORT/);
    assert.throws(() => parseMaster("node1:0"), /--master must be ADDR:PORT/);
  });

  it("needs --nproc, a command, and --master on more than one node; refuses the experiment runner", async () => {
    const errors: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((s: string) => (errors.push(s), true)) as typeof process.stderr.write;
    try {
      assert.equal(await main(["launch", "--", "_run", "x"]), 1);
      assert.equal(await main(["launch", "--nproc", "2"]), 1);
      assert.equal(await main(["launch", "--nproc", "2", "--nnodes", "2", "--node-rank", "1", "--", "_run", "x"]), 1);
      assert.equal(await main(["launch", "--nproc", "2", "--", "run", "spec.json"]), 1);
    } finally {
      process.stderr.write = write;
    }
    assert.match(errors[0], /--nproc is required/);
    assert.match(errors[1], /give the xling command to run after --/);
    assert.match(errors[2], /--master ADDR:PORT is required with more than one node/);
    assert.match(errors[3], /'run' starts its runs itself; launch one run directory: xling launch --nproc 2 -- _run <run-dir>/);
  });
});

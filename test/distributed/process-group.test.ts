// c10d process groups between real processes on loopback: each collective against the
// value computed here from every rank's inputs, gradient averaging over several buckets,
// and the failure modes (a rank that dies, a rank that stops taking part, a rank that
// never arrives) ending in errors that name the problem within the timeout.
//
// The same file is the worker: run with XLING_PG_SCENARIO set, it joins the group and
// plays one scenario, printing one JSON line of what it saw.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { ProcessGroup } from "../../src/distributed/process-group.js";
import { distributedEnv } from "../../src/distributed/context.js";
import { freePort } from "../../src/distributed/launcher.js";
import { tensor, tidy } from "../../src/torch/index.js";
import { assertClose, seeded } from "../helpers.js";

const self = fileURLToPath(import.meta.url);

/** The inputs of rank r: distinct per rank, reproducible in the parent. */
const input = (rank: number, n: number) => Float32Array.from(seeded(n, 100 + rank));

async function worker(scenario: string): Promise<void> {
  const env = distributedEnv()!;
  let group: ProcessGroup;
  const t0 = Date.now();
  try {
    group = new ProcessGroup(env);
  } catch (e) {
    console.log(JSON.stringify({ error: (e as Error).message, ms: Date.now() - t0 }));
    process.exitCode = 1;
    return;
  }
  const { rank } = group;
  const out: Record<string, unknown> = {};
  if (scenario === "collectives") {
    tidy(() => {
      const sum = tensor(input(rank, 5));
      const max = tensor(input(rank, 5));
      group.allreduce([sum], "sum");
      group.allreduce([max], "max");
      out.sum = [...(sum.toArray() as Float32Array)];
      out.max = [...(max.toArray() as Float32Array)];
      const b = tensor(input(rank, 4));
      group.broadcast([b], 1);
      out.broadcast = [...(b.toArray() as Float32Array)];
      out.gathered = group.allGather(tensor(Int32Array.of(rank, rank * 10), { dtype: "int32" })).map((t) => [...(t.toArray() as Int32Array)]);
      group.barrier();
      // Three parameters of 40, 24 and 6 floats; 100-byte buckets split them into three.
      const params = [tensor(new Float32Array(40), { requiresGrad: true }), tensor(new Float32Array(24), { requiresGrad: true }), tensor(new Float32Array(6), { requiresGrad: true })];
      const g = input(rank, 70);
      params[0].grad = tensor(g.subarray(0, 40));
      params[1].grad = tensor(g.subarray(40, 64));
      params[2].grad = tensor(g.subarray(64));
      out.buckets = group.averageGradients(params, 100);
      out.grads = params.flatMap((p) => [...(p.grad!.toArray() as Float32Array)]);
      // A parameter that got no gradient on rank 0 (unused there) counts as zeros.
      const sometimes = tensor(new Float32Array(3), { requiresGrad: true });
      if (rank === 1) sometimes.grad = tensor(Float32Array.of(2, 4, 6));
      group.averageGradients([sometimes], 100);
      out.partial = [...(sometimes.grad!.toArray() as Float32Array)];
    });
  } else if (scenario === "rank-zero-first") {
    // Rank 0's work outlasts the 1 s collective timeout; rank 1 must still wait for it.
    let built = false;
    const start = Date.now();
    out.result = await group.rankZeroFirst("cache", async () => {
      await new Promise((r) => setTimeout(r, 2500));
      built = true;
      return "built";
    }, async () => `read after ${Date.now() - start} ms`);
    out.built = built;
    group.barrier();
  } else {
    group.barrier();
    if (scenario === "dies" && rank === env.worldSize - 1) process.exit(7);
    if (scenario === "host dies" && rank === 0) process.exit(7);
    if (scenario === "absent" && rank === 1) {
      // Alive (its heartbeat goes on) but not taking part in the next collective.
      await new Promise((r) => setTimeout(r, env.timeoutMs + 2500));
      return;
    }
    const start = Date.now();
    try {
      group.allreduce([tensor(new Float32Array(3))]);
      out.ok = true;
    } catch (e) {
      out.error = (e as Error).message;
      out.ms = Date.now() - start;
      process.exitCode = 1;
    }
  }
  console.log(JSON.stringify(out));
}

interface RankResult {
  code: number | null;
  out: Record<string, unknown>;
  stderr: string;
}

async function runRanks(scenario: string, ranks: number[], worldSize: number, timeoutS: number, rendezvousS = 60): Promise<RankResult[]> {
  const port = await freePort();
  return Promise.all(ranks.map((rank) => new Promise<RankResult>((resolve) => {
    const child = spawn(process.execPath, [self], {
      env: {
        ...process.env, XLING_PG_SCENARIO: scenario, MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port),
        RANK: String(rank), WORLD_SIZE: String(worldSize), XLING_DIST_TIMEOUT: String(timeoutS),
        XLING_DIST_RENDEZVOUS_TIMEOUT: String(rendezvousS), OPENBLAS_NUM_THREADS: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("exit", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      resolve({ code, out: line.startsWith("{") ? JSON.parse(line) : {}, stderr });
    });
  })));
}

if (process.env.XLING_PG_SCENARIO) {
  await worker(process.env.XLING_PG_SCENARIO);
} else {
  // The scenarios mostly wait (on timeouts, on a rank that sleeps), so they run side by side.
  describe("process group (Gloo over loopback)", { concurrency: true }, () => {
    it("allreduce, broadcast, all_gather, barrier and bucketed gradient averaging agree with local arithmetic", async () => {
      const results = await runRanks("collectives", [0, 1], 2, 30);
      const [a, b] = [input(0, 5), input(1, 5)];
      for (const [rank, r] of results.entries()) {
        assert.equal(r.code, 0, r.stderr);
        // Float32 sums, computed as Gloo does for two ranks: one addition.
        assertClose(r.out.sum as number[], Array.from(a, (x, i) => Math.fround(x + b[i])), 0, `sum on rank ${rank}`);
        assert.deepEqual(r.out.max, Array.from(a, (x, i) => Math.max(x, b[i])));
        assert.deepEqual(r.out.broadcast, [...input(1, 4)]);
        assert.deepEqual(r.out.gathered, [[0, 0], [1, 10]]);
        assert.equal(r.out.buckets, 3);
        const [g0, g1] = [input(0, 70), input(1, 70)];
        assertClose(r.out.grads as number[], Array.from(g0, (x, i) => (x + g1[i]) / 2), 1e-7, `mean gradient on rank ${rank}`);
        assert.deepEqual(r.out.partial, [1, 2, 3]);
      }
    });

    it("rankZeroFirst: the other ranks wait for rank 0's work, however long it takes past the collective timeout", async () => {
      const [r0, r1] = await runRanks("rank-zero-first", [0, 1], 2, 1);
      assert.equal(r0.code, 0, r0.stderr);
      assert.equal(r1.code, 0, r1.stderr);
      assert.deepEqual(r0.out, { result: "built", built: true });
      assert.equal(r1.out.built, false);
      const waited = Number(/read after (\d+) ms/.exec(r1.out.result as string)?.[1]);
      assert.ok(waited >= 2000, `rank 1 went on after ${waited} ms, before rank 0 finished`);
    });

    it("a rank that dies: the survivor's collective fails at once, naming the lost rank", async () => {
      const [r0, r1] = await runRanks("dies", [0, 1], 2, 20);
      assert.equal(r1.code, 7);
      assert.equal(r0.code, 1);
      assert.match(r0.out.error as string, /allreduce failed on rank 0 of 2: lost rank 1 \(heartbeat stopped\)/);
      assert.ok((r0.out.ms as number) < 20_000, `took ${r0.out.ms} ms`);
    });

    it("of three ranks one dies: both survivors name it, not each other", async () => {
      const results = await runRanks("dies", [0, 1, 2], 3, 20);
      assert.equal(results[2].code, 7);
      for (const r of [0, 1]) {
        assert.equal(results[r].code, 1);
        assert.match(results[r].out.error as string, new RegExp(`allreduce failed on rank ${r} of 3: lost rank 2 \\(heartbeat stopped\\)`));
      }
    });

    it("rank 0, which hosts the store, dies: the survivor names it", async () => {
      const [r0, r1] = await runRanks("host dies", [0, 1], 2, 20);
      assert.equal(r0.code, 7);
      assert.equal(r1.code, 1);
      assert.match(r1.out.error as string, /allreduce failed on rank 1 of 2: lost rank 0 \(the rendezvous store it hosts is unreachable\)/);
      assert.ok((r1.out.ms as number) < 20_000, `took ${r1.out.ms} ms`);
    });

    it("a rank that is alive but absent: the collective times out instead of hanging", async () => {
      const [r0] = await runRanks("absent", [0, 1], 2, 1);
      assert.equal(r0.code, 1);
      assert.match(r0.out.error as string, /every rank is alive but one is not taking part \(timeout 1 s\)/);
      const ms = r0.out.ms as number;
      assert.ok(ms >= 900 && ms < 10_000, `failed after ${ms} ms with a 1 s timeout`);
    });

    it("a rank that never arrives: rendezvous fails after the timeout", async () => {
      const [r0] = await runRanks("collectives", [0], 2, 30, 1);
      assert.equal(r0.code, 1);
      assert.match(r0.out.error as string, /rank 0 could not join the 2-rank job at 127\.0\.0\.1:\d+ within 1 s: .*1 of 2 ranks joined/);
      assert.ok((r0.out.ms as number) < 10_000);
    });
  });
}

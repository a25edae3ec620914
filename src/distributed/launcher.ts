// Starts and supervises the ranks of a data-parallel job on this node, like torchrun:
// one child process per local rank running an xling command, with the environment
// contract (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE).
//
// Supervision: when a rank fails, the others are expected to notice within the
// collective timeout and exit with an error naming it; any rank still running after
// that (plus a grace period) is terminated, so the job never hangs. SIGINT/SIGTERM are
// passed to every rank (the trainer then checkpoints and stops). With maxRestarts > 0 a
// failed job is started again, and resumes from its last checkpoint.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { packageRoot } from "../util/package-root.js";
import { DEFAULT_TIMEOUT_S } from "./context.js";
import { parentEnv } from "../util/parent-watch.js";

export interface LaunchOptions {
  /** Ranks on this node. */
  nproc: number;
  nnodes?: number;
  nodeRank?: number;
  /** Rank 0's node; default 127.0.0.1 and a free port when nnodes is 1. */
  master?: { addr: string; port: number };
  /** The xling command each rank runs (without "xling"). */
  command: string[];
  /** Collective timeout, seconds (XLING_DIST_TIMEOUT of the ranks); also how long the others may take to stop after a rank fails. */
  timeoutS?: number;
  maxRestarts?: number;
  /** Where the launcher's own messages go. */
  log?: (line: string) => void;
  env?: NodeJS.ProcessEnv;
}

/** Parses ADDR:PORT (IPv6 in brackets: [::1]:29500). */
export function parseMaster(s: string): { addr: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(s);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) throw new Error(`--master must be ADDR:PORT, got '${s}'`);
  return { addr: m[1] ?? m[2], port };
}

/** A TCP port that was free a moment ago (the store binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

interface RankExit {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

function describe(e: RankExit): string {
  return e.signal ? `rank ${e.rank} was killed by ${e.signal}` : `rank ${e.rank} exited with code ${e.code}`;
}

/** Runs the job (restarting it up to maxRestarts times); resolves to the exit code for the launcher. */
export async function launch(o: LaunchOptions): Promise<number> {
  const nnodes = o.nnodes ?? 1;
  const nodeRank = o.nodeRank ?? 0;
  if (!(Number.isInteger(o.nproc) && o.nproc >= 1)) throw new Error(`--nproc must be a positive integer, got ${o.nproc}`);
  if (!(Number.isInteger(nnodes) && nnodes >= 1)) throw new Error(`--nnodes must be a positive integer, got ${nnodes}`);
  if (!(Number.isInteger(nodeRank) && nodeRank >= 0 && nodeRank < nnodes)) throw new Error(`--node-rank must be in 0..${nnodes - 1}, got ${nodeRank}`);
  if (nnodes > 1 && !o.master) throw new Error("--master ADDR:PORT is required with more than one node");
  if (o.command.length === 0) throw new Error("give the xling command to run after --");
  const log = o.log ?? ((line: string) => process.stderr.write(`xling launch: ${line}\n`));
  const maxRestarts = o.maxRestarts ?? 0;
  for (let attempt = 0; ; attempt++) {
    const master = o.master ?? { addr: "127.0.0.1", port: await freePort() };
    const code = await runOnce({ ...o, nnodes, nodeRank, master, log });
    if (code === 0 || code === 130 || attempt >= maxRestarts) return code;
    log(`restarting the job (${attempt + 1} of ${maxRestarts}); it resumes from its last checkpoint`);
  }
}

async function runOnce(o: LaunchOptions & { nnodes: number; nodeRank: number; master: { addr: string; port: number }; log: (l: string) => void }): Promise<number> {
  const worldSize = o.nproc * o.nnodes;
  const timeoutS = o.timeoutS ?? (Number(o.env?.XLING_DIST_TIMEOUT ?? process.env.XLING_DIST_TIMEOUT) || DEFAULT_TIMEOUT_S);
  const bin = join(packageRoot(), "bin", "xling.js");
  const children: ChildProcess[] = [];
  const exits: RankExit[] = [];
  let firstFailure: RankExit | null = null;
  let interrupted = false;
  const timers: NodeJS.Timeout[] = [];

  const done = new Promise<void>((resolve) => {
    for (let local = 0; local < o.nproc; local++) {
      const rank = o.nodeRank * o.nproc + local;
      const child = spawn(process.execPath, [bin, ...o.command], {
        stdio: "inherit",
        env: {
          ...(o.env ?? process.env),
          MASTER_ADDR: o.master.addr, MASTER_PORT: String(o.master.port),
          RANK: String(rank), WORLD_SIZE: String(worldSize), LOCAL_RANK: String(local), LOCAL_WORLD_SIZE: String(o.nproc),
          XLING_DIST_TIMEOUT: String(timeoutS),
          // A rank stops when the launcher is gone, even killed with SIGKILL (src/util/parent-watch.ts).
          ...parentEnv(),
        },
      });
      o.log(`rank ${rank} started (pid ${child.pid})`);
      children.push(child);
      child.on("exit", (code, signal) => {
        const e = { rank, code, signal };
        exits.push(e);
        if ((code !== 0 || signal) && !firstFailure && !interrupted) {
          firstFailure = e;
          o.log(`${describe(e)}; the other ranks should stop within the ${timeoutS} s timeout`);
          // Ranks still running after the timeout and a grace period are stopped.
          timers.push(setTimeout(() => signalAll("SIGTERM"), (timeoutS + 10) * 1000));
          timers.push(setTimeout(() => signalAll("SIGKILL"), (timeoutS + 20) * 1000));
        }
        if (exits.length === o.nproc) resolve();
      });
    }
  });
  const signalAll = (sig: NodeJS.Signals) => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill(sig);
  };
  const onSignal = () => {
    interrupted = true;
    o.log("interrupted: asking every rank to checkpoint and stop");
    signalAll("SIGTERM");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await done;
  } finally {
    timers.forEach(clearTimeout);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  const failure = firstFailure as RankExit | null;
  if (failure) {
    const others = exits.filter((e) => e !== failure && (e.code !== 0 || e.signal)).map(describe);
    o.log(`job failed: ${describe(failure)}${others.length ? `; then ${others.join(", ")}` : ""}`);
    return failure.code && failure.code > 0 ? failure.code : 1;
  }
  if (interrupted) return 130;
  return exits.every((e) => e.code === 0) ? 0 : 1;
}

// Where this process sits in a distributed job, read from the environment contract that
// torchrun established and `xling launch` follows: MASTER_ADDR, MASTER_PORT, RANK,
// WORLD_SIZE, LOCAL_RANK (and xling's own XLING_DIST_BACKEND, XLING_DIST_TIMEOUT,
// XLING_DIST_RENDEZVOUS_TIMEOUT).

export interface DistributedEnv {
  rank: number;
  worldSize: number;
  localRank: number;
  masterAddr: string;
  masterPort: number;
  backend: string;
  /** Bound on every collective, in milliseconds. */
  timeoutMs: number;
  /** Bound on waiting for every rank to join, in milliseconds. */
  rendezvousTimeoutMs: number;
}

export const DEFAULT_TIMEOUT_S = 120;
/** Ranks on other nodes may start minutes apart (torchrun allows 900 s). */
export const DEFAULT_RENDEZVOUS_TIMEOUT_S = 600;

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const s = env[name] === undefined ? fallback : Number(env[name]);
  if (!(s > 0)) throw new Error(`${name}=${env[name]} must be a positive number of seconds`);
  return Math.round(s * 1000);
}

function intVar(env: NodeJS.ProcessEnv, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name}=${raw ?? "(unset)"} must be an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? "" : max}`);
  return n;
}

/**
 * The job this process belongs to, or null when it runs alone (WORLD_SIZE unset or 1).
 * A partial or inconsistent environment is an error, not a silent single-process run.
 */
export function distributedEnv(env: NodeJS.ProcessEnv = process.env): DistributedEnv | null {
  if (env.WORLD_SIZE === undefined || env.WORLD_SIZE === "1") return null;
  const worldSize = intVar(env, "WORLD_SIZE", 1);
  const rank = intVar(env, "RANK", 0, worldSize - 1);
  const localRank = env.LOCAL_RANK === undefined ? rank : intVar(env, "LOCAL_RANK", 0);
  const masterAddr = env.MASTER_ADDR;
  if (!masterAddr) throw new Error("MASTER_ADDR is unset (the address of rank 0's rendezvous store)");
  const masterPort = intVar(env, "MASTER_PORT", 1, 65535);
  return {
    rank, worldSize, localRank, masterAddr, masterPort, backend: env.XLING_DIST_BACKEND ?? "gloo",
    timeoutMs: seconds(env, "XLING_DIST_TIMEOUT", DEFAULT_TIMEOUT_S),
    rendezvousTimeoutMs: seconds(env, "XLING_DIST_RENDEZVOUS_TIMEOUT", DEFAULT_RENDEZVOUS_TIMEOUT_S),
  };
}

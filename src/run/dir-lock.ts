// A lock that makes one process the owner of an experiment or run directory, so that two
// `xling run` of one spec into one directory cannot both train and duplicate every
// metric line. The lock is a file, `xling.lock`, holding the owner's PID, host, process
// start time and command. It is created whole or not at all (written to a temp file,
// then hard-linked into place, which fails if a lock exists).
//
// A lock whose process is alive refuses with a message naming it. A lock left by a
// process that is gone (same host, PID not running, or the PID now belongs to a process
// that started later) is taken over with a message. A lock from another host cannot be
// checked and refuses, telling how to remove it.
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export const LOCK_FILE = "xling.lock";

export interface LockHolder {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  started: string;
  /** The process's start time in clock ticks since boot (Linux), to tell a reused PID apart. */
  procStart: number | null;
  command: string;
  token: string;
}

export class DirLockedError extends Error {
  constructor(readonly path: string, readonly holder: LockHolder | null, reason: string) {
    super(`${path}: ${reason}`);
    this.name = "DirLockedError";
  }
}

export interface DirLock {
  path: string;
  holder: LockHolder;
  release(): void;
}

/** The start time of a process (field 22 of /proc/<pid>/stat), or null where there is no /proc. */
function processStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19]);
  } catch {
    return null;
  }
}

/** Whether the holder's process still runs (only decidable on this host). */
function holderAlive(h: LockHolder): boolean {
  try {
    process.kill(h.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  // The PID exists; it is another process if it started at another time.
  const start = processStart(h.pid);
  return !(h.procStart !== null && start !== null && start !== h.procStart);
}

function readHolder(path: string): LockHolder | null | "missing" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return Number.isSafeInteger(h.pid) && typeof h.host === "string" ? h : null;
  } catch {
    return null;
  }
}

function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, started ${h.started} (${h.command})`;
}

/**
 * Takes the lock of `dir` or throws DirLockedError (naming the holder). The lock is released by release() and, as a fallback, at process exit.
 */
export function acquireDirLock(dir: string, opts: { command?: string; log?: (message: string) => void } = {}): DirLock {
  const path = join(dir, LOCK_FILE);
  const log = opts.log ?? ((m: string) => process.stderr.write(`xling: ${m}\n`));
  const holder: LockHolder = {
    pid: process.pid, host: hostname(), started: new Date().toISOString(), procStart: processStart(process.pid),
    command: opts.command ?? process.argv.slice(2).join(" "), token: randomBytes(8).toString("hex"),
  };
  const text = JSON.stringify(holder) + "\n";
  const tmp = `${path}.${holder.token}.tmp`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmp, path);
        const onExit = () => release(path, holder.token, null);
        process.once("exit", onExit);
        return { path, holder, release: () => release(path, holder.token, onExit) };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`${path}: cannot create the lock: ${(e as Error).message}`, { cause: e });
      }
      const other = readHolder(path);
      if (other === "missing") continue;
      if (other === null) {
        throw new DirLockedError(path, null, `the directory's lock file is unreadable; if no xling process uses ${dir}, delete ${path}`);
      }
      if (other.host !== holder.host) {
        throw new DirLockedError(path, other, `the directory is in use by ${describeHolder(other)}; this host cannot check that process: if it is gone, delete ${path}`);
      }
      if (holderAlive(other)) {
        throw new DirLockedError(path, other, `the directory is in use by ${describeHolder(other)}; wait for it to finish or stop it (it resumes later)`);
      }
      // Stale: move it aside under a private name, then check it was the one we judged.
      const aside = `${path}.${holder.token}.stale`;
      try {
        renameSync(path, aside);
      } catch {
        continue;
      }
      const moved = readHolder(aside);
      if (moved !== "missing" && moved !== null && moved.token !== other.token) {
        // Another process took over in between: put its lock back and look again.
        try { linkSync(aside, path); } catch { /* a third one holds it now */ }
        rmSync(aside, { force: true });
        continue;
      }
      rmSync(aside, { force: true });
      log(`${path}: took over the stale lock of ${describeHolder(other)}, which is no longer running`);
    }
    throw new DirLockedError(path, null, "could not take the lock (other processes keep taking it)");
  } finally {
    rmSync(tmp, { force: true });
  }
}

function release(path: string, token: string, onExit: (() => void) | null): void {
  if (onExit) process.off("exit", onExit);
  const h = readHolder(path);
  if (h !== "missing" && h !== null && h.token === token) rmSync(path, { force: true });
}

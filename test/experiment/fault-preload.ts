// Loaded with `node --import` into an xling process by the fault-injection tests: wraps
// node:fs so that the process dies (SIGKILL) or a write fails (ENOSPC, half written, as
// on a full disk) at an exact point. XLING_TEST_FAULT is JSON:
//   {"kind":"kill-after-append","match":"metrics.jsonl","n":2}   SIGKILL after the nth append
//   {"kind":"torn-append","match":"metrics.jsonl","n":6}         half the nth append, then SIGKILL
//   {"kind":"enospc-append","match":"metrics.jsonl","n":5}       half the nth append, then ENOSPC
//   {"kind":"sleep-append","match":"metrics.jsonl","n":150}      every append sleeps n ms (a slow run)
//   {"kind":"kill-after-rename","match":"checkpoint.safetensors","n":2}  SIGKILL after the nth rename onto a matching path
//   {"kind":"kill-after-link","match":"checkpoint.prev.safetensors","n":2}  SIGKILL after the nth hard link onto a matching path
//   {"kind":"enospc-write","match":".next","n":2}               the second write to the nth file opened with a matching name fails with ENOSPC
// Named imports of node:fs see the wrappers through syncBuiltinESMExports().
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

interface Fault { kind: string; match: string; n: number }
const fault = JSON.parse(process.env.XLING_TEST_FAULT || "null") as Fault | null;

function enospc(syscall: string, path: string): NodeJS.ErrnoException {
  const e = new Error(`ENOSPC: no space left on device, ${syscall}`) as NodeJS.ErrnoException;
  e.code = "ENOSPC";
  e.errno = -28;
  e.syscall = syscall;
  e.path = path;
  return e;
}

function half(data: string | Uint8Array): string | Uint8Array {
  return typeof data === "string" ? data.slice(0, Math.max(1, Math.floor(data.length / 2))) : data.subarray(0, Math.max(1, data.byteLength >> 1));
}

if (fault) {
  let count = 0;
  const realAppend = fs.appendFileSync;
  const realRename = fs.renameSync;
  const realOpen = fs.openSync;
  const realWrite = fs.writeSync;
  const fdPaths = new Map<number, string>();
  const matches = (p: unknown) => String(p).endsWith(fault.match) || (fault.match.startsWith(".") && String(p).includes(fault.match));

  fs.appendFileSync = ((path: fs.PathOrFileDescriptor, data: string | Uint8Array, options?: fs.WriteFileOptions) => {
    if (!matches(path) || !fault.kind.endsWith("-append")) return realAppend(path, data, options);
    if (fault.kind === "sleep-append") {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, fault.n);
      return realAppend(path, data, options);
    }
    count++;
    if (count !== fault.n) return realAppend(path, data, options);
    if (fault.kind === "kill-after-append") {
      realAppend(path, data, options);
      process.kill(process.pid, "SIGKILL");
    }
    realAppend(path, half(data), options);
    if (fault.kind === "torn-append") process.kill(process.pid, "SIGKILL");
    throw enospc("write", String(path));
  }) as typeof fs.appendFileSync;

  const realLink = fs.linkSync;
  fs.linkSync = ((from: fs.PathLike, to: fs.PathLike) => {
    realLink(from, to);
    if (fault.kind === "kill-after-link" && matches(to) && ++count === fault.n) process.kill(process.pid, "SIGKILL");
  }) as typeof fs.linkSync;

  fs.renameSync = ((from: fs.PathLike, to: fs.PathLike) => {
    realRename(from, to);
    if (fault.kind === "kill-after-rename" && matches(to) && ++count === fault.n) process.kill(process.pid, "SIGKILL");
  }) as typeof fs.renameSync;

  // The nth file opened with a matching name gets its second write refused.
  const failing = new Map<number, number>();
  fs.openSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    const fd = (realOpen as (...a: unknown[]) => number)(path, ...rest);
    fdPaths.set(fd, String(path));
    failing.delete(fd);
    if (fault.kind === "enospc-write" && matches(path) && ++count === fault.n) failing.set(fd, 0);
    return fd;
  }) as typeof fs.openSync;

  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    const writes = failing.get(fd);
    if (writes !== undefined) {
      failing.set(fd, writes + 1);
      if (writes + 1 === 2) throw enospc("write", fdPaths.get(fd) ?? "");
    }
    return (realWrite as (...a: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;

  syncBuiltinESMExports();
}

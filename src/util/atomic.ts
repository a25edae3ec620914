/** Writes that never leave a half-written file behind: temp file, fsync, rename. */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";

/** A unique temp path in the same directory (rename is only atomic within a filesystem). */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, "w");
  try {
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    // A full disk reports only "ENOSPC: no space left on device, write": name the file.
    throw new Error(`${path}: cannot write ${tmp}: ${(e as Error).message}`, { cause: e });
  }
  closeSync(fd);
  renameSync(tmp, path);
}

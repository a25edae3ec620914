import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

/** A fresh temp directory, removed by the returned cleanup function. */
export function tempDir(): { dir: string; file: (name: string, content: string | Uint8Array) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "xling-data-"));
  return {
    dir,
    file(name: string, content: string | Uint8Array): string {
      const p = join(dir, name);
      const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
      writeFileSync(p, name.endsWith(".gz") ? gzipSync(bytes) : bytes);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Bytes of `before`, an invalid UTF-8 sequence, then `after`. */
export function withInvalidUtf8(before: string, after: string): Buffer {
  return Buffer.concat([Buffer.from(before, "utf8"), Buffer.from([0xc3, 0x28]), Buffer.from(after, "utf8")]);
}

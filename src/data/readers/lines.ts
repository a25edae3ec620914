/**
 * Streaming line source shared by every reader. Lines are split on raw bytes
 * and each line is decoded with a fatal UTF-8 decoder, so invalid UTF-8 is
 * reported with its exact line number (readline would silently substitute
 * U+FFFD). Files ending in `.gz`, `.zst` or `.xz` are decompressed on the fly
 * (see decompress.ts); nothing is ever loaded whole.
 */
import type { Readable } from "node:stream";
import { DataError } from "../errors.js";
import { openDecompressed } from "./decompress.js";

export interface RawLine {
  /** 1-based line number. */
  lineNo: number;
  /** Decoded text without the line terminator, or null when not valid UTF-8. */
  text: string | null;
}

const NEWLINE = 0x0a;
const CR = 0x0d;

function openByteStream(path: string): Readable {
  return openDecompressed(path);
}

export async function* readLines(path: string): AsyncGenerator<RawLine> {
  // ignoreBOM keeps the decoder from eating a U+FEFF at the start of every
  // line; only a BOM at the very start of the file is dropped.
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let lineNo = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const decode = (bytes: Uint8Array): RawLine => {
    lineNo++;
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CR) end--;
    let text: string | null;
    try {
      text = decoder.decode(bytes.subarray(0, end));
    } catch {
      text = null;
    }
    if (lineNo === 1 && text !== null && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { lineNo, text };
  };

  let stream: Readable;
  try {
    stream = openByteStream(path);
  } catch (e) {
    throw new DataError(path, undefined, `cannot open: ${(e as Error).message}`);
  }
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(NEWLINE, start);
        if (nl < 0) break;
        let line: Uint8Array = chunk.subarray(start, nl);
        if (pendingBytes > 0) {
          pending.push(chunk.subarray(start, nl));
          line = Buffer.concat(pending, pendingBytes + (nl - start));
          pending = [];
          pendingBytes = 0;
        }
        yield decode(line);
        start = nl + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
    }
  } catch (e) {
    if (e instanceof DataError) throw e;
    // System errors (missing file, permissions) concern the file; anything
    // else (e.g. corrupt gzip data) is located at the line being read.
    const sys = typeof (e as NodeJS.ErrnoException).errno === "number" && (e as NodeJS.ErrnoException).syscall !== undefined;
    throw new DataError(path, sys ? undefined : lineNo + 1, `read failed: ${(e as Error).message}`);
  } finally {
    stream.destroy();
  }
  if (pendingBytes > 0) yield decode(Buffer.concat(pending, pendingBytes));
}

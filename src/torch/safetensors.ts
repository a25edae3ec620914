// safetensors files: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw bytes. Writes are atomic (temp
// file, fsync, rename) so an interrupted write never replaces a good file; reads
// validate the header fully before trusting any offset or allocating: unique names,
// sizes matching dtype x shape, and byte ranges that tile the data region exactly (no
// gaps, overlaps or trailing bytes, as the format requires). A file saved with
// `checksum: true` carries a SHA-256 of its header entries and data in the metadata
// key `xling.sha256`, verified on every full load.
import { createHash, type Hash } from "node:crypto";
import { closeSync, fsyncSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { type DType, DTYPE_BYTES } from "./dtype.js";
import { Tensor, fromBytes } from "./tensor.js";

const TO_ST: Record<DType, string> = {
  float32: "F32", float64: "F64", float16: "F16", bfloat16: "BF16", int64: "I64", int32: "I32",
  int16: "I16", int8: "I8", uint8: "U8", bool: "BOOL",
};
const FROM_ST: Record<string, DType> = Object.fromEntries(Object.entries(TO_ST).map(([k, v]) => [v, k as DType]));

/** Header size limit, as in the reference implementation: guards against absurd lengths. */
const MAX_HEADER = 100 * 1024 * 1024;
/** Limits checked before anything is allocated for a tensor. */
const MAX_DIMS = 64;
/** The metadata key holding the file's checksum. */
export const CHECKSUM_KEY = "xling.sha256";

export class SafetensorsError extends Error {
  constructor(path: string, msg: string) {
    super(`${path}: ${msg}`);
    this.name = "SafetensorsError";
  }
}

export interface TensorEntry {
  dtype: DType;
  shape: number[];
  /** Absolute byte offsets in the file. */
  start: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorEntry>;
  metadata: Record<string, string>;
}

/** Writes tensors (and string metadata) atomically to path. */
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {},
  opts: { checksum?: boolean } = {}): void {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  const payloads: Uint8Array[] = [];
  const described = new Map<string, TensorEntry>();
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error("'__metadata__' is reserved in safetensors");
    const bytes = t.toBytes();
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    described.set(name, { dtype: t.dtype, shape: t.shape, start: offset, end: offset + bytes.byteLength });
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  const meta = { ...metadata };
  delete meta[CHECKSUM_KEY];
  if (opts.checksum) {
    const hash = startDigest(described, meta, 0);
    for (const p of payloads) hash.update(p);
    meta[CHECKSUM_KEY] = hash.digest("hex");
  }
  if (Object.keys(meta).length) header.__metadata__ = meta;
  // __metadata__ first, as other writers do (key order is not significant to readers).
  const ordered = header.__metadata__ ? { __metadata__: header.__metadata__, ...header } : header;
  let json = JSON.stringify(ordered);
  // Pad the header with spaces so the data starts 8-byte aligned.
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, "utf8");
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(headerBytes.byteLength));

  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeAll(fd, len);
    writeAll(fd, headerBytes);
    for (const p of payloads) writeAll(fd, p);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    // A full disk reports only "ENOSPC: no space left on device, write": name the file.
    const code = (e as NodeJS.ErrnoException).code;
    throw code ? new SafetensorsError(path, `cannot write ${tmp}: ${(e as Error).message}`) : e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  syncDir(dirname(path));
}

function writeAll(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.byteLength) done += writeSync(fd, data, done, data.byteLength - done);
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try { fsyncSync(fd); } finally { closeSync(fd); }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** Reads and validates the header only. */
export function readSafetensorsHeader(path: string): SafetensorsHeader {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    const { tensors, metadata } = parseHeader(path, fd, size);
    return { tensors, metadata };
  } finally {
    closeSync(fd);
  }
}

/**
 * The top-level keys of a JSON object text, in order, duplicates included (JSON.parse
 * keeps only the last of duplicate keys, which would let a file name two tensors alike).
 */
export function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (depth === 1 && expectKey) {
        keys.push(JSON.parse(text.slice(i, j + 1)) as string);
        expectKey = false;
      }
      i = j;
    } else if (c === "{" || c === "[") {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === "}" || c === "]") depth--;
    else if (c === "," && depth === 1) expectKey = true;
  }
  return keys;
}

/** The digest of the header's tensor entries and metadata (checksum excluded), before the data is added. */
function startDigest(tensors: Map<string, TensorEntry>, metadata: Record<string, string>, base: number): Hash {
  const entries = [...tensors.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([name, e]) => [name, TO_ST[e.dtype], e.shape, [e.start - base, e.end - base]]);
  const meta = Object.entries(metadata).filter(([k]) => k !== CHECKSUM_KEY).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return createHash("sha256").update(JSON.stringify([entries, meta]));
}

function parseHeader(path: string, fd: number, size: number): SafetensorsHeader & { base: number } {
  const bad = (msg: string) => new SafetensorsError(path, msg);
  if (size < 8) throw bad(`file is ${size} bytes, too short for a safetensors header (truncated?)`);
  const lenBuf = Buffer.alloc(8);
  readSync(fd, lenBuf, 0, 8, 0);
  const n = lenBuf.readBigUInt64LE();
  if (n > BigInt(MAX_HEADER)) throw bad(`header length ${n} is implausible (corrupted file?)`);
  const headerLen = Number(n);
  if (8 + headerLen > size) throw bad(`header length ${headerLen} runs past the end of the ${size}-byte file (truncated?)`);
  const hb = Buffer.alloc(headerLen);
  readSync(fd, hb, 0, headerLen, 8);
  const text = hb.toString("utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad("header is not a JSON object");
  const keys = topLevelKeys(text);
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw bad(`the header names '${k}' twice`);
    seen.add(k);
  }
  const base = 8 + headerLen;
  const dataLen = size - base;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (value === null || typeof value !== "object" || Array.isArray(value)) throw bad("__metadata__ is not an object");
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        if (typeof v !== "string") throw bad(`__metadata__.${k} is not a string`);
      metadata = value as Record<string, string>;
      continue;
    }
    const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e?.dtype !== "string" || !(e.dtype in FROM_ST)) throw bad(`tensor '${name}': unknown dtype ${JSON.stringify(e?.dtype)}`);
    const dtype = FROM_ST[e.dtype];
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(`tensor '${name}': shape must be an array of non-negative integers`);
    if (e.shape.length > MAX_DIMS) throw bad(`tensor '${name}': ${e.shape.length} dimensions (at most ${MAX_DIMS})`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1])
      throw bad(`tensor '${name}': data_offsets must be [start, end] with 0 <= start <= end`);
    if (off[1] > dataLen) throw bad(`tensor '${name}': bytes ${off[0]}..${off[1]} lie outside the ${dataLen}-byte data section (truncated?)`);
    const shape = e.shape as number[];
    // Computed in doubles: a product past 2^53 cannot match any real byte range.
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (off[1] - off[0] !== expected)
      throw bad(`tensor '${name}': ${off[1] - off[0]} bytes do not match shape [${shape}] of ${e.dtype} (${expected} bytes)`);
    tensors.set(name, { dtype, shape, start: base + off[0], end: base + off[1] });
  }
  // The byte ranges must tile the data region: sorted by start, each begins where the
  // previous ends, the first at 0 and the last at the end of the file.
  const sorted = [...tensors.entries()].sort((a, b) => a[1].start - b[1].start || a[1].end - b[1].end);
  let at = base;
  for (const [name, e] of sorted) {
    if (e.start < at) throw bad(`tensor '${name}' (bytes ${e.start - base}..${e.end - base}) overlaps the tensor before it`);
    if (e.start > at) throw bad(`tensor '${name}' starts at byte ${e.start - base}, leaving unclaimed bytes ${at - base}..${e.start - base}`);
    at = e.end;
  }
  if (at !== size) throw bad(`${size - at} trailing bytes after the last tensor (bytes ${at - base}..${dataLen} of the data section belong to no tensor)`);
  return { tensors, metadata, base };
}

function checksumMismatch(path: string): SafetensorsError {
  return new SafetensorsError(path, "checksum mismatch: the file's data or header was altered or damaged after it was written");
}

/** Verifies the file's checksum (reading it whole); false when it has none. Throws on a mismatch. */
export function verifySafetensors(path: string): boolean {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    const header = parseHeader(path, fd, size);
    const want = header.metadata[CHECKSUM_KEY];
    if (want === undefined) return false;
    const hash = startDigest(header.tensors, header.metadata, header.base);
    const chunk = Buffer.alloc(Math.min(8 << 20, Math.max(1, size - header.base)));
    for (let pos = header.base; pos < size;) {
      const got = readSync(fd, chunk, 0, Math.min(chunk.byteLength, size - pos), pos);
      if (got <= 0) throw new SafetensorsError(path, "short read");
      hash.update(chunk.subarray(0, got));
      pos += got;
    }
    if (hash.digest("hex") !== want) throw checksumMismatch(path);
    return true;
  } finally {
    closeSync(fd);
  }
}

/** Loads every tensor (or those named in `only`) after validating the header. */
export function loadSafetensors(path: string, only?: (name: string) => boolean): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    const header = parseHeader(path, fd, size);
    // A checksummed file loaded whole is verified as it is read (tensors in file order tile the data).
    const want = only ? undefined : header.metadata[CHECKSUM_KEY];
    const hash = want !== undefined ? startDigest(header.tensors, header.metadata, header.base) : null;
    const tensors = new Map<string, Tensor>();
    try {
      for (const [name, e] of [...header.tensors.entries()].sort((a, b) => a[1].start - b[1].start || a[1].end - b[1].end)) {
        if (only && !only(name)) continue;
        const buf = Buffer.alloc(e.end - e.start);
        if (buf.byteLength > 0 && readSync(fd, buf, 0, buf.byteLength, e.start) !== buf.byteLength)
          throw new SafetensorsError(path, `tensor '${name}': short read`);
        hash?.update(buf);
        tensors.set(name, fromBytes(buf, e.dtype, e.shape));
      }
      if (hash && hash.digest("hex") !== want) throw checksumMismatch(path);
    } catch (e) {
      for (const t of tensors.values()) t.dispose();
      throw e;
    }
    // Callers see the tensors in the header's order.
    const ordered = new Map<string, Tensor>();
    for (const name of header.tensors.keys()) if (tensors.has(name)) ordered.set(name, tensors.get(name)!);
    return { tensors: ordered, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

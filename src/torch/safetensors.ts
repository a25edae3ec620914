// safetensors files: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw bytes. Writes are atomic (temp
// file, fsync, rename) so an interrupted write never replaces a good file; reads
// validate the header fully before trusting any offset.
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
export function saveSafetensors(path: string, tensors: Map<string, Tensor> | Record<string, Tensor>, metadata: Record<string, string> = {}): void {
  const entries = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors);
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of entries) {
    if (name === "__metadata__") throw new Error("'__metadata__' is reserved in safetensors");
    const bytes = t.toBytes();
    header[name] = { dtype: TO_ST[t.dtype], shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
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
    throw e;
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
    return parseHeader(path, fd, size);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(path: string, fd: number, size: number): SafetensorsHeader {
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
  let raw: unknown;
  try {
    raw = JSON.parse(hb.toString("utf8"));
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw bad("header is not a JSON object");
  const base = 8 + headerLen;
  const dataLen = size - base;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (value === null || typeof value !== "object") throw bad("__metadata__ is not an object");
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
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[0] > off[1])
      throw bad(`tensor '${name}': data_offsets must be [start, end] with 0 <= start <= end`);
    if (off[1] > dataLen) throw bad(`tensor '${name}': bytes ${off[0]}..${off[1]} lie outside the ${dataLen}-byte data section (truncated?)`);
    const shape = e.shape as number[];
    const expected = shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[dtype];
    if (off[1] - off[0] !== expected)
      throw bad(`tensor '${name}': ${off[1] - off[0]} bytes do not match shape [${shape}] of ${e.dtype} (${expected} bytes)`);
    tensors.set(name, { dtype, shape, start: base + off[0], end: base + off[1] });
  }
  const sorted = [...tensors.entries()].sort((a, b) => a[1].start - b[1].start);
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i][1].start < sorted[i - 1][1].end && sorted[i][1].end > sorted[i][1].start)
      throw bad(`tensors '${sorted[i - 1][0]}' and '${sorted[i][0]}' overlap`);
  return { tensors, metadata };
}

/** Loads every tensor (or those named in `only`) after validating the header. */
export function loadSafetensors(path: string, only?: (name: string) => boolean): { tensors: Map<string, Tensor>; metadata: Record<string, string> } {
  const size = statSync(path).size;
  const fd = openSync(path, "r");
  try {
    const header = parseHeader(path, fd, size);
    const tensors = new Map<string, Tensor>();
    for (const [name, e] of header.tensors) {
      if (only && !only(name)) continue;
      const buf = Buffer.alloc(e.end - e.start);
      if (buf.byteLength > 0 && readSync(fd, buf, 0, buf.byteLength, e.start) !== buf.byteLength)
        throw new SafetensorsError(path, `tensor '${name}': short read`);
      tensors.set(name, fromBytes(buf, e.dtype, e.shape));
    }
    return { tensors, metadata: header.metadata };
  } finally {
    closeSync(fd);
  }
}

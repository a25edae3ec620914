/**
 * Binary token cache: a flat run of token ids on disk.
 *
 * Layout (all little-endian):
 *   bytes 0..7    magic "XLTOKENS"
 *   bytes 8..11   format version (uint32, currently 1)
 *   bytes 12..15  dtype code (uint32): 1 = uint16, 2 = int32
 *   bytes 16..23  token count (uint64)
 *   bytes 24..31  reserved, zero
 *   bytes 32..    the ids, 2 or 4 bytes each
 *
 * The writer streams to a temp file and renames it into place only when
 * complete, so a crash never leaves a truncated cache under the final name.
 * The reader uses positioned reads on a file descriptor, so a cache larger
 * than memory can be read in chunks or at random offsets.
 */
import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { tempPathFor } from "../util/atomic.js";
import { DataError } from "./errors.js";

export type TokenDtype = "uint16" | "int32";

export const TOKEN_CACHE_MAGIC = "XLTOKENS";
export const TOKEN_CACHE_VERSION = 1;
export const TOKEN_CACHE_HEADER_BYTES = 32;

const DTYPE_CODES: Record<TokenDtype, number> = { uint16: 1, int32: 2 };
const DTYPE_WIDTH: Record<TokenDtype, number> = { uint16: 2, int32: 4 };

function encodeHeader(dtype: TokenDtype, count: number): Buffer {
  const h = Buffer.alloc(TOKEN_CACHE_HEADER_BYTES);
  h.write(TOKEN_CACHE_MAGIC, 0, "latin1");
  h.writeUInt32LE(TOKEN_CACHE_VERSION, 8);
  h.writeUInt32LE(DTYPE_CODES[dtype], 12);
  h.writeBigUInt64LE(BigInt(count), 16);
  return h;
}

export class TokenCacheWriter {
  private readonly tmpPath: string;
  private fd: number | null;
  private readonly width: number;
  private readonly staging: Buffer;
  private staged = 0;
  private written = 0;

  constructor(readonly path: string, readonly dtype: TokenDtype = "int32", stagingBytes = 1 << 20) {
    if (!(dtype in DTYPE_CODES)) throw new TypeError(`unknown token dtype ${String(dtype)}`);
    this.width = DTYPE_WIDTH[dtype];
    this.staging = Buffer.alloc(Math.max(stagingBytes - (stagingBytes % 4), 4));
    this.tmpPath = tempPathFor(path);
    this.fd = openSync(this.tmpPath, "w");
    // Placeholder header; the real count is written on close.
    this.writeAll(encodeHeader(dtype, 0), 0);
  }

  /** Number of ids written so far. */
  get count(): number {
    return this.written;
  }

  write(ids: ArrayLike<number>): void {
    const fd = this.requireOpen();
    const max = this.dtype === "uint16" ? 0xffff : 0x7fffffff;
    const min = this.dtype === "uint16" ? 0 : -0x80000000;
    for (let i = 0; i < ids.length; i++) {
      const v = ids[i]!;
      if (!Number.isInteger(v) || v < min || v > max) {
        this.abort();
        throw new RangeError(`token id ${v} does not fit dtype ${this.dtype} (writing ${this.path})`);
      }
      if (this.staged + this.width > this.staging.length) this.flushStaging(fd);
      if (this.width === 2) this.staging.writeUInt16LE(v, this.staged);
      else this.staging.writeInt32LE(v, this.staged);
      this.staged += this.width;
      this.written++;
    }
  }

  /** Finishes the file and moves it to its final path. */
  close(): void {
    const fd = this.requireOpen();
    this.flushStaging(fd);
    this.writeAll(encodeHeader(this.dtype, this.written), 0);
    fsyncSync(fd);
    closeSync(fd);
    this.fd = null;
    renameSync(this.tmpPath, this.path);
  }

  /** Discards the partial file; the final path is left untouched. */
  abort(): void {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    rmSync(this.tmpPath, { force: true });
  }

  private requireOpen(): number {
    if (this.fd === null) throw new Error(`token cache writer for ${this.path} is closed`);
    return this.fd;
  }

  private flushStaging(fd: number): void {
    if (this.staged === 0) return;
    const position = TOKEN_CACHE_HEADER_BYTES + (this.written - this.staged / this.width) * this.width;
    this.writeAll(this.staging.subarray(0, this.staged), position, fd);
    this.staged = 0;
  }

  private writeAll(bytes: Uint8Array, position: number, fd = this.requireOpen()): void {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
  }
}

/**
 * Writes documents into a cache with `separatorId` between consecutive
 * documents, the layout a packed sequence stream expects.
 */
export function writeDocumentsToCache(
  path: string,
  docs: Iterable<ArrayLike<number>>,
  opts: { separatorId: number; dtype?: TokenDtype },
): number {
  const w = new TokenCacheWriter(path, opts.dtype ?? "int32");
  try {
    let first = true;
    for (const doc of docs) {
      if (!first) w.write([opts.separatorId]);
      w.write(doc);
      first = false;
    }
  } catch (e) {
    w.abort();
    throw e;
  }
  const n = w.count;
  w.close();
  return n;
}

export class TokenCacheReader {
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    readonly dtype: TokenDtype,
    readonly count: number,
  ) {
    this.fd = fd;
  }

  static open(path: string): TokenCacheReader {
    let fd: number;
    try {
      fd = openSync(path, "r");
    } catch (e) {
      throw new DataError(path, undefined, `cannot open token cache: ${(e as Error).message}`);
    }
    try {
      const size = fstatSync(fd).size;
      const h = Buffer.alloc(TOKEN_CACHE_HEADER_BYTES);
      const got = size >= h.length ? readSync(fd, h, 0, h.length, 0) : 0;
      if (got < h.length) throw new DataError(path, undefined, `not a token cache: shorter than its ${h.length}-byte header`);
      if (h.toString("latin1", 0, 8) !== TOKEN_CACHE_MAGIC) throw new DataError(path, undefined, "not a token cache: bad magic");
      const version = h.readUInt32LE(8);
      if (version !== TOKEN_CACHE_VERSION) throw new DataError(path, undefined, `unsupported token cache version ${version}`);
      const code = h.readUInt32LE(12);
      const dtype = (Object.keys(DTYPE_CODES) as TokenDtype[]).find((k) => DTYPE_CODES[k] === code);
      if (!dtype) throw new DataError(path, undefined, `unknown dtype code ${code}`);
      const count = Number(h.readBigUInt64LE(16));
      const expected = TOKEN_CACHE_HEADER_BYTES + count * DTYPE_WIDTH[dtype];
      if (size !== expected) {
        throw new DataError(path, undefined, `size ${size} bytes does not match header (${count} ${dtype} ids need ${expected}); truncated or corrupt`);
      }
      return new TokenCacheReader(path, fd, dtype, count);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /** Reads `length` ids starting at id `offset`. */
  read(offset: number, length: number): Int32Array {
    const fd = this.requireOpen();
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.count) {
      throw new RangeError(`read(${offset}, ${length}) outside token cache ${this.path} of ${this.count} ids`);
    }
    const width = DTYPE_WIDTH[this.dtype];
    const bytes = Buffer.alloc(length * width);
    let off = 0;
    const base = TOKEN_CACHE_HEADER_BYTES + offset * width;
    while (off < bytes.length) {
      const n = readSync(fd, bytes, off, bytes.length - off, base + off);
      if (n === 0) throw new DataError(this.path, undefined, "unexpected end of file");
      off += n;
    }
    const out = new Int32Array(length);
    if (width === 2) for (let i = 0; i < length; i++) out[i] = bytes.readUInt16LE(2 * i);
    else for (let i = 0; i < length; i++) out[i] = bytes.readInt32LE(4 * i);
    return out;
  }

  /** Sequential chunks of at most `chunkSize` ids. */
  *chunks(chunkSize = 1 << 20): Generator<Int32Array> {
    if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
    for (let off = 0; off < this.count; off += chunkSize) yield this.read(off, Math.min(chunkSize, this.count - off));
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private requireOpen(): number {
    if (this.fd === null) throw new Error(`token cache ${this.path} is closed`);
    return this.fd;
  }
}

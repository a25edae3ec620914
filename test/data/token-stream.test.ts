import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TOKEN_CACHE_HEADER_BYTES, TokenCacheReader, TokenCacheWriter, writeDocumentsToCache } from "../../src/data/token-cache.js";
import { PackedSequenceStream, SequencePacker, packDocuments } from "../../src/data/pack.js";
import { DataError } from "../../src/data/errors.js";
import { Rng } from "../../src/util/rng.js";
import { collect, tempDir } from "./helpers.js";

const tmp = tempDir();
after(() => tmp.cleanup());

function randomIds(n: number, max: number, seed: number): Int32Array {
  const r = new Rng(seed);
  return Int32Array.from({ length: n }, () => r.int(max));
}

test("token cache round trip (int32 and uint16), header layout, chunks and random access", () => {
  for (const dtype of ["int32", "uint16"] as const) {
    const path = join(tmp.dir, `ids.${dtype}.bin`);
    const ids = randomIds(10_007, dtype === "uint16" ? 65536 : 2 ** 31, 3);
    if (dtype === "int32") ids[5] = -7;
    // A small staging buffer forces many flushes.
    const w = new TokenCacheWriter(path, dtype, 64);
    w.write(ids.subarray(0, 5000));
    assert.equal(existsSync(path), false, "final path must not exist before close");
    w.write(ids.subarray(5000));
    w.close();

    const raw = readFileSync(path);
    const width = dtype === "uint16" ? 2 : 4;
    assert.equal(raw.length, TOKEN_CACHE_HEADER_BYTES + ids.length * width);
    assert.equal(raw.toString("latin1", 0, 8), "XLTOKENS");
    assert.equal(raw.readUInt32LE(8), 1);
    assert.equal(raw.readUInt32LE(12), dtype === "uint16" ? 1 : 2);
    assert.equal(Number(raw.readBigUInt64LE(16)), ids.length);
    // Raw ids are little-endian after the header.
    const first = dtype === "uint16" ? raw.readUInt16LE(32) : raw.readInt32LE(32);
    assert.equal(first, ids[0]);

    const r = TokenCacheReader.open(path);
    assert.equal(r.count, ids.length);
    assert.equal(r.dtype, dtype);
    const chunks = [...r.chunks(999)];
    assert.equal(chunks.length, Math.ceil(ids.length / 999));
    const joined = new Int32Array(ids.length);
    let off = 0;
    for (const c of chunks) {
      joined.set(c, off);
      off += c.length;
    }
    assert.deepEqual(joined, ids);
    assert.deepEqual(r.read(4321, 17), ids.subarray(4321, 4338));
    assert.throws(() => r.read(ids.length - 2, 3), RangeError);
    r.close();
  }
  // Only final files remain: temp files were renamed away.
  assert.ok(readdirSync(tmp.dir).every((f) => !f.endsWith(".tmp")));
});

test("token cache rejects ids that do not fit and leaves no file", () => {
  const path = join(tmp.dir, "overflow.bin");
  const w = new TokenCacheWriter(path, "uint16");
  assert.throws(() => w.write([1, 70000]), /does not fit dtype uint16/);
  assert.equal(existsSync(path), false);
  assert.ok(readdirSync(tmp.dir).every((f) => !f.startsWith("overflow.bin")));
});

test("token cache reader reports truncation, bad magic and short files", () => {
  const path = join(tmp.dir, "trunc.bin");
  writeDocumentsToCache(path, [[1, 2, 3, 4]], { separatorId: 0 });
  truncateSync(path, TOKEN_CACHE_HEADER_BYTES + 6);
  assert.throws(() => TokenCacheReader.open(path), (e: unknown) => e instanceof DataError && /truncated/.test(e.message) && e.message.includes(path));
  const bad = join(tmp.dir, "bad.bin");
  writeFileSync(bad, Buffer.alloc(40));
  assert.throws(() => TokenCacheReader.open(bad), /bad magic/);
  const short = join(tmp.dir, "short.bin");
  writeFileSync(short, "XLTOK");
  assert.throws(() => TokenCacheReader.open(short), /shorter than/);
});

test("packing puts separators between documents and handles the tail", async () => {
  const docs = [[1, 2, 3], [4, 5], [6, 7, 8, 9]];
  const dropped = await collect(packDocuments(docs, { seqLen: 3, separatorId: 0 }));
  // Stream: 1 2 3 0 4 5 0 6 7 8 9 -> sequences of 4, tail "3 dropped ids".
  assert.deepEqual(dropped.map((s) => Array.from(s)), [[1, 2, 3, 0], [4, 5, 0, 6]]);
  const padded = await collect(packDocuments(docs, { seqLen: 3, separatorId: 0, tail: "pad", padId: -1 }));
  assert.deepEqual(padded.map((s) => Array.from(s)), [[1, 2, 3, 0], [4, 5, 0, 6], [7, 8, 9, -1]]);
  const packer = new SequencePacker({ seqLen: 3, separatorId: 0 });
  for (const d of docs) packer.push(d);
  packer.finish();
  assert.equal(packer.droppedTail, 3);
  assert.throws(() => new SequencePacker({ seqLen: 0, separatorId: 0 }));
});

function makeStreamCache(name: string): string {
  const path = join(tmp.dir, name);
  const r = new Rng(11);
  const docs = Array.from({ length: 200 }, () => randomIds(1 + r.int(40), 1000, r.next()).map((x) => x + 1));
  writeDocumentsToCache(path, docs, { separatorId: 0 });
  return path;
}

test("packed stream visits every sequence once per epoch in a seeded order", () => {
  const path = makeStreamCache("stream.bin");
  const cache = TokenCacheReader.open(path);
  const s = new PackedSequenceStream(cache, 15, 99);
  const n = s.numSequences;
  assert.equal(n, Math.floor(cache.count / 16));
  const epoch0 = Array.from({ length: n }, () => s.nextSequence());
  const epoch1 = Array.from({ length: n }, () => s.nextSequence());
  const sorted = (xs: { index: number }[]) => xs.map((x) => x.index).sort((a, b) => a - b);
  assert.deepEqual(sorted(epoch0), Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(sorted(epoch1), sorted(epoch0));
  assert.notDeepEqual(epoch0.map((x) => x.index), epoch1.map((x) => x.index));
  assert.ok(epoch1.every((x) => x.epoch === 1));
  // Each row is the cache slice its index names.
  const some = epoch0[3]!;
  assert.deepEqual(some.tokens, cache.read(some.index * 16, 16));
  const other = new PackedSequenceStream(cache, 15, 100);
  assert.notDeepEqual(other.nextBatch(8).sequenceIndices, new PackedSequenceStream(cache, 15, 99).nextBatch(8).sequenceIndices);
  cache.close();
});

test("stopping a packed stream and restoring its state gives identical batches, across epochs", () => {
  const path = makeStreamCache("resume.bin");
  const cacheA = TokenCacheReader.open(path);
  const a = new PackedSequenceStream(cacheA, 15, 5);
  const perEpoch = a.numSequences;
  // Stop mid-epoch, in a batch that will straddle the epoch boundary later.
  for (let i = 0; i < Math.floor(perEpoch / 7) - 1; i++) a.nextBatch(7);
  const saved = JSON.parse(JSON.stringify(a.state()));
  const expected = Array.from({ length: 6 }, () => a.nextBatch(7));
  assert.ok(expected.some((b) => b.epochs.includes(1)), "the continuation should cross into epoch 1");

  const cacheB = TokenCacheReader.open(path);
  const b = new PackedSequenceStream(cacheB, 15, 5);
  b.restore(saved);
  const actual = Array.from({ length: 6 }, () => b.nextBatch(7));
  assert.deepEqual(actual, expected);
  assert.throws(() => new PackedSequenceStream(cacheB, 15, 6).restore(saved), /does not match/);

  // A state saved in a later epoch restores into a fresh stream still at epoch 0.
  for (let i = 0; i < perEpoch; i++) a.nextSequence();
  const later = a.state();
  assert.ok(later.epoch >= 1);
  const laterExpected = Array.from({ length: 3 }, () => a.nextBatch(5));
  const c = new PackedSequenceStream(cacheB, 15, 5);
  c.restore(later);
  assert.deepEqual(Array.from({ length: 3 }, () => c.nextBatch(5)), laterExpected);
  cacheA.close();
  cacheB.close();
});

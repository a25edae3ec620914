import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync, truncateSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { arange, loadSafetensors, ones, randn, saveSafetensors, tensor, manualSeed } from "../../src/torch/index.js";

const dir = mkdtempSync(join(tmpdir(), "xling-st-"));

function headerBytes(json: object): Buffer {
  const h = Buffer.from(JSON.stringify(json));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return Buffer.concat([len, h]);
}

describe("safetensors", () => {
  it("round-trips tensors of several dtypes, shapes and metadata", () => {
    manualSeed(1);
    const path = join(dir, "a.safetensors");
    const a = randn([3, 4]);
    const b = arange(0, 10);
    const c = tensor([true, false]);
    const d = tensor([1.5, -2], { dtype: "bfloat16" });
    const e = ones([0, 3]);
    saveSafetensors(path, { a, b, c, d, e }, { note: "hello" });
    const { tensors, metadata } = loadSafetensors(path);
    assert.equal(metadata.note, "hello");
    assert.ok(tensors.get("a")!.equal(a));
    assert.ok(tensors.get("b")!.equal(b));
    assert.ok(tensors.get("c")!.equal(c));
    assert.ok(tensors.get("d")!.equal(d));
    assert.deepEqual(tensors.get("e")!.shape, [0, 3]);
    // Data starts 8-byte aligned, as the format recommends.
    const n = Number(readFileSync(path).readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0);
  });

  it("is readable by PyTorch's reference reader layout (little-endian, row-major)", () => {
    const path = join(dir, "layout.safetensors");
    saveSafetensors(path, { x: tensor([[1, 2], [3, 4]], { dtype: "int32" }) });
    const buf = readFileSync(path);
    const n = Number(buf.readBigUInt64LE(0));
    const header = JSON.parse(buf.subarray(8, 8 + n).toString());
    assert.deepEqual(header.x, { dtype: "I32", shape: [2, 2], data_offsets: [0, 16] });
    assert.deepEqual([0, 1, 2, 3].map((i) => buf.readInt32LE(8 + n + 4 * i)), [1, 2, 3, 4]);
  });

  it("rejects truncated files with a message naming the file", () => {
    const path = join(dir, "trunc.safetensors");
    saveSafetensors(path, { a: ones([100]) });
    truncateSync(path, 200);
    assert.throws(() => loadSafetensors(path), (e: Error) => e.message.startsWith(path) && /outside|truncated/.test(e.message));
    truncateSync(path, 5);
    assert.throws(() => loadSafetensors(path), /too short/);
  });

  it("rejects corrupted headers: bad JSON, unknown dtype, size mismatch, overlap, huge length", () => {
    const cases: [string, Buffer, RegExp][] = [
      ["json", Buffer.concat([headerBytes({}).subarray(0, 8), Buffer.from("{not json")]), /not valid JSON|past the end/],
      ["dtype", Buffer.concat([headerBytes({ a: { dtype: "Q7", shape: [1], data_offsets: [0, 4] } }), Buffer.alloc(4)]), /unknown dtype/],
      ["size", Buffer.concat([headerBytes({ a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }), Buffer.alloc(4)]), /do not match shape/],
      ["overlap", Buffer.concat([headerBytes({ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] }, b: { dtype: "F32", shape: [2], data_offsets: [4, 12] } }), Buffer.alloc(12)]), /overlap/],
      ["negative", Buffer.concat([headerBytes({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }), Buffer.alloc(4)]), /non-negative/],
    ];
    for (const [name, bytes, re] of cases) {
      const path = join(dir, `bad-${name}.safetensors`);
      writeFileSync(path, bytes);
      assert.throws(() => loadSafetensors(path), re, name);
    }
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(1n << 60n);
    writeFileSync(join(dir, "huge.safetensors"), huge);
    assert.throws(() => loadSafetensors(join(dir, "huge.safetensors")), /implausible/);
  });

  it("a failed write leaves the previous file intact and no temp file behind", () => {
    const path = join(dir, "keep.safetensors");
    saveSafetensors(path, { a: ones([4]) });
    const before = readFileSync(path);
    const gone = ones([3]);
    gone.dispose();
    assert.throws(() => saveSafetensors(path, { a: ones([4]).mul(2), b: gone }), /disposed/);
    assert.deepEqual(readFileSync(path), before);
    assert.ok(existsSync(path));
    assert.deepEqual(readdirSync(dir).filter((f) => f.includes(".tmp-")), []);
  });
});

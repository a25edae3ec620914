// Hand-made hostile safetensors files: one per rule of the format the reader enforces.
// Each must be refused with an error naming the file, before any tensor is allocated.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadSafetensors, ones, saveSafetensors, tensor, verifySafetensors, zeros } from "../../src/torch/index.js";
import { topLevelKeys } from "../../src/torch/safetensors.js";

const dir = mkdtempSync(join(tmpdir(), "xling-st-hostile-"));

/** A file from a header given as raw JSON text (so duplicate keys survive) and a data section. */
function file(name: string, headerText: string, data: Buffer | number): string {
  const h = Buffer.from(headerText);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const path = join(dir, `${name}.safetensors`);
  writeFileSync(path, Buffer.concat([len, h, typeof data === "number" ? Buffer.alloc(data) : data]));
  return path;
}

const f32 = (shape: number[], start: number, end: number) => ({ dtype: "F32", shape, data_offsets: [start, end] });

function refuses(path: string, re: RegExp): void {
  assert.throws(() => loadSafetensors(path), (e: Error) => e.message.startsWith(path + ":") && re.test(e.message), `${path} must be refused with ${re}`);
}

describe("safetensors reader against hostile files", () => {
  it("refuses a gap between tensors (unclaimed bytes)", () => {
    refuses(file("gap", JSON.stringify({ a: f32([1], 0, 4), b: f32([1], 8, 12) }), 12), /unclaimed bytes 4\.\.8/);
  });

  it("refuses unclaimed bytes before the first tensor", () => {
    refuses(file("lead", JSON.stringify({ a: f32([1], 4, 8) }), 8), /unclaimed bytes 0\.\.4/);
  });

  it("refuses trailing bytes after the last tensor", () => {
    refuses(file("trailing", JSON.stringify({ a: f32([1], 0, 4) }), 5), /1 trailing bytes/);
  });

  it("refuses overlapping tensors, including an overlap through a zero-size tensor", () => {
    refuses(file("overlap", JSON.stringify({ a: f32([2], 0, 8), b: f32([2], 4, 12) }), 12), /overlaps/);
    // The zero-size tensor sits inside a's bytes: a range that belongs to another tensor.
    refuses(file("overlap0", JSON.stringify({ a: f32([2], 0, 8), z: f32([0], 4, 4), b: f32([1], 8, 12) }), 12), /'z'.*overlaps/);
  });

  it("accepts zero-size tensors at a boundary (they tile)", () => {
    const path = file("zero-ok", JSON.stringify({ a: f32([1], 0, 4), z: f32([0, 3], 4, 4), b: f32([1], 4, 8) }), 8);
    const { tensors } = loadSafetensors(path);
    assert.deepEqual(tensors.get("z")!.shape, [0, 3]);
    assert.deepEqual([...tensors.keys()], ["a", "z", "b"]);
  });

  it("refuses duplicate tensor names (JSON.parse would keep the last)", () => {
    refuses(file("dup", `{"a":${JSON.stringify(f32([1], 0, 4))},"a":${JSON.stringify(f32([1], 4, 8))}}`, 8), /names 'a' twice/);
    refuses(file("dupmeta", `{"__metadata__":{},"__metadata__":{"x":"y"},"a":${JSON.stringify(f32([1], 0, 4))}}`, 4), /names '__metadata__' twice/);
  });

  it("refuses sizes that do not match dtype x shape, and shapes whose product overflows", () => {
    refuses(file("size", JSON.stringify({ a: f32([2], 0, 4) }), 4), /do not match shape/);
    refuses(file("overflow", JSON.stringify({ a: f32([2 ** 40, 2 ** 40], 0, 4) }), 4), /do not match shape/);
    refuses(file("dims", JSON.stringify({ a: f32(new Array(65).fill(1), 0, 4) }), 4), /65 dimensions/);
  });

  it("refuses offsets that are not integers, reversed, or past the end", () => {
    refuses(file("frac", JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4.5] } }), 4), /data_offsets/);
    refuses(file("rev", JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [4, 0] } }), 4), /data_offsets/);
    refuses(file("past", JSON.stringify({ a: f32([1], 0, 4) }), 2), /outside the 2-byte data section/);
  });

  it("refuses a header length off by one either way", () => {
    const good = join(dir, "good.safetensors");
    saveSafetensors(good, { a: tensor([1, 2, 3]) });
    const bytes = readFileSync(good);
    const n = bytes.readBigUInt64LE(0);
    for (const delta of [1n, -1n]) {
      const b = Buffer.from(bytes);
      b.writeBigUInt64LE(n + delta);
      const path = join(dir, `len${delta}.safetensors`);
      writeFileSync(path, b);
      refuses(path, /trailing bytes|outside|not valid JSON|unclaimed/);
    }
  });

  it("refuses metadata that is not an object of strings", () => {
    refuses(file("meta-array", JSON.stringify({ __metadata__: ["x"], a: f32([1], 0, 4) }), 4), /__metadata__ is not an object/);
    refuses(file("meta-num", JSON.stringify({ __metadata__: { step: 5 }, a: f32([1], 0, 4) }), 4), /not a string/);
  });

  it("a checksummed file detects a flipped data byte, a flipped metadata value and a changed shape", () => {
    const path = join(dir, "sum.safetensors");
    saveSafetensors(path, { a: ones([2, 3]), b: zeros([4], "int64") }, { step: "10" }, { checksum: true });
    assert.equal(verifySafetensors(path), true);
    assert.equal(loadSafetensors(path).metadata.step, "10");
    const bytes = readFileSync(path);
    const n = Number(bytes.readBigUInt64LE(0));

    const flipped = Buffer.from(bytes);
    flipped[8 + n + 5] ^= 0x01;
    writeFileSync(path, flipped);
    refuses(path, /checksum mismatch/);
    assert.throws(() => verifySafetensors(path), /checksum mismatch/);

    // The same length, another step: only the checksum can tell.
    const meta = Buffer.from(bytes.toString("latin1").replace('"step":"10"', '"step":"19"'), "latin1");
    writeFileSync(path, meta);
    refuses(path, /checksum mismatch/);

    // a as [3, 2] instead of [2, 3]: the same bytes, the same tiling.
    const shape = Buffer.from(bytes.toString("latin1").replace('"shape":[2,3]', '"shape":[3,2]'), "latin1");
    writeFileSync(path, shape);
    refuses(path, /checksum mismatch/);
  });

  it("finds duplicate top-level keys but not nested ones or keys inside strings", () => {
    assert.deepEqual(topLevelKeys('{"a":{"a":1,"b":[{"c":2}]},"b\\"x":"{\\"a\\":1}","c":[1,2]}'), ["a", 'b"x', "c"]);
  });
});

// TensorBoard event files read back by a reader of the format written here from its
// description: TFRecord framing (uint64 length, masked CRC32C of the length, data,
// masked CRC32C of the data) checked with a bitwise CRC32C, and the Event / Summary
// protocol buffers decoded field by field.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";

import { appendScalars, eventFiles, markResume } from "../../src/run/tensorboard.js";
import { parseExperiment } from "../../src/studies/clone-imbalance/spec.js";
import { parseBalanceExperiment } from "../../src/studies/language-balance/spec.js";
import { runExperiment } from "../../src/studies/runner.js";
import { readMetrics } from "../../src/run/metrics.js";
import { TEST_CACHE, tinySpec } from "./fixtures.js";

const root = mkdtempSync(join(tmpdir(), "xling-tb-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one bit at a time. */
function crc32cBitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function masked(bytes: Uint8Array): number {
  const c = crc32cBitwise(bytes);
  return (((c >>> 15) | (c << 17)) + 0xa282ead8) >>> 0;
}

/** Splits a file into records, checking both CRCs of each. */
function records(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    const len = Number(buf.readBigUInt64LE(at));
    assert.equal(buf.readUInt32LE(at + 8), masked(buf.subarray(at, at + 8)), `length CRC of the record at byte ${at}`);
    const data = buf.subarray(at + 12, at + 12 + len);
    assert.equal(buf.readUInt32LE(at + 12 + len), masked(data), `data CRC of the record at byte ${at}`);
    out.push(data);
    at += 16 + len;
  }
  assert.equal(at, buf.length, "the file ends on a record boundary");
  return out;
}

/** A protocol buffer message as field number -> values (varints as bigint, fixed as raw bytes). */
function fields(buf: Uint8Array): Map<number, (bigint | Uint8Array)[]> {
  const out = new Map<number, (bigint | Uint8Array)[]>();
  let at = 0;
  const varint = (): bigint => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = buf[at++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (at < buf.length) {
    const key = varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    let value: bigint | Uint8Array;
    if (wire === 0) value = varint();
    else if (wire === 1) value = buf.subarray(at, (at += 8));
    else if (wire === 5) value = buf.subarray(at, (at += 4));
    else if (wire === 2) {
      const len = Number(varint());
      value = buf.subarray(at, (at += len));
    } else throw new Error(`wire type ${wire}`);
    out.set(num, [...(out.get(num) ?? []), value]);
  }
  return out;
}

interface DecodedEvent {
  wallTime: number;
  step: number;
  fileVersion?: string;
  scalars?: Map<string, number>;
  sessionStatus?: number;
}

function decodeEvent(data: Uint8Array): DecodedEvent {
  const f = fields(data);
  const bytes = (v: bigint | Uint8Array) => v as Uint8Array;
  const ev: DecodedEvent = {
    wallTime: Buffer.from(bytes(f.get(1)![0]!)).readDoubleLE(0),
    step: Number((f.get(2)?.[0] as bigint | undefined) ?? 0n),
  };
  if (f.has(3)) ev.fileVersion = Buffer.from(bytes(f.get(3)![0]!)).toString("utf8");
  if (f.has(5)) {
    ev.scalars = new Map();
    for (const v of fields(bytes(f.get(5)![0]!)).get(1) ?? []) {
      const value = fields(bytes(v));
      ev.scalars.set(Buffer.from(bytes(value.get(1)![0]!)).toString("utf8"), Buffer.from(bytes(value.get(2)![0]!)).readFloatLE(0));
    }
  }
  if (f.has(7)) ev.sessionStatus = Number(fields(bytes(f.get(7)![0]!)).get(1)![0]);
  return ev;
}

function readEvents(path: string): DecodedEvent[] {
  return records(readFileSync(path)).map(decodeEvent);
}

describe("TensorBoard event files", () => {
  it("the bitwise CRC32C gives the standard check value", () => {
    assert.equal(crc32cBitwise(Buffer.from("123456789")), 0xe3069283);
  });

  it("frame scalar summaries with a file_version event first", () => {
    const dir = mkdtempSync(join(root, "direct-"));
    const before = Date.now() / 1000;
    appendScalars(dir, [
      { step: 3, split: "train", name: "loss", lang: null, value: 2.5 },
      { step: 3, split: "train", name: "loss", lang: "en", value: 0.125 },
      { step: 3, split: "train", name: "lr", lang: null, value: 1e-3 },
    ]);
    appendScalars(dir, [{ step: 10, split: "eval", name: "ppl", lang: "de", value: 17.75 }, { step: 10, split: "eval", name: "ppl", lang: "fr", value: Number.NaN }]);
    markResume(dir, 5);
    const files = eventFiles(dir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /events\.out\.tfevents\.\d+\./);
    const events = readEvents(files[0]!);
    assert.equal(events.length, 4);
    assert.equal(events[0]!.fileVersion, "brain.Event:2");
    assert.ok(events[0]!.wallTime >= before - 1 && events[0]!.wallTime <= Date.now() / 1000 + 1);
    assert.equal(events[1]!.step, 3);
    // 2.5 and 0.125 are exact in float32; 1e-3 is rounded to float32.
    assert.deepEqual([...events[1]!.scalars!], [["train/loss", 2.5], ["train/loss/en", 0.125], ["train/lr", Math.fround(1e-3)]]);
    assert.deepEqual([events[2]!.step, [...events[2]!.scalars!]], [10, [["eval/ppl/de", 17.75]]], "a NaN is left out");
    assert.deepEqual([events[3]!.step, events[3]!.sessionStatus], [5, 1], "SessionLog START at the resume step");
  });

  it("rows of other shapes give one scalar per numeric field, nested ones as field/key", () => {
    const dir = mkdtempSync(join(root, "generic-"));
    appendScalars(dir, [{ step: 10, loss: 3.5, langLoss: { en: 0.25, de: 4 }, note: "text is left out" }]);
    const events = readEvents(eventFiles(dir)[0]!);
    assert.deepEqual([events[1]!.step, [...events[1]!.scalars!]], [10, [["loss", 3.5], ["langLoss/en", 0.25], ["langLoss/de", 4]]]);
  });

  it("a flipped byte fails the reader's CRC check", () => {
    const dir = mkdtempSync(join(root, "corrupt-"));
    appendScalars(dir, [{ step: 1, split: "train", name: "loss", lang: null, value: 1 }]);
    const path = eventFiles(dir)[0]!;
    const buf = readFileSync(path);
    buf[buf.length - 6] ^= 0x01;
    writeFileSync(path, buf);
    assert.throws(() => readEvents(path), /data CRC/);
  });

  it("every run writes one beside metrics.jsonl, holding the same values", async () => {
    const expDir = join(root, "exp");
    const summary = await runExperiment(parseExperiment(tinySpec("tb", { base: { ...tinySpec("tb").base, train: { steps: 12, batchSize: 4, warmup: 2, checkpointEvery: 6, threads: 1 } } })), expDir, { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(summary.failed, []);
    const runDir = summary.runs[0]!.dir;
    const files = eventFiles(runDir);
    assert.equal(files.length, 1);
    const scalars = new Map<string, number>();
    for (const ev of readEvents(files[0]!).slice(1)) for (const [tag, v] of ev.scalars ?? []) scalars.set(`${ev.step} ${tag}`, v);
    const rows = readMetrics(runDir);
    assert.ok(rows.length > 12 * 3);
    for (const r of rows) assert.equal(scalars.get(`${r.step} ${r.split}/${r.name}${r.lang === null ? "" : `/${r.lang}`}`), Math.fround(r.value), `${r.step} ${r.name} ${r.lang}`);
    assert.equal(scalars.size, rows.length);
    const tags = new Set([...scalars.keys()].map((k) => k.split(" ")[1]));
    for (const t of ["train/loss", "train/lr", "train/loss/original", "train/loss/clone1", "eval/ppl/original", "eval/ppl/clone1"]) assert.ok(tags.has(t), t);
  });

  it("a language-balancing run logs its balancer's language weights and per-language perplexity", async () => {
    const spec = {
      name: "tb-balance", study: "language-balance",
      base: {
        corpus: { languages: [{ lang: "en", corpus: "udhr", code: "eng", share: 0.8 }, { lang: "fr", corpus: "udhr", code: "fra", share: 0.2 }], validFraction: 0.1, testFraction: 0.1 },
        tokenizer: { vocabSize: 300 },
        model: { size: "custom", dModel: 16, layers: 1, heads: 2, seqLen: 16 },
        train: { steps: 6, batchSize: 8, warmup: 2, checkpointEvery: 3, threads: 1 },
        data: { trainTokens: 2000 },
        balance: { method: "cats", heldOutSequences: 2, cats: { updateInterval: 2 } },
        eval: { every: 3, tokens: 128 },
      },
    };
    const summary = await runExperiment(parseBalanceExperiment(spec), join(root, "balance"), { inProcess: true, progress: false, cacheDir: TEST_CACHE });
    assert.deepEqual(summary.failed, []);
    const runDir = summary.runs[0]!.dir;
    const scalars = new Map<string, number>();
    for (const ev of readEvents(eventFiles(runDir)[0]!).slice(1)) for (const [tag, v] of ev.scalars ?? []) scalars.set(`${ev.step} ${tag}`, v);
    const rows = readMetrics(runDir);
    const weights = rows.filter((r) => r.name === "weight");
    assert.ok(weights.length >= 2 * 6, `${weights.length} weight rows`);
    for (const r of rows) assert.equal(scalars.get(`${r.step} ${r.split}/${r.name}${r.lang === null ? "" : `/${r.lang}`}`), Math.fround(r.value), `${r.step} ${r.name} ${r.lang}`);
    for (const t of ["6 train/weight/en", "6 train/weight/fr", "6 eval/ppl/en", "6 eval/ppl/fr"]) assert.ok(scalars.has(t), t);
  });
});

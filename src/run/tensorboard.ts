// TensorBoard event files beside a run's metrics.jsonl, so TensorBoard (and anything that
// reads its format) shows xling's runs: `tensorboard --logdir runs/<experiment>`.
//
// The file is TFRecord framing around `Event` protocol buffers (tensorflow/core/util/
// event.proto): each record is uint64 length, masked CRC32C of the length bytes, the
// data, masked CRC32C of the data. The first event carries file_version "brain.Event:2";
// each later one a step's scalar summaries (tag "train/loss", "eval/ppl/en", ...). A
// resumed run first writes a SessionLog START at the step it resumes from, which tells
// TensorBoard to drop the events past it that the interrupted process wrote.
import { appendFileSync, existsSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

import { crc32c } from "@aws-crypto/crc32c";
import protobuf from "protobufjs";

// The fields of event.proto and summary.proto that scalars need; the numbers are theirs.
const SummaryValue = new protobuf.Type("Value")
  .add(new protobuf.Field("tag", 1, "string"))
  .add(new protobuf.Field("simpleValue", 2, "float"));
const Summary = new protobuf.Type("Summary").add(new protobuf.Field("value", 1, "Value", "repeated"));
const SessionLog = new protobuf.Type("SessionLog").add(new protobuf.Field("status", 1, "int32"));
const Event = new protobuf.Type("Event")
  .add(new protobuf.Field("wallTime", 1, "double"))
  .add(new protobuf.Field("step", 2, "int64"))
  .add(new protobuf.Field("fileVersion", 3, "string"))
  .add(new protobuf.Field("summary", 5, "Summary"))
  .add(new protobuf.Field("sessionLog", 7, "SessionLog"));
new protobuf.Root().add(SummaryValue).add(Summary).add(SessionLog).add(Event);

const SESSION_START = 1;

/** A metrics.jsonl row: every run's {step, split, name, lang, value}, or any row of numbers by step. */
export interface ScalarRow {
  step: number;
}

/**
 * The (tag, value) pairs of a row. A metric row {split, name, lang, value} is one scalar
 * tagged split/name[/lang] ("train/loss", "eval/ppl/en"); another row (the transfer
 * study's pretraining {step, loss, langLoss: {en: ...}}) gives one scalar per numeric
 * field, nested fields as field/key ("loss", "langLoss/en").
 */
export function scalarsOf(scalarRow: ScalarRow): [string, number][] {
  const row = scalarRow as unknown as Record<string, unknown>;
  if (typeof row.split === "string" && typeof row.name === "string" && typeof row.value === "number")
    return [[typeof row.lang === "string" ? `${row.split}/${row.name}/${row.lang}` : `${row.split}/${row.name}`, row.value]];
  const out: [string, number][] = [];
  for (const [key, v] of Object.entries(row)) {
    if (key === "step") continue;
    if (typeof v === "number") out.push([key, v]);
    else if (v !== null && typeof v === "object" && !Array.isArray(v))
      for (const [sub, x] of Object.entries(v)) if (typeof x === "number") out.push([`${key}/${sub}`, x]);
  }
  return out;
}

function maskedCrc(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** One TFRecord: the framing around an already encoded Event. */
export function tfRecord(data: Uint8Array): Buffer {
  const header = Buffer.alloc(12);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskedCrc(header.subarray(0, 8)), 8);
  const footer = Buffer.alloc(4);
  footer.writeUInt32LE(maskedCrc(data), 0);
  return Buffer.concat([header, data, footer]);
}

function encodeEvent(fields: Record<string, unknown>): Uint8Array {
  return Event.encode(Event.fromObject({ wallTime: Date.now() / 1000, ...fields })).finish();
}

// One event file per directory and process, as TensorBoard's own writers do.
const openFiles = new Map<string, string>();

function eventFile(dir: string): string {
  let path = openFiles.get(dir);
  if (!path || !existsSync(path)) {
    const base = `events.out.tfevents.${Math.floor(Date.now() / 1000)}.${hostname()}.${process.pid}`;
    // Two writers in one second in one process (a run resumed in-process) get distinct names.
    let n = 0;
    path = join(dir, base);
    while (existsSync(path)) path = join(dir, `${base}.${++n}`);
    appendFileSync(path, tfRecord(encodeEvent({ step: 0, fileVersion: "brain.Event:2" })));
    openFiles.set(dir, path);
  }
  return path;
}

/** Appends the rows as scalar summaries, one event per step. */
export function appendScalars<R extends ScalarRow>(dir: string, rows: readonly R[]): void {
  const bySteps = new Map<number, [string, number][]>();
  for (const r of rows) {
    const values = scalarsOf(r).filter(([, v]) => Number.isFinite(v));
    if (values.length > 0) bySteps.set(r.step, [...(bySteps.get(r.step) ?? []), ...values]);
  }
  if (bySteps.size === 0) return;
  const records = [...bySteps].map(([step, values]) =>
    tfRecord(encodeEvent({ step, summary: { value: values.map(([tag, simpleValue]) => ({ tag, simpleValue })) } })));
  append(dir, Buffer.concat(records));
}

/** Marks a restart at `step`: TensorBoard discards what earlier files logged past it. */
export function markResume(dir: string, step: number): void {
  append(dir, tfRecord(encodeEvent({ step: Math.max(0, step), sessionLog: { status: SESSION_START } })));
}

function append(dir: string, bytes: Buffer): void {
  const path = eventFile(dir);
  try {
    appendFileSync(path, bytes);
  } catch (e) {
    throw new Error(`${path}: cannot append TensorBoard events: ${(e as Error).message}`, { cause: e });
  }
}

/** The event files in a directory (for tests and tools). */
export function eventFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.startsWith("events.out.tfevents.")).sort().map((f) => join(dir, f)) : [];
}

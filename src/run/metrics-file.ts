// The metrics.jsonl file of a run: one JSON object per line, appended as training goes.
//
// Why the care: a process killed (or a disk filling up) in the middle of an append leaves
// a torn last line such as `{"step":63,"sp`. Such a line is the signature of an
// interrupted write, not of corruption: on resume it is dropped with a warning naming
// the file (the steps it belonged to are trained again), and readers skip it the same
// way. A malformed line anywhere else is corruption and an error naming file:line.
// On every start of training the file is cut back to the step training starts from
// (the checkpoint's step, or 0 without one), so records of steps that are redone are
// never duplicated, whether the run died before its first checkpoint or after.
// Every row appended here also goes to the directory's TensorBoard event file
// (tensorboard.ts), and a cut back marks the restart there.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { writeFileAtomic } from "../util/atomic.js";
import { appendScalars, markResume } from "./tensorboard.js";

export interface StepRow {
  step: number;
}

export type Warn = (message: string) => void;
const stderrWarn: Warn = (m) => process.stderr.write(`xling: warning: ${m}\n`);

export class MetricsFileError extends Error {
  constructor(readonly path: string, readonly line: number, reason: string) {
    super(`${path}:${line}: ${reason}`);
    this.name = "MetricsFileError";
  }
}

interface Parsed<R> {
  rows: R[];
  /** The parsed lines' text, in order (the torn tail excluded). */
  lines: string[];
  /** The torn last line, when there is one. */
  torn: string | null;
}

function parseLine<R extends StepRow>(text: string): R | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    return `malformed metrics line (${(e as Error).message})`;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "a metrics line must be a JSON object";
  const step = (v as { step?: unknown }).step;
  if (typeof step !== "number" || !Number.isSafeInteger(step) || step < 0) return `a metrics line needs a non-negative integer "step", got ${JSON.stringify(step)}`;
  return v as R;
}

function parse<R extends StepRow>(path: string): Parsed<R> {
  const text = readFileSync(path, "utf8");
  const parts = text.split("\n");
  // The text after the last newline: empty for a well-formed file, a torn line otherwise.
  const last = parts.pop()!;
  const rows: R[] = [];
  const lines: string[] = [];
  parts.forEach((line, i) => {
    if (line === "") return;
    const r = parseLine<R>(line);
    if (typeof r === "string") throw new MetricsFileError(path, i + 1, r);
    rows.push(r);
    lines.push(line);
  });
  let torn: string | null = null;
  if (last !== "") {
    // An unterminated last line that still parses was written whole (only its newline is
    // missing); one that does not parse is the torn end of an interrupted append.
    const r = parseLine<R>(last);
    if (typeof r === "string") torn = last;
    else {
      rows.push(r);
      lines.push(last);
    }
  }
  return { rows, lines, torn };
}

function tornMessage(path: string, lineNo: number, torn: string): string {
  return `${path}:${lineNo}: dropped a torn last line (${Buffer.byteLength(torn)} bytes, left by an interrupted write)`;
}

/** The rows of a metrics file (none when it does not exist); a torn last line is skipped with a warning. */
export function readMetricsFile<R extends StepRow>(path: string, warn: Warn = stderrWarn): R[] {
  if (!existsSync(path)) return [];
  const p = parse<R>(path);
  if (p.torn !== null) warn(tornMessage(path, p.lines.length + 1, p.torn));
  return p.rows;
}

/**
 * Cuts the file back to the rows of steps <= `step` (and drops a torn last line, with a
 * warning): the steps after it are trained again from the checkpoint at `step`.
 */
export function truncateMetricsFile(path: string, step: number, warn: Warn = stderrWarn): void {
  if (!existsSync(path)) return;
  markResume(dirname(path), step);
  const p = parse<StepRow>(path);
  if (p.torn !== null) warn(tornMessage(path, p.lines.length + 1, p.torn));
  const kept = p.lines.filter((_, i) => p.rows[i].step <= step);
  if (p.torn === null && kept.length === p.lines.length && (p.lines.length === 0 || readFileSync(path, "utf8").endsWith("\n"))) return;
  writeFileAtomic(path, kept.length ? kept.join("\n") + "\n" : "");
}

/** Appends rows, one JSON line each; a failed write (a full disk) is an error naming the file. */
export function appendMetricsFile<R extends StepRow>(path: string, rows: readonly R[]): void {
  if (rows.length === 0) return;
  try {
    appendFileSync(path, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`${path}: cannot append metrics: ${err.code ?? ""}${err.code ? " " : ""}${err.message}`, { cause: e });
  }
  appendScalars(dirname(path), rows);
}

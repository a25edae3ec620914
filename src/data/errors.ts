/**
 * Errors and bad-line bookkeeping shared by all corpus readers. Bad input is
 * either fatal (the default) or, with `onBadLine: "skip"`, skipped and counted
 * in a ReadReport so no data is ever lost silently.
 */

/** An input file is malformed. The message names the file and 1-based line. */
export class DataError extends Error {
  override readonly name = "DataError";
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(line === undefined ? `${file}: ${reason}` : `${file}:${line}: ${reason}`);
  }
}

export type OnBadLine = "throw" | "skip";

export interface BadLine {
  file: string;
  line: number;
  reason: string;
}

/** What a read did: lines seen, records produced, and any skipped lines. */
export class ReadReport {
  linesRead = 0;
  records = 0;
  skipped = 0;
  /** The first `maxExamples` skipped lines, with their reasons. */
  readonly examples: BadLine[] = [];

  constructor(readonly maxExamples = 10) {}

  /** Line numbers (1-based) of the recorded examples. */
  get badLineNumbers(): number[] {
    return this.examples.map((b) => b.line);
  }

  addSkipped(bad: BadLine): void {
    this.skipped++;
    if (this.examples.length < this.maxExamples) this.examples.push(bad);
  }

  summary(): string {
    if (this.skipped === 0) return `${this.records} records from ${this.linesRead} lines, none skipped`;
    const where = this.examples.map((b) => `${b.file}:${b.line}`).join(", ");
    const more = this.skipped > this.examples.length ? ", ..." : "";
    return `${this.records} records from ${this.linesRead} lines; skipped ${this.skipped} bad line(s): ${where}${more}`;
  }
}

export interface ReadOptions {
  /** "throw" (default) stops at the first bad line; "skip" skips and counts it. */
  onBadLine?: OnBadLine;
  /** Filled in while reading. Without one, skipped lines raise a process warning. */
  report?: ReadReport;
}

/** Applies the bad-line policy for one read call (possibly over several files). */
export class BadLinePolicy {
  readonly report: ReadReport;
  private readonly callerHasReport: boolean;
  private readonly mode: OnBadLine;

  constructor(opts: ReadOptions = {}) {
    this.mode = opts.onBadLine ?? "throw";
    if (this.mode !== "throw" && this.mode !== "skip") {
      throw new TypeError(`onBadLine must be "throw" or "skip", got ${String(this.mode)}`);
    }
    this.callerHasReport = opts.report !== undefined;
    this.report = opts.report ?? new ReadReport();
  }

  /** Record a bad line: throws a DataError, or counts it when skipping. */
  bad(file: string, line: number, reason: string): void {
    if (this.mode === "throw") throw new DataError(file, line, reason);
    this.report.addSkipped({ file, line, reason });
  }

  /** Called once after the last line; refuses empty input and surfaces skips. */
  finish(file: string): void {
    if (this.report.records === 0) {
      const why = this.report.skipped > 0 ? ` (all ${this.report.skipped} bad line(s) skipped)` : "";
      throw new DataError(file, undefined, `empty: no records found${why}`);
    }
    if (this.report.skipped > 0 && !this.callerHasReport) {
      process.emitWarning(`${file}: ${this.report.summary()}`, { code: "XLING_SKIPPED_LINES" });
    }
  }
}

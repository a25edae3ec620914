// A terminal progress bar for long work: done/total, rate, ETA and a short status.
// Redraws in place on a TTY; elsewhere (CI logs, pipes) prints a line every few seconds.

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Off: nothing is printed (tests, quiet mode). */
  enabled?: boolean;
}

export class ProgressBar {
  private done = 0;
  private readonly started = Date.now();
  private lastDraw = 0;
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly enabled: boolean;

  constructor(private readonly o: ProgressOptions) {
    this.stream = o.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.enabled = o.enabled ?? true;
  }

  /** Sets the absolute position (resumed work starts past zero). */
  update(done: number, status = "", rate?: string): void {
    this.done = done;
    const now = Date.now();
    const interval = this.tty ? 100 : 5000;
    if (!this.enabled || (now - this.lastDraw < interval && done < this.o.total)) return;
    this.lastDraw = now;
    this.draw(status, rate);
  }

  finish(status = ""): void {
    if (!this.enabled) return;
    this.draw(status);
    if (this.tty) this.stream.write("\n");
  }

  private draw(status: string, rate?: string): void {
    const { total, label } = this.o;
    const frac = total > 0 ? Math.min(1, this.done / total) : 1;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = frac > 0 && frac < 1 ? formatDuration((elapsed / frac) * (1 - frac)) : "";
    const parts = [`${label} ${bar} ${this.done}/${total} ${this.o.unit ?? ""}`.trimEnd(), rate ?? "", eta ? `ETA ${eta}` : "", status];
    const line = parts.filter(Boolean).join("  ");
    if (this.tty) this.stream.write(`\r\x1b[K${line}`);
    else this.stream.write(`${line}\n`);
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

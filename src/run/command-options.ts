// The xling command contract (a subcommand, as the CLI dispatches it and each study
// declares its own) and small helpers for reading options and running training commands.
import { RunInterrupted } from "./contract.js";

export interface Command {
  summary: string;
  usage: string;
  options?: Record<string, OptionSpec>;
  run(args: { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[]; raw: string[] }): Promise<number | void>;
  /** Parses its own arguments (run() gets them unparsed in `raw`). */
  ownArgs?: boolean;
}

/** The value of a required string option, or an error naming it. */
export function required(v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") throw new Error(`--${name} is required`);
  return v;
}

/** A comma-separated list option (`--lang en,es`), or undefined when absent. */
export function list(v: unknown): string[] | undefined {
  return typeof v === "string" ? v.split(",") : undefined;
}

/** Runs one resumable training run: an interruption (its checkpoint saved) exits with 130. */
export async function exitCodeOfRun(train: () => Promise<unknown>): Promise<number | void> {
  try {
    await train();
  } catch (e) {
    if (e instanceof RunInterrupted) {
      process.stderr.write(`${e.message}\n`);
      return 130;
    }
    throw e;
  }
}

/**
 * A command option as declared in a command's `options`: parseArgs' fields plus what
 * `--help` prints and what is checked before the command runs.
 */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** One line for --help. */
  description?: string;
  /** Shown in --help as "(default: ...)"; the command applies it. */
  defaultText?: string;
  /** Checked before the command runs: an integer (>= min), or any finite number. */
  integer?: { min?: number; max?: number };
  number?: { min?: number; max?: number };
  /** Allowed values. */
  choices?: readonly string[];
}

/** Checks option values against their specs; the error names the option and what it takes. */
export function validateOptions(options: Record<string, unknown>, values: Record<string, unknown>): void {
  for (const [name, raw] of Object.entries(values)) {
    const spec = options[name] as OptionSpec | undefined;
    if (!spec || raw === undefined) continue;
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (typeof v !== "string") continue;
      if (spec.integer || spec.number) {
        const range = (spec.integer ?? spec.number)!;
        const n = Number(v);
        const ok = v.trim() !== "" && Number.isFinite(n) && (!spec.integer || Number.isInteger(n));
        const what = spec.integer ? "an integer" : "a number";
        if (!ok) throw new Error(`--${name} takes ${what}, got '${v}'`);
        if (range.min !== undefined && n < range.min) throw new Error(`--${name} must be at least ${range.min}, got ${v}`);
        if (range.max !== undefined && n > range.max) throw new Error(`--${name} must be at most ${range.max}, got ${v}`);
      }
      if (spec.choices && !spec.choices.includes(v)) throw new Error(`--${name} takes one of ${spec.choices.join(", ")}; got '${v}'`);
    }
  }
}

/** The options part of a command's --help: one line per option, description and default. */
export function optionsHelp(options: Record<string, unknown>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const spec = o as OptionSpec;
    const arg = spec.type === "boolean" ? "" : spec.choices ? ` <${spec.choices.join("|")}>` : spec.integer ? " <int>" : spec.number ? " <number>" : " <value>";
    const left = `${spec.short ? `-${spec.short}, ` : ""}--${name}${arg}`;
    const right = [spec.description ?? "", spec.defaultText !== undefined ? `(default: ${spec.defaultText})` : ""].filter(Boolean).join(" ");
    return [left, right] as const;
  });
  if (rows.length === 0) return "";
  const width = Math.min(40, Math.max(...rows.map(([l]) => l.length)));
  return `\nOptions:\n${rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`.trimEnd()).join("\n")}\n`;
}

/** A number option's value, or `fallback` when absent (validateOptions has checked it). */
export function numberOr(v: unknown, fallback: number): number {
  return typeof v === "string" ? Number(v) : fallback;
}

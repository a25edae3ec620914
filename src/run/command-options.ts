// The xling command contract (a subcommand, as the CLI dispatches it and each study
// declares its own) and small helpers for reading options and running training commands.
import type { ParseArgsConfig } from "node:util";
import { RunInterrupted } from "./contract.js";

export interface Command {
  summary: string;
  usage: string;
  options?: ParseArgsConfig["options"];
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

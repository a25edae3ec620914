// Small helpers for reading command options and running training commands.
import { RunInterrupted } from "./contract.js";

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

// Small helpers for reading command options.

/** The value of a required string option, or an error naming it. */
export function required(v: unknown, name: string): string {
  if (typeof v !== "string" || v === "") throw new Error(`--${name} is required`);
  return v;
}

/** A comma-separated list option (`--lang en,es`), or undefined when absent. */
export function list(v: unknown): string[] | undefined {
  return typeof v === "string" ? v.split(",") : undefined;
}

// Checks a `xling results` question against what the store holds before answering it.
// Why: a misspelt experiment, field or result name would otherwise match nothing and
// print an empty table with exit 0, which reads as "no such runs"; and opening a store
// path that does not exist would create an empty database there.
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseFilter } from "./filter.js";
import type { ResultsStore } from "./store.js";

const list = (xs: Iterable<string>, none: string) => {
  const sorted = [...xs].sort();
  return sorted.length ? sorted.join(", ") : none;
};

/** The error for a store path that does not exist, naming the stores beside it (runs/<experiment>/results.sqlite). */
export function missingStoreMessage(storePath: string): string {
  const runsDir = dirname(dirname(storePath));
  let found: string[] = [];
  try {
    found = readdirSync(runsDir).filter((d) => existsSync(join(runsDir, d, basename(storePath))));
  } catch {
    // No such directory: nothing to list.
  }
  return `no results store at ${storePath} (experiments with a store in ${runsDir}: ${list(found, "none")}; ` +
    "a store is written when an experiment's runs finish, or give one with --store FILE)";
}

/** Every dotted path in a config: leaves and the objects above them. */
function configPaths(config: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) return out;
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${k}` : k;
    out.add(path);
    configPaths(v, path, out);
  }
  return out;
}

function leafPaths(config: unknown, prefix = "", out = new Set<string>()): Set<string> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) {
    if (prefix) out.add(prefix);
    return out;
  }
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) leafPaths(v, prefix ? `${prefix}.${k}` : k, out);
  return out;
}

/**
 * The reason the question cannot be answered (an unknown experiment, config field or
 * result name, each with what exists), or null when it can. Malformed filters throw
 * FilterError from parseFilter.
 */
export function checkResultsQuestion(store: ResultsStore, q: { experiment: string; where: readonly string[]; groupBy?: readonly string[]; result: string }): string | null {
  const experiments = store.experimentNames();
  if (!experiments.includes(q.experiment)) return `unknown experiment ${JSON.stringify(q.experiment)} in ${store.path} (it holds: ${list(experiments, "no experiment")})`;
  const runs = store.runs(q.experiment);
  const paths = new Set<string>();
  const leaves = new Set<string>();
  for (const r of runs) {
    configPaths(r.config, "", paths);
    leafPaths(r.config, "", leaves);
  }
  const known = (field: string) => paths.has(field);
  for (const text of q.where) {
    const f = parseFilter(text);
    // Asking for a field's absence is fine where the object that would hold it exists.
    const parent = f.field.includes(".") ? f.field.slice(0, f.field.lastIndexOf(".")) : "";
    const absence = f.value === null && (parent === "" || paths.has(parent));
    if (!known(f.field) && !absence) return `--where ${text}: no run of ${q.experiment} has a config field ${f.field} (fields: ${list(leaves, "none")})`;
    const mismatch = valueTypeMismatch(runs.map((r) => valueAt(r.config, f.field)), f.value);
    if (mismatch) return `--where ${text}: ${f.field} holds ${mismatch}, never a ${typeof f.value} (values: ${list(distinctValues(runs.map((r) => valueAt(r.config, f.field))), "none")})`;
  }
  for (const field of q.groupBy ?? []) {
    if (!known(field)) return `--group-by ${field}: no run of ${q.experiment} has this config field (fields: ${list(leaves, "none")})`;
  }
  const names = new Set<string>();
  for (const r of runs) for (const v of store.results(r.runId)) names.add(v.name);
  if (names.size > 0 && !names.has(q.result)) return `--result ${q.result}: no run of ${q.experiment} has this result (results: ${list(names, "none")})`;
  return null;
}

function valueAt(config: unknown, field: string): unknown {
  let v: unknown = config;
  for (const key of field.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The type every run's value has ("numbers", "strings", "booleans") when a compared
 * value can never equal or order against it, else null. Why: `data.ratio=abc` is
 * well-formed, but compares numbers with a string and so matches nothing.
 */
function valueTypeMismatch(values: unknown[], wanted: unknown): string | null {
  if (wanted === null) return null;
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0) return null;
  const types = new Set(present.map((v) => typeof v));
  if (types.size !== 1 || types.has(typeof wanted)) return null;
  const only = [...types][0];
  return only === "number" || only === "string" || only === "boolean" ? `${only}s` : null;
}

function distinctValues(values: unknown[]): string[] {
  return [...new Set(values.filter((v) => v !== undefined).map((v) => JSON.stringify(v)))].slice(0, 12);
}

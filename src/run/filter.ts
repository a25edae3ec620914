/**
 * Filters on run config fields, written as on the command line (`data.ratio=0.1`,
 * `train.seed>=1`, `data.schedule!=null`), and their translation to SQL over SQLite's
 * JSON1 functions. Field paths are validated as dotted identifiers and every path and
 * value reaches SQL as a bound parameter, never as SQL text.
 *
 * Comparisons are typed: `data.ratio=0.1` matches the JSON number 0.1, not the string
 * "0.1" (write `data.ratio="0.1"` for that); `<`, `<=`, `>`, `>=` only ever match
 * values of the same type (numbers with numbers, strings with strings). A missing
 * field counts as null, so `data.schedule=null` matches runs that never set it and
 * `!=` matches whatever `=` does not.
 */
import { getPath } from "./run-id.js";

export type FilterOp = "=" | "!=" | "<" | "<=" | ">" | ">=";
export type FilterValue = number | string | boolean | null;

export interface ConfigFilter {
  /** Dotted path into the run config, e.g. `data.ratio`. */
  field: string;
  op: FilterOp;
  value: FilterValue;
}

export class FilterError extends Error {
  override name = "FilterError";
}

const IDENT = "[A-Za-z_][A-Za-z0-9_]*";
const FIELD_PATH = new RegExp(`^${IDENT}(\\.${IDENT})*$`);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// Two-character operators come first so `<=` is not read as `<` followed by `=value`.
const OPERATOR = /(!=|<=|>=|=|<|>)/;

/** Returns the path if it is a dotted identifier path, else throws a FilterError. */
export function assertFieldPath(path: string): string {
  if (!FIELD_PATH.test(path)) {
    throw new FilterError(`invalid config field path ${JSON.stringify(path)}: expected dotted identifiers such as data.ratio`);
  }
  return path;
}

/** Reads a value the way a user types it: number, true/false, null, "quoted" or bare string. */
export function parseFilterValue(text: string): FilterValue {
  const t = text.trim();
  if (t === "") throw new FilterError(`missing value (write "" for the empty string)`);
  if (t === "null") return null;
  if (t === "true") return true;
  if (t === "false") return false;
  if (NUMBER.test(t)) return Number(t);
  const quoted = /^"(.*)"$/s.exec(t) ?? /^'(.*)'$/s.exec(t);
  if (quoted) return quoted[1];
  return t;
}

/** Parses one filter such as `train.seed>=1`. */
export function parseFilter(text: string): ConfigFilter {
  const m = OPERATOR.exec(text);
  if (!m) throw new FilterError(`filter ${JSON.stringify(text)} has no operator (one of = != < <= > >=)`);
  const field = text.slice(0, m.index).trim();
  const op = m[1] as FilterOp;
  let value: FilterValue;
  try {
    assertFieldPath(field);
    value = parseFilterValue(text.slice(m.index + op.length));
  } catch (e) {
    throw new FilterError(`filter ${JSON.stringify(text)}: ${(e as Error).message}`);
  }
  if (isOrdering(op) && (value === null || typeof value === "boolean")) {
    throw new FilterError(`filter ${JSON.stringify(text)}: ${op} needs a number or a string, not ${value}`);
  }
  return { field, op, value };
}

export function parseFilters(texts: readonly string[]): ConfigFilter[] {
  return texts.map(parseFilter);
}

function isOrdering(op: FilterOp): boolean {
  return op !== "=" && op !== "!=";
}

export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * SQL condition for one filter over the JSON text column `column` (a trusted column
 * name chosen by the caller, never user input).
 */
export function filterToSql(filter: ConfigFilter, column: string): SqlFragment {
  const jsonPath = `$.${assertFieldPath(filter.field)}`;
  // json_type is NULL for a missing field; 'missing' keeps every test two-valued.
  const type = `coalesce(json_type(${column}, ?), 'missing')`;
  const extract = `json_extract(${column}, ?)`;
  const { value, op } = filter;
  if (isOrdering(op) && (value === null || typeof value === "boolean")) {
    throw new FilterError(`${op} needs a number or a string, not ${value}`);
  }

  let sql: string;
  let params: unknown[];
  if (value === null) {
    sql = `${type} IN ('null', 'missing')`;
    params = [jsonPath];
  } else if (typeof value === "boolean") {
    sql = `${type} = ?`;
    params = [jsonPath, value ? "true" : "false"];
  } else {
    const typeTest = typeof value === "number" ? `${type} IN ('integer', 'real')` : `${type} = 'text'`;
    const cmp = op === "!=" ? "=" : op;
    sql = `(${typeTest} AND ${extract} ${cmp} ?)`;
    params = [jsonPath, jsonPath, value];
  }
  if (op === "!=") sql = `NOT (${sql})`;
  return { sql, params };
}

/** All filters joined with AND; `1` (true) when there are none. */
export function filtersToSql(filters: readonly ConfigFilter[], column: string): SqlFragment {
  if (filters.length === 0) return { sql: "1", params: [] };
  const parts = filters.map((f) => filterToSql(f, column));
  return { sql: parts.map((p) => p.sql).join(" AND "), params: parts.flatMap((p) => p.params) };
}

/**
 * The same test in JavaScript, for configs already in memory. Kept in step with
 * filterToSql (the tests check both agree).
 */
export function matchesFilter(config: unknown, filter: ConfigFilter): boolean {
  const actual = getPath(config, assertFieldPath(filter.field));
  const { value, op } = filter;
  let equal: boolean;
  if (value === null) equal = actual === null || actual === undefined;
  else equal = typeof actual === typeof value && actual === value;
  if (op === "=") return equal;
  if (op === "!=") return !equal;
  if (typeof actual !== typeof value || (typeof value !== "number" && typeof value !== "string")) return false;
  const a = actual as number | string;
  switch (op) {
    case "<": return a < value;
    case "<=": return a <= value;
    case ">": return a > value;
    case ">=": return a >= value;
  }
}

export function matchesFilters(config: unknown, filters: readonly ConfigFilter[]): boolean {
  return filters.every((f) => matchesFilter(config, f));
}

/**
 * Questions asked of a results store, e.g. "perplexity of the clone for every run with
 * p = 0.1":
 *
 *   queryResults(store, { experiment: "demo", where: ["data.ratio=0.1"], result: "ppl", lang: "clone1" })
 *
 * and the plain-text, CSV and JSON renderings of the answer.
 */
import { canonicalJson, getPath } from "./run-id.js";
import { assertFieldPath, parseFilters } from "./filter.js";
import type { ResultsStore, RunConfig, RunStatus } from "./store.js";

export {
  type ConfigFilter,
  type FilterOp,
  type FilterValue,
  FilterError,
  parseFilter,
  parseFilters,
  filterToSql,
  filtersToSql,
  matchesFilter,
  matchesFilters,
} from "./filter.js";

export interface ResultQuery {
  experiment: string;
  /** Config filters such as `data.ratio=0.1`, all of which must hold. */
  where?: readonly string[];
  /** Result name, e.g. "ppl". */
  result: string;
  /** Only this language; null for results without one; undefined for any. */
  lang?: string | null;
  /** Only this layer; null for results without one; undefined for any. */
  layer?: number | null;
  /** Only runs with this status (any status when undefined). */
  status?: RunStatus | readonly RunStatus[];
}

export interface GroupedResultQuery extends ResultQuery {
  /** Config fields to aggregate over (e.g. ["data.ratio"] averages over seeds). */
  groupBy: readonly string[];
}

export interface ResultRow {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  lang: string | null;
  layer: number | null;
  value: number;
}

/** Runs sharing the values of the groupBy fields (and lang and layer), summarized. */
export interface ResultGroup {
  /** groupBy field path -> value (null when a run lacks the field). */
  key: Record<string, unknown>;
  lang: string | null;
  layer: number | null;
  n: number;
  mean: number;
  /** Sample standard deviation; null for a single run. */
  std: number | null;
  min: number;
  max: number;
  runIds: string[];
}

export function queryResults(store: ResultsStore, query: GroupedResultQuery): ResultGroup[];
export function queryResults(store: ResultsStore, query: ResultQuery): ResultRow[];
export function queryResults(store: ResultsStore, query: ResultQuery & { groupBy?: readonly string[] }): ResultRow[] | ResultGroup[];
export function queryResults(store: ResultsStore, query: ResultQuery & { groupBy?: readonly string[] }): ResultRow[] | ResultGroup[] {
  const rows: ResultRow[] = store
    .selectResults(
      query.experiment,
      { where: parseFilters(query.where ?? []), status: query.status },
      { name: query.result, lang: query.lang, layer: query.layer },
    )
    .map(({ runId, config, status, lang, layer, value }) => ({ runId, config, status, lang, layer, value }));
  return query.groupBy ? groupResults(rows, query.groupBy) : rows;
}

/** Aggregates rows over everything but the given config fields, language and layer. */
export function groupResults(rows: readonly ResultRow[], by: readonly string[]): ResultGroup[] {
  by.forEach(assertFieldPath);
  const groups = new Map<string, { key: Record<string, unknown>; lang: string | null; layer: number | null; rows: ResultRow[] }>();
  for (const row of rows) {
    const key: Record<string, unknown> = {};
    for (const field of by) key[field] = getPath(row.config, field) ?? null;
    const id = canonicalJson([by.map((f) => key[f]), row.lang, row.layer]);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { key, lang: row.lang, layer: row.layer, rows: [] }));
    group.rows.push(row);
  }
  const out = [...groups.values()].map(({ key, lang, layer, rows: members }): ResultGroup => {
    const values = members.map((r) => r.value);
    const n = values.length;
    const mean = values.reduce((a, b) => a + b, 0) / n;
    const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : null;
    return { key, lang, layer, n, mean, std, min: Math.min(...values), max: Math.max(...values), runIds: members.map((r) => r.runId) };
  });
  return out.sort(
    (a, b) =>
      by.reduce((c, f) => c || compareValues(a.key[f], b.key[f]), 0) ||
      compareValues(a.lang, b.lang) ||
      compareValues(a.layer, b.layer),
  );
}

/** Orders null first, then numbers, then strings, then anything else by its JSON. */
function compareValues(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === "number" ? 1 : typeof v === "string" ? 2 : 3);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return 0;
  if (ra === 1) return (a as number) - (b as number);
  const sa = ra === 2 ? (a as string) : canonicalJson(a);
  const sb = ra === 2 ? (b as string) : canonicalJson(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/**
 * Config fields (dotted paths to leaves) whose values differ between the configs: the
 * swept fields of a sweep, and the columns worth showing in a table.
 */
export function sweptFields(configs: readonly unknown[]): string[] {
  const seen = new Map<string, Set<string>>();
  const visit = (value: unknown, path: string) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
      return;
    }
    let values = seen.get(path);
    if (!values) seen.set(path, (values = new Set()));
    values.add(canonicalJson(value ?? null));
  };
  configs.forEach((c) => visit(c, ""));
  const fields = [...seen.entries()]
    .filter(([path, values]) => {
      // A field absent from some configs varies too (absent reads as null).
      const presentEverywhere = configs.every((c) => getPath(c, path) !== undefined);
      return path !== "" && (values.size > 1 || !presentEverywhere);
    })
    .map(([path]) => path);
  return fields.sort();
}

/** A table column: a row property or a dotted config path, or a computed value. */
// Computed columns read fields of whichever row type the table shows.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Column = string | { header: string; value: (row: any) => unknown };

/** Columns that describe result rows: run id, the swept config fields, lang, layer, value. */
export function defaultColumns(rows: readonly ResultRow[]): string[] {
  const cols = ["runId", ...sweptFields(rows.map((r) => r.config))];
  if (rows.some((r) => r.lang !== null)) cols.push("lang");
  if (rows.some((r) => r.layer !== null)) cols.push("layer");
  cols.push("value");
  return cols;
}

/** Columns that describe groups: the key fields, lang, layer and the summary. */
export function groupColumns(groups: readonly ResultGroup[], by: readonly string[]): string[] {
  const cols = [...by];
  if (groups.some((g) => g.lang !== null)) cols.push("lang");
  if (groups.some((g) => g.layer !== null)) cols.push("layer");
  cols.push("n", "mean", "std", "min", "max");
  return cols;
}

function header(col: Column): string {
  return typeof col === "string" ? col : col.header;
}

/** A row's value for a column: its own property, else the path in its config or group key. */
export function cellValue(row: object, col: Column): unknown {
  if (typeof col !== "string") return col.value(row);
  const record = row as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, col)) return record[col];
  if (record.key && typeof record.key === "object" && Object.prototype.hasOwnProperty.call(record.key, col)) {
    return (record.key as Record<string, unknown>)[col];
  }
  if (record.config !== undefined) return getPath(record.config, col);
  return undefined;
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (Number.isInteger(v)) return String(v);
  // Six significant digits: enough to compare perplexities, short enough to read.
  return String(Number(v.toPrecision(6)));
}

function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "-";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join(",");
  return canonicalJson(v);
}

/**
 * A plain-text table with a header, a rule, and aligned columns: numbers to the right,
 * everything else to the left.
 */
export function formatTable(rows: readonly object[], columns: readonly Column[]): string {
  const raw = rows.map((row) => columns.map((col) => cellValue(row, col)));
  const text = raw.map((cells) => cells.map(formatCell));
  const numeric = columns.map((_, j) => raw.length > 0 && raw.every((cells) => typeof cells[j] === "number" || cells[j] == null));
  const widths = columns.map((col, j) => Math.max(header(col).length, ...text.map((cells) => cells[j].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => (numeric[j] ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join("  ")
      .trimEnd();
  return [line(columns.map(header)), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n") + "\n";
}

/** CSV (RFC 4180 quoting) with full-precision numbers; empty cells for null. */
export function toCsv(rows: readonly object[], columns: readonly Column[]): string {
  const quote = (s: string) => (/[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return String(v);
    if (typeof v === "string") return quote(v);
    if (typeof v === "boolean") return String(v);
    return quote(canonicalJson(v));
  };
  const lines = [columns.map((c) => quote(header(c))).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell(cellValue(row, c))).join(","));
  return lines.join("\n") + "\n";
}

/** JSON array of the rows (non-finite numbers become null, as JSON has no NaN). */
export function toJson(rows: readonly object[]): string {
  return JSON.stringify(rows, null, 2) + "\n";
}

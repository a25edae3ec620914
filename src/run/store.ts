/**
 * The results store: one SQLite file per sweep (or per project) holding experiments,
 * runs with their configs and status, metric curves and final results.
 *
 * Several run processes write the same file at once, so the store uses WAL (readers
 * never block the writer), a busy timeout (a writer waits for another instead of
 * failing with SQLITE_BUSY) and immediate write transactions (a transaction takes the
 * write lock up front; a deferred one that read first could fail when upgrading).
 */
import Database from "better-sqlite3";
import { canonicalJson } from "./run-id.js";
import { type ConfigFilter, filtersToSql, parseFilter } from "./filter.js";
import { METRICS_KEY, MIGRATIONS, RESULTS_KEY, SCHEMA_VERSION } from "./schema.js";

export type RunStatus = "pending" | "running" | "done" | "failed";
export const RUN_STATUSES: readonly RunStatus[] = ["pending", "running", "done", "failed"];

export type RunConfig = Record<string, unknown>;

export interface ExperimentRecord {
  name: string;
  spec: unknown;
  createdAt: string;
}

export interface NewRun {
  runId: string;
  experiment: string;
  config: RunConfig;
}

export interface RunRecord extends NewRun {
  status: RunStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  error: string | null;
}

/** One point of a curve, e.g. train loss of language `en2` at step 100. */
export interface MetricPoint {
  runId: string;
  step: number;
  /** e.g. "train", "valid". */
  split: string;
  name: string;
  lang?: string | null;
  /** NaN is kept (stored as SQL NULL). */
  value: number;
}

/** One final scalar, e.g. perplexity of `clone1`, or hidden-state cosine at layer 3. */
export interface ResultValue {
  runId: string;
  name: string;
  lang?: string | null;
  layer?: number | null;
  value: number;
}

export interface RunFilter {
  /** Config filters, as text (`data.ratio=0.1`) or parsed. */
  where?: readonly (string | ConfigFilter)[];
  status?: RunStatus | readonly RunStatus[];
}

/** Which results to return; for lang and layer, undefined means any and null means none. */
export interface ResultSelector {
  name?: string;
  lang?: string | null;
  layer?: number | null;
}

/** A result joined with the run it belongs to. */
export interface RunResult {
  runId: string;
  config: RunConfig;
  status: RunStatus;
  name: string;
  lang: string | null;
  layer: number | null;
  value: number;
}

export interface OpenOptions {
  /** How long a writer waits for another process's write lock (default 10 s). */
  busyTimeoutMs?: number;
}

export class StoreError extends Error {
  override name = "StoreError";
}

interface RunRow {
  run_id: string;
  experiment: string;
  config_json: string;
  status: RunStatus;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: string | null;
}

const now = (): string => new Date().toISOString();

/** SQLite keeps NaN as NULL; bring it back as NaN so values stay numbers. */
const fromSql = (v: number | null): number => (v === null ? Number.NaN : v);

export class ResultsStore {
  private constructor(
    private readonly db: Database.Database,
    /** The file the store lives in. */
    readonly path: string,
  ) {}

  /** Opens (creating if needed) the store at `path` and brings its schema up to date. */
  static open(path: string, options: OpenOptions = {}): ResultsStore {
    const busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: busyTimeoutMs });
    } catch (e) {
      throw new StoreError(`cannot open results store ${path}: ${(e as Error).message}`);
    }
    try {
      // The first statement is where SQLite reads the header of an existing file.
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      db.pragma("journal_mode = WAL");
      // In WAL mode NORMAL is still safe against process crashes; only a power loss
      // can drop the last transactions, which a rerun of the run restores.
      db.pragma("synchronous = NORMAL");
      db.pragma("foreign_keys = ON");
      migrate(db, path);
    } catch (e) {
      db.close();
      if (e instanceof StoreError) throw e;
      const code = (e as { code?: string }).code;
      if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
        throw new StoreError(`${path} is not a results store: not a valid SQLite database (${(e as Error).message})`);
      }
      throw new StoreError(`cannot open results store ${path}: ${(e as Error).message}`);
    }
    return new ResultsStore(db, path);
  }

  close(): void {
    this.db.close();
  }

  /** Records an experiment (a sweep). Idempotent: later calls replace the spec, not the creation time. */
  putExperiment(name: string, spec: unknown): void {
    requireName(name, "experiment name");
    this.db
      .prepare(
        `INSERT INTO experiments(name, spec_json, created_at) VALUES (?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET spec_json = excluded.spec_json`,
      )
      .run(name, canonicalJson(spec ?? null), now());
  }

  experiment(name: string): ExperimentRecord | undefined {
    const row = this.db.prepare("SELECT name, spec_json, created_at FROM experiments WHERE name = ?").get(name) as
      | { name: string; spec_json: string; created_at: string }
      | undefined;
    return row && { name: row.name, spec: JSON.parse(row.spec_json), createdAt: row.created_at };
  }

  experimentNames(): string[] {
    return (this.db.prepare("SELECT name FROM experiments ORDER BY name").pluck().all() as string[]);
  }

  /**
   * Registers a run as pending. Idempotent: registering the same run again returns the
   * existing record untouched (status included), so relaunching a sweep is safe. The
   * same id with a different config or experiment is an error: ids come from configs.
   */
  putRun(run: NewRun): RunRecord {
    requireName(run.runId, "run id");
    requireName(run.experiment, "experiment name");
    if (run.config === null || typeof run.config !== "object" || Array.isArray(run.config)) {
      throw new StoreError(`run ${run.runId}: config must be an object`);
    }
    const configJson = canonicalJson(run.config);
    return this.db
      .transaction((): RunRecord => {
        if (!this.experiment(run.experiment)) {
          throw new StoreError(`run ${run.runId}: unknown experiment ${JSON.stringify(run.experiment)} (call putExperiment first)`);
        }
        this.db
          .prepare(
            `INSERT INTO runs(run_id, experiment, config_json, status, created_at) VALUES (?, ?, ?, 'pending', ?)
             ON CONFLICT(run_id) DO NOTHING`,
          )
          .run(run.runId, run.experiment, configJson, now());
        const row = this.runRow(run.runId)!;
        if (row.experiment !== run.experiment || row.config_json !== configJson) {
          throw new StoreError(
            `run ${run.runId} already exists with a different ${row.experiment !== run.experiment ? "experiment" : "config"}: ` +
              `stored ${row.experiment} ${row.config_json}, given ${run.experiment} ${configJson}`,
          );
        }
        return toRunRecord(row);
      })
      .immediate();
  }

  run(runId: string): RunRecord | undefined {
    const row = this.runRow(runId);
    return row && toRunRecord(row);
  }

  /**
   * Moves a run to a new status. `running` stamps the start and clears any earlier
   * error; `done` and `failed` stamp the end; `pending` clears both times.
   */
  setStatus(runId: string, status: RunStatus, error?: string): void {
    if (!RUN_STATUSES.includes(status)) throw new StoreError(`unknown run status ${JSON.stringify(status)}`);
    if (error !== undefined && status !== "failed") throw new StoreError(`run ${runId}: an error message goes with status failed, not ${status}`);
    const t = now();
    const sql = {
      pending: "UPDATE runs SET status = 'pending', started_at = NULL, finished_at = NULL, error = NULL WHERE run_id = ?",
      running: "UPDATE runs SET status = 'running', started_at = ?, finished_at = NULL, error = NULL WHERE run_id = ?",
      done: "UPDATE runs SET status = 'done', finished_at = ?, error = NULL WHERE run_id = ?",
      failed: "UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE run_id = ?",
    }[status];
    const params = { pending: [runId], running: [t, runId], done: [t, runId], failed: [t, error ?? null, runId] }[status];
    const info = this.db.prepare(sql).run(...params);
    if (info.changes === 0) throw new StoreError(`unknown run ${JSON.stringify(runId)}`);
  }

  /** Forgets a run's metrics and results and sets it back to pending, before a rerun. */
  resetRun(runId: string): void {
    this.db
      .transaction(() => {
        this.db.prepare("DELETE FROM metrics WHERE run_id = ?").run(runId);
        this.db.prepare("DELETE FROM results WHERE run_id = ?").run(runId);
        this.setStatus(runId, "pending");
      })
      .immediate();
  }

  /** Appends curve points in one transaction; a point logged again (same run, name, split, lang, step) is replaced. */
  logMetrics(rows: readonly MetricPoint[]): void {
    rows.forEach(checkMetric);
    const insert = this.db.prepare(
      `INSERT INTO metrics(run_id, step, split, name, lang, value) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(${METRICS_KEY}) DO UPDATE SET value = excluded.value`,
    );
    this.writeRows(rows, (r) => insert.run(r.runId, r.step, r.split, r.name, r.lang ?? null, r.value), "metrics");
  }

  /** Upserts final results in one transaction: a result put again replaces the value. */
  putResults(rows: readonly ResultValue[]): void {
    rows.forEach(checkResult);
    const upsert = this.db.prepare(
      `INSERT INTO results(run_id, name, lang, layer, value) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(${RESULTS_KEY}) DO UPDATE SET value = excluded.value`,
    );
    this.writeRows(rows, (r) => upsert.run(r.runId, r.name, r.lang ?? null, r.layer ?? null, r.value), "results");
  }

  private writeRows<T extends { runId: string }>(rows: readonly T[], write: (row: T) => unknown, what: string): void {
    try {
      this.db.transaction(() => rows.forEach(write)).immediate();
    } catch (e) {
      if ((e as { code?: string }).code === "SQLITE_CONSTRAINT_FOREIGNKEY") {
        const unknown = [...new Set(rows.map((r) => r.runId))].filter((id) => !this.runRow(id));
        throw new StoreError(`${what} for unknown run(s) ${unknown.join(", ")}: register them with putRun first`);
      }
      throw e;
    }
  }

  /** The runs of an experiment, optionally filtered by config fields and status, ordered by id. */
  runs(experiment: string, filter: RunFilter = {}): RunRecord[] {
    const where = filtersToSql(toFilters(filter.where), "config_json");
    const statuses = toStatuses(filter.status);
    const statusSql = statuses ? `AND status IN (${statuses.map(() => "?").join(", ")})` : "";
    const rows = this.db
      .prepare(`SELECT * FROM runs WHERE experiment = ? AND ${where.sql} ${statusSql} ORDER BY run_id`)
      .all(experiment, ...where.params, ...(statuses ?? [])) as RunRow[];
    return rows.map(toRunRecord);
  }

  /** Ids of the runs of an experiment that finished successfully: what a relaunched sweep skips. */
  finishedRunIds(experiment: string): string[] {
    return this.db
      .prepare("SELECT run_id FROM runs WHERE experiment = ? AND status = 'done' ORDER BY run_id")
      .pluck()
      .all(experiment) as string[];
  }

  /** A run's curve points, ordered by name, split, language and step. */
  metrics(runId: string, name?: string): MetricPoint[] {
    const rows = this.db
      .prepare(
        `SELECT run_id, step, split, name, lang, value FROM metrics
         WHERE run_id = ? AND (? IS NULL OR name = ?)
         ORDER BY name, split, lang, step`,
      )
      .all(runId, name ?? null, name ?? null) as { run_id: string; step: number; split: string; name: string; lang: string | null; value: number | null }[];
    return rows.map((r) => ({ runId: r.run_id, step: r.step, split: r.split, name: r.name, lang: r.lang, value: fromSql(r.value) }));
  }

  /** A run's results, ordered by name, language and layer. */
  results(runId: string, selector: ResultSelector = {}): ResultValue[] {
    const sel = selectorSql(selector, "");
    const rows = this.db
      .prepare(`SELECT run_id, name, lang, layer, value FROM results WHERE run_id = ? ${sel.sql} ORDER BY name, lang, layer`)
      .all(runId, ...sel.params) as { run_id: string; name: string; lang: string | null; layer: number | null; value: number | null }[];
    return rows.map((r) => ({ runId: r.run_id, name: r.name, lang: r.lang, layer: r.layer, value: fromSql(r.value) }));
  }

  /**
   * Results of every run of an experiment whose config passes the filters, joined with
   * the run's config; the building block of queryResults.
   */
  selectResults(experiment: string, filter: RunFilter = {}, selector: ResultSelector = {}): RunResult[] {
    const where = filtersToSql(toFilters(filter.where), "r.config_json");
    const statuses = toStatuses(filter.status);
    const statusSql = statuses ? `AND r.status IN (${statuses.map(() => "?").join(", ")})` : "";
    const sel = selectorSql(selector, "x.");
    const rows = this.db
      .prepare(
        `SELECT r.run_id, r.config_json, r.status, x.name, x.lang, x.layer, x.value
         FROM results x JOIN runs r ON r.run_id = x.run_id
         WHERE r.experiment = ? AND ${where.sql} ${statusSql} ${sel.sql}
         ORDER BY r.run_id, x.name, x.lang, x.layer`,
      )
      .all(experiment, ...where.params, ...(statuses ?? []), ...sel.params) as {
      run_id: string;
      config_json: string;
      status: RunStatus;
      name: string;
      lang: string | null;
      layer: number | null;
      value: number | null;
    }[];
    return rows.map((r) => ({
      runId: r.run_id,
      config: JSON.parse(r.config_json) as RunConfig,
      status: r.status,
      name: r.name,
      lang: r.lang,
      layer: r.layer,
      value: fromSql(r.value),
    }));
  }

  private runRow(runId: string): RunRow | undefined {
    return this.db.prepare("SELECT * FROM runs WHERE run_id = ?").get(runId) as RunRow | undefined;
  }
}

/** Applies missing migrations under the write lock, so two processes opening a new store do not race. */
function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const hasVersionTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
      .get();
    if (!hasVersionTable) {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      if (tables.length > 0) {
        throw new StoreError(`${path} is a SQLite database but not a results store (it has tables ${tables.join(", ")})`);
      }
      db.exec("CREATE TABLE schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL, updated_at TEXT NOT NULL)");
      db.prepare("INSERT INTO schema_version(id, version, updated_at) VALUES (1, 0, ?)").run(now());
    }
    const version = db.prepare("SELECT version FROM schema_version WHERE id = 1").pluck().get() as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(`${path} has schema version ${version}, newer than this xling knows (${SCHEMA_VERSION}): update xling`);
    }
    for (let v = version; v < SCHEMA_VERSION; v++) MIGRATIONS[v](db);
    if (version < SCHEMA_VERSION) {
      db.prepare("UPDATE schema_version SET version = ?, updated_at = ? WHERE id = 1").run(SCHEMA_VERSION, now());
    }
  }).immediate();
}

function toRunRecord(row: RunRow): RunRecord {
  return {
    runId: row.run_id,
    experiment: row.experiment,
    config: JSON.parse(row.config_json) as RunConfig,
    status: row.status,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
  };
}

function toFilters(where: RunFilter["where"]): ConfigFilter[] {
  return (where ?? []).map((f) => (typeof f === "string" ? parseFilter(f) : f));
}

function toStatuses(status: RunFilter["status"]): RunStatus[] | undefined {
  if (status === undefined) return undefined;
  const list: RunStatus[] = typeof status === "string" ? [status] : [...status];
  for (const s of list) if (!RUN_STATUSES.includes(s)) throw new StoreError(`unknown run status ${JSON.stringify(s)}`);
  return list;
}

/** SQL for a ResultSelector; `IS ?` compares with NULL as well as with values. */
function selectorSql(selector: ResultSelector, prefix: string): { sql: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (selector.name !== undefined) {
    parts.push(`AND ${prefix}name = ?`);
    params.push(selector.name);
  }
  if (selector.lang !== undefined) {
    parts.push(`AND ${prefix}lang IS ?`);
    params.push(selector.lang);
  }
  if (selector.layer !== undefined) {
    parts.push(`AND ${prefix}layer IS ?`);
    params.push(selector.layer);
  }
  return { sql: parts.join(" "), params };
}

function requireName(value: unknown, what: string): void {
  if (typeof value !== "string" || value.length === 0) throw new StoreError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
}

function checkLang(lang: unknown, where: string): void {
  // '' is refused because the unique keys fold NULL (no language) to ''.
  if (lang !== undefined && lang !== null && (typeof lang !== "string" || lang.length === 0)) {
    throw new StoreError(`${where}: lang must be a non-empty string or null, got ${JSON.stringify(lang)}`);
  }
}

function checkMetric(r: MetricPoint, i: number): void {
  const where = `metrics row ${i}`;
  requireName(r.runId, `${where}: runId`);
  requireName(r.split, `${where}: split`);
  requireName(r.name, `${where}: name`);
  if (!Number.isSafeInteger(r.step) || r.step < 0) throw new StoreError(`${where}: step must be a non-negative integer, got ${r.step}`);
  checkLang(r.lang, where);
  if (typeof r.value !== "number") throw new StoreError(`${where}: value must be a number, got ${JSON.stringify(r.value)}`);
}

function checkResult(r: ResultValue, i: number): void {
  const where = `results row ${i}`;
  requireName(r.runId, `${where}: runId`);
  requireName(r.name, `${where}: name`);
  checkLang(r.lang, where);
  if (r.layer !== undefined && r.layer !== null && (!Number.isSafeInteger(r.layer) || r.layer < 0)) {
    throw new StoreError(`${where}: layer must be a non-negative integer or null, got ${r.layer}`);
  }
  if (typeof r.value !== "number") throw new StoreError(`${where}: value must be a number, got ${JSON.stringify(r.value)}`);
}

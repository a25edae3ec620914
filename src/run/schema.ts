/**
 * The results store's SQLite schema, as an ordered list of migrations. A store records
 * the number of migrations applied in `schema_version`; opening a store applies the
 * missing ones. To change the schema, append a migration: never edit a released one,
 * since stores written by earlier versions have already run it.
 */
import type Database from "better-sqlite3";

export type Migration = (db: Database.Database) => void;

const V1 = `
CREATE TABLE experiments (
  name        TEXT PRIMARY KEY,
  spec_json   TEXT NOT NULL,
  created_at  TEXT NOT NULL
);

CREATE TABLE runs (
  run_id       TEXT PRIMARY KEY,
  experiment   TEXT NOT NULL REFERENCES experiments(name) ON DELETE CASCADE,
  config_json  TEXT NOT NULL CHECK (json_valid(config_json)),
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'running', 'done', 'failed')),
  created_at   TEXT NOT NULL,
  started_at   TEXT,
  finished_at  TEXT,
  error        TEXT
);
CREATE INDEX runs_by_experiment ON runs(experiment, status);

-- Curves. value is NULL when the logged number was NaN (a diverged run is data too).
CREATE TABLE metrics (
  run_id  TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  step    INTEGER NOT NULL,
  split   TEXT NOT NULL,
  name    TEXT NOT NULL,
  lang    TEXT,
  value   REAL
);
-- One point per (run, curve, step): a resumed run that logs a step again replaces it.
-- It also serves lookups by (run_id, name). NULL lang is folded to '' because UNIQUE
-- treats NULLs as distinct; the store refuses '' as a language.
CREATE UNIQUE INDEX metrics_point ON metrics(run_id, name, split, ifnull(lang, ''), step);

-- Final scalars. lang and layer are NULL when the result is not per language / layer.
CREATE TABLE results (
  run_id  TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
  name    TEXT NOT NULL,
  lang    TEXT,
  layer   INTEGER,
  value   REAL
);
CREATE UNIQUE INDEX results_key ON results(run_id, name, ifnull(lang, ''), ifnull(layer, -1));
CREATE INDEX results_by_name ON results(name, lang, layer);
`;

export const MIGRATIONS: readonly Migration[] = [(db) => db.exec(V1)];

/** Schema version a store has once every migration ran. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Columns of the conflict targets above, repeated by the upserts that use them. */
export const METRICS_KEY = "run_id, name, split, ifnull(lang, ''), step";
export const RESULTS_KEY = "run_id, name, ifnull(lang, ''), ifnull(layer, -1)";

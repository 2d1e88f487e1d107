/**
 * The SQL schema of the tracking store and its versioned migrations. Table and column names are a
 * contract: the search compiler (src/tracking/search) writes SQL against them.
 *
 * Metric values: NaN is stored as `value NULL, is_nan 1`; ±Infinity are stored as REAL infinities
 * (SQLite and PostgreSQL both have them), so every value reads back exactly as logged and
 * infinities compare correctly in searches.
 */

/** The schema version this build of mlship writes and reads. */
export const SCHEMA_VERSION = 1;

/** Row types of the tracking tables, for Kysely's `Kysely<TrackingDatabase>`. */
export interface TrackingDatabase {
  schema_version: { version: number; applied_time: number };
  sequences: { name: string; value: number };
  experiments: {
    experiment_id: string;
    name: string;
    artifact_location: string;
    lifecycle_stage: string;
    creation_time: number;
    last_update_time: number;
    deleted_time: number | null;
  };
  experiment_tags: { experiment_id: string; key: string; value: string };
  runs: {
    run_id: string;
    experiment_id: string;
    run_name: string;
    status: string;
    start_time: number;
    end_time: number | null;
    lifecycle_stage: string;
    parent_run_id: string | null;
    artifact_uri: string;
    user_id: string | null;
    source_commit: string | null;
    source_dirty: number | null;
    deleted_time: number | null;
  };
  params: { run_id: string; key: string; value: string };
  tags: { run_id: string; key: string; value: string };
  metrics: { run_id: string; key: string; value: number | null; step: number; timestamp: number; is_nan: number };
  latest_metrics: { run_id: string; key: string; value: number | null; step: number; timestamp: number; is_nan: number };
  dataset_inputs: {
    run_id: string;
    name: string;
    digest: string;
    source: string | null;
    schema_json: string | null;
    row_count: number | null;
    context: string | null;
  };
}

/** One migration: the statements that take the schema from `version - 1` to `version`. */
export interface Migration {
  version: number;
  description: string;
  statements: string[];
}

/** SQLite migrations, oldest first. Append new versions; never edit a released one. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'experiments, runs, params, tags, metrics, latest_metrics, dataset_inputs',
    statements: [
      `CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
      `CREATE TABLE experiments (
        experiment_id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        artifact_location TEXT NOT NULL,
        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
        creation_time INTEGER NOT NULL,
        last_update_time INTEGER NOT NULL,
        deleted_time INTEGER
      )`,
      `CREATE TABLE experiment_tags (
        experiment_id TEXT NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
      )`,
      `CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        experiment_id TEXT NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
        run_name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('RUNNING', 'FINISHED', 'FAILED', 'KILLED')),
        start_time INTEGER NOT NULL,
        end_time INTEGER,
        lifecycle_stage TEXT NOT NULL CHECK (lifecycle_stage IN ('active', 'deleted')),
        parent_run_id TEXT,
        artifact_uri TEXT NOT NULL,
        user_id TEXT,
        source_commit TEXT,
        source_dirty INTEGER,
        deleted_time INTEGER
      )`,
      `CREATE INDEX runs_experiment_start ON runs (experiment_id, start_time DESC, run_id)`,
      `CREATE INDEX runs_parent ON runs (parent_run_id)`,
      `CREATE TABLE params (
        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      )`,
      `CREATE INDEX params_key_value ON params (key, value)`,
      `CREATE TABLE tags (
        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
      )`,
      `CREATE INDEX tags_key_value ON tags (key, value)`,
      `CREATE TABLE metrics (
        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value REAL,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        is_nan INTEGER NOT NULL DEFAULT 0
      )`,
      `CREATE INDEX metrics_run_key ON metrics (run_id, key)`,
      `CREATE TABLE latest_metrics (
        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        value REAL,
        step INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        is_nan INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, key)
      )`,
      `CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value)`,
      `CREATE TABLE dataset_inputs (
        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        digest TEXT NOT NULL,
        source TEXT,
        schema_json TEXT,
        row_count INTEGER,
        context TEXT,
        PRIMARY KEY (run_id, name, digest)
      )`,
    ],
  },
];

/**
 * The SQL schema of the tracking store and its versioned migrations. Table and column names are a
 * contract: the search compiler (src/tracking/search) writes SQL against them.
 *
 * Metric values: NaN is stored as `value NULL, is_nan 1`; ±Infinity are stored as REAL infinities
 * (SQLite and PostgreSQL both have them), so every value reads back exactly as logged and
 * infinities compare correctly in searches.
 */

import type { Generated } from 'kysely';

/** The schema version this build of mlship writes and reads. */
export const SCHEMA_VERSION = 4;

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

/**
 * Row type of the prediction log (schema version 4), for `Kysely<PredictionDatabase>`: one row per
 * item of a served request, keyed by (request id, item index). `inputs`, `outputs` and `label` are
 * JSON text (non-finite numbers encoded so that they read back exactly); `label` is NULL until
 * ground truth arrives.
 */
export interface PredictionDatabase {
  predictions: {
    request_id: string;
    item_index: number;
    model_name: string;
    model_version: string | null;
    model_uri: string;
    timestamp: number;
    latency_ms: number;
    inputs: string;
    outputs: string;
    label: string | null;
    label_timestamp: number | null;
  };
}

/**
 * Row types of the model registry tables (schema version 2), for `Kysely<RegistryDatabase>`.
 * Versions, tags, aliases and alias history reference `registered_models(name)` with
 * `ON DELETE CASCADE ON UPDATE CASCADE`, so deleting a model removes everything it owns and
 * renaming it carries everything along; a version an alias points at cannot be deleted (the alias's
 * foreign key to `model_versions` has no delete action). `next_version` is the number the next version gets: it
 * only grows, so version numbers are never reused after a delete.
 */
export interface RegistryDatabase {
  registered_models: { name: string; creation_time: number; last_updated_time: number; description: string; next_version: number };
  registered_model_tags: { name: string; key: string; value: string };
  model_versions: {
    name: string;
    version: number;
    creation_time: number;
    last_updated_time: number;
    description: string;
    source: string;
    run_id: string | null;
    status: string;
  };
  model_version_tags: { name: string; version: number; key: string; value: string };
  registered_model_aliases: { name: string; alias: string; version: number };
  alias_history: {
    /** Assigned by the database (AUTOINCREMENT): the history's order. */
    id: Generated<number>;
    name: string;
    alias: string;
    version: number | null;
    previous_version: number | null;
    action: string;
    time: number;
    reason: string | null;
    metric: string | null;
    value: number | null;
    previous_value: number | null;
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
  {
    version: 2,
    description: 'model registry: registered models, versions, tags, aliases and alias history',
    statements: [
      `CREATE TABLE registered_models (
        name TEXT PRIMARY KEY,
        creation_time INTEGER NOT NULL,
        last_updated_time INTEGER NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        next_version INTEGER NOT NULL DEFAULT 1
      )`,
      `CREATE TABLE registered_model_tags (
        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (name, key)
      )`,
      `CREATE TABLE model_versions (
        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        version INTEGER NOT NULL,
        creation_time INTEGER NOT NULL,
        last_updated_time INTEGER NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL,
        run_id TEXT,
        status TEXT NOT NULL CHECK (status IN ('READY')),
        PRIMARY KEY (name, version)
      )`,
      `CREATE INDEX model_versions_run ON model_versions (run_id)`,
      `CREATE INDEX model_versions_created ON model_versions (creation_time)`,
      `CREATE TABLE model_version_tags (
        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        version INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (name, version, key),
        FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON DELETE CASCADE ON UPDATE CASCADE
      )`,
      `CREATE TABLE registered_model_aliases (
        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        alias TEXT NOT NULL,
        version INTEGER NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions(name, version) ON UPDATE CASCADE
      )`,
      `CREATE INDEX registered_model_aliases_version ON registered_model_aliases (name, version)`,
      `CREATE TABLE alias_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL REFERENCES registered_models(name) ON DELETE CASCADE ON UPDATE CASCADE,
        alias TEXT NOT NULL,
        version INTEGER,
        previous_version INTEGER,
        action TEXT NOT NULL CHECK (action IN ('set', 'promote', 'force', 'rollback', 'delete')),
        time INTEGER NOT NULL,
        reason TEXT,
        metric TEXT,
        value REAL,
        previous_value REAL
      )`,
      `CREATE INDEX alias_history_name_alias ON alias_history (name, alias, id)`,
    ],
  },
  {
    version: 3,
    description: 'params, tags and latest_metrics clustered on (run_id, key) (WITHOUT ROWID): one b-tree lookup per key in searches and logBatch',
    statements: [
      ...rebuildWithoutRowid('params', `run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)`, 'run_id, key, value', [
        `CREATE INDEX params_key_value ON params (key, value)`,
      ]),
      ...rebuildWithoutRowid('tags', `run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key)`, 'run_id, key, value', [
        `CREATE INDEX tags_key_value ON tags (key, value)`,
      ]),
      ...rebuildWithoutRowid(
        'latest_metrics',
        `run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE, key TEXT NOT NULL, value REAL, step INTEGER NOT NULL, timestamp INTEGER NOT NULL, is_nan INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (run_id, key)`,
        'run_id, key, value, step, timestamp, is_nan',
        [`CREATE INDEX latest_metrics_key_value ON latest_metrics (key, value)`],
      ),
    ],
  },
  {
    version: 4,
    description: 'prediction log: one row per served item, keyed by (request_id, item_index), with its label once posted',
    statements: [
      `CREATE TABLE predictions (
        request_id TEXT NOT NULL,
        item_index INTEGER NOT NULL CHECK (item_index >= 0),
        model_name TEXT NOT NULL,
        model_version TEXT,
        model_uri TEXT NOT NULL,
        timestamp INTEGER NOT NULL,
        latency_ms REAL NOT NULL,
        inputs TEXT NOT NULL,
        outputs TEXT NOT NULL,
        label TEXT,
        label_timestamp INTEGER,
        PRIMARY KEY (request_id, item_index)
      )`,
      `CREATE INDEX predictions_model_time ON predictions (model_name, timestamp, request_id, item_index)`,
      `CREATE INDEX predictions_time ON predictions (timestamp, request_id, item_index)`,
    ],
  },
];

/**
 * The statements that rebuild `table` as a WITHOUT ROWID table with the same rows: create a new
 * table, copy, drop the old one, rename, recreate its indexes (run inside the migration's transaction).
 */
function rebuildWithoutRowid(table: string, columns: string, columnList: string, indexes: string[]): string[] {
  return [
    `CREATE TABLE ${table}_v3 (${columns}) WITHOUT ROWID`,
    `INSERT INTO ${table}_v3 (${columnList}) SELECT ${columnList} FROM ${table}`,
    `DROP TABLE ${table}`,
    `ALTER TABLE ${table}_v3 RENAME TO ${table}`,
    ...indexes,
  ];
}

/**
 * The embedded tracking store: one SQLite file (WAL mode, 10 s busy timeout) through better-sqlite3,
 * with queries built by Kysely.
 *
 * Kysely compiles the queries (so they stay portable to the PostgreSQL backend and the search
 * compiler's SQL fragments slot in); better-sqlite3 runs them synchronously inside
 * `BEGIN IMMEDIATE` transactions (see {@link SqliteConnection}, shared with the model registry).
 * Taking the write lock up front is what keeps several processes from ever seeing
 * "database is locked": a writer waits on the busy timeout instead of failing to upgrade a read
 * lock. The hot path of `logBatch` uses fixed multi-row statements, prepared once.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { Compilable, Expression, RawBuilder, SqlBool } from 'kysely';
import { MlshipError } from '../../core/index.js';
import type { DatasetInput, Experiment, LifecycleStage, Metric, Page, Run, RunData, RunInfo, RunStatus, ViewType } from '../entities.js';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, PARENT_RUN_ID_TAG } from '../entities.js';
import { AbstractTrackingStore } from '../store.js';
import type { CreateExperimentOptions, CreateRunOptions, LogBatch, SearchExperimentsOptions, SearchRunsOptions, UpdateRunOptions } from '../store.js';
import type { TrackingDatabase } from './schema.js';
import { compileRunSearch, compileSearch } from './search-sql.js';
import { SqliteConnection, chunks, decodePageToken, emptyRecord, page, sqliteQueryBuilder } from './sqlite-connection.js';
import type { Db } from './sqlite-connection.js';
import { checkInputs, checkInteger, checkKey, checkMaxResults, checkName, checkStatus, checkValue, normaliseBatch } from './validate.js';

export { translateError } from './sqlite-connection.js';

type Row = Record<string, unknown>;
type RunRow = TrackingDatabase['runs'];
type ExperimentRow = TrackingDatabase['experiments'];

/** Options of {@link SqliteTrackingStore}. */
export interface SqliteTrackingStoreOptions {
  /** The database file, or `':memory:'`. @default './mlship/mlship.db' */
  path?: string;
  /** Root folder of experiment artifact locations. @default `<folder of path>/artifacts` */
  artifactRoot?: string;
  /** How long a writer waits for the lock before failing, in ms. @default 10000 */
  busyTimeoutMs?: number;
}

/**
 * Rows per multi-row INSERT: 5 bound values each plus the run id bound once, far under SQLite's
 * 32,766-parameter limit (a batch of 1,000 metrics is one statement).
 */
const METRIC_CHUNK = 1000;
/** Ids per `IN (...)` list. */
const IN_CHUNK = 500;

/** A Kysely instance that only builds and compiles SQLite queries; execution is ours. */
const qb = sqliteQueryBuilder<TrackingDatabase>();

/** `SELECT * FROM runs WHERE run_id = ?`, compiled once (it runs on every logBatch). */
const RUN_BY_ID = (() => {
  const compiled = qb.selectFrom('runs').selectAll().where('run_id', '=', '').compile();
  return { withParameters: (runId: string) => ({ compile: () => ({ ...compiled, parameters: [runId] }) }) };
})();

/** Up to this offset, a page is read as the first `offset + limit + 1` rows (a top-N sort) and the first `offset` dropped. */
const TOP_N_MAX_OFFSET = 5000;

/**
 * The LIMIT clause of a page of `count` rows after `offset`, as integer literals. SQLite sorts a
 * `LIMIT <literal>` query with a top-N sorter that keeps only that many rows, but not a query with
 * `LIMIT ?` or with any OFFSET, which sorts every matching row: two to three times slower over
 * 10,000 runs. So the first pages ask for `offset + count` rows and the caller drops `offset` of
 * them; deep pages use OFFSET.
 */
function limitClause(count: number, offset: number): RawBuilder<unknown> {
  for (const n of [count, offset]) {
    if (!Number.isSafeInteger(n) || n < 0) throw new MlshipError('INTERNAL', `expected a non-negative integer for LIMIT/OFFSET, got ${n}`);
  }
  if (offset <= TOP_N_MAX_OFFSET) return sql`LIMIT ${sql.lit(offset + count)}`;
  return sql`LIMIT ${sql.lit(count)} OFFSET ${sql.lit(offset)}`;
}

/**
 * The default tracking backend: a single SQLite file, safe for several processes at once.
 * The constructor only stores options; call `migrate()` once to create or upgrade the schema
 * (`openTrackingStore` does it for you).
 *
 * @example
 * ```ts
 * import { openTrackingStore } from 'mlship/tracking';
 * const store = await openTrackingStore('sqlite:///tmp/demo/mlship.db'); // a SqliteTrackingStore, migrated
 * const run = await store.createRun();
 * await store.logBatch(run.info.runId, { metrics: [{ key: 'loss', value: 0.3, step: 1 }] });
 * await store.close();
 * ```
 */
export class SqliteTrackingStore extends AbstractTrackingStore {
  /** The database file (absolute), or `':memory:'`. */
  readonly path: string;
  /** The root folder of experiment artifact locations (absolute). */
  readonly artifactRoot: string;
  private readonly conn: SqliteConnection;

  constructor(options: SqliteTrackingStoreOptions = {}) {
    super();
    const path = options.path ?? './mlship/mlship.db';
    this.path = path === ':memory:' ? path : resolve(path);
    this.artifactRoot = resolve(options.artifactRoot ?? (path === ':memory:' ? './mlship/artifacts' : join(dirname(this.path), 'artifacts')));
    this.conn = new SqliteConnection({ path: this.path, label: 'tracking store', busyTimeoutMs: options.busyTimeoutMs });
  }

  // ---------------------------------------------------------------- connection and migrations

  /** Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT` (rolled back on error). */
  private write<T>(fn: (db: Db) => T): Promise<T> {
    return this.conn.write(fn);
  }

  /** Runs `fn` inside a read transaction (one consistent snapshot). */
  private read<T>(fn: (db: Db) => T): Promise<T> {
    return this.conn.read(fn);
  }

  /**
   * Creates the schema or upgrades it to the current version, and creates the Default experiment.
   * Safe to call from several processes at once and on every start.
   */
  async migrate(): Promise<void> {
    await this.conn.migrate((db) => {
      db.prepare(`INSERT OR IGNORE INTO sequences (name, value) VALUES ('experiment_id', 0)`).run();
      const now = Date.now();
      db.prepare(
        `INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, 'active', ?, ?)`,
      ).run(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, join(this.artifactRoot, DEFAULT_EXPERIMENT_ID), now, now);
    });
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  // ---------------------------------------------------------------- small execution helpers

  private stmt(db: Db, text: string): BetterSqlite3.Statement {
    return this.conn.stmt(db, text);
  }

  private all<T = Row>(db: Db, query: Compilable): T[] {
    return this.conn.all<T>(db, query);
  }

  private first<T = Row>(db: Db, query: Compilable): T | undefined {
    return this.conn.first<T>(db, query);
  }

  private exec(db: Db, query: Compilable): number {
    return this.conn.exec(db, query);
  }

  // ---------------------------------------------------------------- experiments

  private experimentRow(db: Db, experimentId: string): ExperimentRow {
    if (typeof experimentId !== 'string' || experimentId.length === 0) {
      throw new MlshipError('INVALID_ARGUMENT', `experimentId must be a non-empty string, got ${JSON.stringify(experimentId)}`, { field: 'experimentId', value: experimentId });
    }
    const row = this.first<ExperimentRow>(db, qb.selectFrom('experiments').selectAll().where('experiment_id', '=', experimentId));
    if (!row) throw new MlshipError('NOT_FOUND', `no experiment with id '${experimentId}'; list them with searchExperiments()`, { field: 'experimentId', value: experimentId });
    return row;
  }

  private toExperiments(db: Db, rows: ExperimentRow[]): Experiment[] {
    const tags = new Map<string, Record<string, string>>();
    for (const ids of chunks(rows.map((r) => r.experiment_id), IN_CHUNK)) {
      for (const t of this.all<TrackingDatabase['experiment_tags']>(db, qb.selectFrom('experiment_tags').selectAll().where('experiment_id', 'in', ids))) {
        let rec = tags.get(t.experiment_id);
        if (!rec) tags.set(t.experiment_id, (rec = emptyRecord()));
        rec[t.key] = t.value;
      }
    }
    return rows.map((r) => ({
      experimentId: r.experiment_id,
      name: r.name,
      artifactLocation: r.artifact_location,
      lifecycleStage: r.lifecycle_stage as LifecycleStage,
      creationTime: r.creation_time,
      lastUpdateTime: r.last_update_time,
      deletedTime: r.deleted_time,
      tags: tags.get(r.experiment_id) ?? emptyRecord(),
    }));
  }

  private checkNameFree(db: Db, name: string): void {
    const taken = this.first<ExperimentRow>(db, qb.selectFrom('experiments').selectAll().where('name', '=', name));
    if (taken) {
      const hint = taken.lifecycle_stage === 'deleted' ? ` by the deleted experiment ${taken.experiment_id}: purge it (purgeExperiment) to reuse the name, or restore it` : ` by experiment ${taken.experiment_id}`;
      throw new MlshipError('ALREADY_EXISTS', `the experiment name '${name}' is taken${hint}`, { field: 'name', value: name });
    }
  }

  async createExperiment(name: string, options: CreateExperimentOptions = {}): Promise<string> {
    checkName('experiment name', name);
    const tags = Object.entries(options.tags ?? {});
    for (const [k, v] of tags) {
      checkKey('tag', k);
      checkValue('tag', k, v);
    }
    return this.write((db) => {
      this.checkNameFree(db, name);
      const seq = this.first<{ value: number }>(db, qb.updateTable('sequences').set({ value: sql<number>`value + 1` }).where('name', '=', 'experiment_id').returning('value'));
      const id = String(seq!.value);
      const now = Date.now();
      this.exec(
        db,
        qb.insertInto('experiments').values({
          experiment_id: id,
          name,
          artifact_location: options.artifactLocation ?? join(this.artifactRoot, id),
          lifecycle_stage: 'active',
          creation_time: now,
          last_update_time: now,
          deleted_time: null,
        }),
      );
      if (tags.length > 0) this.exec(db, qb.insertInto('experiment_tags').values(tags.map(([key, value]) => ({ experiment_id: id, key, value }))));
      return id;
    });
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.read((db) => this.toExperiments(db, [this.experimentRow(db, experimentId)])[0]!);
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    checkName('experiment name', name);
    return this.read((db) => {
      const row = this.first<ExperimentRow>(db, qb.selectFrom('experiments').selectAll().where('name', '=', name));
      return row ? this.toExperiments(db, [row])[0]! : null;
    });
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    const limit = checkMaxResults(options.maxResults);
    const offset = decodePageToken(options.pageToken);
    const stages = viewStages(options.viewType);
    // Filter and order compile to SQL over `experiments` with every value bound (injection-proof).
    const { where, orderBy } = compileSearch('experiment', options.filter, options.orderBy);
    return this.read((db) => {
      let query = qb.selectFrom('experiments').selectAll().where('lifecycle_stage', 'in', stages);
      if (where) query = query.where(where as Expression<SqlBool>);
      if (orderBy) for (const o of orderBy) query = query.orderBy(o); // ends with creation_time, id
      else query = query.orderBy('creation_time', 'asc').orderBy(sql`CAST(experiment_id AS INTEGER)`, 'asc');
      const rows = this.all<ExperimentRow>(db, query.limit(limit + 1).offset(offset));
      return page(this.toExperiments(db, rows.slice(0, limit)), rows.length > limit, offset + limit);
    });
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    checkName('experiment name', newName);
    await this.write((db) => {
      const row = this.experimentRow(db, experimentId);
      if (row.name === newName) return;
      this.checkNameFree(db, newName);
      this.exec(db, qb.updateTable('experiments').set({ name: newName, last_update_time: Date.now() }).where('experiment_id', '=', experimentId));
    });
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    checkKey('tag', key);
    checkValue('tag', key, value);
    await this.write((db) => {
      this.experimentRow(db, experimentId);
      this.exec(
        db,
        qb
          .insertInto('experiment_tags')
          .values({ experiment_id: experimentId, key, value })
          .onConflict((oc) => oc.columns(['experiment_id', 'key']).doUpdateSet({ value })),
      );
    });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    if (experimentId === DEFAULT_EXPERIMENT_ID) {
      throw new MlshipError('INVALID_ARGUMENT', `the Default experiment (id '0') cannot be deleted`, { field: 'experimentId', value: experimentId });
    }
    await this.write((db) => {
      const row = this.experimentRow(db, experimentId);
      if (row.lifecycle_stage === 'deleted') return;
      // The runs this delete takes are marked with its time, kept distinct from runs deleted on
      // their own earlier (so restore brings back exactly these).
      const prior = this.first<{ t: number | null }>(db, qb.selectFrom('runs').select((eb) => eb.fn.max('deleted_time').as('t')).where('experiment_id', '=', experimentId));
      const now = Math.max(Date.now(), (prior?.t ?? 0) + 1);
      this.exec(db, qb.updateTable('experiments').set({ lifecycle_stage: 'deleted', deleted_time: now, last_update_time: now }).where('experiment_id', '=', experimentId));
      this.exec(
        db,
        qb.updateTable('runs').set({ lifecycle_stage: 'deleted', deleted_time: now }).where('experiment_id', '=', experimentId).where('lifecycle_stage', '=', 'active'),
      );
    });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.write((db) => {
      const row = this.experimentRow(db, experimentId);
      if (row.lifecycle_stage === 'active') return;
      this.exec(db, qb.updateTable('experiments').set({ lifecycle_stage: 'active', deleted_time: null, last_update_time: Date.now() }).where('experiment_id', '=', experimentId));
      // Restore the runs that the delete took with it, not those deleted on their own before.
      this.exec(
        db,
        qb
          .updateTable('runs')
          .set({ lifecycle_stage: 'active', deleted_time: null })
          .where('experiment_id', '=', experimentId)
          .where('lifecycle_stage', '=', 'deleted')
          .where('deleted_time', '=', row.deleted_time),
      );
    });
  }

  async purgeExperiment(experimentId: string): Promise<string[]> {
    return this.write((db) => {
      const row = this.experimentRow(db, experimentId);
      if (row.lifecycle_stage !== 'deleted') {
        throw new MlshipError('INVALID_ARGUMENT', `experiment '${experimentId}' (${row.name}) is active: delete it first (deleteExperiment), then purge it`, { field: 'experimentId', value: experimentId });
      }
      const locations = [row.artifact_location];
      for (const r of this.all<{ artifact_uri: string }>(db, qb.selectFrom('runs').select('artifact_uri').where('experiment_id', '=', experimentId))) {
        if (!isInside(r.artifact_uri, row.artifact_location)) locations.push(r.artifact_uri);
      }
      // ON DELETE CASCADE removes tags, runs and everything the runs logged.
      this.exec(db, qb.deleteFrom('experiments').where('experiment_id', '=', experimentId));
      return [...new Set(locations)];
    });
  }

  // ---------------------------------------------------------------- runs

  private runRow(db: Db, runId: string): RunRow {
    if (typeof runId !== 'string' || runId.length === 0) {
      throw new MlshipError('INVALID_ARGUMENT', `runId must be a non-empty string, got ${JSON.stringify(runId)}`, { field: 'runId', value: runId });
    }
    const row = this.first<RunRow>(db, RUN_BY_ID.withParameters(runId));
    if (!row) throw new MlshipError('NOT_FOUND', `no run with id '${runId}'`, { field: 'runId', value: runId });
    return row;
  }

  private activeRunRow(db: Db, runId: string): RunRow {
    const row = this.runRow(db, runId);
    if (row.lifecycle_stage !== 'active') {
      throw new MlshipError('INVALID_ARGUMENT', `run '${runId}' is deleted: restore it (restoreRun) before logging to it`, { field: 'runId', value: runId });
    }
    return row;
  }

  async createRun(options: CreateRunOptions = {}): Promise<Run> {
    const experimentId = options.experimentId ?? DEFAULT_EXPERIMENT_ID;
    const runName = options.runName ?? generateRunName();
    checkName('runName', runName);
    const startTime = options.startTime ?? Date.now();
    checkInteger('startTime', startTime);
    const tags = { ...(options.tags ?? {}) };
    const parentRunId = options.parentRunId ?? tags[PARENT_RUN_ID_TAG] ?? null;
    if (parentRunId !== null) tags[PARENT_RUN_ID_TAG] = parentRunId;
    for (const [k, v] of Object.entries(tags)) {
      checkKey('tag', k);
      checkValue('tag', k, v);
    }
    const status = options.status ?? 'RUNNING';
    checkStatus(status);
    if (options.endTime != null) checkInteger('endTime', options.endTime);
    const endTime = options.endTime ?? (status === 'RUNNING' ? null : startTime);
    const runId = randomBytes(16).toString('hex');
    let artifactUri = '';
    await this.write((db) => {
      const exp = this.experimentRow(db, experimentId);
      if (exp.lifecycle_stage !== 'active') {
        throw new MlshipError('INVALID_ARGUMENT', `experiment '${experimentId}' (${exp.name}) is deleted: restore it before creating runs in it`, { field: 'experimentId', value: experimentId });
      }
      if (parentRunId !== null) this.runRow(db, parentRunId);
      this.exec(
        db,
        qb.insertInto('runs').values({
          run_id: runId,
          experiment_id: experimentId,
          run_name: runName,
          status,
          start_time: startTime,
          end_time: endTime,
          lifecycle_stage: 'active',
          parent_run_id: parentRunId,
          artifact_uri: (artifactUri = join(exp.artifact_location, runId, 'artifacts')),
          user_id: options.userId ?? null,
          source_commit: options.sourceCommit ?? null,
          source_dirty: options.sourceDirty == null ? null : options.sourceDirty ? 1 : 0,
          deleted_time: null,
        }),
      );
      const entries = Object.entries(tags);
      if (entries.length > 0) this.exec(db, qb.insertInto('tags').values(entries.map(([key, value]) => ({ run_id: runId, key, value }))));
    });
    // a new run: what was just written is the whole run, no need to read it back
    const data: RunData = { metrics: emptyRecord(), params: emptyRecord(), tags: emptyRecord() };
    Object.assign(data.tags, tags);
    const info: RunInfo = {
      runId,
      experimentId,
      runName,
      status,
      startTime,
      endTime,
      lifecycleStage: 'active',
      parentRunId,
      artifactUri,
      userId: options.userId ?? null,
      sourceCommit: options.sourceCommit ?? null,
      sourceDirty: options.sourceDirty ?? null,
    };
    return { info, data, inputs: [] };
  }

  async getRun(runId: string): Promise<Run> {
    return this.read((db) => this.toRuns(db, [this.runRow(db, runId)])[0]!);
  }

  async updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo> {
    if (update.status !== undefined) checkStatus(update.status);
    if (update.endTime != null) checkInteger('endTime', update.endTime);
    if (update.runName !== undefined) checkName('runName', update.runName);
    await this.write((db) => {
      const row = this.runRow(db, runId);
      const set: Partial<RunRow> = {};
      if (update.status !== undefined) set.status = update.status;
      if (update.runName !== undefined) set.run_name = update.runName;
      if (update.endTime !== undefined) set.end_time = update.endTime;
      else if (update.status !== undefined && update.status !== 'RUNNING' && row.end_time === null) set.end_time = Date.now();
      if (Object.keys(set).length > 0) this.exec(db, qb.updateTable('runs').set(set).where('run_id', '=', runId));
    });
    return (await this.getRun(runId)).info;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.write((db) => {
      this.runRow(db, runId);
      this.exec(db, qb.updateTable('runs').set({ lifecycle_stage: 'deleted', deleted_time: Date.now() }).where('run_id', '=', runId).where('lifecycle_stage', '=', 'active'));
    });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.write((db) => {
      const row = this.runRow(db, runId);
      const exp = this.experimentRow(db, row.experiment_id);
      if (exp.lifecycle_stage !== 'active') {
        throw new MlshipError('INVALID_ARGUMENT', `run '${runId}' belongs to the deleted experiment '${exp.experiment_id}': restore the experiment instead`, { field: 'runId', value: runId });
      }
      this.exec(db, qb.updateTable('runs').set({ lifecycle_stage: 'active', deleted_time: null }).where('run_id', '=', runId));
    });
  }

  // ---------------------------------------------------------------- logging

  async logBatch(runId: string, batch: LogBatch): Promise<void> {
    const { metrics, params, tags } = normaliseBatch(batch);
    if (metrics.length === 0 && params.length === 0 && tags.length === 0) {
      await this.read((db) => this.activeRunRow(db, runId));
      return;
    }
    await this.write((db) => {
      this.activeRunRow(db, runId);
      if (params.length > 0) this.insertParams(db, runId, params);
      if (tags.length > 0) this.upsertTags(db, runId, tags);
      if (metrics.length > 0) this.insertMetrics(db, runId, metrics);
    });
  }

  private insertParams(db: Db, runId: string, params: { key: string; value: string }[]): void {
    const wanted = new Map(params.map((p) => [p.key, p.value]));
    for (const keys of chunks([...wanted.keys()], IN_CHUNK)) {
      for (const p of this.all<{ key: string; value: string }>(db, qb.selectFrom('params').select(['key', 'value']).where('run_id', '=', runId).where('key', 'in', keys))) {
        const value = wanted.get(p.key)!;
        if (p.value !== value) {
          throw new MlshipError(
            'INVALID_ARGUMENT',
            `param '${p.key}' of run '${runId}' was already logged with value '${p.value}'; it cannot change to '${value}' (params are immutable: log a new run, or use a tag)`,
            { field: 'param', key: p.key, oldValue: p.value, newValue: value },
          );
        }
        wanted.delete(p.key);
      }
    }
    const rows = [...wanted].map(([key, value]) => ({ run_id: runId, key, value }));
    for (const part of chunks(rows, IN_CHUNK)) this.exec(db, qb.insertInto('params').values(part));
  }

  private upsertTags(db: Db, runId: string, tags: { key: string; value: string }[]): void {
    const last = new Map(tags.map((t) => [t.key, t.value]));
    const rows = [...last].map(([key, value]) => ({ run_id: runId, key, value }));
    for (const part of chunks(rows, IN_CHUNK)) {
      this.exec(db, qb.insertInto('tags').values(part).onConflict((oc) => oc.columns(['run_id', 'key']).doUpdateSet({ value: (eb) => eb.ref('excluded.value') })));
    }
    const parent = last.get(PARENT_RUN_ID_TAG);
    if (parent !== undefined) {
      if (parent !== '') this.runRow(db, parent);
      this.exec(db, qb.updateTable('runs').set({ parent_run_id: parent === '' ? null : parent }).where('run_id', '=', runId));
    }
  }

  private insertMetrics(db: Db, runId: string, metrics: { key: string; value: number; step: number; timestamp: number }[]): void {
    this.insertMetricRows(db, 'metrics', runId, metrics);
    // The latest value per key in this batch (max (step, timestamp), the later one on ties): one
    // upsert row per key, not per metric.
    const latest = new Map<string, (typeof metrics)[number]>();
    for (const m of metrics) {
      const best = latest.get(m.key);
      if (!best || m.step > best.step || (m.step === best.step && m.timestamp >= best.timestamp)) latest.set(m.key, m);
    }
    this.insertMetricRows(db, 'latest_metrics', runId, [...latest.values()]);
  }

  /** Inserts (or, for `latest_metrics`, upserts) metric rows in multi-row statements of a few fixed sizes. */
  private insertMetricRows(db: Db, table: 'metrics' | 'latest_metrics', runId: string, rows: readonly { key: string; value: number; step: number; timestamp: number }[]): void {
    let i = 0;
    for (const size of statementSizes(rows.length)) {
      const values: unknown[] = new Array(size * 5);
      for (let j = 0; j < values.length; i++) {
        const m = rows[i]!;
        const nan = Number.isNaN(m.value);
        values[j++] = m.key;
        values[j++] = nan ? null : m.value;
        values[j++] = m.step;
        values[j++] = m.timestamp;
        values[j++] = nan ? 1 : 0;
      }
      this.stmt(db, insertMetricsSql(table, size)).run(values, { r: runId });
    }
  }

  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    checkKey('metric', key);
    return this.read((db) => {
      this.runRow(db, runId);
      const rows = this.all<TrackingDatabase['metrics']>(
        db,
        qb.selectFrom('metrics').selectAll().where('run_id', '=', runId).where('key', '=', key).orderBy('step').orderBy('timestamp').orderBy(sql`rowid`),
      );
      return rows.map(toMetric);
    });
  }

  async logInputs(runId: string, inputs: DatasetInput[]): Promise<void> {
    checkInputs(inputs);
    if (inputs.length === 0) return;
    await this.write((db) => {
      this.activeRunRow(db, runId);
      for (const d of inputs) {
        const row = {
          run_id: runId,
          name: d.name,
          digest: d.digest,
          source: d.source ?? null,
          schema_json: d.schema === undefined ? null : JSON.stringify(d.schema),
          row_count: d.rowCount ?? null,
          context: d.context ?? null,
        };
        this.exec(
          db,
          qb
            .insertInto('dataset_inputs')
            .values(row)
            .onConflict((oc) => oc.columns(['run_id', 'name', 'digest']).doUpdateSet({ source: row.source, schema_json: row.schema_json, row_count: row.row_count, context: row.context })),
        );
      }
    });
  }

  // ---------------------------------------------------------------- search

  async searchRuns(options: SearchRunsOptions = {}): Promise<Page<Run>> {
    const experimentIds = options.experimentIds ?? [DEFAULT_EXPERIMENT_ID];
    if (!Array.isArray(experimentIds) || experimentIds.some((id) => typeof id !== 'string')) {
      throw new MlshipError('INVALID_ARGUMENT', `experimentIds must be an array of experiment id strings, got ${JSON.stringify(experimentIds)}`, { field: 'experimentIds' });
    }
    const limit = checkMaxResults(options.maxResults);
    const offset = decodePageToken(options.pageToken);
    const stages = viewStages(options.runViewType);
    const { where, joins, orderBy } = compileRunSearch(options.filter, options.orderBy);
    if (experimentIds.length === 0) return { items: [] };
    // Sort keys are read through LEFT JOINs on (run_id, key); the order ends with start_time DESC, run_id ASC.
    const text = sql`SELECT runs.* FROM runs ${sql.join(joins, sql` `)}
      WHERE runs.experiment_id IN (${sql.join(experimentIds)}) AND runs.lifecycle_stage IN (${sql.join(stages)})${where ? sql` AND ${where}` : sql``}
      ORDER BY ${sql.join(orderBy)} ${limitClause(limit + 1, offset)}`;
    const query: Compilable = { compile: () => text.compile(qb) };
    return this.read((db) => {
      let rows = this.all<RunRow>(db, query);
      if (offset > 0 && offset <= TOP_N_MAX_OFFSET) rows = rows.slice(offset);
      return page(this.toRuns(db, rows.slice(0, limit)), rows.length > limit, offset + limit);
    });
  }

  // ---------------------------------------------------------------- row mapping

  private toRuns(db: Db, rows: RunRow[]): Run[] {
    const byId = new Map<string, Run>();
    const runs = rows.map((r) => {
      const run: Run = {
        info: {
          runId: r.run_id,
          experimentId: r.experiment_id,
          runName: r.run_name,
          status: r.status as RunStatus,
          startTime: r.start_time,
          endTime: r.end_time,
          lifecycleStage: r.lifecycle_stage as LifecycleStage,
          parentRunId: r.parent_run_id,
          artifactUri: r.artifact_uri,
          userId: r.user_id,
          sourceCommit: r.source_commit,
          sourceDirty: r.source_dirty === null ? null : r.source_dirty === 1,
        },
        data: { metrics: emptyRecord(), params: emptyRecord(), tags: emptyRecord() },
        inputs: [],
      };
      byId.set(r.run_id, run);
      return run;
    });
    for (const ids of chunks([...byId.keys()], IN_CHUNK)) {
      for (const p of this.all<TrackingDatabase['params']>(db, qb.selectFrom('params').selectAll().where('run_id', 'in', ids))) byId.get(p.run_id)!.data.params[p.key] = p.value;
      for (const t of this.all<TrackingDatabase['tags']>(db, qb.selectFrom('tags').selectAll().where('run_id', 'in', ids))) byId.get(t.run_id)!.data.tags[t.key] = t.value;
      for (const m of this.all<TrackingDatabase['latest_metrics']>(db, qb.selectFrom('latest_metrics').selectAll().where('run_id', 'in', ids))) {
        byId.get(m.run_id)!.data.metrics[m.key] = toMetric(m);
      }
      for (const d of this.all<TrackingDatabase['dataset_inputs']>(db, qb.selectFrom('dataset_inputs').selectAll().where('run_id', 'in', ids).orderBy('name').orderBy('digest'))) {
        const input: DatasetInput = { name: d.name, digest: d.digest, source: d.source, rowCount: d.row_count, context: d.context };
        if (d.schema_json !== null) input.schema = JSON.parse(d.schema_json);
        byId.get(d.run_id)!.inputs.push(input);
      }
    }
    return runs;
  }
}

// ------------------------------------------------------------------ helpers

/**
 * Splits `n` rows into statement sizes: full chunks of {@link METRIC_CHUNK}, then the remainder in
 * powers of two, so at most 11 distinct multi-row statements are ever prepared per table whatever
 * the batch sizes (each is prepared once and cached).
 */
function* statementSizes(n: number): Generator<number> {
  let left = n;
  for (; left >= METRIC_CHUNK; left -= METRIC_CHUNK) yield METRIC_CHUNK;
  for (let size = 512; size >= 1; size >>= 1) {
    if (left >= size) {
      yield size;
      left -= size;
    }
  }
}

const insertSqlCache = new Map<string, string>();

/**
 * `INSERT INTO <table> (...) VALUES (@r, ?, ?, ?, ?, ?), ...` for `rows` rows: the run id is bound
 * once by name, each row binds key, value, step, timestamp and is_nan. latest_metrics upserts,
 * keeping the value with the highest (step, timestamp).
 */
function insertMetricsSql(table: 'metrics' | 'latest_metrics', rows: number): string {
  const cacheKey = `${table}:${rows}`;
  let text = insertSqlCache.get(cacheKey);
  if (!text) {
    text = `INSERT INTO ${table} (run_id, key, value, step, timestamp, is_nan) VALUES ${new Array(rows).fill('(@r, ?, ?, ?, ?, ?)').join(', ')}`;
    if (table === 'latest_metrics') {
      text +=
        ' ON CONFLICT (run_id, key) DO UPDATE SET value = excluded.value, step = excluded.step, timestamp = excluded.timestamp, is_nan = excluded.is_nan' +
        ' WHERE excluded.step > latest_metrics.step OR (excluded.step = latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp)';
    }
    insertSqlCache.set(cacheKey, text);
  }
  return text;
}

function toMetric(m: { key: string; value: number | null; step: number; timestamp: number; is_nan: number }): Metric {
  return { key: m.key, value: m.is_nan === 1 || m.value === null ? Number.NaN : m.value, step: m.step, timestamp: m.timestamp };
}

function viewStages(viewType: ViewType | undefined): LifecycleStage[] {
  switch (viewType ?? 'ACTIVE_ONLY') {
    case 'ACTIVE_ONLY':
      return ['active'];
    case 'DELETED_ONLY':
      return ['deleted'];
    case 'ALL':
      return ['active', 'deleted'];
    default:
      throw new MlshipError('INVALID_ARGUMENT', `view type must be ACTIVE_ONLY, DELETED_ONLY or ALL, got ${JSON.stringify(viewType)}`, { field: 'viewType', value: viewType });
  }
}

function isInside(path: string, folder: string): boolean {
  return path === folder || path.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
}

const ADJECTIVES = ['brave', 'calm', 'clever', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'kind', 'lucky', 'merry', 'nimble', 'proud', 'quiet', 'rapid', 'shy', 'swift', 'tidy', 'vivid', 'witty'];
const NOUNS = ['otter', 'falcon', 'badger', 'heron', 'lynx', 'panda', 'robin', 'salmon', 'tiger', 'whale', 'koala', 'gecko', 'bison', 'crane', 'moose', 'owl', 'seal', 'wren', 'yak', 'zebra'];

/** A readable random run name such as `brave-otter-417`. */
function generateRunName(): string {
  const [a, b, c] = randomBytes(3);
  return `${ADJECTIVES[a! % ADJECTIVES.length]}-${NOUNS[b! % NOUNS.length]}-${100 + (((a! << 8) | c!) % 900)}`;
}

/**
 * The embedded tracking store: one SQLite file (WAL mode, 10 s busy timeout) through better-sqlite3,
 * with queries built by Kysely.
 *
 * Kysely compiles the queries (so they stay portable to the PostgreSQL backend and the search
 * compiler's SQL fragments slot in); better-sqlite3 runs them synchronously inside
 * `BEGIN IMMEDIATE` transactions. Taking the write lock up front is what keeps several processes
 * from ever seeing "database is locked": a writer waits on the busy timeout instead of failing
 * to upgrade a read lock. The hot path of `logBatch` uses fixed multi-row statements, prepared once.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, sql } from 'kysely';
import type { Compilable, Expression, SqlBool } from 'kysely';
import { MlshipError } from '../../core/index.js';
import type { DatasetInput, Experiment, LifecycleStage, Metric, Page, Run, RunInfo, RunStatus, ViewType } from '../entities.js';
import { DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, PARENT_RUN_ID_TAG } from '../entities.js';
import { AbstractTrackingStore } from '../store.js';
import type { CreateExperimentOptions, CreateRunOptions, LogBatch, SearchExperimentsOptions, SearchRunsOptions, UpdateRunOptions } from '../store.js';
import { SCHEMA_VERSION, SQLITE_MIGRATIONS } from './schema.js';
import type { TrackingDatabase } from './schema.js';
import { compileRunSearch } from './search-sql.js';
import { checkInputs, checkInteger, checkKey, checkMaxResults, checkName, checkStatus, checkValue, normaliseBatch } from './validate.js';

type Db = BetterSqlite3.Database;
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

/** Rows per multi-row INSERT: 6 bound values each, far under SQLite's 32,766-parameter limit. */
const METRIC_CHUNK = 500;
/** Ids per `IN (...)` list. */
const IN_CHUNK = 500;

/** A Kysely instance that only builds and compiles SQLite queries; execution is ours. */
const qb = new Kysely<TrackingDatabase>({
  dialect: {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  },
});

/** `SELECT * FROM runs WHERE run_id = ?`, compiled once (it runs on every logBatch). */
const RUN_BY_ID = (() => {
  const compiled = qb.selectFrom('runs').selectAll().where('run_id', '=', '').compile();
  return { withParameters: (runId: string) => ({ compile: () => ({ ...compiled, parameters: [runId] }) }) };
})();

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
  private readonly busyTimeoutMs: number;
  private db: Db | undefined;
  private opening: Promise<Db> | undefined;
  private checked = false;
  private closed = false;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(options: SqliteTrackingStoreOptions = {}) {
    super();
    const path = options.path ?? './mlship/mlship.db';
    this.path = path === ':memory:' ? path : resolve(path);
    this.artifactRoot = resolve(options.artifactRoot ?? (path === ':memory:' ? './mlship/artifacts' : join(dirname(this.path), 'artifacts')));
    this.busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  }

  // ---------------------------------------------------------------- connection and migrations

  private async connection(create: boolean): Promise<Db> {
    if (this.closed) throw new MlshipError('INVALID_ARGUMENT', `the tracking store ${this.path} is closed; open a new one`, { file: this.path });
    if (this.db) return this.db;
    this.opening ??= this.open(create).finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(create: boolean): Promise<Db> {
    let Database: typeof BetterSqlite3;
    try {
      Database = (await import('better-sqlite3')).default;
    } catch (err) {
      throw new MlshipError('INTERNAL', `cannot load better-sqlite3 (${(err as Error).message}); reinstall mlship so its native module builds (needs make and g++)`, {}, { cause: err });
    }
    if (this.path !== ':memory:') {
      if (create) mkdirSync(dirname(this.path), { recursive: true });
      else if (!existsSync(this.path)) {
        throw new MlshipError('NOT_FOUND', `there is no tracking store at ${this.path}: call migrate() (or run \`mlship db upgrade\`) to create it`, { file: this.path });
      }
    }
    let db: Db;
    try {
      db = new Database(this.path, { fileMustExist: !create && this.path !== ':memory:' });
    } catch (err) {
      throw translateError(err, this.path);
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`);
      if (this.path !== ':memory:') await this.enableWal(db);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      db.close();
      throw translateError(err, this.path);
    }
    this.db = db;
    return db;
  }

  /**
   * Switches a new database file to WAL (a no-op once it is: the mode is stored in the file).
   * Switching needs an exclusive lock and SQLite may answer SQLITE_BUSY at once rather than wait,
   * when several processes open a fresh store together; retry within the busy timeout.
   */
  private async enableWal(db: Db): Promise<void> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (;;) {
      try {
        if (db.pragma('journal_mode', { simple: true }) !== 'wal') db.pragma('journal_mode = WAL');
        return;
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
      }
    }
  }

  /** The schema version stored in the file, 0 when it has none. */
  private storedVersion(db: Db): number {
    const table = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
    if (!table) return 0;
    const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
    return row.v ?? 0;
  }

  private checkVersion(version: number): void {
    if (version > SCHEMA_VERSION) {
      throw new MlshipError('UNSUPPORTED_VERSION', `the tracking store ${this.path} has schema version ${version}, newer than this mlship understands (${SCHEMA_VERSION}): upgrade mlship`, { file: this.path, value: version });
    }
    if (version < SCHEMA_VERSION) {
      throw new MlshipError('UNSUPPORTED_VERSION', `the tracking store ${this.path} has schema version ${version}, older than ${SCHEMA_VERSION}: call migrate() or run \`mlship db upgrade\``, { file: this.path, value: version });
    }
  }

  /** Runs `fn` on a connected, schema-checked database, translating driver errors. */
  private async use<T>(fn: (db: Db) => T): Promise<T> {
    const db = await this.connection(false);
    try {
      if (!this.checked) {
        this.checkVersion(this.storedVersion(db));
        this.checked = true;
      }
      return fn(db);
    } catch (err) {
      throw translateError(err, this.path);
    }
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT` (rolled back on error). */
  private write<T>(fn: (db: Db) => T): Promise<T> {
    return this.use((db) => db.transaction(() => fn(db)).immediate());
  }

  /** Runs `fn` inside a read transaction (one consistent snapshot). */
  private read<T>(fn: (db: Db) => T): Promise<T> {
    return this.use((db) => db.transaction(() => fn(db)).deferred());
  }

  /**
   * Creates the schema or upgrades it to {@link SCHEMA_VERSION}, and creates the Default experiment.
   * Safe to call from several processes at once and on every start.
   */
  async migrate(): Promise<void> {
    const db = await this.connection(true);
    try {
      db.transaction(() => {
        db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_time INTEGER NOT NULL)');
        const current = this.storedVersion(db);
        if (current > SCHEMA_VERSION) this.checkVersion(current);
        for (const m of SQLITE_MIGRATIONS) {
          if (m.version <= current) continue;
          for (const statement of m.statements) db.exec(statement);
          db.prepare('INSERT INTO schema_version (version, applied_time) VALUES (?, ?)').run(m.version, Date.now());
        }
        db.prepare(`INSERT OR IGNORE INTO sequences (name, value) VALUES ('experiment_id', 0)`).run();
        const now = Date.now();
        db.prepare(
          `INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, 'active', ?, ?)`,
        ).run(DEFAULT_EXPERIMENT_ID, DEFAULT_EXPERIMENT_NAME, join(this.artifactRoot, DEFAULT_EXPERIMENT_ID), now, now);
      }).immediate();
      this.checked = true;
    } catch (err) {
      throw translateError(err, this.path);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const db = this.db ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
    this.statements.clear();
    this.db = undefined;
    db?.close();
  }

  // ---------------------------------------------------------------- small execution helpers

  private stmt(db: Db, text: string): BetterSqlite3.Statement {
    let s = this.statements.get(text);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear();
      s = db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  private all<T = Row>(db: Db, query: Compilable): T[] {
    const c = query.compile();
    return this.stmt(db, c.sql).all(...(c.parameters as unknown[])) as T[];
  }

  private first<T = Row>(db: Db, query: Compilable): T | undefined {
    const c = query.compile();
    return this.stmt(db, c.sql).get(...(c.parameters as unknown[])) as T | undefined;
  }

  private exec(db: Db, query: Compilable): number {
    const c = query.compile();
    return this.stmt(db, c.sql).run(...(c.parameters as unknown[])).changes;
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
    return this.read((db) => {
      const rows = this.all<ExperimentRow>(
        db,
        qb
          .selectFrom('experiments')
          .selectAll()
          .where('lifecycle_stage', 'in', stages)
          .orderBy('creation_time', 'asc')
          .orderBy(sql`CAST(experiment_id AS INTEGER)`, 'asc')
          .limit(limit + 1)
          .offset(offset),
      );
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
    const runId = randomBytes(16).toString('hex');
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
          status: 'RUNNING',
          start_time: startTime,
          end_time: null,
          lifecycle_stage: 'active',
          parent_run_id: parentRunId,
          artifact_uri: join(exp.artifact_location, runId, 'artifacts'),
          user_id: options.userId ?? null,
          source_commit: options.sourceCommit ?? null,
          source_dirty: options.sourceDirty == null ? null : options.sourceDirty ? 1 : 0,
          deleted_time: null,
        }),
      );
      const entries = Object.entries(tags);
      if (entries.length > 0) this.exec(db, qb.insertInto('tags').values(entries.map(([key, value]) => ({ run_id: runId, key, value }))));
    });
    return this.getRun(runId);
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
    const n = metrics.length;
    // The latest value per key in this batch: max (step, timestamp), the later one on ties.
    const latest = new Map<string, (typeof metrics)[number]>();
    for (let start = 0; start < n; start += METRIC_CHUNK) {
      const end = Math.min(n, start + METRIC_CHUNK);
      const values: unknown[] = new Array((end - start) * 6);
      let j = 0;
      for (let i = start; i < end; i++) {
        const m = metrics[i]!;
        const nan = Number.isNaN(m.value);
        values[j++] = runId;
        values[j++] = m.key;
        values[j++] = nan ? null : m.value;
        values[j++] = m.step;
        values[j++] = m.timestamp;
        values[j++] = nan ? 1 : 0;
        const best = latest.get(m.key);
        if (!best || m.step > best.step || (m.step === best.step && m.timestamp >= best.timestamp)) latest.set(m.key, m);
      }
      this.stmt(db, insertMetricsSql('metrics', end - start, false)).run(values);
    }
    const rows = [...latest.values()];
    for (let start = 0; start < rows.length; start += METRIC_CHUNK) {
      const part = rows.slice(start, start + METRIC_CHUNK);
      const values: unknown[] = [];
      for (const m of part) {
        const nan = Number.isNaN(m.value);
        values.push(runId, m.key, nan ? null : m.value, m.step, m.timestamp, nan ? 1 : 0);
      }
      this.stmt(db, insertMetricsSql('latest_metrics', part.length, true)).run(values);
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
    const { where, orderBy } = compileRunSearch(options.filter, options.orderBy);
    if (experimentIds.length === 0) return { items: [] };
    return this.read((db) => {
      let query = qb
        .selectFrom('runs')
        .selectAll('runs')
        .where('runs.experiment_id', 'in', experimentIds)
        .where('runs.lifecycle_stage', 'in', stages);
      if (where) query = query.where(where as Expression<SqlBool>);
      for (const o of orderBy) query = query.orderBy(o); // ends with start_time DESC, run_id ASC
      query = query.limit(limit + 1).offset(offset);
      const rows = this.all<RunRow>(db, query);
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

const insertSqlCache = new Map<string, string>();

/** `INSERT INTO <table> (...) VALUES (?,?,?,?,?,?), ...` for `rows` rows; latest_metrics upserts. */
function insertMetricsSql(table: 'metrics' | 'latest_metrics', rows: number, upsert: boolean): string {
  const cacheKey = `${table}:${rows}`;
  let text = insertSqlCache.get(cacheKey);
  if (!text) {
    text = `INSERT INTO ${table} (run_id, key, value, step, timestamp, is_nan) VALUES ${new Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`;
    if (upsert) {
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

function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
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

function page<T>(items: T[], more: boolean, nextOffset: number): Page<T> {
  return more ? { items, nextPageToken: Buffer.from(JSON.stringify({ o: nextOffset })).toString('base64url') } : { items };
}

function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o === 'number' && Number.isSafeInteger(parsed.o) && parsed.o >= 0) return parsed.o;
  } catch {
    // fall through
  }
  throw new MlshipError('INVALID_ARGUMENT', `invalid pageToken ${JSON.stringify(token.slice(0, 40))}: pass the nextPageToken of the previous page unchanged`, { field: 'pageToken' });
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

/** Turns a better-sqlite3 error into an MlshipError; MlshipErrors pass through unchanged. */
export function translateError(err: unknown, file: string): Error {
  if (err instanceof MlshipError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) {
    return new MlshipError('INTERNAL', `tracking store ${file}: ${message}`, { file }, { cause: err });
  }
  const details = { file, sqliteCode: code };
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return new MlshipError('IO_ERROR', `the tracking store ${file} stayed locked by another process past the busy timeout; retry, or use a server-backed store for heavy concurrent writes`, details, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new MlshipError('ALREADY_EXISTS', `tracking store ${file}: ${message}`, details, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new MlshipError('NOT_FOUND', `tracking store ${file}: a referenced experiment or run does not exist (${message})`, details, { cause: err });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new MlshipError('INVALID_ARGUMENT', `tracking store ${file}: ${message}`, details, { cause: err });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT_')) {
    return new MlshipError('CORRUPT_ARTIFACT', `${file} is not a readable tracking store (${message}); restore it from a backup`, details, { cause: err });
  }
  if (code === 'SQLITE_ERROR') {
    return new MlshipError('INTERNAL', `tracking store ${file}: ${message}`, details, { cause: err });
  }
  return new MlshipError('IO_ERROR', `tracking store ${file}: ${message}`, details, { cause: err });
}

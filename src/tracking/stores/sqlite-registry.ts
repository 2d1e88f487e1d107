/**
 * The embedded model registry: registered models, versions, tags, aliases and alias history in the
 * same SQLite file as the tracking store, on a connection of its own (WAL lets both, and several
 * processes, share the file). Same pragmas and write discipline as the tracking store
 * ({@link SqliteConnection}): every call is one transaction, every write a `BEGIN IMMEDIATE` one,
 * so a compare-and-set on an alias and the history row it writes commit together or not at all.
 */
import { resolve } from 'node:path';
import { sql } from 'kysely';
import type { Expression, ExpressionBuilder, SqlBool } from 'kysely';
import { MlshipError } from '../../core/index.js';
import type { Page } from '../entities.js';
import type {
  AliasAction,
  AliasChange,
  CreateModelVersionOptions,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  RegistryStore,
  SearchModelVersionsOptions,
  SearchRegistryOptions,
  SetAliasOptions,
} from '../registry.js';
import { likeToGlob } from '../search/like.js';
import { compileSearch } from './search-sql.js';
import { checkAlias, checkDescription, checkExpectedVersion, checkModelName, checkReason, checkSetAliasOptions, checkSource, checkTags, checkVersion } from './registry-validate.js';
import type { RegistryDatabase } from './schema.js';
import { SqliteConnection, chunks, decodePageToken, emptyRecord, page, sqliteQueryBuilder } from './sqlite-connection.js';
import type { Db } from './sqlite-connection.js';
import { checkKey, checkMaxResults, checkValue } from './validate.js';

type ModelRow = RegistryDatabase['registered_models'];
type VersionRow = RegistryDatabase['model_versions'];
type HistoryRow = RegistryDatabase['alias_history'];

/** Options of {@link SqliteRegistryStore}. */
export interface SqliteRegistryStoreOptions {
  /** The database file (usually the tracking store's), or `':memory:'`. @default './mlship/mlship.db' */
  path?: string;
  /** How long a writer waits for the lock before failing, in ms. @default 10000 */
  busyTimeoutMs?: number;
}

/** Names or (name, version) pairs per `IN (...)` list. */
const IN_CHUNK = 400;
/** Most run ids one `searchModelVersions` call may filter on. */
const MAX_RUN_IDS = 10_000;

const qb = sqliteQueryBuilder<RegistryDatabase>();

/**
 * The default registry backend, on a SQLite file shared with the tracking store. The constructor
 * only stores options; call `migrate()` once to create or upgrade the schema (`openRegistryStore`
 * does it for you). Pointing an alias at the version it already points to changes nothing and
 * records nothing (the returned change has `previousVersion === version`).
 *
 * @example
 * ```ts
 * import { openRegistryStore } from 'mlship/tracking';
 * const registry = await openRegistryStore('sqlite:///tmp/demo/mlship.db'); // a SqliteRegistryStore, migrated
 * const v = await registry.createModelVersion('housing', { source: '/tmp/demo/model', runId: null });
 * await registry.setAlias('housing', 'champion', v.version, { expectedVersion: null });
 * console.log((await registry.getModelVersionByAlias('housing', 'champion')).version); // 1
 * await registry.close();
 * ```
 */
export class SqliteRegistryStore implements RegistryStore {
  /** The database file (absolute), or `':memory:'`. */
  readonly path: string;
  private readonly conn: SqliteConnection;

  constructor(options: SqliteRegistryStoreOptions = {}) {
    const path = options.path ?? './mlship/mlship.db';
    this.path = path === ':memory:' ? path : resolve(path);
    this.conn = new SqliteConnection({ path: this.path, label: 'model registry', busyTimeoutMs: options.busyTimeoutMs });
  }

  /** Creates or upgrades the schema shared with the tracking store. Idempotent, safe from several processes. */
  async migrate(): Promise<void> {
    await this.conn.migrate();
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  // ---------------------------------------------------------------- rows and mapping

  private modelRow(db: Db, name: string): ModelRow {
    const row = this.conn.first<ModelRow>(db, qb.selectFrom('registered_models').selectAll().where('name', '=', name));
    if (!row) throw new MlshipError('NOT_FOUND', `no registered model '${name}'; list them with searchRegisteredModels() (mlship models list)`, { field: 'name', value: name });
    return row;
  }

  private versionRow(db: Db, name: string, version: number): VersionRow {
    const model = this.modelRow(db, name);
    const row = this.conn.first<VersionRow>(db, qb.selectFrom('model_versions').selectAll().where('name', '=', name).where('version', '=', version));
    if (!row) {
      const latest = model.next_version > 1 ? `versions go up to ${model.next_version - 1}` : 'it has no versions yet';
      throw new MlshipError('NOT_FOUND', `registered model '${name}' has no version ${version} (${latest}); list them with \`mlship models versions ${name}\` (searchModelVersions in the API)`, {
        field: 'version',
        value: version,
        name,
      });
    }
    return row;
  }

  private aliasesOf(db: Db, name: string): RegistryDatabase['registered_model_aliases'][] {
    return this.conn.all(db, qb.selectFrom('registered_model_aliases').selectAll().where('name', '=', name).orderBy('alias'));
  }

  private toModels(db: Db, rows: ModelRow[]): RegisteredModel[] {
    const byName = new Map<string, RegisteredModel>();
    const models = rows.map((r) => {
      const m: RegisteredModel = {
        name: r.name,
        ...entityFields(r),
        tags: emptyRecord(),
        aliases: emptyRecord(),
        latestVersion: r.next_version > 1 ? r.next_version - 1 : null,
      };
      byName.set(r.name, m);
      return m;
    });
    for (const names of chunks([...byName.keys()], IN_CHUNK)) {
      for (const t of this.conn.all<RegistryDatabase['registered_model_tags']>(db, qb.selectFrom('registered_model_tags').selectAll().where('name', 'in', names))) {
        byName.get(t.name)!.tags[t.key] = t.value;
      }
      for (const a of this.conn.all<RegistryDatabase['registered_model_aliases']>(
        db,
        qb.selectFrom('registered_model_aliases').selectAll().where('name', 'in', names).orderBy('name').orderBy('alias'),
      )) {
        byName.get(a.name)!.aliases[a.alias] = a.version;
      }
    }
    return models;
  }

  private toVersions(db: Db, rows: VersionRow[]): ModelVersion[] {
    const byKey = new Map<string, ModelVersion>();
    const versions = rows.map((r) => {
      const v: ModelVersion = {
        name: r.name,
        version: r.version,
        ...entityFields(r),
        source: r.source,
        runId: r.run_id,
        status: r.status as ModelVersionStatus,
        tags: emptyRecord(),
        aliases: [],
      };
      byKey.set(versionKey(r.name, r.version), v);
      return v;
    });
    for (const part of chunks(rows, IN_CHUNK)) {
      for (const t of this.conn.all<RegistryDatabase['model_version_tags']>(db, qb.selectFrom('model_version_tags').selectAll().where(ofVersions(part)))) {
        byKey.get(versionKey(t.name, t.version))!.tags[t.key] = t.value;
      }
      for (const a of this.conn.all<RegistryDatabase['registered_model_aliases']>(db, qb.selectFrom('registered_model_aliases').selectAll().where(ofVersions(part)).orderBy('alias'))) {
        byKey.get(versionKey(a.name, a.version))!.aliases.push(a.alias);
      }
    }
    return versions;
  }

  private touch(db: Db, name: string, now: number): void {
    this.conn.exec(db, qb.updateTable('registered_models').set({ last_updated_time: now }).where('name', '=', name));
  }

  // ---------------------------------------------------------------- registered models

  async createRegisteredModel(name: string, options: { description?: string; tags?: Record<string, string> } = {}): Promise<RegisteredModel> {
    checkModelName(name);
    const description = options.description ?? '';
    checkDescription(description);
    const tags = checkTags(options.tags);
    return this.conn.write((db) => {
      const taken = this.conn.first<ModelRow>(db, qb.selectFrom('registered_models').selectAll().where('name', '=', name));
      if (taken) throw new MlshipError('ALREADY_EXISTS', `a registered model named '${name}' already exists; pick another name or add a version to it`, { field: 'name', value: name });
      const now = Date.now();
      this.conn.exec(db, qb.insertInto('registered_models').values({ name, creation_time: now, last_updated_time: now, description, next_version: 1 }));
      if (tags.length > 0) this.conn.exec(db, qb.insertInto('registered_model_tags').values(tags.map(([key, value]) => ({ name, key, value }))));
      return this.toModels(db, [this.modelRow(db, name)])[0]!;
    });
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    checkModelName(name);
    return this.conn.read((db) => this.toModels(db, [this.modelRow(db, name)])[0]!);
  }

  async searchRegisteredModels(options: SearchRegistryOptions = {}): Promise<Page<RegisteredModel>> {
    const limit = checkMaxResults(options.maxResults);
    const offset = decodePageToken(options.pageToken);
    const nameLike = checkNameLike(options.nameLike);
    // Filter and order compile to SQL over `registered_models` with every value bound.
    const { where, orderBy } = compileSearch('registered_model', options.filter, options.orderBy);
    return this.conn.read((db) => {
      let query = qb.selectFrom('registered_models').selectAll();
      // GLOB is SQLite's case-sensitive matcher, so nameLike means what LIKE means in PostgreSQL.
      if (nameLike !== undefined) query = query.where(sql<boolean>`name GLOB ${likeToGlob(nameLike)}`);
      if (where) query = query.where(where as Expression<SqlBool>);
      if (orderBy) for (const o of orderBy) query = query.orderBy(o); // ends with name ASC
      else query = query.orderBy('name');
      const rows = this.conn.all<ModelRow>(db, query.limit(limit + 1).offset(offset));
      return page(this.toModels(db, rows.slice(0, limit)), rows.length > limit, offset + limit);
    });
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    checkModelName(name);
    checkModelName(newName, 'new model name');
    return this.conn.write((db) => {
      this.modelRow(db, name);
      if (newName !== name) {
        const taken = this.conn.first<ModelRow>(db, qb.selectFrom('registered_models').selectAll().where('name', '=', newName));
        if (taken) throw new MlshipError('ALREADY_EXISTS', `cannot rename '${name}' to '${newName}': a registered model named '${newName}' already exists`, { field: 'newName', value: newName });
        // ON UPDATE CASCADE carries versions, tags, aliases and history to the new name.
        this.conn.exec(db, qb.updateTable('registered_models').set({ name: newName, last_updated_time: Date.now() }).where('name', '=', name));
      }
      return this.toModels(db, [this.modelRow(db, newName)])[0]!;
    });
  }

  async updateRegisteredModel(name: string, update: { description?: string }): Promise<RegisteredModel> {
    checkModelName(name);
    checkUpdate(update);
    return this.conn.write((db) => {
      this.modelRow(db, name);
      if (update.description !== undefined) {
        this.conn.exec(db, qb.updateTable('registered_models').set({ description: update.description, last_updated_time: Date.now() }).where('name', '=', name));
      }
      return this.toModels(db, [this.modelRow(db, name)])[0]!;
    });
  }

  async deleteRegisteredModel(name: string): Promise<string[]> {
    checkModelName(name);
    return this.conn.write((db) => {
      this.modelRow(db, name);
      const sources = this.conn.all<{ source: string }>(db, qb.selectFrom('model_versions').select('source').where('name', '=', name).orderBy('version')).map((r) => r.source);
      // ON DELETE CASCADE removes versions, tags, aliases and history; next_version goes with the row.
      this.conn.exec(db, qb.deleteFrom('registered_models').where('name', '=', name));
      return sources;
    });
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    checkModelName(name);
    checkKey('tag', key);
    checkValue('tag', key, value);
    await this.conn.write((db) => {
      this.modelRow(db, name);
      this.conn.exec(
        db,
        qb
          .insertInto('registered_model_tags')
          .values({ name, key, value })
          .onConflict((oc) => oc.columns(['name', 'key']).doUpdateSet({ value })),
      );
      this.touch(db, name, Date.now());
    });
  }

  /** Removes a tag; a key the model does not have is not an error (the model must exist). */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    checkModelName(name);
    checkKey('tag', key);
    await this.conn.write((db) => {
      this.modelRow(db, name);
      if (this.conn.exec(db, qb.deleteFrom('registered_model_tags').where('name', '=', name).where('key', '=', key)) > 0) this.touch(db, name, Date.now());
    });
  }

  // ---------------------------------------------------------------- versions

  async createModelVersion(name: string, options: CreateModelVersionOptions): Promise<ModelVersion> {
    checkModelName(name);
    if (options === null || typeof options !== 'object') {
      throw new MlshipError('INVALID_ARGUMENT', `createModelVersion needs options { source, runId? }, got ${JSON.stringify(options)}`, { field: 'options' });
    }
    checkSource(options.source, options.runId);
    const description = options.description ?? '';
    checkDescription(description);
    const tags = checkTags(options.tags);
    return this.conn.write((db) => {
      const now = Date.now();
      this.conn.exec(
        db,
        qb
          .insertInto('registered_models')
          .values({ name, creation_time: now, last_updated_time: now, description: '', next_version: 1 })
          .onConflict((oc) => oc.column('name').doNothing()),
      );
      // The counter only grows, so a deleted version's number is never handed out again.
      const next = this.conn.first<{ version: number }>(
        db,
        qb
          .updateTable('registered_models')
          .set({ next_version: sql<number>`next_version + 1`, last_updated_time: now })
          .where('name', '=', name)
          .returning(sql<number>`next_version - 1`.as('version')),
      );
      const version = next!.version;
      this.conn.exec(
        db,
        qb.insertInto('model_versions').values({
          name,
          version,
          creation_time: now,
          last_updated_time: now,
          description,
          source: options.source,
          run_id: options.runId ?? null,
          status: 'READY',
        }),
      );
      if (tags.length > 0) this.conn.exec(db, qb.insertInto('model_version_tags').values(tags.map(([key, value]) => ({ name, version, key, value }))));
      return this.toVersions(db, [this.versionRow(db, name, version)])[0]!;
    });
  }

  async getModelVersion(name: string, version: number): Promise<ModelVersion> {
    checkModelName(name);
    checkVersion(version);
    return this.conn.read((db) => this.toVersions(db, [this.versionRow(db, name, version)])[0]!);
  }

  async searchModelVersions(options: SearchModelVersionsOptions = {}): Promise<Page<ModelVersion>> {
    const limit = checkMaxResults(options.maxResults);
    const offset = decodePageToken(options.pageToken);
    if (options.name !== undefined) checkModelName(options.name);
    const runIds = options.runIds;
    if (runIds !== undefined) {
      if (!Array.isArray(runIds) || runIds.some((id) => typeof id !== 'string') || runIds.length > MAX_RUN_IDS) {
        throw new MlshipError('INVALID_ARGUMENT', `runIds must be an array of at most ${MAX_RUN_IDS} run id strings, got ${JSON.stringify(runIds).slice(0, 80)}`, { field: 'runIds' });
      }
    }
    // Filter and order compile to SQL over `model_versions` with every value bound.
    const { where, orderBy } = compileSearch('model_version', options.filter, options.orderBy);
    if (runIds !== undefined && runIds.length === 0) return { items: [] };
    return this.conn.read((db) => {
      let query = qb.selectFrom('model_versions').selectAll();
      if (options.name !== undefined) query = query.where('name', '=', options.name);
      if (runIds !== undefined) query = query.where('run_id', 'in', [...new Set(runIds)]);
      if (where) query = query.where(where as Expression<SqlBool>);
      // Newest first: within one model by number, across models by creation time, then by
      // insertion order (rowid) for versions created in the same millisecond.
      if (orderBy) for (const o of orderBy) query = query.orderBy(o); // ends with creation_time DESC, name, version DESC
      else query = options.name !== undefined ? query.orderBy('version', 'desc') : query.orderBy('creation_time', 'desc').orderBy(sql`rowid`, 'desc');
      const rows = this.conn.all<VersionRow>(db, query.limit(limit + 1).offset(offset));
      return page(this.toVersions(db, rows.slice(0, limit)), rows.length > limit, offset + limit);
    });
  }

  async updateModelVersion(name: string, version: number, update: { description?: string }): Promise<ModelVersion> {
    checkModelName(name);
    checkVersion(version);
    checkUpdate(update);
    return this.conn.write((db) => {
      this.versionRow(db, name, version);
      if (update.description !== undefined) {
        const now = Date.now();
        this.conn.exec(db, qb.updateTable('model_versions').set({ description: update.description, last_updated_time: now }).where('name', '=', name).where('version', '=', version));
        this.touch(db, name, now);
      }
      return this.toVersions(db, [this.versionRow(db, name, version)])[0]!;
    });
  }

  async deleteModelVersion(name: string, version: number): Promise<string> {
    checkModelName(name);
    checkVersion(version);
    return this.conn.write((db) => {
      const row = this.versionRow(db, name, version);
      const aliases = this.aliasesOf(db, name).filter((a) => a.version === version);
      if (aliases.length > 0) {
        const list = aliases.map((a) => `'${a.alias}'`).join(', ');
        throw new MlshipError(
          'CONFLICT',
          `version ${version} of registered model '${name}' is what alias${aliases.length > 1 ? 'es' : ''} ${list} point${aliases.length > 1 ? '' : 's'} to: move or delete ${aliases.length > 1 ? 'them' : 'it'} first (setAlias / deleteAlias)`,
          { field: 'version', value: version, name, aliases: aliases.map((a) => a.alias) },
        );
      }
      this.conn.exec(db, qb.deleteFrom('model_versions').where('name', '=', name).where('version', '=', version));
      this.touch(db, name, Date.now());
      return row.source;
    });
  }

  async setModelVersionTag(name: string, version: number, key: string, value: string): Promise<void> {
    checkModelName(name);
    checkVersion(version);
    checkKey('tag', key);
    checkValue('tag', key, value);
    await this.conn.write((db) => {
      this.versionRow(db, name, version);
      this.conn.exec(
        db,
        qb
          .insertInto('model_version_tags')
          .values({ name, version, key, value })
          .onConflict((oc) => oc.columns(['name', 'version', 'key']).doUpdateSet({ value })),
      );
      this.conn.exec(db, qb.updateTable('model_versions').set({ last_updated_time: Date.now() }).where('name', '=', name).where('version', '=', version));
    });
  }

  /** Removes a version tag; a key the version does not have is not an error (the version must exist). */
  async deleteModelVersionTag(name: string, version: number, key: string): Promise<void> {
    checkModelName(name);
    checkVersion(version);
    checkKey('tag', key);
    await this.conn.write((db) => {
      this.versionRow(db, name, version);
      this.conn.exec(db, qb.deleteFrom('model_version_tags').where('name', '=', name).where('version', '=', version).where('key', '=', key));
    });
  }

  // ---------------------------------------------------------------- aliases

  async setAlias(name: string, alias: string, version: number, options: SetAliasOptions = {}): Promise<AliasChange> {
    checkModelName(name);
    checkAlias(alias);
    checkVersion(version);
    checkSetAliasOptions(options);
    return this.conn.write((db) => {
      this.versionRow(db, name, version);
      const current = this.currentAlias(db, name, alias);
      checkExpected(name, alias, current, options.expectedVersion);
      const change: AliasChange = {
        name,
        alias,
        version,
        previousVersion: current,
        action: options.action ?? 'set',
        time: Date.now(),
        reason: options.reason ?? null,
        metric: options.metric ?? null,
        value: options.value ?? null,
        previousValue: options.previousValue ?? null,
      };
      if (current === version) return change;
      this.conn.exec(
        db,
        qb
          .insertInto('registered_model_aliases')
          .values({ name, alias, version })
          .onConflict((oc) => oc.columns(['name', 'alias']).doUpdateSet({ version })),
      );
      this.record(db, change);
      return change;
    });
  }

  async deleteAlias(name: string, alias: string, options: { reason?: string | null; expectedVersion?: number | null } = {}): Promise<AliasChange> {
    checkModelName(name);
    checkAlias(alias);
    checkReason(options.reason);
    checkExpectedVersion(options.expectedVersion);
    return this.conn.write((db) => {
      this.modelRow(db, name);
      const current = this.currentAlias(db, name, alias);
      checkExpected(name, alias, current, options.expectedVersion);
      if (current === null) throw this.noAlias(db, name, alias);
      const change: AliasChange = {
        name,
        alias,
        version: null,
        previousVersion: current,
        action: 'delete',
        time: Date.now(),
        reason: options.reason ?? null,
        metric: null,
        value: null,
        previousValue: null,
      };
      this.conn.exec(db, qb.deleteFrom('registered_model_aliases').where('name', '=', name).where('alias', '=', alias));
      this.record(db, change);
      return change;
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    checkModelName(name);
    checkAlias(alias);
    return this.conn.read((db) => {
      this.modelRow(db, name);
      const current = this.currentAlias(db, name, alias);
      if (current === null) throw this.noAlias(db, name, alias);
      return this.toVersions(db, [this.versionRow(db, name, current)])[0]!;
    });
  }

  async getAliasHistory(name: string, alias?: string): Promise<AliasChange[]> {
    checkModelName(name);
    if (alias !== undefined) checkAlias(alias);
    return this.conn.read((db) => {
      this.modelRow(db, name);
      let query = qb.selectFrom('alias_history').selectAll().where('name', '=', name);
      if (alias !== undefined) query = query.where('alias', '=', alias);
      return this.conn.all<HistoryRow>(db, query.orderBy('id', 'desc')).map(toAliasChange);
    });
  }

  private currentAlias(db: Db, name: string, alias: string): number | null {
    const row = this.conn.first<{ version: number }>(db, qb.selectFrom('registered_model_aliases').select('version').where('name', '=', name).where('alias', '=', alias));
    return row ? row.version : null;
  }

  private noAlias(db: Db, name: string, alias: string): MlshipError {
    const aliases = this.aliasesOf(db, name).map((a) => `${a.alias} → ${a.version}`);
    return new MlshipError(
      'NOT_FOUND',
      `registered model '${name}' has no alias '${alias}'; its aliases: ${aliases.length > 0 ? aliases.join(', ') : '(none)'}. Set one with setAlias (mlship models alias)`,
      { field: 'alias', value: alias, name },
    );
  }

  /** Writes one alias history row and bumps the model's update time, in the caller's transaction. */
  private record(db: Db, change: AliasChange): void {
    this.conn.exec(
      db,
      qb.insertInto('alias_history').values({
        name: change.name,
        alias: change.alias,
        version: change.version,
        previous_version: change.previousVersion,
        action: change.action,
        time: change.time,
        reason: change.reason,
        metric: change.metric,
        value: change.value,
        previous_value: change.previousValue,
      }),
    );
    this.touch(db, change.name, change.time);
  }
}

// ------------------------------------------------------------------ helpers

/** The times and description of a model or version row, as the entity fields (in this order). */
function entityFields(r: ModelRow | VersionRow): { creationTime: number; lastUpdatedTime: number; description: string } {
  return { creationTime: r.creation_time, lastUpdatedTime: r.last_updated_time, description: r.description };
}

/** A WHERE condition: the row's (name, version) is one of `rows`'. */
function ofVersions(rows: VersionRow[]) {
  return (eb: ExpressionBuilder<RegistryDatabase, 'model_version_tags' | 'registered_model_aliases'>) =>
    eb(
      eb.refTuple('name', 'version'),
      'in',
      rows.map((r) => eb.tuple(r.name, r.version)),
    );
}

function versionKey(name: string, version: number): string {
  return `${version}\u0000${name}`;
}

/** CONFLICT unless the alias points where the caller expects (no check when `expected` is undefined). */
function checkExpected(name: string, alias: string, current: number | null, expected: number | null | undefined): void {
  if (expected === undefined || current === expected) return;
  const actual = current === null ? 'does not exist' : `points to version ${current}`;
  const wanted = expected === null ? 'expected it not to exist' : `expected version ${expected}`;
  throw new MlshipError(
    'CONFLICT',
    `alias '${alias}' of registered model '${name}' ${actual}, but the caller ${wanted}: another writer moved it; read it again (getModelVersionByAlias) and retry`,
    { field: 'expectedVersion', name, alias, expected, actual: current },
  );
}

function checkUpdate(update: { description?: string }): void {
  if (update === null || typeof update !== 'object') {
    throw new MlshipError('INVALID_ARGUMENT', `update must be an object { description? }, got ${JSON.stringify(update)}`, { field: 'update' });
  }
  if (update.description !== undefined) checkDescription(update.description);
}

function checkNameLike(nameLike: unknown): string | undefined {
  if (nameLike === undefined) return undefined;
  if (typeof nameLike !== 'string' || nameLike.length > 1000) {
    throw new MlshipError('INVALID_ARGUMENT', `nameLike must be a LIKE pattern string (e.g. 'house%'), got ${JSON.stringify(nameLike)?.slice(0, 80)}`, { field: 'nameLike', value: nameLike });
  }
  return nameLike;
}

function toAliasChange(r: HistoryRow): AliasChange {
  return {
    name: r.name,
    alias: r.alias,
    version: r.version,
    previousVersion: r.previous_version,
    action: r.action as AliasAction,
    time: r.time,
    reason: r.reason,
    metric: r.metric,
    value: r.value,
    previousValue: r.previous_value,
  };
}

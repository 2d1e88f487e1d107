/**
 * One SQLite connection as every embedded store uses it (the tracking store and the model registry
 * each open their own on the same file): opening with the same pragmas (WAL, busy timeout,
 * `synchronous = NORMAL`, foreign keys), the schema version check, the migrations, the write
 * discipline (`BEGIN IMMEDIATE`), a prepared-statement cache, Kysely query compilation, driver
 * error translation and page tokens.
 *
 * Taking the write lock up front is what keeps several processes and connections from ever seeing
 * "database is locked": a writer waits on the busy timeout instead of failing to upgrade a read lock.
 *
 * @internal
 * @module
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { DummyDriver, Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import type { Compilable } from 'kysely';
import { MlshipError } from '../../core/index.js';
import type { Page } from '../entities.js';
import { SCHEMA_VERSION, SQLITE_MIGRATIONS } from './schema.js';

/** A better-sqlite3 database handle. */
export type Db = BetterSqlite3.Database;

/**
 * A Kysely instance that only builds and compiles SQLite queries; {@link SqliteConnection} runs them.
 *
 * @example
 * ```ts
 * const qb = sqliteQueryBuilder<TrackingDatabase>();
 * const { sql, parameters } = qb.selectFrom('runs').selectAll().where('run_id', '=', id).compile();
 * ```
 */
export function sqliteQueryBuilder<DB>(): Kysely<DB> {
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

/** Options of {@link SqliteConnection}. */
export interface SqliteConnectionOptions {
  /** The database file (absolute), or `':memory:'`. */
  path: string;
  /** What the file is called in messages, e.g. `'tracking store'` or `'model registry'`. */
  label: string;
  /** How long a writer waits for the lock before failing, in ms. @default 10000 */
  busyTimeoutMs?: number;
}

/**
 * A lazily opened, schema-checked SQLite connection. Nothing touches the disk until the first call;
 * {@link SqliteConnection.migrate} creates or upgrades the schema, every other call refuses a file
 * whose schema version is not {@link SCHEMA_VERSION}.
 *
 * @example
 * ```ts
 * const conn = new SqliteConnection({ path: '/tmp/mlship.db', label: 'tracking store' });
 * await conn.migrate();
 * const n = await conn.write((db) => db.prepare('DELETE FROM tags').run().changes);
 * await conn.close();
 * ```
 */
export class SqliteConnection {
  readonly path: string;
  readonly label: string;
  private readonly busyTimeoutMs: number;
  private db: Db | undefined;
  private opening: Promise<Db> | undefined;
  private checked = false;
  private closed = false;
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(options: SqliteConnectionOptions) {
    this.path = options.path;
    this.label = options.label;
    this.busyTimeoutMs = options.busyTimeoutMs ?? 10_000;
  }

  private async connection(create: boolean): Promise<Db> {
    if (this.closed) throw new MlshipError('INVALID_ARGUMENT', `the ${this.label} ${this.path} is closed; open a new one`, { file: this.path });
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
        throw new MlshipError('NOT_FOUND', `there is no ${this.label} at ${this.path}: call migrate() (or run \`mlship db upgrade\`) to create it`, { file: this.path });
      }
    }
    let db: Db;
    try {
      db = new Database(this.path, { fileMustExist: !create && this.path !== ':memory:' });
    } catch (err) {
      throw translateError(err, this.path, this.label);
    }
    try {
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(this.busyTimeoutMs))}`);
      if (this.path !== ':memory:') await this.enableWal(db);
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      db.close();
      throw translateError(err, this.path, this.label);
    }
    if (this.closed) {
      db.close();
      throw new MlshipError('INVALID_ARGUMENT', `the ${this.label} ${this.path} is closed; open a new one`, { file: this.path });
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
      throw new MlshipError('UNSUPPORTED_VERSION', `the ${this.label} ${this.path} has schema version ${version}, newer than this mlship understands (${SCHEMA_VERSION}): upgrade mlship`, {
        file: this.path,
        value: version,
      });
    }
    if (version < SCHEMA_VERSION) {
      throw new MlshipError('UNSUPPORTED_VERSION', `the ${this.label} ${this.path} has schema version ${version}, older than ${SCHEMA_VERSION}: call migrate() or run \`mlship db upgrade\``, {
        file: this.path,
        value: version,
      });
    }
  }

  /** Runs `fn` on a connected, schema-checked database, translating driver errors. */
  async use<T>(fn: (db: Db) => T): Promise<T> {
    const db = await this.connection(false);
    try {
      if (!this.checked) {
        this.checkVersion(this.storedVersion(db));
        this.checked = true;
      }
      return fn(db);
    } catch (err) {
      throw translateError(err, this.path, this.label);
    }
  }

  /** Runs `fn` inside `BEGIN IMMEDIATE ... COMMIT` (rolled back on error). */
  write<T>(fn: (db: Db) => T): Promise<T> {
    return this.use((db) => db.transaction(() => fn(db)).immediate());
  }

  /** Runs `fn` inside a read transaction (one consistent snapshot). */
  read<T>(fn: (db: Db) => T): Promise<T> {
    return this.use((db) => db.transaction(() => fn(db)).deferred());
  }

  /**
   * Creates the schema or upgrades it to {@link SCHEMA_VERSION} in one `BEGIN IMMEDIATE`
   * transaction, then runs `seed` (rows a store needs, written idempotently) in the same
   * transaction. Safe to call from several processes at once and on every start.
   */
  async migrate(seed?: (db: Db) => void): Promise<void> {
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
        seed?.(db);
      }).immediate();
      this.checked = true;
    } catch (err) {
      throw translateError(err, this.path, this.label);
    }
  }

  /** Closes the connection; later calls fail with a message saying to open a new store. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const db = this.db ?? (this.opening ? await this.opening.catch(() => undefined) : undefined);
    this.statements.clear();
    this.db = undefined;
    db?.close();
  }

  /** The prepared statement for `text`, cached per connection. */
  stmt(db: Db, text: string): BetterSqlite3.Statement {
    let s = this.statements.get(text);
    if (!s) {
      if (this.statements.size > 500) this.statements.clear();
      s = db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  /** All rows of a compiled query. */
  all<T = Record<string, unknown>>(db: Db, query: Compilable): T[] {
    const c = query.compile();
    return this.stmt(db, c.sql).all(...(c.parameters as unknown[])) as T[];
  }

  /** The first row of a compiled query, if any. */
  first<T = Record<string, unknown>>(db: Db, query: Compilable): T | undefined {
    const c = query.compile();
    return this.stmt(db, c.sql).get(...(c.parameters as unknown[])) as T | undefined;
  }

  /** Runs a compiled statement; returns the number of rows it changed. */
  exec(db: Db, query: Compilable): number {
    const c = query.compile();
    return this.stmt(db, c.sql).run(...(c.parameters as unknown[])).changes;
  }
}

// ------------------------------------------------------------------ shared helpers

/** Splits `items` into runs of at most `size`. */
export function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** An object without a prototype, safe for arbitrary keys. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A page of `items`; when `more`, an opaque token for the page starting at `nextOffset`. */
export function page<T>(items: T[], more: boolean, nextOffset: number): Page<T> {
  return more ? { items, nextPageToken: Buffer.from(JSON.stringify({ o: nextOffset })).toString('base64url') } : { items };
}

/** The offset a page token stands for (0 without one); INVALID_ARGUMENT for a token we did not issue. */
export function decodePageToken(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  if (typeof token === 'string') {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown };
      if (typeof parsed.o === 'number' && Number.isSafeInteger(parsed.o) && parsed.o >= 0) return parsed.o;
    } catch {
      // fall through
    }
  }
  throw new MlshipError('INVALID_ARGUMENT', `invalid pageToken ${JSON.stringify(String(token).slice(0, 40))}: pass the nextPageToken of the previous page unchanged`, { field: 'pageToken' });
}

/**
 * Turns a better-sqlite3 error into an MlshipError; MlshipErrors pass through unchanged.
 *
 * @param label - what the file is called in messages @default 'tracking store'
 *
 * @example
 * ```ts
 * try { db.prepare(text).run(); } catch (err) { throw translateError(err, '/tmp/mlship.db'); }
 * ```
 */
export function translateError(err: unknown, file: string, label = 'tracking store'): Error {
  if (err instanceof MlshipError) return err;
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) {
    return new MlshipError('INTERNAL', `${label} ${file}: ${message}`, { file }, { cause: err });
  }
  const details = { file, sqliteCode: code };
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return new MlshipError('IO_ERROR', `the ${label} ${file} stayed locked by another process past the busy timeout; retry, or use a server-backed store for heavy concurrent writes`, details, {
      cause: err,
    });
  }
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return new MlshipError('ALREADY_EXISTS', `${label} ${file}: ${message}`, details, { cause: err });
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
    return new MlshipError('NOT_FOUND', `${label} ${file}: a referenced row does not exist or is still referenced (${message})`, details, { cause: err });
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return new MlshipError('INVALID_ARGUMENT', `${label} ${file}: ${message}`, details, { cause: err });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT_')) {
    return new MlshipError('CORRUPT_ARTIFACT', `${file} is not a readable ${label} (${message}); restore it from a backup`, details, { cause: err });
  }
  if (code === 'SQLITE_ERROR') {
    return new MlshipError('INTERNAL', `${label} ${file}: ${message}`, details, { cause: err });
  }
  return new MlshipError('IO_ERROR', `${label} ${file}: ${message}`, details, { cause: err });
}

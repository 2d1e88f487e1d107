// Databases for the search compiler tests: the store's real SQLite schema in memory, and a
// PostgreSQL query builder that only compiles (it has no connection).
import Database from 'better-sqlite3';
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteDialect, sql } from 'kysely';
import { SQLITE_MIGRATIONS } from '../../src/tracking/stores/schema.js';

/** An in-memory SQLite database with every migration of the store's schema applied, and no rows. */
export async function openSchemaDb(): Promise<Kysely<any>> {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  for (const m of SQLITE_MIGRATIONS) for (const stmt of m.statements) await sql.raw(stmt).execute(db);
  return db;
}

/** A Kysely instance that compiles PostgreSQL queries (`.compile(pg)`) but cannot run them. */
export function postgresCompiler(): Kysely<any> {
  return new Kysely<any>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

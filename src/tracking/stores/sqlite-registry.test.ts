import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/support/errors.js';
import { useTempDirs } from '../../../test/support/temp-files.js';
import { registryStoreConformance } from '../testing/index.js';
import { openRegistryStore, openTrackingStore } from './open.js';
import { SCHEMA_VERSION, SQLITE_MIGRATIONS } from './schema.js';
import { SqliteRegistryStore } from './sqlite-registry.js';
import { SqliteTrackingStore } from './sqlite.js';

const tempDir = useTempDirs('registry');

registryStoreConformance('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-regconf-'));
  const uri = `sqlite://${dir}/mlship.db`;
  return { store: await openRegistryStore(uri), uri, dispose: () => rmSync(dir, { recursive: true, force: true }) };
});

/** A database file exactly as schema version 1 (the previous release) left it, with one run logged. */
function writeV1File(path: string): void {
  const v1 = SQLITE_MIGRATIONS.find((m) => m.version === 1)!;
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_time INTEGER NOT NULL)');
  for (const statement of v1.statements) db.exec(statement);
  db.prepare('INSERT INTO schema_version (version, applied_time) VALUES (1, 0)').run();
  db.prepare(`INSERT INTO sequences (name, value) VALUES ('experiment_id', 0)`).run();
  db.prepare(`INSERT INTO experiments VALUES ('0', 'Default', '/tmp/a/0', 'active', 1, 1, NULL)`).run();
  db.prepare(`INSERT INTO runs VALUES ('r1', '0', 'old-run', 'FINISHED', 5, 6, 'active', NULL, '/tmp/a/0/r1/artifacts', NULL, 'abc', 0, NULL)`).run();
  db.prepare(`INSERT INTO metrics VALUES ('r1', 'rmse', 2.5, 0, 7, 0)`).run();
  db.prepare(`INSERT INTO latest_metrics VALUES ('r1', 'rmse', 2.5, 0, 7, 0)`).run();
  db.prepare(`INSERT INTO params VALUES ('r1', 'alpha', '0.5')`).run();
  db.prepare(`INSERT INTO tags VALUES ('r1', 'team', 'ml')`).run();
  db.close();
}

function tables(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
}

describe('SqliteRegistryStore', () => {
  it('upgrades a real version-1 file to the current version, keeping its runs; until then both stores say how', async () => {
    expect(SCHEMA_VERSION).toBe(4);
    const path = join(tempDir(), 'mlship.db');
    writeV1File(path);
    const registry = new SqliteRegistryStore({ path });
    expect(await codeOf(registry.getRegisteredModel('m'))).toMatch(/^UNSUPPORTED_VERSION: the model registry .* version 1, older than 4: .*run `mlship db upgrade`/);
    const tracking = new SqliteTrackingStore({ path });
    expect(await codeOf(tracking.getRun('r1'))).toMatch(/^UNSUPPORTED_VERSION: the tracking store .* version 1, older than 4: .*run `mlship db upgrade`/);
    expect(tables(path)).not.toContain('registered_models');

    await registry.migrate();
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
    // Version 3 clusters the per-run key tables on (run_id, key), with their indexes rebuilt.
    for (const t of ['params', 'tags', 'latest_metrics']) {
      expect((db.prepare(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?`).get(t) as { sql: string }).sql).toMatch(/WITHOUT ROWID$/);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = ?`).get(`${t}_key_value`)).toBeDefined();
    }
    db.close();
    expect(tables(path)).toEqual(expect.arrayContaining(['registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases', 'alias_history']));
    // The tracking store opened before the upgrade now reads the old run unchanged.
    const run = await tracking.getRun('r1');
    expect(run.info).toMatchObject({ runName: 'old-run', status: 'FINISHED', sourceCommit: 'abc', sourceDirty: false });
    expect(run.data.metrics.rmse?.value).toBe(2.5);
    expect(run.data.params).toEqual({ alpha: '0.5' });
    expect(run.data.tags).toMatchObject({ team: 'ml' });
    const v = await registry.createModelVersion('m', { source: '/tmp/a/0/r1/artifacts/model', runId: 'r1' });
    await registry.setAlias('m', 'champion', v.version);
    expect((await registry.getModelVersionByAlias('m', 'champion')).runId).toBe('r1');
    await registry.migrate();
    await tracking.close();
    await registry.close();
  });

  it('upgrades in one transaction: a failing upgrade leaves the version-1 file as it was', async () => {
    const path = join(tempDir(), 'mlship.db');
    writeV1File(path);
    // A stray table with the name of the fifth v2 table makes the upgrade fail half-way.
    const db = new Database(path);
    db.exec('CREATE TABLE model_version_tags (x INTEGER)');
    db.close();
    const before = tables(path);
    const registry = new SqliteRegistryStore({ path });
    expect(await codeOf(registry.migrate())).toMatch(/model_version_tags/);
    await registry.close();
    expect(tables(path)).toEqual(before);
    const check = new Database(path, { readonly: true });
    expect(check.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: 1 });
    check.close();
  });

  it('shares one file with the tracking store, each on its own WAL connection', async () => {
    const uri = `sqlite://${join(tempDir(), 'shared.db')}`;
    const tracking = await openTrackingStore(uri);
    const registry = await openRegistryStore(uri);
    const run = await tracking.createRun({ runName: 'trained' });
    const v = await registry.createModelVersion('m', { source: `${run.info.artifactUri}/model`, runId: run.info.runId });
    await tracking.logMetric(run.info.runId, 'rmse', 1.5);
    await registry.setAlias('m', 'champion', v.version);
    expect((await registry.searchModelVersions({ runIds: [run.info.runId] })).items.map((x) => x.version)).toEqual([1]);
    expect((await tracking.getRun(run.info.runId)).data.metrics.rmse?.value).toBe(1.5);
    await tracking.close();
    await registry.close();
    const db = new Database(uri.slice('sqlite://'.length));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('backs the alias rule with a foreign key: the database itself refuses to delete an aliased version', async () => {
    const path = join(tempDir(), 'fk.db');
    const registry = await openRegistryStore(`sqlite://${path}`);
    await registry.createModelVersion('m', { source: '/s' });
    await registry.setAlias('m', 'champion', 1);
    await registry.close();
    const db = new Database(path);
    db.pragma('foreign_keys = ON');
    expect(() => db.prepare(`DELETE FROM model_versions WHERE name = 'm' AND version = 1`).run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('has no side effects before migrate(), says how to create a missing registry, and refuses calls after close()', async () => {
    const path = join(tempDir(), 'sub', 'mlship.db');
    const registry = new SqliteRegistryStore({ path });
    expect(await codeOf(registry.getRegisteredModel('m'))).toMatch(/^NOT_FOUND: there is no model registry at .*migrate\(\)/);
    const lazy = await openRegistryStore(`sqlite://${path}`, { migrate: false });
    expect(await codeOf(lazy.searchRegisteredModels())).toMatch(/^NOT_FOUND: there is no model registry/);
    await lazy.close();
    await registry.migrate();
    expect((await registry.searchRegisteredModels()).items).toEqual([]);
    await registry.close();
    await registry.close();
    expect(await codeOf(registry.getRegisteredModel('m'))).toMatch(/^INVALID_ARGUMENT: .*closed/);
  });

  it('works in memory', async () => {
    const registry = await openRegistryStore('sqlite::memory:');
    await registry.createModelVersion('m', { source: '/s' });
    expect((await registry.getRegisteredModel('m')).latestVersion).toBe(1);
    await registry.close();
  });
});

describe('openRegistryStore', () => {
  it('uses MLSHIP_REGISTRY_URI, else MLSHIP_TRACKING_URI; an explicit URI wins; unknown schemes list the known ones', async () => {
    const dir = tempDir();
    const saved = { registry: process.env.MLSHIP_REGISTRY_URI, tracking: process.env.MLSHIP_TRACKING_URI };
    try {
      process.env.MLSHIP_TRACKING_URI = `sqlite://${join(dir, 'tracking.db')}`;
      delete process.env.MLSHIP_REGISTRY_URI;
      const fromTracking = await openRegistryStore();
      expect((fromTracking as SqliteRegistryStore).path).toBe(join(dir, 'tracking.db'));
      await fromTracking.close();
      process.env.MLSHIP_REGISTRY_URI = join(dir, 'registry.db');
      const fromRegistry = await openRegistryStore();
      expect((fromRegistry as SqliteRegistryStore).path).toBe(join(dir, 'registry.db'));
      await fromRegistry.close();
      const explicit = await openRegistryStore(`sqlite:${join(dir, 'explicit.db')}`);
      expect((explicit as SqliteRegistryStore).path).toBe(join(dir, 'explicit.db'));
      await explicit.close();
    } finally {
      for (const [key, value] of [
        ['MLSHIP_REGISTRY_URI', saved.registry],
        ['MLSHIP_TRACKING_URI', saved.tracking],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    expect(await codeOf(openRegistryStore('postgresql://localhost/db'))).toMatch(/^NOT_FOUND: no model registry backend for the URI scheme 'postgresql:'.*known schemes: sqlite:/);
    expect(await codeOf(openRegistryStore('sqlite://'))).toMatch(/^INVALID_ARGUMENT: .*names no database file/);
    expect(await codeOf(openRegistryStore('  '))).toMatch(/^INVALID_ARGUMENT: the registry URI must be a non-empty string/);
  });
});

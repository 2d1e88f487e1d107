import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/support/errors.js';
import { useTempDirs } from '../../../test/support/temp-files.js';
import { openPredictionStore } from '../predictions.js';
import { predictionStoreConformance } from '../testing/index.js';
import { openRegistryStore, openTrackingStore } from './open.js';
import { SCHEMA_VERSION, SQLITE_MIGRATIONS } from './schema.js';
import { SqlitePredictionStore } from './sqlite-predictions.js';

const tempDir = useTempDirs('predictions');

predictionStoreConformance('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-predconf-'));
  return { store: await openPredictionStore(`sqlite://${dir}/mlship.db`), dispose: () => rmSync(dir, { recursive: true, force: true }) };
});

predictionStoreConformance('sqlite (memory)', async () => ({ store: await openPredictionStore('sqlite::memory:') }));

/** A database file exactly as schema version 3 left it: a run with a metric, a registered model with an alias. */
function writeV3File(path: string): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_time INTEGER NOT NULL)');
  for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 3)) {
    for (const statement of m.statements) db.exec(statement);
    db.prepare('INSERT INTO schema_version (version, applied_time) VALUES (?, 0)').run(m.version);
  }
  db.prepare(`INSERT INTO sequences (name, value) VALUES ('experiment_id', 0)`).run();
  db.prepare(`INSERT INTO experiments VALUES ('0', 'Default', '/tmp/a/0', 'active', 1, 1, NULL)`).run();
  db.prepare(`INSERT INTO runs VALUES ('r1', '0', 'v3-run', 'FINISHED', 5, 6, 'active', NULL, '/tmp/a/0/r1/artifacts', NULL, 'abc', 0, NULL)`).run();
  db.prepare(`INSERT INTO metrics VALUES ('r1', 'accuracy', 0.97, 0, 7, 0)`).run();
  db.prepare(`INSERT INTO latest_metrics VALUES ('r1', 'accuracy', 0.97, 0, 7, 0)`).run();
  db.prepare(`INSERT INTO params VALUES ('r1', 'alpha', '0.5')`).run();
  db.prepare(`INSERT INTO registered_models VALUES ('spam', 1, 1, '', 2)`).run();
  db.prepare(`INSERT INTO model_versions VALUES ('spam', 1, 1, 1, '', '/tmp/a/0/r1/artifacts/model', 'r1', 'READY')`).run();
  db.prepare(`INSERT INTO registered_model_aliases VALUES ('spam', 'champion', 1)`).run();
  db.close();
}

describe('SqlitePredictionStore', () => {
  it('upgrades a version-3 file to version 4 keeping its runs and models; until then it says how', async () => {
    expect(SCHEMA_VERSION).toBe(4);
    const path = join(tempDir(), 'mlship.db');
    writeV3File(path);
    const before = new SqlitePredictionStore({ path });
    expect(await codeOf(before.countPredictions())).toMatch(/^UNSUPPORTED_VERSION: the prediction log .* version 3, older than 4: .*run `mlship db upgrade`/);
    await before.close();

    // `mlship db upgrade` opens the tracking store with migrate(): every pending version applies.
    const tracking = await openTrackingStore(`sqlite://${path}`);
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'predictions' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(['predictions_model_time', 'predictions_time']);
    db.close();
    const run = await tracking.getRun('r1');
    expect(run.info.runName).toBe('v3-run');
    expect(run.data.metrics.accuracy?.value).toBe(0.97);
    expect(run.data.params).toEqual({ alpha: '0.5' });
    await tracking.close();
    const registry = await openRegistryStore(`sqlite://${path}`);
    expect((await registry.getModelVersionByAlias('spam', 'champion')).runId).toBe('r1');
    await registry.close();

    const store = await openPredictionStore(`sqlite://${path}`);
    await store.logPredictions([{ requestId: 'a', modelName: 'spam', modelVersion: '1', modelUri: 'models:/spam@champion', timestamp: 10, latencyMs: 1, inputs: { text: 'x' }, outputs: { label: 'ham' } }]);
    expect(await store.countPredictions({ modelName: 'spam', modelVersion: '1' })).toBe(1);
    await store.close();
  });

  it('uses an index for model + time (with or without a version) and for time-range queries, sorting nothing', async () => {
    const path = join(tempDir(), 'plan.db');
    (await openPredictionStore(`sqlite://${path}`)).close();
    const db = new Database(path, { readonly: true });
    const plan = (q: string): string => (db.prepare(`EXPLAIN QUERY PLAN ${q}`).all() as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan(`SELECT * FROM predictions WHERE model_name = 'a' AND model_version IS '1' AND timestamp >= 1 AND timestamp < 9 ORDER BY timestamp, request_id, item_index LIMIT 5`)).toMatch(
      /USING INDEX predictions_model_time \(model_name=\? AND timestamp>\? AND timestamp<\?\)$/,
    );
    expect(plan(`SELECT * FROM predictions WHERE model_name = 'a' AND timestamp >= 1 AND timestamp < 9 AND (timestamp, request_id, item_index) > (2, 'x', 0) ORDER BY timestamp, request_id, item_index LIMIT 5`)).toMatch(
      /USING INDEX predictions_model_time \(model_name=\? AND timestamp>\? AND timestamp<\?\)$/,
    );
    expect(plan(`SELECT * FROM predictions WHERE timestamp >= 1 AND timestamp < 9 ORDER BY timestamp DESC, request_id DESC, item_index DESC LIMIT 5`)).toMatch(/USING INDEX predictions_time/);
    expect(plan(`SELECT * FROM predictions WHERE timestamp >= 1 ORDER BY timestamp, request_id, item_index LIMIT 5`)).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it('translates driver errors: a file that is not a database is CORRUPT_ARTIFACT, never a SqliteError', async () => {
    const path = join(tempDir(), 'garbage.db');
    writeFileSync(path, 'this is not a database, just some text that is long enough to be a header'.repeat(20));
    const store = new SqlitePredictionStore({ path });
    expect(await codeOf(store.searchPredictions())).toMatch(/^CORRUPT_ARTIFACT: .*not a readable prediction log/);
    await store.close();
    expect(await codeOf(store.countPredictions())).toMatch(/^INVALID_ARGUMENT: .*closed/);
    expect(await codeOf(new SqlitePredictionStore({ path: join(tempDir(), 'none', 'x.db') }).countPredictions())).toMatch(/^NOT_FOUND: there is no prediction log .*migrate\(\)/);
  });
});

describe('openPredictionStore', () => {
  it('picks the backend by scheme; an unknown scheme lists the known ones', async () => {
    expect(await codeOf(openPredictionStore('postgresql://localhost/db'))).toMatch(/^NOT_FOUND: no prediction log backend for the URI scheme 'postgresql:'.*known schemes: sqlite:/);
    expect(await codeOf(openPredictionStore('sqlite://'))).toMatch(/^INVALID_ARGUMENT: .*names no database file/);
    expect(await codeOf(openPredictionStore('  '))).toMatch(/^INVALID_ARGUMENT: the tracking URI must be a non-empty string/);
    const plain = await openPredictionStore(join(tempDir(), 'plain.db'));
    expect(plain).toBeInstanceOf(SqlitePredictionStore);
    await plain.close();
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../../test/support/errors.js';
import { useTempDirs } from '../../../test/support/temp-files.js';
import { startChild, trackingStoreConformance } from '../testing/index.js';
import { openTrackingStore } from './open.js';
import { SCHEMA_VERSION } from './schema.js';
import { SqliteTrackingStore, translateError } from './sqlite.js';

const tempDir = useTempDirs('sqlite');

trackingStoreConformance('sqlite (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlship-conf-'));
  const uri = `sqlite://${dir}/mlship.db`;
  return { store: await openTrackingStore(uri), uri, dispose: () => rmSync(dir, { recursive: true, force: true }) };
});

describe('SqliteTrackingStore', () => {
  it('pages with a top-N sort near the start and with OFFSET deep in a result, in the same order', async () => {
    const store = await openTrackingStore(`sqlite://${tempDir()}/mlship.db`);
    for (let i = 0; i < 7; i++) {
      const run = await store.createRun({ runName: `r${i}`, startTime: 1000 + i });
      await store.logMetric(run.info.runId, 'm', i % 3);
    }
    const token = (o: number): string => Buffer.from(JSON.stringify({ o })).toString('base64url');
    const all = (await store.searchRuns({ orderBy: ['metrics.m DESC'] })).items.map((r) => r.info.runName);
    expect(all).toEqual(['r5', 'r2', 'r4', 'r1', 'r6', 'r3', 'r0']);
    const near = await store.searchRuns({ orderBy: ['metrics.m DESC'], maxResults: 2, pageToken: token(3) });
    expect(near.items.map((r) => r.info.runName)).toEqual(all.slice(3, 5));
    expect(near.nextPageToken).toBe(token(5));
    // Past the top-N range the store switches to OFFSET: an empty page, no next token.
    expect(await store.searchRuns({ orderBy: ['metrics.m DESC'], maxResults: 2, pageToken: token(6000) })).toEqual({ items: [] });
    await store.close();
  });

  it('has no side effects before migrate(), and says how to create a missing store', async () => {
    const path = join(tempDir(), 'sub', 'mlship.db');
    const store = new SqliteTrackingStore({ path });
    expect(await codeOf(store.getExperiment('0'))).toMatch(/^NOT_FOUND: .*migrate\(\)/);
    await store.migrate();
    expect((await store.getExperiment('0')).artifactLocation).toBe(join(path, '..', 'artifacts', '0'));
    await store.close();
    expect(await codeOf(store.getExperiment('0'))).toMatch(/^INVALID_ARGUMENT: .*closed/);
  });

  it('uses WAL, a busy timeout and foreign keys', async () => {
    const path = join(tempDir(), 'mlship.db');
    const store = await openTrackingStore(`sqlite://${path}`);
    await store.close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT MAX(version) AS v FROM schema_version').get()).toEqual({ v: SCHEMA_VERSION });
    db.close();
  });

  it('refuses a newer schema (upgrade mlship) and an older one (run migrate)', async () => {
    const path = join(tempDir(), 'mlship.db');
    (await openTrackingStore(`sqlite://${path}`)).close();
    const db = new Database(path);
    db.prepare('INSERT INTO schema_version (version, applied_time) VALUES (?, 0)').run(SCHEMA_VERSION + 1);
    db.close();
    const newer = new SqliteTrackingStore({ path });
    expect(await codeOf(newer.getExperiment('0'))).toMatch(/^UNSUPPORTED_VERSION: .*upgrade mlship/);
    expect(await codeOf(newer.migrate())).toMatch(/^UNSUPPORTED_VERSION/);
    await newer.close();

    const oldPath = join(tempDir(), 'old.db');
    new Database(oldPath).close(); // an empty SQLite file: version 0
    const older = new SqliteTrackingStore({ path: oldPath });
    expect(await codeOf(older.getExperiment('0'))).toMatch(/^UNSUPPORTED_VERSION: .*older.*migrate\(\)/);
    await older.migrate();
    expect((await older.getExperiment('0')).name).toBe('Default');
    await older.close();
  });

  it('translates driver errors: no SqliteError crosses the boundary', async () => {
    const path = join(tempDir(), 'garbage.db');
    writeFileSync(path, 'this is not a database, just some text that is long enough to be a header'.repeat(20));
    const store = new SqliteTrackingStore({ path });
    expect(await codeOf(store.getExperiment('0'))).toMatch(/^CORRUPT_ARTIFACT: .*not a readable tracking store/);
    await store.close();
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    expect(translateError(busy, 'x.db')).toMatchObject({ code: 'IO_ERROR' });
    expect(translateError(Object.assign(new Error('UNIQUE'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }), 'x.db')).toMatchObject({ code: 'ALREADY_EXISTS' });
  });

  it('four processes creating the same fresh store at once all succeed', async () => {
    const uri = `sqlite://${join(tempDir(), 'fresh', 'mlship.db')}`;
    const children = Array.from({ length: 4 }, (_, i) => startChild([uri, 'new', `p${i}`, '5', '100', 'migrate']));
    for (const r of await Promise.all(children.map((c) => c.done))) expect(r.code, r.stderr).toBe(0);
    const store = await openTrackingStore(uri, { migrate: false });
    const runs = await store.searchAllRuns({ orderBy: ['attributes.run_name ASC'] });
    expect(runs.map((r) => r.info.runName)).toEqual(['p0', 'p1', 'p2', 'p3']);
    for (const r of runs) expect(await store.getMetricHistory(r.info.runId, r.info.runName)).toHaveLength(500);
    await store.close();
  }, 60_000);

  it('works in memory', async () => {
    const store = await openTrackingStore('sqlite::memory:');
    const run = await store.createRun();
    await store.logMetric(run.info.runId, 'm', 1);
    expect((await store.getRun(run.info.runId)).data.metrics.m?.value).toBe(1);
    await store.close();
  });
});

describe('openTrackingStore', () => {
  it('picks the backend by scheme; an unknown scheme lists the known ones', async () => {
    expect(await codeOf(openTrackingStore('postgresql://localhost/db'))).toMatch(/^NOT_FOUND: .*'postgresql:'.*known schemes: sqlite:/);
    expect(await codeOf(openTrackingStore('sqlite://'))).toMatch(/^INVALID_ARGUMENT: .*names no database file/);
    const dir = tempDir();
    const plain = await openTrackingStore(join(dir, 'plain.db'));
    expect((plain as SqliteTrackingStore).path).toBe(join(dir, 'plain.db'));
    await plain.close();
    const relative = await openTrackingStore(`sqlite:${join(dir, 'rel.db')}`, { migrate: false });
    expect(relative).toBeInstanceOf(SqliteTrackingStore);
    await relative.close();
  });
});

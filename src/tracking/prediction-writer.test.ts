import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { codeOfAsync as codeOf } from '../../test/support/errors.js';
import { useTempDirs } from '../../test/support/temp-files.js';
import { MlshipError } from '../core/index.js';
import { openPredictionLogWriter, type PredictionLogWriter } from './prediction-writer.js';
import { openPredictionStore, type PredictionRecord } from './predictions.js';
import { SQLITE_MIGRATIONS } from './stores/schema.js';

const tempDir = useTempDirs('pred-writer');

function rec(n: number, over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    requestId: `r${n}`,
    modelName: 'spam',
    modelVersion: '1',
    modelUri: 'models:/spam@champion',
    timestamp: 1_700_000_000_000,
    latencyMs: 0.25,
    inputs: { text: `message number ${n}` },
    outputs: { label: n % 2 ? 'spam' : 'ham', probabilities: { ham: 0.5, spam: 0.5 } },
    ...over,
  };
}

/** Request ids in the order the rows were inserted (rowid order). */
function insertionOrder(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT request_id FROM predictions ORDER BY rowid').all() as { request_id: string }[]).map((r) => r.request_id);
  } finally {
    db.close();
  }
}

async function until(cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(5);
  }
}

describe('openPredictionLogWriter', () => {
  it('writes every record in append order, sending full batches at once and partial ones after flushIntervalMs', async () => {
    const path = join(tempDir(), 'mlship.db');
    const errors: unknown[] = [];
    const log = await openPredictionLogWriter(`sqlite://${path}`, { batchSize: 100, flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    // A full batch goes out without waiting for the interval; the remainder stays queued.
    for (let i = 0; i < 250; i++) expect(log.append(rec(i))).toBe(true);
    expect(log.stats).toEqual({ queued: 250, written: 0, dropped: 0, failed: 0 });
    await until(() => log.stats.written === 200);
    await sleep(50);
    expect(log.stats).toEqual({ queued: 50, written: 200, dropped: 0, failed: 0 });
    await log.flush();
    expect(log.stats).toEqual({ queued: 0, written: 250, dropped: 0, failed: 0 });
    // Interleaved appends across ticks, with multi-item records.
    for (let i = 250; i < 1000; i++) {
      log.append(i % 100 === 0 ? rec(i, { inputs: ['a', 'b'], outputs: [1, 2] }) : rec(i));
      if (i % 37 === 0) await new Promise((r) => setImmediate(r));
    }
    await log.close();
    expect(log.stats).toEqual({ queued: 0, written: 1000, dropped: 0, failed: 0 });
    expect(errors).toEqual([]);
    const order = insertionOrder(path);
    const expected = Array.from({ length: 1000 }, (_, i) => (i >= 250 && i % 100 === 0 ? [`r${i}`, `r${i}`] : [`r${i}`])).flat();
    expect(order).toEqual(expected);
  });

  it('writes a partial batch on its own after flushIntervalMs', async () => {
    const path = join(tempDir(), 'mlship.db');
    const log = await openPredictionLogWriter(`sqlite://${path}`, { flushIntervalMs: 20 });
    log.append(rec(1));
    log.append(rec(2));
    await until(() => log.stats.written === 2);
    expect(insertionOrder(path)).toEqual(['r1', 'r2']);
    await log.close();
  });

  it('drops exactly what does not fit in the queue, counts it, and accepts again once there is room', async () => {
    const path = join(tempDir(), 'mlship.db');
    const log = await openPredictionLogWriter(`sqlite://${path}`, { maxQueue: 100, batchSize: 1000, flushIntervalMs: 60_000 });
    const accepted = Array.from({ length: 250 }, (_, i) => log.append(rec(i)));
    expect(accepted.filter(Boolean)).toHaveLength(100);
    expect(accepted.slice(0, 100).every(Boolean)).toBe(true);
    expect(log.stats).toEqual({ queued: 100, written: 0, dropped: 150, failed: 0 });
    await log.flush();
    expect(log.stats).toEqual({ queued: 0, written: 100, dropped: 150, failed: 0 });
    expect(log.append(rec(1000))).toBe(true);
    await log.close();
    expect(log.append(rec(1001))).toBe(false);
    expect(log.stats).toEqual({ queued: 0, written: 101, dropped: 151, failed: 0 });
    expect(insertionOrder(path)).toEqual([...Array.from({ length: 100 }, (_, i) => `r${i}`), 'r1000']);
  });

  it('bounds memory by items too: a batch request counts one item per prediction', async () => {
    const path = join(tempDir(), 'mlship.db');
    const log = await openPredictionLogWriter(`sqlite://${path}`, { maxItems: 50, batchSize: 1000, flushIntervalMs: 60_000 });
    const batch = (n: number) => rec(n, { inputs: Array.from({ length: 10 }, (_, i) => ({ text: `t${i}` })), outputs: Array.from({ length: 10 }, () => ({ label: 'spam' })) });
    const accepted = Array.from({ length: 8 }, (_, i) => log.append(batch(i)));
    expect(accepted).toEqual([true, true, true, true, true, false, false, false]);
    expect(log.stats).toMatchObject({ queued: 5, dropped: 3 });
    await log.flush();
    expect(log.append(batch(100))).toBe(true);
    // a single request larger than the bound is still accepted when nothing else is held
    await log.flush();
    expect(log.append(rec(200, { inputs: Array.from({ length: 80 }, () => 1), outputs: Array.from({ length: 80 }, () => 2) }))).toBe(true);
    await log.close();
    expect(log.stats).toMatchObject({ written: 7, dropped: 3, failed: 0 });
  });

  it('loses nothing on close() without a flush, and flush() waits only for what was appended before it', async () => {
    const path = join(tempDir(), 'mlship.db');
    const log = await openPredictionLogWriter(`sqlite://${path}`, { batchSize: 250, flushIntervalMs: 60_000 });
    for (let i = 0; i < 5003; i++) log.append(rec(i));
    const flushed = log.flush();
    for (let i = 5003; i < 5010; i++) log.append(rec(i));
    await flushed;
    expect(log.stats.written).toBeGreaterThanOrEqual(5003);
    await log.close();
    await log.close();
    expect(log.stats).toEqual({ queued: 0, written: 5010, dropped: 0, failed: 0 });
    const store = await openPredictionStore(`sqlite://${path}`);
    expect(await store.countPredictions()).toBe(5010);
    await store.close();
  });

  it('counts failed writes, reports them through onError and keeps writing afterwards', async () => {
    const path = join(tempDir(), 'mlship.db');
    const errors: unknown[] = [];
    const log = await openPredictionLogWriter(`sqlite://${path}`, { batchSize: 50, flushIntervalMs: 60_000, onError: (e) => errors.push(e) });
    log.append(rec(0));
    await log.flush();
    // Take the table away under the writer: the next batch fails as a whole.
    const db = new Database(path);
    db.exec('DROP TABLE predictions');
    for (let i = 1; i <= 60; i++) log.append(rec(i));
    await log.flush();
    expect(log.stats).toEqual({ queued: 0, written: 1, dropped: 0, failed: 60 });
    expect(errors.length).toBe(2);
    expect(errors[0]).toBeInstanceOf(MlshipError);
    expect((errors[0] as MlshipError).message).toMatch(/no such table: predictions/);
    // Put it back: the same writer carries on.
    for (const s of SQLITE_MIGRATIONS.find((m) => m.version === 4)!.statements) db.exec(s);
    db.close();
    for (let i = 61; i <= 70; i++) log.append(rec(i));
    await log.close();
    expect(log.stats).toEqual({ queued: 0, written: 11, dropped: 0, failed: 60 });
    expect(insertionOrder(path)).toEqual(Array.from({ length: 10 }, (_, i) => `r${61 + i}`));
  });

  it('fails only the bad records of a batch (not JSON-serializable, not cloneable, not a record); append never throws', async () => {
    const path = join(tempDir(), 'mlship.db');
    const errors: MlshipError[] = [];
    const log = await openPredictionLogWriter(`sqlite://${path}`, { onError: (e) => errors.push(e as MlshipError) });
    for (let i = 0; i < 10; i++) log.append(i === 3 ? rec(i, { inputs: { big: 10n } }) : rec(i));
    expect(log.append(null as never)).toBe(true);
    await log.flush();
    expect(log.stats).toEqual({ queued: 0, written: 9, dropped: 0, failed: 2 });
    expect(errors.map((e) => e.code)).toEqual(['INVALID_ARGUMENT']);
    expect(errors[0]!.message).toMatch(/inputs of request r3 are not JSON-serializable/);
    log.append(rec(20, { outputs: { fn: () => 1 } }));
    log.append(rec(21));
    await log.flush();
    expect(log.stats).toEqual({ queued: 0, written: 10, dropped: 0, failed: 3 });
    expect(errors[1]!.message).toMatch(/1 prediction record\(s\) could not be sent/);
    await log.close();
    expect(insertionOrder(path)).toEqual(['r0', 'r1', 'r2', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r21']);
  });

  it('survives its worker thread dying: reports it and starts a new one for the next records', async () => {
    const path = join(tempDir(), 'mlship.db');
    const errors: MlshipError[] = [];
    const log = await openPredictionLogWriter(`sqlite://${path}`, { onError: (e) => errors.push(e as MlshipError) });
    log.append(rec(1));
    await log.flush();
    // The real thread, ended from outside (as a crash would): no mock.
    await (log as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await until(() => errors.length === 1);
    expect(errors[0]!.message).toMatch(/worker thread stopped .*0 record\(s\) in flight were lost/);
    log.append(rec(2));
    log.append(rec(3));
    await log.close();
    expect(log.stats).toEqual({ queued: 0, written: 3, dropped: 0, failed: 0 });
    expect(insertionOrder(path)).toEqual(['r1', 'r2', 'r3']);
  });

  it('rejects bad URIs and options with coded errors', async () => {
    expect(await codeOf(openPredictionLogWriter('sqlite::memory:'))).toMatch(/^INVALID_ARGUMENT: .*in-memory database would be private/);
    expect(await codeOf(openPredictionLogWriter('postgresql://db/x'))).toMatch(/^NOT_FOUND: no prediction log backend for the URI scheme 'postgresql:'/);
    expect(await codeOf(openPredictionLogWriter(join(tempDir(), 'x.db'), { maxQueue: 0 }))).toMatch(/^INVALID_ARGUMENT: maxQueue must be a positive integer/);
    expect(await codeOf(openPredictionLogWriter(join(tempDir(), 'x.db'), { flushIntervalMs: -1 }))).toMatch(/^INVALID_ARGUMENT: flushIntervalMs must be/);
    const bad = join(tempDir(), 'garbage.db');
    (await import('node:fs')).writeFileSync(bad, 'not a database at all, just text that is long enough to look like a header'.repeat(20));
    expect(await codeOf(openPredictionLogWriter(`sqlite://${bad}`))).toMatch(/^CORRUPT_ARTIFACT: .*not a readable prediction log/);
  });

  it('does not keep an idle process alive, and a process that just ends still writes what it appended', async () => {
    const path = join(tempDir(), 'mlship.db');
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const writerUrl = new URL('./prediction-writer.ts', import.meta.url).href;
    const code = `
      const { openPredictionLogWriter } = await import(${JSON.stringify(writerUrl)});
      const log = await openPredictionLogWriter(${JSON.stringify(`sqlite://${path}`)}, { flushIntervalMs: 50 });
      for (let i = 0; i < 1500; i++) log.append({ requestId: 'c' + i, modelName: 'm', modelVersion: null, modelUri: 'm.mlship', timestamp: 1, latencyMs: 1, inputs: [i], outputs: [i] });
      // no flush, no close: the process ends when the writer is idle
    `;
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(status, stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(insertionOrder(path)).toHaveLength(1500);
  }, 30_000);
});

describe('PredictionLogWriter under load', () => {
  it('keeps append in the microseconds while the worker writes', async () => {
    const path = join(tempDir(), 'mlship.db');
    const log: PredictionLogWriter = await openPredictionLogWriter(`sqlite://${path}`);
    const n = 20_000;
    let spent = 0;
    for (let i = 0; i < n; i += 500) {
      const t = performance.now();
      for (let j = i; j < i + 500; j++) log.append(rec(j));
      spent += performance.now() - t;
      await new Promise((r) => setImmediate(r));
    }
    await log.close();
    expect(log.stats).toEqual({ queued: 0, written: n, dropped: 0, failed: 0 });
    // Generous bound for a shared CI machine; the bench measures the real figure.
    expect((spent * 1000) / n).toBeLessThan(50);
  });
});

/**
 * The conformance suite every tracking store backend runs: the same behaviour, errors and edge
 * cases (NaN metrics, immutable params, purge and name reuse, paging, several processes at once,
 * kill -9) for SQLite today and PostgreSQL later.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT_ID, PARENT_RUN_ID_TAG } from '../entities.js';
import type { TrackingStore } from '../store.js';
import { openTrackingStore } from '../stores/open.js';
import { allPages, childCommand, eachFixture, expectError } from './support.js';
import type { Fixture } from './support.js';

/** What `makeStore` returns: a migrated store, and its URI when other processes can open it. */
export interface StoreFixture extends Fixture<TrackingStore> {
  /** A URI that `openTrackingStore` opens in a child process; without it the multi-process tests are skipped. */
  uri?: string;
}

/** A running `log-child` process. */
export interface Child {
  acks: () => number;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill: (signal: NodeJS.Signals) => void;
  onAck: (n: number) => Promise<void>;
}

/** Starts `log-child` with `args` (see log-child.ts); exported for backend-specific tests. */
export function startChild(args: string[]): Child {
  const { script, execArgv } = childCommand('log-child');
  const child = spawn(process.execPath, [...execArgv, script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let acks = 0;
  let stdout = '';
  let stderr = '';
  const waiters: { n: number; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let nl: number;
    while ((nl = stdout.indexOf('\n')) >= 0) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      if (line.startsWith('ack ')) acks++;
    }
    for (const w of waiters.splice(0)) {
      if (acks >= w.n) w.resolve();
      else waiters.push(w);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => {
      for (const w of waiters.splice(0)) w.resolve();
      resolve({ code, signal, stderr });
    });
  });
  return {
    acks: () => acks,
    done,
    kill: (signal) => child.kill(signal),
    onAck: (n) => (acks >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve }))),
  };
}

/**
 * Registers the conformance tests (vitest `describe`/`it`) for one tracking store backend.
 * `makeStore` is called before every test and must return a fresh, migrated, empty store.
 *
 * @param name - the backend's name, used as the describe title
 * @param makeStore - creates a fresh store (and its URI, for the multi-process tests)
 *
 * @example
 * ```ts
 * import { trackingStoreConformance } from '../testing/index.js';
 * trackingStoreConformance('sqlite', async () => {
 *   const dir = mkdtempSync(join(tmpdir(), 'mlship-'));
 *   const uri = `sqlite://${dir}/mlship.db`;
 *   return { store: await openTrackingStore(uri), uri, dispose: () => rmSync(dir, { recursive: true }) };
 * });
 * ```
 */
export function trackingStoreConformance(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`TrackingStore conformance: ${name}`, () => {
    let fixture: StoreFixture;
    let store: TrackingStore;
    eachFixture(makeStore, (f) => {
      fixture = f;
      store = f.store;
    });

    const newRun = async (options: Parameters<TrackingStore['createRun']>[0] = {}) => (await store.createRun(options)).info.runId;

    describe('experiments', () => {
      it('has the Default experiment; migrate() is idempotent', async () => {
        await store.migrate();
        const exp = await store.getExperiment(DEFAULT_EXPERIMENT_ID);
        expect(exp.name).toBe('Default');
        expect(exp.lifecycleStage).toBe('active');
        expect((await store.getExperimentByName('Default'))?.experimentId).toBe('0');
      });

      it('creates, gets, renames and tags experiments; names are unique', async () => {
        const id = await store.createExperiment('housing', { tags: { team: 'ml' } });
        expect(id).not.toBe('0');
        const exp = await store.getExperiment(id);
        expect(exp).toMatchObject({ experimentId: id, name: 'housing', lifecycleStage: 'active', deletedTime: null, tags: { team: 'ml' } });
        expect(exp.artifactLocation.length).toBeGreaterThan(0);
        expect((await store.getExperimentByName('housing'))?.experimentId).toBe(id);
        expect(await store.getExperimentByName('nope')).toBeNull();
        await expectError(store.createExperiment('housing'), 'ALREADY_EXISTS', /housing/);
        await store.renameExperiment(id, 'housing-v2');
        expect((await store.getExperiment(id)).name).toBe('housing-v2');
        expect(await store.getExperimentByName('housing')).toBeNull();
        await store.createExperiment('other');
        await expectError(store.renameExperiment(id, 'other'), 'ALREADY_EXISTS', /other/);
        await store.setExperimentTag(id, 'team', 'data');
        expect((await store.getExperiment(id)).tags).toEqual({ team: 'data' });
        await expectError(store.getExperiment('999999'), 'NOT_FOUND', /999999/);
        await expectError(store.createExperiment(''), 'INVALID_ARGUMENT');
        await expectError(store.createExperiment('x'.repeat(501)), 'INVALID_ARGUMENT', /limit/);
      });

      it('pages through experiments with opaque tokens', async () => {
        for (let i = 0; i < 7; i++) await store.createExperiment(`exp-${i}`);
        const { items, pages } = await allPages(3, (p) => store.searchExperiments(p));
        const seen = items.map((e) => e.name);
        expect(pages).toBe(3);
        expect(seen).toEqual(['Default', ...Array.from({ length: 7 }, (_, i) => `exp-${i}`)]);
        await expectError(store.searchExperiments({ pageToken: 'garbage!' }), 'INVALID_ARGUMENT', /pageToken/);
        await expectError(store.searchExperiments({ maxResults: 0 }), 'INVALID_ARGUMENT', /maxResults/);
      });

      it('filters and orders experiments with the search language (names, tags, attributes; AND, OR, NOT)', async () => {
        const a = await store.createExperiment('housing-a', { tags: { team: 'pricing' } });
        await store.createExperiment('housing-b', { tags: { team: 'ML-core' } });
        const c = await store.createExperiment('imdb', { tags: { team: 'nlp', 'release date': '2026' } });
        const names = async (filter?: string, orderBy?: string[], viewType?: 'ALL') => (await store.searchExperiments({ filter, orderBy, viewType })).items.map((e) => e.name);
        expect(await names(`name LIKE 'housing%'`)).toEqual(['housing-a', 'housing-b']);
        expect(await names(`attributes.name = 'imdb' OR tags.team ILIKE '%ml%'`)).toEqual(['housing-b', 'imdb']);
        expect(await names(`name LIKE 'housing%' AND (tags.team = 'pricing' OR tags.team = 'nlp')`)).toEqual(['housing-a']);
        expect(await names(`tags.team IS NULL`)).toEqual(['Default']);
        expect(await names(`NOT tags.team IN ('pricing', 'nlp')`)).toEqual(['Default', 'housing-b']);
        expect(await names(`attributes.experiment_id = '${c}'`)).toEqual(['imdb']);
        expect(await names('tags.`release date` = \'2026\'')).toEqual(['imdb']);
        expect(await names(`attributes.creation_time > 0 AND attributes.last_update_time >= 0`)).toHaveLength(4);
        expect(await names(`attributes.creation_time < 0`)).toEqual([]);
        expect(await names(`name = 'x'' OR 1=1 --'`)).toEqual([]);
        // Ordering: by name in code-point order, by creation (the default), by last update.
        expect(await names(undefined, ['name DESC'])).toEqual(['imdb', 'housing-b', 'housing-a', 'Default']);
        expect(await names(undefined, ['creation_time ASC'])).toEqual(await names());
        await new Promise((r) => setTimeout(r, 5));
        await store.renameExperiment(a, 'housing-a2');
        expect((await names(`name LIKE 'housing%'`, ['last_update_time DESC']))[0]).toBe('housing-a2');
        // Paging keeps the filter and the order.
        const { items } = await allPages(2, (p) => store.searchExperiments({ filter: `name != 'Default'`, orderBy: ['name ASC'], ...p }));
        const seen = items.map((e) => e.name);
        expect(seen).toEqual(['housing-a2', 'housing-b', 'imdb']);
        // The view type still applies.
        await store.deleteExperiment(c);
        expect(await names(`name = 'imdb'`)).toEqual([]);
        expect(await names(`name = 'imdb'`, undefined, 'ALL')).toEqual(['imdb']);
        // Ids sort as numbers ('10' after '9'), not as text.
        for (let i = 0; i < 8; i++) await store.createExperiment(`pad-${i}`);
        const ids = (await store.searchExperiments({ orderBy: ['experiment_id DESC'] })).items.map((e) => Number(e.experimentId));
        expect(ids).toEqual([...ids].sort((x, y) => y - x));
        expect(ids[0]).toBeGreaterThanOrEqual(10);
        // Keys experiments do not have, runs-only keys and bad syntax are INVALID_ARGUMENT naming what is valid.
        await expectError(store.searchExperiments({ filter: 'metrics.rmse < 3' }), 'INVALID_ARGUMENT', /column 1.*tags\.<key>/);
        await expectError(store.searchExperiments({ filter: `attributes.status = 'x'` }), 'INVALID_ARGUMENT', /unknown attribute 'status'.*last_update_time/);
        await expectError(store.searchExperiments({ filter: `name <` }), 'INVALID_ARGUMENT', /column 7: expected a value/);
        await expectError(store.searchExperiments({ filter: `attributes.creation_time = 'x'` }), 'INVALID_ARGUMENT', /numbers only/);
        await expectError(store.searchExperiments({ orderBy: ['tags.team'] }), 'INVALID_ARGUMENT', /order by one of name, experiment_id, creation_time, last_update_time/);
        await expectError(store.searchExperiments({ orderBy: ['name SIDEWAYS'] }), 'INVALID_ARGUMENT', /ASC, DESC/);
      });

      it('soft-deletes and restores an experiment with its runs', async () => {
        const id = await store.createExperiment('doomed');
        const keep = await newRun({ experimentId: id });
        const earlier = await newRun({ experimentId: id });
        await store.deleteRun(earlier);
        await store.deleteExperiment(id);
        expect((await store.getExperiment(id)).lifecycleStage).toBe('deleted');
        expect((await store.getExperiment(id)).deletedTime).toEqual(expect.any(Number));
        expect((await store.getRun(keep)).info.lifecycleStage).toBe('deleted');
        expect((await store.searchExperiments()).items.map((e) => e.name)).not.toContain('doomed');
        expect((await store.searchExperiments({ viewType: 'DELETED_ONLY' })).items.map((e) => e.name)).toEqual(['doomed']);
        expect((await store.searchExperiments({ viewType: 'ALL' })).items).toHaveLength(2);
        await expectError(store.createRun({ experimentId: id }), 'INVALID_ARGUMENT', /deleted/);
        await expectError(store.createExperiment('doomed'), 'ALREADY_EXISTS', /purge/);
        await store.restoreExperiment(id);
        expect((await store.getExperiment(id)).lifecycleStage).toBe('active');
        expect((await store.getRun(keep)).info.lifecycleStage).toBe('active');
        // A run deleted on its own before the experiment stays deleted.
        expect((await store.getRun(earlier)).info.lifecycleStage).toBe('deleted');
        await expectError(store.deleteExperiment(DEFAULT_EXPERIMENT_ID), 'INVALID_ARGUMENT', /Default/);
      });

      it('purges a deleted experiment: rows gone, name reusable, artifact locations returned', async () => {
        const id = await store.createExperiment('scratch');
        const runId = await newRun({ experimentId: id });
        await store.logBatch(runId, { metrics: [{ key: 'm', value: 1 }], params: [{ key: 'p', value: 'v' }], tags: [{ key: 't', value: 'x' }] });
        await store.logInputs(runId, [{ name: 'd', digest: 'abc' }]);
        await expectError(store.purgeExperiment(id), 'INVALID_ARGUMENT', /delete it first/);
        const exp = await store.getExperiment(id);
        await store.deleteExperiment(id);
        const locations = await store.purgeExperiment(id);
        expect(locations).toContain(exp.artifactLocation);
        await expectError(store.getExperiment(id), 'NOT_FOUND');
        await expectError(store.getRun(runId), 'NOT_FOUND');
        const again = await store.createExperiment('scratch');
        expect(again).not.toBe(id);
        expect((await store.getExperiment(again)).lifecycleStage).toBe('active');
      });
    });

    describe('runs', () => {
      it('creates a run with defaults, code version and tags', async () => {
        const before = Date.now();
        const run = await store.createRun({ sourceCommit: 'a'.repeat(40), sourceDirty: true, userId: 'ada', tags: { purpose: 'test' } });
        expect(run.info.runId).toMatch(/^[0-9a-f]{32}$/);
        expect(run.info).toMatchObject({ experimentId: '0', status: 'RUNNING', endTime: null, lifecycleStage: 'active', parentRunId: null, userId: 'ada', sourceCommit: 'a'.repeat(40), sourceDirty: true });
        expect(run.info.runName.length).toBeGreaterThan(0);
        expect(run.info.startTime).toBeGreaterThanOrEqual(before);
        expect(run.info.artifactUri).toContain(run.info.runId);
        expect(run.data).toEqual({ metrics: {}, params: {}, tags: { purpose: 'test' } });
        expect(run.inputs).toEqual([]);
        // what createRun returns is what the store holds
        expect(await store.getRun(run.info.runId)).toEqual(run);
        const plain = await store.createRun({ runName: 'named', startTime: 1234 });
        expect(await store.getRun(plain.info.runId)).toEqual(plain);
        // a run created ended (work already done): status and end time at once
        const done = await store.createRun({ startTime: 1000, status: 'FINISHED', endTime: 1500 });
        expect(done.info).toMatchObject({ status: 'FINISHED', startTime: 1000, endTime: 1500 });
        expect(await store.getRun(done.info.runId)).toEqual(done);
        expect((await store.createRun({ startTime: 2000, status: 'FAILED' })).info.endTime).toBe(2000);
        await expectError(store.createRun({ status: 'DONE' as never }), 'INVALID_ARGUMENT', /status/);
        expect(plain.info).toMatchObject({ runName: 'named', startTime: 1234, sourceCommit: null, sourceDirty: null, userId: null });
        await expectError(store.getRun('0'.repeat(32)), 'NOT_FOUND');
        await expectError(store.createRun({ experimentId: '424242' }), 'NOT_FOUND', /424242/);
      });

      it('updates status, end time and name; endRun finishes', async () => {
        const runId = await newRun();
        const info = await store.updateRun(runId, { runName: 'renamed' });
        expect(info).toMatchObject({ runName: 'renamed', status: 'RUNNING', endTime: null });
        const failed = await store.updateRun(runId, { status: 'FAILED' });
        expect(failed.status).toBe('FAILED');
        expect(failed.endTime).toEqual(expect.any(Number));
        const other = await newRun();
        const ended = await store.endRun(other);
        expect(ended.status).toBe('FINISHED');
        expect(ended.endTime).toBeGreaterThanOrEqual(ended.startTime);
        expect((await store.updateRun(other, { status: 'KILLED', endTime: 99 })).endTime).toBe(99);
        await expectError(store.updateRun(runId, { status: 'DONE' as never }), 'INVALID_ARGUMENT', /status/);
        await expectError(store.updateRun('f'.repeat(32), { status: 'FINISHED' }), 'NOT_FOUND');
      });

      it('nests runs through parentRunId and the mlship.parentRunId tag', async () => {
        const parent = await newRun({ runName: 'parent' });
        const child = await store.createRun({ parentRunId: parent });
        expect(child.info.parentRunId).toBe(parent);
        expect(child.data.tags[PARENT_RUN_ID_TAG]).toBe(parent);
        expect(await store.getRun(child.info.runId)).toEqual(child);
        const viaTag = await store.createRun({ tags: { [PARENT_RUN_ID_TAG]: parent } });
        expect(viaTag.info.parentRunId).toBe(parent);
        const late = await newRun();
        await store.setTag(late, PARENT_RUN_ID_TAG, parent);
        expect((await store.getRun(late)).info.parentRunId).toBe(parent);
        await expectError(store.createRun({ parentRunId: 'e'.repeat(32) }), 'NOT_FOUND');
        const children = await store.searchAllRuns({ filter: `attributes.parent_run_id = '${parent}'` });
        expect(children.map((r) => r.info.runId).sort()).toEqual([child.info.runId, viaTag.info.runId, late].sort());
      });

      it('soft-deletes and restores runs; deleted runs refuse logging', async () => {
        const runId = await newRun();
        await store.deleteRun(runId);
        expect((await store.getRun(runId)).info.lifecycleStage).toBe('deleted');
        expect((await store.searchRuns()).items).toHaveLength(0);
        expect((await store.searchRuns({ runViewType: 'DELETED_ONLY' })).items).toHaveLength(1);
        expect((await store.searchRuns({ runViewType: 'ALL' })).items).toHaveLength(1);
        await expectError(store.logMetric(runId, 'm', 1), 'INVALID_ARGUMENT', /deleted/);
        await store.restoreRun(runId);
        await store.logMetric(runId, 'm', 1);
        expect((await store.getRun(runId)).data.metrics.m?.value).toBe(1);
      });
    });

    describe('logging', () => {
      it('keeps the full metric history and the latest value per key', async () => {
        const runId = await newRun();
        await store.logBatch(runId, {
          metrics: [
            { key: 'loss', value: 0.9, step: 0, timestamp: 10 },
            { key: 'loss', value: 0.5, step: 2, timestamp: 12 },
            { key: 'loss', value: 0.7, step: 1, timestamp: 11 },
            { key: 'acc', value: 0.6, step: 0, timestamp: 10 },
          ],
        });
        // An older step logged later does not replace the latest value.
        await store.logMetric(runId, 'loss', 0.8, { step: 1, timestamp: 20 });
        const history = await store.getMetricHistory(runId, 'loss');
        expect(history.map((m) => [m.step, m.value])).toEqual([
          [0, 0.9],
          [1, 0.7],
          [1, 0.8],
          [2, 0.5],
        ]);
        const run = await store.getRun(runId);
        expect(run.data.metrics.loss).toEqual({ key: 'loss', value: 0.5, step: 2, timestamp: 12 });
        expect(run.data.metrics.acc?.value).toBe(0.6);
        // Same step, later timestamp wins.
        await store.logMetric(runId, 'loss', 0.4, { step: 2, timestamp: 13 });
        expect((await store.getRun(runId)).data.metrics.loss?.value).toBe(0.4);
        expect(await store.getMetricHistory(runId, 'missing')).toEqual([]);
        await expectError(store.getMetricHistory('d'.repeat(32), 'loss'), 'NOT_FOUND');
      });

      it('stores NaN and ±Infinity as such', async () => {
        const runId = await newRun();
        await store.logBatch(runId, {
          metrics: [
            { key: 'nan', value: Number.NaN, step: 0 },
            { key: 'inf', value: Number.POSITIVE_INFINITY, step: 0 },
            { key: 'ninf', value: Number.NEGATIVE_INFINITY, step: 0 },
            { key: 'tiny', value: -0.000123, step: 0 },
          ],
        });
        const run = await store.getRun(runId);
        expect(run.data.metrics.nan?.value).toBeNaN();
        expect(run.data.metrics.inf?.value).toBe(Number.POSITIVE_INFINITY);
        expect(run.data.metrics.ninf?.value).toBe(Number.NEGATIVE_INFINITY);
        expect(run.data.metrics.tiny?.value).toBe(-0.000123);
        expect((await store.getMetricHistory(runId, 'nan'))[0]?.value).toBeNaN();
        expect((await store.getMetricHistory(runId, 'inf'))[0]?.value).toBe(Number.POSITIVE_INFINITY);
        expect((await store.searchAllRuns({ filter: 'metrics.inf > 1e308' })).map((r) => r.info.runId)).toEqual([runId]);
        expect(await store.searchAllRuns({ filter: 'metrics.nan > 0 OR metrics.nan <= 0' })).toEqual([]);
      });

      it('params are immutable: same value again is fine, another value names the key and both values', async () => {
        const runId = await newRun();
        await store.logParam(runId, 'alpha', '0.5');
        await store.logParam(runId, 'alpha', 0.5);
        await expectError(store.logParam(runId, 'alpha', '0.7'), 'INVALID_ARGUMENT', /alpha.*0\.5.*0\.7/);
        await expectError(
          store.logBatch(runId, {
            params: [
              { key: 'b', value: '1' },
              { key: 'b', value: '2' },
            ],
          }),
          'INVALID_ARGUMENT',
          /'b'.*'1'.*'2'/,
        );
        expect((await store.getRun(runId)).data.params).toEqual({ alpha: '0.5' });
      });

      it('logBatch is atomic: a failing batch logs nothing', async () => {
        const runId = await newRun();
        await store.logParam(runId, 'fixed', 'a');
        await expectError(
          store.logBatch(runId, {
            metrics: [{ key: 'm', value: 1 }],
            params: [
              { key: 'new', value: 'x' },
              { key: 'fixed', value: 'b' },
            ],
            tags: [{ key: 't', value: 'v' }],
          }),
          'INVALID_ARGUMENT',
          /fixed/,
        );
        const run = await store.getRun(runId);
        expect(run.data.params).toEqual({ fixed: 'a' });
        expect(run.data.metrics).toEqual({});
        expect(run.data.tags).toEqual({});
        expect(await store.getMetricHistory(runId, 'm')).toEqual([]);
      });

      it('overwrites tags and offers convenience methods', async () => {
        const runId = await newRun();
        await store.setTag(runId, 'stage', 'dev');
        await store.setTags(runId, { stage: 'prod', owner: 'ada' });
        await store.logParams(runId, { model: 'rf', depth: 3, bootstrap: true });
        await store.logMetrics(runId, { rmse: 3.2, mae: 2.1 }, { step: 4 });
        const run = await store.getRun(runId);
        expect(run.data.tags).toEqual({ stage: 'prod', owner: 'ada' });
        expect(run.data.params).toEqual({ model: 'rf', depth: '3', bootstrap: 'true' });
        expect(run.data.metrics.rmse).toMatchObject({ value: 3.2, step: 4 });
        const expId = await store.getOrCreateExperiment('auto');
        expect(await store.getOrCreateExperiment('auto')).toBe(expId);
        // concurrent callers racing to create one experiment all get it
        const raced = await Promise.all(Array.from({ length: 6 }, () => store.getOrCreateExperiment('raced')));
        expect(new Set(raced).size).toBe(1);
      });

      it('logs big batches across statement chunks', async () => {
        const runId = await newRun();
        const metrics = Array.from({ length: 12_345 }, (_, i) => ({ key: `k${i % 7}`, value: i / 3, step: i, timestamp: 1000 + i }));
        await store.logBatch(runId, { metrics, params: Array.from({ length: 700 }, (_, i) => ({ key: `p${i}`, value: String(i) })) });
        const history = await store.getMetricHistory(runId, 'k3');
        expect(history).toHaveLength(metrics.filter((m) => m.key === 'k3').length);
        expect(history.at(-1)?.value).toBe(metrics.filter((m) => m.key === 'k3').at(-1)!.value);
        const run = await store.getRun(runId);
        expect(Object.keys(run.data.metrics)).toHaveLength(7);
        expect(run.data.metrics.k0?.step).toBe(12_341);
        expect(Object.keys(run.data.params)).toHaveLength(700);
      });

      it('rejects invalid names, oversized values and non-numbers with clear errors', async () => {
        const runId = await newRun();
        await expectError(store.logMetric(runId, '', 1), 'INVALID_ARGUMENT', /non-empty/);
        await expectError(store.logMetric(runId, 'bad*key', 1), 'INVALID_ARGUMENT', /bad\*key/);
        await expectError(store.logMetric(runId, '../escape', 1), 'INVALID_ARGUMENT', /\.\./);
        await expectError(store.logMetric(runId, 'k'.repeat(251), 1), 'INVALID_ARGUMENT', /250/);
        await expectError(store.logMetric(runId, 'm', '1' as never), 'INVALID_ARGUMENT', /number/);
        await expectError(store.logMetric(runId, 'm', 1, { step: 1.5 }), 'INVALID_ARGUMENT', /step/);
        await expectError(store.logParam(runId, 'p', 'v'.repeat(6001)), 'INVALID_ARGUMENT', /6000/);
        await store.logParam(runId, 'ok', 'v'.repeat(6000));
        await expectError(store.setTag(runId, 't', 'v'.repeat(8001)), 'INVALID_ARGUMENT', /8000/);
        await store.setTag(runId, 'ok', 'v'.repeat(8000));
        await store.logMetric(runId, 'with space/and:colon-dash_1.x', 1);
        await expectError(store.logMetric('c'.repeat(32), 'm', 1), 'NOT_FOUND');
      });

      it('records dataset inputs', async () => {
        const runId = await newRun();
        await store.logInputs(runId, [
          { name: 'boston', digest: 'sha256:aa', source: 'data/boston.csv', schema: { columns: [{ name: 'crim', type: 'float64' }] }, rowCount: 506, context: 'training' },
          { name: 'boston', digest: 'sha256:bb', context: 'validation' },
        ]);
        await store.logInputs(runId, [{ name: 'boston', digest: 'sha256:bb', rowCount: 10, context: 'validation' }]);
        const { inputs } = await store.getRun(runId);
        expect(inputs).toHaveLength(2);
        expect(inputs[0]).toEqual({ name: 'boston', digest: 'sha256:aa', source: 'data/boston.csv', schema: { columns: [{ name: 'crim', type: 'float64' }] }, rowCount: 506, context: 'training' });
        expect(inputs[1]).toMatchObject({ name: 'boston', digest: 'sha256:bb', rowCount: 10 });
        await expectError(store.logInputs(runId, [{ name: 'x', digest: '' }]), 'INVALID_ARGUMENT', /digest/);
      });
    });

    describe('searchRuns', () => {
      it('searches experiments, orders by start time by default and pages without gaps', async () => {
        const expId = await store.createExperiment('search');
        const ids: string[] = [];
        for (let i = 0; i < 11; i++) ids.push(await newRun({ experimentId: expId, startTime: 1000 + i }));
        await newRun(); // in Default, not searched
        const { items } = await allPages(4, (p) => store.searchRuns({ experimentIds: [expId], ...p }));
        const seen = items.map((r) => r.info.runId);
        expect(seen).toEqual([...ids].reverse());
        expect((await store.searchRuns({ experimentIds: [expId, '0'] })).items).toHaveLength(12);
        expect((await store.searchRuns({ experimentIds: [] })).items).toEqual([]);
      });

      it('filters and orders by metrics, params, tags and attributes', async () => {
        const a = await newRun({ runName: 'a', startTime: 1 });
        const b = await newRun({ runName: 'b', startTime: 2 });
        const c = await newRun({ runName: 'c', startTime: 3 });
        await store.logBatch(a, { metrics: [{ key: 'rmse', value: 2 }], params: [{ key: 'model', value: 'rf' }], tags: [{ key: 'team', value: 'ML-core' }] });
        await store.logBatch(b, { metrics: [{ key: 'rmse', value: 4 }], params: [{ key: 'model', value: 'ridge' }] });
        await store.logBatch(c, { params: [{ key: 'model', value: 'rf' }] });
        await store.endRun(b);
        const names = async (filter?: string, orderBy?: string[]) => (await store.searchAllRuns({ filter, orderBy })).map((r) => r.info.runName);
        expect(await names('metrics.rmse < 3')).toEqual(['a']);
        expect(await names(`params.model = 'rf' OR metrics.rmse > 3`)).toEqual(['c', 'b', 'a']);
        expect(await names(`params.model = 'rf' AND (tags.team ILIKE '%ml%' OR metrics.rmse > 3)`)).toEqual(['a']);
        expect(await names(`attributes.status IN ('FINISHED')`)).toEqual(['b']);
        expect(await names(`status = 'RUNNING'`, ['attributes.run_name ASC'])).toEqual(['a', 'c']);
        expect(await names(undefined, ['metrics.rmse DESC'])).toEqual(['b', 'a', 'c']);
        expect(await names(undefined, ['metrics.rmse ASC'])).toEqual(['a', 'b', 'c']);
        expect(await names(`params.model = 'x'' OR 1=1 --'`)).toEqual([]);
        await expectError(store.searchRuns({ filter: 'metrics.rmse <' }), 'INVALID_ARGUMENT');
        await expectError(store.searchRuns({ orderBy: ['metrics.rmse SIDEWAYS'] }), 'INVALID_ARGUMENT');
        await expectError(store.searchRuns({ pageToken: '%%%' }), 'INVALID_ARGUMENT', /pageToken/);
      });
    });

    describe('several processes', () => {
      it('four processes logging at once never see "database is locked" and lose nothing', async (ctx) => {
        if (!fixture.uri) return ctx.skip();
        const runId = await newRun();
        const children = Array.from({ length: 4 }, (_, i) => startChild([fixture.uri!, runId, `child${i}`, '40', '50']));
        const results = await Promise.all(children.map((c) => c.done));
        for (const r of results) {
          expect(r.stderr).not.toMatch(/locked|busy/i);
          expect(r.code, r.stderr).toBe(0);
        }
        const run = await store.getRun(runId);
        for (let i = 0; i < 4; i++) {
          const history = await store.getMetricHistory(runId, `child${i}`);
          expect(history).toHaveLength(2000);
          expect(new Set(history.map((m) => m.step)).size).toBe(2000);
          expect(run.data.metrics[`child${i}`]?.step).toBe(1999);
        }
      }, 60_000);

      it('kill -9 while logging loses no acknowledged batch and leaves a readable store', async (ctx) => {
        if (!fixture.uri) return ctx.skip();
        const runId = await newRun();
        const child = startChild([fixture.uri, runId, 'loop', '0', '100']);
        await child.onAck(25);
        child.kill('SIGKILL');
        const result = await child.done;
        expect(result.signal).toBe('SIGKILL');
        const acked = child.acks();
        expect(acked).toBeGreaterThanOrEqual(25);
        const reopened = await openTrackingStore(fixture.uri, { migrate: false });
        try {
          const history = await reopened.getMetricHistory(runId, 'loop');
          // Every acknowledged batch is there, and batches are all-or-nothing.
          expect(history.length).toBeGreaterThanOrEqual(acked * 100);
          expect(history.length % 100).toBe(0);
          expect(history.slice(0, acked * 100).map((m) => m.step)).toEqual(Array.from({ length: acked * 100 }, (_, i) => i));
          await reopened.logMetric(runId, 'after', 1);
        } finally {
          await reopened.close();
        }
      }, 60_000);
    });
  });
}

/**
 * The conformance suite every prediction log backend runs: round trips (NaN, ±Infinity, unicode,
 * nested values), many items per request, duplicates, labels matched and missing, time and model
 * filters, paging in both orders, counting and retention.
 */
import { describe, expect, it } from 'vitest';
import type { PredictionRecord, PredictionStore, StoredPrediction } from '../predictions.js';
import { allPages, eachFixture, expectError } from './support.js';
import type { Fixture } from './support.js';

/** What `makeStore` returns: a migrated, empty prediction log. */
export type PredictionStoreFixture = Fixture<PredictionStore>;

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function record(n: number, over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    requestId: `req-${String(n).padStart(4, '0')}`,
    modelName: 'spam',
    modelVersion: '1',
    modelUri: 'models:/spam@champion',
    timestamp: T0 + n * 1000,
    latencyMs: 0.5 + n / 100,
    inputs: { text: `message ${n}` },
    outputs: { label: n % 2 === 0 ? 'ham' : 'spam', probabilities: { ham: n % 2 === 0 ? 0.9 : 0.1, spam: n % 2 === 0 ? 0.1 : 0.9 } },
    ...over,
  };
}

const key = (p: StoredPrediction): string => `${p.requestId}#${p.index}`;

/**
 * Registers the conformance tests (vitest `describe`/`it`) for one prediction log backend.
 * `makeStore` is called before every test and must return a fresh, migrated, empty store.
 *
 * @param name - the backend's name, used as the describe title
 * @param makeStore - creates a fresh store
 *
 * @example
 * ```ts
 * import { predictionStoreConformance } from '../testing/index.js';
 * predictionStoreConformance('sqlite', async () => {
 *   const dir = mkdtempSync(join(tmpdir(), 'mlship-'));
 *   return { store: await openPredictionStore(`sqlite://${dir}/mlship.db`), dispose: () => rmSync(dir, { recursive: true, force: true }) };
 * });
 * ```
 */
export function predictionStoreConformance(name: string, makeStore: () => Promise<PredictionStoreFixture>): void {
  describe(`PredictionStore conformance: ${name}`, () => {
    let store: PredictionStore;
    eachFixture(makeStore, (f) => {
      store = f.store;
    });

    it('round-trips a record exactly: NaN, ±Infinity, unicode, nested values, a null version', async () => {
      const r = record(1, {
        requestId: 'é-请求-🚀',
        modelName: 'modèle-文本',
        modelVersion: null,
        modelUri: '/models/模型.mlship',
        inputs: { text: 'naïve café 日本語 🎉 "quoted" \\ back\nline', x: Number.NaN, y: Number.POSITIVE_INFINITY, z: [Number.NEGATIVE_INFINITY, 0, -0.5, null], nested: { deep: [{ a: true }] } },
        outputs: { prediction: Number.NaN, $float: 'not a marker', tags: ['a', 'b'] },
        timestamp: T0 + 0.4,
      });
      expect(await store.logPredictions([r])).toEqual({ written: 1, duplicates: 0 });
      const { items, nextPageToken } = await store.searchPredictions();
      expect(nextPageToken).toBeUndefined();
      expect(items).toEqual([
        {
          requestId: r.requestId,
          index: 0,
          modelName: r.modelName,
          modelVersion: null,
          modelUri: r.modelUri,
          timestamp: T0,
          latencyMs: r.latencyMs,
          inputs: r.inputs,
          outputs: r.outputs,
          label: null,
          labelTimestamp: null,
        },
      ]);
      const inputs = items[0]!.inputs as { x: number; y: number; z: number[] };
      expect(Number.isNaN(inputs.x)).toBe(true);
      expect(inputs.y).toBe(Number.POSITIVE_INFINITY);
      expect(inputs.z[0]).toBe(Number.NEGATIVE_INFINITY);
    });

    it('stores one row per item of a request, in order, and a single-item request at index 0', async () => {
      const texts = Array.from({ length: 250 }, (_, i) => `doc ${i}`);
      const batch = record(1, { inputs: texts, outputs: texts.map((_, i) => ({ label: i % 3 === 0 ? 'spam' : 'ham' })) });
      const single = record(2, { inputs: ['only'], outputs: [{ label: 'ham' }] });
      const mismatched = record(3, { inputs: [1, 2, 3], outputs: { prediction: 7 } });
      expect(await store.logPredictions([batch, single, mismatched])).toEqual({ written: 252, duplicates: 0 });
      expect(await store.countPredictions()).toBe(252);
      const items = (await store.searchPredictions({ requestId: batch.requestId })).items;
      expect(items.map((p) => p.index)).toEqual(texts.map((_, i) => i));
      expect(items[249]).toMatchObject({ inputs: 'doc 249', outputs: { label: 'spam' }, requestId: batch.requestId, modelVersion: '1' });
      expect((await store.searchPredictions({ requestId: single.requestId })).items.map((p) => [p.index, p.inputs])).toEqual([[0, 'only']]);
      expect((await store.searchPredictions({ requestId: mismatched.requestId })).items.map((p) => [p.index, p.inputs, p.outputs])).toEqual([[0, [1, 2, 3], { prediction: 7 }]]);
    });

    it('writes large batches in one call and keeps the first of duplicate keys', async () => {
      const records = Array.from({ length: 3001 }, (_, i) => record(i));
      expect(await store.logPredictions(records)).toEqual({ written: 3001, duplicates: 0 });
      const again = await store.logPredictions([record(5, { outputs: { label: 'changed' } }), record(9000)]);
      expect(again).toEqual({ written: 1, duplicates: 1 });
      expect((await store.searchPredictions({ requestId: 'req-0005' })).items[0]!.outputs).toEqual(record(5).outputs);
      expect(await store.countPredictions()).toBe(3002);
      expect(await store.logPredictions([])).toEqual({ written: 0, duplicates: 0 });
    });

    it('refuses bad records with INVALID_ARGUMENT naming the field, writing nothing', async () => {
      const good = record(1);
      await expectError(store.logPredictions([good, record(2, { requestId: '' })]), 'INVALID_ARGUMENT', /records\[1\]\.requestId must be a non-empty string/);
      await expectError(store.logPredictions([record(3, { modelVersion: 3 as unknown as string })]), 'INVALID_ARGUMENT', /modelVersion must be a version number as text, or null/);
      await expectError(store.logPredictions([record(4, { timestamp: Number.NaN })]), 'INVALID_ARGUMENT', /timestamp must be a time in ms/);
      await expectError(store.logPredictions([record(5, { latencyMs: -1 })]), 'INVALID_ARGUMENT', /latencyMs must be a non-negative number/);
      await expectError(store.logPredictions([record(6, { inputs: { n: 10n } })]), 'INVALID_ARGUMENT', /inputs of request req-0006 are not JSON-serializable/);
      await expectError(store.logPredictions('x' as never), 'INVALID_ARGUMENT', /records must be an array/);
      expect(await store.countPredictions()).toBe(0);
    });

    it('labels items: matched and missing counted, index optional, a later label replaces an earlier one', async () => {
      await store.logPredictions([record(1), record(2, { inputs: ['a', 'b', 'c'], outputs: [1, 2, 3] }), record(3)]);
      const r1 = await store.logLabels([
        { requestId: 'req-0001', label: 'spam', timestamp: T0 + 99_000 },
        { requestId: 'req-0002', index: 1, label: { y: Number.NaN, cls: 'é' } },
        { requestId: 'nope', label: 'ham' },
        { requestId: 'req-0002', index: 7, label: 'ham' },
      ]);
      expect(r1).toEqual({ matched: 2, missing: ['nope', 'req-0002'] });
      const byKey = new Map((await store.searchPredictions()).items.map((p) => [key(p), p]));
      expect(byKey.get('req-0001#0')).toMatchObject({ label: 'spam', labelTimestamp: T0 + 99_000 });
      const l = byKey.get('req-0002#1')!.label as { y: number; cls: string };
      expect(Number.isNaN(l.y) && l.cls === 'é').toBe(true);
      expect(byKey.get('req-0002#0')!.label).toBeNull();
      expect(byKey.get('req-0003#0')).toMatchObject({ label: null, labelTimestamp: null });
      // Without an index a label applies to every item of the request.
      expect(await store.logLabels([{ requestId: 'req-0002', label: 0 }])).toEqual({ matched: 1, missing: [] });
      expect((await store.searchPredictions({ requestId: 'req-0002' })).items.map((p) => p.label)).toEqual([0, 0, 0]);
      expect(await store.logLabels([{ requestId: 'req-0001', label: 'ham' }])).toEqual({ matched: 1, missing: [] });
      expect((await store.searchPredictions({ requestId: 'req-0001' })).items[0]!.label).toBe('ham');
      expect(await store.countPredictions({ labelled: true })).toBe(4);
      expect(await store.countPredictions({ labelled: false })).toBe(1);
      expect((await store.searchPredictions({ labelled: false })).items.map(key)).toEqual(['req-0003#0']);
      expect(await store.logLabels([])).toEqual({ matched: 0, missing: [] });
    });

    it('refuses bad labels with INVALID_ARGUMENT, changing nothing', async () => {
      await store.logPredictions([record(1)]);
      await expectError(store.logLabels([{ requestId: 'req-0001', label: 'ham' }, { requestId: 'req-0001', label: null }]), 'INVALID_ARGUMENT', /labels\[1\]\.label is null/);
      await expectError(store.logLabels([{ requestId: 'req-0001', index: -1, label: 'ham' }]), 'INVALID_ARGUMENT', /labels\[0\]\.index must be a non-negative integer/);
      await expectError(store.logLabels([{ requestId: 42 as unknown as string, label: 'ham' }]), 'INVALID_ARGUMENT', /labels\[0\]\.requestId must be a non-empty string/);
      expect(await store.countPredictions({ labelled: true })).toBe(0);
    });

    it('filters by model, version (null for plain files), request and time range [from, to)', async () => {
      const records = [
        ...Array.from({ length: 10 }, (_, i) => record(i, { modelVersion: i < 5 ? '1' : '2' })),
        ...Array.from({ length: 4 }, (_, i) => record(100 + i, { modelName: 'housing', modelVersion: null, outputs: { prediction: i } })),
      ];
      await store.logPredictions(records);
      expect(await store.countPredictions({ modelName: 'spam' })).toBe(10);
      expect(await store.countPredictions({ modelName: 'spam', modelVersion: '2' })).toBe(5);
      expect(await store.countPredictions({ modelVersion: null })).toBe(4);
      expect(await store.countPredictions({ modelName: 'housing', modelVersion: '1' })).toBe(0);
      const window = await store.searchPredictions({ from: T0 + 3000, to: T0 + 7000 });
      expect(window.items.map((p) => p.requestId)).toEqual(['req-0003', 'req-0004', 'req-0005', 'req-0006']);
      expect(await store.countPredictions({ modelName: 'spam', from: T0 + 3000, to: T0 + 7000, modelVersion: '2' })).toBe(2);
      expect(await store.countPredictions({ from: T0 + 200_000 })).toBe(0);
      expect(await store.countPredictions({ modelName: 'unknown' })).toBe(0);
      await expectError(store.countPredictions({ from: Number.NaN }), 'INVALID_ARGUMENT', /from must be a time in ms/);
      await expectError(store.countPredictions({ labelled: 'yes' as never }), 'INVALID_ARGUMENT', /labelled must be true or false/);
    });

    it('pages with opaque tokens in both orders, without gaps or repeats, even with equal timestamps', async () => {
      // 23 requests, several per millisecond, some with 3 items: 33 rows.
      const records = Array.from({ length: 23 }, (_, i) =>
        record(i, { timestamp: T0 + Math.floor(i / 4), ...(i % 5 === 0 ? { inputs: ['a', 'b', 'c'], outputs: [1, 2, 3] } : {}) }),
      );
      await store.logPredictions([...records].reverse());
      const asc = await allPages(4, (p) => store.searchPredictions({ ...p }));
      expect(asc.items).toHaveLength(33);
      expect(asc.pages).toBe(9);
      const expected = asc.items.map(key);
      expect(new Set(expected).size).toBe(33);
      const sorted = [...asc.items].sort((a, b) => a.timestamp - b.timestamp || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : a.index - b.index));
      expect(expected).toEqual(sorted.map(key));
      const desc = await allPages(7, (p) => store.searchPredictions({ ...p, order: 'desc' }));
      expect(desc.items.map(key)).toEqual([...expected].reverse());
      const filtered = await allPages(2, (p) => store.searchPredictions({ ...p, from: T0 + 2, to: T0 + 4 }));
      expect(filtered.items.map((x) => x.timestamp)).toEqual(asc.items.filter((x) => x.timestamp >= T0 + 2 && x.timestamp < T0 + 4).map((x) => x.timestamp));
      const first = await store.searchPredictions({ maxResults: 33 });
      expect(first.nextPageToken).toBeUndefined();
      const page = await store.searchPredictions({ maxResults: 3 });
      await expectError(store.searchPredictions({ pageToken: 'garbage' }), 'INVALID_ARGUMENT', /invalid pageToken/);
      await expectError(store.searchPredictions({ pageToken: page.nextPageToken, order: 'desc' }), 'INVALID_ARGUMENT', /keep the order/);
      await expectError(store.searchPredictions({ maxResults: 0 }), 'INVALID_ARGUMENT', /maxResults must be an integer from 1/);
    });

    it('deletes items older than a time (retention), optionally of one model', async () => {
      await store.logPredictions([...Array.from({ length: 6 }, (_, i) => record(i)), record(50, { modelName: 'other', timestamp: T0 })]);
      await store.logLabels([{ requestId: 'req-0001', label: 'spam' }]);
      expect(await store.deletePredictions({ before: T0 + 2000, modelName: 'spam' })).toBe(2);
      expect(await store.countPredictions()).toBe(5);
      expect(await store.deletePredictions({ before: T0 + 4000 })).toBe(3);
      expect((await store.searchPredictions()).items.map((p) => p.requestId)).toEqual(['req-0004', 'req-0005']);
      expect(await store.deletePredictions({ before: T0 })).toBe(0);
      await expectError(store.deletePredictions({ before: 'yesterday' as never }), 'INVALID_ARGUMENT', /before must be a time in ms/);
    });
  });
}

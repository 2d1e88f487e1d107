import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MlshipClient, openPredictionLogWriter, openPredictionStore, type PredictionLogWriter, type PredictionRecord, type PredictionStore } from '../../tracking/index.js';
import { createApp } from '../app.js';
import { predictionRoutes } from './predictions.js';

let dir: string;
let client: MlshipClient;
let store: PredictionStore;
let writer: PredictionLogWriter;
let app: FastifyInstance;
const internal: unknown[] = [];

const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

function rec(n: number, over: Partial<PredictionRecord> = {}): PredictionRecord {
  return {
    requestId: `req-${n}`,
    modelName: 'spam',
    modelVersion: '2',
    modelUri: 'models:/spam@champion',
    timestamp: T0 + n * 1000,
    latencyMs: 0.4,
    inputs: { text: `doc ${n}` },
    outputs: { label: 'ham', probabilities: { ham: 0.8, spam: 0.2 } },
    ...over,
  };
}

async function call(method: 'GET' | 'POST', url: string, payload?: unknown): Promise<{ status: number; body: any }> {
  const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.body ? res.json() : undefined };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlship-serve-predictions-'));
  const uri = `sqlite://${join(dir, 'mlship.db')}`;
  client = await MlshipClient.open({ trackingUri: uri });
  store = await openPredictionStore(uri);
  writer = await openPredictionLogWriter(uri, { flushIntervalMs: 60_000 });
  app = createApp({ client, onInternalError: (e) => internal.push(e) });
  app.register(predictionRoutes, { store, writer });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await writer?.close();
  await store?.close();
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('predictionRoutes', () => {
  it('POST /feedback matches a label posted right after its prediction (the writer is flushed first)', async () => {
    writer.append(rec(1));
    writer.append(rec(2, { inputs: ['a', 'b', 'c'], outputs: [{ label: 'ham' }, { label: 'spam' }, { label: 'ham' }] }));
    expect(writer.stats.queued).toBe(2);
    const one = await call('POST', '/feedback', { request_id: 'req-1', label: 'spam' });
    expect(one).toEqual({ status: 200, body: { matched: 1, missing: [] } });
    const many = await call('POST', '/feedback', {
      labels: [
        { request_id: 'req-2', index: 1, label: 'spam' },
        { request_id: 'req-2', index: 0, label: { score: 3.5 }, timestamp: T0 + 5 },
        { request_id: 'unknown', label: 'ham' },
      ],
    });
    expect(many).toEqual({ status: 200, body: { matched: 2, missing: ['unknown'] } });
    const items = (await store.searchPredictions({ requestId: 'req-2' })).items;
    expect(items.map((p) => p.label)).toEqual([{ score: 3.5 }, 'spam', null]);
    expect(items[0]!.labelTimestamp).toBe(T0 + 5);
  });

  it('POST /feedback refuses malformed bodies with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ label: 'spam' }, /body\.request_id is required/],
      [{ request_id: 'req-1' }, /body\.label is required/],
      [{ request_id: 'req-1', label: null }, /body\.label is null/],
      [{ labels: [] }, /body\.labels must NOT have fewer than 1 items/],
      [{ labels: [{ request_id: 'req-1' }] }, /body\.labels\[0\]\.label is required/],
      [{ labels: [{ request_id: 'req-1', label: 1, index: -2 }] }, /body\.labels\[0\]\.index must be >= 0/],
      [{ request_id: 'req-1', label: 1, labels: [{ request_id: 'x', label: 2 }] }, /either/],
      [{ request_id: 'req-1', label: 1, extra: true }, /body\.extra is not a known field/],
    ];
    for (const [payload, message] of cases) {
      const r = await call('POST', '/feedback', payload);
      expect(r.status, JSON.stringify(payload)).toBe(400);
      expect(r.body.error_code).toBe('INVALID_ARGUMENT');
      expect(r.body.message).toMatch(message);
    }
    const bad = await app.inject({ method: 'POST', url: '/feedback', headers: { 'content-type': 'application/json' }, payload: '{"request_id": ' });
    expect(bad.statusCode).toBe(400);
    expect(internal).toEqual([]);
  });

  it('GET /predictions filters by model, version, time and label, and pages with next_page_token', async () => {
    for (let i = 10; i < 20; i++) writer.append(rec(i, { modelVersion: i < 15 ? '2' : null, inputs: { text: `doc ${i}`, x: i === 12 ? Number.NaN : i } }));
    await writer.flush();
    const all = await call('GET', '/predictions?model=spam&max_results=1000');
    expect(all.status).toBe(200);
    expect(all.body.predictions).toHaveLength(14);
    expect(all.body.next_page_token).toBeUndefined();
    expect(all.body.predictions[0]).toEqual({
      request_id: 'req-1',
      index: 0,
      model_name: 'spam',
      model_version: '2',
      model_uri: 'models:/spam@champion',
      timestamp: T0 + 1000,
      latency_ms: 0.4,
      inputs: { text: 'doc 1' },
      outputs: { label: 'ham', probabilities: { ham: 0.8, spam: 0.2 } },
      label: 'spam',
      label_timestamp: expect.any(Number),
    });
    const nan = (await call('GET', '/predictions?request_id=req-12')).body.predictions[0];
    expect(nan.inputs).toEqual({ text: 'doc 12', x: 'NaN' });
    const file = await call('GET', '/predictions?version=file');
    expect(file.body.predictions.map((p: { request_id: string }) => p.request_id)).toEqual(['req-15', 'req-16', 'req-17', 'req-18', 'req-19']);
    const iso = new Date(T0 + 11_000).toISOString();
    const window = await call('GET', `/predictions?from=${encodeURIComponent(iso)}&to=${T0 + 14_000}&order=desc`);
    expect(window.body.predictions.map((p: { request_id: string }) => p.request_id)).toEqual(['req-13', 'req-12', 'req-11']);
    const labelled = await call('GET', '/predictions?labelled=true');
    expect(labelled.body.predictions.map((p: { request_id: string; index: number }) => `${p.request_id}#${p.index}`)).toEqual(['req-1#0', 'req-2#0', 'req-2#1']);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call('GET', `/predictions?model=spam&max_results=4${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      expect(r.body.predictions.length).toBeLessThanOrEqual(4);
      seen.push(...r.body.predictions.map((p: { request_id: string; index: number }) => `${p.request_id}#${p.index}`));
      token = r.body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(4);
    expect(seen).toEqual(all.body.predictions.map((p: { request_id: string; index: number }) => `${p.request_id}#${p.index}`));
    expect((await call('GET', '/predictions/count?model=spam&labelled=false')).body).toEqual({ count: 11 });
  });

  it('GET /predictions answers 400 for bad query values', async () => {
    const cases: [string, RegExp][] = [
      ['/predictions?from=yesterday', /querystring\.from "yesterday" is not a time/],
      ['/predictions?max_results=0', /querystring\.max_results must be >= 1/],
      ['/predictions?labelled=maybe', /querystring\.labelled must be boolean/],
      ['/predictions?order=up', /querystring\.order must be one of "asc", "desc"/],
      ['/predictions?page_token=nonsense', /invalid pageToken/],
      ['/predictions?colour=red', /querystring\.colour is not a known field/],
    ];
    for (const [url, message] of cases) {
      const r = await call('GET', url);
      expect(r.status, url).toBe(400);
      expect(r.body.message).toMatch(message);
    }
    expect(internal).toEqual([]);
  });
});

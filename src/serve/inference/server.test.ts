// The model server in process (app.inject and a real listener for concurrency): every route's
// shapes, V2 and MLflow formats, validation errors, a fuzz of malformed bodies, readiness, hot
// swap under load, metrics, and the prediction log.
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelApp, startModelServer } from './app.js';
import { MetricsRegistry } from './metrics.js';
import { ModelSlot } from './model-slot.js';
import { createTestStore, parsePrometheus, type TestStore } from './test-models.js';

let store: TestStore;
let app: FastifyInstance;
let slots: ModelSlot[];

let REVIEW = '';

beforeAll(async () => {
  store = await createTestStore();
  slots = [
    new ModelSlot({ uri: 'models:/spam@champion', client: store.client, pollIntervalMs: 50 }),
    new ModelSlot({ uri: 'models:/housing/1', client: store.client }),
    new ModelSlot({ uri: store.hgbFile, name: 'housing-class' }),
  ];
  await Promise.all(slots.map((s) => s.start()));
  app = createModelApp({ models: slots, maxBatch: 50 });
  // A spam email of the corpus that version 1 classifies as spam (checked against the estimator itself below).
  const v1 = slots[0]!.current!;
  REVIEW = store.docs.find((d, i) => store.labels[i] === 'spam' && (v1.estimator as unknown as { predict(x: string[]): string[] }).predict([d])[0] === 'spam')!;
}, 60_000);

afterAll(async () => {
  await app?.close();
  slots?.forEach((s) => s.close());
  await store?.close();
});

function row(i: number): Record<string, unknown> {
  return store.X.toRecords()[i]!;
}

describe('plain API', () => {
  it('POST /predict with one text answers label, probabilities, model name and version', async () => {
    const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: REVIEW } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-model-version']).toBe('1');
    const body = res.json();
    expect(res.headers['x-request-id']).toBe(body.request_id);
    expect(body).toMatchObject({ model_name: 'spam', model_version: '1', label: 'spam' });
    expect(Object.keys(body.probabilities).sort()).toEqual(['ham', 'spam']);
    expect(body.probabilities.ham + body.probabilities.spam).toBeCloseTo(1, 10);
    expect(body.probabilities.spam).toBeGreaterThan(0.5);
    const direct = (slots[0]!.current!.estimator as unknown as { predictProba(x: string[]): { data: Float64Array } }).predictProba([REVIEW]).data;
    expect([body.probabilities.ham, body.probabilities.spam]).toEqual(Array.from(direct));
  });

  it('keeps a client-supplied x-request-id (up to 200 characters; a longer one is replaced)', async () => {
    const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'x-request-id': 'my-id-42' }, payload: { text: 'hello' } });
    expect(res.headers['x-request-id']).toBe('my-id-42');
    expect(res.json().request_id).toBe('my-id-42');
    const long = await app.inject({ method: 'POST', url: '/predict', headers: { 'x-request-id': 'x'.repeat(201) }, payload: { text: 'hello' } });
    expect(long.json().request_id).toMatch(/^[0-9a-f-]{36}$/);
    const a = (await app.inject({ method: 'POST', url: '/predict', payload: { text: 'hello' } })).json().request_id;
    const b = (await app.inject({ method: 'POST', url: '/predict', payload: { text: 'hello' } })).json().request_id;
    expect(a).not.toBe(b);
  });

  it('texts and instances answer predictions in order, matching single predictions', async () => {
    const texts = [REVIEW, 'Meeting moved to 3pm, see the agenda attached. Thanks, Bob', store.docs[3]!];
    const batch = (await app.inject({ method: 'POST', url: '/models/spam/predict', payload: { texts } })).json();
    expect(batch.predictions).toHaveLength(3);
    for (let i = 0; i < texts.length; i++) {
      const one = (await app.inject({ method: 'POST', url: '/predict', payload: { text: texts[i] } })).json();
      expect(batch.predictions[i]).toEqual({ label: one.label, probabilities: one.probabilities });
    }
    const inst = (await app.inject({ method: 'POST', url: '/predict', payload: { instances: [{ text: texts[0] }, texts[1]] } })).json();
    expect(inst.predictions.map((p: { label: string }) => p.label)).toEqual(batch.predictions.slice(0, 2).map((p: { label: string }) => p.label));
  });

  it('a regressor answers {prediction} per instance; a tabular classifier label + probabilities', async () => {
    const reg = await app.inject({ method: 'POST', url: '/models/housing/predict', payload: { instances: [row(0), row(1)] } });
    expect(reg.statusCode).toBe(200);
    expect(reg.headers['x-model-version']).toBe('1');
    const preds = reg.json().predictions;
    expect(preds).toHaveLength(2);
    expect(preds[0].prediction).toBeGreaterThan(10);
    expect(preds[0].prediction).toBeLessThan(50);
    const cls = await app.inject({ method: 'POST', url: '/models/housing-class/predict', payload: { instances: [row(0)] } });
    expect(cls.headers['x-model-version']).toBe('file');
    expect(cls.json().predictions[0]).toMatchObject({ label: expect.stringMatching(/^(high|low)$/) });
    expect(Object.keys(cls.json().predictions[0].probabilities).sort()).toEqual(['high', 'low']);
  });

  it('--log-requests writes one JSON line per request with method, url, status, latency, request id and model version', async () => {
    const lines: string[] = [];
    const logged = createModelApp({ models: slots, logRequests: (l) => lines.push(l) });
    await logged.inject({ method: 'POST', url: '/predict', headers: { 'x-request-id': 'log-1' }, payload: { text: 'hi' } });
    await logged.inject({ method: 'POST', url: '/predict', payload: { text: 1 } });
    await logged.close();
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    const [ok, bad] = lines.map((l) => JSON.parse(l));
    expect(ok).toMatchObject({ level: 'info', method: 'POST', url: '/predict', status: 200, request_id: 'log-1', model: 'spam', model_version: '1' });
    expect(ok.latency_ms).toBeGreaterThan(0);
    expect(bad).toMatchObject({ level: 'warn', status: 400, model: null });
  });

  it('GET /models lists every model with its version and signature', async () => {
    const { models } = (await app.inject({ method: 'GET', url: '/models' })).json();
    expect(models.map((m: { name: string; version: string }) => [m.name, m.version])).toEqual([
      ['spam', '1'],
      ['housing', '1'],
      ['housing-class', 'file'],
    ]);
    expect(models[0].inputs).toEqual([expect.objectContaining({ name: 'text', type: 'string' })]);
  });
});

describe('validation: 4xx naming the field, never a 500', () => {
  const cases: [string, string, unknown, number, string, RegExp][] = [
    ['text not a string', '/predict', { text: 42 }, 400, 'SCHEMA_MISMATCH', /text must be a string/],
    ['texts with a number', '/predict', { texts: ['a', 7] }, 400, 'SCHEMA_MISMATCH', /texts\[1\]/],
    ['unknown field', '/predict', { txt: 'a' }, 400, 'INVALID_ARGUMENT', /"txt"/],
    ['two fields', '/predict', { text: 'a', texts: ['b'] }, 400, 'INVALID_ARGUMENT', /exactly one/],
    ['empty texts', '/predict', { texts: [] }, 400, 'INVALID_ARGUMENT', /texts is empty/],
    ['too many texts', '/predict', { texts: Array(51).fill('x') }, 413, 'PAYLOAD_TOO_LARGE', /--max-batch/],
    ['text to a tabular model', '/models/housing/predict', { text: 'a' }, 400, 'INVALID_ARGUMENT', /tabular model/],
    ['missing column', '/models/housing/predict', { instances: [{ crim: 0.1 }] }, 400, 'SCHEMA_MISMATCH', /missing required field 'zn'/],
    ['wrong column type', '/models/housing/predict', { instances: [{ crim: 'high' }] }, 400, 'SCHEMA_MISMATCH', /crim must be a number/],
    ['unknown column', '/models/housing/predict', { instances: [{ colour: 'red' }] }, 400, 'SCHEMA_MISMATCH', /unknown field 'colour'/],
    ['unknown model', '/models/nope/predict', { text: 'a' }, 404, 'NOT_FOUND', /no model named 'nope'/],
  ];
  for (const [name, url, payload, status, code, message] of cases) {
    it(name, async () => {
      const res = await app.inject({ method: 'POST', url, payload: payload as object });
      expect(res.statusCode, res.body).toBe(status);
      expect(res.json()).toMatchObject({ error_code: code, message: expect.stringMatching(message) });
    });
  }

  it('bad JSON and a too-large body are 400 and 413', async () => {
    const bad = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: '{"text": ' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_code).toBe('INVALID_ARGUMENT');
    const small = createModelApp({ models: slots, bodyLimit: 1000 });
    const big = await small.inject({ method: 'POST', url: '/predict', payload: { text: 'x'.repeat(5000) } });
    expect(big.statusCode).toBe(413);
    await small.close();
  });

  it('a fuzz of 600 malformed JSON bodies on every inference route and 150 CSV bodies gets 4xx JSON, never a 5xx', async () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const atoms: unknown[] = [null, true, 0, -1, 1e308, 'x', '', [], {}, [[]], { text: null }, { __proto__: 1 }, 'NaN', [1, 'a'], { a: { b: [] } }];
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const value = (depth: number): unknown => {
      if (depth > 2 || rnd() < 0.4) return pick(atoms);
      if (rnd() < 0.5) return Array.from({ length: Math.floor(rnd() * 3) }, () => value(depth + 1));
      const keys = ['text', 'texts', 'instances', 'inputs', 'dataframe_split', 'dataframe_records', 'columns', 'data', 'name', 'shape', 'datatype', 'crim', 'id', 'outputs'];
      return Object.fromEntries(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => [pick(keys), value(depth + 1)]));
    };
    const urls = ['/predict', '/models/housing/predict', '/models/housing-class/predict', '/invocations', '/v2/models/spam/infer', '/v2/models/housing/infer', '/v2/models/housing-class/infer', '/v2/models/spam/versions/1/infer'];
    const raw = ['', '{', '[1,', 'null', '"str"', '{"inputs":[{"name":"text","shape":[1],"datatype":"BYTES","data":[1]}]}', '{"inputs":[{"name":"crim","shape":[-1],"datatype":"FP64","data":[]}]}', '{"dataframe_split":{"columns":["text"],"data":[["a","b"]]}}'];
    let fiveHundreds = 0;
    for (let k = 0; k < 600; k++) {
      const url = pick(urls);
      const payload = k < raw.length * urls.length ? raw[k % raw.length]! : JSON.stringify(value(0));
      const res = await app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload });
      if (res.statusCode >= 500) fiveHundreds++;
      if (res.statusCode >= 500) console.error(url, payload, res.body);
      expect(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `${url} ${payload} → ${res.statusCode} ${res.body}`).toBe(true);
      expect(() => res.json()).not.toThrow();
    }
    // CSV bodies for MLflow's /invocations: random cells, ragged rows, quotes, empty lines.
    const cells = ['text', 'crim', '"a,b"', '"', '""', '1', '', 'x\ny', '\r', 'é', '=1+1'];
    for (let k = 0; k < 150; k++) {
      const csv = Array.from({ length: Math.floor(rnd() * 4) }, () => Array.from({ length: Math.floor(rnd() * 3) }, () => pick(cells)).join(',')).join(pick(['\n', '\r\n']));
      const res = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: csv });
      expect(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `CSV ${JSON.stringify(csv)} → ${res.statusCode} ${res.body}`).toBe(true);
    }
    expect(fiveHundreds).toBe(0);
  });
});

describe('Open Inference Protocol V2', () => {
  it('health, server metadata, model metadata and readiness', async () => {
    expect((await app.inject({ method: 'GET', url: '/v2/health/live' })).json()).toEqual({ live: true });
    expect((await app.inject({ method: 'GET', url: '/v2/health/ready' })).json()).toEqual({ ready: true });
    const server = (await app.inject({ method: 'GET', url: '/v2' })).json();
    expect(server).toMatchObject({ name: 'mlship', extensions: [] });
    expect(typeof server.version).toBe('string');
    const meta = (await app.inject({ method: 'GET', url: '/v2/models/spam' })).json();
    expect(meta).toMatchObject({ name: 'spam', versions: ['1'], inputs: [{ name: 'text', datatype: 'BYTES', shape: [-1] }] });
    expect(meta.outputs).toEqual([
      { name: 'label', datatype: 'BYTES', shape: [-1] },
      { name: 'probabilities', datatype: 'FP64', shape: [-1, 2] },
    ]);
    expect((await app.inject({ method: 'GET', url: '/v2/models/spam/versions/1' })).statusCode).toBe(200);
    const wrong = await app.inject({ method: 'GET', url: '/v2/models/spam/versions/7' });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toEqual({ error: expect.stringContaining('version 7') });
    const housing = (await app.inject({ method: 'GET', url: '/v2/models/housing' })).json();
    expect(housing.inputs.find((t: { name: string }) => t.name === 'chas')).toEqual({ name: 'chas', datatype: 'INT64', shape: [-1] });
    expect(housing.outputs).toEqual([{ name: 'prediction', datatype: 'FP64', shape: [-1] }]);
    expect((await app.inject({ method: 'GET', url: '/v2/models/spam/ready' })).json()).toEqual({ name: 'spam', ready: true });
    expect((await app.inject({ method: 'GET', url: '/v2/models/nope/ready' })).statusCode).toBe(404);
  });

  it('infers a BYTES tensor for a text model, with id and the outputs asked for', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v2/models/spam/infer',
      payload: { id: 'req-7', inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', data: [REVIEW, 'lunch tomorrow?'] }] },
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ model_name: 'spam', model_version: '1', id: 'req-7' });
    expect(body.outputs[0]).toMatchObject({ name: 'label', shape: [2], datatype: 'BYTES' });
    expect(body.outputs[0].data[0]).toBe('spam');
    expect(body.outputs[1]).toMatchObject({ name: 'probabilities', shape: [2, 2], datatype: 'FP64' });
    expect(body.outputs[1].data).toHaveLength(4);
    const only = (await app.inject({ method: 'POST', url: '/v2/models/spam/versions/1/infer', payload: { inputs: [{ name: 'text', shape: [1, 1], datatype: 'BYTES', data: [[REVIEW]] }], outputs: [{ name: 'label' }] } })).json();
    expect(only.outputs.map((o: { name: string }) => o.name)).toEqual(['label']);
    expect(typeof only.id).toBe('string');
  });

  it('tabular: one tensor per column, or one 2-D FP64 tensor in signature order, give the same predictions', async () => {
    const cols = store.X.columns.map((c) => c.name);
    const rows = [row(0), row(5), row(9)];
    const perColumn = cols.map((name) => {
      const kind = store.X.column(name).kind;
      return { name, shape: [3], datatype: kind === 'integer' ? 'INT64' : 'FP64', data: rows.map((r) => r[name]) };
    });
    const a = (await app.inject({ method: 'POST', url: '/v2/models/housing/infer', payload: { inputs: perColumn } })).json();
    const matrix = { name: 'input-0', shape: [3, cols.length], datatype: 'FP32', data: rows.map((r) => cols.map((c) => r[c])) };
    const b = (await app.inject({ method: 'POST', url: '/v2/models/housing/infer', payload: { inputs: [matrix] } })).json();
    const plain = (await app.inject({ method: 'POST', url: '/models/housing/predict', payload: { instances: rows } })).json();
    expect(a.outputs[0]).toMatchObject({ name: 'prediction', shape: [3], datatype: 'FP64' });
    expect(a.outputs[0].data).toEqual(plain.predictions.map((p: { prediction: number }) => p.prediction));
    expect(b.outputs[0].data).toEqual(a.outputs[0].data);
    const cls = (await app.inject({ method: 'POST', url: '/v2/models/housing-class/infer', payload: { inputs: [matrix] } })).json();
    expect(cls.outputs.map((o: { name: string }) => o.name)).toEqual(['label', 'probabilities']);
  });

  it('errors are {error} with 400 naming the tensor, 404 for an unknown model', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      ['/v2/models/spam/infer', { inputs: [{ name: 'text', shape: [1], datatype: 'FP64', data: [1] }] }, 400, /datatype must be BYTES/],
      ['/v2/models/spam/infer', { inputs: [{ name: 'text', shape: [2], datatype: 'BYTES', data: ['a'] }] }, 400, /inputs\[0\]\.data has 1 elements but shape \[2\] needs 2/],
      ['/v2/models/spam/infer', { inputs: [{ name: 'text', shape: [1], datatype: 'BYTES', data: ['a'] }], outputs: [{ name: 'score' }] }, 400, /outputs\[0\]\.name 'score'/],
      ['/v2/models/housing/infer', { inputs: [{ name: 'crim', shape: [1], datatype: 'FP64', data: [0.1] }] }, 400, /missing input tensor 'zn'/],
      ['/v2/models/housing/infer', { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP64', data: [1, 2, 3] }] }, 400, /shape must be \[n, 13\]/],
      ['/v2/models/housing/infer', { inputs: [{ name: 'crim', shape: [1], datatype: 'BYTES', data: ['a'] }] }, 400, /datatype BYTES does not fit input 'crim'/],
      ['/v2/models/spam/infer', { inputs: [{ name: 'text', shape: [51], datatype: 'BYTES', data: Array(51).fill('a') }] }, 413, /--max-batch/],
      ['/v2/models/nope/infer', { inputs: [] }, 404, /no model named 'nope'/],
    ];
    for (const [url, payload, status, message] of cases) {
      const res = await app.inject({ method: 'POST', url, payload: payload as object });
      expect(res.statusCode, `${url} ${JSON.stringify(payload).slice(0, 80)}: ${res.body}`).toBe(status);
      expect(res.json()).toEqual({ error: expect.stringMatching(message) });
    }
  });
});

describe('MLflow scoring server', () => {
  it('dataframe_split, dataframe_records, instances and inputs answer {predictions}', async () => {
    const texts = [REVIEW, 'see you at the standup'];
    const expected = (await app.inject({ method: 'POST', url: '/predict', payload: { texts } })).json().predictions.map((p: { label: string }) => p.label);
    const bodies = [
      { dataframe_split: { columns: ['text'], data: texts.map((t) => [t]) } },
      { dataframe_split: { index: [0, 1], columns: ['text'], data: texts.map((t) => [t]) } },
      { dataframe_records: texts.map((text) => ({ text })) },
      { instances: texts },
      { instances: texts.map((text) => ({ text })) },
      { inputs: texts },
      { inputs: { text: texts } },
      { inputs: texts, params: {} },
    ];
    for (const payload of bodies) {
      const res = await app.inject({ method: 'POST', url: '/invocations', payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80) + res.body).toBe(200);
      expect(res.json()).toEqual({ predictions: expected });
      expect(res.headers['x-model-version']).toBe('1');
    }
    const bad = await app.inject({ method: 'POST', url: '/invocations', payload: { dataframe_split: { columns: ['text'], data: [['a', 'b']] } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/dataframe_split\.data\[0\]/);
    expect((await app.inject({ method: 'POST', url: '/invocations', payload: { records: [] } })).json().message).toMatch(/dataframe_split/);
  });

  it('takes a CSV body (text/csv) as MLflow does, typed by the signature', async () => {
    const expected = (await app.inject({ method: 'POST', url: '/predict', payload: { texts: [REVIEW, '12345'] } })).json().predictions.map((p: { label: string }) => p.label);
    const csv = `text\n"${REVIEW.replace(/"/g, '""')}"\n12345\n`;
    const res = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: csv });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ predictions: expected });
    const bad = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: 'body\nhello\n' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/unknown field 'body'/);
  });

  it('/ping and /health answer 200 when ready', async () => {
    expect((await app.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });
});

describe('docs and metrics', () => {
  it('/openapi.json describes the plain API from the signatures; /docs is a page without external resources', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/predict'].post.requestBody).toBeDefined();
    expect(doc.components.schemas.housing_request.properties.instances.items.required).toContain('crim');
    const html = (await app.inject({ method: 'GET', url: '/docs' })).body;
    expect(html).toContain('<h1>mlship model server</h1>');
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('/metrics is valid Prometheus text with requests, latency, version info and class counts', async () => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const series = parsePrometheus(text);
    expect(series.get('mlship_http_requests_total{route="/predict",method="POST",status="200"}')).toBeGreaterThan(3);
    expect(series.get('mlship_model_version_info{model="spam",version="1"}')).toBe(1);
    expect(series.get('mlship_model_ready{model="housing"}')).toBe(1);
    expect(series.get('mlship_predictions_total{model="spam",version="1",label="spam"}')).toBeGreaterThan(0);
    expect(series.get('mlship_http_errors_total{route="/predict",code="SCHEMA_MISMATCH"}')).toBeGreaterThan(0);
    const count = series.get('mlship_http_request_duration_seconds_count{route="/predict"}')!;
    expect(series.get('mlship_http_request_duration_seconds_bucket{route="/predict",le="+Inf"}')).toBe(count);
  });
});

describe('readiness and hot swap', () => {
  it('is not ready (503) until the alias exists, then loads it at the next poll', async () => {
    const slot = new ModelSlot({ uri: 'models:/spam@staging', client: store.client, pollIntervalMs: 30, onLoadError: () => undefined });
    await slot.start({ required: false });
    const local = createModelApp({ models: [slot] });
    try {
      expect((await local.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(503);
      expect((await local.inject({ method: 'GET', url: '/ping' })).statusCode).toBe(503);
      const res = await local.inject({ method: 'POST', url: '/predict', payload: { text: 'hi' } });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ error_code: 'UNAVAILABLE', message: expect.stringContaining("model 'spam' is not ready") });
      await store.client.registry.setAlias('spam', 'staging', 2);
      for (let i = 0; i < 100 && !slot.ready; i++) await new Promise((r) => setTimeout(r, 20));
      expect((await local.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode).toBe(200);
      expect((await local.inject({ method: 'POST', url: '/predict', payload: { text: 'hi' } })).headers['x-model-version']).toBe('2');
    } finally {
      slot.close();
      await local.close();
      await store.client.registry.deleteAlias?.('spam', 'staging').catch(() => undefined);
    }
  });

  it('a failed load keeps serving the old version and is counted', async () => {
    const errors: unknown[] = [];
    const slot = new ModelSlot({ uri: 'models:/housing@champion', client: store.client, pollIntervalMs: 20, onLoadError: (e) => errors.push(e) });
    await store.client.registry.setAlias('housing', 'champion', 1);
    await slot.start();
    const metrics = new MetricsRegistry();
    const local = createModelApp({ models: [slot], metrics });
    try {
      // A version whose package is not a model: registered from a corrupt file.
      const { writeFileSync } = await import('node:fs');
      const broken = `${store.dir}/broken.mlship`;
      writeFileSync(broken, 'not a model package');
      const v = await store.client.registerModel(broken, 'housing');
      await store.client.registry.setAlias('housing', 'champion', v.version);
      for (let i = 0; i < 100 && errors.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(errors.length).toBeGreaterThan(0);
      const failures = slot.failures;
      for (let i = 0; i < 100 && slot.failures < failures + 3; i++) await new Promise((r) => setTimeout(r, 20));
      expect(errors).toHaveLength(1); // the same failure at every poll is reported once, and counted each time
      expect(slot.failures).toBeGreaterThanOrEqual(failures + 3);
      const res = await local.inject({ method: 'POST', url: '/predict', payload: { instances: [row(0)] } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['x-model-version']).toBe('1');
      const series = parsePrometheus((await local.inject({ method: 'GET', url: '/metrics' })).body);
      expect(series.get('mlship_model_load_failures_total{model="housing"}')).toBeGreaterThan(0);
    } finally {
      slot.close();
      await local.close();
    }
  });

  it('moving the alias swaps versions while concurrent requests never fail and each names one version', async () => {
    const server = await startModelServer({ models: ['models:/spam@champion'], port: 0, trackingUri: store.trackingUri, pollIntervalMs: 30, logPredictions: false, onEvent: () => undefined });
    try {
      const seen = new Map<string, number>();
      let failures = 0;
      let stop = false;
      const client = async (): Promise<void> => {
        while (!stop) {
          const res = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: REVIEW }) });
          const body = (await res.json()) as { model_version: string };
          if (res.status !== 200 || body.model_version !== res.headers.get('x-model-version')) failures++;
          seen.set(body.model_version, (seen.get(body.model_version) ?? 0) + 1);
        }
      };
      const clients = Array.from({ length: 8 }, client);
      const order: number[] = [];
      for (const v of [2, 1, 2]) {
        await new Promise((r) => setTimeout(r, 150));
        await store.client.registry.setAlias('spam', 'champion', v);
        order.push(v);
        for (let i = 0; i < 200 && server.slots[0]!.current!.version !== String(v); i++) await new Promise((r) => setTimeout(r, 10));
        expect(server.slots[0]!.current!.version).toBe(String(v));
      }
      await new Promise((r) => setTimeout(r, 150));
      stop = true;
      await Promise.all(clients);
      expect(failures).toBe(0);
      expect([...seen.keys()].sort()).toEqual(['1', '2']);
      expect(seen.get('1')).toBeGreaterThan(0);
      expect(seen.get('2')).toBeGreaterThan(0);
      const series = parsePrometheus(await (await fetch(`${server.url}/metrics`)).text());
      expect(series.get('mlship_model_loads_total{model="spam"}')).toBe(4); // the first load, then 3 switches
      expect(series.get('mlship_model_version_info{model="spam",version="2"}')).toBe(1);
      expect(series.has('mlship_model_version_info{model="spam",version="1"}')).toBe(false);
    } finally {
      await server.close();
      await store.client.registry.setAlias('spam', 'champion', 1);
    }
  });
});

describe('prediction log and feedback', () => {
  it('logs every request after its response (one item per text), takes labels on /feedback, and flushes on close', async () => {
    const server = await startModelServer({ models: ['models:/spam@champion', `housing=${store.lrFile}`], port: 0, trackingUri: store.trackingUri, logPredictions: true, onEvent: () => undefined });
    const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    let closed = false;
    try {
      const one = await post('/predict', { text: REVIEW }, { 'x-request-id': 'log-test-1' });
      expect(one.status).toBe(200);
      const batch = await post('/predict', { texts: ['a', 'b', 'c'] });
      const batchId = batch.headers.get('x-request-id')!;
      const reg = await post('/models/housing/predict', { instances: [row(2)] });
      const regBody = (await reg.json()) as { request_id: string; predictions: { prediction: number }[] };
      const fb = await post('/feedback', { request_id: 'log-test-1', label: 'spam' });
      expect(fb.status, await fb.clone().text()).toBe(200);
      expect(await fb.json()).toMatchObject({ matched: 1, missing: [] });
      const missing = await post('/feedback', { labels: [{ request_id: 'no-such-request', label: 'ham' }] });
      expect(await missing.json()).toMatchObject({ matched: 0, missing: ['no-such-request'] });
      const invalid = await post('/feedback', { labels: 'spam' });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toMatchObject({ error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('labels') });
      await server.close();
      closed = true;
      expect(server.predictionLog!.stats).toMatchObject({ queued: 0, dropped: 0, failed: 0 });
      const { openPredictionStore } = await import('../../tracking/index.js');
      const preds = await openPredictionStore(store.trackingUri);
      try {
        const first = (await preds.searchPredictions({ requestId: 'log-test-1' })).items;
        expect(first).toHaveLength(1);
        expect(first[0]).toMatchObject({ modelName: 'spam', modelVersion: '1', modelUri: 'models:/spam@champion', inputs: { text: REVIEW }, outputs: { label: 'spam' }, label: 'spam' });
        expect(first[0]!.latencyMs).toBeGreaterThan(0);
        const items = (await preds.searchPredictions({ requestId: batchId })).items;
        expect(items.map((p) => [p.index, (p.inputs as { text: string }).text])).toEqual([[0, 'a'], [1, 'b'], [2, 'c']]);
        const housing = (await preds.searchPredictions({ requestId: regBody.request_id })).items;
        expect(housing[0]).toMatchObject({ modelName: 'housing', modelVersion: null, outputs: { prediction: regBody.predictions[0]!.prediction } });
      } finally {
        await preds.close();
      }
    } finally {
      if (!closed) await server.close();
    }
  });
});

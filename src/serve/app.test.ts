// The /api/v1 tracking and artifact routes, the OpenAPI document and the error handling, called
// in process with t.app.inject over a real client (SQLite file and artifact folders in a temp dir).
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { openApiPath } from './openapi.js';
import { openTestApp, readAllPages, withQuery, type TestApp } from './testing.js';

let t: TestApp;
const internalErrors: unknown[] = [];
const registered: { method: string; url: string }[] = [];

beforeAll(async () => {
  t = await openTestApp('app', {
    onInternalError: (err) => internalErrors.push(err),
    configure: (app) => {
      // Fastify's own list of routes, to check the OpenAPI document against.
      app.addHook('onRoute', (r) => {
        for (const method of [r.method].flat()) if (method !== 'HEAD') registered.push({ method, url: r.url });
      });
      app.get('/test/boom', async () => {
        throw new TypeError('secret detail /srv/x.js');
      });
    },
  });
});
afterAll(() => t?.close());

const call: TestApp['call'] = (method, url, payload) => t.call(method, url, payload);
const names = (res: { body: { experiments: { name: string }[] } }): string[] => res.body.experiments.map((e) => e.name);

describe('experiments', () => {
  it('create, get, get by name, list with paging, rename, tag, delete, restore', async () => {
    const created = await call('POST', '/api/v1/experiments', { name: 'housing', tags: { team: 'pricing' } });
    expect(created.status).toBe(201);
    const id = created.body.experimentId as string;
    expect(created.body.experiment).toMatchObject({ experimentId: id, name: 'housing', lifecycleStage: 'active', tags: { team: 'pricing' } });

    expect((await call('GET', `/api/v1/experiments/${id}`)).body.experiment.name).toBe('housing');
    expect((await call('GET', '/api/v1/experiments/by-name/housing')).body.experiment.experimentId).toBe(id);
    const dup = await call('POST', '/api/v1/experiments', { name: 'housing' });
    expect(dup).toMatchObject({ status: 409, body: { error_code: 'ALREADY_EXISTS' } });

    for (const name of ['a', 'b', 'c']) expect((await call('POST', '/api/v1/experiments', { name: `page-${name}` })).status).toBe(201);
    const listed = await readAllPages(async (pageToken) => {
      const page = await call('GET', withQuery('/api/v1/experiments', { maxResults: 2, pageToken }));
      expect(page.status).toBe(200);
      expect(page.body.experiments.length).toBeLessThanOrEqual(2);
      return { items: names(page), nextPageToken: page.body.nextPageToken };
    });
    expect(listed.items).toEqual(['Default', 'housing', 'page-a', 'page-b', 'page-c']);

    expect((await call('PATCH', `/api/v1/experiments/${id}`, { name: 'housing-v2' })).body.experiment.name).toBe('housing-v2');
    expect((await call('POST', `/api/v1/experiments/${id}/tags`, { key: 'owner', value: 'ana' })).status).toBe(200);
    expect((await call('GET', `/api/v1/experiments/${id}`)).body.experiment.tags).toEqual({ team: 'pricing', owner: 'ana' });

    expect((await call('DELETE', `/api/v1/experiments/${id}`)).status).toBe(200);
    expect((await call('GET', `/api/v1/experiments/${id}`)).body.experiment.lifecycleStage).toBe('deleted');
    expect((await call('GET', '/api/v1/experiments?viewType=DELETED_ONLY')).body.experiments.map((e: { name: string }) => e.name)).toEqual(['housing-v2']);
    expect((await call('POST', `/api/v1/experiments/${id}/restore`)).status).toBe(200);
    expect((await call('GET', `/api/v1/experiments/${id}`)).body.experiment.lifecycleStage).toBe('active');
  });

  it('purges a deleted experiment with its artifacts, after which the name can be reused', async () => {
    const id = (await call('POST', '/api/v1/experiments', { name: 'to-purge' })).body.experimentId as string;
    const run = (await call('POST', '/api/v1/runs', { experimentId: id })).body.run;
    expect((await t.app.inject({ method: 'PUT', url: `/api/v1/runs/${run.info.runId}/artifacts/notes.txt`, payload: 'x', headers: { 'content-type': 'text/plain' } })).statusCode).toBe(201);
    expect(existsSync(join(run.info.artifactUri, 'notes.txt'))).toBe(true);

    const active = await call('POST', `/api/v1/experiments/${id}/purge`);
    expect(active).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT' } });
    await call('DELETE', `/api/v1/experiments/${id}`);
    const purged = await call('POST', `/api/v1/experiments/${id}/purge`);
    expect(purged.status).toBe(200);
    expect(purged.body.removedArtifactLocations.length).toBeGreaterThan(0);
    expect(existsSync(join(run.info.artifactUri, 'notes.txt'))).toBe(false);
    expect((await call('GET', `/api/v1/experiments/${id}`)).status).toBe(404);
    expect((await call('POST', '/api/v1/experiments', { name: 'to-purge' })).status).toBe(201);
  });

  it('answers NOT_FOUND for an unknown name or id', async () => {
    expect(await call('GET', '/api/v1/experiments/by-name/nope')).toMatchObject({ status: 404, body: { error_code: 'NOT_FOUND' } });
    expect(await call('GET', '/api/v1/experiments/9999')).toMatchObject({ status: 404, body: { error_code: 'NOT_FOUND' } });
  });

  it('searches with a filter (OR, parentheses) and orderBy, paging through the filtered list', async () => {
    const teams: Record<string, string> = { 'find-a': 'nlp', 'find-b': 'cv', 'find-c': 'nlp', 'find-d': 'ops', 'other-e': 'nlp' };
    for (const [name, team] of Object.entries(teams)) expect((await call('POST', '/api/v1/experiments', { name, tags: { team } })).status).toBe(201);
    const search = (params: Parameters<typeof withQuery>[1]): string => withQuery('/api/v1/experiments', params);
    const filter = "name LIKE 'find-%' AND (tags.team = 'nlp' OR tags.team = 'ops')";

    const { items, pages } = await readAllPages(async (pageToken) => {
      const page = await call('GET', search({ filter, orderBy: 'name DESC', maxResults: 2, pageToken }));
      expect(page.status).toBe(200);
      return { items: names(page), nextPageToken: page.body.nextPageToken };
    });
    expect(items).toEqual(['find-d', 'find-c', 'find-a']);
    expect(pages).toBe(2);

    // Without the parentheses AND binds first: (name LIKE 'find-%' AND nlp) OR ops.
    expect(names(await call('GET', search({ filter: "name LIKE 'find-%' AND tags.team = 'nlp' OR tags.team = 'ops'", orderBy: 'name' })))).toEqual(['find-a', 'find-c', 'find-d']);
    expect(names(await call('GET', search({ filter: "tags.team IN ('nlp', 'cv') AND name != 'find-c'", orderBy: ['name'] })))).toEqual(['find-a', 'find-b', 'other-e']);
    // Several sort keys (repeated orderBy); experiment ids sort as numbers.
    expect(names(await call('GET', search({ filter: "name LIKE 'find-%' OR name = 'other-e'", orderBy: ['attributes.experiment_id DESC', 'name'] })))).toEqual(['other-e', 'find-d', 'find-c', 'find-b', 'find-a']);
  });

  it('answers a bad search with 400 INVALID_ARGUMENT naming the position and the valid keys', async () => {
    const bad = await call('GET', `/api/v1/experiments?filter=${encodeURIComponent("team = 'nlp'")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error_code).toBe('INVALID_ARGUMENT');
    expect(bad.body.message).toContain('column 1');
    expect(bad.body.message).toContain("unknown key 'team'");
    expect(bad.body.message).toContain('name, attributes.name, attributes.experiment_id, attributes.creation_time, attributes.last_update_time, tags.<key>');
    const unclosed = await call('GET', `/api/v1/experiments?filter=${encodeURIComponent("(name = 'a' OR name = 'b'")}`);
    expect(unclosed).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT' } });
    const badOrder = await call('GET', `/api/v1/experiments?orderBy=${encodeURIComponent('tags.team DESC')}`);
    expect(badOrder).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('name, experiment_id, creation_time, last_update_time') } });
  });
});

describe('runs', () => {
  it('create (in an experiment by name), log, get, update, end, delete, restore', async () => {
    const created = await call('POST', '/api/v1/runs', { experimentName: 'runs-exp', runName: 'baseline', tags: { stage: 'dev' }, sourceCommit: 'abc123', sourceDirty: false });
    expect(created.status).toBe(201);
    const run = created.body.run;
    expect(run.info).toMatchObject({ runName: 'baseline', status: 'RUNNING', sourceCommit: 'abc123', sourceDirty: false, endTime: null });
    const runId = run.info.runId as string;
    const exp = (await call('GET', '/api/v1/experiments/by-name/runs-exp')).body.experiment;
    expect(run.info.experimentId).toBe(exp.experimentId);

    expect((await call('POST', `/api/v1/runs/${runId}/params`, { key: 'alpha', value: 0.5 })).status).toBe(200);
    expect((await call('POST', `/api/v1/runs/${runId}/tags`, { key: 'team', value: 'pricing' })).status).toBe(200);
    expect((await call('POST', `/api/v1/runs/${runId}/metrics`, { key: 'rmse', value: 3.5, step: 0 })).status).toBe(200);
    expect((await call('POST', `/api/v1/runs/${runId}/metrics`, { key: 'rmse', value: 'NaN', step: 1 })).status).toBe(200);
    expect((await call('POST', `/api/v1/runs/${runId}/metrics`, { key: 'rmse', value: '-Infinity', step: 2 })).status).toBe(200);
    expect((await call('POST', `/api/v1/runs/${runId}/metrics`, { key: 'rmse', value: 'fast', step: 3 })).body).toMatchObject({ error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('body.value') });

    const got = (await call('GET', `/api/v1/runs/${runId}`)).body.run;
    expect(got.data.params).toEqual({ alpha: '0.5' });
    expect(got.data.tags).toMatchObject({ team: 'pricing', stage: 'dev' });
    expect(got.data.metrics.rmse).toMatchObject({ value: '-Infinity', step: 2 });
    const history = (await call('GET', `/api/v1/runs/${runId}/metrics/history?key=rmse`)).body.metrics;
    expect(history.map((m: { value: unknown }) => m.value)).toEqual([3.5, 'NaN', '-Infinity']);

    // Params are immutable: another value is INVALID_ARGUMENT.
    expect(await call('POST', `/api/v1/runs/${runId}/params`, { key: 'alpha', value: '0.7' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT' } });

    expect((await call('PATCH', `/api/v1/runs/${runId}`, { runName: 'renamed' })).body.runInfo.runName).toBe('renamed');
    const ended = await call('POST', `/api/v1/runs/${runId}/end`, { status: 'KILLED' });
    expect(ended.body.runInfo).toMatchObject({ status: 'KILLED' });
    expect(ended.body.runInfo.endTime).toBeGreaterThan(0);
    expect((await call('DELETE', `/api/v1/runs/${runId}`)).status).toBe(200);
    expect((await call('GET', `/api/v1/runs/${runId}`)).body.run.info.lifecycleStage).toBe('deleted');
    expect((await call('POST', `/api/v1/runs/${runId}/restore`)).status).toBe(200);
    expect((await call('GET', `/api/v1/runs/${runId}`)).body.run.info.lifecycleStage).toBe('active');
  });

  it('ends a run FINISHED when no body is sent', async () => {
    const runId = (await call('POST', '/api/v1/runs', {})).body.run.info.runId;
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/runs/${runId}/end` });
    expect(res.statusCode).toBe(200);
    expect(res.json().runInfo.status).toBe('FINISHED');
  });

  it('logs a batch atomically: one bad param and nothing is logged', async () => {
    const runId = (await call('POST', '/api/v1/runs', {})).body.run.info.runId;
    await call('POST', `/api/v1/runs/${runId}/params`, { key: 'model', value: 'rf' });
    const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: `m${i % 10}`, value: i, step: Math.floor(i / 10) }));
    const bad = await call('POST', `/api/v1/runs/${runId}/log-batch`, { metrics, params: [{ key: 'model', value: 'svm' }] });
    expect(bad).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT' } });
    expect((await call('GET', `/api/v1/runs/${runId}`)).body.run.data.metrics).toEqual({});

    const good = await call('POST', `/api/v1/runs/${runId}/log-batch`, { metrics, params: [{ key: 'depth', value: 3 }], tags: [{ key: 't', value: 'v' }] });
    expect(good.status).toBe(200);
    const run = (await call('GET', `/api/v1/runs/${runId}`)).body.run;
    expect(Object.keys(run.data.metrics)).toHaveLength(10);
    expect(run.data.params).toEqual({ model: 'rf', depth: '3' });
    expect((await call('GET', `/api/v1/runs/${runId}/metrics/history?key=m3`)).body.metrics).toHaveLength(100);
  });

  it('records dataset inputs', async () => {
    const runId = (await call('POST', '/api/v1/runs', {})).body.run.info.runId;
    const inputs = [{ name: 'train.csv', digest: 'sha256:ab12', source: '/data/train.csv', schema: [{ name: 'x', kind: 'number' }], rowCount: 506, context: 'training' }];
    expect((await call('POST', `/api/v1/runs/${runId}/inputs`, { inputs })).status).toBe(200);
    expect((await call('GET', `/api/v1/runs/${runId}`)).body.run.inputs).toEqual(inputs);
    expect(await call('POST', `/api/v1/runs/${runId}/inputs`, { inputs: [{ name: 'x' }] })).toMatchObject({ status: 400, body: { message: 'body.inputs[0].digest is required' } });
  });

  it('searches with a filter, an order and page tokens', async () => {
    const expId = (await call('POST', '/api/v1/experiments', { name: 'search-exp' })).body.experimentId;
    for (let i = 0; i < 7; i++) {
      const runId = (await call('POST', '/api/v1/runs', { experimentId: expId, runName: `r${i}` })).body.run.info.runId;
      await call('POST', `/api/v1/runs/${runId}/log-batch`, { metrics: [{ key: 'rmse', value: 10 - i }], params: [{ key: 'model', value: i % 2 ? 'rf' : 'lr' }] });
    }
    const found = await readAllPages(async (pageToken) => {
      const page = await call('POST', '/api/v1/runs/search', { experimentIds: [expId], filter: "params.model = 'rf' OR metrics.rmse > 9.5", orderBy: ['metrics.rmse ASC'], maxResults: 2, pageToken });
      expect(page.status).toBe(200);
      return { items: page.body.runs.map((r: { info: { runName: string } }) => r.info.runName), nextPageToken: page.body.nextPageToken };
    });
    expect(found.items).toEqual(['r5', 'r3', 'r1', 'r0']);
    const bad = await call('POST', '/api/v1/runs/search', { experimentIds: [expId], filter: "params.model = 'rf' AND" });
    expect(bad).toMatchObject({ status: 400 });
    expect(bad.body.error_code).toMatch(/INVALID_ARGUMENT|PARSE_ERROR/);
  });
});

describe('request validation', () => {
  it('rejects bad input with INVALID_ARGUMENT naming the field', async () => {
    expect((await call('POST', '/api/v1/experiments', {})).body).toEqual({ error_code: 'INVALID_ARGUMENT', message: 'body.name is required' });
    expect((await call('POST', '/api/v1/experiments', { name: { first: 'x' } })).body.message).toMatch(/^body\.name must be string/);
    expect((await call('POST', '/api/v1/experiments', { name: '' })).body.message).toBe('body.name must NOT have fewer than 1 characters');
    expect((await call('POST', '/api/v1/experiments', { name: 'x', nmae: 'typo' })).body.message).toContain('body.nmae is not a known field');
    expect((await call('GET', '/api/v1/experiments?maxResults=0')).body).toEqual({ error_code: 'INVALID_ARGUMENT', message: 'querystring.maxResults must be >= 1' });
    expect((await call('PATCH', '/api/v1/runs/x', { status: 'DONE' })).body.message).toMatch(/^body\.status must be one of "RUNNING"/);
    const badJson = await t.app.inject({ method: 'POST', url: '/api/v1/experiments', payload: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error_code).toBe('INVALID_ARGUMENT');
  });

  it('answers unknown routes with NOT_FOUND in JSON', async () => {
    expect(await call('GET', '/api/v1/nope')).toMatchObject({ status: 404, body: { error_code: 'NOT_FOUND' } });
  });

  it('hides internal errors: a generic 500, the error reported server-side', async () => {
    const res = await call('GET', '/test/boom');
    expect(res.status).toBe(500);
    expect(res.body.error_code).toBe('INTERNAL');
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(internalErrors.some((e) => e instanceof TypeError && e.message.includes('secret'))).toBe(true);
  });
});

describe('artifacts', () => {
  it('uploads, lists and downloads files under a run', async () => {
    const runId = (await call('POST', '/api/v1/runs', {})).body.run.info.runId;
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const up = await t.app.inject({ method: 'PUT', url: `/api/v1/runs/${runId}/artifacts/model/model.mlship`, payload: bytes, headers: { 'content-type': 'application/octet-stream' } });
    expect(up.statusCode).toBe(201);
    expect(up.json()).toEqual({ path: 'model/model.mlship' });
    await t.app.inject({ method: 'PUT', url: `/api/v1/runs/${runId}/artifacts/report%20one.json`, payload: '{"ok":true}', headers: { 'content-type': 'application/json' } });

    const root = (await call('GET', `/api/v1/runs/${runId}/artifacts`)).body;
    expect(root.files).toEqual([
      { path: 'model', isDir: true, size: null },
      { path: 'report one.json', isDir: false, size: 11 },
    ]);
    expect((await call('GET', `/api/v1/runs/${runId}/artifacts?path=model`)).body.files).toEqual([{ path: 'model/model.mlship', isDir: false, size: 70_000 }]);
    const down = await t.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/artifacts/model/model.mlship` });
    expect(down.statusCode).toBe(200);
    expect(down.headers['content-type']).toBe('application/octet-stream');
    expect(Buffer.compare(down.rawPayload, bytes)).toBe(0);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/artifacts/report%20one.json` })).body).toBe('{"ok":true}');
  });

  it('refuses uploads over the size limit and leaves nothing behind', async () => {
    const small = createApp({ client: t.client, maxUploadBytes: 1000 });
    try {
      const run = (await call('POST', '/api/v1/runs', {})).body.run;
      const res = await small.inject({ method: 'PUT', url: `/api/v1/runs/${run.info.runId}/artifacts/big.bin`, payload: Buffer.alloc(5000), headers: { 'content-type': 'application/octet-stream' } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('1000 bytes') });
      expect(existsSync(join(run.info.artifactUri, 'big.bin'))).toBe(false);
      const ok = await small.inject({ method: 'PUT', url: `/api/v1/runs/${run.info.runId}/artifacts/small.bin`, payload: Buffer.alloc(500), headers: { 'content-type': 'application/octet-stream' } });
      expect(ok.statusCode).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('refuses paths that escape the run folder and unknown runs or files', async () => {
    const run = (await call('POST', '/api/v1/runs', {})).body.run;
    const runId = run.info.runId as string;
    const bad = await t.app.inject({ method: 'PUT', url: `/api/v1/runs/${runId}/artifacts/a%5C..%5C..%5Cx.txt`, payload: 'x', headers: { 'content-type': 'text/plain' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error_code).toBe('INVALID_ARGUMENT');
    // A symlink inside the artifact folder pointing outside it is refused by the store.
    const outside = join(t.dir, 'outside');
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    mkdirSync(run.info.artifactUri, { recursive: true });
    symlinkSync(outside, join(run.info.artifactUri, 'link'));
    const escaped = await t.app.inject({ method: 'GET', url: `/api/v1/runs/${runId}/artifacts/link/secret.txt` });
    expect(escaped.statusCode).toBeGreaterThanOrEqual(400);
    expect(escaped.statusCode).toBeLessThan(500);
    expect(escaped.body).not.toContain('"secret"');
    expect(escaped.json().error_code).toMatch(/PERMISSION_DENIED|INVALID_ARGUMENT/);

    expect((await call('GET', `/api/v1/runs/${runId}/artifacts/missing.txt`)).body.error_code).toBe('NOT_FOUND');
    expect((await call('GET', '/api/v1/runs/no-such-run/artifacts')).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('describes every registered route, generated from the route schemas', async () => {
    const res = await call('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe('3.1.0');
    const missing = registered.filter((r) => !r.url.startsWith('/test/') && !doc.paths[openApiPath(r.url)]?.[r.method.toLowerCase()]);
    expect(missing).toEqual([]);
    expect(registered.length).toBeGreaterThan(60);
    // Schemas come from the routes: the create-run body lists its fields, paths name their parameters.
    const createRun = doc.paths['/api/v1/runs'].post;
    expect(Object.keys(createRun.requestBody.content['application/json'].schema.properties)).toContain('experimentName');
    const logMetric = doc.paths['/api/v1/runs/{runId}/metrics'].post;
    expect(logMetric.parameters).toEqual([expect.objectContaining({ name: 'runId', in: 'path', required: true })]);
    expect(logMetric.responses.default.content['application/json'].schema.required).toEqual(['error_code', 'message']);
    const download = doc.paths['/api/v1/runs/{runId}/artifacts/{path}'].get;
    expect(download.parameters.map((p: { name: string }) => p.name)).toEqual(['runId', 'path']);
    // The search routes document filter and orderBy with the keys of their kind.
    const searches: [string, string][] = [
      ['/api/v1/experiments', 'attributes.last_update_time'],
      ['/api/v1/registered-models', 'attributes.last_updated_time'],
      ['/api/v1/model-versions', 'run_id, source'],
      ['/api/v1/registered-models/{name}/versions', 'run_id, source'],
    ];
    for (const [path, key] of searches) {
      const params: { name: string; in: string; description?: string; schema: unknown }[] = doc.paths[path].get.parameters;
      expect(params.find((p) => p.name === 'filter')).toMatchObject({ in: 'query', description: expect.stringContaining(key), schema: { type: 'string' } });
      expect(params.find((p) => p.name === 'orderBy')).toMatchObject({ in: 'query', schema: { type: 'array', items: { type: 'string' } } });
    }
    expect(Object.keys(doc.paths['/api/v1/runs/search'].post.requestBody.content['application/json'].schema.properties)).toEqual(expect.arrayContaining(['filter', 'orderBy']));
  });
});

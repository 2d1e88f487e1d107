// The /api/v1 registry routes (models, versions, aliases, promotion gate, rollback, lineage, model
// URIs), in process with app.inject over a real client in a temp folder.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, readAllPages, withQuery, type TestApp } from './testing.js';

let t: TestApp;
beforeAll(async () => {
  t = await openTestApp('registry');
});
afterAll(() => t?.close());

const call: TestApp['call'] = (method, url, payload) => t.call(method, url, payload);

/** A run with an rmse metric and a (fake) model package uploaded at model/model.mlship. */
async function trainedRun(rmse: number, content: string): Promise<string> {
  const runId = (await call('POST', '/api/v1/runs', { experimentName: 'registry-exp', sourceCommit: 'c0ffee', sourceDirty: true })).body.run.info.runId as string;
  expect((await call('POST', `/api/v1/runs/${runId}/log-batch`, { metrics: [{ key: 'rmse', value: rmse }], params: [{ key: 'model', value: 'hgb' }] })).status).toBe(200);
  const up = await t.app.inject({ method: 'PUT', url: `/api/v1/runs/${runId}/artifacts/model/model.mlship`, payload: content, headers: { 'content-type': 'application/octet-stream' } });
  expect(up.statusCode).toBe(201);
  return runId;
}

describe('registry API', () => {
  let runA = '';
  let runB = '';

  it('registers versions from run artifacts (copied into the registry) and from sources in place', async () => {
    runA = await trainedRun(3.0, 'model-A');
    runB = await trainedRun(2.5, 'model-B');
    const created = await call('POST', '/api/v1/registered-models', { name: 'housing', description: 'house prices', tags: { team: 'pricing' } });
    expect(created.status).toBe(201);
    expect(created.body.registeredModel).toMatchObject({ name: 'housing', description: 'house prices', latestVersion: null, aliases: {} });
    expect(await call('POST', '/api/v1/registered-models', { name: 'housing' })).toMatchObject({ status: 409, body: { error_code: 'ALREADY_EXISTS' } });

    const v1 = await call('POST', '/api/v1/registered-models/housing/versions', { modelUri: `runs:/${runA}/model`, description: 'first' });
    expect(v1.status).toBe(201);
    expect(v1.body.modelVersion).toMatchObject({ name: 'housing', version: 1, runId: runA, description: 'first', status: 'READY', aliases: [] });
    expect(v1.body.modelVersion.source.startsWith(join(t.dir, 'artifacts', 'registry'))).toBe(true);
    const v2 = await call('POST', '/api/v1/registered-models/housing/versions', { modelUri: `runs:/${runB}/model` });
    expect(v2.body.modelVersion.version).toBe(2);

    const inPlace = await call('POST', '/api/v1/registered-models/other/versions', { source: join(t.dir, 'somewhere'), runId: null });
    expect(inPlace.body.modelVersion).toMatchObject({ name: 'other', version: 1, source: join(t.dir, 'somewhere'), runId: null });
    expect(await call('POST', '/api/v1/registered-models/other/versions', { source: '/x', modelUri: 'runs:/y/model' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT' } });
    expect(await call('POST', '/api/v1/registered-models/housing/versions', { modelUri: 'runs:/no-such-run/model' })).toMatchObject({ status: 404, body: { error_code: 'NOT_FOUND' } });
  });

  it('lists, gets, updates and tags models and versions', async () => {
    expect((await call('GET', '/api/v1/registered-models')).body.registeredModels.map((m: { name: string }) => m.name)).toEqual(['housing', 'other']);
    expect((await call('GET', '/api/v1/registered-models?nameLike=hou%25')).body.registeredModels.map((m: { name: string }) => m.name)).toEqual(['housing']);
    expect((await call('GET', '/api/v1/registered-models/housing')).body.registeredModel.latestVersion).toBe(2);
    expect((await call('GET', '/api/v1/registered-models/housing/versions')).body.modelVersions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect((await call('GET', '/api/v1/registered-models/nope/versions')).status).toBe(404);
    expect((await call('GET', `/api/v1/model-versions?runId=${runA}`)).body.modelVersions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect((await call('GET', '/api/v1/registered-models/housing/versions/2')).body.modelVersion.runId).toBe(runB);
    expect((await call('GET', '/api/v1/registered-models/housing/versions/abc')).body.message).toBe('params.version must be integer');

    expect((await call('PATCH', '/api/v1/registered-models/housing/versions/2', { description: 'second' })).body.modelVersion.description).toBe('second');
    expect((await call('POST', '/api/v1/registered-models/housing/versions/2/tags', { key: 'validated', value: 'yes' })).status).toBe(200);
    expect((await call('GET', '/api/v1/registered-models/housing/versions/2')).body.modelVersion.tags).toEqual({ validated: 'yes' });
    expect((await call('POST', '/api/v1/registered-models/housing/tags', { key: 'domain', value: 'real-estate' })).status).toBe(200);
    expect((await call('DELETE', '/api/v1/registered-models/housing/tags/team')).status).toBe(200);
    expect((await call('GET', '/api/v1/registered-models/housing')).body.registeredModel.tags).toEqual({ domain: 'real-estate' });
    const renamed = await call('PATCH', '/api/v1/registered-models/other', { newName: 'other-2', description: 'renamed' });
    expect(renamed.body.registeredModel).toMatchObject({ name: 'other-2', description: 'renamed' });
  });

  it('promotes through the gate, refuses a version that is not better by the margin, and rolls back', async () => {
    const first = await call('POST', '/api/v1/registered-models/housing/versions/1/promote', { metric: 'rmse' });
    expect(first.body.promotion).toMatchObject({ promoted: true, alias: 'champion', version: 1, previousVersion: null, mode: 'min', value: 3 });

    const refused = await call('POST', '/api/v1/registered-models/housing/versions/2/promote', { metric: 'rmse', margin: 1 });
    expect(refused.status).toBe(200);
    expect(refused.body.promotion).toMatchObject({ promoted: false, version: 2, previousVersion: 1, value: 2.5, previousValue: 3, margin: 1 });
    expect(refused.body.promotion.message).toMatch(/0\.5/);
    expect((await call('GET', '/api/v1/registered-models/housing/aliases/champion')).body.modelVersion.version).toBe(1);

    const promoted = await call('POST', '/api/v1/registered-models/housing/versions/2/promote', { metric: 'rmse', margin: 0.1, reason: 'better' });
    expect(promoted.body.promotion).toMatchObject({ promoted: true, version: 2, previousVersion: 1 });
    expect((await call('GET', '/api/v1/registered-models/housing/aliases/champion')).body.modelVersion.version).toBe(2);
    expect(await call('POST', '/api/v1/registered-models/housing/versions/1/promote', { metric: 'accuracy' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT' } });

    const back = await call('POST', '/api/v1/registered-models/housing/rollback', { reason: 'regression in prod' });
    expect(back.body.aliasChange).toMatchObject({ alias: 'champion', version: 1, previousVersion: 2, action: 'rollback', reason: 'regression in prod' });
    expect((await call('GET', '/api/v1/registered-models/housing/aliases/champion')).body.modelVersion.version).toBe(1);

    const history = (await call('GET', '/api/v1/registered-models/housing/alias-history?alias=champion')).body.aliasHistory;
    expect(history.map((c: { action: string; version: number }) => [c.action, c.version])).toEqual([
      ['rollback', 1],
      ['promote', 2],
      ['promote', 1],
    ]);
    expect(history[1]).toMatchObject({ metric: 'rmse', value: 2.5, previousValue: 3 });
  });

  it('sets aliases with compare-and-set, reads and deletes them', async () => {
    const set = await call('PUT', '/api/v1/registered-models/housing/aliases/challenger', { version: 2, expectedVersion: null });
    expect(set.body.aliasChange).toMatchObject({ alias: 'challenger', version: 2, previousVersion: null, action: 'set' });
    expect(await call('PUT', '/api/v1/registered-models/housing/aliases/challenger', { version: 1, expectedVersion: 1 })).toMatchObject({ status: 409, body: { error_code: 'CONFLICT' } });
    expect((await call('GET', '/api/v1/registered-models/housing')).body.registeredModel.aliases).toEqual({ champion: 1, challenger: 2 });
    expect(await call('DELETE', '/api/v1/registered-models/housing/versions/2')).toMatchObject({ status: 409, body: { error_code: 'CONFLICT' } });
    expect((await call('DELETE', '/api/v1/registered-models/housing/aliases/challenger')).body.aliasChange).toMatchObject({ action: 'delete', version: null, previousVersion: 2 });
    expect((await call('GET', '/api/v1/registered-models/housing/aliases/challenger')).status).toBe(404);
    expect((await call('PUT', '/api/v1/registered-models/housing/aliases/v3', { version: 1 })).body.error_code).toBe('INVALID_ARGUMENT');
  });

  it('resolves model URIs and shows lineage both ways', async () => {
    const resolved = (await call('GET', `/api/v1/models/resolve?uri=${encodeURIComponent('models:/housing@champion')}`)).body.resolved;
    expect(resolved).toMatchObject({ uri: 'models:/housing@champion', name: 'housing', version: 1, runId: runA });
    expect(readFileSync(resolved.path, 'utf8')).toBe('model-A');
    expect((await call('GET', `/api/v1/models/resolve?uri=${encodeURIComponent(`runs:/${runB}/model`)}`)).body.resolved.runId).toBe(runB);
    expect((await call('GET', `/api/v1/models/resolve?uri=${encodeURIComponent('models:/housing@nope')}`)).status).toBe(404);
    expect((await call('GET', `/api/v1/models/resolve?uri=${encodeURIComponent('bogus:/x')}`)).status).toBeGreaterThanOrEqual(400);

    await call('POST', `/api/v1/runs/${runB}/inputs`, { inputs: [{ name: 'train.csv', digest: 'sha256:d1', rowCount: 506, context: 'training' }] });
    const lineage = (await call('GET', '/api/v1/registered-models/housing/versions/2/lineage')).body.lineage;
    expect(lineage.run.info.runId).toBe(runB);
    expect(lineage.run.data.params).toEqual({ model: 'hgb' });
    expect(lineage.run.data.metrics.rmse.value).toBe(2.5);
    expect(lineage.experiment.name).toBe('registry-exp');
    expect(lineage.datasets).toEqual([expect.objectContaining({ name: 'train.csv', digest: 'sha256:d1', source: null, rowCount: 506, context: 'training' })]);
    expect(lineage.code).toEqual({ commit: 'c0ffee', dirty: true });
    expect(lineage.aliasHistory.length).toBeGreaterThan(0);

    const data = (await call('GET', `/api/v1/datasets/${encodeURIComponent('sha256:d1')}/lineage`)).body.lineage;
    expect(data.runs.map((r: { runId: string }) => r.runId)).toEqual([runB]);
    expect(data.modelVersions.map((v: { name: string; version: number }) => `${v.name}/${v.version}`)).toEqual(['housing/2']);
  });

  it('deletes a model with its registry copies; the name can be reused', async () => {
    const v1 = (await call('GET', '/api/v1/registered-models/housing/versions/1')).body.modelVersion;
    expect(existsSync(v1.source)).toBe(true);
    const del = await call('DELETE', '/api/v1/registered-models/housing');
    expect(del.status).toBe(200);
    expect(del.body.removedSources).toHaveLength(2);
    expect(existsSync(v1.source)).toBe(false);
    expect((await call('GET', '/api/v1/registered-models/housing')).status).toBe(404);
    expect((await call('POST', '/api/v1/registered-models', { name: 'housing' })).status).toBe(201);
  });
});

describe('registry search', () => {
  const search = (path: string, params: Parameters<typeof withQuery>[1]): string => withQuery(`/api/v1/${path}`, params);
  const modelNames = (res: { body: { registeredModels: { name: string }[] } }): string[] => res.body.registeredModels.map((m) => m.name);
  const versions = (res: { body: { modelVersions: { name: string; version: number }[] } }): string[] => res.body.modelVersions.map((v) => `${v.name}/${v.version}`);

  it('creates models and versions to search', async () => {
    const models: [string, Record<string, string>, number][] = [
      ['srch-a', { stage: 'prod', team: 'ml' }, 3],
      ['srch-b', { stage: 'dev', team: 'ml' }, 1],
      ['srch-c', { stage: 'prod', team: 'ops' }, 2],
      ['srch-d', {}, 0],
    ];
    for (const [name, tags, count] of models) {
      expect((await call('POST', '/api/v1/registered-models', { name, tags })).status).toBe(201);
      for (let v = 1; v <= count; v++) expect((await call('POST', `/api/v1/registered-models/${name}/versions`, { source: `/models/${name}/${v}` })).status).toBe(201);
    }
    for (const [name, version] of [['srch-a', 2], ['srch-a', 3], ['srch-c', 1]] as const) {
      expect((await call('POST', `/api/v1/registered-models/${name}/versions/${version}/tags`, { key: 'validated', value: 'yes' })).status).toBe(200);
    }
  });

  it('registered models: filter with OR and parentheses, orderBy, paging through the filtered list', async () => {
    const filter = "name LIKE 'srch-%' AND (tags.stage = 'prod' OR tags.team = 'ml')";
    const { items, pages } = await readAllPages(async (pageToken) => {
      const page = await call('GET', search('registered-models', { filter, orderBy: 'name DESC', maxResults: 2, pageToken }));
      expect(page.status).toBe(200);
      return { items: modelNames(page), nextPageToken: page.body.nextPageToken };
    });
    expect(items).toEqual(['srch-c', 'srch-b', 'srch-a']);
    expect(pages).toBe(2);
    // nameLike and filter combine by AND; a tag that is missing matches no comparison.
    expect(modelNames(await call('GET', search('registered-models', { nameLike: 'srch-%', filter: "tags.team != 'ml'" })))).toEqual(['srch-c']);
    expect(modelNames(await call('GET', search('registered-models', { filter: "tags.stage ILIKE 'PROD' AND name IN ('srch-a', 'srch-b', 'srch-d')" })))).toEqual(['srch-a']);
  });

  it('model versions: filter with OR and parentheses, several sort keys, paging; per model too', async () => {
    const filter = "(name = 'srch-a' AND version >= 2) OR (name = 'srch-c' AND tags.validated = 'yes')";
    const found = await readAllPages(async (pageToken) => {
      const page = await call('GET', search('model-versions', { filter, orderBy: ['name DESC', 'version ASC'], maxResults: 2, pageToken }));
      expect(page.status).toBe(200);
      expect(page.body.modelVersions.length).toBeLessThanOrEqual(2);
      return { items: versions(page), nextPageToken: page.body.nextPageToken };
    });
    expect(found).toEqual({ items: ['srch-c/1', 'srch-a/2', 'srch-a/3'], pages: 2 });
    expect(versions(await call('GET', search('model-versions', { name: 'srch-a', filter: "source LIKE '%/1' OR tags.validated = 'yes'", orderBy: 'version DESC' })))).toEqual(['srch-a/3', 'srch-a/2', 'srch-a/1']);

    expect(versions(await call('GET', search('registered-models/srch-a/versions', { filter: "tags.validated = 'yes'", orderBy: 'version ASC' })))).toEqual(['srch-a/2', 'srch-a/3']);
    expect(versions(await call('GET', search('registered-models/srch-c/versions', { orderBy: 'source DESC', maxResults: 1 })))).toEqual(['srch-c/2']);
  });

  it('answers a bad key with 400 INVALID_ARGUMENT naming the position and the valid keys', async () => {
    const model = await call('GET', search('registered-models', { filter: "name = 'x' OR version > 1" }));
    expect(model.status).toBe(400);
    expect(model.body).toMatchObject({ error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('column 15') });
    expect(model.body.message).toContain('name, attributes.creation_time, attributes.last_updated_time, tags.<key>');
    const version = await call('GET', search('model-versions', { filter: "stage = 'prod'" }));
    expect(version).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('name, version, run_id, source, attributes.creation_time, tags.<key>') } });
    const perModel = await call('GET', search('registered-models/srch-a/versions', { orderBy: 'tags.validated' }));
    expect(perModel).toMatchObject({ status: 400, body: { error_code: 'INVALID_ARGUMENT', message: expect.stringContaining('name, version, run_id, source, creation_time') } });
  });
});

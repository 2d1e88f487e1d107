// The MLflow REST API 2.0 subset: the requests below replay what MLflow's Python client sends
// (GET fields in the query string, others as JSON bodies; run_uuid next to run_id; NaN as "NaN";
// tags as [{key, value}]) and check the responses have MLflow's shapes and error codes.
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestApp, readAllPages, withQuery, type TestApp } from './testing.js';

let t: TestApp;
const API = '/api/2.0/mlflow';

beforeAll(async () => {
  t = await openTestApp('mlflow');
});
afterAll(() => t?.close());

/** As MLflow's `call_endpoint`: GET → query string (lists as repeated keys), others → JSON body. */
async function mlflow(method: InjectOptions['method'], endpoint: string, json: Record<string, unknown> = {}): Promise<{ status: number; body: any }> {
  let res;
  if (method === 'GET') {
    res = await t.app.inject({ method, url: withQuery(`${API}/${endpoint}`, json as Parameters<typeof withQuery>[1]) });
  } else {
    res = await t.app.inject({ method, url: `${API}/${endpoint}`, payload: JSON.stringify(json), headers: { 'content-type': 'application/json' } });
  }
  return { status: res.statusCode, body: res.json() };
}

describe('MLflow tracking API', () => {
  let experimentId = '';
  let runId = '';
  const t0 = 1_700_000_000_000;

  it('mlflow.set_experiment: get-by-name (404) then create', async () => {
    const missing = await mlflow('GET', 'experiments/get-by-name', { experiment_name: 'mlflow-exp' });
    expect(missing).toEqual({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: expect.stringContaining('mlflow-exp') } });
    const created = await mlflow('POST', 'experiments/create', { name: 'mlflow-exp', tags: [{ key: 'team', value: 'ml' }] });
    expect(created.status).toBe(200);
    experimentId = created.body.experiment_id;
    expect(typeof experimentId).toBe('string');
    const got = await mlflow('GET', 'experiments/get-by-name', { experiment_name: 'mlflow-exp' });
    expect(got.body.experiment).toEqual({
      experiment_id: experimentId,
      name: 'mlflow-exp',
      artifact_location: expect.any(String),
      lifecycle_stage: 'active',
      last_update_time: expect.any(Number),
      creation_time: expect.any(Number),
      tags: [{ key: 'team', value: 'ml' }],
    });
    expect((await mlflow('GET', 'experiments/get', { experiment_id: experimentId })).body.experiment.name).toBe('mlflow-exp');
    expect(await mlflow('POST', 'experiments/create', { name: 'mlflow-exp' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
  });

  it('mlflow.start_run and logging: create, log-parameter, log-metric, log-batch, set-tag, log-inputs, update', async () => {
    const created = await mlflow('POST', 'runs/create', {
      experiment_id: experimentId,
      user_id: 'ana',
      start_time: t0,
      tags: [
        { key: 'mlflow.user', value: 'ana' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.runName', value: 'bold-cat-1' },
      ],
      run_name: 'bold-cat-1',
    });
    expect(created.status).toBe(200);
    const info = created.body.run.info;
    runId = info.run_id;
    expect(info).toEqual({
      run_id: runId,
      run_uuid: runId,
      run_name: 'bold-cat-1',
      experiment_id: experimentId,
      user_id: 'ana',
      status: 'RUNNING',
      start_time: t0,
      artifact_uri: expect.any(String),
      lifecycle_stage: 'active',
    });
    const ids = { run_uuid: runId, run_id: runId };
    expect(await mlflow('POST', 'runs/log-parameter', { ...ids, key: 'alpha', value: '0.5' })).toEqual({ status: 200, body: {} });
    expect(await mlflow('POST', 'runs/log-metric', { ...ids, key: 'rmse', value: 0.75, timestamp: t0 + 1, step: 0 })).toEqual({ status: 200, body: {} });
    expect(await mlflow('POST', 'runs/log-metric', { ...ids, key: 'rmse', value: 0.5, timestamp: t0 + 2, step: '1' })).toEqual({ status: 200, body: {} });
    const batch = await mlflow('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'loss', value: 'NaN', timestamp: t0 + 3, step: 0 },
        { key: 'loss', value: 'Infinity', timestamp: t0 + 4, step: 1 },
        { key: 'loss', value: 1.25, timestamp: t0 + 5, step: 2 },
      ],
      params: [{ key: 'depth', value: '3' }],
      tags: [{ key: 'stage', value: 'dev' }],
    });
    expect(batch).toEqual({ status: 200, body: {} });
    expect(await mlflow('POST', 'runs/set-tag', { ...ids, key: 'mlflow.note.content', value: 'first try' })).toEqual({ status: 200, body: {} });
    const inputs = await mlflow('POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: [
        {
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
          dataset: { name: 'boston', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/boston.csv"}', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 506, "num_elements": 7084}' },
        },
      ],
    });
    expect(inputs).toEqual({ status: 200, body: {} });
    const updated = await mlflow('POST', 'runs/update', { ...ids, status: 'FINISHED', end_time: t0 + 10 });
    expect(updated.body.run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: t0 + 10 });

    // A param logged again with another value: MLflow's INVALID_PARAMETER_VALUE.
    expect(await mlflow('POST', 'runs/log-parameter', { ...ids, key: 'alpha', value: '0.9' })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await mlflow('POST', 'runs/log-metric', { ...ids, key: 'rmse', value: 'fast', timestamp: t0 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
    expect(await mlflow('POST', 'runs/log-metric', { ...ids, value: 1, timestamp: t0 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'body.key is required' } });
    expect(await mlflow('POST', 'runs/log-metric', { key: 'x', value: 1 })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('run_id') } });
  });

  it('runs/get returns the run in MLflow shape', async () => {
    const { status, body } = await mlflow('GET', 'runs/get', { run_uuid: runId, run_id: runId });
    expect(status).toBe(200);
    const run = body.run;
    expect(run.info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: t0 + 10 });
    expect(run.data.params).toEqual(expect.arrayContaining([{ key: 'alpha', value: '0.5' }, { key: 'depth', value: '3' }]));
    expect(run.data.metrics).toEqual(
      expect.arrayContaining([
        { key: 'rmse', value: 0.5, timestamp: t0 + 2, step: 1 },
        { key: 'loss', value: 1.25, timestamp: t0 + 5, step: 2 },
      ]),
    );
    expect(run.data.tags).toEqual(expect.arrayContaining([{ key: 'stage', value: 'dev' }, { key: 'mlflow.user', value: 'ana' }]));
    expect(run.inputs.dataset_inputs).toEqual([
      {
        tags: [{ key: 'mlflow.data.context', value: 'training' }],
        dataset: { name: 'boston', digest: 'abc123', source_type: 'local', source: '{"uri": "/data/boston.csv"}', schema: '{"mlflow_colspec":[]}', profile: '{"num_rows":506}' },
      },
    ]);
    expect(await mlflow('GET', 'runs/get', { run_id: 'nope' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });

  it('metrics/get-history keeps NaN and Infinity as strings', async () => {
    const { body } = await mlflow('GET', 'metrics/get-history', { run_id: runId, run_uuid: runId, metric_key: 'loss', max_results: 25000 });
    expect(body.metrics).toEqual([
      { key: 'loss', value: 'NaN', timestamp: t0 + 3, step: 0 },
      { key: 'loss', value: 'Infinity', timestamp: t0 + 4, step: 1 },
      { key: 'loss', value: 1.25, timestamp: t0 + 5, step: 2 },
    ]);
    const paged = await mlflow('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 2 });
    expect(paged.body.metrics).toHaveLength(2);
    const rest = await mlflow('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss', max_results: 2, page_token: paged.body.next_page_token });
    expect(rest.body.metrics.map((m: { step: number }) => m.step)).toEqual([2]);
    expect(rest.body.next_page_token).toBeUndefined();
  });

  it('runs/search with a filter, order_by and paging', async () => {
    for (let i = 0; i < 4; i++) {
      const id = (await mlflow('POST', 'runs/create', { experiment_id: experimentId, start_time: t0 + 100 + i, run_name: `s${i}` })).body.run.info.run_id;
      await mlflow('POST', 'runs/log-batch', { run_id: id, metrics: [{ key: 'rmse', value: 1 + i, timestamp: t0, step: 0 }] });
    }
    const found = await readAllPages(async (page_token) => {
      const page = await mlflow('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.rmse >= 1', run_view_type: 'ACTIVE_ONLY', max_results: 3, order_by: ['metrics.rmse DESC'], page_token });
      expect(page.status).toBe(200);
      return { items: page.body.runs.map((r: { info: { run_name: string } }) => r.info.run_name), nextPageToken: page.body.next_page_token };
    });
    expect(found.items).toEqual(['s3', 's2', 's1', 's0']);
    expect((await mlflow('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.rmse <' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');
  });

  it('experiments: search (POST and GET, filter, order), update, delete, restore', async () => {
    await mlflow('POST', 'experiments/create', { name: 'mlflow-other' });
    const all = await mlflow('POST', 'experiments/search', { max_results: 1000, view_type: 'ACTIVE_ONLY' });
    expect(all.body.experiments.map((e: { name: string }) => e.name)).toEqual(['Default', 'mlflow-exp', 'mlflow-other']);
    const filtered = await mlflow('GET', 'experiments/search', { filter: "name LIKE 'mlflow-%'", order_by: ['name DESC'], max_results: 1 });
    expect(filtered.body.experiments.map((e: { name: string }) => e.name)).toEqual(['mlflow-other']);
    const next = await mlflow('GET', 'experiments/search', { filter: "name LIKE 'mlflow-%'", order_by: ['name DESC'], max_results: 1, page_token: filtered.body.next_page_token });
    expect(next.body.experiments.map((e: { name: string }) => e.name)).toEqual(['mlflow-exp']);
    expect((await mlflow('POST', 'experiments/search', { filter: "tags.team = 'ml'" })).body.experiments.map((e: { name: string }) => e.name)).toEqual(['mlflow-exp']);
    expect((await mlflow('POST', 'experiments/search', { filter: 'metrics.rmse > 5' })).body.error_code).toBe('INVALID_PARAMETER_VALUE');

    expect(await mlflow('POST', 'experiments/update', { experiment_id: experimentId, new_name: 'mlflow-renamed' })).toEqual({ status: 200, body: {} });
    expect(await mlflow('POST', 'experiments/delete', { experiment_id: experimentId })).toEqual({ status: 200, body: {} });
    expect((await mlflow('GET', 'experiments/get', { experiment_id: experimentId })).body.experiment).toMatchObject({ name: 'mlflow-renamed', lifecycle_stage: 'deleted' });
    expect((await mlflow('POST', 'experiments/search', { view_type: 'DELETED_ONLY' })).body.experiments.map((e: { name: string }) => e.name)).toEqual(['mlflow-renamed']);
    expect(await mlflow('POST', 'experiments/restore', { experiment_id: experimentId })).toEqual({ status: 200, body: {} });
    expect(await mlflow('POST', 'runs/delete', { run_id: runId })).toEqual({ status: 200, body: {} });
    expect((await mlflow('GET', 'runs/get', { run_id: runId })).body.run.info.lifecycle_stage).toBe('deleted');
    expect(await mlflow('POST', 'runs/restore', { run_id: runId })).toEqual({ status: 200, body: {} });
  });

  it('answers unknown endpoints with ENDPOINT_NOT_FOUND', async () => {
    expect(await mlflow('POST', 'runs/log-model', { run_id: runId })).toMatchObject({ status: 404, body: { error_code: 'ENDPOINT_NOT_FOUND' } });
  });
});

describe('MLflow model registry API', () => {
  it('mlflow.register_model, aliases, get, search and delete', async () => {
    const runId = (await mlflow('POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id;
    const created = await mlflow('POST', 'registered-models/create', { name: 'mlflow-model', tags: [{ key: 'k', value: 'v' }], description: 'd' });
    expect(created.body.registered_model).toMatchObject({ name: 'mlflow-model', description: 'd', tags: [{ key: 'k', value: 'v' }], latest_versions: [], aliases: [] });
    expect(await mlflow('POST', 'registered-models/create', { name: 'mlflow-model' })).toMatchObject({ status: 400, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });

    const source = join(t.dir, 'artifacts', 'somewhere', 'model');
    const mv = await mlflow('POST', 'model-versions/create', { name: 'mlflow-model', source, run_id: runId });
    expect(mv.body.model_version).toEqual({
      name: 'mlflow-model',
      version: '1',
      creation_timestamp: expect.any(Number),
      last_updated_timestamp: expect.any(Number),
      current_stage: 'None',
      description: '',
      source,
      run_id: runId,
      status: 'READY',
      run_link: '',
      tags: [],
      aliases: [],
    });
    expect((await mlflow('GET', 'model-versions/get', { name: 'mlflow-model', version: '1' })).body.model_version.source).toBe(source);
    expect(await mlflow('GET', 'model-versions/get', { name: 'mlflow-model', version: '7' })).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });

    expect(await mlflow('POST', 'registered-models/alias', { name: 'mlflow-model', alias: 'champion', version: '1' })).toEqual({ status: 200, body: {} });
    const byAlias = await mlflow('GET', 'registered-models/get-model-version-by-alias', { name: 'mlflow-model', alias: 'champion' });
    expect(byAlias.body.model_version).toMatchObject({ version: '1', aliases: ['champion'] });
    const got = await mlflow('GET', 'registered-models/get', { name: 'mlflow-model' });
    expect(got.body.registered_model).toMatchObject({ aliases: [{ alias: 'champion', version: '1' }], latest_versions: [{ version: '1', run_id: runId }] });

    expect((await mlflow('GET', 'registered-models/search', { filter: "name LIKE 'mlflow-%'", max_results: 100 })).body.registered_models.map((m: { name: string }) => m.name)).toEqual(['mlflow-model']);
    expect((await mlflow('GET', 'registered-models/search', { filter: "name = 'nope'" })).body.registered_models).toEqual([]);
    expect((await mlflow('GET', 'model-versions/search', { filter: "name='mlflow-model'" })).body.model_versions.map((v: { version: string }) => v.version)).toEqual(['1']);
    expect((await mlflow('GET', 'model-versions/search', { filter: `run_id IN ('${runId}', 'other')` })).body.model_versions).toHaveLength(1);

    expect((await mlflow('PATCH', 'registered-models/update', { name: 'mlflow-model', description: 'new' })).body.registered_model.description).toBe('new');
    expect(await mlflow('POST', 'registered-models/set-tag', { name: 'mlflow-model', key: 'owner', value: 'ana' })).toEqual({ status: 200, body: {} });
    expect((await mlflow('PATCH', 'model-versions/update', { name: 'mlflow-model', version: '1', description: 'v1' })).body.model_version.description).toBe('v1');
    expect(await mlflow('POST', 'model-versions/set-tag', { name: 'mlflow-model', version: '1', key: 'ok', value: 'yes' })).toEqual({ status: 200, body: {} });
    expect((await mlflow('GET', 'model-versions/get', { name: 'mlflow-model', version: 1 })).body.model_version.tags).toEqual([{ key: 'ok', value: 'yes' }]);
    // A version an alias points at cannot be deleted: RESOURCE_CONFLICT.
    expect(await mlflow('DELETE', 'model-versions/delete', { name: 'mlflow-model', version: '1' })).toMatchObject({ status: 409, body: { error_code: 'RESOURCE_CONFLICT' } });
    expect(await mlflow('DELETE', 'registered-models/alias', { name: 'mlflow-model', alias: 'champion' })).toEqual({ status: 200, body: {} });
    await mlflow('POST', 'model-versions/create', { name: 'mlflow-model', source, run_id: runId });
    expect(await mlflow('DELETE', 'model-versions/delete', { name: 'mlflow-model', version: '2' })).toEqual({ status: 200, body: {} });
    const renamed = await mlflow('POST', 'registered-models/rename', { name: 'mlflow-model', new_name: 'mlflow-model-2' });
    expect(renamed.body.registered_model).toMatchObject({ name: 'mlflow-model-2', tags: expect.arrayContaining([{ key: 'owner', value: 'ana' }]) });
    expect(await mlflow('POST', 'registered-models/rename', { name: 'mlflow-model-2', new_name: 'mlflow-model' })).toMatchObject({ status: 200 });
    expect((await mlflow('GET', 'registered-models/get-model-version-by-alias', { name: 'mlflow-model', alias: 'champion' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(await mlflow('DELETE', 'registered-models/delete', { name: 'mlflow-model' })).toEqual({ status: 200, body: {} });
    expect((await mlflow('GET', 'registered-models/get', { name: 'mlflow-model' })).body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

describe('MLflow searches (filters passed to the store)', () => {
  const names = (list: { name: string }[]): string[] => list.map((e) => e.name);

  it('experiments/search: OR and parentheses, order_by, paging with a filter, filter_string', async () => {
    const teams: Record<string, string> = { 'mf-a': 'nlp', 'mf-b': 'cv', 'mf-c': 'nlp', 'mf-d': 'ops' };
    for (const [name, team] of Object.entries(teams)) expect((await mlflow('POST', 'experiments/create', { name, tags: [{ key: 'team-name', value: team }] })).status).toBe(200);
    // MLflow quotes keys with special characters in double quotes or backticks.
    const filter = `name LIKE 'mf-%' AND (tags."team-name" = 'nlp' OR tags.\`team-name\` = 'ops')`;
    for (const method of ['POST', 'GET'] as const) {
      const found = await readAllPages(async (page_token) => {
        const page = await mlflow(method, 'experiments/search', { filter, order_by: ['name DESC'], max_results: 2, page_token });
        expect(page.status).toBe(200);
        return { items: names(page.body.experiments), nextPageToken: page.body.next_page_token };
      });
      expect(found).toEqual({ items: ['mf-d', 'mf-c', 'mf-a'], pages: 2 });
    }
    const byId = await mlflow('POST', 'experiments/search', { filter_string: "name LIKE 'mf-%' AND tags.`team-name` != 'cv'", order_by: ['experiment_id DESC'] });
    expect(names(byId.body.experiments)).toEqual(['mf-d', 'mf-c', 'mf-a']);
    expect(await mlflow('POST', 'experiments/search', { filter: "name = 'mf-a'", filter_string: "name = 'mf-b'" })).toMatchObject({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE' } });
  });

  it('registered-models/search and model-versions/search: OR and parentheses, order_by, paging, MLflow key spellings', async () => {
    for (const [name, stage, count] of [['mf-model-a', 'prod', 3], ['mf-model-b', 'dev', 1], ['mf-model-c', 'prod', 2]] as const) {
      expect((await mlflow('POST', 'registered-models/create', { name, tags: [{ key: 'stage', value: stage }] })).status).toBe(200);
      for (let v = 1; v <= count; v++) expect((await mlflow('POST', 'model-versions/create', { name, source: `/models/${name}/${v}` })).status).toBe(200);
    }
    expect((await mlflow('POST', 'model-versions/set-tag', { name: 'mf-model-c', version: 1, key: 'validated', value: 'yes' })).status).toBe(200);

    const models = await readAllPages(async (page_token) => {
      const page = await mlflow('GET', 'registered-models/search', { filter: "name LIKE 'mf-model-%' AND (tags.stage = 'prod' OR name = 'mf-model-b')", order_by: ['name DESC'], max_results: 2, page_token });
      expect(page.status).toBe(200);
      return { items: names(page.body.registered_models), nextPageToken: page.body.next_page_token };
    });
    expect(models).toEqual({ items: ['mf-model-c', 'mf-model-b', 'mf-model-a'], pages: 2 });
    const a = (await mlflow('GET', 'registered-models/search', { filter: "name = 'mf-model-a'" })).body.registered_models;
    expect(a).toEqual([expect.objectContaining({ name: 'mf-model-a', latest_versions: [expect.objectContaining({ version: '3' })], tags: [{ key: 'stage', value: 'prod' }] })]);

    const versions = await readAllPages(async (page_token) => {
      const filter = "(name = 'mf-model-a' AND version_number >= 2) OR (name = 'mf-model-c' AND tags.validated = 'yes')";
      const page = await mlflow('GET', 'model-versions/search', { filter, order_by: ['name DESC', 'version_number ASC'], max_results: 2, page_token });
      expect(page.status).toBe(200);
      return { items: page.body.model_versions.map((v: { name: string; version: string }) => `${v.name}/${v.version}`), nextPageToken: page.body.next_page_token };
    });
    expect(versions).toEqual({ items: ['mf-model-c/1', 'mf-model-a/2', 'mf-model-a/3'], pages: 2 });
    const bySource = await mlflow('GET', 'model-versions/search', { filter: "source_path LIKE '/models/mf-model-b/%'" });
    expect(bySource.body.model_versions.map((v: { source: string }) => v.source)).toEqual(['/models/mf-model-b/1']);
  });

  it('answers a bad key with INVALID_PARAMETER_VALUE (400) naming the valid keys', async () => {
    const experiments = await mlflow('POST', 'experiments/search', { filter: "team = 'nlp'" });
    expect(experiments).toEqual({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('attributes.experiment_id') } });
    expect(experiments.body.message).toContain('column 1');
    const models = await mlflow('GET', 'registered-models/search', { filter: "name = 'x' AND run_id = 'y'" });
    expect(models).toEqual({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('name, attributes.creation_time, attributes.last_updated_time, tags.<key>') } });
    const versions = await mlflow('GET', 'model-versions/search', { filter: "current_stage = 'Production'" });
    expect(versions).toEqual({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: expect.stringContaining('name, version, run_id, source, attributes.creation_time, tags.<key>') } });
    expect((await mlflow('GET', 'model-versions/search', { order_by: ['stage DESC'] })).status).toBe(400);
  });
});

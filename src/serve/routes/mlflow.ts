/**
 * The MLflow REST API 2.0 subset under `/api/2.0/mlflow`, with MLflow's request and response
 * shapes (snake_case, tags as `[{ key, value }]`, int64s as numbers, NaN as `"NaN"`), so MLflow
 * clients (`mlflow.log_metric`, `MlflowClient`, `mlflow.register_model`) can log to mlship.
 * `GET` requests take their fields in the query string and the others in a JSON body, as MLflow's
 * Python client sends them. Searches (runs, experiments, registered models, model versions) hand
 * MLflow's `filter` and `order_by` to the store unchanged: MLflow's filter syntax is a subset of
 * mlship's search language. Errors use MLflow's codes (see `toMlflowHttpError`).
 */
import type { FastifyInstance } from 'fastify';
import { MlshipError } from '../../core/index.js';
import type { DatasetInput, Experiment, Metric, ModelVersion, Page, RegisteredModel, Run, RunInfo, RunStatus, ViewType } from '../../tracking/index.js';
import type { ServeContext } from '../context.js';
import { arr, jsonNumber, ok, out, parseJsonNumber, str, type Schema } from '../schemas.js';

// ------------------------------------------------------------------ schemas (MLflow's shapes)

const s64 = { type: 'integer' } as const;
const keyValue = out({ key: str, value: str });
const keyValues = arr(keyValue);
/** A request object: MLflow clients send extra fields (`run_uuid` next to `run_id`, ...), which are accepted. */
const req = (properties: Record<string, unknown>, required: string[] = []): Schema => ({ type: 'object', properties, ...(required.length ? { required } : {}) });
const reqKeyValues = arr(req({ key: { type: 'string', minLength: 1 }, value: { type: 'string' } }, ['key']));
const metricValue = { type: ['number', 'string'] } as const;
const viewType = { type: 'string', enum: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] } as const;
const runIdFields = { run_id: str, run_uuid: str } as const;
const stringList = { type: 'array', items: { type: 'string' } } as const;

const mlflowExperiment = out(
  { experiment_id: str, name: str, artifact_location: str, lifecycle_stage: str, last_update_time: s64, creation_time: s64, tags: keyValues },
  ['experiment_id', 'name'],
);
const mlflowMetric = out({ key: str, value: metricValue, timestamp: s64, step: s64 });
const mlflowRunInfo = out(
  { run_id: str, run_uuid: str, run_name: str, experiment_id: str, user_id: str, status: str, start_time: s64, end_time: s64, artifact_uri: str, lifecycle_stage: str },
  ['run_id', 'run_uuid', 'experiment_id', 'status'],
);
const mlflowDataset = out({ name: str, digest: str, source_type: str, source: str, schema: str, profile: str }, ['name', 'digest']);
const mlflowRun = out({
  info: mlflowRunInfo,
  data: out({ metrics: arr(mlflowMetric), params: keyValues, tags: keyValues }),
  inputs: out({ dataset_inputs: arr(out({ tags: keyValues, dataset: mlflowDataset })) }),
});
const mlflowModelVersion = out(
  {
    name: str,
    version: str,
    creation_timestamp: s64,
    last_updated_timestamp: s64,
    current_stage: str,
    description: str,
    source: str,
    run_id: str,
    status: str,
    run_link: str,
    tags: keyValues,
    aliases: arr(str),
  },
  ['name', 'version'],
);
const mlflowRegisteredModel = out(
  {
    name: str,
    creation_timestamp: s64,
    last_updated_timestamp: s64,
    description: str,
    latest_versions: arr(mlflowModelVersion),
    tags: keyValues,
    aliases: arr(out({ alias: str, version: str })),
  },
  ['name'],
);
const okOut = { 200: ok };

// ------------------------------------------------------------------ converters

const toKeyValues = (record: Record<string, string>): { key: string; value: string }[] => Object.entries(record).map(([key, value]) => ({ key, value }));
const fromKeyValues = (list: { key: string; value?: string }[] | undefined): Record<string, string> => Object.fromEntries((list ?? []).map((t) => [t.key, t.value ?? '']));

/** An mlship experiment in MLflow's shape. */
export function toMlflowExperiment(e: Experiment): Record<string, unknown> {
  return {
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: toKeyValues(e.tags),
  };
}

/** An mlship run info in MLflow's shape (`run_uuid` repeats `run_id`, as MLflow does). */
export function toMlflowRunInfo(i: RunInfo): Record<string, unknown> {
  return {
    run_id: i.runId,
    run_uuid: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId ?? '',
    status: i.status,
    start_time: i.startTime,
    ...(i.endTime !== null ? { end_time: i.endTime } : {}),
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  };
}

const CONTEXT_TAG = 'mlflow.data.context';

function toMlflowDataset(d: DatasetInput): Record<string, unknown> {
  return {
    tags: d.context ? [{ key: CONTEXT_TAG, value: d.context }] : [],
    dataset: {
      name: d.name,
      digest: d.digest,
      source_type: 'local',
      source: d.source ?? '',
      ...(d.schema !== undefined && d.schema !== null ? { schema: typeof d.schema === 'string' ? d.schema : JSON.stringify(d.schema) } : {}),
      ...(d.rowCount !== undefined && d.rowCount !== null ? { profile: JSON.stringify({ num_rows: d.rowCount }) } : {}),
    },
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function fromMlflowDataset(input: { tags?: { key: string; value?: string }[]; dataset: { name: string; digest: string; source?: string; schema?: string; profile?: string } }): DatasetInput {
  const d = input.dataset;
  const profile = parseJson(d.profile) as { num_rows?: unknown } | null;
  const rows = profile && typeof profile === 'object' ? Number(profile.num_rows) : NaN;
  return {
    name: d.name,
    digest: d.digest,
    source: d.source ? d.source : null,
    schema: parseJson(d.schema),
    rowCount: Number.isInteger(rows) && rows >= 0 ? rows : null,
    context: fromKeyValues(input.tags)[CONTEXT_TAG] ?? null,
  };
}

const toMlflowMetric = (m: Metric): Record<string, unknown> => ({ key: m.key, value: jsonNumber(m.value), timestamp: m.timestamp, step: m.step });

/** An mlship run in MLflow's shape. */
export function toMlflowRun(r: Run): Record<string, unknown> {
  return {
    info: toMlflowRunInfo(r.info),
    data: { metrics: Object.values(r.data.metrics).map(toMlflowMetric), params: toKeyValues(r.data.params), tags: toKeyValues(r.data.tags) },
    inputs: { dataset_inputs: r.inputs.map(toMlflowDataset) },
  };
}

/** An mlship model version in MLflow's shape (version as a string, stage `None`). */
export function toMlflowModelVersion(v: ModelVersion): Record<string, unknown> {
  return {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTime,
    last_updated_timestamp: v.lastUpdatedTime,
    current_stage: 'None',
    description: v.description,
    source: v.source,
    run_id: v.runId ?? '',
    status: v.status,
    run_link: '',
    tags: toKeyValues(v.tags),
    aliases: v.aliases,
  };
}

function toMlflowRegisteredModel(m: RegisteredModel, latest: ModelVersion | null): Record<string, unknown> {
  return {
    name: m.name,
    creation_timestamp: m.creationTime,
    last_updated_timestamp: m.lastUpdatedTime,
    description: m.description,
    latest_versions: latest ? [toMlflowModelVersion(latest)] : [],
    tags: toKeyValues(m.tags),
    aliases: Object.entries(m.aliases).map(([alias, version]) => ({ alias, version: String(version) })),
  };
}

// ------------------------------------------------------------------ request helpers

function invalid(field: string, message: string, value?: unknown): MlshipError {
  return new MlshipError('INVALID_ARGUMENT', message, { field, value });
}

function runIdOf(b: { run_id?: string; run_uuid?: string }): string {
  const id = b.run_id || b.run_uuid;
  if (!id) throw invalid('run_id', 'run_id is required (MLflow clients send run_id, older ones run_uuid)');
  return id;
}

function metricOf(m: { key: string; value: unknown; timestamp?: number; step?: number }, field: string): { key: string; value: number; timestamp?: number; step?: number } {
  const value = parseJsonNumber(m.value);
  if (value === null) throw invalid(`${field}.value`, `${field}.value must be a number or "NaN", "Infinity", "-Infinity", got ${JSON.stringify(m.value)}`, m.value);
  return { key: m.key, value, timestamp: m.timestamp, step: m.step ?? 0 };
}

function statusOf(status: string | undefined): RunStatus | undefined {
  if (status === undefined) return undefined;
  if (status === 'RUNNING' || status === 'FINISHED' || status === 'FAILED' || status === 'KILLED') return status;
  throw invalid('status', `status must be RUNNING, FINISHED, FAILED or KILLED, got ${JSON.stringify(status)} (mlship has no SCHEDULED runs)`, status);
}

/** Offset page tokens for the lists this module pages itself (metric history). */
function offsetOf(token: string | undefined): number {
  if (!token) return 0;
  const n = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^o:/, ''));
  if (!Number.isInteger(n) || n < 0) throw invalid('page_token', `invalid page_token ${JSON.stringify(token.slice(0, 40))}: pass the next_page_token of the previous page unchanged`);
  return n;
}
const offsetToken = (n: number): string => Buffer.from(`o:${n}`, 'utf8').toString('base64url');

function pageOf<T>(items: T[], maxResults: number | undefined, token: string | undefined): { items: T[]; next?: string } {
  const start = offsetOf(token);
  const size = maxResults ?? 1000;
  const page = items.slice(start, start + size);
  return { items: page, next: start + size < items.length ? offsetToken(start + size) : undefined };
}

/** The search fields MLflow's clients send: `filter` (`filter_string` is accepted too), `order_by`, `max_results`, `page_token`. */
interface MlflowSearch {
  filter?: string;
  filter_string?: string;
  order_by?: string[];
  max_results?: number;
  page_token?: string;
}

const searchFields = { filter: str, filter_string: str, order_by: stringList, max_results: { type: 'integer', minimum: 1, maximum: 50000 }, page_token: str } as const;

/**
 * The store's search options from MLflow's fields. The filter goes to the store as is: MLflow's
 * filter syntax is a subset of mlship's search language, so the store parses it (a bad one is
 * INVALID_ARGUMENT naming the position and the valid keys, sent as INVALID_PARAMETER_VALUE).
 */
function searchOptions(q: MlflowSearch): { filter?: string; orderBy?: string[]; maxResults?: number; pageToken?: string } {
  if (q.filter && q.filter_string && q.filter !== q.filter_string) {
    throw invalid('filter', `filter and filter_string differ (${JSON.stringify(q.filter)} vs ${JSON.stringify(q.filter_string)}): send one of them`, q.filter_string);
  }
  return { filter: q.filter || q.filter_string || undefined, orderBy: q.order_by, maxResults: q.max_results, pageToken: q.page_token || undefined };
}

// ------------------------------------------------------------------ routes

/**
 * Registers the MLflow REST API routes on `app` (mounted under `/api/2.0/mlflow` by `createApp`).
 *
 * @example
 * ```ts
 * app.register(async (mlflow) => mlflowRoutes(mlflow, { client }), { prefix: '/api/2.0/mlflow' });
 * ```
 */
export async function mlflowRoutes(app: FastifyInstance, { client }: ServeContext): Promise<void> {
  const store = client.tracking;
  const registry = client.registry;
  const tags = ['mlflow'];
  const mlflow = (summary: string): { summary: string; tags: string[] } => ({ summary: `MLflow: ${summary}`, tags });

  // ---------------------------------------------------------------- experiments

  app.post(
    '/experiments/create',
    { schema: { ...mlflow('create an experiment'), body: req({ name: { type: 'string', minLength: 1 }, artifact_location: str, tags: reqKeyValues }, ['name']), response: { 200: out({ experiment_id: str }) } } },
    async (r) => {
      const b = r.body as { name: string; artifact_location?: string; tags?: { key: string; value?: string }[] };
      return { experiment_id: await store.createExperiment(b.name, { artifactLocation: b.artifact_location || undefined, tags: fromKeyValues(b.tags) }) };
    },
  );

  app.get(
    '/experiments/get',
    { schema: { ...mlflow('get an experiment'), querystring: req({ experiment_id: { type: 'string', minLength: 1 } }, ['experiment_id']), response: { 200: out({ experiment: mlflowExperiment }) } } },
    async (r) => ({ experiment: toMlflowExperiment(await store.getExperiment((r.query as { experiment_id: string }).experiment_id)) }),
  );

  app.get(
    '/experiments/get-by-name',
    { schema: { ...mlflow('get an experiment by name'), querystring: req({ experiment_name: { type: 'string', minLength: 1 } }, ['experiment_name']), response: { 200: out({ experiment: mlflowExperiment }) } } },
    async (r) => {
      const name = (r.query as { experiment_name: string }).experiment_name;
      const e = await store.getExperimentByName(name);
      if (!e) throw new MlshipError('NOT_FOUND', `Could not find experiment with name '${name}'`, { field: 'experiment_name', value: name });
      return { experiment: toMlflowExperiment(e) };
    },
  );

  type ExperimentSearch = MlflowSearch & { view_type?: ViewType };
  const searchExperiments = async (q: ExperimentSearch) => {
    const page = await store.searchExperiments({ viewType: q.view_type, ...searchOptions(q) });
    return { experiments: page.items.map(toMlflowExperiment), next_page_token: page.nextPageToken };
  };
  const searchExperimentsSchema = {
    ...mlflow('search experiments'),
    response: { 200: out({ experiments: arr(mlflowExperiment), next_page_token: str }, ['experiments']) },
  };
  const searchExperimentsFields = { ...searchFields, view_type: viewType };
  app.post('/experiments/search', { schema: { ...searchExperimentsSchema, body: req(searchExperimentsFields) } }, async (r) => searchExperiments(r.body as ExperimentSearch));
  app.get('/experiments/search', { schema: { ...searchExperimentsSchema, querystring: req(searchExperimentsFields) } }, async (r) => searchExperiments(r.query as ExperimentSearch));

  const experimentIdBody = req({ experiment_id: { type: 'string', minLength: 1 } }, ['experiment_id']);
  app.post('/experiments/delete', { schema: { ...mlflow('delete an experiment (restorable)'), body: experimentIdBody, response: okOut } }, async (r) => {
    await store.deleteExperiment((r.body as { experiment_id: string }).experiment_id);
    return {};
  });
  app.post('/experiments/restore', { schema: { ...mlflow('restore an experiment'), body: experimentIdBody, response: okOut } }, async (r) => {
    await store.restoreExperiment((r.body as { experiment_id: string }).experiment_id);
    return {};
  });
  app.post(
    '/experiments/update',
    { schema: { ...mlflow('rename an experiment'), body: req({ experiment_id: { type: 'string', minLength: 1 }, new_name: { type: 'string', minLength: 1 } }, ['experiment_id']), response: okOut } },
    async (r) => {
      const b = r.body as { experiment_id: string; new_name?: string };
      if (b.new_name !== undefined) await store.renameExperiment(b.experiment_id, b.new_name);
      return {};
    },
  );
  app.post(
    '/experiments/set-experiment-tag',
    { schema: { ...mlflow('set an experiment tag'), body: req({ experiment_id: { type: 'string', minLength: 1 }, key: { type: 'string', minLength: 1 }, value: str }, ['experiment_id', 'key', 'value']), response: okOut } },
    async (r) => {
      const b = r.body as { experiment_id: string; key: string; value: string };
      await store.setExperimentTag(b.experiment_id, b.key, b.value);
      return {};
    },
  );

  // ---------------------------------------------------------------- runs

  app.post(
    '/runs/create',
    {
      schema: {
        ...mlflow('create a run'),
        body: req({ experiment_id: str, user_id: str, run_name: str, start_time: s64, tags: reqKeyValues }),
        response: { 200: out({ run: mlflowRun }) },
      },
    },
    async (r) => {
      const b = r.body as { experiment_id?: string; user_id?: string; run_name?: string; start_time?: number; tags?: { key: string; value?: string }[] };
      const runTags = fromKeyValues(b.tags);
      const run = await store.createRun({
        experimentId: b.experiment_id || undefined,
        userId: b.user_id || runTags['mlflow.user'] || null,
        runName: b.run_name || runTags['mlflow.runName'] || undefined,
        startTime: b.start_time,
        tags: runTags,
        parentRunId: runTags['mlflow.parentRunId'] || null,
        sourceCommit: runTags['mlflow.source.git.commit'] || null,
      });
      return { run: toMlflowRun(run) };
    },
  );

  app.get('/runs/get', { schema: { ...mlflow('get a run'), querystring: req(runIdFields), response: { 200: out({ run: mlflowRun }) } } }, async (r) => ({
    run: toMlflowRun(await store.getRun(runIdOf(r.query as { run_id?: string }))),
  }));

  app.post(
    '/runs/update',
    { schema: { ...mlflow('update a run: status, end time, name'), body: req({ ...runIdFields, status: str, end_time: s64, run_name: str }), response: { 200: out({ run_info: mlflowRunInfo }) } } },
    async (r) => {
      const b = r.body as { run_id?: string; run_uuid?: string; status?: string; end_time?: number; run_name?: string };
      const info = await store.updateRun(runIdOf(b), { status: statusOf(b.status), endTime: b.end_time, runName: b.run_name || undefined });
      return { run_info: toMlflowRunInfo(info) };
    },
  );

  const runIdBody = req(runIdFields);
  app.post('/runs/delete', { schema: { ...mlflow('delete a run (restorable)'), body: runIdBody, response: okOut } }, async (r) => {
    await store.deleteRun(runIdOf(r.body as { run_id?: string }));
    return {};
  });
  app.post('/runs/restore', { schema: { ...mlflow('restore a run'), body: runIdBody, response: okOut } }, async (r) => {
    await store.restoreRun(runIdOf(r.body as { run_id?: string }));
    return {};
  });

  const metricFields = { key: { type: 'string', minLength: 1 }, value: metricValue, timestamp: s64, step: s64 };
  app.post('/runs/log-metric', { schema: { ...mlflow('log a metric'), body: req({ ...runIdFields, ...metricFields }, ['key', 'value']), response: okOut } }, async (r) => {
    const b = r.body as { run_id?: string; key: string; value: unknown; timestamp?: number; step?: number };
    const m = metricOf(b, 'metric');
    await store.logBatch(runIdOf(b), { metrics: [m] });
    return {};
  });

  /** The body of log-parameter and set-tag: a run and one key/value pair. */
  const runKeyValue = req({ ...runIdFields, key: { type: 'string', minLength: 1 }, value: str }, ['key', 'value']);
  type RunKeyValue = { run_id?: string; key: string; value: string };
  app.post('/runs/log-parameter', { schema: { ...mlflow('log a param'), body: runKeyValue, response: okOut } }, async (r) => {
    const b = r.body as RunKeyValue;
    await store.logParam(runIdOf(b), b.key, b.value);
    return {};
  });

  app.post(
    '/runs/set-tag',
    { schema: { ...mlflow('set a run tag'), body: runKeyValue, response: okOut } },
    async (r) => {
      const b = r.body as RunKeyValue;
      const runId = runIdOf(b);
      await store.setTag(runId, b.key, b.value);
      // MLflow keeps the run name in this tag too: renaming through it renames the run.
      if (b.key === 'mlflow.runName' && b.value.trim() !== '') await store.updateRun(runId, { runName: b.value });
      return {};
    },
  );

  app.post(
    '/runs/log-batch',
    {
      schema: {
        ...mlflow('log metrics, params and tags atomically'),
        body: req({ ...runIdFields, metrics: arr(req(metricFields, ['key', 'value'])), params: reqKeyValues, tags: reqKeyValues }),
        response: okOut,
      },
    },
    async (r) => {
      const b = r.body as { run_id?: string; metrics?: { key: string; value: unknown; timestamp?: number; step?: number }[]; params?: { key: string; value?: string }[]; tags?: { key: string; value?: string }[] };
      await store.logBatch(runIdOf(b), {
        metrics: b.metrics?.map((m, i) => metricOf(m, `metrics[${i}]`)),
        params: b.params?.map((p) => ({ key: p.key, value: p.value ?? '' })),
        tags: b.tags?.map((t) => ({ key: t.key, value: t.value ?? '' })),
      });
      return {};
    },
  );

  app.post(
    '/runs/log-inputs',
    {
      schema: {
        ...mlflow('record the datasets a run read'),
        body: req({
          ...runIdFields,
          datasets: arr(
            req(
              {
                tags: reqKeyValues,
                dataset: req({ name: { type: 'string', minLength: 1 }, digest: { type: 'string', minLength: 1 }, source_type: str, source: str, schema: str, profile: str }, ['name', 'digest']),
              },
              ['dataset'],
            ),
          ),
        }),
        response: okOut,
      },
    },
    async (r) => {
      const b = r.body as { run_id?: string; datasets?: Parameters<typeof fromMlflowDataset>[0][] };
      await store.logInputs(runIdOf(b), (b.datasets ?? []).map(fromMlflowDataset));
      return {};
    },
  );

  app.post(
    '/runs/search',
    {
      schema: {
        ...mlflow('search runs'),
        body: req({ experiment_ids: stringList, run_view_type: viewType, ...searchFields }),
        response: { 200: out({ runs: arr(mlflowRun), next_page_token: str }, []) },
      },
    },
    async (r) => {
      const b = r.body as MlflowSearch & { experiment_ids?: string[]; run_view_type?: ViewType };
      const page = await store.searchRuns({ experimentIds: b.experiment_ids, runViewType: b.run_view_type, ...searchOptions(b) });
      return { runs: page.items.map(toMlflowRun), next_page_token: page.nextPageToken };
    },
  );

  app.get(
    '/metrics/get-history',
    {
      schema: {
        ...mlflow('every logged value of a metric'),
        querystring: req({ ...runIdFields, metric_key: { type: 'string', minLength: 1 }, max_results: s64, page_token: str }, ['metric_key']),
        response: { 200: out({ metrics: arr(mlflowMetric), next_page_token: str }, ['metrics']) },
      },
    },
    async (r) => {
      const q = r.query as { run_id?: string; metric_key: string; max_results?: number; page_token?: string };
      const history = (await store.getMetricHistory(runIdOf(q), q.metric_key)).map(toMlflowMetric);
      const page = pageOf(history, q.max_results ?? Math.max(history.length, 1), q.page_token);
      return { metrics: page.items, next_page_token: page.next };
    },
  );

  // ---------------------------------------------------------------- model registry

  /** A GET search of the registry: MLflow's search fields in the query, `{ <list>: [...], next_page_token }` out. */
  const searchRoute = <T>(
    path: string,
    what: string,
    list: string,
    item: Schema,
    search: (options: ReturnType<typeof searchOptions>) => Promise<Page<T>>,
    convert: (items: T[]) => unknown[] | Promise<unknown[]>,
  ): void => {
    app.get(path, { schema: { ...mlflow(`search ${what}`), querystring: req(searchFields), response: { 200: out({ [list]: arr(item), next_page_token: str }, []) } } }, async (r) => {
      const page = await search(searchOptions(r.query as MlflowSearch));
      return { [list]: await convert(page.items), next_page_token: page.nextPageToken };
    });
  };

  const nameField = { name: { type: 'string', minLength: 1 } };
  const latestOf = async (m: RegisteredModel): Promise<ModelVersion | null> => (m.latestVersion === null ? null : registry.getModelVersion(m.name, m.latestVersion).catch(() => null));
  const registeredModelOut = { 200: out({ registered_model: mlflowRegisteredModel }) };

  app.post(
    '/registered-models/create',
    { schema: { ...mlflow('create a registered model'), body: req({ ...nameField, tags: reqKeyValues, description: str }, ['name']), response: registeredModelOut } },
    async (r) => {
      const b = r.body as { name: string; tags?: { key: string; value?: string }[]; description?: string };
      const m = await registry.createRegisteredModel(b.name, { description: b.description, tags: fromKeyValues(b.tags) });
      return { registered_model: toMlflowRegisteredModel(m, null) };
    },
  );

  app.get('/registered-models/get', { schema: { ...mlflow('get a registered model'), querystring: req(nameField, ['name']), response: registeredModelOut } }, async (r) => {
    const m = await registry.getRegisteredModel((r.query as { name: string }).name);
    return { registered_model: toMlflowRegisteredModel(m, await latestOf(m)) };
  });

  searchRoute('/registered-models/search', 'registered models', 'registered_models', mlflowRegisteredModel, (o) => registry.searchRegisteredModels(o), async (models) => {
    const converted: Record<string, unknown>[] = [];
    for (const m of models) converted.push(toMlflowRegisteredModel(m, await latestOf(m)));
    return converted;
  });

  app.delete('/registered-models/delete', { schema: { ...mlflow('delete a registered model'), body: req(nameField, ['name']), response: okOut } }, async (r) => {
    await client.deleteRegisteredModel((r.body as { name: string }).name);
    return {};
  });

  const modelVersionOut = { 200: out({ model_version: mlflowModelVersion }) };
  app.post(
    '/model-versions/create',
    {
      schema: {
        ...mlflow('create a model version'),
        body: req({ ...nameField, source: { type: 'string', minLength: 1 }, run_id: str, tags: reqKeyValues, run_link: str, description: str }, ['name', 'source']),
        response: modelVersionOut,
      },
    },
    async (r) => {
      const b = r.body as { name: string; source: string; run_id?: string; tags?: { key: string; value?: string }[]; description?: string };
      const v = await registry.createModelVersion(b.name, { source: b.source, runId: b.run_id || null, description: b.description, tags: fromKeyValues(b.tags) });
      return { model_version: toMlflowModelVersion(v) };
    },
  );

  app.get(
    '/model-versions/get',
    { schema: { ...mlflow('get a model version'), querystring: req({ ...nameField, version: { type: 'integer', minimum: 1 } }, ['name', 'version']), response: modelVersionOut } },
    async (r) => {
      const q = r.query as { name: string; version: number };
      return { model_version: toMlflowModelVersion(await registry.getModelVersion(q.name, q.version)) };
    },
  );

  searchRoute('/model-versions/search', 'model versions', 'model_versions', mlflowModelVersion, (o) => registry.searchModelVersions(o), (versions) => versions.map(toMlflowModelVersion));

  app.patch(
    '/registered-models/update',
    { schema: { ...mlflow("change a registered model's description"), body: req({ ...nameField, description: str }, ['name']), response: registeredModelOut } },
    async (r) => {
      const b = r.body as { name: string; description?: string };
      const m = b.description === undefined ? await registry.getRegisteredModel(b.name) : await registry.updateRegisteredModel(b.name, { description: b.description });
      return { registered_model: toMlflowRegisteredModel(m, await latestOf(m)) };
    },
  );

  app.post(
    '/registered-models/rename',
    { schema: { ...mlflow('rename a registered model'), body: req({ ...nameField, new_name: { type: 'string', minLength: 1 } }, ['name', 'new_name']), response: registeredModelOut } },
    async (r) => {
      const b = r.body as { name: string; new_name: string };
      const m = await registry.renameRegisteredModel(b.name, b.new_name);
      return { registered_model: toMlflowRegisteredModel(m, await latestOf(m)) };
    },
  );

  app.post(
    '/registered-models/set-tag',
    { schema: { ...mlflow('set a registered model tag'), body: req({ ...nameField, key: { type: 'string', minLength: 1 }, value: str }, ['name', 'key', 'value']), response: okOut } },
    async (r) => {
      const b = r.body as { name: string; key: string; value: string };
      await registry.setRegisteredModelTag(b.name, b.key, b.value);
      return {};
    },
  );

  const versionField = { version: { type: 'integer', minimum: 1 } };
  app.patch(
    '/model-versions/update',
    { schema: { ...mlflow("change a model version's description"), body: req({ ...nameField, ...versionField, description: str }, ['name', 'version']), response: modelVersionOut } },
    async (r) => {
      const b = r.body as { name: string; version: number; description?: string };
      const v = b.description === undefined ? await registry.getModelVersion(b.name, b.version) : await registry.updateModelVersion(b.name, b.version, { description: b.description });
      return { model_version: toMlflowModelVersion(v) };
    },
  );

  app.post(
    '/model-versions/set-tag',
    {
      schema: { ...mlflow('set a model version tag'), body: req({ ...nameField, ...versionField, key: { type: 'string', minLength: 1 }, value: str }, ['name', 'version', 'key', 'value']), response: okOut },
    },
    async (r) => {
      const b = r.body as { name: string; version: number; key: string; value: string };
      await registry.setModelVersionTag(b.name, b.version, b.key, b.value);
      return {};
    },
  );

  app.delete('/model-versions/delete', { schema: { ...mlflow('delete a model version'), body: req({ ...nameField, ...versionField }, ['name', 'version']), response: okOut } }, async (r) => {
    const b = r.body as { name: string; version: number };
    await registry.deleteModelVersion(b.name, b.version);
    return {};
  });

  const aliasField = { alias: { type: 'string', minLength: 1 } };
  app.post(
    '/registered-models/alias',
    { schema: { ...mlflow('point an alias at a version'), body: req({ ...nameField, ...aliasField, version: { type: 'integer', minimum: 1 } }, ['name', 'alias', 'version']), response: okOut } },
    async (r) => {
      const b = r.body as { name: string; alias: string; version: number };
      await registry.setAlias(b.name, b.alias, b.version);
      return {};
    },
  );
  app.delete('/registered-models/alias', { schema: { ...mlflow('delete an alias'), body: req({ ...nameField, ...aliasField }, ['name', 'alias']), response: okOut } }, async (r) => {
    const b = r.body as { name: string; alias: string };
    await registry.deleteAlias(b.name, b.alias);
    return {};
  });
  app.get(
    '/registered-models/get-model-version-by-alias',
    { schema: { ...mlflow('get the version an alias points to'), querystring: req({ ...nameField, ...aliasField }, ['name', 'alias']), response: modelVersionOut } },
    async (r) => {
      const q = r.query as { name: string; alias: string };
      return { model_version: toMlflowModelVersion(await registry.getModelVersionByAlias(q.name, q.alias)) };
    },
  );
}

/**
 * mlship's tracking API under `/api/v1`: experiments and runs (create, read, update, delete,
 * restore, purge), logging (metrics, params, tags, batches, dataset inputs), metric history and
 * run search.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MlshipError } from '../../core/index.js';
import type { DatasetInput, LogBatch, MetricInput, RunStatus, SearchExperimentsOptions, SearchRunsOptions } from '../../tracking/index.js';
import type { ServeContext } from '../context.js';
import {
  arr,
  experimentSchema,
  int,
  jsonMetrics,
  jsonRun,
  maxResults,
  metricSchema,
  metricValue,
  nonEmpty,
  nullableStr,
  obj,
  ok,
  out,
  pageToken,
  parseJsonNumber,
  runInfoSchema,
  runSchema,
  searchFields,
  str,
  stringMap,
} from '../schemas.js';

const viewType = { type: 'string', enum: ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] } as const;
const status = { type: 'string', enum: ['RUNNING', 'FINISHED', 'FAILED', 'KILLED'] } as const;
const experimentIdParams = obj({ experimentId: nonEmpty }, ['experimentId']);
const runIdParams = obj({ runId: nonEmpty }, ['runId']);
const metricInput = obj({ key: nonEmpty, value: metricValue, step: int, timestamp: int }, ['key', 'value']);
const paramInput = obj({ key: nonEmpty, value: { type: ['string', 'number', 'boolean'] } }, ['key', 'value']);
const tagInput = obj({ key: nonEmpty, value: str }, ['key', 'value']);
const datasetInput = obj(
  { name: nonEmpty, digest: nonEmpty, source: nullableStr, schema: {}, rowCount: { type: ['integer', 'null'], minimum: 0 }, context: nullableStr },
  ['name', 'digest'],
);
const experimentOut = { 200: out({ experiment: experimentSchema }) };
const runOut = { 200: out({ run: runSchema }) };
const runInfoOut = { 200: out({ runInfo: runInfoSchema }) };
const okOut = { 200: ok };

/** A metric value from JSON (a number or "NaN"/"Infinity"/"-Infinity"); INVALID_ARGUMENT naming `field` otherwise. */
export function metricNumber(v: unknown, field: string): number {
  const n = parseJsonNumber(v);
  if (n === null) throw new MlshipError('INVALID_ARGUMENT', `${field} must be a number or "NaN", "Infinity", "-Infinity", got ${JSON.stringify(v)}`, { field, value: v });
  return n;
}

function toMetrics(metrics: { key: string; value: unknown; step?: number; timestamp?: number }[], field: string): MetricInput[] {
  return metrics.map((m, i) => ({ key: m.key, value: metricNumber(m.value, `${field}[${i}].value`), step: m.step, timestamp: m.timestamp }));
}

/**
 * Registers the experiment and run routes on `app` (mounted under `/api/v1` by `createApp`).
 *
 * @example
 * ```ts
 * app.register(trackingRoutes, { prefix: '/api/v1', client });
 * ```
 */
export async function trackingRoutes(app: FastifyInstance, { client }: ServeContext): Promise<void> {
  const store = client.tracking;
  const tags = ['experiments'];

  /** `DELETE /<kind>s/:<param>` (soft delete, restorable) and `POST /<kind>s/:<param>/restore`. */
  const softDeleteRoutes = (param: 'experimentId' | 'runId', o: { what: string; tags: string[]; remove: (id: string) => Promise<void>; restore: (id: string) => Promise<void> }): void => {
    const path = param === 'experimentId' ? '/experiments/:experimentId' : '/runs/:runId';
    const params = param === 'experimentId' ? experimentIdParams : runIdParams;
    const id = (req: FastifyRequest): string => (req.params as Record<string, string>)[param]!;
    app.delete(path, { schema: { summary: `Soft-delete ${o.what} (restorable)`, tags: o.tags, params, response: okOut } }, async (req) => {
      await o.remove(id(req));
      return {};
    });
    app.post(`${path}/restore`, { schema: { summary: `Restore ${o.what.replace(/^an? /, 'a soft-deleted ')}`, tags: o.tags, params, response: okOut } }, async (req) => {
      await o.restore(id(req));
      return {};
    });
  };

  app.post(
    '/experiments',
    {
      schema: {
        summary: 'Create an experiment',
        tags,
        body: obj({ name: nonEmpty, artifactLocation: nonEmpty, tags: stringMap }, ['name']),
        response: { 201: out({ experimentId: str, experiment: experimentSchema }) },
      },
    },
    async (req, reply) => {
      const b = req.body as { name: string; artifactLocation?: string; tags?: Record<string, string> };
      const experimentId = await store.createExperiment(b.name, { artifactLocation: b.artifactLocation, tags: b.tags });
      reply.code(201);
      return { experimentId, experiment: await store.getExperiment(experimentId) };
    },
  );

  app.get(
    '/experiments',
    {
      schema: {
        summary: 'List or search experiments (paged; creation order unless orderBy is given)',
        tags,
        querystring: obj({ viewType, ...searchFields('experiment', "name LIKE 'housing%' AND (tags.team = 'pricing' OR tags.team = 'ml')"), maxResults, pageToken }),
        response: { 200: out({ experiments: arr(experimentSchema), nextPageToken: str }, ['experiments']) },
      },
    },
    async (req) => {
      const page = await store.searchExperiments(req.query as SearchExperimentsOptions);
      return { experiments: page.items, nextPageToken: page.nextPageToken };
    },
  );

  app.get(
    '/experiments/by-name/:name',
    { schema: { summary: 'Get an experiment by its exact name', tags, params: obj({ name: nonEmpty }, ['name']), response: experimentOut } },
    async (req) => {
      const { name } = req.params as { name: string };
      const experiment = await store.getExperimentByName(name);
      if (!experiment) throw new MlshipError('NOT_FOUND', `no experiment named '${name}'; list them with GET /api/v1/experiments`, { field: 'name', value: name });
      return { experiment };
    },
  );

  app.get('/experiments/:experimentId', { schema: { summary: 'Get an experiment', tags, params: experimentIdParams, response: experimentOut } }, async (req) => {
    const { experimentId } = req.params as { experimentId: string };
    return { experiment: await store.getExperiment(experimentId) };
  });

  app.patch(
    '/experiments/:experimentId',
    { schema: { summary: 'Rename an experiment', tags, params: experimentIdParams, body: obj({ name: nonEmpty }, ['name']), response: experimentOut } },
    async (req) => {
      const { experimentId } = req.params as { experimentId: string };
      await store.renameExperiment(experimentId, (req.body as { name: string }).name);
      return { experiment: await store.getExperiment(experimentId) };
    },
  );

  app.post(
    '/experiments/:experimentId/tags',
    { schema: { summary: 'Set an experiment tag', tags, params: experimentIdParams, body: tagInput, response: okOut } },
    async (req) => {
      const { experimentId } = req.params as { experimentId: string };
      const b = req.body as { key: string; value: string };
      await store.setExperimentTag(experimentId, b.key, b.value);
      return {};
    },
  );

  softDeleteRoutes('experimentId', { what: 'an experiment and its runs', tags, remove: (id) => store.deleteExperiment(id), restore: (id) => store.restoreExperiment(id) });

  app.post(
    '/experiments/:experimentId/purge',
    {
      schema: {
        summary: 'Hard-delete a soft-deleted experiment and its artifacts; the name can be reused',
        tags,
        params: experimentIdParams,
        response: { 200: out({ removedArtifactLocations: arr(str) }) },
      },
    },
    async (req) => {
      const locations = await client.purgeExperiment((req.params as { experimentId: string }).experimentId);
      return { removedArtifactLocations: locations };
    },
  );

  // ---------------------------------------------------------------- runs
  const runTags = ['runs'];

  app.post(
    '/runs',
    {
      schema: {
        summary: 'Create a run',
        description: 'Give experimentId, or experimentName (created when missing); neither means the Default experiment.',
        tags: runTags,
        body: obj({
          experimentId: nonEmpty,
          experimentName: nonEmpty,
          runName: nonEmpty,
          startTime: int,
          tags: stringMap,
          parentRunId: nullableStr,
          userId: nullableStr,
          sourceCommit: nullableStr,
          sourceDirty: { type: ['boolean', 'null'] },
        }),
        response: { 201: out({ run: runSchema }) },
      },
    },
    async (req, reply) => {
      const { experimentName, ...b } = req.body as { experimentId?: string; experimentName?: string; runName?: string; startTime?: number; tags?: Record<string, string>; parentRunId?: string | null; userId?: string | null; sourceCommit?: string | null; sourceDirty?: boolean | null };
      if (experimentName !== undefined && b.experimentId !== undefined) {
        throw new MlshipError('INVALID_ARGUMENT', 'body.experimentId and body.experimentName are exclusive: give one of them', { field: 'experimentName' });
      }
      const experimentId = experimentName !== undefined ? await store.getOrCreateExperiment(experimentName) : b.experimentId;
      const run = await store.createRun({ ...b, experimentId });
      reply.code(201);
      return { run: jsonRun(run) };
    },
  );

  app.post(
    '/runs/search',
    {
      schema: {
        summary: 'Search runs with a filter, an order and paging',
        description: "filter is the search language, e.g. `metrics.rmse < 3 AND params.model = 'rf'`; orderBy items such as `metrics.rmse ASC`.",
        tags: runTags,
        body: obj({ experimentIds: arr(nonEmpty), ...searchFields('run', "metrics.rmse < 3 AND (params.model = 'rf' OR tags.stage = 'prod')"), maxResults, pageToken, runViewType: viewType }),
        response: { 200: out({ runs: arr(runSchema), nextPageToken: str }, ['runs']) },
      },
    },
    async (req) => {
      const page = await store.searchRuns(req.body as SearchRunsOptions);
      return { runs: page.items.map(jsonRun), nextPageToken: page.nextPageToken };
    },
  );

  app.get('/runs/:runId', { schema: { summary: 'Get a run: info, latest metrics, params, tags and dataset inputs', tags: runTags, params: runIdParams, response: runOut } }, async (req) => {
    return { run: jsonRun(await store.getRun((req.params as { runId: string }).runId)) };
  });

  app.patch(
    '/runs/:runId',
    { schema: { summary: 'Update a run: status, end time, name', tags: runTags, params: runIdParams, body: obj({ status, endTime: { type: ['integer', 'null'] }, runName: nonEmpty }), response: runInfoOut } },
    async (req) => {
      const runInfo = await store.updateRun((req.params as { runId: string }).runId, req.body as { status?: RunStatus; endTime?: number | null; runName?: string });
      return { runInfo };
    },
  );

  app.post(
    '/runs/:runId/end',
    { schema: { summary: 'End a run (status FINISHED unless given) and set its end time', tags: runTags, params: runIdParams, body: obj({ status }), response: runInfoOut } },
    async (req) => {
      const runInfo = await store.endRun((req.params as { runId: string }).runId, (req.body as { status?: RunStatus }).status ?? 'FINISHED');
      return { runInfo };
    },
  );

  softDeleteRoutes('runId', { what: 'a run', tags: runTags, remove: (id) => store.deleteRun(id), restore: (id) => store.restoreRun(id) });

  app.post(
    '/runs/:runId/log-batch',
    {
      schema: {
        summary: 'Log metrics, params and tags atomically (all or nothing)',
        tags: runTags,
        params: runIdParams,
        body: obj({ metrics: arr(metricInput), params: arr(paramInput), tags: arr(tagInput) }),
        response: okOut,
      },
    },
    async (req) => {
      const b = req.body as { metrics?: { key: string; value: unknown; step?: number; timestamp?: number }[]; params?: { key: string; value: string | number | boolean }[]; tags?: { key: string; value: string }[] };
      const batch: LogBatch = {
        metrics: b.metrics ? toMetrics(b.metrics, 'body.metrics') : undefined,
        params: b.params?.map((p) => ({ key: p.key, value: String(p.value) })),
        tags: b.tags,
      };
      await store.logBatch((req.params as { runId: string }).runId, batch);
      return {};
    },
  );

  app.post('/runs/:runId/metrics', { schema: { summary: 'Log one metric value', tags: runTags, params: runIdParams, body: metricInput, response: okOut } }, async (req) => {
    const b = req.body as { key: string; value: unknown; step?: number; timestamp?: number };
    await store.logMetric((req.params as { runId: string }).runId, b.key, metricNumber(b.value, 'body.value'), { step: b.step, timestamp: b.timestamp });
    return {};
  });

  app.post('/runs/:runId/params', { schema: { summary: 'Log a param (immutable once logged)', tags: runTags, params: runIdParams, body: paramInput, response: okOut } }, async (req) => {
    const b = req.body as { key: string; value: string | number | boolean };
    await store.logParam((req.params as { runId: string }).runId, b.key, b.value);
    return {};
  });

  app.post('/runs/:runId/tags', { schema: { summary: 'Set a run tag (overwrites)', tags: runTags, params: runIdParams, body: tagInput, response: okOut } }, async (req) => {
    const b = req.body as { key: string; value: string };
    await store.setTag((req.params as { runId: string }).runId, b.key, b.value);
    return {};
  });

  app.get(
    '/runs/:runId/metrics/history',
    {
      schema: {
        summary: 'Every logged value of one metric, by step then timestamp',
        tags: runTags,
        params: runIdParams,
        querystring: obj({ key: nonEmpty }, ['key']),
        response: { 200: out({ metrics: arr(metricSchema) }) },
      },
    },
    async (req) => {
      const metrics = await store.getMetricHistory((req.params as { runId: string }).runId, (req.query as { key: string }).key);
      return { metrics: jsonMetrics(metrics) };
    },
  );

  app.post(
    '/runs/:runId/inputs',
    { schema: { summary: 'Record the datasets a run read', tags: runTags, params: runIdParams, body: obj({ inputs: arr(datasetInput) }, ['inputs']), response: okOut } },
    async (req) => {
      await store.logInputs((req.params as { runId: string }).runId, (req.body as { inputs: DatasetInput[] }).inputs);
      return {};
    },
  );
}

/**
 * mlship's model registry API under `/api/v1`: registered models, versions, aliases and their
 * history, promotion with a gate, rollback, lineage both ways, and model URI resolution.
 */
import type { FastifyInstance } from 'fastify';
import { MlshipError } from '../../core/index.js';
import type { AliasChange, PromoteOptions, SearchModelVersionsOptions, SearchRegistryOptions } from '../../tracking/index.js';
import type { ServeContext } from '../context.js';
import {
  aliasChangeSchema,
  arr,
  bool,
  datasetInputSchema,
  experimentSchema,
  int,
  jsonAliasChange,
  jsonNumber,
  jsonRun,
  maxResults,
  modelVersionSchema,
  nonEmpty,
  nullableInt,
  nullableStr,
  obj,
  ok,
  out,
  pageToken,
  registeredModelSchema,
  runInfoSchema,
  runSchema,
  searchFields,
  str,
  stringMap,
  type Schema,
} from '../schemas.js';

const version = { type: 'integer', minimum: 1 } as const;
const nameParams = obj({ name: nonEmpty }, ['name']);
const modelVersionSearch = searchFields('model_version', "version >= 3 AND (tags.validated = 'yes' OR run_id IN ('a1b2', 'c3d4'))");
const versionParams = obj({ name: nonEmpty, version }, ['name', 'version']);
const aliasParams = obj({ name: nonEmpty, alias: nonEmpty }, ['name', 'alias']);
const tagInput = obj({ key: nonEmpty, value: str }, ['key', 'value']);
const numberOrString = { type: ['number', 'string', 'null'] } as const;
const nullable = (s: Schema): Schema => ({ ...s, type: ['object', 'null'] });

const registeredModelOut = { 200: out({ registeredModel: registeredModelSchema }) };
const modelVersionOut = { 200: out({ modelVersion: modelVersionSchema }) };
const aliasChangeOut = { 200: out({ aliasChange: aliasChangeSchema }) };
const okOut = { 200: ok };

const promotionSchema = out({
  promoted: bool,
  alias: str,
  version: int,
  previousVersion: nullableInt,
  metric: str,
  value: numberOrString,
  previousValue: numberOrString,
  margin: { type: 'number' },
  mode: { type: 'string', enum: ['min', 'max'] },
  forced: bool,
  message: str,
});

const lineageSchema = out({
  modelVersion: modelVersionSchema,
  run: nullable(runSchema),
  experiment: nullable(experimentSchema),
  datasets: arr(datasetInputSchema),
  code: out({ commit: nullableStr, dirty: { type: ['boolean', 'null'] } }),
  aliasHistory: arr(aliasChangeSchema),
});

const datasetLineageSchema = out({ digest: str, runs: arr(runInfoSchema), modelVersions: arr(modelVersionSchema) });

const resolvedSchema = out({ uri: str, path: str, name: nullableStr, version: nullableInt, runId: nullableStr });

const num = (v: number | null): number | string | null => (v === null ? null : jsonNumber(v));

/**
 * Registers the registry routes on `app` (mounted under `/api/v1` by `createApp`).
 *
 * @example
 * ```ts
 * app.register(registryRoutes, { prefix: '/api/v1', client });
 * ```
 */
export async function registryRoutes(app: FastifyInstance, { client }: ServeContext): Promise<void> {
  const registry = client.registry;
  const tags = ['registry'];

  app.post(
    '/registered-models',
    {
      schema: { summary: 'Create a registered model', tags, body: obj({ name: nonEmpty, description: str, tags: stringMap }, ['name']), response: { 201: out({ registeredModel: registeredModelSchema }) } },
    },
    async (req, reply) => {
      const b = req.body as { name: string; description?: string; tags?: Record<string, string> };
      const registeredModel = await registry.createRegisteredModel(b.name, { description: b.description, tags: b.tags });
      reply.code(201);
      return { registeredModel };
    },
  );

  app.get(
    '/registered-models',
    {
      schema: {
        summary: 'List or search registered models (paged; by name unless orderBy is given)',
        tags,
        querystring: obj({
          nameLike: { type: 'string', description: "SQL LIKE pattern: '%' any run of characters, '_' one character; combined with filter by AND" },
          ...searchFields('registered_model', "name LIKE 'housing%' AND (tags.stage = 'prod' OR tags.team ILIKE '%ml%')"),
          maxResults,
          pageToken,
        }),
        response: { 200: out({ registeredModels: arr(registeredModelSchema), nextPageToken: str }, ['registeredModels']) },
      },
    },
    async (req) => {
      const page = await registry.searchRegisteredModels(req.query as SearchRegistryOptions);
      return { registeredModels: page.items, nextPageToken: page.nextPageToken };
    },
  );

  app.get('/registered-models/:name', { schema: { summary: 'Get a registered model', tags, params: nameParams, response: registeredModelOut } }, async (req) => {
    return { registeredModel: await registry.getRegisteredModel((req.params as { name: string }).name) };
  });

  app.patch(
    '/registered-models/:name',
    { schema: { summary: 'Rename a registered model or change its description', tags, params: nameParams, body: obj({ newName: nonEmpty, description: str }), response: registeredModelOut } },
    async (req) => {
      let { name } = req.params as { name: string };
      const b = req.body as { newName?: string; description?: string };
      let registeredModel = b.newName !== undefined ? await registry.renameRegisteredModel(name, b.newName) : await registry.getRegisteredModel(name);
      name = registeredModel.name;
      if (b.description !== undefined) registeredModel = await registry.updateRegisteredModel(name, { description: b.description });
      return { registeredModel };
    },
  );

  app.delete(
    '/registered-models/:name',
    {
      schema: {
        summary: 'Delete a registered model, its versions, aliases and history (the name can be reused)',
        description: 'The model copies the registry made (under <artifactRoot>/registry/) are deleted too and listed in `removedSources`; packages elsewhere (run artifacts) are left alone.',
        tags,
        params: nameParams,
        response: { 200: out({ removedSources: arr(str) }) },
      },
    },
    async (req) => ({ removedSources: await client.deleteRegisteredModel((req.params as { name: string }).name) }),
  );

  app.post('/registered-models/:name/tags', { schema: { summary: 'Set a registered model tag', tags, params: nameParams, body: tagInput, response: okOut } }, async (req) => {
    const b = req.body as { key: string; value: string };
    await registry.setRegisteredModelTag((req.params as { name: string }).name, b.key, b.value);
    return {};
  });

  app.delete(
    '/registered-models/:name/tags/:key',
    { schema: { summary: 'Delete a registered model tag', tags, params: obj({ name: nonEmpty, key: nonEmpty }, ['name', 'key']), response: okOut } },
    async (req) => {
      const p = req.params as { name: string; key: string };
      await registry.deleteRegisteredModelTag(p.name, p.key);
      return {};
    },
  );

  // ---------------------------------------------------------------- versions

  app.post(
    '/registered-models/:name/versions',
    {
      schema: {
        summary: 'Register a new version',
        description:
          'Give modelUri (`runs:/<run-id>/model` or a path on the server: the package is copied into the registry), or source (a model package location already in place) with an optional runId.',
        tags,
        params: nameParams,
        body: obj({ modelUri: nonEmpty, source: nonEmpty, runId: { type: ['string', 'null'], minLength: 1 }, description: str, tags: stringMap }),
        response: { 201: out({ modelVersion: modelVersionSchema }) },
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const b = req.body as { modelUri?: string; source?: string; runId?: string | null; description?: string; tags?: Record<string, string> };
      if ((b.modelUri === undefined) === (b.source === undefined)) {
        throw new MlshipError('INVALID_ARGUMENT', 'give exactly one of body.modelUri (runs:/<run-id>/model or a server path, copied into the registry) and body.source (a package already in place)', {
          field: 'modelUri',
        });
      }
      if (b.modelUri !== undefined && b.runId !== undefined) {
        throw new MlshipError('INVALID_ARGUMENT', 'body.runId goes with body.source; with body.modelUri the run comes from the URI (runs:/<run-id>/model)', { field: 'runId' });
      }
      const modelVersion =
        b.modelUri !== undefined
          ? await client.registerModel(b.modelUri, name, { description: b.description, tags: b.tags })
          : await registry.createModelVersion(name, { source: b.source!, runId: b.runId ?? null, description: b.description, tags: b.tags });
      reply.code(201);
      return { modelVersion };
    },
  );

  app.get(
    '/registered-models/:name/versions',
    {
      schema: {
        summary: "A model's versions (paged; highest version first unless orderBy is given)",
        tags,
        params: nameParams,
        querystring: obj({ ...modelVersionSearch, maxResults, pageToken }),
        response: { 200: out({ modelVersions: arr(modelVersionSchema), nextPageToken: str }, ['modelVersions']) },
      },
    },
    async (req) => {
      const { name } = req.params as { name: string };
      await registry.getRegisteredModel(name); // NOT_FOUND for an unknown model, rather than an empty list
      const page = await registry.searchModelVersions({ ...(req.query as Omit<SearchModelVersionsOptions, 'name'>), name });
      return { modelVersions: page.items, nextPageToken: page.nextPageToken };
    },
  );

  app.get(
    '/model-versions',
    {
      schema: {
        summary: 'Search model versions across models (paged; newest first unless orderBy is given)',
        description: 'name (one model) and runId (repeatable: versions produced by these runs) combine with filter by AND.',
        tags,
        querystring: obj({ name: nonEmpty, runId: arr(nonEmpty), ...modelVersionSearch, maxResults, pageToken }),
        response: { 200: out({ modelVersions: arr(modelVersionSchema), nextPageToken: str }, ['modelVersions']) },
      },
    },
    async (req) => {
      const { runId, ...q } = req.query as Omit<SearchModelVersionsOptions, 'runIds'> & { runId?: string[] };
      const page = await registry.searchModelVersions({ ...q, runIds: runId });
      return { modelVersions: page.items, nextPageToken: page.nextPageToken };
    },
  );

  app.get('/registered-models/:name/versions/:version', { schema: { summary: 'Get a model version', tags, params: versionParams, response: modelVersionOut } }, async (req) => {
    const p = req.params as { name: string; version: number };
    return { modelVersion: await registry.getModelVersion(p.name, p.version) };
  });

  app.patch(
    '/registered-models/:name/versions/:version',
    { schema: { summary: "Change a model version's description", tags, params: versionParams, body: obj({ description: str }, ['description']), response: modelVersionOut } },
    async (req) => {
      const p = req.params as { name: string; version: number };
      return { modelVersion: await registry.updateModelVersion(p.name, p.version, req.body as { description: string }) };
    },
  );

  app.delete(
    '/registered-models/:name/versions/:version',
    {
      schema: {
        summary: 'Delete a model version (CONFLICT while an alias points at it)',
        tags,
        params: versionParams,
        response: { 200: out({ source: str }) },
      },
    },
    async (req) => {
      const p = req.params as { name: string; version: number };
      return { source: await registry.deleteModelVersion(p.name, p.version) };
    },
  );

  app.post('/registered-models/:name/versions/:version/tags', { schema: { summary: 'Set a model version tag', tags, params: versionParams, body: tagInput, response: okOut } }, async (req) => {
    const p = req.params as { name: string; version: number };
    const b = req.body as { key: string; value: string };
    await registry.setModelVersionTag(p.name, p.version, b.key, b.value);
    return {};
  });

  // ---------------------------------------------------------------- aliases, promotion, rollback

  app.put(
    '/registered-models/:name/aliases/:alias',
    {
      schema: {
        summary: 'Point an alias at a version (recorded in the alias history)',
        description: 'expectedVersion makes it a compare-and-set: the alias must point there now (null: must not exist), else CONFLICT.',
        tags,
        params: aliasParams,
        body: obj({ version, expectedVersion: { type: ['integer', 'null'], minimum: 1 }, reason: nullableStr }, ['version']),
        response: aliasChangeOut,
      },
    },
    async (req) => {
      const p = req.params as { name: string; alias: string };
      const b = req.body as { version: number; expectedVersion?: number | null; reason?: string | null };
      return { aliasChange: jsonAliasChange(await registry.setAlias(p.name, p.alias, b.version, { expectedVersion: b.expectedVersion, reason: b.reason })) };
    },
  );

  app.get('/registered-models/:name/aliases/:alias', { schema: { summary: 'The version an alias points to', tags, params: aliasParams, response: modelVersionOut } }, async (req) => {
    const p = req.params as { name: string; alias: string };
    return { modelVersion: await registry.getModelVersionByAlias(p.name, p.alias) };
  });

  app.delete(
    '/registered-models/:name/aliases/:alias',
    { schema: { summary: 'Remove an alias (recorded in the alias history)', tags, params: aliasParams, body: obj({ reason: nullableStr, expectedVersion: { type: ['integer', 'null'], minimum: 1 } }), response: aliasChangeOut } },
    async (req) => {
      const p = req.params as { name: string; alias: string };
      return { aliasChange: jsonAliasChange(await registry.deleteAlias(p.name, p.alias, req.body as { reason?: string | null; expectedVersion?: number | null })) };
    },
  );

  app.get(
    '/registered-models/:name/alias-history',
    {
      schema: {
        summary: "Every change of the model's aliases (or of one alias), newest first",
        tags,
        params: nameParams,
        querystring: obj({ alias: nonEmpty }),
        response: { 200: out({ aliasHistory: arr(aliasChangeSchema) }) },
      },
    },
    async (req) => {
      const history: AliasChange[] = await registry.getAliasHistory((req.params as { name: string }).name, (req.query as { alias?: string }).alias);
      return { aliasHistory: history.map(jsonAliasChange) };
    },
  );

  app.post(
    '/registered-models/:name/versions/:version/promote',
    {
      schema: {
        summary: 'Promote a version to an alias (champion by default) if it beats the holder on a metric',
        description:
          "The gate compares the latest value of `metric` in the candidate's run with the holder's: the candidate must be better by more than `margin`. `force` skips the gate (recorded). A concurrent move of the alias is CONFLICT.",
        tags,
        params: versionParams,
        body: obj({ alias: nonEmpty, metric: nonEmpty, mode: { type: 'string', enum: ['min', 'max'] }, margin: { type: 'number', minimum: 0 }, force: bool, reason: str }, ['metric']),
        response: { 200: out({ promotion: promotionSchema }) },
      },
    },
    async (req) => {
      const p = req.params as { name: string; version: number };
      const r = await client.promote(p.name, p.version, req.body as PromoteOptions);
      return { promotion: { ...r, value: num(r.value), previousValue: num(r.previousValue) } };
    },
  );

  app.post(
    '/registered-models/:name/rollback',
    {
      schema: {
        summary: 'Move an alias (champion by default) back to the version it pointed to before',
        tags,
        params: nameParams,
        body: obj({ alias: nonEmpty, reason: str }),
        response: aliasChangeOut,
      },
    },
    async (req) => {
      const b = req.body as { alias?: string; reason?: string };
      return { aliasChange: jsonAliasChange(await client.rollback((req.params as { name: string }).name, b.alias ?? 'champion', { reason: b.reason })) };
    },
  );

  // ---------------------------------------------------------------- lineage and URIs

  app.get(
    '/registered-models/:name/versions/:version/lineage',
    {
      schema: {
        summary: "A version's lineage: its run (params, metrics), experiment, datasets, code commit and alias history",
        tags: ['lineage'],
        params: versionParams,
        response: { 200: out({ lineage: lineageSchema }) },
      },
    },
    async (req) => {
      const p = req.params as { name: string; version: number };
      const l = await client.modelVersionLineage(p.name, p.version);
      return { lineage: { ...l, run: l.run ? jsonRun(l.run) : null, aliasHistory: l.aliasHistory.map(jsonAliasChange) } };
    },
  );

  app.get(
    '/datasets/:digest/lineage',
    {
      schema: {
        summary: 'The runs that read a dataset version and the model versions they produced',
        tags: ['lineage'],
        params: obj({ digest: nonEmpty }, ['digest']),
        response: { 200: out({ lineage: datasetLineageSchema }) },
      },
    },
    async (req) => ({ lineage: await client.datasetLineage((req.params as { digest: string }).digest) }),
  );

  app.get(
    '/models/resolve',
    {
      schema: {
        summary: 'Resolve a model URI to the local path of its package',
        description: 'models:/name@alias, models:/name/3, models:/name/latest, runs:/<run-id>/model, or a path on the server.',
        tags,
        querystring: obj({ uri: nonEmpty }, ['uri']),
        response: { 200: out({ resolved: resolvedSchema }) },
      },
    },
    async (req) => ({ resolved: await client.resolveModelUri((req.query as { uri: string }).uri) }),
  );
}

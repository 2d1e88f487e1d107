/**
 * The OpenAPI 3.1 document, generated from the routes' own Fastify schemas (collected with an
 * `onRoute` hook), so the description and the validation never drift apart.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_BODY_SCHEMA } from './errors.js';

declare module 'fastify' {
  // Documentation-only schema keys read by the OpenAPI generator (Fastify ignores them).
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    consumes?: string[];
    produces?: string[];
  }
}

/** What the generator keeps of one route. */
export interface RouteRecord {
  method: string;
  url: string;
  schema: RouteSchema;
}

/** The Fastify schema keys the generator reads (`summary`, `tags`, `consumes`, `produces` are documentation only). */
export interface RouteSchema {
  summary?: string;
  description?: string;
  tags?: string[];
  consumes?: string[];
  produces?: string[];
  params?: Record<string, any>;
  querystring?: Record<string, any>;
  body?: Record<string, any>;
  response?: Record<string, Record<string, any>>;
}

/**
 * Records every route registered on `app` from now on (HEAD routes Fastify adds for GET are
 * skipped). Call before the routes are registered.
 *
 * @example
 * ```ts
 * const routes = collectRoutes(app);
 * app.register(myRoutes);
 * await app.ready();
 * console.log(buildOpenApi(routes).paths);
 * ```
 */
export function collectRoutes(app: FastifyInstance): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue; // the HEAD twins Fastify derives from GET routes
      routes.push({ method: method.toUpperCase(), url: route.url, schema: (route.schema ?? {}) as RouteSchema });
    }
  });
  return routes;
}

/**
 * A Fastify route URL as an OpenAPI path: `/runs/:runId/artifacts/*` → `/runs/{runId}/artifacts/{path}`
 * (the wildcard is the `path` parameter).
 *
 * @example
 * ```ts
 * openApiPath('/api/v1/runs/:runId/metrics'); // '/api/v1/runs/{runId}/metrics'
 * ```
 */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{path}');
}

function parameters(where: 'path' | 'query', schema: Record<string, any> | undefined, url: string): unknown[] {
  const out: unknown[] = [];
  const props = (schema?.properties ?? {}) as Record<string, any>;
  const required = new Set<string>((schema?.required ?? []) as string[]);
  for (const [name, s] of Object.entries(props)) {
    if (name === '*') continue;
    const { description, ...rest } = s as { description?: string };
    out.push({ name, in: where, required: where === 'path' ? true : required.has(name), ...(description ? { description } : {}), schema: rest });
  }
  if (where === 'path') {
    const named = new Set(Object.keys(props));
    for (const m of url.matchAll(/:([A-Za-z0-9_]+)/g)) if (!named.has(m[1]!)) out.push({ name: m[1], in: 'path', required: true, schema: { type: 'string' } });
    if (url.endsWith('*')) out.push({ name: 'path', in: 'path', required: true, description: 'an artifact path, `/`-separated', schema: { type: 'string' } });
  }
  return out;
}

/**
 * Builds the OpenAPI 3.1 document of the recorded routes: path and query parameters, request
 * bodies, responses (with the error body as the `default` response), summaries and tags.
 *
 * @example
 * ```ts
 * const doc = buildOpenApi(routes, { title: 'mlship', version: '0.1.0' });
 * doc.openapi; // '3.1.0'
 * ```
 */
export function buildOpenApi(routes: readonly RouteRecord[], info: { title: string; version: string; description?: string } = { title: 'mlship', version: '0' }): Record<string, any> {
  const paths: Record<string, Record<string, unknown>> = {};
  const tags = new Set<string>();
  for (const r of routes) {
    if (r.method === 'HEAD' || r.method === 'OPTIONS') continue;
    const s = r.schema;
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${openApiPath(r.url).replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    };
    if (s.summary) op.summary = s.summary;
    if (s.description) op.description = s.description;
    if (s.tags) {
      op.tags = s.tags;
      for (const t of s.tags) tags.add(t);
    }
    const params = [...parameters('path', s.params, r.url), ...parameters('query', s.querystring, r.url)];
    if (params.length > 0) op.parameters = params;
    if (s.body) op.requestBody = { required: true, content: { 'application/json': { schema: s.body } } };
    else if (s.consumes?.length) op.requestBody = { required: true, content: Object.fromEntries(s.consumes.map((c) => [c, { schema: { type: 'string', contentMediaType: c } }])) };
    const responses: Record<string, unknown> = {};
    for (const [code, schema] of Object.entries(s.response ?? {})) {
      responses[code] = { description: (schema.description as string | undefined) ?? (code.startsWith('2') ? 'success' : 'error'), content: { 'application/json': { schema } } };
    }
    if (s.produces?.length) {
      responses['200'] = { description: 'the file', content: Object.fromEntries(s.produces.map((c) => [c, { schema: { type: 'string', contentMediaType: c } }])) };
    }
    if (Object.keys(responses).length === 0) responses['200'] = { description: 'success' };
    responses.default = { description: 'an error: `error_code` is the error code, `message` says what went wrong and what to do', content: { 'application/json': { schema: ERROR_BODY_SCHEMA } } };
    op.responses = responses;
    (paths[openApiPath(r.url)] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
  };
}

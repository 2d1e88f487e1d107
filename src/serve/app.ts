/**
 * The HTTP app: mlship's REST API under `/api/v1` (with its OpenAPI 3.1 document) and the MLflow
 * REST API 2.0 subset under `/api/2.0/mlflow`, on one Fastify instance serving one client.
 */
import { readFileSync } from 'node:fs';
import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { MlshipClient } from '../tracking/index.js';
import { toHttpError, toMlflowHttpError, type HttpError } from './errors.js';
import { buildOpenApi, collectRoutes } from './openapi.js';
import { artifactRoutes } from './routes/artifacts.js';
import { mlflowRoutes } from './routes/mlflow.js';
import { registryRoutes } from './routes/registry.js';
import { trackingRoutes } from './routes/tracking.js';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The client whose tracking, registry and artifact stores the app serves (the caller closes it). */
  client: MlshipClient;
  /** Fastify's request logging (pino, JSON lines on stdout). Off by default: it costs throughput. @default false */
  logger?: boolean;
  /** Largest JSON request body, in bytes. @default 16 MiB */
  bodyLimit?: number;
  /** Largest artifact upload, in bytes. @default 1 GiB */
  maxUploadBytes?: number;
  /**
   * Called with every error that is not an `MlshipError` (a bug): the client only gets a generic
   * 500. @default writes `mlship server: <METHOD> <url>: <stack>` to stderr
   */
  onInternalError?: (err: unknown, request: { method: string; url: string }) => void;
}

/** mlship's version, from its package.json (read here: importing src/model would load src/learn, ~6 MB of RSS). */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function defaultInternalError(err: unknown, request: { method: string; url: string }): void {
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  process.stderr.write(`mlship server: ${request.method} ${request.url}: ${text}\n`);
}

/**
 * Sends `err` as a JSON error with one of the two code tables; reports bugs through `onInternal`.
 */
function errorHandler(map: (err: unknown) => HttpError & { internal: boolean }, onInternal: NonNullable<AppOptions['onInternalError']>) {
  return (err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) => {
    const e = map(err);
    if (e.internal) onInternal(err, { method: req.method, url: req.url });
    return reply.code(e.status).type('application/json; charset=utf-8').send(JSON.stringify(e.body));
  };
}

type CompilerFactory<F> = (externalSchemas: unknown, options: unknown) => (routeSchema: unknown) => F;
type ValidateFn = ((data: unknown) => unknown) & { errors?: unknown };

/** Wraps Fastify's validator factory so each route's validator is compiled on its first request. */
function lazyValidators(build: CompilerFactory<ValidateFn>): CompilerFactory<ValidateFn> {
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (routeSchema) => {
      let fn: ValidateFn | undefined;
      const validate: ValidateFn = (data) => (fn ??= compile(routeSchema))(data);
      // Fastify reads the errors of a failed validation from the function itself.
      Object.defineProperty(validate, 'errors', { get: () => fn?.errors });
      return validate;
    };
  };
}

/** Wraps Fastify's serializer factory so each response serializer is compiled on first use. */
function lazySerializers(build: CompilerFactory<(data: unknown) => string>): CompilerFactory<(data: unknown) => string> {
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (routeSchema) => {
      let fn: ((data: unknown) => string) | undefined;
      return (data) => (fn ??= compile(routeSchema))(data);
    };
  };
}

/**
 * Builds the Fastify app serving `client`: `/api/v1/...` (mlship's API, OpenAPI at
 * `/api/v1/openapi.json`), `/api/2.0/mlflow/...` (MLflow's REST API subset, so MLflow clients can
 * log to mlship) and `/health`. Every route validates its input against a JSON schema; errors are
 * `{ error_code, message }` with the status from `HTTP_STATUS` (MLflow's codes and statuses under
 * `/api/2.0`). The app is not listening: call `app.listen()`, or `app.inject()` in tests.
 *
 * @example
 * ```ts
 * import { MlshipClient } from 'mlship/tracking';
 * import { createApp } from 'mlship/serve';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const app = createApp({ client });
 * const res = await app.inject({ method: 'POST', url: '/api/v1/runs', payload: { runName: 'baseline' } });
 * console.log(res.statusCode, res.json().run.info.runId); // 201 '…'
 * await app.close();
 * await client.close();
 * ```
 */
export function createApp(options: AppOptions): FastifyInstance {
  const { client, logger = false, bodyLimit = 16 * 2 ** 20, maxUploadBytes, onInternalError = defaultInternalError } = options;
  const app = Fastify({
    logger,
    bodyLimit,
    // Reject unknown fields instead of dropping them silently. Coerce scalars: query strings are
    // text, and MLflow clients may send int64 fields as strings ("step": "3").
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, allowUnionTypes: true } },
    // Validators and serializers are compiled when a route is first used, not all at start: a
    // server that only logs metrics never pays (in time and memory) for the routes it does not use.
    schemaController: { compilersFactory: { buildValidator: lazyValidators(AjvCompiler() as never) as never, buildSerializer: lazySerializers(SerializerSelector() as never) as never } },
    // Keep-alive clients (benchmarks, MLflow's requests.Session) reuse connections.
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
  });
  const routes = collectRoutes(app);

  // An empty body with Content-Type: application/json means `{}`, as for a body-less POST.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, {});
    return json(req, text, done);
  });
  app.addHook('preValidation', (req, _reply, done) => {
    if (req.body === undefined && req.routeOptions.schema?.body) req.body = {};
    done();
  });

  app.setErrorHandler(errorHandler(toHttpError, onInternalError));
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error_code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}; the API is described at /api/v1/openapi.json` });
  });

  app.get('/health', { schema: { summary: 'Liveness check', tags: ['server'], response: { 200: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } } } }, async () => ({
    status: 'ok',
  }));

  let openapi: string | undefined;
  app.get('/api/v1/openapi.json', { schema: { summary: 'This API described as OpenAPI 3.1, generated from the route schemas', tags: ['server'] } }, async (_req, reply) => {
    openapi ??= JSON.stringify(
      buildOpenApi(routes, {
        title: 'mlship tracking and registry API',
        version: packageVersion(),
        description: "mlship's REST API (/api/v1) and the MLflow REST API 2.0 subset it serves (/api/2.0/mlflow). Errors are JSON: { error_code, message }.",
      }),
    );
    return reply.type('application/json; charset=utf-8').send(openapi);
  });

  app.register(trackingRoutes, { prefix: '/api/v1', client });
  app.register(artifactRoutes, { prefix: '/api/v1', client, maxUploadBytes });
  app.register(registryRoutes, { prefix: '/api/v1', client });
  app.register(
    async (mlflow) => {
      mlflow.setErrorHandler(errorHandler(toMlflowHttpError, onInternalError));
      mlflow.setNotFoundHandler((req, reply) => {
        reply.code(404).send({ error_code: 'ENDPOINT_NOT_FOUND', message: `mlship does not implement ${req.method} ${req.url.split('?')[0]} of the MLflow REST API` });
      });
      await mlflowRoutes(mlflow, { client });
    },
    { prefix: '/api/2.0/mlflow' },
  );
  return app;
}

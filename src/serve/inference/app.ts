/**
 * The model server: `createModelApp` builds the Fastify app serving one or more {@link ModelSlot}s
 * (plain API, Open Inference Protocol V2, MLflow scoring, `/metrics`, `/openapi.json`, `/docs`);
 * `startModelServer` opens the store, loads the models, starts the prediction log and listens.
 */
import { readFileSync } from 'node:fs';
import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import Fastify, { type FastifyInstance } from 'fastify';
import { MlshipError, uuidv7 } from '../../core/index.js';
import * as tracking from '../../tracking/index.js';
import { toHttpError } from '../errors.js';
import { inferenceRoutes } from '../routes/infer.js';
import { predictionRoutes } from '../routes/predictions.js';
import { MetricsRegistry, renderSnapshot, type MetricsSnapshot } from './metrics.js';
import { ModelSlot } from './model-slot.js';
import { outputsAsJson } from './protocols.js';
import { buildModelOpenApi, docsPage } from './openapi.js';
import { monitorsMetricsText, startServeMonitors, type ServeMonitorOptions } from './serve-monitor.js';
import type { MonitorHandle } from '../../monitor/index.js';

/** The prediction log as the server uses it: mlship/tracking's `PredictionLogWriter`. */
export type PredictionLog = tracking.PredictionLogWriter;

/** Options of {@link createModelApp}. */
export interface ModelAppOptions {
  /** The served models, in order: the first one answers `POST /predict` and `/invocations`. */
  models: readonly ModelSlot[];
  /** Most items (texts, instances, rows) per request; more is a 413 naming `--max-batch`. @default 10000 */
  maxBatch?: number;
  /** Largest request body in bytes; more is a 413. @default 16 MiB */
  bodyLimit?: number;
  /**
   * Structured request logs: one JSON line per request (time, method, url, status, latency_ms,
   * request_id, model, model_version). `true` writes them to stdout. @default false
   */
  logRequests?: boolean | ((line: string) => void);
  /** Where each served request is appended (after its response is sent). @default null (no log) */
  predictionLog?: PredictionLog | null;
  /** The metrics registry (pass one to add your own metrics). @default a new one */
  metrics?: MetricsRegistry;
  /**
   * Renders `/metrics` from this process's snapshot; `--workers` passes one that sums every
   * worker's snapshot. @default renders the local snapshot
   */
  renderMetrics?: (local: MetricsSnapshot) => Promise<string>;
  /** Text appended to every `/metrics` body (the monitoring gauges of `--monitor`). @default none */
  extraMetrics?: () => string;
  /** Route plugins registered on the app as well (`startModelServer` adds `predictionRoutes`: `POST /feedback`, `GET /predictions`). @default [] */
  plugins?: readonly { plugin: (app: FastifyInstance, opts: any) => Promise<void> | void; options?: Record<string, unknown> }[];
  /** Called with every error that is not an `MlshipError` (a bug). @default writes the stack to stderr */
  onInternalError?: (err: unknown, request: { method: string; url: string }) => void;
}

/** mlship's version from package.json (src/serve/inference and dist/serve/inference sit three levels below it). */
export function serverVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

const JSON_TYPE = 'application/json; charset=utf-8';
/** Longest client-supplied request id kept. */
const MAX_REQUEST_ID = 200;
/** How long a graceful shutdown waits for in-flight requests before closing their connections. */
const SHUTDOWN_GRACE_MS = 30_000;

/**
 * Builds the model server app over loaded (or loading) model slots. Routes: `POST /predict`,
 * `POST /models/{name}/predict`, `GET /models`, the V2 protocol under `/v2`, MLflow's
 * `POST /invocations`, `GET /ping`, `GET /health`, `GET /metrics`, `GET /openapi.json` and
 * `GET /docs`. Bad input is a 4xx `{error_code, message}` (`{error}` under `/v2`) naming the
 * field; a model not loaded yet is 503. The app is not listening: `app.listen()` or `app.inject()`.
 *
 * @example
 * ```ts
 * import { ModelSlot, createModelApp } from 'mlship/serve';
 * const slot = new ModelSlot({ uri: 'mlship/models/tfidf-nb.mlship', name: 'spam' });
 * await slot.start();
 * const app = createModelApp({ models: [slot] });
 * const res = await app.inject({ method: 'POST', url: '/predict', payload: { text: 'Win a FREE cruise' } });
 * console.log(res.json().label, res.headers['x-model-version']); // 'spam' 'file'
 * ```
 */
export function createModelApp(options: ModelAppOptions): FastifyInstance {
  const { models, maxBatch = 10_000, bodyLimit = 16 * 2 ** 20, predictionLog = null, metrics = new MetricsRegistry(), plugins = [] } = options;
  if (models.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'serve at least one model', { field: 'models' });
  if (!Number.isSafeInteger(maxBatch) || maxBatch < 1) throw new MlshipError('INVALID_ARGUMENT', `maxBatch must be a positive integer, got ${maxBatch}`, { field: 'maxBatch', value: maxBatch });
  const slots = new Map<string, ModelSlot>();
  for (const s of models) {
    if (slots.has(s.name)) throw new MlshipError('INVALID_ARGUMENT', `two models are served under the name '${s.name}'; name them apart with name=uri`, { field: 'models', value: s.name });
    slots.set(s.name, s);
  }
  const onInternalError =
    options.onInternalError ?? ((err: unknown, r: { method: string; url: string }) => void process.stderr.write(`mlship serve: ${r.method} ${r.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`));
  const logLine = options.logRequests === true ? (line: string) => void process.stdout.write(line) : typeof options.logRequests === 'function' ? options.logRequests : null;

  const app = Fastify({
    logger: false,
    bodyLimit,
    // Route schemas (the feedback routes') are compiled on first use, not at start: the hot path
    // has none (it validates against the model signature), and startup stays short.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false, allowUnionTypes: true } },
    schemaController: { compilersFactory: { buildValidator: lazyCompilers(AjvCompiler() as never) as never, buildSerializer: lazyCompilers(SerializerSelector() as never) as never } },
    keepAliveTimeout: 65_000,
    return503OnClosing: true,
    // A client's x-request-id is kept (it names the request in the prediction log and /feedback);
    // an empty or overlong one is replaced by a random UUID.
    requestIdHeader: false,
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && h.length > 0 && h.length <= MAX_REQUEST_ID ? h : uuidv7(); // time-ordered: the prediction log's key index grows at its end
    },
  });
  app.decorateRequest('mlshipServed', null);

  // Bodies are parsed with JSON.parse: handlers only read fields, never merge objects, so a
  // "__proto__" key is inert here. An empty body is `{}`.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = body as string;
    if (text.length === 0 || text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new MlshipError('INVALID_ARGUMENT', `the request body is not valid JSON: ${(err as Error).message}`, { field: 'body' }), undefined);
    }
  });

  // ---------------------------------------------------------------- metrics
  const requests = metrics.counter('mlship_http_requests_total', 'HTTP requests by route, method and status', ['route', 'method', 'status']);
  const errors = metrics.counter('mlship_http_errors_total', 'HTTP requests that failed, by route and error code', ['route', 'code']);
  const latency = metrics.histogram('mlship_http_request_duration_seconds', 'Time from request to response, in seconds', ['route']);
  const predicted = metrics.counter('mlship_predictions_total', 'Items predicted, by model, version and predicted label (empty for regressors)', ['model', 'version', 'label']);
  const versionInfo = metrics.gauge('mlship_model_version_info', 'The version each served model is at (1)', ['model', 'version']);
  const ready = metrics.gauge('mlship_model_ready', '1 when the model is loaded and serving, else 0', ['model']);
  const loadFailures = metrics.counter('mlship_model_load_failures_total', 'Failed model loads (the server keeps serving the previous version)', ['model']);
  const loads = metrics.counter('mlship_model_loads_total', 'Successful model loads: the first one, then one per version switch', ['model']);
  const logWritten = metrics.counter('mlship_prediction_log_written_total', 'Prediction records written to the prediction log');
  const logDropped = metrics.counter('mlship_prediction_log_dropped_total', 'Prediction records dropped because the prediction log queue was full');
  const logFailed = metrics.counter('mlship_prediction_log_failed_total', 'Prediction records whose write to the prediction log failed');
  const logQueued = metrics.gauge('mlship_prediction_log_queued', 'Prediction records waiting to be written');
  const rss = metrics.gauge('process_resident_memory_bytes', 'Resident memory of the server process, in bytes');
  const shown = new Map<string, string>();
  const failuresSeen = new Map<string, number>();
  /** Refreshes the metrics read from state (versions, readiness, load failures, log counters) before a scrape. */
  const collect = (): void => {
    for (const s of slots.values()) {
      const v = s.current?.version;
      const before = shown.get(s.name);
      if (before !== undefined && before !== v) versionInfo.remove([s.name, before]);
      if (v !== undefined) {
        versionInfo.set([s.name, v], 1);
        shown.set(s.name, v);
      }
      ready.set([s.name], s.ready ? 1 : 0);
      const f = s.failures - (failuresSeen.get(s.name) ?? 0);
      if (f > 0) loadFailures.inc([s.name], f);
      failuresSeen.set(s.name, s.failures);
      const l = s.loads - loads.get([s.name]);
      if (l > 0) loads.inc([s.name], l);
    }
    if (predictionLog) {
      const st = predictionLog.stats;
      logWritten.inc([], st.written - logWritten.get());
      logDropped.inc([], st.dropped - logDropped.get());
      logFailed.inc([], st.failed - logFailed.get());
      logQueued.set([], st.queued);
    }
    rss.set([], process.memoryUsage.rss());
  };
  metrics.addCollector(collect);
  const render = options.renderMetrics ?? (async (local: MetricsSnapshot) => renderSnapshot(local));

  // ---------------------------------------------------------------- per request, after the response
  const labelKeys = new WeakMap<object, string[][]>();
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    requests.inc([route, req.method, String(status)]);
    const seconds = reply.elapsedTime / 1000;
    latency.observe([route], seconds);
    const served = req.mlshipServed;
    if (served) {
      const { model: m, out } = served;
      if (out.labels) {
        let keys = labelKeys.get(m);
        if (!keys) labelKeys.set(m, (keys = (m.classes ?? []).map((c) => [m.name, m.version, String(c)])));
        if (out.labelIndex) for (let i = 0; i < out.n; i++) predicted.inc(keys[out.labelIndex[i]!]);
        else for (let i = 0; i < out.n; i++) predicted.inc([m.name, m.version, String(out.labels[i])]);
      } else predicted.inc([m.name, m.version, ''], out.n);
      if (predictionLog) {
        const inputs = m.kind === 'text' ? served.items.map((t) => ({ [m.textField]: t })) : served.items;
        const outputs = Array.from({ length: out.n }, (_, i) => outputsAsJson(m, out, i));
        predictionLog.append({ requestId: req.id, modelName: m.name, modelVersion: m.versionNumber === null ? null : m.version, modelUri: m.uri, timestamp: served.timestamp, latencyMs: reply.elapsedTime, inputs, outputs });
      }
    }
    if (logLine) {
      logLine(
        JSON.stringify({
          time: new Date().toISOString(),
          level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
          method: req.method,
          url: req.url,
          status,
          latency_ms: Math.round(reply.elapsedTime * 1000) / 1000,
          request_id: req.id,
          model: served?.model.name ?? null,
          model_version: served?.model.version ?? null,
        }) + '\n',
      );
    }
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const e = toHttpError(err);
    if (e.internal) onInternalError(err, { method: req.method, url: req.url });
    errors.inc([req.routeOptions.url ?? 'unmatched', e.body.error_code]);
    reply.code(e.status).header('x-request-id', req.id).type(JSON_TYPE).send(JSON.stringify(e.body));
  });
  app.setNotFoundHandler((req, reply) => {
    errors.inc(['unmatched', 'NOT_FOUND']);
    reply.code(404).type(JSON_TYPE).send(JSON.stringify({ error_code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}; the API is described at /openapi.json and /docs` }));
  });

  const version = serverVersion();
  app.register(inferenceRoutes, { slots, maxBatch, serverVersion: version });
  for (const p of plugins) app.register(p.plugin, p.options ?? {});

  app.get('/metrics', async (_req, reply) => {
    const text = (await render(metrics.snapshot())) + (options.extraMetrics?.() ?? '');
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
  app.get('/openapi.json', (_req, reply) => {
    reply.type(JSON_TYPE).send(JSON.stringify(buildModelOpenApi([...slots.values()], { version, maxBatch })));
  });
  app.get('/docs', (_req, reply) => {
    reply.type('text/html; charset=utf-8').send(docsPage([...slots.values()]));
  });
  app.get('/', (_req, reply) => {
    reply.type(JSON_TYPE).send(JSON.stringify({ server: 'mlship serve', version, models: [...slots.keys()], docs: '/docs', openapi: '/openapi.json', metrics: '/metrics' }));
  });
  return app;
}

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };
type CompilerFactory = (externalSchemas: unknown, options: unknown) => (routeSchema: unknown) => Compiled;

/** Wraps a Fastify compiler factory (validators or serializers) so that each schema is compiled on its first use. */
function lazyCompilers(build: CompilerFactory): CompilerFactory {
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (routeSchema) => {
      let fn: Compiled | undefined;
      const lazy: Compiled = (data) => (fn ??= compile(routeSchema))(data);
      // Fastify reads a failed validation's errors from the function itself.
      Object.defineProperty(lazy, 'errors', { get: () => fn?.errors });
      return lazy;
    };
  };
}

/** One model to serve: a URI, optionally with the name to serve it under. */
export type ModelSpec = string | { name?: string; uri: string };

/** Options of {@link startModelServer}. */
export interface ModelServerOptions {
  /** The models: URIs or `.mlship` paths; `{ name, uri }` (or the string `name=uri`) names one explicitly. */
  models: readonly ModelSpec[];
  /** The interface to listen on. @default '127.0.0.1' */
  host?: string;
  /** The TCP port; 0 picks a free one (read it from `url`). @default 8080 */
  port?: number;
  /** The store that resolves model URIs and holds the prediction log. @default process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db' */
  trackingUri?: string;
  /** How often alias and `latest` URIs are checked for a new version, in ms. @default 1000 */
  pollIntervalMs?: number;
  /** Log each request and its predictions to the store's prediction log. @default true */
  logPredictions?: boolean;
  /** See {@link ModelAppOptions.maxBatch}. @default 10000 */
  maxBatch?: number;
  /** See {@link ModelAppOptions.bodyLimit}. @default 16 MiB */
  bodyLimit?: number;
  /** See {@link ModelAppOptions.logRequests}. @default false */
  logRequests?: ModelAppOptions['logRequests'];
  /** See {@link ModelAppOptions.renderMetrics}. @default the local metrics */
  renderMetrics?: ModelAppOptions['renderMetrics'];
  /** See {@link ModelAppOptions.metrics}. @default a new registry */
  metrics?: MetricsRegistry;
  /**
   * Wait for every model's first load before listening; a failure rejects. With `false` the
   * server listens at once and is not ready (503) until the models load. @default true
   */
  waitForModels?: boolean;
  /** Told about load failures (after the first) and swaps. @default lines on stderr */
  onEvent?: (line: string) => void;
  /**
   * Monitor the served registry models in this process (`mlship serve --monitor`): window checks of
   * the prediction log, gauges on `/metrics`, alerts. @default undefined (no monitoring)
   */
  monitor?: ServeMonitorOptions;
}

/** A running model server. */
export interface RunningModelServer {
  /** e.g. `http://127.0.0.1:8080` */
  url: string;
  app: FastifyInstance;
  /** The served models. */
  slots: ModelSlot[];
  /** The prediction log, when on. */
  predictionLog: PredictionLog | null;
  /** The monitors of `monitor` (one per monitored model), else empty. */
  monitors: MonitorHandle[];
  /** Stops accepting connections, finishes in-flight requests, flushes the prediction log, closes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * Parses a model argument: `name=uri` serves `uri` under `name` (letters, digits, `.`, `_`, `-`);
 * anything else is a URI or path.
 *
 * @example
 * ```ts
 * parseModelSpec('spam=models:/spam@champion'); // { name: 'spam', uri: 'models:/spam@champion' }
 * parseModelSpec('models:/spam/3');             // { uri: 'models:/spam/3' }
 * ```
 */
export function parseModelSpec(spec: ModelSpec): { name?: string; uri: string } {
  if (typeof spec !== 'string') return spec;
  const m = /^([A-Za-z0-9._-]+)=(.+)$/.exec(spec);
  return m ? { name: m[1]!, uri: m[2]! } : { uri: spec };
}

/**
 * Opens the store, loads the models, opens the prediction log and listens.
 *
 * @example
 * ```ts
 * import { startModelServer } from 'mlship/serve';
 * const server = await startModelServer({ models: ['models:/spam@champion'], port: 0, trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const res = await fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Win a FREE cruise' }) });
 * console.log(await res.json()); // { request_id, model_name: 'spam', model_version: '3', label: 'spam', probabilities: {...} }
 * await server.close();
 * ```
 */
export async function startModelServer(options: ModelServerOptions): Promise<RunningModelServer> {
  const { host = '127.0.0.1', port = 8080, pollIntervalMs = 1000, logPredictions = true, waitForModels = true } = options;
  const say = options.onEvent ?? ((line: string) => void process.stderr.write(`mlship serve: ${line}\n`));
  const specs = options.models.map(parseModelSpec);
  if (specs.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'give at least one model to serve (a model URI such as models:/spam@champion, or a .mlship file)', { field: 'models' });
  const needsStore = specs.some((s) => tracking.parseModelUri(s.uri).kind !== 'path');
  const trackingUri = options.trackingUri ?? process.env.MLSHIP_TRACKING_URI ?? tracking.DEFAULT_TRACKING_URI;
  const cleanup: (() => Promise<void> | void)[] = [];
  const undo = async (): Promise<void> => {
    for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  try {
    const client = needsStore ? await tracking.MlshipClient.open({ trackingUri }) : undefined;
    if (client) cleanup.push(() => client.close());
    const slots = specs.map(
      (s) =>
        new ModelSlot({
          ...s,
          client,
          pollIntervalMs,
          onLoad: (m, previous) => {
            if (previous) say(`model '${m.name}' switched from version ${previous.version} to ${m.version} (${m.uri})`);
          },
        }),
    );
    cleanup.push(() => slots.forEach((s) => s.close()));
    const starting = Promise.all(slots.map((s) => s.start({ required: waitForModels })));
    if (waitForModels) await starting;
    else starting.catch(() => undefined);

    let predictionLog: PredictionLog | null = null;
    let plugins: ModelAppOptions['plugins'] = [];
    if (logPredictions) {
      const writer = await tracking.openPredictionLogWriter(trackingUri, { onError: (err) => say(`prediction log: ${(err as Error).message ?? String(err)}`) });
      predictionLog = writer;
      cleanup.push(() => writer.close());
      const store = await tracking.openPredictionStore(trackingUri);
      // Closed after the writer (cleanup runs in reverse order).
      cleanup.splice(cleanup.length - 1, 0, () => store.close());
      plugins = [{ plugin: predictionRoutes, options: { store, writer } }];
    }
    let monitors: MonitorHandle[] = [];
    if (options.monitor) {
      const monitorClient = client ?? (await tracking.MlshipClient.open({ trackingUri }));
      if (!client) cleanup.push(() => monitorClient.close());
      const predictions = await tracking.openPredictionStore(trackingUri);
      cleanup.push(() => predictions.close());
      monitors = startServeMonitors(specs, { client: monitorClient, predictions, options: options.monitor, say });
      cleanup.push(() => Promise.all(monitors.map((m) => m.stop())).then(() => undefined));
    }
    const app = createModelApp({
      models: slots,
      maxBatch: options.maxBatch,
      bodyLimit: options.bodyLimit,
      logRequests: options.logRequests,
      predictionLog,
      renderMetrics: options.renderMetrics,
      metrics: options.metrics,
      plugins,
      ...(monitors.length > 0 ? { extraMetrics: () => monitorsMetricsText(monitors) } : {}),
    });
    let address: string;
    try {
      address = await app.listen({ host, port });
    } catch (err) {
      await app.close().catch(() => undefined);
      throw listenError(err, host, port);
    }
    let closing: Promise<void> | undefined;
    return {
      url: address.replace('://[::1]', '://localhost'),
      app,
      slots,
      predictionLog,
      monitors,
      close: () =>
        (closing ??= (async () => {
          // Keep-alive connections that finish a request while closing become idle only then:
          // close them as they do, so close() does not wait for the keep-alive timeout.
          const idle = setInterval(() => app.server.closeIdleConnections(), 25);
          const force = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
          force.unref();
          try {
            await app.close();
          } finally {
            clearInterval(idle);
            clearTimeout(force);
            await undo();
          }
        })()),
    };
  } catch (err) {
    await undo();
    throw err;
  }
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return new MlshipError('IO_ERROR', `port ${port} on ${host} is already in use: stop the other server or pick another port (--port)`, { field: 'port', value: port }, { cause: err });
  if (code === 'EACCES') return new MlshipError('PERMISSION_DENIED', `no permission to listen on ${host}:${port}: ports below 1024 need privileges; pick another port (--port)`, { field: 'port', value: port }, { cause: err });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new MlshipError('INVALID_ARGUMENT', `cannot listen on host ${host}: it is not an address of this machine (try 127.0.0.1 or 0.0.0.0)`, { field: 'host', value: host }, { cause: err });
  return err;
}

/**
 * mlship/serve: the HTTP tracking and registry server. `createApp` builds the Fastify app over a
 * client (mlship's REST API under `/api/v1` with its OpenAPI 3.1 document, and the MLflow REST API
 * 2.0 subset under `/api/2.0/mlflow`); `startServer` opens the stores and listens.
 * The model server (`mlship serve`): `startModelServer` / `createModelApp` serve models over the
 * plain JSON API, the Open Inference Protocol V2 and MLflow scoring, following registry aliases.
 * Batch prediction of whole files (`mlship predict --output`): `predictFile`.
 *
 * @packageDocumentation
 */
import type { FastifyInstance } from 'fastify';
import { MlshipError } from '../core/index.js';
import { MlshipClient } from '../tracking/index.js';
import { createApp, type AppOptions } from './app.js';

export { createApp } from './app.js';
export type { AppOptions } from './app.js';
export { HTTP_STATUS, MLFLOW_HTTP_STATUS, INTERNAL_MESSAGE, toHttpError, toMlflowHttpError } from './errors.js';
export type { ErrorBody, HttpError, MlflowErrorCode } from './errors.js';
export { buildOpenApi, collectRoutes, openApiPath } from './openapi.js';
export type { RouteRecord, RouteSchema } from './openapi.js';
export { createModelApp, startModelServer, parseModelSpec } from './inference/app.js';
export type { ModelAppOptions, ModelServerOptions, RunningModelServer, ModelSpec, PredictionLog } from './inference/app.js';
export { ModelSlot, defaultModelName } from './inference/model-slot.js';
export type { ModelSlotOptions } from './inference/model-slot.js';
export type { ServedModel, Outputs } from './inference/predictor.js';
export { MetricsRegistry, mergeSnapshots, renderSnapshot, LATENCY_BUCKETS } from './inference/metrics.js';
export type { Counter, Gauge, Histogram, MetricsSnapshot } from './inference/metrics.js';
export { startCluster } from './inference/cluster.js';
export { startServeMonitors, monitorsMetricsText } from './inference/serve-monitor.js';
export type { ServeMonitorOptions } from './inference/serve-monitor.js';
export type { ClusterOptions, RunningCluster, WorkerServerOptions } from './inference/cluster.js';
export { predictFile } from './batch/index.js';
export { predictionRoutes, predictionToJson } from './routes/predictions.js';
export type { PredictFileOptions, PredictFileResult, BatchProgress, BatchInputFormat, BatchOutputFormat, BatchModelKind } from './batch/index.js';

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The interface to listen on; `0.0.0.0` exposes the server to the network. @default '127.0.0.1' */
  host?: string;
  /** The TCP port; 0 picks a free one (read it from the returned `url`). @default 5000 */
  port?: number;
  /** The tracking store. @default process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db' */
  trackingUri?: string;
  /** The registry store. @default the tracking URI */
  registryUri?: string;
  /** Root folder of the artifacts. @default `<folder of the database>/artifacts` */
  artifactRoot?: string;
  /** Request logging (JSON lines on stdout). @default false */
  logger?: boolean;
  /** See {@link AppOptions.onInternalError}. @default writes to stderr */
  onInternalError?: AppOptions['onInternalError'];
}

/** A running server: its URL, the Fastify app and the client it serves. */
export interface RunningServer {
  /** e.g. `http://127.0.0.1:5000` */
  url: string;
  app: FastifyInstance;
  client: MlshipClient;
  /** Stops accepting connections, finishes in-flight requests, then closes the stores. Idempotent. */
  close(): Promise<void>;
}

/**
 * Opens the stores (migrating them), builds the app and listens. The stores are opened once and
 * shared by every request.
 *
 * @example
 * ```ts
 * import { startServer } from 'mlship/serve';
 * const server = await startServer({ port: 0, trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const res = await fetch(`${server.url}/api/2.0/mlflow/experiments/get?experiment_id=0`);
 * console.log((await res.json()).experiment.name); // 'Default'
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { host = '127.0.0.1', port = 5000, trackingUri, registryUri, artifactRoot, logger = false, onInternalError } = options;
  const client = await MlshipClient.open({ trackingUri, registryUri, artifactRoot });
  let app: FastifyInstance;
  let address: string;
  try {
    app = createApp({ client, logger, onInternalError });
    address = await app.listen({ host, port });
  } catch (err) {
    await client.close();
    throw listenError(err, host, port);
  }
  let closing: Promise<void> | undefined;
  return {
    url: address.replace('://[::1]', '://localhost'),
    app,
    client,
    close: () =>
      (closing ??= (async () => {
        try {
          await app.close();
        } finally {
          await client.close();
        }
      })()),
  };
}

/** Listen failures as MlshipErrors that say what to do. */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'EADDRINUSE') return new MlshipError('IO_ERROR', `port ${port} on ${host} is already in use: stop the other server or pick another port (--port)`, { field: 'port', value: port }, { cause: err });
  if (code === 'EACCES') return new MlshipError('PERMISSION_DENIED', `no permission to listen on ${host}:${port}: ports below 1024 need privileges; pick another port (--port)`, { field: 'port', value: port }, { cause: err });
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') return new MlshipError('INVALID_ARGUMENT', `cannot listen on host ${host}: it is not an address of this machine (try 127.0.0.1 or 0.0.0.0)`, { field: 'host', value: host }, { cause: err });
  return err;
}

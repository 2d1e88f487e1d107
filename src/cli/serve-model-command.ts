import { InvalidArgumentError, type Command } from 'commander';
import { MlshipError } from '../core/index.js';
import { defaultModelName, monitorsMetricsText, parseModelSpec, startCluster, startModelServer, startServeMonitors, type RunningModelServer } from '../serve/index.js';
import { MlshipClient, openPredictionStore } from '../tracking/index.js';
import type { MonitorHandle } from '../monitor/index.js';
import type { CliIo } from './io.js';
import { addMonitorOptions, monitorSettings, type MonitorCliOptions } from './monitor-watch-commands.js';
import { trackingUriOf } from './tracking-commands.js';
import { portNumber, positiveInt, type SignalSource } from './options.js';

// `mlship serve <model...>`: the online model server, until SIGINT or SIGTERM.

/** Options of `mlship serve` as commander parses them. */
export interface ServeModelOptions {
  host: string;
  port: number;
  workers: number;
  trackingUri?: string;
  pollInterval: number;
  logPredictions: boolean;
  maxBatch: number;
  bodyLimit: number;
  logRequests?: boolean;
  /** `--monitor`: monitor the served registry models in this process (with `--workers`, in the primary). */
  monitor?: boolean;
  monitorWindow?: number;
  monitorEvery?: number;
  webhook?: string[];
  cooldown?: number;
  resolved?: boolean;
  min?: string[];
  max?: string[];
  columnDrift?: string | boolean;
  minRows?: number;
  retrain?: MonitorCliOptions['retrain'];
  retrainData?: string;
  retrainLimit?: number;
}

/** The monitoring options of `mlship serve --monitor`, as `mlship monitor watch` takes them. */
function monitorCliOptions(opts: ServeModelOptions): MonitorCliOptions {
  return {
    window: opts.monitorWindow ?? 3_600_000,
    every: opts.monitorEvery ?? 60_000,
    cooldown: opts.cooldown ?? 30 * 60_000,
    resolved: opts.resolved ?? true,
    minRows: opts.minRows ?? 50,
    ...(opts.webhook ? { webhook: opts.webhook } : {}),
    ...(opts.min ? { min: opts.min } : {}),
    ...(opts.max ? { max: opts.max } : {}),
    ...(opts.columnDrift !== undefined ? { columnDrift: opts.columnDrift } : {}),
    ...(opts.retrain ? { retrain: opts.retrain } : {}),
    ...(opts.retrainData !== undefined ? { retrainData: opts.retrainData } : {}),
    ...(opts.retrainLimit !== undefined ? { retrainLimit: opts.retrainLimit } : {}),
  };
}

/** Something that delivers process signals (see {@link SignalSource}). */
export type ServeSignalSource = SignalSource;

function pollInterval(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 10) throw new InvalidArgumentError(`expected a poll interval in ms of at least 10, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * Serves `models` until SIGINT or SIGTERM, then shuts down gracefully: stops accepting, finishes
 * in-flight requests, flushes the prediction log. Prints `mlship serve: listening on <url>` on
 * stdout once listening; everything else goes to stderr.
 *
 * @example
 * ```ts
 * await serveModels(['models:/spam@champion'], { host: '127.0.0.1', port: 8080, workers: 1, pollInterval: 1000, logPredictions: true, maxBatch: 10000, bodyLimit: 16 * 2 ** 20 }, processIo());
 * ```
 */
export async function serveModels(models: readonly string[], opts: ServeModelOptions, io: CliIo, signals: ServeSignalSource = process): Promise<void> {
  if (models.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'give at least one model to serve: a model URI (models:/spam@champion) or a .mlship file', { field: 'model', hint: 'mlship serve models:/spam@champion' });
  if (!opts.monitor) {
    const given = (['webhook', 'min', 'max', 'columnDrift', 'retrain', 'retrainData', 'retrainLimit'] as const).filter((k) => opts[k] !== undefined);
    if (given.length > 0) {
      const flag = given[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      throw new MlshipError('INVALID_ARGUMENT', `--${flag} is a monitoring option: add --monitor (mlship serve ... --monitor --${flag} ...)`, { field: given[0]!, hint: 'mlship serve models:/spam@champion --monitor --webhook http://127.0.0.1:9000/alerts' });
    }
  }
  const server = {
    models,
    host: opts.host,
    port: opts.port,
    trackingUri: opts.trackingUri,
    pollIntervalMs: opts.pollInterval,
    logPredictions: opts.logPredictions,
    maxBatch: opts.maxBatch,
    bodyLimit: opts.bodyLimit,
    logRequests: opts.logRequests === true,
  };
  io.stderr.write(`mlship serve: loading ${models.join(', ')}${opts.workers > 1 ? ` in ${opts.workers} worker processes` : ''}...\n`);
  const say = (line: string): void => void io.stderr.write(`mlship serve: ${line}\n`);
  let url: string;
  let close: () => Promise<void>;
  let exited: Promise<void> = new Promise<void>(() => undefined);
  let single: RunningModelServer | undefined;
  // --monitor: the monitor needs a client of its own (its retraining flows record through it).
  // With --workers N the primary process runs it: exactly one monitor whatever the number of
  // workers, untouched by a worker's restart, and a retraining never stalls a serving process.
  const monitorClient = opts.monitor ? await MlshipClient.open({ trackingUri: trackingUriOf(opts, io) }) : undefined;
  const closeMonitorClient = async (): Promise<void> => void (await monitorClient?.close());
  let settings: ReturnType<typeof monitorSettings> | undefined;
  try {
    settings = monitorClient ? monitorSettings(monitorCliOptions(opts), io, monitorClient) : undefined;
    if (settings?.policy && opts.workers <= 1) say('--retrain with one process: a retraining runs in the serving process and slows requests while it trains; prefer --workers 2 (the primary retrains) or mlship monitor watch');
    if (opts.workers > 1) {
      let monitors: MonitorHandle[] = [];
      let predictions: Awaited<ReturnType<typeof openPredictionStore>> | undefined;
      const c = await startCluster({ workers: opts.workers, server, onEvent: say, extraMetrics: () => monitorsMetricsText(monitors) });
      if (settings && monitorClient) {
        try {
          predictions = await openPredictionStore(trackingUriOf(opts, io));
          monitors = startServeMonitors(models.map(parseModelSpec), { client: monitorClient, predictions, options: settings, say });
        } catch (err) {
          await c.close();
          await predictions?.close();
          throw err;
        }
      }
      url = c.url;
      close = async () => {
        await Promise.all(monitors.map((m) => m.stop()));
        await c.close();
        await predictions?.close();
        await closeMonitorClient();
      };
      exited = c.exited;
    } else {
      single = await startModelServer({ ...server, onEvent: say, ...(settings ? { monitor: settings } : {}) });
      url = single.url;
      close = async () => {
        await single!.close();
        await closeMonitorClient();
      };
    }
  } catch (err) {
    await closeMonitorClient();
    throw err;
  }
  io.stdout.write(`mlship serve: listening on ${url}\n`);
  if (single) for (const s of single.slots) say(`model '${s.name}' version ${s.current?.version ?? '(loading)'} from ${s.uri}${s.follows ? ` (following it every ${opts.pollInterval} ms)` : ''}`);
  const firstName = single?.slots[0]?.name ?? parseModelSpec(models[0]!).name ?? defaultModelName(parseModelSpec(models[0]!).uri);
  io.stderr.write(
    `  plain API  curl -s ${url}/predict -H 'content-type: application/json' -d '{"text": "FREE cruise! Click here to claim your prize: limited offer, reply to remove yourself from this list"}'\n` +
      `  V2         ${url}/v2/models/${firstName}    MLflow  ${url}/invocations    metrics  ${url}/metrics    docs  ${url}/docs\n` +
      `  prediction log ${opts.logPredictions ? 'on' : 'off'}; press Ctrl+C to stop\n`,
  );
  let onInt = (): void => undefined;
  let onTerm = (): void => undefined;
  const signal = await Promise.race([
    new Promise<string>((resolveSignal) => {
      onInt = () => resolveSignal('SIGINT');
      onTerm = () => resolveSignal('SIGTERM');
      signals.once('SIGINT', onInt);
      signals.once('SIGTERM', onTerm);
    }),
    exited.then(() => 'exit'),
  ]).finally(() => {
    signals.removeListener('SIGINT', onInt);
    signals.removeListener('SIGTERM', onTerm);
  });
  say(`${signal}, finishing in-flight requests and flushing the prediction log`);
  await close();
  say('stopped');
}

/**
 * Adds `mlship serve` to the program.
 *
 * @example
 * ```ts
 * addServeModelCommand(program, command, example, io);
 * ```
 */
export function addServeModelCommand(program: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  const cmd = command(program, 'serve')
    .description(
      'serve models over HTTP for online inference: the plain JSON API (POST /predict, /models/<name>/predict), the Open Inference Protocol V2 (/v2, as KServe), MLflow scoring (POST /invocations), /metrics (Prometheus), /docs. Follows aliases: when models:/name@champion moves, the new version is loaded in the background and swapped in atomically. Every request is logged to the prediction log. Stops gracefully on Ctrl+C (SIGINT) or SIGTERM',
    )
    .argument('<model...>', 'model URIs (models:/name@alias, models:/name/3, models:/name/latest, runs:/<id>/model) or .mlship files; name=uri serves one under another name')
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface: there is no authentication)', '127.0.0.1')
    .option('--port <port>', 'TCP port (0 picks a free one)', portNumber, 8080)
    .option('--workers <n>', 'worker processes sharing the port (node:cluster); /metrics sums them', positiveInt, 1)
    .option('--tracking-uri <uri>', 'the store that resolves model URIs and holds the prediction log (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--poll-interval <ms>', 'how often aliases and latest are checked for a new version', pollInterval, 1000)
    .option('--no-log-predictions', 'do not log requests and predictions to the prediction log')
    .option('--max-batch <n>', 'most items (texts, instances, rows) per request', positiveInt, 10_000)
    .option('--body-limit <bytes>', 'largest request body in bytes', positiveInt, 16 * 2 ** 20)
    .option('--log-requests', 'log every request as a JSON line on stdout (method, url, status, latency, request id, model version)')
    .option('--monitor', 'monitor the served registry models: check the window of the prediction log every --monitor-every against the reference profile, add drift and quality gauges to /metrics, alert (--webhook, --min, --max, --cooldown), optionally --retrain; with --workers the primary process monitors');
  addMonitorOptions(cmd, 'monitor-')
    .addHelpText(
      'after',
      example(`mlship serve models:/spam@champion
               mlship serve mlship/models/tfidf-nb.mlship --port 8080
               mlship serve spam=models:/spam@champion housing=models:/housing/3 --workers 2 --tracking-uri sqlite:///data/mlship.db
               mlship serve models:/spam@champion --monitor --monitor-window 1h --monitor-every 1m --webhook http://127.0.0.1:9000/alerts --min accuracy=0.9
               curl -s localhost:8080/predict -H 'content-type: application/json' -d '{"text": "FREE cruise! Click here to claim your prize: limited offer, reply to remove yourself from this list"}'`),
    )
    .action(async (models: string[], opts: ServeModelOptions) => serveModels(models, opts, io));
}

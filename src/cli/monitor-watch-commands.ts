import { createServer, type Server } from 'node:http';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { MlshipError } from '../core/index.js';
import {
  formatDuration,
  parseBounds,
  parseDuration,
  renderGauges,
  simulateTraffic,
  startMonitoring,
  type MonitorCheck,
  type MonitorHandle,
  type MonitorThresholds,
  type RetrainPolicy,
  type SimulateResult,
} from '../monitor/index.js';
import { MlshipClient, openPredictionStore } from '../tracking/index.js';
import { EXAMPLE_PROJECTS, type ExampleProject, type ExampleResult } from './examples/common.js';
import { runHousingRegression } from './examples/housing-regression.js';
import { runTextClassification } from './examples/text-classification.js';
import type { CliIo } from './io.js';
import { collect, oneOf, portNumber, positiveInt, type SignalSource } from './options.js';
import { trackingUriOf } from './tracking-commands.js';

// `mlship monitor watch` (continuous monitoring of one model's prediction log, with gauges,
// alerts and an optional retraining policy) and `mlship monitor simulate` (shifted traffic
// against a running `mlship serve`).

/** A duration option (`--window 1h`). */
function durationArg(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError('expected a duration such as 30s, 5m, 1h or 7d.');
  }
}

/** A share from 0 to 1 (`--shift 0.5`). */
function unitArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1, such as 0.5.');
  return n;
}

function positiveNumberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number, such as 200.');
  return n;
}

/**
 * A retraining policy that runs a reference project's training flow (its public function, never a
 * shell) into the monitored model: the flow registers a new version and its promote task moves
 * `@champion` only through the registry's gate (`client.promote` with the project's metric).
 *
 * @example
 * ```ts
 * const policy = referenceRetrainPolicy('text-classification', client, { limit: 1500 });
 * startMonitoring({ model: 'spam', window: '1h', every: '1m', predictions, client, policy });
 * ```
 */
export function referenceRetrainPolicy(project: ExampleProject, client: MlshipClient, options: { data?: string; limit?: number; cwd?: string; cacheStorage?: string } = {}): RetrainPolicy {
  const run: (o: Parameters<typeof runTextClassification>[0]) => Promise<ExampleResult> = project === 'text-classification' ? runTextClassification : runHousingRegression;
  return {
    retrain: async ({ model }) => {
      const r = await run({ client, modelName: model, ...(options.data !== undefined ? { data: options.data } : {}), ...(options.limit !== undefined ? { limit: options.limit } : {}), ...(options.cwd !== undefined ? { cwd: options.cwd } : {}), ...(options.cacheStorage !== undefined ? { cacheStorage: options.cacheStorage } : {}) });
      return {
        state: r.state,
        version: r.model?.version ?? null,
        modelUri: r.model?.uri ?? null,
        promoted: r.promotion?.promoted ?? false,
        message: r.promotion?.message ?? r.error?.message ?? `the ${project} flow ended ${r.state}`,
        runId: r.runId,
      };
    },
  };
}

/**
 * The alerting and policy options shared by `mlship monitor watch` and `mlship serve --monitor`.
 *
 * @example
 * ```ts
 * const opts: MonitorCliOptions = { window: 3_600_000, every: 60_000, cooldown: 1_800_000, resolved: true, minRows: 50, min: ['accuracy=0.9'] };
 * ```
 */
export interface MonitorCliOptions {
  window: number;
  every: number;
  webhook?: string[];
  cooldown: number;
  resolved: boolean;
  min?: string[];
  max?: string[];
  columnDrift?: string | boolean;
  minRows: number;
  retrain?: ExampleProject;
  retrainData?: string;
  retrainLimit?: number;
}

/**
 * Adds the window, interval, alert and policy options (`prefix` 'monitor-' for `mlship serve`).
 *
 * @example
 * ```ts
 * addMonitorOptions(command(program, 'serve'), 'monitor-'); // --monitor-window, --monitor-every, --webhook, ...
 * ```
 */
export function addMonitorOptions(cmd: Command, prefix = ''): Command {
  const p = prefix;
  return cmd
    .addOption(new Option(`--${p}window <duration>`, 'width of the sliding window of the prediction log each check compares with the reference profile').argParser(durationArg).default(3_600_000, '1h'))
    .addOption(new Option(`--${p}every <duration>`, 'how often the window is checked').argParser(durationArg).default(60_000, '1m'))
    .option('--webhook <url>', 'POST each alert as JSON to this URL (repeatable); a failed POST is retried twice, then logged', collect)
    .addOption(new Option('--cooldown <duration>', 'after an alert, the same condition is not alerted again for this long (one incident, one alert)').argParser(durationArg).default(30 * 60_000, '30m'))
    .option('--no-resolved', 'do not send a "resolved" event when an alerted condition clears')
    .option('--min <metric=value>', 'alert when a quality metric of the labelled predictions falls below this, e.g. accuracy=0.9 (repeatable)', collect)
    .option('--max <metric=value>', 'alert when a quality metric rises above this, e.g. rmse=5 (repeatable)', collect)
    .option('--column-drift [columns]', 'also alert on each drifted column (all columns, or a comma-separated list)')
    .option('--min-rows <n>', 'skip a check when the window has fewer predictions than this', positiveInt, 50)
    .addOption(new Option('--retrain <project>', 'on a drift or quality alert, run this reference training flow into the monitored model; the new version is promoted only through the registry gate').argParser(oneOf(EXAMPLE_PROJECTS)))
    .option('--retrain-data <path>', "the retraining flow's data (default: the project's built-in dataset)")
    .option('--retrain-limit <n>', 'train the retraining flow on a seeded subsample of this many rows', positiveInt);
}

/** The thresholds of the parsed options. */
function thresholdsOf(opts: MonitorCliOptions): MonitorThresholds {
  const t: MonitorThresholds = {};
  if (opts.min?.length) t.min = parseBounds(opts.min, '--min');
  if (opts.max?.length) t.max = parseBounds(opts.max, '--max');
  if (opts.columnDrift !== undefined && opts.columnDrift !== false) {
    t.columnDrift =
      opts.columnDrift === true
        ? true
        : String(opts.columnDrift)
            .split(',')
            .map((c) => c.trim())
            .filter(Boolean);
  }
  return t;
}

/**
 * The `startMonitoring` settings of parsed CLI options (all but the model, store and client).
 *
 * @example
 * ```ts
 * const settings = monitorSettings(opts, io, client);
 * startMonitoring({ ...settings, model: 'spam', predictions, client });
 * ```
 */
export function monitorSettings(opts: MonitorCliOptions, io: CliIo, client: MlshipClient, log?: (line: string) => void) {
  return {
    window: opts.window,
    every: opts.every,
    minRows: opts.minRows,
    thresholds: thresholdsOf(opts),
    alerts: { ...(opts.webhook?.length ? { webhook: opts.webhook } : {}), cooldown: opts.cooldown, resolved: opts.resolved, log: log ?? ((line: string) => void io.stderr.write(`${line}\n`)) },
    ...(opts.retrain ? { policy: referenceRetrainPolicy(opts.retrain, client, { ...(opts.retrainData !== undefined ? { data: opts.retrainData } : {}), ...(opts.retrainLimit !== undefined ? { limit: opts.retrainLimit } : {}), cwd: io.cwd ?? process.cwd() }) } : {}),
  };
}

/**
 * One line for a check: rows, drift, quality, alerts.
 *
 * @example
 * ```ts
 * checkLine('housing', check); // '2026-11-27T04:18:26.506Z housing [30s window] 5722 predictions (5722 labelled); drift share 0.00 (0/13); ...'
 * ```
 */
export function checkLine(model: string, check: MonitorCheck): string {
  const head = `${new Date(check.to).toISOString()} ${model} [${formatDuration(check.to - check.from)} window]`;
  if (check.status === 'error') return `${head} check failed: ${check.error}`;
  if (check.status === 'skipped') return `${head} ${check.rows} predictions: too few to test, skipped`;
  const r = check.result!;
  const d = r.drift;
  const parts = [`${r.rows} predictions${r.labelled ? ` (${r.labelled} labelled)` : ''}`, `drift share ${d.shareDrifted.toFixed(2)} (${d.driftedColumns}/${d.numberOfColumns}${d.drift ? ', dataset drift' : ''})`];
  if (d.prediction) parts.push(`prediction ${d.prediction.method} ${(d.prediction.pValue ?? d.prediction.distance ?? NaN).toPrecision(3)}${d.prediction.drift ? ' drift' : ''}`);
  const dc = d.text?.domainClassifier;
  if (dc) parts.push(`text ROC-AUC ${dc.rocAuc.toFixed(3)}${dc.drift ? ' drift' : ''}`);
  if (r.quality) parts.push(Object.entries(r.quality.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', '));
  parts.push(`${check.alerts.length} alert(s)${check.retrain ? `, retrained: ${check.retrain.modelUri ?? 'no version'} ${check.retrain.promoted ? 'promoted' : 'not promoted'}` : ''}`);
  return `${head} ${parts.join('; ')}`;
}

interface WatchOptions extends MonitorCliOptions {
  model: string;
  version?: string;
  trackingUri?: string;
  metricsPort?: number;
  metricsHost: string;
  once?: boolean;
  json?: boolean;
  record?: boolean;
}

/** Serves `text()` at GET /metrics on host:port. */
async function metricsServer(host: string, port: number, text: () => string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url === '/metrics' || req.url?.startsWith('/metrics?'))) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(text());
    } else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: the monitoring gauges are at GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new MlshipError('IO_ERROR', `port ${port} on ${host} is already in use: pick another --metrics-port`, { field: 'metricsPort', value: port }) : err),
    );
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Waits for SIGINT or SIGTERM. */
function untilSignal(signals: SignalSource): Promise<string> {
  return new Promise((resolve) => {
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    const done = (s: string): void => {
      signals.removeListener('SIGINT', onInt);
      signals.removeListener('SIGTERM', onTerm);
      resolve(s);
    };
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
}

/**
 * `mlship monitor watch`: monitors one model until SIGINT/SIGTERM (or one check with `once`).
 *
 * @example
 * ```ts
 * await watchModel({ model: 'spam', window: 3_600_000, every: 60_000, cooldown: 1_800_000, resolved: true, minRows: 50, metricsHost: '127.0.0.1', once: true }, processIo());
 * ```
 */
export async function watchModel(opts: WatchOptions, io: CliIo, signals: SignalSource = process): Promise<MonitorCheck | null> {
  const uri = trackingUriOf(opts, io);
  const client = await MlshipClient.open({ trackingUri: uri });
  let predictions: Awaited<ReturnType<typeof openPredictionStore>> | undefined;
  let monitor: MonitorHandle | undefined;
  let server: Server | undefined;
  try {
    predictions = await openPredictionStore(uri);
    const out = (check: MonitorCheck): void => void io.stdout.write(opts.json ? `${JSON.stringify(check)}\n` : `${checkLine(opts.model, check)}\n`);
    monitor = startMonitoring({
      ...monitorSettings(opts, io, client),
      model: opts.model,
      ...(opts.version !== undefined ? { version: opts.version } : {}),
      predictions,
      client,
      runImmediately: !opts.once,
      ...(opts.record ? { record: true } : {}),
      ...(opts.once ? {} : { onCheck: out }),
    });
    if (opts.once) {
      const check = await monitor.checkNow();
      out(check);
      if (check.status === 'error') process.exitCode = 1;
      return check;
    }
    if (opts.metricsPort !== undefined) {
      const m = monitor;
      server = await metricsServer(opts.metricsHost, opts.metricsPort, () => renderGauges(m.gauges()));
      const a = server.address();
      io.stderr.write(`mlship monitor: gauges at http://${opts.metricsHost}:${typeof a === 'object' && a ? a.port : opts.metricsPort}/metrics\n`);
    }
    io.stderr.write(`mlship monitor: watching '${opts.model}' (window ${formatDuration(opts.window)}, every ${formatDuration(opts.every)}${opts.webhook?.length ? `, alerts to ${opts.webhook.join(', ')}` : ''}${opts.retrain ? `, retraining with ${opts.retrain}` : ''}); Ctrl+C to stop\n`);
    const signal = await untilSignal(signals);
    io.stderr.write(`mlship monitor: ${signal}, stopping\n`);
    return monitor.latest();
  } finally {
    await monitor?.stop();
    if (server) await new Promise((r) => server!.close(() => r(undefined)));
    await predictions?.close();
    await client.close();
  }
}

interface SimulateCliOptions {
  url: string;
  model?: string;
  rate: number;
  duration: number;
  shift: number;
  baseline: number;
  labels?: boolean;
  concurrency: number;
  seed: number;
  json?: boolean;
}

function simulateSummary(r: SimulateResult): string {
  const lines = [`simulated ${r.sent} requests to '${r.model}' (${r.kind}, ${r.dataset}) in ${(r.durationMs / 1000).toFixed(1)} s, ${r.rate.toFixed(0)}/s, ${r.failed} failed${r.labelled ? `, ${r.labelled} labels posted` : ''}`];
  for (const p of r.phases) lines.push(`  ${p.phase.padEnd(8)} ${new Date(p.from).toISOString()} .. ${new Date(p.to).toISOString()}  ${p.sent} requests${p.phase === 'shifted' ? ` (shift ${r.shift})` : ''}`);
  for (const e of r.errors) lines.push(`  error: ${e}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Registers `mlship monitor watch` and `mlship monitor simulate` on the `monitor` group.
 *
 * @example
 * ```ts
 * addMonitorWatchCommands(monitor, command, example, io);
 * ```
 */
export function addMonitorWatchCommands(monitor: Command, command: (parent: Command, name: string) => Command, example: (lines: string) => string, io: CliIo): void {
  addMonitorOptions(
    command(monitor, 'watch').description(
      "monitor one model continuously: every --every, compare the window [now - --window, now) of the prediction log with the reference profile of the model version (drift of inputs and predictions, quality where labels exist), print one line per check, export the gauges (--metrics-port), send one alert per incident (log line, --webhook JSON POST, --cooldown), and optionally retrain (--retrain) through the registry's promotion gate. Runs until Ctrl+C",
    ),
  )
    .requiredOption('--model <name>', 'the registered model name (as `mlship serve` logs it)')
    .option('--version <v>', "only this version's predictions (default: every version in the window)")
    .option('--tracking-uri <uri>', 'the store holding the prediction log and the registry (default: $MLSHIP_TRACKING_URI or sqlite:mlship/mlship.db)')
    .option('--metrics-port <port>', 'serve the gauges as Prometheus text at http://<metrics-host>:<port>/metrics', portNumber)
    .option('--metrics-host <host>', 'the interface of --metrics-port', '127.0.0.1')
    .option('--once', 'run one check now, print it and exit (status 1 when the check failed)')
    .option('--record', "record each check as a flow run (experiment 'monitoring') in the tracking store")
    .option('--json', 'print each check as a JSON line')
    .addHelpText(
      'after',
      example(`mlship monitor watch --model spam --window 1h --every 1m --webhook http://127.0.0.1:9000/alerts
               mlship monitor watch --model housing --min r2=0.6 --max rmse=5 --metrics-port 9464
               mlship monitor watch --model spam --retrain text-classification --cooldown 2h
               mlship monitor watch --model spam --window 15m --once --json`),
    )
    .action(async (opts: WatchOptions) => {
      await watchModel(opts, io);
    });

  command(monitor, 'simulate')
    .description(
      "replay traffic against a running `mlship serve`: items of the built-in dataset matching the model (spam-assassin for a text model, boston-housing for a tabular one), one per request at --rate per second for --duration, the first --baseline share unshifted, then shifted by --shift (text: that share of documents drawn from the spam class only and that share of each document's words replaced by out-of-vocabulary words; tabular: continuous columns offset by shift standard deviations and scaled by 1 + shift/2). --labels posts the true labels to /feedback so quality can be monitored. Progress on stderr, a summary on stdout",
    )
    .option('--url <url>', 'the model server', 'http://127.0.0.1:8080')
    .option('--model <name>', "the served model (default: the server's first)")
    .option('--rate <n>', 'requests per second', positiveNumberArg, 200)
    .addOption(new Option('--duration <duration>', 'how long to send').argParser(durationArg).default(60_000, '60s'))
    .option('--shift <0..1>', 'strength of the shift of the second phase (0: none)', unitArg, 0.5)
    .option('--baseline <0..1>', 'share of the duration sent unshifted first', unitArg, 0.5)
    .option('--labels', 'post each item\'s true label to /feedback')
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 16)
    .option('--seed <n>', 'seed of the sampling and the shift', (v) => Number(positiveInt(v)), 42)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      example(`mlship monitor simulate --url http://127.0.0.1:8080 --rate 200 --duration 60s --shift 0.5
               mlship monitor simulate --model housing --duration 2m --shift 0.8 --labels
               mlship monitor simulate --duration 30s --shift 0 --labels   # no shift: a baseline`),
    )
    .action(async (opts: SimulateCliOptions) => {
      const r = await simulateTraffic({
        url: opts.url,
        ...(opts.model !== undefined ? { model: opts.model } : {}),
        rate: opts.rate,
        durationMs: opts.duration,
        shift: opts.shift,
        baseline: opts.baseline,
        labels: opts.labels === true,
        concurrency: opts.concurrency,
        seed: opts.seed,
        onProgress: (p) => void io.stderr.write(`mlship monitor simulate: ${(p.elapsedMs / 1000).toFixed(0)} s ${p.phase}: ${p.sent} sent (${p.rate.toFixed(0)}/s), ${p.failed} failed${opts.labels ? `, ${p.labelled} labelled` : ''}\n`),
      });
      io.stdout.write(opts.json ? `${JSON.stringify(r)}\n` : simulateSummary(r));
      if (r.sent === 0) throw new MlshipError('UNAVAILABLE', `no request succeeded: ${r.errors[0] ?? 'see the errors above'}`, { field: 'url', value: opts.url });
    });
}

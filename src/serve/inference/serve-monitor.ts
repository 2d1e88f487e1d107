/**
 * The in-process monitor of `mlship serve --monitor`: one `startMonitoring` per served registry
 * model, reading the server's prediction log, with its gauges appended to `/metrics`. With
 * `--workers N` the primary process runs it (see serve-model-command.ts), so exactly one monitor
 * runs however many workers serve, and a worker's crash or restart never stops it.
 */
import { formatDuration, renderGauges, startMonitoring, type MonitorHandle, type StartMonitoringOptions } from '../../monitor/index.js';
import { parseModelUri, type MlshipClient, type PredictionStore } from '../../tracking/index.js';
import { defaultModelName } from './model-slot.js';

/**
 * The monitoring settings of a model server: those of `startMonitoring` except what the server
 * provides (the model, the prediction log, the client).
 *
 * @example
 * ```ts
 * const monitor: ServeMonitorOptions = { window: '1h', every: '1m', thresholds: { min: { accuracy: 0.9 } }, alerts: { webhook: 'http://127.0.0.1:9000/alerts' } };
 * ```
 */
export type ServeMonitorOptions = Omit<StartMonitoringOptions, 'model' | 'predictions' | 'client' | 'profile'>;

/**
 * Starts one monitor per served model that comes from the registry (`models:/name@alias`,
 * `models:/name/3`, `models:/name/latest`) and is served under its registered name (the prediction
 * log names it so); other models are reported through `say` and not monitored.
 *
 * @example
 * ```ts
 * const monitors = startServeMonitors([{ uri: 'models:/spam@champion' }], { client, predictions, options: { window: '1h', every: '1m' } });
 * const text = monitorsMetricsText(monitors);
 * ```
 */
export function startServeMonitors(
  specs: readonly { name?: string; uri: string }[],
  deps: { client: MlshipClient; predictions: PredictionStore; options: ServeMonitorOptions; say?: (line: string) => void },
): MonitorHandle[] {
  const say = deps.say ?? ((line: string) => void process.stderr.write(`mlship serve: ${line}\n`));
  const monitors: MonitorHandle[] = [];
  const seen = new Set<string>();
  try {
    for (const spec of specs) {
      const parsed = parseModelUri(spec.uri);
      const served = spec.name ?? defaultModelName(spec.uri);
      if (parsed.kind !== 'alias' && parsed.kind !== 'version' && parsed.kind !== 'latest') {
        say(`not monitoring '${served}': monitoring compares with the reference profile of a registry version; serve it as models:/<name>@champion`);
        continue;
      }
      if (parsed.name !== served) {
        say(`not monitoring '${served}': it is served under another name than its registered name '${parsed.name}', and the prediction log names it '${served}'; serve it without name=`);
        continue;
      }
      if (seen.has(served)) continue;
      seen.add(served);
      monitors.push(startMonitoring({ ...deps.options, model: served, predictions: deps.predictions, client: deps.client }));
    }
  } catch (err) {
    void Promise.all(monitors.map((m) => m.stop()));
    throw err;
  }
  for (const m of monitors) say(`monitoring '${m.model}': the last ${formatDuration(m.windowMs)} of the prediction log checked every ${formatDuration(m.everyMs)}; gauges on /metrics`);
  return monitors;
}

/**
 * The gauges of several monitors as one Prometheus text fragment.
 *
 * @example
 * ```ts
 * const body = renderSnapshot(metrics.snapshot()) + monitorsMetricsText(monitors);
 * ```
 */
export function monitorsMetricsText(monitors: readonly MonitorHandle[]): string {
  return monitors.length === 0 ? '' : renderGauges(monitors.flatMap((m) => m.gauges()));
}

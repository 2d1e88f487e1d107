import { MlshipError } from '../../core/index.js';
import { flow, interval, serve, task, type FlowRun, type ServeHandle } from '../../flow/index.js';
import type { MlshipClient, PredictionStore } from '../../tracking/index.js';
import type { ReferenceProfile } from '../profile/index.js';
import { monitorWindow, type MonitorResult } from '../window.js';
import { formatDuration, parseDuration } from './duration.js';
import { monitorGauges, renderGauges, type GaugeSample } from './gauges.js';
import { IncidentTracker, type Incident } from './incidents.js';
import { checkThresholds, evaluateThresholds, type AlertCondition, type AlertKind, type MonitorThresholds } from './thresholds.js';
import { checkWebhookUrl, postWebhook, type WebhookOptions, type WebhookResult } from './webhook.js';

// Continuous monitoring: a flow (mlship/flow) that checks the sliding window [now - window, now)
// of the prediction log, run every `every` by the flow scheduler (serve + interval), keeping the
// latest result as gauges and turning crossed thresholds into alerts (webhook + log line) and,
// optionally, a retraining that promotes only through the registry's gate.

/**
 * What a retraining did, as the alert payload and the log carry it.
 *
 * @example
 * ```ts
 * const outcome: RetrainOutcome = { state: 'Completed', version: 4, modelUri: 'models:/spam/4', promoted: false, message: 'spam version 4 was not promoted to @champion: f1 0.9611 vs 0.9644 for version 3: 0.0033 worse (higher is better)' };
 * ```
 */
export interface RetrainOutcome {
  /** The training flow run's final state (`Completed`, `Failed`, ...). */
  state: string;
  /** The version the retraining registered, or `null` when it failed before registering. */
  version: number | null;
  /** e.g. `models:/spam/4`. */
  modelUri: string | null;
  /** Whether the registry's promotion gate moved `@champion` to the new version. */
  promoted: boolean;
  /** One sentence: what the gate decided, or why the retraining failed. */
  message: string;
  /** The tracking run of the training flow run, when recorded. */
  runId?: string | null;
}

/**
 * What a retraining callback receives.
 *
 * @example
 * ```ts
 * const retrain = async (ctx: RetrainContext) => { console.log(ctx.model, ctx.conditions.map((c) => c.key)); return outcome; };
 * ```
 */
export interface RetrainContext {
  model: string;
  /** The conditions that started the incident(s) at this check. */
  conditions: AlertCondition[];
  result: MonitorResult;
}

/**
 * A retraining policy: on an alert of one of the `on` kinds, run `retrain` once for the incident
 * (the incident's cooldown also applies). The callback must register a new version and promote
 * it only through the registry's gate (`client.promote(name, version, { metric })`), never
 * directly: the reference flows (`mlship example run ...`) do exactly that.
 *
 * @example
 * ```ts
 * // your training flow: it registers a version, then asks the gate (client.promote), never setAlias
 * const policy: RetrainPolicy = {
 *   on: ['dataset_drift', 'text_drift'],
 *   retrain: async ({ model }) => {
 *     const version = await trainAndRegister(model); // e.g. a flow that logs the model and calls client.registerModel
 *     const gate = await client.promote(model, version, { metric: 'f1' });
 *     return { state: 'Completed', version, modelUri: `models:/${model}/${version}`, promoted: gate.promoted, message: gate.message };
 *   },
 * };
 * ```
 */
export interface RetrainPolicy {
  retrain(context: RetrainContext): Promise<RetrainOutcome>;
  /** The alert kinds that start a retraining. @default ['dataset_drift', 'prediction_drift', 'text_drift', 'quality'] */
  on?: readonly AlertKind[];
  /** The longest a retraining may take, in ms; then it is reported as failed. @default 3600000 (1 h) */
  timeoutMs?: number;
}

/**
 * Where alerts go and how often.
 *
 * @example
 * ```ts
 * const alerts: AlertOptions = { webhook: 'http://127.0.0.1:9000/alerts', cooldownMs: 30 * 60_000, resolved: true };
 * ```
 */
export interface AlertOptions {
  /** URL(s) receiving one JSON POST per alert ({@link AlertEvent}). @default none (log only) */
  webhook?: string | readonly string[];
  /** Timeout and retries of each POST. @default { timeoutMs: 5000, retries: 2, retryDelayMs: 500 } */
  webhookOptions?: WebhookOptions;
  /** After an alert, the same condition is not alerted again for this long (ms or a duration like '30m'). @default '30m' */
  cooldown?: number | string;
  /** Also send a `resolved` event when an alerted condition clears. @default true */
  resolved?: boolean;
  /** Where the one-line log of each alert, check error and retraining goes. @default a line on stderr */
  log?: (line: string) => void;
  /** Called with each alert event after it was sent (or failed to be). @default none */
  onAlert?: (event: AlertEvent, delivery: WebhookResult[]) => void | Promise<void>;
}

/**
 * One condition of an alert event.
 *
 * @example
 * ```ts
 * const c: AlertEventCondition = { key: 'dataset_drift', kind: 'dataset_drift', message: 'dataset drift: 2 of 3 columns drifted ...', value: 0.67, threshold: 0.5, startedAt: '2026-11-27T05:01:00.000Z' };
 * ```
 */
export interface AlertEventCondition extends Omit<AlertCondition, 'bound'> {
  /** ISO 8601: when its incident started (the check that first saw it). */
  startedAt: string;
  /** `resolved` events: how long the incident lasted, in ms. */
  durationMs?: number;
}

/**
 * One alert, as POSTed to the webhook (JSON): the conditions that started (`firing`) or cleared
 * (`resolved`) at one check, so an incident seen by several tests at once is still one alert.
 *
 * @example
 * ```ts
 * // {"event":"firing","source":"mlship-monitor","model":"spam","message":"dataset drift: 2 of 3 columns drifted ...",
 * //  "conditions":[{"key":"dataset_drift","kind":"dataset_drift","value":0.67,"threshold":0.5,...}],"at":"2026-11-27T05:01:00.000Z",
 * //  "window":{"from":"...","to":"...","rows":1200,"labelled":0,"versions":["3"]},"drift":{...},"quality":null,"retrain":null}
 * ```
 */
export interface AlertEvent {
  event: 'firing' | 'resolved';
  source: 'mlship-monitor';
  model: string;
  /** The conditions' messages joined: one line for people. */
  message: string;
  conditions: AlertEventCondition[];
  /** ISO 8601: the check that raised it (the end of its window). */
  at: string;
  /** The window of that check. */
  window: { from: string; to: string; rows: number; labelled: number; versions: string[] };
  /** The drift of that window. */
  drift: { drift: boolean; shareDrifted: number; share: number; driftedColumns: string[]; prediction: { method: string; score: number; drift: boolean } | null; textRocAuc: number | null };
  /** The quality of that window's labelled items, when any. */
  quality: { metrics: Record<string, number>; reference: Record<string, number>; labelled: number } | null;
  /** The retraining this incident started (firing events with a policy), else null. */
  retrain: RetrainOutcome | null;
}

/**
 * One window check.
 *
 * @example
 * ```ts
 * const check: MonitorCheck = await monitor.checkNow();
 * console.log(check.status, check.rows, check.result?.drift.shareDrifted, check.alerts.length);
 * ```
 */
export interface MonitorCheck {
  /** `ok`: compared; `skipped`: fewer rows than `minRows` in the window; `error`: the check failed (see `error`). */
  status: 'ok' | 'skipped' | 'error';
  /** The window [from, to), ms since the epoch. */
  from: number;
  to: number;
  /** Rows (items) in the window. */
  rows: number;
  result: MonitorResult | null;
  /** The thresholds crossed at this check. */
  conditions: AlertCondition[];
  /** Alert events raised at this check (sent to the webhook, logged). */
  alerts: AlertEvent[];
  /** Conditions that started within their cooldown: logged, not sent. */
  suppressed: AlertCondition[];
  /** The retraining started at this check, when the policy fired. */
  retrain: RetrainOutcome | null;
  error?: string;
  /** How long the check took, in ms. */
  durationMs: number;
}

/**
 * Options of {@link startMonitoring}.
 *
 * @example
 * ```ts
 * const options: StartMonitoringOptions = { model: 'spam', window: '1h', every: '1m', predictions, client, thresholds: { min: { accuracy: 0.9 } }, alerts: { webhook: 'http://127.0.0.1:9000/alerts' } };
 * ```
 */
export interface StartMonitoringOptions {
  /** The registry model name, as the prediction log names it. */
  model: string;
  /** Only this version's predictions. @default every version in the window */
  version?: string;
  /** The width of the sliding window: ms or a duration such as '1h'. */
  window: number | string;
  /** How often the window is checked: ms or a duration such as '1m'. */
  every: number | string;
  /** The prediction log to read. */
  predictions: PredictionStore;
  /** The registry holding the versions' reference profiles (not needed with `profile`). */
  client?: MlshipClient;
  /** Compare with this profile instead of the one saved with the window's model version. @default loaded per check */
  profile?: ReferenceProfile;
  /** When a check raises an alert. @default dataset, prediction and text drift; no quality bounds */
  thresholds?: MonitorThresholds;
  /** Where alerts go. @default log lines on stderr */
  alerts?: AlertOptions;
  /** Retrain on drift. @default none */
  policy?: RetrainPolicy;
  /** Fewer rows than this in the window: the check is skipped (too little data to test), incidents are left as they are. @default 50 */
  minRows?: number;
  /** Check once at start, not only after the first `every`. @default true */
  runImmediately?: boolean;
  /** Record each check as a flow run (with its task runs) in the tracking store, through `client`. @default false */
  record?: boolean;
  /** The clock (ms since the epoch) the windows end at. @default Date.now */
  now?: () => number;
  /** Called after every check. @default none */
  onCheck?: (check: MonitorCheck) => void;
}

/**
 * A running monitor.
 *
 * @example
 * ```ts
 * const monitor = startMonitoring({ model: 'spam', window: '1h', every: '1m', predictions, client });
 * console.log(monitor.latest()?.result?.drift.shareDrifted);
 * process.stdout.write(monitor.metricsText());
 * await monitor.stop();
 * ```
 */
export interface MonitorHandle {
  readonly model: string;
  readonly windowMs: number;
  readonly everyMs: number;
  /** The last check, or null before the first one ended. */
  latest(): MonitorCheck | null;
  /** The last check that compared a window (status `ok`), or null. */
  latestResult(): MonitorResult | null;
  /** Runs one check now (after any check in progress) and returns it. */
  checkNow(): Promise<MonitorCheck>;
  /** The incidents open now. */
  incidents(): Incident[];
  /** The gauges of the last check. */
  gauges(): GaugeSample[];
  /** The gauges as a Prometheus text fragment (append to a `/metrics` body). */
  metricsText(): string;
  /** When the next scheduled check starts (ms since the epoch), or null once stopped. */
  nextCheck(): number | null;
  /** Stops scheduling and waits for a check in progress. Idempotent. */
  stop(): Promise<void>;
}

const DEFAULT_POLICY_KINDS: readonly AlertKind[] = ['dataset_drift', 'prediction_drift', 'text_drift', 'quality'];

function durationOption(v: number | string | undefined, field: string, fallback?: number): number {
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new MlshipError('INVALID_ARGUMENT', `${field} is required: give ms or a duration such as 1h or 5m`, { field });
  }
  if (typeof v === 'string') return parseDuration(v, field);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) throw new MlshipError('INVALID_ARGUMENT', `${field} must be a positive number of ms or a duration such as 1h, got ${JSON.stringify(v)}`, { field, value: v });
  return Math.round(v);
}

const iso = (ms: number): string => new Date(ms).toISOString();
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Runs a promise with a deadline; the late promise is abandoned. */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MlshipError('TIMEOUT', `${what} took longer than ${formatDuration(ms)}`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** The part of an alert event that describes the window. */
function eventContext(result: MonitorResult): Pick<AlertEvent, 'window' | 'drift' | 'quality'> {
  const d = result.drift;
  const p = d.prediction;
  return {
    window: { from: iso(result.from), to: iso(result.to), rows: result.rows, labelled: result.labelled, versions: result.versions },
    drift: {
      drift: d.drift,
      shareDrifted: d.shareDrifted,
      share: d.share,
      driftedColumns: Object.entries(d.columns)
        .filter(([, c]) => c.drift)
        .map(([name]) => name),
      prediction: p ? { method: p.method, score: p.pValue ?? p.distance ?? p.statistic ?? NaN, drift: p.drift } : null,
      textRocAuc: d.text?.domainClassifier?.rocAuc ?? null,
    },
    quality: result.quality ? { metrics: result.quality.metrics, reference: result.quality.reference, labelled: result.quality.labelled } : null,
  };
}

/**
 * Starts continuous monitoring of one model: a flow (`monitor-<model>`, mlship/flow) run by the
 * flow scheduler every `every`, each run checking the window `[now - window, now)` of the
 * prediction log with `monitorWindow` (drift against the version's reference profile, quality where
 * labels exist), keeping the latest result as gauges, and turning crossed thresholds into alerts:
 * one JSON POST per incident to the webhook(s) and one log line, silent while the incident goes on,
 * a `resolved` event when it clears, and a cooldown per condition. With a `policy`, an incident of
 * the policy's kinds starts one retraining, whose outcome (new version, whether the gate promoted
 * it) goes into the alert and the log. A failed check or webhook is logged; the monitor goes on.
 *
 * @throws MlshipError INVALID_ARGUMENT for a bad window, interval, threshold or webhook URL.
 * @example
 * ```ts
 * import { startMonitoring } from 'mlship/monitor';
 * import { MlshipClient, openPredictionStore } from 'mlship/tracking';
 * const uri = 'sqlite:///tmp/mlship-demo/mlship.db';
 * const client = await MlshipClient.open({ trackingUri: uri });
 * const predictions = await openPredictionStore(uri);
 * const monitor = startMonitoring({
 *   model: 'spam', window: '1h', every: '1m', predictions, client,
 *   thresholds: { min: { accuracy: 0.9 } },
 *   alerts: { webhook: 'http://127.0.0.1:9000/alerts', cooldown: '30m' },
 * });
 * // ... later
 * console.log(monitor.latest()?.result?.drift.drift, monitor.metricsText());
 * await monitor.stop();
 * ```
 */
export function startMonitoring(options: StartMonitoringOptions): MonitorHandle {
  const { model, predictions, client, profile, version, thresholds = {}, alerts = {}, policy, onCheck } = options;
  if (typeof model !== 'string' || model.trim() === '') throw new MlshipError('INVALID_ARGUMENT', `model must be a registered model name, got ${JSON.stringify(model)}`, { field: 'model', value: model });
  if (!predictions || typeof predictions.countPredictions !== 'function') throw new MlshipError('INVALID_ARGUMENT', 'predictions must be a PredictionStore (openPredictionStore(uri))', { field: 'predictions' });
  if (!client && !profile) throw new MlshipError('INVALID_ARGUMENT', `give a client (to load the reference profile of each version of '${model}') or a profile`, { field: 'client' });
  const windowMs = durationOption(options.window, 'window');
  const everyMs = durationOption(options.every, 'every');
  const cooldownMs = durationOption(alerts.cooldown, 'cooldown', 30 * 60_000);
  const minRows = options.minRows ?? 50;
  if (!Number.isSafeInteger(minRows) || minRows < 1) throw new MlshipError('INVALID_ARGUMENT', `minRows must be a positive whole number, got ${JSON.stringify(minRows)}`, { field: 'minRows', value: minRows });
  checkThresholds(thresholds);
  const webhooks = (alerts.webhook === undefined ? [] : typeof alerts.webhook === 'string' ? [alerts.webhook] : [...alerts.webhook]).map((u) => checkWebhookUrl(u));
  const sendResolved = alerts.resolved ?? true;
  const log = alerts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const now = options.now ?? Date.now;
  const policyKinds = new Set(policy?.on ?? DEFAULT_POLICY_KINDS);
  const retrainTimeout = policy?.timeoutMs ?? 3_600_000;
  const incidents = new IncidentTracker(cooldownMs);
  const say = (text: string): void => {
    try {
      log(`${iso(now())} mlship monitor [${model}] ${text}`);
    } catch {
      // a broken log sink must not stop the monitor
    }
  };

  let last: MonitorCheck | null = null;
  let lastOk: MonitorResult | null = null;
  let lastRows: number | null = null;
  let lastError: string | null = null;
  const counts = { ok: 0, skipped: 0, error: 0 };
  let lastCheckAt: number | null = null;

  // ---------------------------------------------------------------- the tasks of one check
  const countRows = task(async (from: number, to: number) => predictions.countPredictions({ modelName: model, from, to, ...(version !== undefined ? { modelVersion: version } : {}) }), { name: 'count-window', retries: 1, retryDelay: 1000 });
  const compareWindow = task(
    async (from: number, to: number) => monitorWindow({ predictions, ...(client ? { client } : {}), model, ...(version !== undefined ? { version } : {}), ...(profile ? { profile } : {}), from, to }),
    { name: 'compare-window' },
  );
  const retrainTask = task(
    async (conditions: AlertCondition[], result: MonitorResult): Promise<RetrainOutcome> => {
      try {
        return await withTimeout(policy!.retrain({ model, conditions, result }), retrainTimeout, 'the retraining');
      } catch (err) {
        return { state: 'Failed', version: null, modelUri: null, promoted: false, message: `retraining failed: ${errorText(err)}` };
      }
    },
    { name: 'retrain' },
  );
  const deliver = task(
    async (event: AlertEvent): Promise<WebhookResult[]> => {
      const results = await Promise.all(webhooks.map((url) => postWebhook(url, event, alerts.webhookOptions)));
      results.forEach((r, i) => {
        if (!r.ok) say(`webhook ${webhooks[i]} failed after ${r.attempts} attempt(s): ${r.error ?? `HTTP ${r.status}`}; the alert is in this log`);
      });
      try {
        await alerts.onAlert?.(event, results);
      } catch (err) {
        say(`onAlert failed: ${errorText(err)}`);
      }
      return results;
    },
    { name: 'send-alert' },
  );

  const runCheck = async (): Promise<MonitorCheck> => {
    const t0 = performance.now();
    const to = now();
    const from = to - windowMs;
    const check: MonitorCheck = { status: 'ok', from, to, rows: 0, result: null, conditions: [], alerts: [], suppressed: [], retrain: null, durationMs: 0 };
    try {
      check.rows = await countRows(from, to);
      lastRows = check.rows;
      if (check.rows < minRows) {
        check.status = 'skipped';
        return check;
      }
      const result = await compareWindow(from, to);
      check.result = result;
      lastOk = result;
      lastError = null;
      check.conditions = evaluateThresholds(result, thresholds);
      const u = incidents.update(check.conditions, to);
      for (const i of u.suppressed) {
        check.suppressed.push(i.condition);
        say(`${i.condition.message} (again within the ${formatDuration(cooldownMs)} cooldown of its last alert: not sent)`);
      }
      const trigger = u.started.filter((i) => policyKinds.has(i.condition.kind)).map((i) => i.condition);
      if (policy && trigger.length > 0) {
        say(`retraining (policy) on ${trigger.map((c) => c.key).join(', ')}; the alert follows with its outcome`);
        check.retrain = await retrainTask(trigger, result);
        const r = check.retrain;
        say(`retraining ${r.state}: ${r.version !== null ? `registered ${r.modelUri ?? `version ${r.version}`}, ` : ''}${r.promoted ? 'promoted by the gate' : 'not promoted'}: ${r.message}`);
      }
      const context = eventContext(result);
      const conditionOf = (i: Incident, resolvedAt?: number): AlertEventCondition => {
        const c = i.condition;
        return { key: c.key, kind: c.kind, message: c.message, value: c.value, threshold: c.threshold, ...(c.column !== undefined ? { column: c.column } : {}), ...(c.metric !== undefined ? { metric: c.metric } : {}), startedAt: iso(i.startedAt), ...(resolvedAt !== undefined ? { durationMs: resolvedAt - i.startedAt } : {}) };
      };
      if (u.started.length > 0) {
        const conditions = u.started.map((i) => conditionOf(i));
        check.alerts.push({ event: 'firing', source: 'mlship-monitor', model, message: conditions.map((c) => c.message).join('; '), conditions, at: iso(to), ...context, retrain: check.retrain });
      }
      const resolved = u.resolved.filter((i) => i.alerted);
      for (const i of u.resolved) if (!i.alerted) say(`clear again (it was not alerted): ${i.condition.message}`);
      if (resolved.length > 0 && !sendResolved) say(`RESOLVED ${resolved.map((i) => `${i.key} after ${formatDuration(Math.max(1, i.resolvedAt - i.startedAt))}`).join(', ')}`);
      if (resolved.length > 0 && sendResolved) {
        const conditions = resolved.map((i) => conditionOf(i, i.resolvedAt));
        check.alerts.push({ event: 'resolved', source: 'mlship-monitor', model, message: `resolved: ${conditions.map((c) => c.key).join(', ')}`, conditions, at: iso(to), ...context, retrain: null });
      }
      for (const e of check.alerts) {
        say(`${e.event === 'firing' ? 'ALERT' : 'RESOLVED'} ${e.message} (window ${formatDuration(windowMs)}, ${result.rows} rows${webhooks.length ? `; webhook ${webhooks.length === 1 ? webhooks[0] : `x${webhooks.length}`}` : ''})`);
      }
      await Promise.all(check.alerts.map((e) => deliver(e)));
      return check;
    } catch (err) {
      check.status = 'error';
      check.error = errorText(err);
      // One line per distinct error, not one a minute.
      if (check.error !== lastError) say(`check failed: ${check.error}`);
      lastError = check.error;
      return check;
    } finally {
      check.durationMs = performance.now() - t0;
      counts[check.status]++;
      lastCheckAt = now();
      last = check;
      try {
        onCheck?.(check);
      } catch (err) {
        say(`onCheck failed: ${errorText(err)}`);
      }
    }
  };

  // The check as a flow: every run is a flow run (recorded with its task runs when `record`).
  const checkFlow = flow(runCheck, { name: `monitor-${model}`.replace(/[^A-Za-z0-9._-]/g, '-'), experiment: 'monitoring', printLogs: false, ...(options.record && client ? { client } : { record: false }) });

  // One check at a time: a scheduled run and checkNow() queue behind each other.
  let chain: Promise<unknown> = Promise.resolve();
  const runSerial = (): Promise<MonitorCheck> => {
    const next = chain.then(async () => {
      const run: FlowRun<MonitorCheck> = checkFlow.start();
      await run.wait();
      if (run.value) return run.value;
      return { status: 'error', from: 0, to: 0, rows: 0, result: null, conditions: [], alerts: [], suppressed: [], retrain: null, error: errorText(run.error), durationMs: 0 } as MonitorCheck;
    });
    chain = next.catch(() => undefined);
    return next;
  };
  const scheduled = flow(runSerial, { name: `monitor-${model}-tick`.replace(/[^A-Za-z0-9._-]/g, '-'), record: false, printLogs: false });

  let stopped = false;
  const handle: ServeHandle = serve([{ flow: scheduled, schedule: interval(everyMs), name: `monitor ${model}` }], {
    onSkip: () => say(`a check is still running after ${formatDuration(everyMs)}: this time is skipped`),
    onError: (e) => say(`scheduled check failed: ${errorText(e.error)}`),
  });
  if (options.runImmediately ?? true) void runSerial();

  return {
    model,
    windowMs,
    everyMs,
    latest: () => last,
    latestResult: () => lastOk,
    checkNow: () => runSerial(),
    incidents: () => incidents.active(),
    gauges: () => monitorGauges({ model, result: lastOk, rows: lastRows, labelled: lastOk?.labelled ?? null, activeAlerts: incidents.active().length, checks: { ...counts }, lastCheck: lastCheckAt }),
    metricsText() {
      return renderGauges(this.gauges());
    },
    nextCheck: () => (stopped ? null : (handle.deployments()[0]?.nextTime ?? null)),
    async stop() {
      stopped = true;
      await handle.stop();
      await chain;
    },
  };
}

import type { MonitorResult } from '../window.js';
import { driftScore } from './thresholds.js';

// The monitoring gauges in the Prometheus text format (0.0.4), appended to a server's /metrics or
// served by `mlship monitor watch --metrics-port`.

/**
 * One gauge sample.
 *
 * @example
 * ```ts
 * const s: GaugeSample = { name: 'mlship_drift_share', help: 'Share of drifted columns', labels: { model: 'spam' }, value: 0.67 };
 * ```
 */
export interface GaugeSample {
  name: string;
  help: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * The gauge names and their help, in the order they are rendered.
 *
 * @example
 * ```ts
 * import { MONITOR_GAUGES } from 'mlship/monitor';
 * Object.keys(MONITOR_GAUGES); // ['mlship_drift_share', 'mlship_dataset_drift', ...]
 * ```
 */
export const MONITOR_GAUGES = {
  mlship_drift_share: 'Share of the monitored columns that drifted in the last window compared (0..1)',
  mlship_dataset_drift: '1 when the last window compared showed dataset drift, else 0',
  mlship_column_drift_score: 'Drift score of each column in the last window compared: the p-value of a statistical test, or the distance',
  mlship_column_drift: '1 when the column drifted in the last window compared, else 0',
  mlship_prediction_drift_score: "Drift score of the model's predictions in the last window compared (p-value or distance)",
  mlship_text_drift_roc_auc: 'ROC-AUC of the domain classifier telling current from reference texts in the last window compared (0.5: no drift)',
  mlship_model_quality: 'Quality of the labelled predictions of the last window compared (accuracy, f1, rmse, mae, ...)',
  mlship_model_quality_reference: 'Quality recorded at training, for the same metrics',
  mlship_monitor_window_rows: 'Predictions in the last checked window (also one skipped for too few rows)',
  mlship_monitor_window_labelled: 'Predictions with a ground-truth label in the last window compared',
  mlship_monitor_alerts_active: 'Alert conditions open now',
  mlship_monitor_checks_total: 'Window checks done, by outcome (ok, skipped: too few rows, error)',
  mlship_monitor_last_check_timestamp_seconds: 'When the last window check ended, in seconds since the epoch',
  mlship_monitor_last_compared_timestamp_seconds:
    'End of the last window compared, the one the drift and quality gauges describe (a check skipped for too few rows keeps them), in seconds since the epoch',
} as const;

/**
 * A gauge name of {@link MONITOR_GAUGES}.
 *
 * @example
 * ```ts
 * const name: MonitorGaugeName = 'mlship_drift_share';
 * ```
 */
export type MonitorGaugeName = keyof typeof MONITOR_GAUGES;

/**
 * What the gauges are made of: the last result and the monitor's counters.
 *
 * @example
 * ```ts
 * const state: GaugeState = { model: 'spam', result: null, rows: 12, labelled: null, activeAlerts: 0, checks: { ok: 0, skipped: 1, error: 0 }, lastCheck: Date.now() };
 * ```
 */
export interface GaugeState {
  model: string;
  result: MonitorResult | null;
  /** Rows in the last checked window (also when the check was skipped for too few rows). */
  rows: number | null;
  /** Labelled rows in the last window compared (`result`'s). */
  labelled: number | null;
  activeAlerts: number;
  checks: { ok: number; skipped: number; error: number };
  /** ms since the epoch of the last check's end, or null before the first. */
  lastCheck: number | null;
}

/**
 * The gauge samples of one monitored model.
 *
 * @example
 * ```ts
 * import { monitorGauges } from 'mlship/monitor';
 * const samples = monitorGauges({ model: 'spam', result, rows: result.rows, labelled: result.labelled, activeAlerts: 0, checks: { ok: 1, skipped: 0, error: 0 }, lastCheck: Date.now() });
 * ```
 */
export function monitorGauges(state: GaugeState): GaugeSample[] {
  const out: GaugeSample[] = [];
  const model = state.model;
  const add = (name: MonitorGaugeName, labels: Record<string, string>, value: number): void => void out.push({ name, help: MONITOR_GAUGES[name], labels: { model, ...labels }, value });
  const r = state.result;
  if (r) {
    add('mlship_drift_share', {}, r.drift.shareDrifted);
    add('mlship_dataset_drift', {}, r.drift.drift ? 1 : 0);
    for (const [column, c] of Object.entries(r.drift.columns)) {
      add('mlship_column_drift_score', { column, method: c.method }, driftScore(c));
      add('mlship_column_drift', { column }, c.drift ? 1 : 0);
    }
    if (r.drift.prediction) add('mlship_prediction_drift_score', { method: r.drift.prediction.method }, driftScore(r.drift.prediction));
    const dc = r.drift.text?.domainClassifier;
    if (dc) add('mlship_text_drift_roc_auc', {}, dc.rocAuc);
    if (r.quality) {
      for (const [metric, v] of Object.entries(r.quality.metrics)) add('mlship_model_quality', { metric }, v);
      for (const [metric, v] of Object.entries(r.quality.reference)) add('mlship_model_quality_reference', { metric }, v);
    }
  }
  if (state.rows !== null) add('mlship_monitor_window_rows', {}, state.rows);
  if (state.labelled !== null) add('mlship_monitor_window_labelled', {}, state.labelled);
  add('mlship_monitor_alerts_active', {}, state.activeAlerts);
  for (const outcome of ['ok', 'skipped', 'error'] as const) add('mlship_monitor_checks_total', { outcome }, state.checks[outcome]);
  if (state.lastCheck !== null) add('mlship_monitor_last_check_timestamp_seconds', {}, state.lastCheck / 1000);
  if (r) add('mlship_monitor_last_compared_timestamp_seconds', {}, r.to / 1000);
  return out;
}

const num = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : String(v));
const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/**
 * Renders gauge samples (of one or several monitors) in the Prometheus text format, one HELP and
 * TYPE line per metric.
 *
 * @example
 * ```ts
 * import { renderGauges } from 'mlship/monitor';
 * const text = renderGauges([...spam.gauges(), ...housing.gauges()]);
 * // # HELP mlship_drift_share ...\n# TYPE mlship_drift_share gauge\nmlship_drift_share{model="spam"} 0.67\n...
 * ```
 */
export function renderGauges(samples: readonly GaugeSample[]): string {
  const byName = new Map<string, GaugeSample[]>();
  for (const s of samples) {
    let list = byName.get(s.name);
    if (!list) byName.set(s.name, (list = []));
    list.push(s);
  }
  let text = '';
  for (const [name, list] of byName) {
    const kind = name.endsWith('_total') ? 'counter' : 'gauge';
    text += `# HELP ${name} ${list[0]!.help}\n# TYPE ${name} ${kind}\n`;
    for (const s of list) {
      const pairs = Object.entries(s.labels).map(([k, v]) => `${k}="${esc(v)}"`);
      text += `${name}${pairs.length ? `{${pairs.join(',')}}` : ''} ${num(s.value)}\n`;
    }
  }
  return text;
}

import { MlshipError } from '../../core/index.js';
import type { MonitorResult } from '../window.js';

// Which results of a window check are a problem: dataset drift, a column's drift, prediction
// drift, text drift, a quality metric out of bounds.

/**
 * When a window check raises an alert. Drift uses the tests' own decisions (the methods and
 * thresholds of the drift engine); quality compares the window's metrics with bounds.
 *
 * @example
 * ```ts
 * const thresholds: MonitorThresholds = { columnDrift: ['rm', 'lstat'], min: { accuracy: 0.9 }, max: { rmse: 5 } };
 * ```
 */
export interface MonitorThresholds {
  /** Alert when the dataset drifts (the share of drifted columns reaches the drift engine's share, 0.5 by default). @default true */
  datasetDrift?: boolean;
  /** Alert for each drifted column: `true` for every column, or the names of the columns to watch. @default false */
  columnDrift?: boolean | readonly string[];
  /** Alert when the model's predictions drift. @default true */
  predictionDrift?: boolean;
  /** Alert when the text domain classifier finds the texts drifted (text models). @default true */
  textDrift?: boolean;
  /** Alert when a quality metric of the window falls below its bound, e.g. `{ accuracy: 0.9, f1: 0.85 }`. @default {} */
  min?: Record<string, number>;
  /** Alert when a quality metric of the window rises above its bound, e.g. `{ rmse: 5, mae: 3.5 }`. @default {} */
  max?: Record<string, number>;
  /** Quality bounds apply only when the window has at least this many labelled items. @default 30 */
  minLabelled?: number;
}

/**
 * What kind of problem a condition is.
 *
 * @example
 * ```ts
 * const kinds: AlertKind[] = ['dataset_drift', 'quality'];
 * ```
 */
export type AlertKind = 'dataset_drift' | 'column_drift' | 'prediction_drift' | 'text_drift' | 'quality';

/**
 * One threshold crossed by one window check. `key` identifies the condition across checks (one
 * incident per key).
 *
 * @example
 * ```ts
 * const c: AlertCondition = { key: 'quality:accuracy:min', kind: 'quality', metric: 'accuracy', bound: 'min', value: 0.81, threshold: 0.9, message: 'accuracy 0.8100 < 0.9 on 412 labelled items' };
 * ```
 */
export interface AlertCondition {
  key: string;
  kind: AlertKind;
  /** One sentence: what crossed which threshold. */
  message: string;
  /** The observed value: share of drifted columns, drift score, ROC-AUC, metric value. */
  value: number;
  /** The threshold it crossed. */
  threshold: number;
  column?: string;
  metric?: string;
  bound?: 'min' | 'max';
}

/**
 * Parses `name=value` bounds as given on a command line (`--min accuracy=0.9 --min f1=0.8`).
 *
 * @throws MlshipError INVALID_ARGUMENT naming the option and the value that is not `metric=number`.
 * @example
 * ```ts
 * import { parseBounds } from 'mlship/monitor';
 * parseBounds(['accuracy=0.9', 'f1=0.85'], '--min'); // { accuracy: 0.9, f1: 0.85 }
 * ```
 */
export function parseBounds(items: readonly string[], field: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(\S+)\s*$/.exec(item);
    const v = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(v)) {
      throw new MlshipError('INVALID_ARGUMENT', `${field} takes metric=number (for example accuracy=0.9 or rmse=5), got ${JSON.stringify(item)}`, { field, value: item });
    }
    out[m[1]!] = v;
  }
  return out;
}

/**
 * Checks thresholds given in code; INVALID_ARGUMENT names the field.
 *
 * @example
 * ```ts
 * import { checkThresholds } from 'mlship/monitor';
 * checkThresholds({ min: { accuracy: 0.9 } }); // ok; { min: { accuracy: NaN } } throws
 * ```
 */
export function checkThresholds(t: MonitorThresholds): void {
  for (const side of ['min', 'max'] as const) {
    for (const [k, v] of Object.entries(t[side] ?? {})) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new MlshipError('INVALID_ARGUMENT', `thresholds.${side}.${k} must be a finite number, got ${JSON.stringify(v)}`, { field: `thresholds.${side}.${k}`, value: v });
    }
  }
  if (t.minLabelled !== undefined && (!Number.isSafeInteger(t.minLabelled) || t.minLabelled < 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `thresholds.minLabelled must be a positive whole number, got ${JSON.stringify(t.minLabelled)}`, { field: 'thresholds.minLabelled', value: t.minLabelled });
  }
}

/**
 * The drift score of a column result as Evidently reports it: the p-value for a statistical test
 * (drift when it is small), the distance for a distance (drift when it is large).
 *
 * @example
 * ```ts
 * import { driftScore } from 'mlship/monitor';
 * driftScore({ method: 'ks', pValue: 0.003, distance: undefined }); // 0.003
 * ```
 */
export function driftScore(r: { pValue?: number; distance?: number; statistic?: number }): number {
  return r.pValue ?? r.distance ?? r.statistic ?? NaN;
}

/** 4 decimals, or 3 significant digits for a small p-value (8.93e-8, not 0.0000). */
const f4 = (x: number): string => (!Number.isFinite(x) ? String(x) : x !== 0 && Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(4));

/**
 * The thresholds a window check crosses, in a stable order: dataset drift, prediction drift,
 * text drift, columns, quality.
 *
 * @example
 * ```ts
 * import { evaluateThresholds } from 'mlship/monitor';
 * for (const c of evaluateThresholds(result, { min: { accuracy: 0.9 } })) console.log(c.key, c.message);
 * ```
 */
export function evaluateThresholds(result: MonitorResult, thresholds: MonitorThresholds = {}): AlertCondition[] {
  const { datasetDrift = true, columnDrift = false, predictionDrift = true, textDrift = true, min = {}, max = {}, minLabelled = 30 } = thresholds;
  const out: AlertCondition[] = [];
  const d = result.drift;
  const drifted = Object.entries(d.columns).filter(([, c]) => c.drift);
  if (datasetDrift && d.drift) {
    out.push({
      key: 'dataset_drift',
      kind: 'dataset_drift',
      value: d.shareDrifted,
      threshold: d.share,
      message: `dataset drift: ${d.driftedColumns} of ${d.numberOfColumns} columns drifted (share ${f4(d.shareDrifted)} >= ${d.share}): ${drifted.map(([name]) => name).join(', ')}`,
    });
  }
  if (predictionDrift && d.prediction?.drift) {
    const p = d.prediction;
    out.push({ key: 'prediction_drift', kind: 'prediction_drift', value: driftScore(p), threshold: p.threshold, message: `prediction drift: ${p.method} score ${f4(driftScore(p))} (threshold ${p.threshold})` });
  }
  const dc = d.text?.domainClassifier;
  if (textDrift && dc?.drift) {
    const words = dc.typicalCurrentWords.slice(0, 5).join(', ');
    out.push({ key: 'text_drift', kind: 'text_drift', value: dc.rocAuc, threshold: dc.threshold, message: `text drift: a classifier tells current from reference texts with ROC-AUC ${f4(dc.rocAuc)} > ${f4(dc.threshold)}${words ? `; typical current words: ${words}` : ''}` });
  }
  if (columnDrift !== false) {
    const watched = columnDrift === true ? null : new Set(columnDrift);
    for (const [name, c] of drifted) {
      if (watched && !watched.has(name)) continue;
      out.push({ key: `column_drift:${name}`, kind: 'column_drift', column: name, value: driftScore(c), threshold: c.threshold, message: `column ${name} drifted: ${c.method} score ${f4(driftScore(c))} (threshold ${c.threshold})` });
    }
  }
  const q = result.quality;
  if (q && q.labelled >= minLabelled) {
    for (const [metric, bound] of Object.entries(min)) {
      const v = q.metrics[metric];
      if (v !== undefined && v < bound) out.push({ key: `quality:${metric}:min`, kind: 'quality', metric, bound: 'min', value: v, threshold: bound, message: `${metric} ${f4(v)} < ${bound} on ${q.labelled} labelled items${q.reference[metric] !== undefined ? ` (${f4(q.reference[metric]!)} at training)` : ''}` });
    }
    for (const [metric, bound] of Object.entries(max)) {
      const v = q.metrics[metric];
      if (v !== undefined && v > bound) out.push({ key: `quality:${metric}:max`, kind: 'quality', metric, bound: 'max', value: v, threshold: bound, message: `${metric} ${f4(v)} > ${bound} on ${q.labelled} labelled items${q.reference[metric] !== undefined ? ` (${f4(q.reference[metric]!)} at training)` : ''}` });
    }
  }
  return out;
}

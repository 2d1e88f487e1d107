import { describe, expect, it } from 'vitest';
import { isMlshipError } from '../../core/index.js';
import type { ColumnDriftResult } from '../drift.js';
import type { MonitorResult } from '../window.js';
import { IncidentTracker } from './incidents.js';
import { evaluateThresholds, parseBounds, type AlertCondition } from './thresholds.js';

const col = (method: ColumnDriftResult['method'], drift: boolean, score: number): ColumnDriftResult =>
  method === 'ks' || method === 'chisquare' || method === 'z'
    ? { kind: method === 'ks' ? 'numeric' : 'categorical', method, statistic: 0.3, pValue: score, threshold: 0.05, drift, nReference: 500, nCurrent: 400, droppedNaN: [0, 0] }
    : { kind: 'numeric', method, distance: score, threshold: 0.1, drift, nReference: 5000, nCurrent: 400, droppedNaN: [0, 0] };

/** A window result as monitorWindow returns it (the fields the thresholds read). */
function result(over: { columns?: Record<string, ColumnDriftResult>; prediction?: ColumnDriftResult; quality?: MonitorResult['quality']; rocAuc?: number }): MonitorResult {
  const columns = over.columns ?? {};
  const drifted = Object.values(columns).filter((c) => c.drift).length;
  const n = Object.keys(columns).length;
  return {
    model: 'm',
    versions: ['1'],
    profileVersion: '1',
    from: 0,
    to: 3_600_000,
    bucketMs: 60_000,
    rows: 400,
    labelled: over.quality?.labelled ?? 0,
    input: 'tabular',
    task: 'regression',
    drift: {
      columns,
      driftedColumns: drifted,
      numberOfColumns: n,
      shareDrifted: n ? drifted / n : 0,
      share: 0.5,
      drift: n > 0 && drifted / n >= 0.5,
      ...(over.prediction ? { prediction: over.prediction } : {}),
      ...(over.rocAuc !== undefined ? { text: { domainClassifier: { rocAuc: over.rocAuc, threshold: 0.55, drift: over.rocAuc > 0.55, method: 'domain-classifier', typicalCurrentWords: ['zqxv', 'free'], typicalReferenceWords: [], sizes: { reference: 1, current: 1, train: 1, test: 1 }, dropped: { reference: 0, current: 0 } } } } : {}),
    },
    quality: over.quality ?? null,
    series: [],
    distributions: {},
    predictionDistribution: null,
    notes: [],
  } as MonitorResult;
}

describe('evaluateThresholds', () => {
  it('raises nothing for a window without drift or bounds', () => {
    expect(evaluateThresholds(result({ columns: { a: col('ks', false, 0.4), b: col('ks', false, 0.3) }, prediction: col('ks', false, 0.5) }))).toEqual([]);
  });

  it('raises dataset, prediction and text drift by default, columns only on request', () => {
    const r = result({ columns: { a: col('ks', true, 0.001), b: col('wasserstein', true, 0.4), c: col('ks', false, 0.2) }, prediction: col('ks', true, 0.0001), rocAuc: 0.9 });
    const keys = (c: AlertCondition[]): string[] => c.map((x) => x.key);
    expect(keys(evaluateThresholds(r))).toEqual(['dataset_drift', 'prediction_drift', 'text_drift']);
    const all = evaluateThresholds(r, { columnDrift: true });
    expect(keys(all)).toEqual(['dataset_drift', 'prediction_drift', 'text_drift', 'column_drift:a', 'column_drift:b']);
    const ds = all[0]!;
    expect(ds.value).toBeCloseTo(2 / 3, 12);
    expect(ds.threshold).toBe(0.5);
    expect(ds.message).toContain('2 of 3 columns drifted');
    expect(all.find((c) => c.key === 'column_drift:b')!.value).toBe(0.4); // a distance is its own score
    expect(all.find((c) => c.key === 'column_drift:a')!.value).toBe(0.001); // a test's score is its p-value
    expect(all.find((c) => c.key === 'text_drift')!.message).toContain('zqxv');
    expect(keys(evaluateThresholds(r, { columnDrift: ['b', 'c'], datasetDrift: false, predictionDrift: false, textDrift: false }))).toEqual(['column_drift:b']);
  });

  it('compares quality with min and max bounds once enough items are labelled', () => {
    const quality = { metrics: { accuracy: 0.82, f1: 0.8, rmse: 6.1 }, reference: { accuracy: 0.97 }, labelled: 120 };
    const c = evaluateThresholds(result({ quality }), { min: { accuracy: 0.9, f1: 0.7 }, max: { rmse: 5 } });
    expect(c.map((x) => [x.key, x.value, x.threshold])).toEqual([
      ['quality:accuracy:min', 0.82, 0.9],
      ['quality:rmse:max', 6.1, 5],
    ]);
    expect(c[0]!.message).toBe('accuracy 0.8200 < 0.9 on 120 labelled items (0.9700 at training)');
    expect(evaluateThresholds(result({ quality: { ...quality, labelled: 10 } }), { min: { accuracy: 0.9 } })).toEqual([]);
    expect(evaluateThresholds(result({ quality: { ...quality, labelled: 10 } }), { min: { accuracy: 0.9 }, minLabelled: 5 })).toHaveLength(1);
  });

  it('parses metric=value bounds and names a bad one', () => {
    expect(parseBounds(['accuracy=0.9', ' rmse = 5 '], '--min')).toEqual({ accuracy: 0.9, rmse: 5 });
    for (const bad of ['accuracy', 'accuracy=', 'accuracy=high', '=3']) {
      let err: unknown;
      try {
        parseBounds([bad], '--min');
      } catch (e) {
        err = e;
      }
      expect(isMlshipError(err) && err.code === 'INVALID_ARGUMENT' && err.details.field === '--min', bad).toBe(true);
    }
  });
});

describe('IncidentTracker', () => {
  const cond = (key: string): AlertCondition => ({ key, kind: 'dataset_drift', message: key, value: 1, threshold: 0.5 });
  const MIN = 60_000;

  it('alerts when a condition starts, stays silent while it continues, resolves when it clears', () => {
    const t = new IncidentTracker(30 * MIN);
    let u = t.update([cond('a')], 0);
    expect(u.started.map((i) => i.key)).toEqual(['a']);
    u = t.update([cond('a'), cond('b')], MIN);
    expect(u.started.map((i) => i.key)).toEqual(['b']);
    expect(u.continuing.map((i) => i.key)).toEqual(['a']);
    u = t.update([cond('b')], 2 * MIN);
    expect(u.started).toEqual([]);
    expect(u.resolved.map((i) => [i.key, i.startedAt, i.resolvedAt])).toEqual([['a', 0, 2 * MIN]]);
    expect(t.active().map((i) => i.key)).toEqual(['b']);
  });

  it('does not alert a condition again within the cooldown of its last alert', () => {
    const t = new IncidentTracker(30 * MIN);
    expect(t.update([cond('a')], 0).started).toHaveLength(1);
    expect(t.update([], 5 * MIN).resolved).toHaveLength(1);
    const again = t.update([cond('a')], 10 * MIN);
    expect(again.started).toEqual([]);
    expect(again.suppressed.map((i) => [i.key, i.alerted])).toEqual([['a', false]]);
    const cleared = t.update([], 12 * MIN);
    expect(cleared.resolved.map((i) => i.alerted)).toEqual([false]);
    // after the cooldown it is a new incident, alerted again
    expect(t.update([cond('a')], 31 * MIN).started).toHaveLength(1);
  });
});

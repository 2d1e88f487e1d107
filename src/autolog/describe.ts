/**
 * What autolog records about a fitted estimator, computed synchronously when the fit ends (the
 * estimator may be refitted right after): params, training metrics, tags, the search results and
 * the model package bytes. Pure functions over the estimator; no I/O.
 */
import { Table, type Label } from '../core/index.js';
import { fingerprintTable, fingerprintTextDataset } from '../data/index.js';
import {
  BaseSearchCV,
  accuracyScore,
  f1Score,
  isClassifier,
  isRegressor,
  logLoss,
  meanAbsoluteError,
  r2Score,
  rootMeanSquaredError,
  type BaseEstimator,
  type CvResults,
} from '../learn/index.js';
import { flattenParams, tableSignature, textClassifierSignature, type ModelSignature } from '../model/index.js';
import { MAX_KEY_LENGTH, MAX_PARAM_VALUE_LENGTH } from '../tracking/index.js';

type Any = any;

// The tracking stores' key rule (letters, digits, _ . - / : and spaces).
const KEY_PATTERN = /^[\w.\-/: ]+$/u;

/** A param value as a string, as tracking stores keep them (long values cut to the limit). */
export function paramString(value: unknown): string {
  const s = value === null || value === undefined ? 'null' : typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
  return s.length > MAX_PARAM_VALUE_LENGTH ? `${s.slice(0, MAX_PARAM_VALUE_LENGTH - 1)}…` : s;
}

function usableKey(key: string): boolean {
  return key.length > 0 && key.length <= MAX_KEY_LENGTH && KEY_PATTERN.test(key) && !key.startsWith('/') && !key.split('/').some((p) => p === '.' || p === '..');
}

/** Params as strings, keys prefixed; keys a tracking store would refuse are left out. */
export function paramsRecord(params: Record<string, unknown>, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(flattenParams(params))) {
    const key = prefix + k;
    if (usableKey(key)) out[key] = paramString(v);
  }
  return out;
}

function canCall(est: Any, method: string): boolean {
  return typeof est[method] === 'function' && (typeof est.canCall !== 'function' || est.canCall(method));
}

/** The average autolog's `training_f1` uses: binary for two classes of which one is 1, else macro. */
export function f1Average(classes: readonly Label[]): 'binary' | 'macro' {
  return classes.length === 2 && classes.includes(1) ? 'binary' : 'macro';
}

/**
 * Training metrics of a fitted estimator on its training data: classifiers `training_accuracy`,
 * `training_f1` (binary when the classes are two and include 1, else macro) and
 * `training_log_loss` (when it has predictProba); regressors `training_r2`, `training_rmse`,
 * `training_mae`. Metrics that cannot be computed are left out and their errors returned.
 */
export function trainingMetrics(est: BaseEstimator<any>, X: unknown, y: unknown): { metrics: Record<string, number>; errors: unknown[] } {
  const metrics: Record<string, number> = {};
  const errors: unknown[] = [];
  if (y === undefined || y === null || !canCall(est, 'predict')) return { metrics, errors };
  const e = est as Any;
  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch (err) {
      errors.push(err);
    }
  };
  if (isClassifier(est)) {
    let pred: Label[] | undefined;
    attempt(() => {
      pred = e.predict(X) as Label[];
    });
    if (pred === undefined) return { metrics, errors };
    const yTrue = y as ArrayLike<Label>;
    const classes = (e.classes_ as Label[] | undefined) ?? [];
    attempt(() => {
      metrics['training_accuracy'] = accuracyScore(yTrue, pred!);
    });
    attempt(() => {
      const average = f1Average(classes);
      metrics['training_f1'] = f1Score(yTrue, pred!, average === 'binary' ? { average, posLabel: 1 } : { average });
    });
    if (canCall(est, 'predictProba') && classes.length > 0) {
      attempt(() => {
        metrics['training_log_loss'] = logLoss(yTrue, e.predictProba(X), { labels: classes });
      });
    }
  } else if (isRegressor(est)) {
    let pred: ArrayLike<number> | undefined;
    attempt(() => {
      pred = e.predict(X) as ArrayLike<number>;
    });
    if (pred === undefined) return { metrics, errors };
    const yTrue = y as ArrayLike<number>;
    attempt(() => {
      metrics['training_r2'] = r2Score(yTrue, pred!);
    });
    attempt(() => {
      metrics['training_rmse'] = rootMeanSquaredError(yTrue, pred!);
    });
    attempt(() => {
      metrics['training_mae'] = meanAbsoluteError(yTrue, pred!);
    });
  }
  return { metrics, errors };
}

function isStringArray(x: unknown): x is readonly string[] {
  return Array.isArray(x) && x.length > 0 && x.every((v) => typeof v === 'string');
}

/**
 * The model signature from the training data: a Table gives one input per column
 * (`tableSignature`), a list of strings fitted by a classifier gives the text classifier
 * signature; other inputs (matrices) give `null`.
 */
export function signatureOf(est: BaseEstimator<any>, X: unknown): ModelSignature | null {
  const classes = (est as Any).classes_ as Label[] | undefined;
  if (X instanceof Table) {
    if (isClassifier(est) && classes) return tableSignature(X, { task: 'classification', classes });
    if (isRegressor(est)) return tableSignature(X, { task: 'regression' });
    return null;
  }
  if (isStringArray(X) && isClassifier(est) && classes) return textClassifierSignature(classes);
  return null;
}

/** What the training data is, for the model package and the run's dataset inputs. */
export interface TrainingData {
  /** Content fingerprint (sha256) of X (and y for text). */
  digest: string;
  /** Rows of X. */
  rows: number;
  /** Columns and kinds for a Table, `null` otherwise. */
  schema: { name: string; kind: string }[] | null;
}

/** Fingerprints the training data when it is a Table or a list of documents; `null` otherwise. */
export function trainingData(X: unknown, y: unknown): TrainingData | null {
  if (X instanceof Table) {
    return { digest: fingerprintTable(X), rows: X.numRows, schema: X.columns.map((c) => ({ name: c.name, kind: c.kind })) };
  }
  if (isStringArray(X) && y !== undefined && y !== null && (y as ArrayLike<unknown>).length === X.length) {
    const labels = Array.from(y as ArrayLike<unknown>, (v) => String(v));
    return { digest: fingerprintTextDataset({ texts: X as string[], labels }), rows: X.length, schema: null };
  }
  return null;
}

/** One candidate of a search, as a child run logs it. */
export interface CandidateSummary {
  index: number;
  rank: number;
  params: Record<string, string>;
  metrics: Record<string, number>;
}

/** What autolog records for a fitted GridSearchCV / RandomizedSearchCV. */
export interface SearchSummary {
  /** `best_<param>` params. */
  bestParams: Record<string, string>;
  /** `best_cv_score`, when the search picked a best candidate. */
  bestScore: number | null;
  /** cv_results_ as plain JSON (typed arrays as arrays, NaN as null, params flattened). */
  cvResults: Record<string, unknown>;
  /** The best candidates, best first. */
  top: CandidateSummary[];
}

/** `meanTestScore` → `mean_test_score`, `meanTest_f1_macro` → `mean_test_f1_macro`. */
export function snakeResultKey(key: string): string {
  const m = /^(mean|std|rank)(Test|Train)(?:Score|_(.+))$/.exec(key);
  if (m) return `${m[1]}_${m[2]!.toLowerCase()}_${m[3] ?? 'score'}`;
  const split = /^split(\d+)(Test|Train)(?:Score|_(.+))$/.exec(key);
  if (split) return `split${split[1]}_${split[2]!.toLowerCase()}_${split[3] ?? 'score'}`;
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function jsonValues(v: unknown): unknown {
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => (Number.isFinite(x) ? x : null));
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'number' && !Number.isFinite(x) ? null : (flattenParams({ x }).x ?? null)));
  return v;
}

/** True for a fitted GridSearchCV / RandomizedSearchCV. */
export function isSearch(est: unknown): est is BaseSearchCV<any> {
  return est instanceof BaseSearchCV && est.cvResults_ !== undefined;
}

/** Summarises a fitted search: best params and score, cv_results and the top `maxChildren` candidates. */
export function searchSummary(search: BaseSearchCV<any>, maxChildren: number): SearchSummary {
  const r = search.cvResults_ as CvResults;
  const cvResults: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    cvResults[snakeResultKey(k)] = k === 'params' ? (v as Record<string, unknown>[]).map((p) => flattenParams(p)) : jsonValues(v);
  }
  const rankKeys = Object.keys(r).filter((k) => k.startsWith('rankTest'));
  const refit = (search.getParams(false) as { refit?: unknown }).refit;
  const rankKey = rankKeys.includes('rankTestScore') ? 'rankTestScore' : typeof refit === 'string' && rankKeys.includes(`rankTest_${refit}`) ? `rankTest_${refit}` : rankKeys[0];
  const top: CandidateSummary[] = [];
  if (rankKey !== undefined && maxChildren > 0) {
    const rank = r[rankKey] as Int32Array;
    const order = Array.from(rank.keys()).sort((a, b) => rank[a]! - rank[b]! || a - b);
    for (const index of order.slice(0, maxChildren)) {
      const metrics: Record<string, number> = {};
      for (const [k, v] of Object.entries(r)) {
        if (!/^(mean|std|rank)(Test|Train)|^(mean|std)(Fit|Score)Time$/.test(k)) continue;
        const x = (v as ArrayLike<number>)[index];
        if (typeof x === 'number') metrics[snakeResultKey(k)] = x;
      }
      top.push({ index, rank: rank[index]!, params: paramsRecord(r.params[index]!), metrics });
    }
  }
  const bestParams = search.bestParams_ ? paramsRecord(search.bestParams_, 'best_') : {};
  const bestScore = typeof search.bestScore_ === 'number' ? search.bestScore_ : null;
  return { bestParams, bestScore, cvResults, top };
}

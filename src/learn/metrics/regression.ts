/**
 * Regression metrics with scikit-learn 1.2.1's definitions: single-output targets, optional
 * sample weights, and `r2Score` / `explainedVarianceScore` forced finite on constant targets as
 * scikit-learn's `force_finite=True`.
 */
import { MlshipError } from '../../core/index.js';
import { checkConsistentLength, checkNonEmpty } from './validate.js';

/** Options shared by the regression metrics. */
export interface RegressionMetricOptions {
  /** One weight per sample. @default undefined (all samples weigh 1) */
  sampleWeight?: ArrayLike<number>;
}

interface Checked {
  t: Float64Array;
  p: Float64Array;
  w: Float64Array | undefined;
  wsum: number;
}

function toFinite(fn: string, name: string, a: ArrayLike<number>): Float64Array {
  if (!a || typeof a.length !== 'number') throw new MlshipError('INVALID_ARGUMENT', `${fn}: ${name} must be an array of numbers`, { field: name });
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MlshipError('INVALID_DATA', `${fn}: ${name}[${i}] is ${String(v)}; regression targets and predictions must be finite numbers`, { field: name, index: i, value: v });
    }
    out[i] = v;
  }
  return out;
}

function check(fn: string, yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions): Checked {
  checkConsistentLength(fn, { yTrue, yPred, sampleWeight: options.sampleWeight });
  checkNonEmpty(fn, 'yTrue', yTrue);
  const t = toFinite(fn, 'yTrue', yTrue);
  const p = toFinite(fn, 'yPred', yPred);
  let w: Float64Array | undefined;
  let wsum = t.length;
  if (options.sampleWeight) {
    w = toFinite(fn, 'sampleWeight', options.sampleWeight);
    wsum = 0;
    for (let i = 0; i < w.length; i++) {
      if (w[i]! < 0) throw new MlshipError('INVALID_DATA', `${fn}: sampleWeight[${i}] is ${w[i]}; weights must be >= 0`, { field: 'sampleWeight', index: i, value: w[i] });
      wsum += w[i]!;
    }
    if (!(wsum > 0)) throw new MlshipError('INVALID_DATA', `${fn}: sampleWeight sums to 0; at least one sample needs a positive weight`, { field: 'sampleWeight' });
  }
  return { t, p, w, wsum };
}

/** Weighted mean of f(i) over the samples. */
function average(c: Checked, f: (i: number) => number): number {
  let s = 0;
  if (c.w) for (let i = 0; i < c.t.length; i++) s += c.w[i]! * f(i);
  else for (let i = 0; i < c.t.length; i++) s += f(i);
  return s / c.wsum;
}

/**
 * Mean squared error, as `sklearn.metrics.mean_squared_error`.
 *
 * @example
 * ```ts
 * meanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.375
 * ```
 */
export function meanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('meanSquaredError', yTrue, yPred, options);
  return average(c, (i) => (c.t[i]! - c.p[i]!) ** 2);
}

/**
 * Root mean squared error (`mean_squared_error(..., squared=False)` in scikit-learn 1.2).
 *
 * @example
 * ```ts
 * rootMeanSquaredError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.6123724356957945
 * ```
 */
export function rootMeanSquaredError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('rootMeanSquaredError', yTrue, yPred, options);
  return Math.sqrt(average(c, (i) => (c.t[i]! - c.p[i]!) ** 2));
}

/**
 * Mean absolute error, as `sklearn.metrics.mean_absolute_error`.
 *
 * @example
 * ```ts
 * meanAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.5
 * ```
 */
export function meanAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('meanAbsoluteError', yTrue, yPred, options);
  return average(c, (i) => Math.abs(c.t[i]! - c.p[i]!));
}

/**
 * Mean absolute percentage error as a fraction (not ×100), as
 * `sklearn.metrics.mean_absolute_percentage_error`: |y − ŷ| / max(|y|, ε) with ε the float64
 * machine epsilon, so a zero target gives a huge (not infinite) error.
 *
 * @example
 * ```ts
 * meanAbsolutePercentageError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.3273809523809524
 * ```
 */
export function meanAbsolutePercentageError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('meanAbsolutePercentageError', yTrue, yPred, options);
  return average(c, (i) => Math.abs(c.t[i]! - c.p[i]!) / Math.max(Math.abs(c.t[i]!), Number.EPSILON));
}

/**
 * Median absolute error, as `sklearn.metrics.median_absolute_error`; with `sampleWeight`, the
 * weighted median of scikit-learn's `_weighted_percentile` (the smallest error whose cumulative
 * weight reaches half the total).
 *
 * @example
 * ```ts
 * medianAbsoluteError([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.5
 * ```
 */
export function medianAbsoluteError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('medianAbsoluteError', yTrue, yPred, options);
  const e = c.t.map((v, i) => Math.abs(v - c.p[i]!));
  const n = e.length;
  if (c.w) {
    const w = c.w;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => e[a]! - e[b]! || a - b);
    const target = 0.5 * c.wsum;
    let cdf = 0;
    for (let k = 0; k < n; k++) {
      cdf += w[order[k]!]!;
      if (cdf >= target) return e[order[k]!]!;
    }
    return e[order[n - 1]!]!;
  }
  e.sort();
  return n % 2 === 1 ? e[(n - 1) / 2]! : (e[n / 2 - 1]! + e[n / 2]!) / 2;
}

/**
 * The largest absolute error, as `sklearn.metrics.max_error`.
 *
 * @example
 * ```ts
 * maxError([3, 2, 7, 1], [4, 2, 7, 1]); // 1
 * ```
 */
export function maxError(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  const c = check('maxError', yTrue, yPred, {});
  let m = 0;
  for (let i = 0; i < c.t.length; i++) m = Math.max(m, Math.abs(c.t[i]! - c.p[i]!));
  return m;
}

/**
 * The coefficient of determination R², as `sklearn.metrics.r2_score`: 1 is perfect, 0 predicts
 * no better than the mean, and it can be negative. With a constant yTrue it is 1 for a perfect
 * prediction and 0 otherwise (scikit-learn's `force_finite=True`). With a single sample it is NaN
 * (with an `MLSHIP_UNDEFINED_METRIC` warning), as scikit-learn.
 *
 * @example
 * ```ts
 * r2Score([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.9486081370449679
 * ```
 */
export function r2Score(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('r2Score', yTrue, yPred, options);
  if (c.t.length < 2) {
    // As scikit-learn: R² is not well-defined with less than two samples.
    process.emitWarning('r2Score: R^2 score is not well-defined with less than two samples; returning NaN', { code: 'MLSHIP_UNDEFINED_METRIC', type: 'UndefinedMetricWarning' });
    return Number.NaN;
  }
  const mean = average(c, (i) => c.t[i]!);
  const num = average(c, (i) => (c.t[i]! - c.p[i]!) ** 2);
  const den = average(c, (i) => (c.t[i]! - mean) ** 2);
  return finiteRatio(num, den);
}

/**
 * Explained variance, as `sklearn.metrics.explained_variance_score`: 1 − Var(y − ŷ) / Var(y).
 * Unlike R² it ignores a constant bias in the predictions.
 *
 * @example
 * ```ts
 * explainedVarianceScore([3, -0.5, 2, 7], [2.5, 0, 2, 8]); // 0.9571734475374732
 * ```
 */
export function explainedVarianceScore(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, options: RegressionMetricOptions = {}): number {
  const c = check('explainedVarianceScore', yTrue, yPred, options);
  const meanErr = average(c, (i) => c.t[i]! - c.p[i]!);
  const num = average(c, (i) => (c.t[i]! - c.p[i]! - meanErr) ** 2);
  const meanT = average(c, (i) => c.t[i]!);
  const den = average(c, (i) => (c.t[i]! - meanT) ** 2);
  return finiteRatio(num, den);
}

/** 1 − num/den, forced finite on a zero denominator as scikit-learn. */
function finiteRatio(num: number, den: number): number {
  if (den !== 0) return 1 - num / den;
  return num === 0 ? 1 : 0;
}

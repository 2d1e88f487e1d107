import { Matrix, MlshipError, Rng, Table, toRng, type Label } from '../../core/index.js';
import { isEstimator, type BaseEstimator } from '../base.js';
import {
  accuracyScore,
  explainedVarianceScore,
  getScorer,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  r2Score,
  rootMeanSquaredError,
  type Scorer,
} from '../metrics/index.js';

/** Options of {@link permutationImportance}. */
export interface PermutationImportanceOptions {
  /**
   * How to score the fitted estimator: `null` uses its own `score` method; a scorer name (`'r2'`,
   * `'neg_root_mean_squared_error'`, `'accuracy'`, ...) or a scorer from `makeScorer`. A list of
   * names or a record of scorers selects the multi-metric overload.
   * @default null
   */
  scoring?: string | Scorer | null;
  /** How many times each feature is shuffled. @default 5 */
  nRepeats?: number;
  /** Seed of the shuffles (mlship's RNG: reproducible within mlship, not NumPy's stream). @default null (random) */
  randomState?: number | null;
  /**
   * Rows used per feature: a fraction in (0, 1] of the rows, or a whole number of rows (drawn
   * without replacement, the same rows for every feature).
   * @default 1.0
   */
  maxSamples?: number;
  /**
   * One weight per row, passed to the scorer. Supported with `scoring: null` (the estimator's
   * `score` must take weights), and the scorers `'r2'`, `'explained_variance'`, `'accuracy'`,
   * `'neg_mean_squared_error'`, `'neg_root_mean_squared_error'`, `'neg_mean_absolute_error'` and
   * `'neg_mean_absolute_percentage_error'`.
   * @default undefined
   */
  sampleWeight?: ArrayLike<number>;
}

/** What {@link permutationImportance} returns (scikit-learn's Bunch). */
export interface PermutationImportanceResult {
  /** Mean drop in score per feature over the repeats. */
  importancesMean: Float64Array;
  /** Standard deviation (ddof 0) of the drop per feature. */
  importancesStd: Float64Array;
  /** Every drop: `nFeatures x nRepeats`. */
  importances: Matrix;
  /** The score on the unshuffled data. */
  baselineScore: number;
}

type ScoreFn = (est: BaseEstimator<any>, X: unknown, y: ArrayLike<Label>, sw: ArrayLike<number> | undefined) => number;

const WEIGHTED: Record<string, (t: ArrayLike<any>, p: ArrayLike<any>, w: ArrayLike<number>) => number> = {
  r2: (t, p, w) => r2Score(t, p, { sampleWeight: w }),
  explained_variance: (t, p, w) => explainedVarianceScore(t, p, { sampleWeight: w }),
  accuracy: (t, p, w) => {
    accuracyScore(t, p); // validates
    let hit = 0;
    let total = 0;
    for (let i = 0; i < t.length; i++) {
      total += w[i]!;
      if (t[i] === p[i]) hit += w[i]!;
    }
    return hit / total;
  },
  neg_mean_squared_error: (t, p, w) => -meanSquaredError(t, p, { sampleWeight: w }),
  neg_root_mean_squared_error: (t, p, w) => -rootMeanSquaredError(t, p, { sampleWeight: w }),
  neg_mean_absolute_error: (t, p, w) => -meanAbsoluteError(t, p, { sampleWeight: w }),
  neg_mean_absolute_percentage_error: (t, p, w) => -meanAbsolutePercentageError(t, p, { sampleWeight: w }),
};

function resolveScoring(scoring: string | Scorer | null, weighted: boolean): ScoreFn {
  const who = 'permutationImportance';
  if (scoring === null || scoring === 'score') {
    return (est, X, y, sw) => {
      const e = est as unknown as { score?: (X: unknown, y: unknown, sw?: unknown) => number };
      if (typeof e.score !== 'function') throw new MlshipError('INVALID_ARGUMENT', `${who}: the estimator has no score() method; pass scoring (e.g. 'r2' or 'accuracy')`, { field: 'scoring' });
      return sw ? e.score(X, y, sw) : e.score(X, y);
    };
  }
  if (weighted) {
    const f = typeof scoring === 'string' ? WEIGHTED[scoring] : undefined;
    if (!f) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: sampleWeight is supported with scoring null or one of ${Object.keys(WEIGHTED).join(', ')}; got ${typeof scoring === 'string' ? `'${scoring}'` : 'a scorer function'}`, { field: 'sampleWeight' });
    }
    return (est, X, y, sw) => f(y, (est as unknown as { predict(X: unknown): ArrayLike<any> }).predict(X), sw!);
  }
  const scorer = getScorer(scoring);
  return (est, X, y) => scorer(est as never, X, y);
}

/** Column j of X permuted by `perm` (a new object; X is not modified). */
function permuteColumn(X: Matrix | Table, j: number, perm: Int32Array): Matrix | Table {
  if (X instanceof Table) {
    const col = X.columns[j]!;
    return X.withColumn(col.take(perm));
  }
  const out = X.clone();
  const d = X.cols;
  const src = X.data;
  for (let i = 0; i < X.rows; i++) out.data[i * d + j] = src[perm[i]! * d + j]!;
  return out;
}

function rowsOf(X: Matrix | Table, idx: Int32Array): Matrix | Table {
  return X instanceof Table ? X.takeRows(idx) : X.takeRows(idx);
}

/**
 * Permutation feature importance, as `sklearn.inspection.permutation_importance`: the drop in score
 * when one feature's values are shuffled (breaking its link with y), `nRepeats` times per feature.
 * Works with any fitted estimator or Pipeline, on a Matrix (or rows of numbers) or a Table — a Table
 * column is permuted whole, whatever its kind, so a Pipeline that encodes categories sees shuffled
 * categories. The shuffles use mlship's seeded RNG: results are reproducible for a `randomState`
 * and agree with scikit-learn's in expectation, not draw for draw.
 *
 * @example
 * ```ts
 * import { permutationImportance, Ridge } from 'mlship/learn';
 * const model = new Ridge().fit(Xtrain, yTrain);
 * const r = permutationImportance(model, Xtest, yTest, { scoring: 'r2', nRepeats: 10, randomState: 0 });
 * r.importancesMean; // one value per feature; larger = more important
 * ```
 */
export function permutationImportance(estimator: BaseEstimator<any>, X: Matrix | Table | ArrayLike<number>[], y: ArrayLike<Label>, options?: PermutationImportanceOptions): PermutationImportanceResult;
/**
 * Multi-metric form: with `scoring` a list of scorer names (or a record of name → scorer), every
 * metric is computed on the same shuffles and the result is one {@link PermutationImportanceResult}
 * per metric, keyed by name (scikit-learn returns a dict of Bunches).
 *
 * @example
 * ```ts
 * const r = permutationImportance(model, X, y, { scoring: ['r2', 'neg_mean_absolute_error'], randomState: 0 });
 * r.r2.importancesMean;
 * ```
 */
export function permutationImportance(
  estimator: BaseEstimator<any>,
  X: Matrix | Table | ArrayLike<number>[],
  y: ArrayLike<Label>,
  options: Omit<PermutationImportanceOptions, 'scoring'> & { scoring: string[] | Record<string, string | Scorer> },
): Record<string, PermutationImportanceResult>;
export function permutationImportance(
  estimator: BaseEstimator<any>,
  X: Matrix | Table | ArrayLike<number>[],
  y: ArrayLike<Label>,
  options: Omit<PermutationImportanceOptions, 'scoring'> & { scoring?: string | Scorer | null | string[] | Record<string, string | Scorer> } = {},
): PermutationImportanceResult | Record<string, PermutationImportanceResult> {
  const who = 'permutationImportance';
  if (!isEstimator(estimator)) throw new MlshipError('INVALID_ARGUMENT', `${who}: estimator must be a fitted mlship estimator`, { field: 'estimator' });
  const { scoring = null, nRepeats = 5, randomState = null, maxSamples = 1.0, sampleWeight } = options;
  if (!(Number.isInteger(nRepeats) && nRepeats >= 1)) throw new MlshipError('INVALID_ARGUMENT', `${who}: nRepeats must be an integer >= 1, got ${JSON.stringify(nRepeats)}`, { field: 'nRepeats', value: nRepeats });
  let Xt: Matrix | Table;
  if (X instanceof Matrix || X instanceof Table) Xt = X;
  else if (Array.isArray(X)) Xt = Matrix.fromRows(X);
  else throw new MlshipError('INVALID_ARGUMENT', `${who}: X must be a Matrix, a Table or an array of rows (a CsrMatrix is not supported: densify it or pass a Table)`, { field: 'X' });
  const n = Xt instanceof Table ? Xt.numRows : Xt.rows;
  const d = Xt instanceof Table ? Xt.columns.length : Xt.cols;
  if (n === 0 || d === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X is empty (${n} x ${d}); pass at least one row and one column`, { field: 'X' });
  if (!y || y.length !== n) throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${n} rows but y has ${y?.length}; pass one target per row`, { field: 'y', value: y?.length, expected: n });
  if (sampleWeight && sampleWeight.length !== n) throw new MlshipError('SHAPE_MISMATCH', `${who}: sampleWeight has ${sampleWeight.length} values but X has ${n} rows`, { field: 'sampleWeight' });
  let m: number;
  if (Number.isInteger(maxSamples) && maxSamples > 1) {
    if (maxSamples > n) throw new MlshipError('INVALID_ARGUMENT', `${who}: maxSamples must be in (0, nSamples] = (0, ${n}], got ${maxSamples}`, { field: 'maxSamples', value: maxSamples });
    m = maxSamples;
  } else {
    if (!(typeof maxSamples === 'number' && maxSamples > 0 && maxSamples <= 1)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: maxSamples must be a fraction in (0, 1] or a whole number of rows in [2, ${n}], got ${JSON.stringify(maxSamples)}`, { field: 'maxSamples', value: maxSamples });
    }
    m = Math.max(1, Math.floor(maxSamples * n));
  }
  const multi = Array.isArray(scoring) || (scoring !== null && typeof scoring === 'object');
  const named: [string, string | Scorer | null][] = Array.isArray(scoring)
    ? scoring.map((nm) => [String(nm), nm])
    : multi
      ? Object.entries(scoring as Record<string, string | Scorer>)
      : [['score', scoring as string | Scorer | null]];
  if (named.length === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: scoring is an empty list; pass at least one scorer`, { field: 'scoring' });
  const scores = named.map(([, sc]) => resolveScoring(sc, sampleWeight !== undefined));
  const baselines = scores.map((f) => f(estimator, Xt, y, sampleWeight));
  const seed = toRng(randomState).nextUint32();
  const all = scores.map(() => new Matrix(d, nRepeats));
  for (let j = 0; j < d; j++) {
    // The same seed for every feature, as scikit-learn: same row subset and shuffles per feature.
    const rng = new Rng(seed);
    let Xj = Xt;
    let yj: ArrayLike<Label> = y;
    let swj = sampleWeight;
    if (m < n) {
      const rows = rng.permutation(n).subarray(0, m);
      Xj = rowsOf(Xt, rows);
      yj = Array.from(rows, (i) => y[i]!);
      if (sampleWeight) swj = Float64Array.from(rows, (i) => sampleWeight[i]!);
    }
    const perm = new Int32Array(m);
    for (let i = 0; i < m; i++) perm[i] = i;
    for (let r = 0; r < nRepeats; r++) {
      rng.shuffle(perm);
      const Xp = permuteColumn(Xj, j, perm);
      for (let k = 0; k < scores.length; k++) all[k]!.data[j * nRepeats + r] = baselines[k]! - scores[k]!(estimator, Xp, yj, swj);
    }
  }
  const results = all.map((imp, k) => summarise(imp, baselines[k]!));
  if (!multi) return results[0]!;
  return Object.fromEntries(named.map(([nm], k) => [nm, results[k]!]));
}

function summarise(importances: Matrix, baseline: number): PermutationImportanceResult {
  const [d, nRepeats] = importances.shape;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let r = 0; r < nRepeats; r++) s += importances.data[j * nRepeats + r]!;
    const mu = s / nRepeats;
    let v = 0;
    for (let r = 0; r < nRepeats; r++) v += (importances.data[j * nRepeats + r]! - mu) ** 2;
    mean[j] = mu;
    std[j] = Math.sqrt(v / nRepeats);
  }
  return { importancesMean: mean, importancesStd: std, importances, baselineScore: baseline };
}

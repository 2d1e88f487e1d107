import { MlshipError, numRows, type Label } from '../../core/index.js';
import { isClassifier, isEstimator, type BaseEstimator } from '../base.js';
import type { Scorer } from '../metrics/index.js';
import { runFits, type Progress } from './fit-engine.js';
import { KFold, StratifiedKFold, TimeSeriesSplit, isCrossValidator, type CrossValidator, type Fold, type Rows } from './split.js';

/** A `cv` option: a fold count, a splitter, or explicit folds. */
export type CvOption = number | CrossValidator | Iterable<Fold>;

/** A `scoring` option: one scorer (name or function), a list of names, or named scorers. */
export type ScoringOption = string | Scorer | string[] | Record<string, string | Scorer>;

/**
 * Resolves `cv` as scikit-learn's `check_cv`: an integer gives StratifiedKFold for a classifier
 * with a binary or multiclass y, else KFold. Splitters saved in a snapshot (plain objects with a
 * `kind`) are rebuilt.
 *
 * @example
 * ```ts
 * checkCv(5, labels, true); // StratifiedKFold({ nSplits: 5 })
 * ```
 */
export function checkCv(cv: CvOption | undefined | null, y: ArrayLike<Label> | undefined, classifier: boolean): CrossValidator | Fold[] {
  const spec = cv ?? 5;
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec)) throw new MlshipError('INVALID_ARGUMENT', `cv must be an integer number of folds, a splitter or a list of folds; got ${spec}`, { field: 'cv', value: spec });
    return classifier && y !== undefined ? new StratifiedKFold({ nSplits: spec }) : new KFold({ nSplits: spec });
  }
  if (isCrossValidator(spec)) return spec;
  if (spec && typeof spec === 'object' && 'kind' in spec) {
    const { kind, ...opts } = spec as { kind: string } & Record<string, any>;
    if (kind === 'KFold') return new KFold(opts);
    if (kind === 'StratifiedKFold') return new StratifiedKFold(opts);
    if (kind === 'TimeSeriesSplit') return new TimeSeriesSplit(opts);
  }
  if (spec && typeof (spec as Iterable<Fold>)[Symbol.iterator] === 'function') return [...(spec as Iterable<Fold>)];
  throw new MlshipError('INVALID_ARGUMENT', 'cv must be an integer, a splitter (KFold, StratifiedKFold, TimeSeriesSplit) or an iterable of { train, test } folds', { field: 'cv' });
}

/** The folds of a resolved cv. */
export function foldsOf(cv: CrossValidator | Fold[], X: Rows, y: ArrayLike<Label> | undefined): Fold[] {
  const folds = Array.isArray(cv) ? cv : [...cv.split(X, y)];
  if (folds.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'cv gave no folds', { field: 'cv' });
  return folds;
}

/** Normalises `scoring` to named scorers; `single` tells whether results use the plain `score` keys. */
export function checkScoring(scoring: ScoringOption | undefined | null): { scorers: Record<string, string | Scorer>; single: boolean } {
  if (scoring === undefined || scoring === null) return { scorers: { score: 'score' }, single: true };
  if (typeof scoring === 'string' || typeof scoring === 'function') return { scorers: { score: scoring }, single: true };
  if (Array.isArray(scoring)) {
    if (scoring.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'scoring: an empty list was given; pass at least one scorer name', { field: 'scoring' });
    if (new Set(scoring).size !== scoring.length) throw new MlshipError('INVALID_ARGUMENT', `scoring: duplicate elements in ${JSON.stringify(scoring)}`, { field: 'scoring' });
    return { scorers: Object.fromEntries(scoring.map((s) => [s, s])), single: false };
  }
  if (typeof scoring === 'object') {
    if (Object.keys(scoring).length === 0) throw new MlshipError('INVALID_ARGUMENT', 'scoring: an empty object was given', { field: 'scoring' });
    return { scorers: { ...scoring }, single: false };
  }
  throw new MlshipError('INVALID_ARGUMENT', `scoring must be a scorer name, a scorer, a list of names or an object of scorers; got ${String(scoring)}`, { field: 'scoring' });
}

/** Throws unless X and y have the same number of rows. */
export function checkXy(fn: string, X: Rows, y: ArrayLike<Label> | undefined): void {
  const n = numRows(X);
  if (n === 0) throw new MlshipError('INVALID_DATA', `${fn}: X is empty; pass at least one sample per fold`, { field: 'X' });
  if (y !== undefined && y.length !== n) {
    throw new MlshipError('SHAPE_MISMATCH', `${fn}: found input variables with inconsistent numbers of samples: X has ${n} rows, y has ${y.length}`, { field: 'y' });
  }
}

/** Options of {@link crossValidate}. */
export interface CrossValidateOptions {
  /** Folds: a count (StratifiedKFold for classifiers, KFold otherwise), a splitter or explicit folds. @default 5 */
  cv?: CvOption;
  /** What to score: a name (`'accuracy'`, `'f1_macro'`, `'roc_auc'`, ...), a scorer, or several. @default the estimator's score() */
  scoring?: ScoringOption;
  /** Also score the training folds. @default false */
  returnTrainScore?: boolean;
  /** Return the fitted estimator of each fold. @default false */
  returnEstimator?: boolean;
  /** Worker threads: 1 runs inline, -1 uses every core. @default 1 */
  nJobs?: number | null;
  /** Score given to a fit that throws, or 'raise' to rethrow. @default NaN */
  errorScore?: 'raise' | number;
  /** Called after each fit. @default undefined */
  onProgress?: (p: Progress) => void;
}

/** What {@link crossValidate} returns: per-fold arrays, scikit-learn's keys camelCased. */
export interface CrossValidateResult {
  /** Seconds to fit each fold. */
  fitTime: Float64Array;
  /** Seconds to score each fold. */
  scoreTime: Float64Array;
  /** Test scores (single scorer). */
  testScore?: Float64Array;
  /** Train scores (single scorer, with returnTrainScore). */
  trainScore?: Float64Array;
  /** Fitted estimators (with returnEstimator). */
  estimator?: BaseEstimator<any>[];
  /** Test scores per named scorer (several scorers): `test_accuracy`, `test_f1_macro`, ... */
  [key: `test_${string}`]: Float64Array;
  /** Train scores per named scorer. */
  [key: `train_${string}`]: Float64Array;
}

/**
 * Evaluates an estimator by cross-validation with fit and score times, as scikit-learn's
 * `cross_validate`. Folds run on worker threads with `nJobs` > 1; scores equal the inline run.
 *
 * @example
 * ```ts
 * const r = crossValidate(pipe, docs, labels, { cv: 5, scoring: ['accuracy', 'f1_macro'], nJobs: -1 });
 * r.test_accuracy; r.fitTime;
 * ```
 */
export function crossValidate(estimator: BaseEstimator<any>, X: Rows, y?: ArrayLike<Label>, options: CrossValidateOptions = {}): CrossValidateResult {
  if (!isEstimator(estimator)) throw new MlshipError('INVALID_ARGUMENT', 'crossValidate: estimator must be an mlship estimator', { field: 'estimator' });
  checkXy('crossValidate', X, y);
  const cv = checkCv(options.cv, y, isClassifier(estimator));
  const folds = foldsOf(cv, X, y);
  const { scorers, single } = checkScoring(options.scoring);
  const results = runFits(estimator, X, y, [{}], folds, {
    scorers,
    returnTrainScore: options.returnTrainScore ?? false,
    returnEstimator: options.returnEstimator ?? false,
    nJobs: options.nJobs,
    errorScore: options.errorScore,
    onProgress: options.onProgress,
  });
  const out: CrossValidateResult = {
    fitTime: Float64Array.from(results, (r) => r.fitTime),
    scoreTime: Float64Array.from(results, (r) => r.scoreTime),
  };
  for (const k of Object.keys(scorers)) {
    const test = Float64Array.from(results, (r) => r.testScores[k]!);
    const train = options.returnTrainScore ? Float64Array.from(results, (r) => r.trainScores![k]!) : undefined;
    if (single) {
      out.testScore = test;
      if (train) out.trainScore = train;
    } else {
      out[`test_${k}`] = test;
      if (train) out[`train_${k}`] = train;
    }
  }
  if (options.returnEstimator) out.estimator = results.map((r) => r.estimator!);
  return out;
}

/** Options of {@link crossValScore}. */
export interface CrossValScoreOptions {
  /** See {@link CrossValidateOptions.cv}. @default 5 */
  cv?: CvOption;
  /** One scorer name or function. @default the estimator's score() */
  scoring?: string | Scorer;
  /** Worker threads: 1 runs inline, -1 uses every core. @default 1 */
  nJobs?: number | null;
  /** Score given to a fit that throws, or 'raise'. @default NaN */
  errorScore?: 'raise' | number;
  /** Called after each fit. @default undefined */
  onProgress?: (p: Progress) => void;
}

/**
 * The test score of each cross-validation fold, as scikit-learn's `cross_val_score`.
 *
 * @example
 * ```ts
 * const scores = crossValScore(new Pipeline([['tfidf', new TfidfVectorizer()], ['nb', new MultinomialNB()]]), docs, labels, { cv: 5, scoring: 'accuracy' });
 * ```
 */
export function crossValScore(estimator: BaseEstimator<any>, X: Rows, y?: ArrayLike<Label>, options: CrossValScoreOptions = {}): Float64Array {
  if (Array.isArray(options.scoring) || (options.scoring && typeof options.scoring === 'object')) {
    throw new MlshipError('INVALID_ARGUMENT', 'crossValScore: scoring must be one scorer; use crossValidate for several', { field: 'scoring' });
  }
  return crossValidate(estimator, X, y, options).testScore!;
}

import { Matrix, MlshipError, type Label } from '../../core/index.js';
import { accuracyScore, businessCost, f1Score, logLoss, precisionScore, recallScore, type Average } from './classification.js';
import { averagePrecisionScore, rocAucScore } from './ranking.js';
import {
  explainedVarianceScore,
  maxError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredError,
  medianAbsoluteError,
  r2Score,
  rootMeanSquaredError,
} from './regression.js';

/** What a scorer needs from a fitted estimator (duck-typed, as scikit-learn's scorers). */
export interface ScorableEstimator {
  readonly estimatorType?: string;
  readonly classes_?: Label[] | undefined;
  predict(X: any): ArrayLike<Label> | ArrayLike<number>;
  predictProba?(X: any): Matrix;
  decisionFunction?(X: any): Float64Array | Matrix;
  /** For meta-estimators (Pipeline, searches) whose methods depend on an inner estimator. */
  canCall?(method: string): boolean;
}

function has(est: ScorableEstimator, method: 'predictProba' | 'decisionFunction'): boolean {
  if (typeof est[method] !== 'function') return false;
  return typeof est.canCall === 'function' ? est.canCall(method) : true;
}

/** A metric as scorers call it: `(yTrue, yPred or scores) => number`. */
export type ScoreFunction = (yTrue: ArrayLike<Label>, yPred: any) => number;

/**
 * A scorer: scores a fitted estimator on (X, y), greater is better (losses are negated), as
 * scikit-learn's scorer objects. `name` is set for built-in scorers and is what worker threads use.
 */
export interface Scorer {
  (estimator: ScorableEstimator, X: unknown, y: ArrayLike<Label>): number;
  /** The registered name, when this scorer is a named one. */
  readonly scorerName?: string;
  /** +1, or -1 for losses. */
  readonly sign: 1 | -1;
}

/** Options of {@link makeScorer}. */
export interface MakeScorerOptions {
  /** Whether a high score is good; false negates the metric (as `neg_log_loss`). @default true */
  greaterIsBetter?: boolean;
  /** Score `predictProba` output instead of predictions. @default false */
  needsProba?: boolean;
  /** Score a continuous output: `decisionFunction`, else `predictProba`. @default false */
  needsThreshold?: boolean;
}

function positiveColumn(proba: Matrix, classes: Label[] | undefined, posLabel: Label | undefined): Float64Array {
  if (proba.cols === 1) return proba.data;
  let j = 1;
  if (posLabel !== undefined && classes) {
    j = classes.indexOf(posLabel);
    if (j < 0) throw new MlshipError('INVALID_ARGUMENT', `scorer: posLabel=${JSON.stringify(posLabel)} is not a valid label: it should be one of ${JSON.stringify(classes)}`, { field: 'posLabel' });
  }
  return proba.col(j);
}

function distinctCount(y: ArrayLike<Label>): number {
  const s = new Set<Label>();
  for (let i = 0; i < y.length; i++) s.add(y[i]!);
  return s.size;
}

/**
 * Turns a metric into a scorer for cross-validation and search, as scikit-learn's `make_scorer`.
 * `posLabel` (when the metric takes one) is read from `metricOptions` to pick the probability column.
 *
 * @example
 * ```ts
 * const cost = makeScorer((y, p) => businessCost(y, p, { costFp: 1, costFn: 10, posLabel: 'spam' }).total, { greaterIsBetter: false });
 * crossValScore(pipe, docs, labels, { scoring: cost });
 * ```
 */
export function makeScorer(scoreFunc: ScoreFunction, options: MakeScorerOptions & { posLabel?: Label } = {}, name?: string): Scorer {
  if (typeof scoreFunc !== 'function') throw new MlshipError('INVALID_ARGUMENT', 'makeScorer: scoreFunc must be a function (yTrue, yPred) => number', { field: 'scoreFunc' });
  if (options.needsProba && options.needsThreshold) {
    throw new MlshipError('INVALID_ARGUMENT', 'makeScorer: set either needsProba or needsThreshold, not both', { field: 'needsProba' });
  }
  const sign: 1 | -1 = options.greaterIsBetter === false ? -1 : 1;
  const posLabel = options.posLabel;
  const fn = (est: ScorableEstimator, X: unknown, y: ArrayLike<Label>): number => {
    if (options.needsProba) {
      if (!has(est, 'predictProba')) throw new MlshipError('INVALID_ARGUMENT', `scorer ${name ?? ''}: the estimator has no predictProba()`, { field: 'scoring' });
      let p: Matrix | Float64Array = est.predictProba!(X);
      if (distinctCount(y) <= 2 && p.cols <= 2) p = positiveColumn(p, est.classes_, posLabel);
      return sign * scoreFunc(y, p);
    }
    if (options.needsThreshold) {
      if (distinctCount(y) > 2) throw new MlshipError('INVALID_ARGUMENT', `scorer ${name ?? ''}: multiclass format is not supported by this threshold scorer; use e.g. 'roc_auc_ovr'`, { field: 'scoring' });
      let s: Float64Array;
      if (est.estimatorType === 'regressor') {
        s = Float64Array.from(est.predict(X) as ArrayLike<number>);
      } else if (has(est, 'decisionFunction')) {
        const d = est.decisionFunction!(X);
        s = d instanceof Matrix ? positiveColumn(d, est.classes_, undefined) : d;
        if (posLabel !== undefined && est.classes_ && est.classes_[0] === posLabel) s = s.map((v) => -v);
      } else if (has(est, 'predictProba')) {
        s = positiveColumn(est.predictProba!(X), est.classes_, posLabel);
      } else {
        throw new MlshipError('INVALID_ARGUMENT', `scorer ${name ?? ''}: the estimator has neither decisionFunction() nor predictProba()`, { field: 'scoring' });
      }
      return sign * scoreFunc(y, s);
    }
    return sign * scoreFunc(y, est.predict(X));
  };
  return Object.assign(fn, { sign, ...(name ? { scorerName: name } : {}) });
}

const scorers = new Map<string, Scorer>();

/**
 * Registers a named scorer so that `scoring: name` finds it. Names are how scorers reach worker
 * threads, so a custom scorer used with `nJobs > 1` must be registered in a module the worker loads.
 *
 * @example
 * ```ts
 * registerScorer('neg_cost_10x', makeScorer((y, p) => businessCost(y, p, { costFn: 10 }).total, { greaterIsBetter: false }));
 * ```
 */
export function registerScorer(name: string, scorer: Scorer): void {
  scorers.set(name, Object.assign(((e: ScorableEstimator, X: unknown, y: ArrayLike<Label>) => scorer(e, X, y)) as Scorer, { sign: scorer.sign, scorerName: name }));
}

registerScorer(
  'score',
  Object.assign((est: ScorableEstimator, X: unknown, y: ArrayLike<Label>): number => {
    const e = est as ScorableEstimator & { score?: (X: unknown, y: ArrayLike<Label>) => number };
    if (typeof e.score !== 'function') throw new MlshipError('INVALID_ARGUMENT', 'scoring: the estimator has no score() method; pass scoring (e.g. \'accuracy\')', { field: 'scoring' });
    return e.score(X, y);
  }, { sign: 1 as const }),
);
registerScorer('accuracy', makeScorer((y, p) => accuracyScore(y, p)));
registerScorer('roc_auc', makeScorer((y, s) => rocAucScore(y, s), { needsThreshold: true }));
registerScorer('roc_auc_ovr', makeScorer((y, p) => rocAucScore(y, p, { multiClass: 'ovr' }), { needsProba: true }));
registerScorer('roc_auc_ovr_weighted', makeScorer((y, p) => rocAucScore(y, p, { multiClass: 'ovr', average: 'weighted' }), { needsProba: true }));
registerScorer('average_precision', makeScorer((y, s) => averagePrecisionScore(y, s), { needsThreshold: true }));
registerScorer('neg_log_loss', makeScorer((y, p) => logLoss(y, p), { needsProba: true, greaterIsBetter: false }));
registerScorer('neg_business_cost', makeScorer((y, p) => businessCost(y, p).mean, { greaterIsBetter: false }));
for (const [base, metric] of [
  ['precision', precisionScore],
  ['recall', recallScore],
  ['f1', f1Score],
] as const) {
  registerScorer(base, makeScorer((y, p) => metric(y, p, { average: 'binary' })));
  for (const avg of ['macro', 'micro', 'weighted'] as const satisfies readonly Exclude<Average, null | 'binary'>[]) {
    registerScorer(`${base}_${avg}`, makeScorer((y, p) => metric(y, p, { average: avg })));
  }
}

const regression = (f: (t: ArrayLike<number>, p: ArrayLike<number>) => number) => (y: ArrayLike<Label>, p: ArrayLike<number>) => f(y as ArrayLike<number>, p);
registerScorer('r2', makeScorer(regression(r2Score)));
registerScorer('explained_variance', makeScorer(regression(explainedVarianceScore)));
registerScorer('max_error', makeScorer(regression(maxError), { greaterIsBetter: false }));
registerScorer('neg_mean_squared_error', makeScorer(regression(meanSquaredError), { greaterIsBetter: false }));
registerScorer('neg_root_mean_squared_error', makeScorer(regression(rootMeanSquaredError), { greaterIsBetter: false }));
registerScorer('neg_mean_absolute_error', makeScorer(regression(meanAbsoluteError), { greaterIsBetter: false }));
registerScorer('neg_mean_absolute_percentage_error', makeScorer(regression(meanAbsolutePercentageError), { greaterIsBetter: false }));
registerScorer('neg_median_absolute_error', makeScorer(regression(medianAbsoluteError), { greaterIsBetter: false }));

/**
 * The names accepted by `scoring`.
 *
 * @example
 * ```ts
 * scorerNames().includes('f1_macro'); // true
 * ```
 */
export function scorerNames(): string[] {
  return [...scorers.keys()].sort();
}

/**
 * Resolves a `scoring` option (`'score'` is the estimator's own `score` method, the default of
 * cross-validation and search): a registered name (`'accuracy'`, `'f1_macro'`, `'roc_auc'`,
 * `'neg_log_loss'`, ...) or a scorer function, as scikit-learn's `get_scorer`.
 *
 * @example
 * ```ts
 * const s = getScorer('f1_macro');
 * s(model, xTest, yTest);
 * ```
 */
export function getScorer(scoring: string | Scorer): Scorer {
  if (typeof scoring === 'function') return scoring;
  const s = scorers.get(scoring);
  if (!s) {
    throw new MlshipError('INVALID_ARGUMENT', `'${String(scoring)}' is not a valid scoring value. Use one of: ${scorerNames().join(', ')}, or a scorer from makeScorer()`, {
      field: 'scoring',
      value: scoring,
    });
  }
  return s;
}

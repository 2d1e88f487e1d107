import { MlshipError, Rng, compareLabels, toRng, type Label, type Matrix } from '../../core/index.js';
import { BaseEstimator, isClassifier, isEstimator, registerEstimator, type EstimatorState, type EstimatorType } from '../base.js';
import { getScorer, type Scorer } from '../metrics/index.js';
import { cloneParamValues, decodeValue, encodeValue, runFits, type FitResult, type Progress } from './fit-engine.js';
import type { Rows } from './split.js';
import { checkCv, checkScoring, checkXy, foldsOf, type CvOption, type ScoringOption } from './validation.js';

/** A parameter grid: each name maps to the values to try. A list of grids explores each in turn. */
export type ParamGrid = Record<string, readonly unknown[]>;

/** A distribution to sample a parameter from: anything with `rvs(rng)`. */
export interface ParamDistribution {
  rvs(rng: Rng): unknown;
}

/** Parameter distributions: value lists (sampled uniformly) or {@link ParamDistribution}s. */
export type ParamDistributions = Record<string, readonly unknown[] | ParamDistribution>;

function pythonKeyOrder(a: string, b: string): number {
  return compareLabels(a, b);
}

/**
 * All parameter combinations of a grid, in scikit-learn's `ParameterGrid` order (keys sorted,
 * the last key varying fastest; grids of a list one after the other).
 *
 * @example
 * ```ts
 * parameterGrid({ 'clf.alpha': [0.1, 1], 'tfidf.minDf': [1, 2] }).length; // 4
 * ```
 */
export function parameterGrid(grid: ParamGrid | readonly ParamGrid[]): Record<string, unknown>[] {
  const grids = Array.isArray(grid) ? (grid as readonly ParamGrid[]) : [grid as ParamGrid];
  const out: Record<string, unknown>[] = [];
  for (const g of grids) {
    if (!g || typeof g !== 'object' || Array.isArray(g)) throw new MlshipError('INVALID_ARGUMENT', `paramGrid must be an object or a list of objects, got ${JSON.stringify(g)}`, { field: 'paramGrid' });
    const keys = Object.keys(g).sort(pythonKeyOrder);
    for (const k of keys) {
      const v = g[k];
      if (!Array.isArray(v)) {
        throw new MlshipError(
          'INVALID_ARGUMENT',
          `parameter grid for parameter '${k}' needs to be an array, but got ${JSON.stringify(v)}. Single values need to be wrapped in an array with one element.`,
          { field: k },
        );
      }
      if (v.length === 0) throw new MlshipError('INVALID_ARGUMENT', `parameter grid for parameter '${k}' needs to be a non-empty array, got []`, { field: k });
    }
    const idx = new Array<number>(keys.length).fill(0);
    for (;;) {
      const p: Record<string, unknown> = {};
      keys.forEach((k, i) => (p[k] = g[k]![idx[i]!]));
      out.push(p);
      let d = keys.length - 1;
      while (d >= 0) {
        idx[d]!++;
        if (idx[d]! < g[keys[d]!]!.length) break;
        idx[d] = 0;
        d--;
      }
      if (d < 0) break;
    }
  }
  return out;
}

/**
 * A uniform distribution on [loc, loc + scale], as `scipy.stats.uniform`.
 *
 * @example
 * ```ts
 * new RandomizedSearchCV(pipe, { 'tfidf.maxDf': new UniformDistribution(0.5, 0.5) });
 * ```
 */
export class UniformDistribution implements ParamDistribution {
  readonly kind = 'uniform' as const;
  constructor(
    readonly loc = 0,
    readonly scale = 1,
  ) {}
  rvs(rng: Rng): number {
    return this.loc + this.scale * rng.random();
  }
}

/**
 * A log-uniform distribution on [a, b], as `scipy.stats.loguniform` (for C, alpha, ...).
 *
 * @example
 * ```ts
 * new RandomizedSearchCV(pipe, { 'clf.C': new LogUniformDistribution(1e-2, 1e2) });
 * ```
 */
export class LogUniformDistribution implements ParamDistribution {
  readonly kind = 'loguniform' as const;
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    if (!(a > 0 && b > a)) throw new MlshipError('INVALID_ARGUMENT', `LogUniformDistribution needs 0 < a < b, got a=${a}, b=${b}`, { field: 'a' });
  }
  rvs(rng: Rng): number {
    return Math.exp(Math.log(this.a) + (Math.log(this.b) - Math.log(this.a)) * rng.random());
  }
}

/**
 * Integers in [low, high), as `scipy.stats.randint`.
 *
 * @example
 * ```ts
 * new RandomizedSearchCV(pipe, { 'tfidf.minDf': new RandIntDistribution(1, 5) });
 * ```
 */
export class RandIntDistribution implements ParamDistribution {
  readonly kind = 'randint' as const;
  constructor(
    readonly low: number,
    readonly high: number,
  ) {
    if (!(Number.isInteger(low) && Number.isInteger(high) && high > low)) throw new MlshipError('INVALID_ARGUMENT', `RandIntDistribution needs integers low < high, got ${low}, ${high}`, { field: 'low' });
  }
  rvs(rng: Rng): number {
    return this.low + rng.int(this.high - this.low);
  }
}

/** Rebuilds built-in distributions saved in a snapshot (plain objects with a `kind`). */
function reviveDistribution(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as ParamDistribution).rvs !== 'function') {
    const o = v as Record<string, number>;
    if (o.kind === ('uniform' as unknown)) return new UniformDistribution(o.loc, o.scale);
    if (o.kind === ('loguniform' as unknown)) return new LogUniformDistribution(o.a!, o.b!);
    if (o.kind === ('randint' as unknown)) return new RandIntDistribution(o.low!, o.high!);
  }
  return v;
}

/**
 * `nIter` parameter sets sampled from distributions, as scikit-learn's `ParameterSampler`: when
 * every value is a list, sampling is without replacement from the grid.
 *
 * @example
 * ```ts
 * parameterSampler({ 'clf.C': new LogUniformDistribution(1e-3, 1e3) }, 5, new Rng(0));
 * ```
 */
export function parameterSampler(distributions: ParamDistributions | readonly ParamDistributions[], nIter: number, rng: Rng): Record<string, unknown>[] {
  const dists = Array.isArray(distributions) ? (distributions as readonly ParamDistributions[]) : [distributions as ParamDistributions];
  if (!Number.isInteger(nIter) || nIter < 1) throw new MlshipError('INVALID_ARGUMENT', `nIter must be a positive integer, got ${nIter}`, { field: 'nIter', value: nIter });
  for (const d of dists) {
    for (const [k, v] of Object.entries(d)) {
      const ok = Array.isArray(v) ? v.length > 0 : !!v && typeof (v as ParamDistribution).rvs === 'function';
      if (!ok) {
        throw new MlshipError('INVALID_ARGUMENT', `parameter distribution for '${k}' must be a non-empty array or an object with rvs(rng), got ${JSON.stringify(v)}`, { field: k });
      }
    }
  }
  const allLists = dists.every((d) => Object.values(d).every((v) => Array.isArray(v)));
  if (allLists) {
    const grid = parameterGrid(dists as readonly ParamGrid[]);
    const n = Math.min(nIter, grid.length);
    const perm = rng.permutation(grid.length);
    return Array.from({ length: n }, (_, i) => grid[perm[i]!]!);
  }
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < nIter; i++) {
    const d = dists.length === 1 ? dists[0]! : dists[rng.int(dists.length)]!;
    const p: Record<string, unknown> = {};
    for (const k of Object.keys(d).sort(pythonKeyOrder)) {
      const v = d[k]!;
      p[k] = Array.isArray(v) ? v[rng.int(v.length)] : (v as ParamDistribution).rvs(rng);
    }
    out.push(p);
  }
  return out;
}

/** The results table of a search, scikit-learn's `cv_results_` with camelCased keys. */
export interface CvResults {
  /** Each candidate's parameters. */
  params: Record<string, unknown>[];
  meanFitTime: Float64Array;
  stdFitTime: Float64Array;
  meanScoreTime: Float64Array;
  stdScoreTime: Float64Array;
  /** Single scorer: mean test score per candidate (several scorers: `meanTest_<name>`). */
  meanTestScore?: Float64Array;
  stdTestScore?: Float64Array;
  /** 1 for the best candidate; ties share the lowest rank. */
  rankTestScore?: Int32Array;
  /** Also `split0TestScore`, `split1TestScore`, ..., `meanTrainScore`, `param_<name>` (undefined where a candidate lacks it). */
  [key: string]: Float64Array | Int32Array | unknown[] | undefined;
}

/** Options shared by {@link GridSearchCV} and {@link RandomizedSearchCV}. */
export interface SearchOptions {
  /** How to score candidates: a name, a scorer, or several (then `refit` names the one to select by). @default the estimator's score() */
  scoring?: ScoringOption | null;
  /** Folds: a count (StratifiedKFold for classifiers), a splitter or explicit folds. @default 5 */
  cv?: CvOption | null;
  /** Refit the best candidate on all data (true, or the scorer name with several scorers). @default true */
  refit?: boolean | string;
  /** Worker threads for the fold fits: 1 inline, -1 all cores. @default 1 */
  nJobs?: number | null;
  /** 1 prints the number of fits to stderr. @default 0 */
  verbose?: number;
  /** Score of a fit that throws, or 'raise'. @default NaN */
  errorScore?: 'raise' | number | null;
  /** Also score training folds. @default false */
  returnTrainScore?: boolean;
}

interface SearchParams {
  estimator: BaseEstimator<any> | null;
  scoring: ScoringOption | null;
  cv: CvOption | null;
  refit: boolean | string;
  nJobs: number | null;
  verbose: number;
  errorScore: 'raise' | number | null;
  returnTrainScore: boolean;
}

const SEARCH_DEFAULTS: SearchParams = { estimator: null, scoring: null, cv: null, refit: true, nJobs: null, verbose: 0, errorScore: null, returnTrainScore: false };

function meanStd(values: Float64Array, n: number, nFolds: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(n);
  const std = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let s = 0;
    for (let f = 0; f < nFolds; f++) s += values[c * nFolds + f]!;
    const m = s / nFolds;
    let v = 0;
    for (let f = 0; f < nFolds; f++) v += (values[c * nFolds + f]! - m) ** 2;
    mean[c] = m;
    std[c] = Math.sqrt(v / nFolds);
  }
  return { mean, std };
}

/**
 * Ranks by decreasing mean, ties sharing the lowest rank, NaN last (scikit-learn's `rankdata(-x, 'min')`).
 *
 * @example
 * ```ts
 * rankScores(Float64Array.of(0.5, 0.9, 0.5)); // Int32Array [2, 1, 2]
 * ```
 */
export function rankScores(means: Float64Array): Int32Array {
  const n = means.length;
  const rank = new Int32Array(n);
  let finiteMin = Infinity;
  let allNaN = true;
  for (const m of means) {
    if (!Number.isNaN(m)) {
      allNaN = false;
      if (m < finiteMin) finiteMin = m;
    }
  }
  if (allNaN) return rank.fill(1);
  const v = Float64Array.from(means, (m) => (Number.isNaN(m) ? finiteMin - 1 : m));
  for (let i = 0; i < n; i++) {
    let better = 0;
    for (let j = 0; j < n; j++) if (v[j]! > v[i]!) better++;
    rank[i] = better + 1;
  }
  return rank;
}

type Any = any;

/**
 * The shared machinery of GridSearchCV and RandomizedSearchCV (scikit-learn's `BaseSearchCV`).
 *
 * @example
 * ```ts
 * const s: BaseSearchCV<any> = new GridSearchCV(pipe, grid);
 * s.fit(docs, labels).bestScore_;
 * ```
 */
export abstract class BaseSearchCV<P extends SearchParams> extends BaseEstimator<P> {
  /** The results table. */
  cvResults_: CvResults | undefined;
  /** Index into cvResults_ of the best candidate. */
  bestIndex_: number | undefined;
  /** Mean cross-validated score of the best candidate. */
  bestScore_: number | undefined;
  /** Parameters of the best candidate. */
  bestParams_: Record<string, unknown> | undefined;
  /** The best candidate refitted on all the data (with `refit`). */
  bestEstimator_: BaseEstimator<any> | undefined;
  /** Seconds to refit the best candidate. */
  refitTime_: number | undefined;
  /** Number of folds used. */
  nSplits_: number | undefined;
  /** True when several scorers were used. */
  multimetric_: boolean | undefined;

  /** Called after each fold fit; not a hyperparameter (not saved, not cloned). */
  onProgress: ((p: Progress) => void) | undefined;

  /** The estimator type of the searched estimator. */
  get estimatorType(): EstimatorType {
    return this.params.estimator ? this.params.estimator.estimatorType : 'meta';
  }

  get isFitted(): boolean {
    return this.cvResults_ !== undefined;
  }

  /** Classes of the best estimator. */
  get classes_(): Label[] | undefined {
    return (this.bestEstimator_ as Any)?.classes_;
  }

  /** The candidate parameter sets for this fit. */
  protected abstract candidates(): Record<string, unknown>[];

  /** Runs the search; returns `this`. */
  fit(X: Any, y?: Any): this {
    const p = this.params;
    const fn = `${this.estimatorName}.fit`;
    if (!isEstimator(p.estimator)) throw new MlshipError('INVALID_ARGUMENT', `${fn}: estimator must be an mlship estimator`, { field: 'estimator' });
    checkXy(fn, X as Rows, y);
    const { scorers, single } = checkScoring(p.scoring);
    const refit = p.refit;
    let refitMetric = 'score';
    if (!single) {
      if (typeof refit === 'string' && refit in scorers) refitMetric = refit;
      else if (refit !== false) {
        throw new MlshipError(
          'INVALID_ARGUMENT',
          `${fn}: for multi-metric scoring, refit must be set to a scorer key (${Object.keys(scorers).join(', ')}) to refit an estimator with the best parameter setting on the whole data; or set refit: false. ${JSON.stringify(refit)} was passed.`,
          { field: 'refit', value: refit },
        );
      }
    }
    const cv = checkCv(p.cv, y, isClassifier(p.estimator));
    const folds = foldsOf(cv, X as Rows, y);
    const candidates = this.candidates();
    const errorScore = p.errorScore === null || p.errorScore === undefined ? Number.NaN : p.errorScore;
    const results = runFits(p.estimator, X, y, candidates, folds, {
      scorers,
      returnTrainScore: p.returnTrainScore,
      nJobs: p.nJobs,
      errorScore,
      verbose: p.verbose,
      onProgress: this.onProgress,
    });
    this.cvResults_ = this.formatResults(candidates, folds.length, results, Object.keys(scorers), single);
    this.nSplits_ = folds.length;
    this.multimetric_ = !single;
    this.bestEstimator_ = undefined;
    this.refitTime_ = undefined;
    if (refit !== false || single) {
      const key = single ? 'rankTestScore' : `rankTest_${refitMetric}`;
      const rank = this.cvResults_[key] as Int32Array;
      let best = 0;
      for (let i = 1; i < rank.length; i++) if (rank[i]! < rank[best]!) best = i;
      this.bestIndex_ = best;
      this.bestScore_ = (this.cvResults_[single ? 'meanTestScore' : `meanTest_${refitMetric}`] as Float64Array)[best]!;
      this.bestParams_ = candidates[best]!;
    }
    if (refit !== false) {
      const est = p.estimator.clone().setParams(cloneParamValues(this.bestParams_!));
      const t0 = performance.now();
      (est as Any).fit(X, y);
      this.refitTime_ = (performance.now() - t0) / 1000;
      this.bestEstimator_ = est;
    }
    return this;
  }

  private formatResults(candidates: Record<string, unknown>[], nFolds: number, results: FitResult[], names: string[], single: boolean): CvResults {
    const n = candidates.length;
    const key = (kind: string, name: string): string => (single ? `${kind}Score` : `${kind}_${name}`);
    const fit = meanStd(Float64Array.from(results, (r) => r.fitTime), n, nFolds);
    const score = meanStd(Float64Array.from(results, (r) => r.scoreTime), n, nFolds);
    const out: CvResults = { params: candidates, meanFitTime: fit.mean, stdFitTime: fit.std, meanScoreTime: score.mean, stdScoreTime: score.std };
    const paramNames = new Set<string>();
    for (const c of candidates) for (const k of Object.keys(c)) paramNames.add(k);
    for (const name of paramNames) out[`param_${name}`] = candidates.map((c) => c[name]);
    for (const name of names) {
      for (const [set, pick] of [['Test', (r: FitResult) => r.testScores[name]!], ['Train', (r: FitResult) => r.trainScores?.[name] ?? Number.NaN]] as const) {
        if (set === 'Train' && !this.params.returnTrainScore) continue;
        const all = Float64Array.from(results, pick);
        for (let f = 0; f < nFolds; f++) out[key(`split${f}${set}`, name)] = Float64Array.from({ length: n }, (_, c) => all[c * nFolds + f]!);
        const { mean, std } = meanStd(all, n, nFolds);
        out[key(`mean${set}`, name)] = mean;
        out[key(`std${set}`, name)] = std;
        if (set === 'Test') out[key('rankTest', name)] = rankScores(mean);
      }
    }
    return out;
  }

  /** Whether `method` is available on the searched estimator (scikit-learn's `available_if`). */
  canCall(method: string): boolean {
    const e = (this.bestEstimator_ ?? this.params.estimator) as Any;
    return !!e && typeof e[method] === 'function' && (typeof e.canCall !== 'function' || e.canCall(method));
  }

  private best(method: string): Any {
    this.requireFitted(method);
    if (!this.bestEstimator_) {
      throw new MlshipError('INVALID_ARGUMENT', `This ${this.estimatorName} instance was initialized with refit: false. ${method}() is available only after refitting on the best parameters; set refit: true.`, { field: 'refit' });
    }
    const e = this.bestEstimator_ as Any;
    if (typeof e[method] !== 'function') throw new MlshipError('INVALID_ARGUMENT', `${this.estimatorName}.${method}: the best estimator (${e.estimatorName}) has no ${method}()`, { field: method });
    return e;
  }

  /** Predicts with the best estimator. */
  predict(X: Any): Any {
    return this.best('predict').predict(X);
  }

  /** Class probabilities from the best estimator. */
  predictProba(X: Any): Matrix {
    return this.best('predictProba').predictProba(X);
  }

  /** Log class probabilities from the best estimator. */
  predictLogProba(X: Any): Matrix {
    return this.best('predictLogProba').predictLogProba(X);
  }

  /** Decision function of the best estimator. */
  decisionFunction(X: Any): Any {
    return this.best('decisionFunction').decisionFunction(X);
  }

  /** Transforms with the best estimator. */
  transform(X: Any): Any {
    return this.best('transform').transform(X);
  }

  /** The refit scorer (or the best estimator's own score) on (X, y). */
  score(X: Any, y: Any): number {
    const est = this.best('predict');
    const { scorers, single } = checkScoring(this.params.scoring);
    const name = single ? 'score' : (this.params.refit as string);
    const s: Scorer = getScorer(scorers[name]!);
    return s(est, X, y);
  }

  protected getState(): EstimatorState {
    const r = this.cvResults_!;
    const results: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) results[k] = k === 'params' || k.startsWith('param_') ? encodeValue(v) : v;
    const state: Record<string, unknown> = {
      cvResults: results,
      nSplits: this.nSplits_!,
      multimetric: this.multimetric_!,
      bestIndex: this.bestIndex_ ?? null,
      bestScore: this.bestScore_ ?? null,
      bestParams: this.bestParams_ ? encodeValue(this.bestParams_) : null,
      refitTime: this.refitTime_ ?? null,
      bestEstimator: this.bestEstimator_ ? this.bestEstimator_.toSnapshot() : null,
    };
    return state as EstimatorState;
  }

  protected setState(state: EstimatorState): void {
    const s = state as Record<string, Any>;
    const results: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.cvResults as Record<string, unknown>)) results[k] = k === 'params' || k.startsWith('param_') ? decodeValue(v) : v;
    this.cvResults_ = results as CvResults;
    this.nSplits_ = s.nSplits;
    this.multimetric_ = s.multimetric;
    this.bestIndex_ = s.bestIndex ?? undefined;
    this.bestScore_ = s.bestScore ?? undefined;
    this.bestParams_ = s.bestParams ? (decodeValue(s.bestParams) as Record<string, unknown>) : undefined;
    this.refitTime_ = s.refitTime ?? undefined;
    this.bestEstimator_ = s.bestEstimator ? BaseEstimator.fromSnapshot(s.bestEstimator) : undefined;
  }
}

/** Hyperparameters of {@link GridSearchCV}. */
export interface GridSearchParams extends SearchParams {
  paramGrid: ParamGrid | ParamGrid[];
}

/**
 * Exhaustive search over a parameter grid with cross-validation, as scikit-learn's
 * `GridSearchCV`; fold fits run on worker threads with `nJobs`. Is itself an estimator: after fit
 * it predicts with the best candidate refitted on all data, and saves with it.
 *
 * @example
 * ```ts
 * const search = new GridSearchCV(new Pipeline([['tfidf', new TfidfVectorizer()], ['clf', new MultinomialNB()]]),
 *   { 'tfidf.ngramRange': [[1, 1], [1, 2]], 'clf.alpha': [0.01, 0.1, 1] },
 *   { cv: 5, scoring: 'f1_macro', nJobs: -1 });
 * search.fit(docs, labels);
 * search.bestParams_; search.cvResults_!.meanTestScore;
 * ```
 */
export class GridSearchCV extends BaseSearchCV<GridSearchParams> {
  static override readonly estimatorName: string = 'GridSearchCV';

  constructor(estimator?: BaseEstimator<any> | Partial<GridSearchParams>, paramGrid?: ParamGrid | ParamGrid[], options: SearchOptions & { onProgress?: (p: Progress) => void } = {}) {
    const { onProgress, ...rest } = options;
    const params: Partial<GridSearchParams> =
      estimator === undefined || isEstimator(estimator) ? { ...(rest as Partial<SearchParams>), estimator: estimator ?? null, paramGrid: paramGrid ?? {} } : (estimator as Partial<GridSearchParams>);
    super({ ...SEARCH_DEFAULTS, paramGrid: {} }, params);
    this.onProgress = onProgress;
  }

  protected candidates(): Record<string, unknown>[] {
    return parameterGrid(this.params.paramGrid);
  }
}

registerEstimator(GridSearchCV);

/** Hyperparameters of {@link RandomizedSearchCV}. */
export interface RandomizedSearchParams extends SearchParams {
  paramDistributions: ParamDistributions | ParamDistributions[];
  nIter: number;
  randomState: number | null;
}

/**
 * Randomized search over parameter distributions with cross-validation, as scikit-learn's
 * `RandomizedSearchCV`: `nIter` candidates drawn from arrays (uniformly) or distributions with
 * `rvs(rng)` ({@link LogUniformDistribution}, {@link UniformDistribution}, {@link RandIntDistribution}).
 * Seeded draws are reproducible within mlship (mlship's RNG is not NumPy's).
 *
 * @example
 * ```ts
 * const search = new RandomizedSearchCV(pipe, { 'clf.alpha': new LogUniformDistribution(1e-3, 1) }, { nIter: 20, randomState: 0 });
 * ```
 */
export class RandomizedSearchCV extends BaseSearchCV<RandomizedSearchParams> {
  static override readonly estimatorName: string = 'RandomizedSearchCV';

  constructor(
    estimator?: BaseEstimator<any> | Partial<RandomizedSearchParams>,
    paramDistributions?: ParamDistributions | ParamDistributions[],
    options: SearchOptions & { /** Number of candidates. @default 10 */ nIter?: number; /** Seed of the draws. @default null (random) */ randomState?: number | null; onProgress?: (p: Progress) => void } = {},
  ) {
    const { onProgress, ...rest } = options;
    const params: Partial<RandomizedSearchParams> =
      estimator === undefined || isEstimator(estimator)
        ? { ...(rest as Partial<RandomizedSearchParams>), estimator: estimator ?? null, paramDistributions: paramDistributions ?? {} }
        : (estimator as Partial<RandomizedSearchParams>);
    if (params.paramDistributions) {
      const revive = (d: ParamDistributions): ParamDistributions => Object.fromEntries(Object.entries(d).map(([k, v]) => [k, reviveDistribution(v) as ParamDistributions[string]]));
      params.paramDistributions = Array.isArray(params.paramDistributions) ? params.paramDistributions.map(revive) : revive(params.paramDistributions as ParamDistributions);
    }
    super({ ...SEARCH_DEFAULTS, paramDistributions: {}, nIter: 10, randomState: null }, params);
    this.onProgress = onProgress;
  }

  protected candidates(): Record<string, unknown>[] {
    return parameterSampler(this.params.paramDistributions, this.params.nIter, toRng(this.params.randomState));
  }
}

registerEstimator(RandomizedSearchCV);

import { Matrix, MlshipError, encodeLabels, resolveJobs, uniqueLabels, type AnyMatrix, type Label } from '../../core/index.js';
import { BaseEstimator, registerEstimator, type Classifier, type EstimatorState, type Regressor } from '../base.js';
import { argmaxRows, checkFeatureCount, checkLabels, checkMatrix, labelAccuracy, type MatrixInput } from '../kernels/index.js';
import { r2Score } from '../metrics/index.js';
import { argsortColumns } from '../tree/builder.js';
import { checkTargets, denseData, featureMajor, treeSeed, GROWTH_DEFAULTS } from '../tree/decision-tree.js';
import {
  applyTree,
  concatTrees,
  forestImportances,
  packTrees,
  treeSetFromState,
  treeSetState,
  type PackedTrees,
  type TreeSet,
} from '../tree/flat.js';
import { checkSampleWeight, criterionCode, resolveGrowth, type ClassificationCriterion, type MaxFeatures, type RegressionCriterion, type TreeGrowthParams } from '../tree/params.js';
import { forestTreeSeeds } from '../tree/random.js';
import { growForest, predictForest, shared, treeWeights, warmPredictPool, type ForestJob } from './forest-train.js';

/** Hyperparameters shared by the random forests (scikit-learn 1.2's names in camelCase). */
export interface ForestParams extends TreeGrowthParams {
  /** Number of trees. @default 100 */
  nEstimators: number;
  /** Fit each tree on a bootstrap sample (as sample-count weights, as scikit-learn). @default true */
  bootstrap: boolean;
  /** Estimate the generalisation score on the out-of-bag rows (`oobScore_`); needs `bootstrap`. @default false */
  oobScore: boolean;
  /**
   * Threads that grow trees: null or 1 one (the calling thread), -1 all cores, -2 all but one,
   * n > 1 that many (mlship's `resolveJobs`, as scikit-learn's `n_jobs`). The fitted forest is
   * the same for every value. @default null
   */
  nJobs: number | null;
  /**
   * Seed of the forest: the per-tree seeds, bootstrap samples and feature draws reproduce
   * scikit-learn 1.2's for the same seed (NumPy's `RandomState` and the trees' `rand_r`).
   * null draws a random seed. @default null
   */
  randomState: number | null;
  /**
   * Rows drawn per bootstrap sample: null (all n), a fraction in (0, 1] of n (rounded, at least 1;
   * `1` is the fraction 1.0), or a count >= 2 up to n. @default null
   */
  maxSamples: number | null;
}

/** Hyperparameters of {@link RandomForestRegressor}. */
export interface RandomForestRegressorParams extends ForestParams {
  /** Split quality of the trees. @default 'squared_error' */
  criterion: RegressionCriterion;
}

/** Hyperparameters of {@link RandomForestClassifier}. */
export interface RandomForestClassifierParams extends ForestParams {
  /** Split quality of the trees. @default 'gini' */
  criterion: ClassificationCriterion;
}

const FOREST_DEFAULTS = { nEstimators: 100, bootstrap: true, oobScore: false, nJobs: null, randomState: null, maxSamples: null };

/**
 * The random forests' shared machinery (scikit-learn's `BaseForest`): trees grown on worker
 * threads from shared memory, stored together as one set of flat arrays.
 */
export abstract class BaseForest<P extends ForestParams & { criterion: string }> extends BaseEstimator<P> {
  /** All trees as one set of flat typed arrays. */
  trees_: TreeSet | undefined;
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Impurity-based feature importances: the mean of the trees', normalised to sum 1. */
  featureImportances_: Float64Array | undefined;
  /** Out-of-bag score (R² or accuracy), when fitted with `oobScore: true`. */
  oobScore_: number | undefined;

  get isFitted(): boolean {
    return this.trees_ !== undefined;
  }

  protected abstract readonly classification: boolean;
  private packedCache: { from: TreeSet; packed: PackedTrees; depthSum: number } | undefined;

  /** The trees in the inference layout (built at fit, or at the first predict after a load). */
  protected packed(): { packed: PackedTrees; depthSum: number } {
    if (this.packedCache?.from !== this.trees_) {
      let depthSum = 0;
      for (const depth of this.trees_!.depths) depthSum += depth;
      this.packedCache = { from: this.trees_!, packed: packTrees(this.trees_!, this.classification, true), depthSum };
    }
    return this.packedCache!;
  }

  /** The mean of the trees' outputs per row, on `nJobs` threads for large inputs. */
  protected predictTrees(x: Float32Array, n: number): Float64Array {
    const jobs = Math.max(1, resolveJobs(Number.isInteger(this.params.nJobs) ? this.params.nJobs : null));
    const { packed, depthSum } = this.packed();
    return predictForest(packed, x, n, this.nFeaturesIn_!, jobs, depthSum);
  }

  /** Number of fitted trees. */
  get nEstimators_(): number | undefined {
    return this.trees_?.nTrees;
  }

  /** Grows the forest on validated X and targets (class codes for classifiers); returns the job for out-of-bag use. */
  protected fitForest(X: AnyMatrix, target: Float64Array, nClasses: number, sampleWeight: ArrayLike<number> | undefined, who: string): ForestJob {
    const p = this.params;
    const n = X.rows;
    const d = X.cols;
    if (!(Number.isInteger(p.nEstimators) && p.nEstimators >= 1)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: nEstimators must be an integer >= 1, got ${JSON.stringify(p.nEstimators)}`, { field: 'nEstimators', value: p.nEstimators });
    }
    if (typeof p.bootstrap !== 'boolean') throw new MlshipError('INVALID_ARGUMENT', `${who}: bootstrap must be true or false, got ${JSON.stringify(p.bootstrap)}`, { field: 'bootstrap' });
    if (p.oobScore && !p.bootstrap) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: out-of-bag estimation is only available with bootstrap: true; set oobScore: false or bootstrap: true`, { field: 'oobScore' });
    }
    if (p.nJobs !== null && p.nJobs !== undefined && !Number.isInteger(p.nJobs)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: nJobs must be null or an integer (1: no threads, -1: all cores), got ${JSON.stringify(p.nJobs)}`, { field: 'nJobs', value: p.nJobs });
    }
    let nBootstrap = n;
    const ms = p.maxSamples;
    if (ms !== null && ms !== undefined) {
      if (!p.bootstrap) throw new MlshipError('INVALID_ARGUMENT', `${who}: maxSamples needs bootstrap: true; set maxSamples: null or bootstrap: true`, { field: 'maxSamples' });
      if (typeof ms === 'number' && ms > 0 && ms <= 1) nBootstrap = Math.max(Math.round(n * ms), 1);
      else if (Number.isInteger(ms) && ms >= 2 && ms <= n) nBootstrap = ms;
      else {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: maxSamples must be null, a fraction in (0, 1] or a count in [2, ${n}] (the number of rows), got ${JSON.stringify(ms)}`, { field: 'maxSamples', value: ms });
      }
    }
    const userWeight = sampleWeight === undefined || sampleWeight === null ? null : checkSampleWeight(sampleWeight, n, who);
    // Start the prediction threads now: they load while the trees grow, so predict finds them warm.
    const predictJobs = Math.max(1, resolveJobs(p.nJobs));
    if (predictJobs > 1) warmPredictPool(predictJobs - 1);
    // (Each tree's minimum leaf weight is set from its own weights in growOne.)
    const build = resolveGrowth(p, criterionCode(p.criterion, this.classification, who), false, n, d, n, who);
    const xc = featureMajor(X, new Float32Array(new SharedArrayBuffer(n * d * 4)));
    const job: ForestJob = {
      n,
      d,
      nClasses,
      xc,
      order: shared(argsortColumns(xc, n, d)),
      y: shared(target),
      sampleWeight: userWeight ? shared(userWeight) : null,
      build,
      minWeightFractionLeaf: p.minWeightFractionLeaf,
      seeds: forestTreeSeeds(treeSeed(p.randomState, who), p.nEstimators),
      bootstrap: p.bootstrap,
      nBootstrap,
    };
    const jobs = Math.max(1, Math.min(resolveJobs(p.nJobs), p.nEstimators));
    this.trees_ = concatTrees(growForest(job, jobs), nClasses > 0 ? nClasses : 1);
    this.nFeaturesIn_ = d;
    this.featureImportances_ = forestImportances(this.trees_, d);
    this.oobScore_ = undefined;
    // Ready for predict: the inference layout is built here rather than at the first call, and a
    // small prediction on the first training rows compiles the kernels (on the pool threads too).
    const { packed, depthSum } = this.packed();
    const warmRows = Math.min(n, 256);
    const xw = new Float32Array(warmRows * d);
    for (let i = 0; i < warmRows; i++) for (let f = 0; f < d; f++) xw[i * d + f] = xc[f * n + i]!;
    predictForest(packed, xw, warmRows, d, predictJobs, depthSum, true);
    return job;
  }

  /**
   * For each tree, calls `visit(t, leaves, oob)` with the leaf of every training row and the
   * out-of-bag mask (rows outside the tree's bootstrap sample).
   */
  protected forEachOob(job: ForestJob, X: AnyMatrix, visit: (t: number, leaves: Int32Array, oob: Uint8Array) => void): void {
    const x = denseData(X);
    const n = X.rows;
    const leaves = new Int32Array(n);
    const oob = new Uint8Array(n);
    for (let t = 0; t < this.trees_!.nTrees; t++) {
      const w = treeWeights({ ...job, sampleWeight: null }, t);
      for (let i = 0; i < n; i++) oob[i] = w[i] === 0 ? 1 : 0;
      applyTree(this.trees_!, t, x, n, X.cols, leaves);
      visit(t, leaves, oob);
    }
  }

  /** Validated, dense row-major float32 X for inference. */
  protected rows(X: MatrixInput, method: string): { x: Float32Array; n: number } {
    this.requireFitted(method);
    const who = `${this.estimatorName}.${method}`;
    const m = checkMatrix(X, who);
    checkFeatureCount(m, this.nFeaturesIn_!, who);
    return { x: denseData(m), n: m.rows };
  }

  /** The leaf index of each row in each tree (`rows x nEstimators`, scikit-learn's `apply`). */
  apply(X: MatrixInput): Matrix {
    const { x, n } = this.rows(X, 'apply');
    const T = this.trees_!.nTrees;
    const out = new Matrix(n, T);
    const leaves = new Int32Array(n);
    for (let t = 0; t < T; t++) {
      applyTree(this.trees_!, t, x, n, this.nFeaturesIn_!, leaves);
      for (let i = 0; i < n; i++) out.data[i * T + t] = leaves[i]!;
    }
    return out;
  }

  protected getState(): EstimatorState {
    const s: EstimatorState = { nFeaturesIn: this.nFeaturesIn_!, trees: treeSetState(this.trees_!) };
    if (this.oobScore_ !== undefined) s['oobScore'] = this.oobScore_;
    return s;
  }

  protected setState(state: EstimatorState): void {
    const d = state['nFeaturesIn'];
    const trees = state['trees'];
    if (typeof d !== 'number' || !trees || typeof trees !== 'object' || Array.isArray(trees) || ArrayBuffer.isView(trees)) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected nFeaturesIn and trees)`);
    }
    this.trees_ = treeSetFromState(trees as EstimatorState, d, this.estimatorName);
    this.nFeaturesIn_ = d;
    this.featureImportances_ = forestImportances(this.trees_, d);
    this.packedCache = undefined;
    const oob = state['oobScore'];
    this.oobScore_ = typeof oob === 'number' ? oob : undefined;
  }
}

function growthDefaults(maxFeatures: MaxFeatures): TreeGrowthParams {
  return { ...GROWTH_DEFAULTS, maxFeatures };
}

/**
 * A random forest of regression trees (scikit-learn 1.2's `RandomForestRegressor`): each tree is
 * grown on a bootstrap sample, trying all features per split by default (`maxFeatures` 1.0), and
 * predictions average the trees. Trees grow on worker threads with `nJobs`; for the same
 * `randomState` the forest is the same for every `nJobs`, and draws the same bootstrap samples and
 * features as scikit-learn.
 *
 * @example
 * ```ts
 * import { RandomForestRegressor } from 'mlship/learn';
 * const rf = new RandomForestRegressor({ nEstimators: 200, nJobs: -1, randomState: 0 }).fit(Xtrain, yTrain);
 * rf.predict(Xtest);           // Float64Array
 * rf.featureImportances_;      // Float64Array, sums to 1
 * ```
 */
export class RandomForestRegressor extends BaseForest<RandomForestRegressorParams> implements Regressor<MatrixInput> {
  static override readonly estimatorName: string = 'RandomForestRegressor';
  readonly estimatorType = 'regressor' as const;
  protected readonly classification = false;
  /** Out-of-bag prediction of each training row (`oobScore: true`); 0 for rows in every bootstrap sample. */
  oobPrediction_: Float64Array | undefined;

  constructor(params?: Partial<RandomForestRegressorParams>) {
    super({ criterion: 'squared_error', ...FOREST_DEFAULTS, ...growthDefaults(1) }, params);
  }

  /** Grows the forest on X and targets y (optionally weighted). Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this {
    const who = `${this.estimatorName}.fit`;
    const m = checkMatrix(X, who);
    const target = checkTargets(y, m.rows, who);
    const job = this.fitForest(m, target, 0, sampleWeight, who);
    this.oobPrediction_ = undefined;
    if (this.params.oobScore) {
      const n = m.rows;
      const sum = new Float64Array(n);
      const count = new Float64Array(n);
      const value = this.trees_!.value;
      const offsets = this.trees_!.offsets;
      this.forEachOob(job, m, (t, leaves, oob) => {
        const o = offsets[t]!;
        for (let i = 0; i < n; i++) {
          if (oob[i] === 0) continue;
          sum[i] = sum[i]! + value[o + leaves[i]!]!;
          count[i] = count[i]! + 1;
        }
      });
      let missing = 0;
      for (let i = 0; i < n; i++) {
        if (count[i] === 0) missing++;
        else sum[i] = sum[i]! / count[i]!;
      }
      if (missing > 0) {
        process.emitWarning(`${who}: ${missing} rows were in every bootstrap sample and have no out-of-bag prediction; oobScore_ may be unreliable (use more trees)`, { code: 'MLSHIP_OOB_INCOMPLETE' });
      }
      this.oobPrediction_ = sum;
      this.oobScore_ = r2Score(target, sum);
    }
    return this;
  }

  /** The mean of the trees' predictions for each row. */
  predict(X: MatrixInput): Float64Array {
    const { x, n } = this.rows(X, 'predict');
    return this.predictTrees(x, n);
  }

  /** R² of `predict(X)` against y. */
  score(X: MatrixInput, y: ArrayLike<number>): number {
    return r2Score(y, this.predict(X));
  }
}
registerEstimator(RandomForestRegressor);

/**
 * A random forest of classification trees (scikit-learn 1.2's `RandomForestClassifier`): each
 * tree tries `sqrt(nFeatures)` features per split by default; `predictProba` averages the trees'
 * class frequencies. Labels are strings or numbers.
 *
 * @example
 * ```ts
 * import { RandomForestClassifier } from 'mlship/learn';
 * const rf = new RandomForestClassifier({ nEstimators: 100, nJobs: -1, randomState: 0 }).fit(X, ['a', 'b', ...]);
 * rf.predict(Xtest);       // ['a', ...]
 * rf.predictProba(Xtest);  // Matrix rows x classes
 * ```
 */
export class RandomForestClassifier extends BaseForest<RandomForestClassifierParams> implements Classifier<MatrixInput> {
  static override readonly estimatorName: string = 'RandomForestClassifier';
  readonly estimatorType = 'classifier' as const;
  protected readonly classification = true;
  /** Class labels, sorted as Python sorts them. */
  classes_: Label[] | undefined;
  /** Out-of-bag class probabilities of each training row (`oobScore: true`), `rows x classes`. */
  oobDecisionFunction_: Matrix | undefined;

  constructor(params?: Partial<RandomForestClassifierParams>) {
    super({ criterion: 'gini', ...FOREST_DEFAULTS, ...growthDefaults('sqrt') }, params);
  }

  /** Grows the forest on X and labels y (optionally weighted). Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<Label>, sampleWeight?: ArrayLike<number>): this {
    const who = `${this.estimatorName}.fit`;
    const m = checkMatrix(X, who);
    const labels = checkLabels(y, m.rows, who);
    const classes = uniqueLabels(labels);
    const codes = encodeLabels(labels, classes);
    const job = this.fitForest(m, Float64Array.from(codes), classes.length, sampleWeight, who);
    this.classes_ = classes;
    this.oobDecisionFunction_ = undefined;
    if (this.params.oobScore) {
      const n = m.rows;
      const K = classes.length;
      const proba = new Float64Array(n * K);
      const value = this.trees_!.value;
      const offsets = this.trees_!.offsets;
      this.forEachOob(job, m, (t, leaves, oob) => {
        const o = offsets[t]!;
        for (let i = 0; i < n; i++) {
          if (oob[i] === 0) continue;
          const v = (o + leaves[i]!) * K;
          let s = 0;
          for (let c = 0; c < K; c++) s += value[v + c]!;
          if (s === 0) s = 1;
          for (let c = 0; c < K; c++) proba[i * K + c] = proba[i * K + c]! + value[v + c]! / s;
        }
      });
      // As scikit-learn: normalise each row's summed probabilities (rows never out of bag stay 0).
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < K; c++) s += proba[i * K + c]!;
        if (s > 0) for (let c = 0; c < K; c++) proba[i * K + c] = proba[i * K + c]! / s;
      }
      this.oobDecisionFunction_ = new Matrix(n, K, proba);
      const idx = new Int32Array(n);
      argmaxRows(proba, n, K, idx);
      let hits = 0;
      for (let i = 0; i < n; i++) if (idx[i] === codes[i]) hits++;
      this.oobScore_ = hits / n;
    }
    return this;
  }

  /** The mean of the trees' class probabilities per row (columns in `classes_` order). */
  predictProba(X: MatrixInput): Matrix {
    const { x, n } = this.rows(X, 'predictProba');
    return new Matrix(n, this.classes_!.length, this.predictTrees(x, n));
  }

  /** Log of {@link predictProba}. */
  predictLogProba(X: MatrixInput): Matrix {
    const p = this.predictProba(X);
    for (let k = 0; k < p.data.length; k++) p.data[k] = Math.log(p.data[k]!);
    return p;
  }

  /** The class with the highest mean probability for each row. */
  predict(X: MatrixInput): Label[] {
    const { x, n } = this.rows(X, 'predict');
    const k = this.classes_!.length;
    const proba = this.predictTrees(x, n);
    const idx = new Int32Array(n);
    argmaxRows(proba, n, k, idx);
    const out = new Array<Label>(n);
    for (let i = 0; i < n; i++) out[i] = this.classes_![idx[i]!]!;
    return out;
  }

  /** Mean accuracy of `predict(X)` against y. */
  score(X: MatrixInput, y: ArrayLike<Label>): number {
    return labelAccuracy(y, this.predict(X), `${this.estimatorName}.score`);
  }

  protected override getState(): EstimatorState {
    return { ...super.getState(), classes: this.classes_!.slice() };
  }

  protected override setState(state: EstimatorState): void {
    const classes = state['classes'];
    if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string' && typeof c !== 'number')) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected classes)`);
    }
    super.setState(state);
    if (this.trees_!.stride !== classes.length) throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved trees have ${this.trees_!.stride} values per node but ${classes.length} classes`);
    this.classes_ = classes as Label[];
  }
}
registerEstimator(RandomForestClassifier);

import { CsrMatrix, Matrix, MlshipError, encodeLabels, uniqueLabels, type AnyMatrix, type Label } from '../../core/index.js';
import { BaseEstimator, registerEstimator, type Classifier, type EstimatorState, type Regressor } from '../base.js';
import { checkFeatureCount, checkLabels, checkMatrix, featureNamesOf, labelAccuracy, type MatrixInput } from '../kernels/index.js';
import { checkFeatureNames, checkTargets } from '../linear-model/base.js';
import { r2Score } from '../metrics/index.js';
import { knnBrute } from './brute.js';

/** Hyperparameters shared by {@link KNeighborsRegressor} and {@link KNeighborsClassifier}. */
export interface KNeighborsParams {
  /** Number of neighbours used by `predict`. @default 5 */
  nNeighbors: number;
  /** `'uniform'`: every neighbour counts the same; `'distance'`: weight by 1 / distance (an exact match takes all the weight). @default 'uniform' */
  weights: 'uniform' | 'distance';
  /** Search algorithm; `'auto'` and `'brute'` both run the exact brute-force search. @default 'auto' */
  algorithm: 'auto' | 'brute';
  /** Accepted for parameter parity with scikit-learn's tree searches; unused by brute force. @default 30 */
  leafSize: number;
  /** Order of the Minkowski metric: 2 is Euclidean, 1 Manhattan; any p >= 1. @default 2 */
  p: number;
  /** `'minkowski'` (of order p), `'euclidean'` or `'manhattan'`. @default 'minkowski' */
  metric: 'minkowski' | 'euclidean' | 'manhattan';
}

const DEFAULTS: KNeighborsParams = { nNeighbors: 5, weights: 'uniform', algorithm: 'auto', leafSize: 30, p: 2, metric: 'minkowski' };

/** What {@link KNeighborsBase.kneighbors} returns: `nQueries x k` matrices. */
export interface KNeighborsResult {
  /** Indices of the neighbours in the training set (as numbers), closest first. */
  indices: Matrix;
  /** Their distances; undefined when `returnDistance` is false. */
  distances?: Matrix;
}

/**
 * The nearest-neighbour search shared by the k-NN estimators (scikit-learn's `KNeighborsMixin`):
 * fit stores the training rows; `kneighbors` finds the closest ones by exact brute force.
 *
 * @example
 * ```ts
 * const knn: KNeighborsBase<any> = new KNeighborsRegressor().fit(X, y);
 * knn.kneighbors(Xnew, 3).indices; // Matrix rows x 3
 * ```
 */
export abstract class KNeighborsBase<P extends KNeighborsParams> extends BaseEstimator<P> {
  /** The training rows, row-major `nSamplesFit_ x nFeaturesIn_`. */
  fitX_: Float64Array | undefined;
  /** Number of training rows. */
  nSamplesFit_: number | undefined;
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Column names seen in fit when X was a Table. */
  featureNamesIn_: string[] | undefined;
  /** The metric in use: `'euclidean'`, `'manhattan'` or `'minkowski'` (other p). */
  effectiveMetric_: string | undefined;

  get isFitted(): boolean {
    return this.fitX_ !== undefined;
  }

  /** The Minkowski order of the configured metric. */
  private order(): number {
    const { metric, p } = this.params;
    return metric === 'euclidean' ? 2 : metric === 'manhattan' ? 1 : p;
  }

  protected fitSearch(X: MatrixInput, who: string): AnyMatrix {
    const { nNeighbors, weights, algorithm, metric, p, leafSize } = this.params;
    const bad = (field: string, msg: string, v: unknown): never => {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: ${field} ${msg}, got ${JSON.stringify(v)}`, { field, value: v });
    };
    if (!(Number.isInteger(nNeighbors) && nNeighbors >= 1)) bad('nNeighbors', 'must be an integer >= 1', nNeighbors);
    if (!(weights === 'uniform' || weights === 'distance')) bad('weights', "must be 'uniform' or 'distance'", weights);
    if (!(algorithm === 'auto' || algorithm === 'brute')) bad('algorithm', "must be 'auto' or 'brute' (mlship searches by exact brute force; tree searches give the same neighbours)", algorithm);
    if (!(metric === 'minkowski' || metric === 'euclidean' || metric === 'manhattan')) bad('metric', "must be 'minkowski', 'euclidean' or 'manhattan'", metric);
    if (!(typeof p === 'number' && p >= 1 && Number.isFinite(p))) bad('p', 'must be a finite number >= 1', p);
    if (!(Number.isInteger(leafSize) && leafSize >= 1)) bad('leafSize', 'must be an integer >= 1', leafSize);
    const Xm = checkMatrix(X, who);
    const dense = Xm instanceof CsrMatrix ? Xm.toDense() : Xm;
    this.fitX_ = dense.data.slice();
    this.nSamplesFit_ = dense.rows;
    this.nFeaturesIn_ = dense.cols;
    this.featureNamesIn_ = featureNamesOf(X);
    const order = this.order();
    this.effectiveMetric_ = order === 2 ? 'euclidean' : order === 1 ? 'manhattan' : 'minkowski';
    return Xm;
  }

  /**
   * The `nNeighbors` (default: the estimator's) nearest training rows of each row of X, closest
   * first, as scikit-learn's `kneighbors`. Without X, the training rows are queried and no row is
   * its own neighbour. Equal distances are broken by the lower training index.
   *
   * @example
   * ```ts
   * const { indices, distances } = knn.kneighbors([[0, 1]], 2);
   * ```
   */
  kneighbors(X?: MatrixInput | null, nNeighbors?: number, returnDistance = true): KNeighborsResult {
    const { dist, ind, rows, k } = this.search(X ?? null, nNeighbors ?? this.params.nNeighbors, 'kneighbors');
    const indices = new Matrix(rows, k, Float64Array.from(ind));
    return returnDistance ? { indices, distances: new Matrix(rows, k, dist) } : { indices };
  }

  protected search(X: MatrixInput | null, k: number, method: string): { dist: Float64Array; ind: Int32Array; rows: number; k: number } {
    this.requireFitted(method);
    const who = `${this.estimatorName}.${method}`;
    const nFit = this.nSamplesFit_!;
    const self = X === null;
    let query: Float64Array;
    let rows: number;
    if (self) {
      query = this.fitX_!;
      rows = nFit;
    } else {
      const Xm = checkMatrix(X, who);
      checkFeatureCount(Xm, this.nFeaturesIn_!, who);
      checkFeatureNames(X, this.featureNamesIn_, who);
      const dense = Xm instanceof CsrMatrix ? Xm.toDense() : Xm;
      query = dense.data;
      rows = dense.rows;
    }
    if (!(Number.isInteger(k) && k >= 1)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: nNeighbors must be an integer >= 1, got ${JSON.stringify(k)}`, { field: 'nNeighbors', value: k });
    }
    const available = self ? nFit - 1 : nFit;
    if (k > available) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: Expected nNeighbors <= nSamplesFit${self ? ' - 1 (the query is the training set)' : ''}, but nNeighbors = ${k}, nSamplesFit = ${nFit}; lower nNeighbors or fit on more rows`, {
        field: 'nNeighbors',
        value: k,
        expected: available,
      });
    }
    const { dist, ind } = knnBrute(this.fitX_!, nFit, query, rows, this.nFeaturesIn_!, k, this.order(), self);
    return { dist, ind, rows, k };
  }

  /** Neighbour weights per query row, as scikit-learn's `_get_weights`; undefined for uniform. */
  protected weightsOf(dist: Float64Array, rows: number, k: number): Float64Array | undefined {
    if (this.params.weights !== 'distance') return undefined;
    const w = new Float64Array(dist.length);
    for (let i = 0; i < rows; i++) {
      const o = i * k;
      let exact = false;
      for (let r = 0; r < k; r++) if (dist[o + r] === 0) exact = true;
      for (let r = 0; r < k; r++) w[o + r] = exact ? (dist[o + r] === 0 ? 1 : 0) : 1 / dist[o + r]!;
    }
    return w;
  }

  protected baseState(): EstimatorState {
    return {
      fitX: this.fitX_!.slice(),
      nSamplesFit: this.nSamplesFit_!,
      nFeaturesIn: this.nFeaturesIn_!,
      featureNamesIn: this.featureNamesIn_ ? this.featureNamesIn_.slice() : null,
    };
  }

  protected setBaseState(state: EstimatorState): void {
    const x = state['fitX'];
    const n = state['nSamplesFit'];
    const d = state['nFeaturesIn'];
    const names = state['featureNamesIn'];
    if (!(x instanceof Float64Array) || typeof n !== 'number' || typeof d !== 'number' || x.length !== n * d) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected fitX of nSamplesFit x nFeaturesIn values)`);
    }
    this.fitX_ = x;
    this.nSamplesFit_ = n;
    this.nFeaturesIn_ = d;
    this.featureNamesIn_ = Array.isArray(names) ? (names as string[]) : undefined;
    const order = this.params.metric === 'euclidean' ? 2 : this.params.metric === 'manhattan' ? 1 : this.params.p;
    this.effectiveMetric_ = order === 2 ? 'euclidean' : order === 1 ? 'manhattan' : 'minkowski';
  }
}

/**
 * Regression by the k nearest neighbours, as scikit-learn's `KNeighborsRegressor`: the prediction
 * is the mean (or 1/distance-weighted mean) of the neighbours' targets. Exact brute-force search.
 *
 * @example
 * ```ts
 * import { KNeighborsRegressor } from 'mlship/learn';
 * const knn = new KNeighborsRegressor({ nNeighbors: 2 }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
 * knn.predict([[1.5]]); // Float64Array [0.5]
 * ```
 */
export class KNeighborsRegressor extends KNeighborsBase<KNeighborsParams> implements Regressor<MatrixInput> {
  static override readonly estimatorName: string = 'KNeighborsRegressor';
  readonly estimatorType = 'regressor' as const;
  /** The training targets. */
  fitY_: Float64Array | undefined;

  constructor(params?: Partial<KNeighborsParams>) {
    super(DEFAULTS, params);
  }

  /** Stores the training data. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>): this {
    const who = 'KNeighborsRegressor.fit';
    const Xm = this.fitSearch(X, who);
    this.fitY_ = checkTargets(y, Xm.rows, who);
    return this;
  }

  /** The (weighted) mean target of each row's neighbours. */
  predict(X: MatrixInput): Float64Array {
    const { dist, ind, rows, k } = this.search(X, this.params.nNeighbors, 'predict');
    const w = this.weightsOf(dist, rows, k);
    const yf = this.fitY_!;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      const o = i * k;
      let s = 0;
      if (w) {
        let ws = 0;
        for (let r = 0; r < k; r++) {
          s += yf[ind[o + r]!]! * w[o + r]!;
          ws += w[o + r]!;
        }
        out[i] = s / ws;
      } else {
        for (let r = 0; r < k; r++) s += yf[ind[o + r]!]!;
        out[i] = s / k;
      }
    }
    return out;
  }

  /** R² of `predict(X)` against y. */
  score(X: MatrixInput, y: ArrayLike<number>): number {
    return r2Score(y, this.predict(X));
  }

  protected getState(): EstimatorState {
    return { ...this.baseState(), fitY: this.fitY_!.slice() };
  }

  protected setState(state: EstimatorState): void {
    this.setBaseState(state);
    const y = state['fitY'];
    if (!(y instanceof Float64Array) || y.length !== this.nSamplesFit_) throw new MlshipError('CORRUPT_ARTIFACT', 'KNeighborsRegressor: saved state is malformed (fitY must have one target per training row)');
    this.fitY_ = y;
  }
}
registerEstimator(KNeighborsRegressor);

/**
 * Classification by a vote of the k nearest neighbours, as scikit-learn's `KNeighborsClassifier`:
 * `predictProba` is the (1/distance-weighted) share of each class among the neighbours and
 * `predict` its arg-max (ties go to the class that sorts first). Exact brute-force search.
 *
 * @example
 * ```ts
 * import { KNeighborsClassifier } from 'mlship/learn';
 * const knn = new KNeighborsClassifier({ nNeighbors: 3 }).fit([[0], [1], [2], [3]], ['a', 'a', 'b', 'b']);
 * knn.predict([[1.1]]);      // ['a']
 * knn.predictProba([[1.1]]); // Matrix [[0.667, 0.333]] (columns a, b)
 * ```
 */
export class KNeighborsClassifier extends KNeighborsBase<KNeighborsParams> implements Classifier<MatrixInput> {
  static override readonly estimatorName: string = 'KNeighborsClassifier';
  readonly estimatorType = 'classifier' as const;
  /** Class labels, sorted as Python sorts them. */
  classes_: Label[] | undefined;
  /** The training labels as indices into `classes_`. */
  fitCodes_: Int32Array | undefined;

  constructor(params?: Partial<KNeighborsParams>) {
    super(DEFAULTS, params);
  }

  /** Stores the training data. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<Label>): this {
    const who = 'KNeighborsClassifier.fit';
    const Xm = this.fitSearch(X, who);
    const labels = checkLabels(y, Xm.rows, who);
    this.classes_ = uniqueLabels(labels);
    this.fitCodes_ = encodeLabels(labels, this.classes_);
    return this;
  }

  private votes(X: MatrixInput, method: string): Matrix {
    const { dist, ind, rows, k } = this.search(X, this.params.nNeighbors, method);
    const w = this.weightsOf(dist, rows, k);
    const nc = this.classes_!.length;
    const codes = this.fitCodes_!;
    const out = new Matrix(rows, nc);
    const o = out.data;
    for (let i = 0; i < rows; i++) {
      let total = 0;
      for (let r = 0; r < k; r++) {
        const v = w ? w[i * k + r]! : 1;
        const c = codes[ind[i * k + r]!]!;
        o[i * nc + c] = o[i * nc + c]! + v;
        total += v;
      }
      if (total === 0) total = 1;
      for (let c = 0; c < nc; c++) o[i * nc + c] = o[i * nc + c]! / total;
    }
    return out;
  }

  /** The share of each class among each row's neighbours (columns in `classes_` order). */
  predictProba(X: MatrixInput): Matrix {
    return this.votes(X, 'predictProba');
  }

  /** The majority (or weighted-majority) class of each row's neighbours. */
  predict(X: MatrixInput): Label[] {
    const v = this.votes(X, 'predict');
    const nc = v.cols;
    const out = new Array<Label>(v.rows);
    for (let i = 0; i < v.rows; i++) {
      let best = 0;
      for (let c = 1; c < nc; c++) if (v.data[i * nc + c]! > v.data[i * nc + best]!) best = c;
      out[i] = this.classes_![best]!;
    }
    return out;
  }

  /** Mean accuracy of `predict(X)` against y. */
  score(X: MatrixInput, y: ArrayLike<Label>): number {
    return labelAccuracy(y, this.predict(X), 'KNeighborsClassifier.score');
  }

  protected getState(): EstimatorState {
    return { ...this.baseState(), classes: this.classes_!.slice(), fitCodes: this.fitCodes_!.slice() };
  }

  protected setState(state: EstimatorState): void {
    this.setBaseState(state);
    const classes = state['classes'];
    const codes = state['fitCodes'];
    if (!Array.isArray(classes) || !(codes instanceof Int32Array) || codes.length !== this.nSamplesFit_) {
      throw new MlshipError('CORRUPT_ARTIFACT', 'KNeighborsClassifier: saved state is malformed (expected classes and one fitCode per training row)');
    }
    this.classes_ = classes as Label[];
    this.fitCodes_ = codes;
  }
}
registerEstimator(KNeighborsClassifier);

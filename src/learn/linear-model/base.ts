import { CsrMatrix, Matrix, MlshipError, type AnyMatrix } from '../../core/index.js';
import { BaseEstimator, type EstimatorState, type Regressor } from '../base.js';
import { allFinite, checkFeatureCount, checkMatrix, featureNamesOf, gemvRowMajor, linearScores, toColumnMajor, type MatrixInput } from '../kernels/index.js';
import { r2Score } from '../metrics/index.js';

/**
 * Validates regression targets: one finite number per row of X. Returns them as a Float64Array
 * (a copy, so the caller may modify it).
 *
 * @example
 * ```ts
 * const t = checkTargets([1.5, 2], 2, 'Ridge.fit'); // Float64Array [1.5, 2]
 * ```
 */
export function checkTargets(y: ArrayLike<unknown>, nRows: number, who: string): Float64Array {
  if (!y || typeof (y as ArrayLike<unknown>).length !== 'number') {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: y must be an array of numbers (the regression targets), got ${y === null ? 'null' : typeof y}`, { field: 'y' });
  }
  if (y.length !== nRows) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: X and y have inconsistent numbers of samples: [${nRows}, ${y.length}]; pass one target per row of X`, { field: 'y', value: y.length, expected: nRows });
  }
  const out = new Float64Array(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: y[${i}] is ${typeof v === 'number' ? String(v) : JSON.stringify(v)}; regression targets must be finite numbers`, { field: 'y', line: i, value: v });
    }
    out[i] = v;
  }
  return out;
}

/**
 * Validates sample weights (one finite, non-negative number per row, not all zero), as
 * scikit-learn's `_check_sample_weight(only_non_negative=True)`. `undefined`/`null` stays undefined.
 *
 * @example
 * ```ts
 * checkSampleWeight([1, 2], 2, 'Ridge.fit'); // Float64Array [1, 2]
 * ```
 */
export function checkSampleWeight(sampleWeight: ArrayLike<number> | null | undefined, nRows: number, who: string): Float64Array | undefined {
  if (sampleWeight === undefined || sampleWeight === null) return undefined;
  if (typeof sampleWeight.length !== 'number') {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: sampleWeight must be an array of numbers, one per row of X`, { field: 'sampleWeight' });
  }
  if (sampleWeight.length !== nRows) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: sampleWeight has ${sampleWeight.length} values, but X has ${nRows} rows; pass one weight per row`, { field: 'sampleWeight', value: sampleWeight.length, expected: nRows });
  }
  const out = new Float64Array(nRows);
  let sum = 0;
  for (let i = 0; i < nRows; i++) {
    const v = sampleWeight[i]!;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: sampleWeight[${i}] is ${String(v)}; weights must be finite and >= 0`, { field: 'sampleWeight', line: i, value: v });
    }
    out[i] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new MlshipError('INVALID_ARGUMENT', `${who}: sampleWeight sums to 0; at least one sample needs a positive weight`, { field: 'sampleWeight' });
  return out;
}

/**
 * When X is a Table and the estimator was fitted on a Table, checks that the columns are the same
 * names in the same order (SCHEMA_MISMATCH otherwise), as scikit-learn's feature-name check.
 *
 * @example
 * ```ts
 * checkFeatureNames(X, this.featureNamesIn_, 'Ridge.predict');
 * ```
 */
export function checkFeatureNames(X: unknown, expected: string[] | undefined, who: string): void {
  const got = featureNamesOf(X);
  if (!got || !expected) return;
  if (got.length === expected.length && got.every((n, i) => n === expected[i])) return;
  throw new MlshipError('SCHEMA_MISMATCH', `${who}: the feature names should match those passed during fit: fitted on [${expected.join(', ')}], got [${got.join(', ')}]; select the columns in the fitted order`, {
    field: 'X',
    value: got,
    expected,
  });
}

/** Dense training data prepared as scikit-learn's `_preprocess_data` + `_rescale_data`. */
export interface PreparedData {
  /** Centered (when fitting an intercept) and `sqrt(sampleWeight)`-scaled X, column-major n x d. */
  xc: Float64Array;
  /** Centered and scaled y. */
  yc: Float64Array;
  /** (Weighted) column means of X, zeros without an intercept. */
  xOffset: Float64Array;
  /** (Weighted) mean of y, 0 without an intercept. */
  yOffset: number;
  n: number;
  d: number;
}

/** The (weighted) means and row scales of {@link prepareData}, without copying X. */
export interface Centering {
  /** X as a dense Matrix (a CsrMatrix is densified). */
  dense: Matrix;
  xOffset: Float64Array;
  yOffset: number;
  /** `sqrt(sampleWeight)`, or undefined without weights. */
  rowScale: Float64Array | undefined;
}

/**
 * The (weighted) column means of X and mean of y (zeros without an intercept), and `sqrt(sampleWeight)`.
 *
 * @example
 * ```ts
 * const { xOffset, yOffset } = centering(X, y, true, undefined);
 * ```
 */
export function centering(X: AnyMatrix, y: Float64Array, fitIntercept: boolean, sw: Float64Array | undefined): Centering {
  const dense = X instanceof CsrMatrix ? X.toDense() : X;
  const n = dense.rows;
  const d = dense.cols;
  const xOffset = new Float64Array(d);
  let yOffset = 0;
  if (fitIntercept) {
    const data = dense.data;
    let wsum = 0;
    for (let i = 0; i < n; i++) {
      const w = sw ? sw[i]! : 1;
      wsum += w;
      const o = i * d;
      for (let j = 0; j < d; j++) xOffset[j] = xOffset[j]! + w * data[o + j]!;
      yOffset += w * y[i]!;
    }
    for (let j = 0; j < d; j++) xOffset[j] = xOffset[j]! / wsum;
    yOffset /= wsum;
  }
  return { dense, xOffset, yOffset, rowScale: sw ? sw.map(Math.sqrt) : undefined };
}

/**
 * Centers X and y on their (weighted) means when `fitIntercept`, then multiplies row i by
 * `sqrt(sampleWeight[i])`, as scikit-learn's `_preprocess_data` followed by `_rescale_data`.
 * X comes back column-major for the solvers.
 *
 * @example
 * ```ts
 * const { xc, yc, xOffset, yOffset } = prepareData(X, y, true, sampleWeight);
 * ```
 */
export function prepareData(X: AnyMatrix, y: Float64Array, fitIntercept: boolean, sw: Float64Array | undefined): PreparedData {
  const { dense, xOffset, yOffset, rowScale } = centering(X, y, fitIntercept, sw);
  const n = dense.rows;
  const d = dense.cols;
  const xc = toColumnMajor(dense.data, n, d, fitIntercept ? xOffset : undefined, rowScale);
  const yc = new Float64Array(n);
  for (let i = 0; i < n; i++) yc[i] = (y[i]! - yOffset) * (rowScale ? rowScale[i]! : 1);
  return { xc, yc, xOffset, yOffset, n, d };
}

/**
 * `yOffset − xOffset · coef`, as scikit-learn's `_set_intercept`.
 *
 * @example
 * ```ts
 * interceptOf(Float64Array.of(2), Float64Array.of(1), 5, true); // 3
 * ```
 */
export function interceptOf(coef: Float64Array, xOffset: Float64Array, yOffset: number, fitIntercept: boolean): number {
  if (!fitIntercept) return 0;
  let s = 0;
  for (let j = 0; j < coef.length; j++) s += xOffset[j]! * coef[j]!;
  return yOffset - s;
}

/**
 * The linear regressors' shared half (scikit-learn's `LinearModel` + `RegressorMixin`):
 * `predict = X · coef_ + intercept_`, `score` = R², state save/load. Subclasses implement `fit`.
 * X may be a Matrix, rows of numbers, an all-numeric Table or a CsrMatrix (densified for fit;
 * predicted by a sparse product).
 *
 * @example
 * ```ts
 * const model: LinearModel<any> = new Ridge({ alpha: 1 }).fit(X, y);
 * model.predict(X); // Float64Array
 * ```
 */
export abstract class LinearModel<P extends object> extends BaseEstimator<P> implements Regressor<MatrixInput> {
  readonly estimatorType = 'regressor' as const;
  /** Coefficients, one per feature. */
  coef_: Float64Array | undefined;
  /** The intercept (0 when `fitIntercept` is false). */
  intercept_: number | undefined;
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Column names seen in fit when X was a Table. */
  featureNamesIn_: string[] | undefined;

  get isFitted(): boolean {
    return this.coef_ !== undefined;
  }

  abstract fit(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this;

  /** Validated X for fit plus the recorded feature count and names. */
  protected fitInput(X: MatrixInput, who: string): AnyMatrix {
    const Xm = checkMatrix(X, who);
    this.nFeaturesIn_ = Xm.cols;
    this.featureNamesIn_ = featureNamesOf(X);
    return Xm;
  }

  /** Predicted values, `X · coef_ + intercept_`. */
  predict(X: MatrixInput): Float64Array {
    this.requireFitted('predict');
    const who = `${this.estimatorName}.predict`;
    // A non-empty dense Matrix skips the separate finiteness scan: any NaN or infinity in X makes
    // its row's prediction non-finite, and only then is X scanned to report the cell at fault.
    const fast = X instanceof Matrix && X.rows > 0 && X.cols > 0;
    const Xm = fast ? X : checkMatrix(X, who);
    checkFeatureCount(Xm, this.nFeaturesIn_!, who);
    checkFeatureNames(X, this.featureNamesIn_, who);
    const coef = this.coef_!;
    const b = this.intercept_!;
    if (Xm instanceof Matrix) {
      const out = gemvRowMajor(Xm.data, Xm.rows, Xm.cols, coef, b, new Float64Array(Xm.rows));
      if (fast && !allFinite(out)) checkMatrix(X, who);
      return out;
    }
    return linearScores(Xm, new Matrix(1, coef.length, coef), Float64Array.of(b));
  }

  /** R² of `predict(X)` against y (scikit-learn's `RegressorMixin.score`). */
  score(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): number {
    const p = this.predict(X);
    return r2Score(y, p, sampleWeight ? { sampleWeight } : {});
  }

  /** Extra learned state of a subclass (numbers, typed arrays). */
  protected extraState(): EstimatorState {
    return {};
  }

  /** Restores {@link extraState}'s values. */
  protected setExtraState(_state: EstimatorState): void {}

  protected getState(): EstimatorState {
    return {
      coef: this.coef_!.slice(),
      intercept: this.intercept_!,
      nFeaturesIn: this.nFeaturesIn_!,
      featureNamesIn: this.featureNamesIn_ ? this.featureNamesIn_.slice() : null,
      ...this.extraState(),
    };
  }

  protected setState(state: EstimatorState): void {
    const coef = state['coef'];
    const intercept = state['intercept'];
    const d = state['nFeaturesIn'];
    const names = state['featureNamesIn'];
    if (!(coef instanceof Float64Array) || typeof intercept !== 'number' || typeof d !== 'number' || coef.length !== d || !(names === null || names === undefined || Array.isArray(names))) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected coef of nFeaturesIn values, intercept, nFeaturesIn)`);
    }
    this.coef_ = coef;
    this.intercept_ = intercept;
    this.nFeaturesIn_ = d;
    this.featureNamesIn_ = Array.isArray(names) ? (names as string[]) : undefined;
    this.setExtraState(state);
  }
}

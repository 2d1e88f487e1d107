import { CsrMatrix, Matrix, MlshipError, type AnyMatrix } from '../../core/index.js';
import { registerEstimator, type EstimatorState } from '../base.js';
import { PreprocessorBase, columnSum, featuresToMatrix, readFrame, rejectInfinite, requireNonEmpty, requireNumeric, type Frame } from './frame.js';

const EPS = 2.220446049250313e-16;
const SCALER_HINT = 'scalers work on numeric columns only; select the numeric columns (ColumnTransformer) and encode the others with OneHotEncoder or OrdinalEncoder';

/** Reads a dense numeric input (Matrix, numeric Table, rows) for a scaler. */
function numericFrame(X: unknown, who: string): { frame: Frame; cols: Float64Array[] } {
  const frame = readFrame(X, who);
  const feats = requireNumeric(frame, who, SCALER_HINT);
  rejectInfinite(frame, who);
  return { frame, cols: feats.map((f) => f.values) };
}

/** Hyperparameters of {@link StandardScaler}. */
export interface StandardScalerParams {
  /** Center the data before scaling (not possible on a CsrMatrix). @default true */
  withMean: boolean;
  /** Scale the data to unit variance. @default true */
  withStd: boolean;
}

/**
 * Standardizes features by removing the mean and scaling to unit variance, as scikit-learn's
 * `StandardScaler`: `z = (x - mean_) / scale_` with the population standard deviation. NaN values
 * are ignored when fitting and kept as NaN when transforming. Features with (near) zero variance
 * get `scale_ = 1`. Accepts a Matrix, a Table of numeric columns (a string column is an error
 * naming it), rows of numbers, or a CsrMatrix with `withMean: false` (output stays sparse).
 * Returns a Matrix (a CsrMatrix for sparse input).
 *
 * @example
 * ```ts
 * import { StandardScaler } from 'mlship/learn';
 * const sc = new StandardScaler().fit([[0, 10], [2, 30]]);
 * sc.mean_;                 // Float64Array [1, 20]
 * sc.transform([[1, 20]]);  // Matrix [[0, 0]]
 * ```
 */
export class StandardScaler extends PreprocessorBase<StandardScalerParams> {
  static override readonly estimatorName: string = 'StandardScaler';
  /** Per-feature mean (undefined when both withMean and withStd are false, or for sparse input). */
  mean_: Float64Array | undefined;
  /** Per-feature population variance (undefined unless withStd). */
  var_: Float64Array | undefined;
  /** Per-feature scale: sqrt(var_), 1 for constant features (undefined unless withStd). */
  scale_: Float64Array | undefined;
  /** Non-missing samples seen: one number when equal for every feature, else one per feature. */
  nSamplesSeen_: number | Float64Array | undefined;

  constructor(params?: Partial<StandardScalerParams>) {
    super({ withMean: true, withStd: true }, params);
  }

  /** Computes the mean and standard deviation of each feature; returns `this`. */
  fit(X: unknown, _y?: unknown): this {
    const who = 'StandardScaler.fit';
    const { withMean, withStd } = this.params;
    if (X instanceof CsrMatrix) return this.fitSparse(X, who);
    if (X instanceof Matrix) return this.fitMatrix(X, who);
    const { frame, cols } = numericFrame(X, who);
    requireNonEmpty(frame, who);
    const d = cols.length;
    const counts = new Float64Array(d);
    const mean = new Float64Array(d);
    const variance = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const v = cols[j]!;
      let n = 0;
      for (let i = 0; i < v.length; i++) if (v[i] === v[i]) n++;
      counts[j] = n;
      if (!withMean && !withStd) continue;
      const sum = columnSum(v, frame.columnar);
      mean[j] = sum / n;
      if (!withStd) continue;
      const t = sum / n;
      const temp = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) temp[i] = v[i]! - t;
      const correction = columnSum(temp, frame.columnar);
      for (let i = 0; i < v.length; i++) temp[i] = temp[i]! * temp[i]!;
      const unnormalized = columnSum(temp, frame.columnar) - (correction * correction) / n;
      variance[j] = unnormalized / n;
    }
    this.recordInput(frame);
    this.nSamplesSeen_ = collapseCounts(counts);
    this.mean_ = withMean || withStd ? mean : undefined;
    this.var_ = withStd ? variance : undefined;
    this.scale_ = withStd ? scaleOf(variance, mean, counts) : undefined;
    return this;
  }

  /** Fast path for a row-major Matrix: the same sums in the same order, without copying columns. */
  private fitMatrix(X: Matrix, who: string): this {
    const { withMean, withStd } = this.params;
    const { rows: n, cols: d, data } = X;
    if (n === 0 || d === 0) requireNonEmpty({ rows: n, features: new Array(d), names: undefined, columnar: false }, who);
    const counts = new Float64Array(d);
    const sums = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const o = i * d;
      for (let j = 0; j < d; j++) {
        const v = data[o + j]!;
        if (v !== v) continue;
        if (v === Infinity || v === -Infinity) {
          throw new MlshipError('INVALID_ARGUMENT', `${who}: X contains infinity at row ${i}, column ${j}; replace infinite values before fitting or transforming`, { field: 'X', line: i, column: j, value: v });
        }
        counts[j] = counts[j]! + 1;
        sums[j] = sums[j]! + v;
      }
    }
    const mean = new Float64Array(d);
    for (let j = 0; j < d; j++) mean[j] = sums[j]! / counts[j]!;
    const variance = new Float64Array(d);
    if (withStd) {
      const correction = new Float64Array(d);
      const squares = new Float64Array(d);
      for (let i = 0; i < n; i++) {
        const o = i * d;
        for (let j = 0; j < d; j++) {
          const t = data[o + j]! - mean[j]!;
          if (t !== t) continue;
          correction[j] = correction[j]! + t;
          squares[j] = squares[j]! + t * t;
        }
      }
      for (let j = 0; j < d; j++) variance[j] = (squares[j]! - (correction[j]! * correction[j]!) / counts[j]!) / counts[j]!;
    }
    this.nFeaturesIn_ = d;
    this.featureNamesIn_ = undefined;
    this.nSamplesSeen_ = collapseCounts(counts);
    this.mean_ = withMean || withStd ? mean : undefined;
    this.var_ = withStd ? variance : undefined;
    this.scale_ = withStd ? scaleOf(variance, mean, counts) : undefined;
    return this;
  }

  private fitSparse(X: CsrMatrix, who: string): this {
    if (this.params.withMean) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: cannot center a sparse CsrMatrix (it would become dense); pass withMean: false, or X.toDense()`, { field: 'withMean', value: true });
    }
    if (X.rows === 0 || X.cols === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X is empty (shape ${X.rows} x ${X.cols}); at least 1 sample and 1 feature are required`, { field: 'X' });
    const d = X.cols;
    const counts = new Float64Array(d).fill(X.rows);
    const sums = new Float64Array(d);
    for (let p = 0; p < X.nnz; p++) {
      const v = X.data[p]!;
      const j = X.indices[p]!;
      if (v === Infinity || v === -Infinity) throw new MlshipError('INVALID_ARGUMENT', `${who}: X contains infinity in column ${j}; replace infinite values first`, { field: 'X', column: j });
      if (v !== v) counts[j] = counts[j]! - 1;
      else sums[j] = sums[j]! + v;
    }
    this.nFeaturesIn_ = d;
    this.featureNamesIn_ = undefined;
    this.nSamplesSeen_ = collapseCounts(counts);
    this.mean_ = undefined;
    this.var_ = undefined;
    this.scale_ = undefined;
    if (!this.params.withStd) return this;
    const mean = new Float64Array(d);
    for (let j = 0; j < d; j++) mean[j] = sums[j]! / counts[j]!;
    const variance = new Float64Array(d);
    const nnzNonNaN = new Float64Array(d);
    for (let p = 0; p < X.nnz; p++) {
      const v = X.data[p]!;
      if (v !== v) continue;
      const j = X.indices[p]!;
      const dv = v - mean[j]!;
      variance[j] = variance[j]! + dv * dv;
      nnzNonNaN[j] = nnzNonNaN[j]! + 1;
    }
    for (let j = 0; j < d; j++) variance[j] = (variance[j]! + (counts[j]! - nnzNonNaN[j]!) * mean[j]! * mean[j]!) / counts[j]!;
    this.mean_ = mean;
    this.var_ = variance;
    this.scale_ = scaleOf(variance, mean, counts);
    return this;
  }

  /** Standardizes X: a Matrix (a CsrMatrix for sparse input); NaN stays NaN. */
  transform(X: unknown): AnyMatrix {
    const who = 'StandardScaler.transform';
    this.requireFitted('transform');
    const { withMean } = this.params;
    const scale = this.scale_;
    if (X instanceof CsrMatrix) {
      if (withMean) throw new MlshipError('INVALID_ARGUMENT', `${who}: cannot center a sparse CsrMatrix; refit with withMean: false, or pass X.toDense()`, { field: 'withMean' });
      if (X.cols !== this.nFeaturesIn_) {
        throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${X.cols} features, but StandardScaler was fitted with ${this.nFeaturesIn_} features`, { field: 'X', value: X.cols, expected: this.nFeaturesIn_ });
      }
      const data = X.data.slice();
      if (scale) for (let p = 0; p < data.length; p++) data[p] = data[p]! * (1 / scale[X.indices[p]!]!);
      return new CsrMatrix(X.rows, X.cols, data, X.indices.slice(), X.indptr.slice());
    }
    let out: Matrix;
    if (X instanceof Matrix) {
      if (X.cols !== this.nFeaturesIn_) {
        throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${X.cols} features, but StandardScaler was fitted with ${this.nFeaturesIn_} features; pass the same columns as in fit`, { field: 'X', value: X.cols, expected: this.nFeaturesIn_ });
      }
      out = X.clone();
    } else {
      const { frame, cols } = numericFrame(X, who);
      this.checkInput(frame, who);
      out = featuresToMatrix(cols, frame.rows);
    }
    const d = out.cols;
    const data = out.data;
    const mean = this.mean_;
    for (let i = 0; i < out.rows; i++) {
      const o = i * d;
      for (let j = 0; j < d; j++) {
        let v = data[o + j]!;
        if (v === Infinity || v === -Infinity) throw new MlshipError('INVALID_ARGUMENT', `${who}: X contains infinity at row ${i}, column ${j}; replace infinite values before transforming`, { field: 'X', line: i, column: j, value: v });
        if (withMean) v -= mean![j]!;
        if (scale) v /= scale[j]!;
        data[o + j] = v;
      }
    }
    return out;
  }

  /** Undoes the scaling: `x * scale_ + mean_`. */
  inverseTransform(X: unknown): AnyMatrix {
    const who = 'StandardScaler.inverseTransform';
    this.requireFitted('inverseTransform');
    const scale = this.scale_;
    if (X instanceof CsrMatrix) {
      if (this.params.withMean) throw new MlshipError('INVALID_ARGUMENT', `${who}: cannot uncenter a sparse CsrMatrix; refit with withMean: false`, { field: 'withMean' });
      const data = X.data.slice();
      if (scale) for (let p = 0; p < data.length; p++) data[p] = data[p]! * scale[X.indices[p]!]!;
      return new CsrMatrix(X.rows, X.cols, data, X.indices.slice(), X.indptr.slice());
    }
    const { frame, cols } = numericFrame(X, who);
    if (cols.length !== this.nFeaturesIn_) throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${cols.length} features, expected ${this.nFeaturesIn_}`, { field: 'X' });
    const out = featuresToMatrix(cols, frame.rows);
    const d = out.cols;
    for (let k = 0; k < out.data.length; k++) {
      const j = k % d;
      let v = out.data[k]!;
      if (scale) v *= scale[j]!;
      if (this.params.withMean) v += this.mean_![j]!;
      out.data[k] = v;
    }
    return out;
  }

  /** One output feature per input feature, same names. */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    return this.inputFeatureNames(inputFeatures);
  }

  protected getState(): EstimatorState {
    return {
      ...this.baseState(),
      mean: this.mean_ ?? null,
      var: this.var_ ?? null,
      scale: this.scale_ ?? null,
      nSamplesSeen: this.nSamplesSeen_ ?? null,
    };
  }

  protected setState(state: EstimatorState): void {
    this.setBaseState(state);
    this.mean_ = (state.mean as Float64Array | null) ?? undefined;
    this.var_ = (state.var as Float64Array | null) ?? undefined;
    this.scale_ = (state.scale as Float64Array | null) ?? undefined;
    this.nSamplesSeen_ = (state.nSamplesSeen as number | Float64Array | null) ?? undefined;
  }
}
registerEstimator(StandardScaler);

/** One count when every feature saw the same number of samples (as scikit-learn), else all. */
function collapseCounts(counts: Float64Array): number | Float64Array {
  return counts.every((c) => c === counts[0]) ? counts[0]! : counts;
}

/** sqrt(var) with near-constant features (scikit-learn's `_is_constant_feature`) set to 1. */
function scaleOf(variance: Float64Array, mean: Float64Array, counts: Float64Array): Float64Array {
  const scale = new Float64Array(variance.length);
  for (let j = 0; j < variance.length; j++) {
    const v = variance[j]!;
    const n = counts[j]!;
    const m = n * mean[j]! * EPS;
    const upper = n * EPS * v + m * m;
    scale[j] = v <= upper ? 1 : Math.sqrt(v);
  }
  return scale;
}

/** Hyperparameters of {@link MinMaxScaler}. */
export interface MinMaxScalerParams {
  /** The range [min, max] of the transformed data. @default [0, 1] */
  featureRange: [number, number];
  /** Clip transformed values to featureRange (values outside the training range). @default false */
  clip: boolean;
}

/**
 * Scales each feature to `featureRange`, as scikit-learn's `MinMaxScaler`:
 * `x * scale_ + min_` with `scale_ = (max - min of the range) / (dataMax_ - dataMin_)`. NaN is
 * ignored in fit and kept in transform. Dense input only (Matrix, numeric Table, rows); returns a
 * Matrix.
 *
 * @example
 * ```ts
 * import { MinMaxScaler } from 'mlship/learn';
 * new MinMaxScaler({ featureRange: [-1, 1] }).fitTransform([[0], [5], [10]]); // [[-1], [0], [1]]
 * ```
 */
export class MinMaxScaler extends PreprocessorBase<MinMaxScalerParams> {
  static override readonly estimatorName: string = 'MinMaxScaler';
  /** Per-feature minimum seen in fit. */
  dataMin_: Float64Array | undefined;
  /** Per-feature maximum seen in fit. */
  dataMax_: Float64Array | undefined;
  /** `dataMax_ - dataMin_`. */
  dataRange_: Float64Array | undefined;
  /** Per-feature multiplier. */
  scale_: Float64Array | undefined;
  /** Per-feature offset. */
  min_: Float64Array | undefined;
  /** Samples seen in fit. */
  nSamplesSeen_: number | undefined;

  constructor(params?: Partial<MinMaxScalerParams>) {
    super({ featureRange: [0, 1], clip: false }, params);
  }

  private range(who: string): [number, number] {
    const r = this.params.featureRange;
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] < r[1])) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: minimum of desired feature range must be smaller than maximum; got featureRange ${JSON.stringify(r)}`, { field: 'featureRange', value: r });
    }
    return r;
  }

  /** Learns each feature's minimum and maximum; returns `this`. */
  fit(X: unknown, _y?: unknown): this {
    const who = 'MinMaxScaler.fit';
    const [lo, hi] = this.range(who);
    const { frame, cols } = numericFrame(X, who);
    requireNonEmpty(frame, who);
    const d = cols.length;
    const dataMin = new Float64Array(d);
    const dataMax = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      let mn = Infinity;
      let mx = -Infinity;
      let any = false;
      for (const v of cols[j]!) {
        if (v !== v) continue;
        any = true;
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      dataMin[j] = any ? mn : Number.NaN;
      dataMax[j] = any ? mx : Number.NaN;
    }
    const dataRange = new Float64Array(d);
    const scale = new Float64Array(d);
    const min = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const r = dataMax[j]! - dataMin[j]!;
      dataRange[j] = r;
      scale[j] = (hi - lo) / (r < 10 * EPS ? 1 : r);
      min[j] = lo - dataMin[j]! * scale[j]!;
    }
    this.recordInput(frame);
    this.nSamplesSeen_ = frame.rows;
    Object.assign(this, { dataMin_: dataMin, dataMax_: dataMax, dataRange_: dataRange, scale_: scale, min_: min });
    return this;
  }

  /** Scales X to featureRange (clipped when `clip`); returns a Matrix. */
  transform(X: unknown): Matrix {
    const who = 'MinMaxScaler.transform';
    this.requireFitted('transform');
    const { frame, cols } = numericFrame(X, who);
    this.checkInput(frame, who);
    const out = featuresToMatrix(cols, frame.rows);
    const d = out.cols;
    const [lo, hi] = this.params.featureRange;
    const clip = this.params.clip;
    for (let k = 0; k < out.data.length; k++) {
      const j = k % d;
      let v = out.data[k]! * this.scale_![j]!;
      v += this.min_![j]!;
      if (clip) v = v < lo ? lo : v > hi ? hi : v;
      out.data[k] = v;
    }
    return out;
  }

  /** Undoes the scaling: `(x - min_) / scale_`. */
  inverseTransform(X: unknown): Matrix {
    const who = 'MinMaxScaler.inverseTransform';
    this.requireFitted('inverseTransform');
    const { frame, cols } = numericFrame(X, who);
    if (cols.length !== this.nFeaturesIn_) throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${cols.length} features, expected ${this.nFeaturesIn_}`, { field: 'X' });
    const out = featuresToMatrix(cols, frame.rows);
    const d = out.cols;
    for (let k = 0; k < out.data.length; k++) out.data[k] = (out.data[k]! - this.min_![k % d]!) / this.scale_![k % d]!;
    return out;
  }

  /** One output feature per input feature, same names. */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    return this.inputFeatureNames(inputFeatures);
  }

  protected getState(): EstimatorState {
    return {
      ...this.baseState(),
      dataMin: this.dataMin_!,
      dataMax: this.dataMax_!,
      dataRange: this.dataRange_!,
      scale: this.scale_!,
      min: this.min_!,
      nSamplesSeen: this.nSamplesSeen_!,
    };
  }

  protected setState(state: EstimatorState): void {
    this.setBaseState(state);
    this.dataMin_ = state.dataMin as Float64Array;
    this.dataMax_ = state.dataMax as Float64Array;
    this.dataRange_ = state.dataRange as Float64Array;
    this.scale_ = state.scale as Float64Array;
    this.min_ = state.min as Float64Array;
    this.nSamplesSeen_ = state.nSamplesSeen as number;
  }
}
registerEstimator(MinMaxScaler);

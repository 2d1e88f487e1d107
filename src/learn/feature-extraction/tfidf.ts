import { CsrMatrix, Matrix, MlshipError } from '../../core/index.js';
import { BaseEstimator, registerEstimator, type EstimatorState, type EstimatorType } from '../base.js';
import { CountVectorizer, type CountVectorizerParams, type DocWeights } from './count-vectorizer.js';
import { checkMatrix, type MatrixInput } from '../kernels/index.js';
import { columnCounts, normalizeRowsL1, normalizeRowsL2 } from './kernels.js';

/** Row normalisation of the output: unit L2 or L1 norm, or none. */
export type TfidfNorm = 'l1' | 'l2' | null;

/** Parameters of {@link TfidfTransformer}, named as scikit-learn's (camelCase). */
export interface TfidfTransformerParams {
  /** Normalise each row to unit 'l2' or 'l1' norm, or not at all (null). @default 'l2' */
  norm: TfidfNorm;
  /** Weight counts by inverse document frequency. @default true */
  useIdf: boolean;
  /** Add one to document frequencies, as if one extra document held every term once. @default true */
  smoothIdf: boolean;
  /** Replace tf by 1 + log(tf). @default false */
  sublinearTf: boolean;
}

const TFIDF_DEFAULTS: TfidfTransformerParams = { norm: 'l2', useIdf: true, smoothIdf: true, sublinearTf: false };

function checkTfidfParams(p: TfidfTransformerParams, owner: string): void {
  if (p.norm !== 'l1' && p.norm !== 'l2' && p.norm !== null) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.norm must be 'l2', 'l1' or null, got ${JSON.stringify(p.norm)}`, { field: 'norm', value: p.norm });
  }
  for (const k of ['useIdf', 'smoothIdf', 'sublinearTf'] as const) {
    if (typeof p[k] !== 'boolean') {
      throw new MlshipError('INVALID_ARGUMENT', `${owner}.${k} must be true or false, got ${JSON.stringify(p[k])}`, { field: k, value: p[k] });
    }
  }
}

/**
 * idf = ln((n + s) / (df + s)) + 1 with s = 1 when smoothing (scikit-learn's formula), from the
 * number of stored entries per column.
 */
export function computeIdf(X: CsrMatrix, smoothIdf: boolean): Float64Array {
  const df = columnCounts(X.indices, X.nnz, X.cols);
  const s = smoothIdf ? 1 : 0;
  const n = X.rows + s;
  const idf = new Float64Array(X.cols);
  for (let j = 0; j < X.cols; j++) idf[j] = Math.log(n / (df[j]! + s)) + 1;
  return idf;
}

/**
 * Applies sublinear tf, idf weights and row normalisation to a count matrix, in place on `data`
 * (scikit-learn's `TfidfTransformer.transform`).
 */
export function applyTfidf(data: Float64Array, indices: Int32Array, indptr: Int32Array, idf: Float64Array | null, p: TfidfTransformerParams): void {
  const nnz = indptr[indptr.length - 1]!;
  if (p.sublinearTf) for (let k = 0; k < nnz; k++) data[k] = Math.log(data[k]!) + 1;
  if (idf && p.norm === 'l2') {
    // One pass per row: weight, sum of squares (same order as the separate passes), divide.
    const rows = indptr.length - 1;
    for (let i = 0; i < rows; i++) {
      const s = indptr[i]!;
      const e = indptr[i + 1]!;
      let sum = 0;
      for (let k = s; k < e; k++) {
        const v = data[k]! * idf[indices[k]!]!;
        data[k] = v;
        sum += v * v;
      }
      if (sum === 0) continue;
      const norm = Math.sqrt(sum);
      for (let k = s; k < e; k++) data[k] = data[k]! / norm;
    }
    return;
  }
  if (idf) for (let k = 0; k < nnz; k++) data[k] = data[k]! * idf[indices[k]!]!;
  if (p.norm === 'l2') normalizeRowsL2(data, indptr);
  else if (p.norm === 'l1') normalizeRowsL1(data, indptr);
}

/**
 * Transforms a count matrix to a normalised tf or tf-idf representation, exactly as
 * scikit-learn's `TfidfTransformer`.
 *
 * @example
 * ```ts
 * const counts = new CountVectorizer().fitTransform(docs);
 * const tfidf = new TfidfTransformer({ sublinearTf: true });
 * const X = tfidf.fitTransform(counts);
 * tfidf.idf_; // Float64Array, one weight per column
 * ```
 */
export class TfidfTransformer extends BaseEstimator<TfidfTransformerParams> {
  static override readonly estimatorName: string = 'TfidfTransformer';
  readonly estimatorType: EstimatorType = 'transformer';

  /** Inverse document frequencies (only when `useIdf`). */
  idf_: Float64Array | undefined;
  /** Number of columns seen in fit. */
  nFeaturesIn_: number | undefined;

  constructor(options?: Partial<TfidfTransformerParams>) {
    super(TFIDF_DEFAULTS, options);
  }

  get isFitted(): boolean {
    return this.nFeaturesIn_ !== undefined;
  }

  /** Learns the idf vector from a count matrix. Returns `this`. */
  fit(X: CsrMatrix | Matrix, _y?: unknown): this {
    checkTfidfParams(this.params, this.estimatorName);
    const csr = toCsr(X, this.estimatorName, 'fit');
    this.idf_ = this.params.useIdf ? computeIdf(csr, this.params.smoothIdf) : undefined;
    this.nFeaturesIn_ = csr.cols;
    return this;
  }

  /** The tf-idf matrix of a count matrix with the learned idf (a new matrix; the input is untouched). */
  transform(X: CsrMatrix | Matrix): CsrMatrix {
    this.requireFitted('transform');
    const csr = toCsr(X, this.estimatorName, 'transform');
    if (this.params.useIdf && !this.idf_) {
      throw new MlshipError('NOT_FITTED', `${this.estimatorName}: useIdf is true but no idf was learned (it was fitted with useIdf: false); call fit() again`, { field: 'useIdf' });
    }
    if (csr.cols !== this.nFeaturesIn_) {
      throw new MlshipError('SHAPE_MISMATCH', `${this.estimatorName}.transform: X has ${csr.cols} features, but the transformer was fitted with ${this.nFeaturesIn_}`, { value: csr.cols });
    }
    const data = csr.data.slice(0, csr.nnz);
    applyTfidf(data, csr.indices, csr.indptr, this.params.useIdf ? this.idf_! : null, this.params);
    return new CsrMatrix(csr.rows, csr.cols, data, csr.indices.slice(0, csr.nnz), csr.indptr.slice());
  }

  /** Fit, then transform. */
  fitTransform(X: CsrMatrix | Matrix, y?: unknown): CsrMatrix {
    return this.fit(X, y).transform(X);
  }

  /** Output names: `inputFeatures` if given, else `x0, x1, ...` (scikit-learn's one-to-one naming). */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    this.requireFitted('getFeatureNamesOut');
    if (inputFeatures) {
      if (inputFeatures.length !== this.nFeaturesIn_) {
        throw new MlshipError('SHAPE_MISMATCH', `inputFeatures has ${inputFeatures.length} names, expected ${this.nFeaturesIn_}`);
      }
      return [...inputFeatures];
    }
    return Array.from({ length: this.nFeaturesIn_! }, (_, i) => `x${i}`);
  }

  protected getState(): EstimatorState {
    return { nFeaturesIn: this.nFeaturesIn_!, idf: this.idf_ ?? null };
  }

  protected setState(state: EstimatorState): void {
    if (typeof state.nFeaturesIn !== 'number') throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName} state: 'nFeaturesIn' is missing`);
    if (state.idf !== null && !(state.idf instanceof Float64Array && state.idf.length === state.nFeaturesIn)) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName} state: 'idf' must be a Float64Array of length ${state.nFeaturesIn}`);
    }
    this.nFeaturesIn_ = state.nFeaturesIn;
    this.idf_ = state.idf ?? undefined;
  }
}

/** Validates X as scikit-learn's `_validate_data` does (no NaN or infinity, at least one row) and returns it as CSR. */
function toCsr(X: unknown, owner: string, method: string): CsrMatrix {
  if (!(X instanceof CsrMatrix) && !(X instanceof Matrix) && !Array.isArray(X)) {
    throw new MlshipError('INVALID_ARGUMENT', `${owner}.${method} expects a CsrMatrix or Matrix of counts (e.g. from CountVectorizer), got ${X === null ? 'null' : typeof X}`, { field: 'X' });
  }
  const m = checkMatrix(X as MatrixInput, `${owner}.${method}`);
  return m instanceof CsrMatrix ? m : CsrMatrix.fromDense(m);
}

/** Parameters of {@link TfidfVectorizer}: CountVectorizer's plus TfidfTransformer's. */
export interface TfidfVectorizerParams extends CountVectorizerParams, TfidfTransformerParams {}

/**
 * CountVectorizer followed by TfidfTransformer, exactly as scikit-learn's `TfidfVectorizer`, with
 * the counting and weighting fused over the same typed arrays.
 *
 * @example
 * ```ts
 * const tfidf = new TfidfVectorizer({ ngramRange: [1, 2], minDf: 2, sublinearTf: true });
 * const X = tfidf.fitTransform(trainTexts);
 * const Xtest = tfidf.transform(testTexts);
 * tfidf.idf_!.length === tfidf.vocabulary_!.size; // true
 * ```
 */
export class TfidfVectorizer extends CountVectorizer<TfidfVectorizerParams> {
  static override readonly estimatorName: string = 'TfidfVectorizer';
  static override readonly paramDefaults: object = { ...CountVectorizer.paramDefaults, ...TFIDF_DEFAULTS };

  /** Inverse document frequencies, one per vocabulary term (only when `useIdf`). */
  idf_: Float64Array | undefined;

  constructor(options?: Partial<TfidfVectorizerParams>) {
    super(options);
  }

  override fit(docs: readonly string[], y?: unknown): this {
    this.fitTransform(docs, y);
    return this;
  }

  override fitTransform(docs: readonly string[], _y?: unknown): CsrMatrix {
    checkTfidfParams(this.params, this.estimatorName);
    const X = this.fitCounts(docs);
    this.idf_ = this.params.useIdf ? computeIdf(X, this.params.smoothIdf) : undefined;
    applyTfidf(X.data, X.indices, X.indptr, this.idf_ ?? null, this.params);
    return X;
  }

  override transform(docs: readonly string[]): CsrMatrix {
    this.requireFitted('transform');
    if (this.params.useIdf && !this.idf_) {
      throw new MlshipError('NOT_FITTED', `${this.estimatorName}: useIdf is true but no idf was learned (it was fitted with useIdf: false); call fit() again`, { field: 'useIdf' });
    }
    const X = this.transformCounts(docs);
    applyTfidf(X.data, X.indices, X.indptr, this.params.useIdf ? this.idf_! : null, this.params);
    return X;
  }

  /** The weighting `transform` applies (the same reading of the parameters as {@link applyTfidf}). */
  protected override docWeights(): DocWeights | null {
    const p = this.params;
    if (p.useIdf && !this.idf_) return null;
    return { sublinearTf: !!p.sublinearTf, idf: p.useIdf ? this.idf_! : null, norm: p.norm === 'l2' || p.norm === 'l1' ? p.norm : null };
  }

  protected override getState(): EstimatorState {
    return { ...super.getState(), idf: this.idf_ ?? null };
  }

  protected override setState(state: EstimatorState): void {
    super.setState(state);
    const idf = state.idf;
    if (idf !== null && idf !== undefined && !(idf instanceof Float64Array && idf.length === this.vocabulary_!.size)) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName} state: 'idf' must be a Float64Array with one value per vocabulary term (${this.vocabulary_!.size})`);
    }
    this.idf_ = idf instanceof Float64Array ? idf : undefined;
  }
}

registerEstimator(TfidfTransformer);
registerEstimator(TfidfVectorizer);

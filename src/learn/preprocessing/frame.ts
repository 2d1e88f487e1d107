/**
 * Column-wise access to the inputs of the preprocessing transformers: a Matrix, rows of values or
 * a Table become a list of features, each either numeric (a Float64Array, missing as NaN) or text
 * (strings, missing as null). Also the shared base class of the transformers (feature-name and
 * feature-count bookkeeping as scikit-learn's `_check_n_features` / `_check_feature_names`).
 */
import { CategoryColumn, CsrMatrix, Matrix, MlshipError, NumericColumn, StringColumn, Table, isNumericKind, type Column, type ColumnKind } from '../../core/index.js';
import { BaseEstimator, type EstimatorState, type EstimatorType } from '../base.js';

/** Where a feature came from: a Table column kind, or `'matrix'` for Matrix / array input. */
export type FeatureKind = ColumnKind | 'matrix';

/** A numeric feature: values with NaN for missing. */
export interface NumericFeature {
  type: 'numeric';
  kind: FeatureKind;
  values: Float64Array;
}

/** A text feature (string or category column, or array input with strings): null for missing. */
export interface TextFeature {
  type: 'text';
  kind: 'string' | 'category' | 'matrix';
  values: (string | null)[];
}

/** One input feature. */
export type Feature = NumericFeature | TextFeature;

/** An input seen column by column. */
export interface Frame {
  rows: number;
  features: Feature[];
  /** The column names when X is a Table. */
  names: string[] | undefined;
  /** True when X was a Table: columnar memory, as a pandas DataFrame (NumPy then sums columns pairwise). */
  columnar: boolean;
}

/** Anything the preprocessing transformers accept: a Matrix, a Table, or rows of numbers/strings/null. */
export type FrameInput = Matrix | Table | ArrayLike<number | string | null>[];

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `${typeof v} ${String(v)}`;
}

/** The feature of a Table column. */
export function columnFeature(c: Column): Feature {
  if (c instanceof NumericColumn) return { type: 'numeric', kind: c.kind, values: c.values };
  if (c instanceof StringColumn) {
    const out = new Array<string | null>(c.length);
    for (let i = 0; i < c.length; i++) out[i] = c.isNull(i) ? null : c.values[i]!;
    return { type: 'text', kind: 'string', values: out };
  }
  const cat = c as CategoryColumn;
  const out = new Array<string | null>(cat.length);
  for (let i = 0; i < cat.length; i++) {
    const k = cat.codes[i]!;
    out[i] = k < 0 ? null : cat.categories[k]!;
  }
  return { type: 'text', kind: 'category', values: out };
}

/**
 * Reads X column by column. `who` names the caller in errors (e.g. `'OneHotEncoder.fit'`).
 * A CsrMatrix is an INVALID_ARGUMENT error (callers that accept sparse input handle it first).
 */
export function readFrame(X: unknown, who: string): Frame {
  if (X instanceof Table) {
    return { rows: X.numRows, features: X.columns.map(columnFeature), names: X.columnNames, columnar: true };
  }
  if (X instanceof Matrix) {
    const features: Feature[] = [];
    for (let j = 0; j < X.cols; j++) features.push({ type: 'numeric', kind: 'matrix', values: X.col(j) });
    return { rows: X.rows, features, names: undefined, columnar: false };
  }
  if (X instanceof CsrMatrix) {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: X is a sparse CsrMatrix, which this transformer does not accept; pass a dense Matrix (csr.toDense()) or a Table`, { field: 'X' });
  }
  if (Array.isArray(X)) {
    const n = X.length;
    for (let i = 0; i < n; i++) {
      const row = X[i];
      if (!row || typeof row !== 'object' || typeof (row as ArrayLike<unknown>).length !== 'number') {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: X[${i}] is ${describe(row)}, not a row; pass X as rows of values, a Matrix or a Table`, { field: 'X', line: i });
      }
    }
    const d = n === 0 ? 0 : (X[0] as ArrayLike<unknown>).length;
    const features: Feature[] = [];
    for (let j = 0; j < d; j++) {
      let text = false;
      for (let i = 0; i < n; i++) if (typeof (X[i] as ArrayLike<unknown>)[j] === 'string') text = true;
      if (text) features.push({ type: 'text', kind: 'matrix', values: new Array<string | null>(n) });
      else features.push({ type: 'numeric', kind: 'matrix', values: new Float64Array(n) });
    }
    for (let i = 0; i < n; i++) {
      const row = X[i] as ArrayLike<unknown>;
      if (row.length !== d) throw new MlshipError('SHAPE_MISMATCH', `${who}: X[${i}] has ${row.length} values, expected ${d} like X[0]`, { field: 'X', line: i });
      for (let j = 0; j < d; j++) {
        const v = row[j];
        const f = features[j]!;
        if (f.type === 'text') {
          if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) f.values[i] = null;
          else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') f.values[i] = String(v);
          else throw new MlshipError('INVALID_ARGUMENT', `${who}: X[${i}][${j}] is ${describe(v)}; values must be numbers, strings or null`, { field: 'X', line: i, column: j });
        } else if (v === null || v === undefined) f.values[i] = Number.NaN;
        else if (typeof v === 'number' || typeof v === 'boolean') f.values[i] = Number(v);
        else throw new MlshipError('INVALID_ARGUMENT', `${who}: X[${i}][${j}] is ${describe(v)}; values must be numbers, strings or null`, { field: 'X', line: i, column: j });
      }
    }
    return { rows: n, features, names: undefined, columnar: false };
  }
  throw new MlshipError('INVALID_ARGUMENT', `${who}: X must be a Matrix, a Table or an array of rows, got ${describe(X)}`, { field: 'X' });
}

/** Throws unless X has at least one row and one column (scikit-learn's `ensure_min_samples`). */
export function requireNonEmpty(f: Frame, who: string): void {
  if (f.rows === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X is empty (0 rows, ${f.features.length} columns); at least 1 sample is required`, { field: 'X', value: [0, f.features.length] });
  if (f.features.length === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X has 0 features (${f.rows} rows); at least 1 feature is required`, { field: 'X', value: [f.rows, 0] });
}

/** The name of feature j in errors: `column 'name'` or `column j`. */
export function featureLabel(f: Frame, j: number): string {
  return f.names ? `column '${f.names[j]}'` : `column ${j}`;
}

/** Throws on ±Infinity in numeric features (NaN is a missing value and allowed). */
export function rejectInfinite(f: Frame, who: string): void {
  f.features.forEach((feat, j) => {
    if (feat.type !== 'numeric') return;
    const v = feat.values;
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x === Infinity || x === -Infinity) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: X contains infinity at row ${i}, ${featureLabel(f, j)}; replace infinite values before fitting or transforming`, { field: 'X', line: i, column: j, value: x });
      }
    }
  });
}

/** Throws unless every feature is numeric, naming the first text column. */
export function requireNumeric(f: Frame, who: string, hint: string): NumericFeature[] {
  f.features.forEach((feat, j) => {
    if (feat.type !== 'numeric') {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: ${featureLabel(f, j)} is a ${feat.kind === 'matrix' ? 'string' : feat.kind} column, not numeric; ${hint}`, {
        field: f.names ? f.names[j]! : 'X',
        column: j,
        value: feat.kind,
      });
    }
  });
  return f.features as NumericFeature[];
}

/** A Matrix of numeric features (row-major). */
export function featuresToMatrix(cols: readonly Float64Array[], rows: number): Matrix {
  const d = cols.length;
  const m = new Matrix(rows, d);
  for (let j = 0; j < d; j++) {
    const c = cols[j]!;
    for (let i = 0; i < rows; i++) m.data[i * d + j] = c[i]!;
  }
  return m;
}

/**
 * Sums a column ignoring NaN, in the order NumPy's `np.nansum(X, axis=0)` uses for the input's
 * memory layout: sequential for a row-major matrix, pairwise for a columnar Table (as pandas).
 */
export function columnSum(v: Float64Array, columnar: boolean): number {
  const n = v.length;
  if (!columnar) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i]!;
      if (x === x) s += x;
    }
    return s;
  }
  let hasNaN = false;
  for (let i = 0; i < n; i++) if (v[i] !== v[i]) hasNaN = true;
  const a = hasNaN ? v.map((x) => (x === x ? x : 0)) : v;
  return pairwise(a, 0, n);
}

function pairwise(a: Float64Array, start: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = a.slice(start, start + 8);
    const end8 = n - (n % 8);
    let i = 8;
    for (; i < end8; i += 8) for (let k = 0; k < 8; k++) r[k] = r[k]! + a[start + i + k]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, start, n2) + pairwise(a, start + n2, n - n2);
}

/** True when a Table column kind is numeric. */
export function isNumericFeatureKind(kind: FeatureKind): boolean {
  return kind === 'matrix' || isNumericKind(kind);
}

/**
 * The shared base of the preprocessing transformers: `nFeaturesIn_`, `featureNamesIn_` (when
 * fitted on a Table), the checks at transform time, `fitTransform` and `getFeatureNamesOut`
 * plumbing.
 */
export abstract class PreprocessorBase<P extends object> extends BaseEstimator<P> {
  readonly estimatorType: EstimatorType = 'transformer';
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Column names seen in fit, when X was a Table. */
  featureNamesIn_: string[] | undefined;

  get isFitted(): boolean {
    return this.nFeaturesIn_ !== undefined;
  }

  /** Records the feature count and names of the training input. */
  protected recordInput(f: Frame): void {
    this.nFeaturesIn_ = f.features.length;
    this.featureNamesIn_ = f.names ? [...f.names] : undefined;
  }

  /** Checks X at transform: same feature count and, for Tables on both sides, the same names. */
  protected checkInput(f: Frame, who: string): void {
    const n = this.nFeaturesIn_!;
    if (f.features.length !== n) {
      throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${f.features.length} features, but ${this.estimatorName} was fitted with ${n} features; pass the same columns as in fit`, {
        field: 'X',
        value: f.features.length,
        expected: n,
      });
    }
    const fitNames = this.featureNamesIn_;
    if (fitNames && f.names) {
      for (let j = 0; j < n; j++) {
        if (fitNames[j] !== f.names[j]) {
          throw new MlshipError('SCHEMA_MISMATCH', `${who}: the feature names differ from those seen in fit: column ${j} is '${f.names[j]}', expected '${fitNames[j]}'; pass the columns ${JSON.stringify(fitNames)} in that order`, {
            field: 'X',
            value: f.names,
            expected: fitNames,
          });
        }
      }
    }
  }

  /**
   * The input feature names (scikit-learn's `_check_feature_names_in`): `inputFeatures` if given
   * (checked against the fitted names and count), else `featureNamesIn_`, else `x0, x1, ...`.
   */
  protected inputFeatureNames(inputFeatures?: readonly string[]): string[] {
    this.requireFitted('getFeatureNamesOut');
    const n = this.nFeaturesIn_!;
    if (inputFeatures) {
      if (inputFeatures.length !== n) {
        throw new MlshipError('SHAPE_MISMATCH', `${this.estimatorName}.getFeatureNamesOut: inputFeatures has ${inputFeatures.length} names, but the transformer was fitted with ${n} features`, { field: 'inputFeatures' });
      }
      if (this.featureNamesIn_ && inputFeatures.some((x, j) => x !== this.featureNamesIn_![j])) {
        throw new MlshipError('INVALID_ARGUMENT', `${this.estimatorName}.getFeatureNamesOut: inputFeatures ${JSON.stringify(inputFeatures)} differ from featureNamesIn_ ${JSON.stringify(this.featureNamesIn_)}`, { field: 'inputFeatures' });
      }
      return [...inputFeatures];
    }
    return this.featureNamesIn_ ? [...this.featureNamesIn_] : Array.from({ length: n }, (_, j) => `x${j}`);
  }

  /** The names of the output features. */
  abstract getFeatureNamesOut(inputFeatures?: readonly string[]): string[];

  abstract fit(X: unknown, y?: unknown): this;
  abstract transform(X: unknown): unknown;

  /** `fit(X).transform(X)`. */
  fitTransform(X: unknown, y?: unknown): any {
    return this.fit(X, y).transform(X);
  }

  protected baseState(): EstimatorState {
    return { nFeaturesIn: this.nFeaturesIn_!, featureNamesIn: this.featureNamesIn_ ?? null };
  }

  protected setBaseState(state: EstimatorState): void {
    this.nFeaturesIn_ = state.nFeaturesIn as number;
    this.featureNamesIn_ = state.featureNamesIn ? [...(state.featureNamesIn as string[])] : undefined;
  }
}

/** Python's `str(float)`: `1.0`, `0.5`, `1e-05`, `nan`; integers of integer columns stay `1`. */
export function pyNumberString(v: number, kind: FeatureKind): string {
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (kind === 'integer' || kind === 'boolean') return kind === 'boolean' ? (v ? 'True' : 'False') : String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  const s = String(v);
  return s.replace(/e([+-])(\d)$/, 'e$10$2').replace('e+', 'e+');
}

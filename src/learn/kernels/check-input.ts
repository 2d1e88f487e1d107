/**
 * Input checks shared by the estimators, as scikit-learn's `check_array` / `check_X_y`: X becomes a
 * dense `Matrix` or a `CsrMatrix` with finite values, at least one row and one column; y becomes a
 * list of labels of the same length. Failures are INVALID_ARGUMENT / SHAPE_MISMATCH errors that
 * name the estimator, the argument, and the row and column at fault.
 */
import { CsrMatrix, Matrix, MlshipError, Table, type AnyMatrix, type Label } from '../../core/index.js';

/**
 * What estimators accept as X: a CSR matrix, a dense matrix, a Table of numeric columns (missing
 * values as NaN), or an array of equal-length rows.
 */
export type MatrixInput = CsrMatrix | Matrix | Table | ArrayLike<number>[];

/** Options of {@link checkMatrix}. */
export interface CheckMatrixOptions {
  /** Accept NaN (missing values), for estimators that handle them (imputers, scalers, HistGradientBoosting). Infinity is still an error. @default false */
  allowNaN?: boolean;
}

/**
 * Validates X and returns it as a `Matrix` or `CsrMatrix` (arrays of rows are copied into a
 * Matrix; matrices are used as they are). `who` is e.g. `'MultinomialNB.fit'`.
 *
 * @example
 * ```ts
 * const X = checkMatrix([[1, 0], [0, 2]], 'MultinomialNB.fit'); // Matrix 2 x 2
 * ```
 */
export function checkMatrix(X: MatrixInput, who: string, options: CheckMatrixOptions = {}): AnyMatrix {
  const allowNaN = options.allowNaN === true;
  let m: AnyMatrix;
  if (X instanceof CsrMatrix || X instanceof Matrix) m = X;
  else if (X instanceof Table) {
    try {
      m = X.toMatrix();
    } catch (e) {
      if (e instanceof MlshipError) throw new MlshipError(e.code, `${who}: ${e.message}`, { ...e.details, field: 'X' });
      throw e;
    }
  }
  else if (Array.isArray(X)) {
    for (let i = 0; i < X.length; i++) {
      const row = X[i];
      if (!row || typeof row !== 'object' || typeof (row as ArrayLike<number>).length !== 'number') {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: X[${i}] is not an array of numbers; pass X as rows of numbers, a Matrix or a CsrMatrix`, { field: 'X', line: i });
      }
    }
    m = Matrix.fromRows(X);
  } else {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: X must be a Matrix, a CsrMatrix, a Table or an array of rows, got ${describe(X)}`, { field: 'X' });
  }
  if (m.rows === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: X is empty (0 rows, shape ${m.rows} x ${m.cols}); at least 1 sample is required`, { field: 'X', value: [m.rows, m.cols] });
  }
  if (m.cols === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: X has 0 features (shape ${m.rows} x 0); at least 1 feature is required`, { field: 'X', value: [m.rows, m.cols] });
  }
  if (m instanceof CsrMatrix) {
    const { indptr, indices, data, cols } = m;
    if (indptr[0] !== 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X (CSR) indptr[0] must be 0, got ${indptr[0]}`, { field: 'X' });
    for (let i = 0; i < m.rows; i++) {
      const s = indptr[i]!;
      const e = indptr[i + 1]!;
      if (e < s || e > data.length) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: X (CSR) indptr is not a valid non-decreasing offset list at row ${i} (${s} .. ${e}, nnz ${data.length})`, { field: 'X', line: i });
      }
      for (let p = s; p < e; p++) {
        const j = indices[p]!;
        if (!(j >= 0 && j < cols)) {
          throw new MlshipError('INVALID_ARGUMENT', `${who}: X (CSR) row ${i} has column index ${j} outside 0..${cols - 1}`, { field: 'X', line: i, value: j });
        }
        const v = data[p]!;
        if (!Number.isFinite(v) && !(allowNaN && Number.isNaN(v))) throw nonFinite(who, v, i, j);
      }
    }
  } else {
    const { data, cols } = m;
    for (let k = 0; k < data.length; k++) {
      const v = data[k]!;
      if (!Number.isFinite(v) && !(allowNaN && Number.isNaN(v))) throw nonFinite(who, v, Math.floor(k / cols), k % cols);
    }
  }
  return m;
}

/**
 * The column names of X when it is a Table (scikit-learn's `feature_names_in_` from a DataFrame),
 * else undefined. Estimators store them at fit and check them at predict.
 *
 * @example
 * ```ts
 * featureNamesOf(Table.fromArrays({ rm: [6.5], lstat: [4.98] })); // ['rm', 'lstat']
 * ```
 */
export function featureNamesOf(X: unknown): string[] | undefined {
  return X instanceof Table ? X.columnNames : undefined;
}

function nonFinite(who: string, v: number, i: number, j: number): MlshipError {
  const what = Number.isNaN(v) ? 'NaN' : 'infinity';
  return new MlshipError('INVALID_ARGUMENT', `${who}: X contains ${what} at row ${i}, column ${j}; remove or impute missing and infinite values before fitting or predicting`, {
    field: 'X',
    line: i,
    column: j,
    value: v,
  });
}

/**
 * Checks that X has the number of features the estimator was fitted with (SHAPE_MISMATCH naming both).
 *
 * @example
 * ```ts
 * checkFeatureCount(X, this.nFeaturesIn_!, 'MultinomialNB.predict');
 * ```
 */
export function checkFeatureCount(X: AnyMatrix, expected: number, who: string): void {
  if (X.cols !== expected) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${X.cols} features, but the estimator was fitted with ${expected} features; transform X the same way as the training data`, {
      field: 'X',
      value: X.cols,
      expected,
    });
  }
}

/**
 * Validates labels: one per row of X, each a string or a finite number. Returns them as an array.
 *
 * @example
 * ```ts
 * const labels = checkLabels(['spam', 'ham'], 2, 'MultinomialNB.fit');
 * ```
 */
export function checkLabels(y: ArrayLike<Label>, nRows: number, who: string): Label[] {
  if (!y || typeof (y as ArrayLike<Label>).length !== 'number') {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: y must be an array of labels (strings or numbers), got ${describe(y)}`, { field: 'y' });
  }
  if (y.length !== nRows) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: X and y have inconsistent numbers of samples: [${nRows}, ${y.length}]; pass one label per row of X`, {
      field: 'y',
      value: y.length,
      expected: nRows,
    });
  }
  const out = new Array<Label>(y.length);
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!(typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: y[${i}] is ${describe(v)}; labels must be strings or finite numbers`, { field: 'y', line: i, value: v });
    }
    out[i] = v;
  }
  return out;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `${typeof v} ${String(v)}`;
}

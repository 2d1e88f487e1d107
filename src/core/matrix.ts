import { MlshipError } from './errors.js';

/**
 * A dense row-major matrix of float64 values. `data[i * cols + j]` is row i, column j.
 *
 * @example
 * ```ts
 * const m = Matrix.fromRows([[1, 2], [3, 4]]);
 * m.get(1, 0); // 3
 * ```
 */
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(cols) || cols < 0) {
      throw new MlshipError('INVALID_ARGUMENT', `Matrix shape must be non-negative integers, got ${rows} x ${cols}`);
    }
    if (data && data.length !== rows * cols) {
      throw new MlshipError('SHAPE_MISMATCH', `Matrix data has ${data.length} values, expected ${rows} x ${cols} = ${rows * cols}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  /** Builds a matrix from an array of equal-length rows. */
  static fromRows(rows: ArrayLike<number>[]): Matrix {
    const n = rows.length;
    const d = n === 0 ? 0 : rows[0]!.length;
    const m = new Matrix(n, d);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      if (r.length !== d) {
        throw new MlshipError('SHAPE_MISMATCH', `row ${i} has ${r.length} values, expected ${d} like row 0`, { line: i });
      }
      for (let j = 0; j < d; j++) m.data[i * d + j] = r[j]!;
    }
    return m;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j]!;
  }

  set(i: number, j: number, v: number): void {
    this.data[i * this.cols + j] = v;
  }

  /** A view (no copy) of row i. */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** A copy of column j. */
  col(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j]!;
    return out;
  }

  /** Copies the given rows into a new matrix. */
  takeRows(indices: ArrayLike<number>): Matrix {
    const out = new Matrix(indices.length, this.cols);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k]!;
      out.data.set(this.data.subarray(i * this.cols, (i + 1) * this.cols), k * this.cols);
    }
    return out;
  }

  toArray(): number[][] {
    const out: number[][] = [];
    for (let i = 0; i < this.rows; i++) out.push(Array.from(this.row(i)));
    return out;
  }

  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }
}

/**
 * A compressed sparse row (CSR) matrix on typed arrays, laid out as scipy.sparse.csr_matrix:
 * row i's column indices are `indices[indptr[i] .. indptr[i+1])`, sorted ascending, with
 * values in `data` at the same positions.
 *
 * @example
 * ```ts
 * const x = CsrMatrix.fromDense(Matrix.fromRows([[0, 2], [3, 0]]));
 * x.nnz; // 2
 * ```
 */
export class CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
  readonly indices: Int32Array;
  readonly indptr: Int32Array;

  constructor(rows: number, cols: number, data: Float64Array, indices: Int32Array, indptr: Int32Array) {
    if (indptr.length !== rows + 1) {
      throw new MlshipError('SHAPE_MISMATCH', `CSR indptr has length ${indptr.length}, expected rows + 1 = ${rows + 1}`);
    }
    if (data.length !== indices.length) {
      throw new MlshipError('SHAPE_MISMATCH', `CSR data (${data.length}) and indices (${indices.length}) differ in length`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data;
    this.indices = indices;
    this.indptr = indptr;
  }

  get shape(): [number, number] {
    return [this.rows, this.cols];
  }

  /** Number of stored values. */
  get nnz(): number {
    return this.indptr[this.rows]!;
  }

  static empty(rows: number, cols: number): CsrMatrix {
    return new CsrMatrix(rows, cols, new Float64Array(0), new Int32Array(0), new Int32Array(rows + 1));
  }

  static fromDense(m: Matrix): CsrMatrix {
    let nnz = 0;
    for (let k = 0; k < m.data.length; k++) if (m.data[k] !== 0) nnz++;
    const data = new Float64Array(nnz);
    const indices = new Int32Array(nnz);
    const indptr = new Int32Array(m.rows + 1);
    let p = 0;
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        const v = m.data[i * m.cols + j]!;
        if (v !== 0) {
          data[p] = v;
          indices[p] = j;
          p++;
        }
      }
      indptr[i + 1] = p;
    }
    return new CsrMatrix(m.rows, m.cols, data, indices, indptr);
  }

  toDense(): Matrix {
    const m = new Matrix(this.rows, this.cols);
    for (let i = 0; i < this.rows; i++) {
      for (let p = this.indptr[i]!; p < this.indptr[i + 1]!; p++) {
        const k = i * this.cols + this.indices[p]!;
        m.data[k] = m.data[k]! + this.data[p]!;
      }
    }
    return m;
  }

  get(i: number, j: number): number {
    const end = this.indptr[i + 1]!;
    let lo = this.indptr[i]!;
    let hi = end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.indices[mid]!;
      if (c === j) return this.data[mid]!;
      if (c < j) lo = mid + 1;
      else hi = mid;
    }
    return 0;
  }

  /** Copies the given rows into a new CSR matrix. */
  takeRows(rowIdx: ArrayLike<number>): CsrMatrix {
    let nnz = 0;
    for (let k = 0; k < rowIdx.length; k++) {
      const i = rowIdx[k]!;
      nnz += this.indptr[i + 1]! - this.indptr[i]!;
    }
    const data = new Float64Array(nnz);
    const indices = new Int32Array(nnz);
    const indptr = new Int32Array(rowIdx.length + 1);
    let p = 0;
    for (let k = 0; k < rowIdx.length; k++) {
      const i = rowIdx[k]!;
      const s = this.indptr[i]!;
      const e = this.indptr[i + 1]!;
      data.set(this.data.subarray(s, e), p);
      indices.set(this.indices.subarray(s, e), p);
      p += e - s;
      indptr[k + 1] = p;
    }
    return new CsrMatrix(rowIdx.length, this.cols, data, indices, indptr);
  }

  clone(): CsrMatrix {
    return new CsrMatrix(this.rows, this.cols, this.data.slice(), this.indices.slice(), this.indptr.slice());
  }
}

/** Either matrix kind. */
export type AnyMatrix = Matrix | CsrMatrix;

/** Number of rows of a matrix, a table (anything with `numRows`) or an array. */
export function numRows(x: AnyMatrix | { readonly numRows: number } | ArrayLike<unknown>): number {
  if (x instanceof Matrix || x instanceof CsrMatrix) return x.rows;
  return 'numRows' in x ? x.numRows : x.length;
}

/**
 * Takes rows of a matrix or a table (anything with a `takeRows` method) or elements of an array by
 * index; the one way folds and splits subset X.
 */
export function takeRows<T>(x: T, idx: ArrayLike<number>): T {
  if (x && typeof (x as { takeRows?: unknown }).takeRows === 'function') return (x as unknown as { takeRows(i: ArrayLike<number>): T }).takeRows(idx);
  if (Array.isArray(x)) {
    const out = new Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = x[idx[k]!];
    return out as T;
  }
  if (ArrayBuffer.isView(x)) {
    const src = x as unknown as Float64Array;
    const out = new (src.constructor as Float64ArrayConstructor)(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = src[idx[k]!]!;
    return out as T;
  }
  throw new MlshipError('INVALID_ARGUMENT', 'takeRows expects a Matrix, CsrMatrix, Table, array or typed array');
}

import { CsrMatrix, type AnyMatrix, type Matrix } from '../../core/index.js';
/**
 * Sparse (CSR) and dense matrix-vector kernels over flat typed arrays. Pure functions: they write
 * into the `out` buffer they are given and allocate nothing, so solvers can call them once per
 * iteration. Summation orders follow scipy's `csr_matvec` / `csc_matvec(s)` so that results match
 * scikit-learn's to the last bits where the inputs are the same.
 */

/**
 * `out[i] = sum_p data[p] * x[indices[p]] (+ bias)` over the stored values of row i, for a CSR
 * matrix with `rows` rows. `out` has length `rows`.
 *
 * @example
 * ```ts
 * // [[1, 0], [0, 2]] @ [3, 4] = [3, 8]
 * csrMatVec(Int32Array.of(0, 1, 2), Int32Array.of(0, 1), Float64Array.of(1, 2), 2, Float64Array.of(3, 4), 0, out);
 * ```
 */
export function csrMatVec(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  rows: number,
  x: Float64Array,
  bias: number,
  out: Float64Array,
): void {
  let p = indptr[0]!;
  for (let i = 0; i < rows; i++) {
    const end = indptr[i + 1]!;
    let s = 0;
    for (; p < end; p++) s += data[p]! * x[indices[p]!]!;
    out[i] = s + bias;
  }
}

/**
 * Transposed product accumulated into `out`: `out[indices[p]] += data[p] * v[i]` for every stored
 * value of every row i (`out += X^T v`). `out` has one entry per column and is not cleared.
 *
 * @example
 * ```ts
 * const g = new Float64Array(nCols);
 * csrTMatVecAdd(x.indptr, x.indices, x.data, x.rows, v, g);
 * ```
 */
export function csrTMatVecAdd(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  rows: number,
  v: Float64Array,
  out: Float64Array,
): void {
  let p = indptr[0]!;
  for (let i = 0; i < rows; i++) {
    const end = indptr[i + 1]!;
    const vi = v[i]!;
    if (vi === 0) {
      p = end;
      continue;
    }
    for (; p < end; p++) {
      const j = indices[p]!;
      out[j] = out[j]! + data[p]! * vi;
    }
  }
}

/**
 * Product with a feature-major weight block: `out[i*k + c] = sum_p data[p] * w[indices[p]*k + c]
 * (+ bias[c])`, i.e. `X @ W^T + b` where class c's weight of feature j sits at `w[j*k + c]`
 * (scikit-learn's ravelled `order="F"` layout). `out` has `rows * k` entries.
 *
 * @example
 * ```ts
 * csrMatMulFeatureMajor(x.indptr, x.indices, x.data, x.rows, w, 3, null, raw);
 * ```
 */
export function csrMatMulFeatureMajor(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  rows: number,
  w: Float64Array,
  k: number,
  bias: Float64Array | null,
  out: Float64Array,
): void {
  out.fill(0, 0, rows * k);
  let p = indptr[0]!;
  for (let i = 0; i < rows; i++) {
    const end = indptr[i + 1]!;
    const o = i * k;
    for (; p < end; p++) {
      const a = data[p]!;
      const base = indices[p]! * k;
      for (let c = 0; c < k; c++) out[o + c] = out[o + c]! + a * w[base + c]!;
    }
    if (bias) for (let c = 0; c < k; c++) out[o + c] = out[o + c]! + bias[c]!;
  }
}

/**
 * Transposed block product accumulated into a feature-major `out`: `out[j*k + c] += x_ij * g[i*k + c]`
 * (`out += (G^T X)` stored feature-major). `out` is not cleared.
 *
 * @example
 * ```ts
 * csrTMatMulFeatureMajorAdd(x.indptr, x.indices, x.data, x.rows, gradPointwise, 3, grad);
 * ```
 */
export function csrTMatMulFeatureMajorAdd(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  rows: number,
  g: Float64Array,
  k: number,
  out: Float64Array,
): void {
  let p = indptr[0]!;
  for (let i = 0; i < rows; i++) {
    const end = indptr[i + 1]!;
    const o = i * k;
    for (; p < end; p++) {
      const a = data[p]!;
      const base = indices[p]! * k;
      for (let c = 0; c < k; c++) out[base + c] = out[base + c]! + a * g[o + c]!;
    }
  }
}

/**
 * Dense row-major `out[i] = sum_j x[i*cols + j] * w[j] (+ bias)`.
 *
 * @example
 * ```ts
 * denseMatVec(m.data, m.rows, m.cols, w, 0, out);
 * ```
 */
export function denseMatVec(x: Float64Array, rows: number, cols: number, w: Float64Array, bias: number, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let s = 0;
    for (let j = 0; j < cols; j++) s += x[o + j]! * w[j]!;
    out[i] = s + bias;
  }
}

/**
 * Dense row-major `out[j] += sum_i x[i*cols + j] * v[i]` (`out += X^T v`); `out` is not cleared.
 *
 * @example
 * ```ts
 * denseTMatVecAdd(m.data, m.rows, m.cols, v, grad);
 * ```
 */
export function denseTMatVecAdd(x: Float64Array, rows: number, cols: number, v: Float64Array, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    const o = i * cols;
    for (let j = 0; j < cols; j++) out[j] = out[j]! + x[o + j]! * vi;
  }
}

/**
 * Dense row-major `X @ W^T (+ b)` with a feature-major `w` (class c of feature j at `w[j*k + c]`).
 *
 * @example
 * ```ts
 * denseMatMulFeatureMajor(m.data, m.rows, m.cols, w, 3, bias, raw);
 * ```
 */
export function denseMatMulFeatureMajor(
  x: Float64Array,
  rows: number,
  cols: number,
  w: Float64Array,
  k: number,
  bias: Float64Array | null,
  out: Float64Array,
): void {
  out.fill(0, 0, rows * k);
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    const xo = i * cols;
    for (let j = 0; j < cols; j++) {
      const a = x[xo + j]!;
      if (a === 0) continue;
      const base = j * k;
      for (let c = 0; c < k; c++) out[o + c] = out[o + c]! + a * w[base + c]!;
    }
    if (bias) for (let c = 0; c < k; c++) out[o + c] = out[o + c]! + bias[c]!;
  }
}

/**
 * Dense row-major transposed block product into a feature-major `out` (`out[j*k + c] += x_ij g[i*k + c]`).
 *
 * @example
 * ```ts
 * denseTMatMulFeatureMajorAdd(m.data, m.rows, m.cols, g, 3, grad);
 * ```
 */
export function denseTMatMulFeatureMajorAdd(
  x: Float64Array,
  rows: number,
  cols: number,
  g: Float64Array,
  k: number,
  out: Float64Array,
): void {
  for (let i = 0; i < rows; i++) {
    const o = i * k;
    const xo = i * cols;
    for (let j = 0; j < cols; j++) {
      const a = x[xo + j]!;
      if (a === 0) continue;
      const base = j * k;
      for (let c = 0; c < k; c++) out[base + c] = out[base + c]! + a * g[o + c]!;
    }
  }
}

/** Column block width of the blocked CSR kernels: 131,072 float64 = 1 MB per class row (measured best of 8K..128K on a 850K-column tf-idf). */
const COL_BLOCK = 131072;

/**
 * `out[i*k + c] = sum_j X[i, j] * M[c, j]`, for a CSR X and a dense class-major `m` (`k` rows of
 * `cols` values, as Naive Bayes' `featureLogProb_`): the `X @ M^T` of scikit-learn's
 * `safe_sparse_dot(X, M.T)`. `out` is overwritten. Wide matrices are processed in column blocks
 * so that the random reads of `m` stay within a cache- and TLB-sized window; each sum still adds
 * its terms in column order, so the result does not depend on the blocking.
 *
 * @example
 * ```ts
 * csrMatMulClassMajor(x.indptr, x.indices, x.data, x.rows, flp.data, flp.rows, flp.cols, jll);
 * ```
 */
export function csrMatMulClassMajor(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  rows: number,
  m: Float64Array,
  k: number,
  cols: number,
  out: Float64Array,
): void {
  out.fill(0, 0, rows * k);
  const cursor = indptr.slice(0, rows);
  for (let b1 = Math.min(cols, COL_BLOCK); ; b1 = Math.min(cols, b1 + COL_BLOCK)) {
    for (let i = 0; i < rows; i++) {
      const s = cursor[i]!;
      const e = indptr[i + 1]!;
      let q = s;
      while (q < e && indices[q]! < b1) q++;
      if (q === s) continue;
      cursor[i] = q;
      for (let c = 0; c < k; c++) {
        const mo = c * cols;
        let acc = out[i * k + c]!;
        for (let p = s; p < q; p++) acc += data[p]! * m[mo + indices[p]!]!;
        out[i * k + c] = acc;
      }
    }
    if (b1 >= cols) break;
  }
}

/**
 * Per-class column sums accumulated into a class-major `out` (`k x cols`):
 * `out[codes[i]*cols + j] += X[i, j]` (Naive Bayes' `feature_count_ += Y^T X`). Rows are added in
 * order; wide matrices are processed in column blocks, as {@link csrMatMulClassMajor}.
 *
 * @example
 * ```ts
 * csrClassSumsAdd(x.indptr, x.indices, x.data, x.rows, codes, x.cols, featureCount.data);
 * ```
 */
export function csrClassSumsAdd(indptr: Int32Array, indices: Int32Array, data: Float64Array, rows: number, codes: Int32Array, cols: number, out: Float64Array): void {
  const cursor = indptr.slice(0, rows);
  for (let b1 = Math.min(cols, COL_BLOCK); ; b1 = Math.min(cols, b1 + COL_BLOCK)) {
    for (let i = 0; i < rows; i++) {
      const e = indptr[i + 1]!;
      const o = codes[i]! * cols;
      let q = cursor[i]!;
      for (; q < e; q++) {
        const j = indices[q]!;
        if (j >= b1) break;
        out[o + j] = out[o + j]! + data[q]!;
      }
      cursor[i] = q;
    }
    if (b1 >= cols) break;
  }
}

/**
 * Dense `out[i*k + c] = sum_j x[i*cols + j] * m[c*cols + j]` (row-major X times a class-major M^T).
 *
 * @example
 * ```ts
 * denseMatMulClassMajor(x.data, x.rows, x.cols, flp.data, flp.rows, jll);
 * ```
 */
export function denseMatMulClassMajor(x: Float64Array, rows: number, cols: number, m: Float64Array, k: number, out: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const xo = i * cols;
    for (let c = 0; c < k; c++) {
      const mo = c * cols;
      let acc = 0;
      for (let j = 0; j < cols; j++) acc += x[xo + j]! * m[mo + j]!;
      out[i * k + c] = acc;
    }
  }
}

/** A CSC (compressed sparse column) copy of a matrix: column j's rows are `rowIndices[colPtr[j] .. colPtr[j+1])`, ascending. */
export interface CscArrays {
  colPtr: Int32Array;
  rowIndices: Int32Array;
  data: Float64Array;
}

/**
 * Transposes CSR arrays into CSC arrays (a counting sort by column; rows stay ascending within a
 * column). Solvers build it once per fit: products with it stream the big arrays in order and
 * touch only the small per-sample vector at random, which is much kinder to caches and TLBs than
 * CSR products over a wide vocabulary. For every (row, column) pair the terms are added in the
 * same order as the CSR kernels, so results are bit-identical.
 *
 * @example
 * ```ts
 * const csc = csrToCsc(x.indptr, x.indices, x.data, x.rows, x.cols);
 * ```
 */
export function csrToCsc(indptr: Int32Array, indices: Int32Array, data: Float64Array, rows: number, cols: number): CscArrays {
  const start = indptr[0]!;
  const nnz = indptr[rows]! - start;
  const colPtr = new Int32Array(cols + 1);
  for (let p = start; p < start + nnz; p++) {
    const c = indices[p]! + 1;
    colPtr[c] = colPtr[c]! + 1;
  }
  for (let j = 0; j < cols; j++) colPtr[j + 1] = colPtr[j + 1]! + colPtr[j]!;
  const next = colPtr.slice(0, cols);
  const rowIndices = new Int32Array(nnz);
  const out = new Float64Array(nnz);
  for (let i = 0; i < rows; i++) {
    const end = indptr[i + 1]!;
    for (let p = indptr[i]!; p < end; p++) {
      const j = indices[p]!;
      const q = next[j]!;
      next[j] = q + 1;
      rowIndices[q] = i;
      out[q] = data[p]!;
    }
  }
  return { colPtr, rowIndices, data: out };
}

/**
 * `out = X @ w (+ bias)` from CSC arrays: `out[i] += data * w[j]` column by column (`out` has one
 * entry per row and is overwritten). Bit-identical to {@link csrMatVec} on the same matrix.
 *
 * @example
 * ```ts
 * cscMatVec(csc, x.rows, x.cols, w, bias, raw);
 * ```
 */
export function cscMatVec(csc: CscArrays, rows: number, cols: number, w: Float64Array, bias: number, out: Float64Array): void {
  const { colPtr, rowIndices, data } = csc;
  out.fill(0, 0, rows);
  let q = 0;
  for (let j = 0; j < cols; j++) {
    const end = colPtr[j + 1]!;
    const wj = w[j]!;
    if (wj === 0) {
      // Adding 0 * x leaves every partial sum unchanged (x is finite), so skipping keeps results identical.
      q = end;
      continue;
    }
    for (; q < end; q++) {
      const i = rowIndices[q]!;
      out[i] = out[i]! + data[q]! * wj;
    }
  }
  if (bias !== 0) for (let i = 0; i < rows; i++) out[i] = out[i]! + bias;
}

/**
 * `out[j] = sum_i X[i, j] * v[i] + l2 * w[j]` (the gradient `X^T v + l2 w`) from CSC arrays, and
 * returns `||w||^2` over the same columns. Pass `l2 = 0` for a plain transposed product.
 *
 * @example
 * ```ts
 * const norm2 = cscTMatVecL2(csc, x.cols, pointwiseGrad, w, 1 / C, grad);
 * ```
 */
export function cscTMatVecL2(csc: CscArrays, cols: number, v: Float64Array, w: Float64Array, l2: number, out: Float64Array): number {
  const { colPtr, rowIndices, data } = csc;
  let norm2 = 0;
  let q = 0;
  for (let j = 0; j < cols; j++) {
    const end = colPtr[j + 1]!;
    let s = 0;
    for (; q < end; q++) s += data[q]! * v[rowIndices[q]!]!;
    const wj = w[j]!;
    norm2 += wj * wj;
    out[j] = s + l2 * wj;
  }
  return norm2;
}

/**
 * Block version of {@link cscMatVec} with a feature-major `w` (class c of feature j at `w[j*k + c]`):
 * `out[i*k + c] = sum_j X[i, j] * w[j*k + c] (+ bias[c])`.
 *
 * @example
 * ```ts
 * cscMatMulFeatureMajor(csc, x.rows, x.cols, w, 3, bias, raw);
 * ```
 */
export function cscMatMulFeatureMajor(csc: CscArrays, rows: number, cols: number, w: Float64Array, k: number, bias: Float64Array | null, out: Float64Array): void {
  const { colPtr, rowIndices, data } = csc;
  out.fill(0, 0, rows * k);
  let q = 0;
  for (let j = 0; j < cols; j++) {
    const end = colPtr[j + 1]!;
    const base = j * k;
    for (; q < end; q++) {
      const a = data[q]!;
      const o = rowIndices[q]! * k;
      for (let c = 0; c < k; c++) out[o + c] = out[o + c]! + a * w[base + c]!;
    }
  }
  if (bias) for (let i = 0; i < rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = out[i * k + c]! + bias[c]!;
}

/**
 * Block version of {@link cscTMatVecL2}: `out[j*k + c] = sum_i X[i, j] g[i*k + c] + l2 w[j*k + c]`;
 * returns `||w[0 .. cols*k)||^2`.
 *
 * @example
 * ```ts
 * const norm2 = cscTMatMulFeatureMajorL2(csc, x.cols, g, 3, w, l2, grad);
 * ```
 */
export function cscTMatMulFeatureMajorL2(csc: CscArrays, cols: number, g: Float64Array, k: number, w: Float64Array, l2: number, out: Float64Array): number {
  const { colPtr, rowIndices, data } = csc;
  let norm2 = 0;
  let q = colPtr[0]!;
  for (let j = 0; j < cols; j++) {
    const end = colPtr[j + 1]!;
    const base = j * k;
    for (let c = 0; c < k; c++) out[base + c] = 0;
    for (; q < end; q++) {
      const a = data[q]!;
      const o = rowIndices[q]! * k;
      for (let c = 0; c < k; c++) out[base + c] = out[base + c]! + a * g[o + c]!;
    }
    for (let c = 0; c < k; c++) {
      const wj = w[base + c]!;
      norm2 += wj * wj;
      out[base + c] = out[base + c]! + l2 * wj;
    }
  }
  return norm2;
}

/**
 * Row scores of a linear model: `out[i*k + c] = x_i · W_c (+ bias[c])` for a CSR or dense `X` and a
 * class-major weight matrix `W` (k x d), as Naive Bayes' joint log-likelihood and a linear model's
 * decision function need. The bias is added after the product, in that order.
 *
 * @example
 * ```ts
 * const scores = linearScores(X, coef, intercept); // X.rows * coef.rows values, row-major
 * ```
 */
export function linearScores(X: AnyMatrix, W: Matrix, bias?: Float64Array | null): Float64Array {
  const k = W.rows;
  const out = new Float64Array(X.rows * k);
  if (X instanceof CsrMatrix) csrMatMulClassMajor(X.indptr, X.indices, X.data, X.rows, W.data, k, W.cols, out);
  else denseMatMulClassMajor(X.data, X.rows, X.cols, W.data, k, out);
  if (bias) for (let i = 0; i < X.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = out[i * k + c]! + bias[c]!;
  return out;
}

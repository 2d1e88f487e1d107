import { MlshipError } from '../../core/index.js';
import { registerEstimator } from '../base.js';
import { choleskyFactor, choleskySolve, gramRowMajor, jacobiSvd, tallQr, type MatrixInput, type RowTransform } from '../kernels/index.js';
import { LinearModel, centering, checkSampleWeight, checkTargets, interceptOf, prepareData } from './base.js';

/** Hyperparameters of {@link Ridge}. */
export interface RidgeParams {
  /** L2 penalty strength (`||y − Xw||² + alpha ||w||²`); must be >= 0. @default 1.0 */
  alpha: number;
  /** Fit an (unpenalised) intercept by centering X and y. @default true */
  fitIntercept: boolean;
  /**
   * `'auto'` (= `'cholesky'` on dense input, as scikit-learn 1.2), `'cholesky'` (solve the
   * regularised normal equations, or the kernel form `X Xᵀ + alpha I` when there are more features
   * than samples) or `'svd'` (singular values of X; the most stable).
   * @default 'auto'
   */
  solver: 'auto' | 'cholesky' | 'svd';
  /** Accepted for parameter parity; the direct solvers do not iterate. @default 1e-4 */
  tol: number;
  /** Accepted for parameter parity; the direct solvers do not iterate. @default null */
  maxIter: number | null;
}

/**
 * Linear least squares with an L2 penalty, as scikit-learn's `Ridge`: minimises
 * `||y − X w||² + alpha ||w||²` (weighted by `sampleWeight`), with the same centering and the same
 * direct solvers, so coefficients agree to ~1e-10 with scikit-learn. When the Cholesky factorisation
 * fails (X singular and alpha 0), it falls back to the SVD solver, as scikit-learn does.
 *
 * @example
 * ```ts
 * import { Ridge } from 'mlship/learn';
 * const ridge = new Ridge({ alpha: 0.5 }).fit([[0, 0], [0, 0], [1, 1]], [0, 0.1, 1]);
 * ridge.coef_;      // Float64Array [0.34545..., 0.34545...]
 * ridge.intercept_; // 0.13636...
 * ```
 */
export class Ridge extends LinearModel<RidgeParams> {
  static override readonly estimatorName: string = 'Ridge';
  /** The solver actually used (`'cholesky'` or `'svd'`). */
  solver_: 'cholesky' | 'svd' | undefined;

  constructor(params?: Partial<RidgeParams>) {
    super({ alpha: 1.0, fitIntercept: true, solver: 'auto', tol: 1e-4, maxIter: null }, params);
  }

  /** Fits the model; `sampleWeight` (one non-negative weight per row) is optional. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this {
    const who = 'Ridge.fit';
    const { alpha, fitIntercept, solver, tol, maxIter } = this.params;
    if (typeof alpha !== 'number' || !(alpha >= 0) || !Number.isFinite(alpha)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: alpha must be a finite number >= 0, got ${JSON.stringify(alpha)}`, { field: 'alpha', value: alpha });
    }
    if (typeof fitIntercept !== 'boolean') throw new MlshipError('INVALID_ARGUMENT', `${who}: fitIntercept must be true or false, got ${JSON.stringify(fitIntercept)}`, { field: 'fitIntercept' });
    if (!(solver === 'auto' || solver === 'cholesky' || solver === 'svd')) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: solver must be 'auto', 'cholesky' or 'svd' (the solvers mlship implements), got ${JSON.stringify(solver)}`, { field: 'solver', value: solver });
    }
    if (!(typeof tol === 'number' && tol >= 0)) throw new MlshipError('INVALID_ARGUMENT', `${who}: tol must be a number >= 0, got ${JSON.stringify(tol)}`, { field: 'tol' });
    if (!(maxIter === null || (Number.isInteger(maxIter) && maxIter >= 1))) throw new MlshipError('INVALID_ARGUMENT', `${who}: maxIter must be null or an integer >= 1, got ${JSON.stringify(maxIter)}`, { field: 'maxIter' });
    const Xm = this.fitInput(X, who);
    const t = checkTargets(y, Xm.rows, who);
    const sw = checkSampleWeight(sampleWeight, Xm.rows, who);
    const { dense, xOffset, yOffset, rowScale } = centering(Xm, t, fitIntercept, sw);
    const n = dense.rows;
    const d = dense.cols;
    const rt: RowTransform = { xOffset: fitIntercept ? xOffset : undefined, yOffset, rowScale };
    let coef: Float64Array | undefined;
    let used: 'cholesky' | 'svd' = 'svd';
    if (solver !== 'svd') {
      if (d > n) {
        const { xc, yc } = prepareData(Xm, t, fitIntercept, sw);
        coef = solveCholeskyKernel(xc, n, d, yc, alpha);
      } else coef = solveCholesky(dense.data, n, d, t, alpha, rt);
      if (coef) used = 'cholesky';
      else process.emitWarning(`${who}: the regularised normal equations are singular (alpha=${alpha}); falling back to the svd solver`, { code: 'MLSHIP_SINGULAR_MATRIX' });
    }
    if (!coef) {
      if (n >= d) {
        const { r, qtb } = tallQr(dense.data, n, d, t, rt);
        coef = solveSvd(r, d, d, qtb, alpha, Math.min(n, d));
      } else {
        const { xc, yc } = prepareData(Xm, t, fitIntercept, sw);
        coef = solveSvd(xc, n, d, yc, alpha, n);
      }
    }
    this.coef_ = coef;
    this.solver_ = used;
    this.intercept_ = interceptOf(coef, xOffset, yOffset, fitIntercept);
    return this;
  }
}
registerEstimator(Ridge);

/** `(XᵀX + alpha I)⁻¹ Xᵀ y` by Cholesky, from row-major X; undefined when not positive definite. */
function solveCholesky(data: Float64Array, n: number, d: number, y: Float64Array, alpha: number, rt: RowTransform): Float64Array | undefined {
  const { g: a, xty: rhs } = gramRowMajor(data, n, d, y, rt);
  for (let j = 0; j < d; j++) a[j * d + j] = a[j * d + j]! + alpha;
  if (!choleskyFactor(a, d)) return undefined;
  choleskySolve(a, d, rhs);
  return rhs;
}

/** `Xᵀ (X Xᵀ + alpha I)⁻¹ y` (more features than samples); undefined when not positive definite. */
function solveCholeskyKernel(xc: Float64Array, n: number, d: number, yc: Float64Array, alpha: number): Float64Array | undefined {
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let l = i; l < n; l++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += xc[i + j * n]! * xc[l + j * n]!;
      k[i * n + l] = s;
      k[l * n + i] = s;
    }
    k[i * n + i] = k[i * n + i]! + alpha;
  }
  if (!choleskyFactor(k, n)) return undefined;
  const dual = yc.slice();
  choleskySolve(k, n, dual);
  const coef = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += xc[i + j * n]! * dual[i]!;
    coef[j] = s;
  }
  return coef;
}

/**
 * `V diag(s / (s² + alpha)) Uᵀ y` over singular values > 1e-15, as scikit-learn's `_solve_svd`, for a
 * column-major `rows x d` matrix A (X itself, or R of its QR with `Qᵀy`); `k` singular values count.
 */
function solveSvd(a: Float64Array, rows: number, d: number, rhs: Float64Array, alpha: number, k: number): Float64Array {
  const { s, v, us } = jacobiSvd(a, rows, d);
  const coef = new Float64Array(d);
  for (let j = 0; j < k; j++) {
    const sj = s[j]!;
    if (!(sj > 1e-15)) continue;
    let dot = 0;
    for (let i = 0; i < rows; i++) dot += us[j * rows + i]! * rhs[i]!;
    // u_j · y = dot / s_j; coefficient factor s_j / (s_j² + alpha).
    const f = dot / (sj * sj + alpha);
    for (let i = 0; i < d; i++) coef[i] = coef[i]! + f * v[j * d + i]!;
  }
  return coef;
}

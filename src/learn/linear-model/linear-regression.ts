import { MlshipError } from '../../core/index.js';
import { registerEstimator, type EstimatorState } from '../base.js';
import { lstsqMinNorm, lstsqRowMajor, type MatrixInput } from '../kernels/index.js';
import { LinearModel, centering, checkSampleWeight, checkTargets, interceptOf, prepareData } from './base.js';

/** Hyperparameters of {@link LinearRegression}. */
export interface LinearRegressionParams {
  /** Fit an intercept (X and y are centered on their means first). @default true */
  fitIntercept: boolean;
  /** Constrain the coefficients to be >= 0 (non-negative least squares, Lawson–Hanson). @default false */
  positive: boolean;
}

const EPS = 2.220446049250313e-16;

/**
 * Ordinary least squares, as scikit-learn's `LinearRegression`: X and y are centered (weighted by
 * `sampleWeight`), then the minimum-norm solution of `min ||X w − y||²` is computed as
 * `scipy.linalg.lstsq` (LAPACK `gelsd`) does — singular values `<= eps · max(s)` count as zero,
 * so a rank-deficient X gets the minimum-norm coefficients — by a Householder QR (O(n d²), no
 * normal equations) and a Jacobi SVD of R. `rank_` and `singular_` are those of the centered X.
 *
 * @example
 * ```ts
 * import { LinearRegression } from 'mlship/learn';
 * const lr = new LinearRegression().fit([[1, 1], [1, 2], [2, 2], [2, 3]], [6, 8, 9, 11]);
 * lr.coef_;                 // Float64Array [1, 2] (to rounding)
 * lr.intercept_;            // 3
 * lr.predict([[3, 5]]);     // Float64Array [16]
 * ```
 */
export class LinearRegression extends LinearModel<LinearRegressionParams> {
  static override readonly estimatorName: string = 'LinearRegression';
  /** Rank of the centered (weighted) X; undefined when `positive`. */
  rank_: number | undefined;
  /** Singular values of the centered (weighted) X, descending; undefined when `positive`. */
  singular_: Float64Array | undefined;

  constructor(params?: Partial<LinearRegressionParams>) {
    super({ fitIntercept: true, positive: false }, params);
  }

  /** Fits the model; `sampleWeight` (one non-negative weight per row) is optional. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this {
    const who = 'LinearRegression.fit';
    const { fitIntercept, positive } = this.params;
    if (typeof fitIntercept !== 'boolean') throw new MlshipError('INVALID_ARGUMENT', `${who}: fitIntercept must be true or false, got ${JSON.stringify(fitIntercept)}`, { field: 'fitIntercept' });
    if (typeof positive !== 'boolean') throw new MlshipError('INVALID_ARGUMENT', `${who}: positive must be true or false, got ${JSON.stringify(positive)}`, { field: 'positive' });
    const Xm = this.fitInput(X, who);
    const t = checkTargets(y, Xm.rows, who);
    const sw = checkSampleWeight(sampleWeight, Xm.rows, who);
    if (positive) {
      const { xc, yc, xOffset, yOffset, n, d } = prepareData(Xm, t, fitIntercept, sw);
      this.coef_ = nnls(xc, n, d, yc);
      this.rank_ = undefined;
      this.singular_ = undefined;
      this.intercept_ = interceptOf(this.coef_, xOffset, yOffset, fitIntercept);
      return this;
    }
    // Tall X: blocked Householder QR straight from the row-major data (no centered copy of X).
    const { dense, xOffset, yOffset, rowScale } = centering(Xm, t, fitIntercept, sw);
    const { x, rank, s } = lstsqRowMajor(dense.data, dense.rows, dense.cols, t, EPS, { xOffset: fitIntercept ? xOffset : undefined, yOffset, rowScale });
    this.coef_ = x;
    this.rank_ = rank;
    this.singular_ = s;
    this.intercept_ = interceptOf(x, xOffset, yOffset, fitIntercept);
    return this;
  }

  protected override extraState(): EstimatorState {
    return { rank: this.rank_ ?? null, singular: this.singular_ ? this.singular_.slice() : null };
  }

  protected override setExtraState(state: EstimatorState): void {
    const rank = state['rank'];
    const s = state['singular'];
    this.rank_ = typeof rank === 'number' ? rank : undefined;
    this.singular_ = s instanceof Float64Array ? s : undefined;
  }
}
registerEstimator(LinearRegression);

/**
 * Non-negative least squares `min ||A x − b||, x >= 0` by Lawson–Hanson's active-set method (as
 * `scipy.optimize.nnls`), on a column-major `m x n` A. Each inner step solves the passive-set
 * least-squares problem with {@link lstsqMinNorm}.
 *
 * @example
 * ```ts
 * nnls(Float64Array.of(1, 0, 0, 1), 2, 2, Float64Array.of(1, -1)); // Float64Array [1, 0]
 * ```
 */
export function nnls(a: Float64Array, m: number, n: number, b: Float64Array, maxIter = 3 * n): Float64Array {
  const x = new Float64Array(n);
  const passive = new Uint8Array(n);
  const r = b.slice();
  const w = new Float64Array(n);
  const tol = 10 * EPS * Math.max(m, n) * colMaxNorm(a, m, n);
  const gradient = (): void => {
    r.set(b);
    for (let j = 0; j < n; j++) {
      const xj = x[j]!;
      if (xj === 0) continue;
      for (let i = 0; i < m; i++) r[i] = r[i]! - xj * a[j * m + i]!;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += a[j * m + i]! * r[i]!;
      w[j] = s;
    }
  };
  const solvePassive = (): Float64Array => {
    const idx: number[] = [];
    for (let j = 0; j < n; j++) if (passive[j]) idx.push(j);
    const sub = new Float64Array(m * idx.length);
    idx.forEach((j, k) => sub.set(a.subarray(j * m, j * m + m), k * m));
    const z = lstsqMinNorm(sub, m, idx.length, b.slice(), EPS).x;
    const out = new Float64Array(n);
    idx.forEach((j, k) => (out[j] = z[k]!));
    return out;
  };
  gradient();
  for (let outer = 0; outer < maxIter; outer++) {
    let best = -1;
    let bestW = tol;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j]! > bestW) {
      bestW = w[j]!;
      best = j;
    }
    if (best < 0) break;
    passive[best] = 1;
    for (let inner = 0; inner < maxIter; inner++) {
      const z = solvePassive();
      let ok = true;
      for (let j = 0; j < n; j++) if (passive[j] && z[j]! <= 0) ok = false;
      if (ok) {
        x.set(z);
        break;
      }
      let alpha = Infinity;
      for (let j = 0; j < n; j++) {
        if (passive[j] && z[j]! <= 0) {
          const step = x[j]! / (x[j]! - z[j]!);
          if (step < alpha) alpha = step;
        }
      }
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] && Math.abs(x[j]!) <= tol) {
          passive[j] = 0;
          x[j] = 0;
        }
      }
    }
    gradient();
  }
  return x;
}

function colMaxNorm(a: Float64Array, m: number, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < m; i++) s += Math.abs(a[j * m + i]!);
    if (s > best) best = s;
  }
  return best;
}

import { MlshipError, toRng, type Rng } from '../../core/index.js';
import { registerEstimator, type EstimatorState } from '../base.js';
import type { MatrixInput } from '../kernels/index.js';
import { LinearModel, checkSampleWeight, checkTargets, interceptOf, prepareData } from './base.js';

/** The result of {@link enetCoordinateDescent}. */
export interface EnetResult {
  /** The coefficients (the `w` passed in, updated in place). */
  w: Float64Array;
  /** The duality gap at the last check (unscaled: n_samples times the objective's gap). */
  gap: number;
  /** The gap tolerance used: `tol · ||y||²`. */
  tol: number;
  /** Epochs (passes over the features) run. */
  nIter: number;
  /** False when `maxIter` was reached without the gap falling below the tolerance. */
  converged: boolean;
}

/**
 * Coordinate descent for the elastic net, exactly as scikit-learn's
 * `cd_fast.enet_coordinate_descent`: minimises
 * `½||y − X w||² + alpha ||w||₁ + ½ beta ||w||²` over a column-major `n x d` X, updating `w` in
 * place, one feature per step (cyclic, or drawn at random when `rng` is given). After an epoch whose
 * largest coefficient change is below `tol · max|w|` (or the last epoch), the duality gap is
 * computed; the loop stops when it is below `tol · ||y||²`.
 *
 * @example
 * ```ts
 * const w = new Float64Array(d);
 * const r = enetCoordinateDescent(w, n * alpha, 0, xColMajor, y, n, d, 1000, 1e-4, null, false);
 * r.nIter; r.gap;
 * ```
 */
export function enetCoordinateDescent(
  w: Float64Array,
  alpha: number,
  beta: number,
  X: Float64Array,
  y: Float64Array,
  n: number,
  d: number,
  maxIter: number,
  tol: number,
  rng: Rng | null,
  positive: boolean,
): EnetResult {
  const normCols = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    let s = 0;
    const o = j * n;
    for (let i = 0; i < n; i++) s += X[o + i]! * X[o + i]!;
    normCols[j] = s;
  }
  // R = y - X w
  const R = y.slice();
  for (let j = 0; j < d; j++) {
    const wj = w[j]!;
    if (wj === 0) continue;
    const o = j * n;
    for (let i = 0; i < n; i++) R[i] = R[i]! - wj * X[o + i]!;
  }
  const dwTol = tol;
  let yy = 0;
  for (let i = 0; i < n; i++) yy += y[i]! * y[i]!;
  const gapTol = tol * yy;
  let gap = gapTol + 1;
  const XtA = new Float64Array(d);
  let nIter = 0;
  let converged = false;
  for (nIter = 0; nIter < maxIter; nIter++) {
    let wMax = 0;
    let dwMax = 0;
    for (let f = 0; f < d; f++) {
      const ii = rng ? rng.int(d) : f;
      const nc = normCols[ii]!;
      if (nc === 0) continue;
      const o = ii * n;
      const wOld = w[ii]!;
      if (wOld !== 0) for (let i = 0; i < n; i++) R[i] = R[i]! + wOld * X[o + i]!;
      let tmp = 0;
      for (let i = 0; i < n; i++) tmp += X[o + i]! * R[i]!;
      let wNew: number;
      if (positive && tmp < 0) wNew = 0;
      else wNew = (Math.sign(tmp) * Math.max(Math.abs(tmp) - alpha, 0)) / (nc + beta);
      w[ii] = wNew;
      if (wNew !== 0) for (let i = 0; i < n; i++) R[i] = R[i]! - wNew * X[o + i]!;
      const dw = Math.abs(wNew - wOld);
      if (dw > dwMax) dwMax = dw;
      if (Math.abs(wNew) > wMax) wMax = Math.abs(wNew);
    }
    if (wMax === 0 || dwMax / wMax < dwTol || nIter === maxIter - 1) {
      // Duality gap: XtA = Xᵀ R − beta w.
      let dualNorm = positive ? -Infinity : 0;
      for (let j = 0; j < d; j++) {
        let s = 0;
        const o = j * n;
        for (let i = 0; i < n; i++) s += X[o + i]! * R[i]!;
        const v = s - beta * w[j]!;
        XtA[j] = v;
        if (positive) {
          if (v > dualNorm) dualNorm = v;
        } else if (Math.abs(v) > dualNorm) dualNorm = Math.abs(v);
      }
      let rNorm2 = 0;
      let ry = 0;
      for (let i = 0; i < n; i++) {
        rNorm2 += R[i]! * R[i]!;
        ry += R[i]! * y[i]!;
      }
      let wNorm2 = 0;
      let l1 = 0;
      for (let j = 0; j < d; j++) {
        wNorm2 += w[j]! * w[j]!;
        l1 += Math.abs(w[j]!);
      }
      let c: number;
      if (dualNorm > alpha) {
        c = alpha / dualNorm;
        gap = 0.5 * (rNorm2 + rNorm2 * c * c);
      } else {
        c = 1;
        gap = rNorm2;
      }
      gap += alpha * l1 - c * ry + 0.5 * beta * (1 + c * c) * wNorm2;
      if (gap < gapTol) {
        converged = true;
        break;
      }
    }
  }
  return { w, gap, tol: gapTol, nIter: Math.min(nIter + 1, maxIter), converged };
}

/** Hyperparameters of {@link Lasso}. */
export interface LassoParams {
  /** Strength of the penalty (multiplies the L1 term, and the L2 term for ElasticNet); >= 0. @default 1.0 */
  alpha: number;
  /** Fit an (unpenalised) intercept by centering X and y. @default true */
  fitIntercept: boolean;
  /** Maximum number of epochs of coordinate descent. @default 1000 */
  maxIter: number;
  /** Stop when the duality gap is below `tol · ||y||²` (checked after small updates). @default 1e-4 */
  tol: number;
  /** Start from the previous fit's coefficients. @default false */
  warmStart: boolean;
  /** Constrain the coefficients to be >= 0. @default false */
  positive: boolean;
  /** `'cyclic'` updates features in order; `'random'` draws one at random each step. @default 'cyclic' */
  selection: 'cyclic' | 'random';
  /** Seed of the random feature draws (only with `selection: 'random'`). @default null */
  randomState: number | null;
}

/** Hyperparameters of {@link ElasticNet}: {@link LassoParams} plus the L1/L2 mix. */
export interface ElasticNetParams extends LassoParams {
  /** Mix of L1 (1) and L2 (0) penalties, in [0, 1]. @default 0.5 */
  l1Ratio: number;
}

const LASSO_DEFAULTS: LassoParams = {
  alpha: 1.0,
  fitIntercept: true,
  maxIter: 1000,
  tol: 1e-4,
  warmStart: false,
  positive: false,
  selection: 'cyclic',
  randomState: null,
};

/**
 * The shared fit of {@link ElasticNet} and {@link Lasso} (scikit-learn's `ElasticNet.fit`).
 * Not converging within `maxIter` emits a process warning with code `MLSHIP_CONVERGENCE`
 * (`type: 'ConvergenceWarning'`, as scikit-learn's ConvergenceWarning); the fitted model is kept
 * and `dualGap_` / `nIter_` tell how far it got.
 *
 * @example
 * ```ts
 * const m: BaseElasticNet<any> = new Lasso({ alpha: 0.1 }).fit(X, y);
 * m.nIter_; m.dualGap_;
 * ```
 */
export abstract class BaseElasticNet<P extends LassoParams> extends LinearModel<P> {
  /** Epochs of coordinate descent run. */
  nIter_: number | undefined;
  /** The duality gap at the end of the optimisation, divided by the number of samples. */
  dualGap_: number | undefined;

  protected abstract l1RatioOf(): number;

  /** Fits the model; `sampleWeight` (one non-negative weight per row) is optional. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this {
    const who = `${this.estimatorName}.fit`;
    const p = this.params;
    const bad = (field: string, msg: string): never => {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: ${field} ${msg}, got ${JSON.stringify((p as unknown as Record<string, unknown>)[field])}`, { field });
    };
    if (!(typeof p.alpha === 'number' && p.alpha >= 0 && Number.isFinite(p.alpha))) bad('alpha', 'must be a finite number >= 0');
    const l1Ratio = this.l1RatioOf();
    if (!(typeof l1Ratio === 'number' && l1Ratio >= 0 && l1Ratio <= 1)) bad('l1Ratio', 'must be a number in [0, 1]');
    if (typeof p.fitIntercept !== 'boolean') bad('fitIntercept', 'must be true or false');
    if (!(Number.isInteger(p.maxIter) && p.maxIter >= 1)) bad('maxIter', 'must be an integer >= 1');
    if (!(typeof p.tol === 'number' && p.tol >= 0)) bad('tol', 'must be a number >= 0');
    if (typeof p.warmStart !== 'boolean') bad('warmStart', 'must be true or false');
    if (typeof p.positive !== 'boolean') bad('positive', 'must be true or false');
    if (!(p.selection === 'cyclic' || p.selection === 'random')) bad('selection', "must be 'cyclic' or 'random'");
    if (p.alpha === 0) {
      process.emitWarning(`${who}: with alpha=0, coordinate descent does not converge well; use LinearRegression instead`, { code: 'MLSHIP_ALPHA_ZERO' });
    }
    const previous = p.warmStart && this.coef_ !== undefined ? this.coef_ : undefined;
    const Xm = this.fitInput(X, who);
    if (previous && previous.length !== Xm.cols) {
      throw new MlshipError('SHAPE_MISMATCH', `${who}: warmStart: the previous fit had ${previous.length} features, X has ${Xm.cols}; refit with warmStart false`, { field: 'X', value: Xm.cols, expected: previous.length });
    }
    const t = checkTargets(y, Xm.rows, who);
    let sw = checkSampleWeight(sampleWeight, Xm.rows, who);
    const n = Xm.rows;
    if (sw) {
      let s = 0;
      for (let i = 0; i < n; i++) s += sw[i]!;
      sw = sw.map((v) => (v * n) / s);
    }
    const data = prepareData(Xm, t, p.fitIntercept, sw);
    const w = previous ? previous.slice() : new Float64Array(data.d);
    const l1Reg = p.alpha * l1Ratio * n;
    const l2Reg = p.alpha * (1 - l1Ratio) * n;
    const rng = p.selection === 'random' ? toRng(p.randomState) : null;
    const res = enetCoordinateDescent(w, l1Reg, l2Reg, data.xc, data.yc, n, data.d, p.maxIter, p.tol, rng, p.positive);
    if (!res.converged) {
      process.emitWarning(
        `${who}: objective did not converge. You might want to increase the number of iterations (maxIter, now ${p.maxIter}), check the scale of the features or consider increasing regularisation. Duality gap: ${res.gap.toExponential(3)}, tolerance: ${res.tol.toExponential(3)}`,
        { code: 'MLSHIP_CONVERGENCE', type: 'ConvergenceWarning' },
      );
    }
    this.coef_ = res.w;
    this.nIter_ = res.nIter;
    this.dualGap_ = res.gap / n;
    this.intercept_ = interceptOf(res.w, data.xOffset, data.yOffset, p.fitIntercept);
    if (!Number.isFinite(this.intercept_) || res.w.some((v) => !Number.isFinite(v))) {
      throw new MlshipError('NOT_CONVERGED', `${who}: coordinate descent resulted in non-finite coefficients; the input data may contain large values and need to be scaled`, { field: 'X' });
    }
    return this;
  }

  protected override extraState(): EstimatorState {
    return { nIter: this.nIter_!, dualGap: this.dualGap_! };
  }

  protected override setExtraState(state: EstimatorState): void {
    const nIter = state['nIter'];
    const gap = state['dualGap'];
    this.nIter_ = typeof nIter === 'number' ? nIter : undefined;
    this.dualGap_ = typeof gap === 'number' ? gap : undefined;
  }
}

/**
 * Linear regression with combined L1 and L2 penalties, as scikit-learn's `ElasticNet`: minimises
 * `1/(2n) ||y − X w||² + alpha · l1Ratio · ||w||₁ + ½ alpha (1 − l1Ratio) ||w||²` by coordinate
 * descent with scikit-learn's duality-gap stopping rule (see {@link enetCoordinateDescent}).
 * Not converging emits a `MLSHIP_CONVERGENCE` process warning (ConvergenceWarning) and keeps the
 * model; `nIter_` and `dualGap_` report the state reached.
 *
 * @example
 * ```ts
 * import { ElasticNet } from 'mlship/learn';
 * const enet = new ElasticNet({ alpha: 0.1, l1Ratio: 0.7 }).fit(X, y);
 * enet.coef_; enet.nIter_; enet.dualGap_;
 * ```
 */
export class ElasticNet extends BaseElasticNet<ElasticNetParams> {
  static override readonly estimatorName: string = 'ElasticNet';

  constructor(params?: Partial<ElasticNetParams>) {
    super({ ...LASSO_DEFAULTS, l1Ratio: 0.5 }, params);
  }

  protected l1RatioOf(): number {
    return this.params.l1Ratio;
  }
}
registerEstimator(ElasticNet);

/**
 * Linear regression with an L1 penalty, as scikit-learn's `Lasso` (an {@link ElasticNet} with
 * `l1Ratio` 1): minimises `1/(2n) ||y − X w||² + alpha ||w||₁` by coordinate descent. Many
 * coefficients end exactly at 0. Not converging emits a `MLSHIP_CONVERGENCE` process warning.
 *
 * @example
 * ```ts
 * import { Lasso } from 'mlship/learn';
 * const lasso = new Lasso({ alpha: 0.1 }).fit([[0, 0], [1, 1], [2, 2]], [0, 1, 2]);
 * lasso.coef_;      // Float64Array [0.85, 0]
 * lasso.intercept_; // 0.15
 * ```
 */
export class Lasso extends BaseElasticNet<LassoParams> {
  static override readonly estimatorName: string = 'Lasso';

  constructor(params?: Partial<LassoParams>) {
    super({ ...LASSO_DEFAULTS }, params);
  }

  protected l1RatioOf(): number {
    return 1;
  }
}
registerEstimator(Lasso);

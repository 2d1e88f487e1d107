/**
 * The objective scikit-learn 1.2.1's LogisticRegression(solver="lbfgs") minimises
 * (`LinearModelLoss` with `HalfBinomialLoss` / `HalfMultinomialLoss`): the SUM over samples of
 * `sample_weight * loss` plus `0.5 * l2 * ||w||^2` with `l2 = 1 / C` (the intercept is not
 * penalised). Each builder allocates its buffers once and returns a loss-and-gradient function
 * that allocates nothing per call. Sparse input is transposed to CSC once per fit (see `csrToCsc`):
 * both products then stream the big arrays in order, with the same summation order as scipy's.
 */
import { CsrMatrix, type AnyMatrix } from '../../core/index.js';
import type { LossGradFn } from '../kernels/index.js';
import {
  cscMatMulFeatureMajor,
  cscMatVec,
  cscTMatMulFeatureMajorL2,
  cscTMatVecL2,
  csrToCsc,
  denseMatMulFeatureMajor,
  denseMatVec,
  denseTMatMulFeatureMajorAdd,
  denseTMatVecAdd,
  pairwiseSum,
} from '../kernels/index.js';

/**
 * Binary logistic objective over `w = [coef (nFeatures), intercept?]`, `y` in {0, 1}.
 * Pointwise loss and gradient are scikit-learn's `closs_grad_half_binomial` (stable branches).
 */
export function binomialLossGrad(X: AnyMatrix, y: Float64Array, sampleWeight: Float64Array, l2: number, fitIntercept: boolean): LossGradFn {
  const n = X.rows;
  const nf = X.cols;
  const raw = new Float64Array(n);
  const losses = new Float64Array(n);
  const csc = X instanceof CsrMatrix ? csrToCsc(X.indptr, X.indices, X.data, n, nf) : null;
  return (w, grad) => {
    const b = fitIntercept ? w[nf]! : 0;
    if (csc) cscMatVec(csc, n, nf, w, b, raw);
    else denseMatVec(X.data, n, nf, w, b, raw);
    for (let i = 0; i < n; i++) {
      const z = raw[i]!;
      const yt = y[i]!;
      let l: number;
      let gp: number;
      if (z <= 0) {
        const e = Math.exp(z);
        l = z <= -37 ? e - yt * z : Math.log1p(e) - yt * z;
        gp = ((1 - yt) * e - yt) / (1 + e);
      } else {
        const e = Math.exp(-z);
        l = z <= 18 ? Math.log1p(e) + (1 - yt) * z : e + (1 - yt) * z;
        gp = (1 - yt - yt * e) / (1 + e);
      }
      const s = sampleWeight[i]!;
      losses[i] = s * l;
      raw[i] = s * gp;
    }
    let loss = pairwiseSum(losses, 0, n);
    let norm2 = 0;
    if (csc) norm2 = cscTMatVecL2(csc, nf, raw, w, l2, grad);
    else {
      grad.fill(0, 0, nf);
      denseTMatVecAdd(X.data, n, nf, raw, grad);
      for (let j = 0; j < nf; j++) {
        const wj = w[j]!;
        norm2 += wj * wj;
        grad[j] = grad[j]! + l2 * wj;
      }
    }
    loss += 0.5 * l2 * norm2;
    if (fitIntercept) grad[nf] = pairwiseSum(raw, 0, n);
    return loss;
  };
}

/**
 * Multinomial objective over a feature-major `w` of `(nFeatures + intercept?) * k` values (class c
 * of feature j at `w[j*k + c]`, the intercepts in the last block), `y` holding class indices.
 * Pointwise: `logsumexp(raw) - raw[y]` with gradient `softmax(raw) - onehot(y)`, times the weight.
 */
export function multinomialLossGrad(
  X: AnyMatrix,
  y: Int32Array,
  k: number,
  sampleWeight: Float64Array,
  l2: number,
  fitIntercept: boolean,
): LossGradFn {
  const n = X.rows;
  const nf = X.cols;
  const raw = new Float64Array(n * k);
  const losses = new Float64Array(n);
  const bias = new Float64Array(k);
  const csc = X instanceof CsrMatrix ? csrToCsc(X.indptr, X.indices, X.data, n, nf) : null;
  return (w, grad) => {
    if (fitIntercept) for (let c = 0; c < k; c++) bias[c] = w[nf * k + c]!;
    const b = fitIntercept ? bias : null;
    if (csc) cscMatMulFeatureMajor(csc, n, nf, w, k, b, raw);
    else denseMatMulFeatureMajor(X.data, n, nf, w, k, b, raw);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      let max = raw[o]!;
      for (let c = 1; c < k; c++) if (raw[o + c]! > max) max = raw[o + c]!;
      const yi = y[i]!;
      const rawY = raw[o + yi]!;
      let sum = 0;
      for (let c = 0; c < k; c++) {
        const e = Math.exp(raw[o + c]! - max);
        raw[o + c] = e;
        sum += e;
      }
      const s = sampleWeight[i]!;
      losses[i] = s * (Math.log(sum) + max - rawY);
      for (let c = 0; c < k; c++) {
        const p = raw[o + c]! / sum;
        raw[o + c] = s * (c === yi ? p - 1 : p);
      }
    }
    let loss = pairwiseSum(losses, 0, n);
    const nw = nf * k;
    let norm2 = 0;
    if (csc) norm2 = cscTMatMulFeatureMajorL2(csc, nf, raw, k, w, l2, grad);
    else {
      grad.fill(0, 0, nw);
      denseTMatMulFeatureMajorAdd(X.data, n, nf, raw, k, grad);
      for (let j = 0; j < nw; j++) {
        const wj = w[j]!;
        norm2 += wj * wj;
        grad[j] = grad[j]! + l2 * wj;
      }
    }
    loss += 0.5 * l2 * norm2;
    if (fitIntercept) {
      // numpy's sum(axis=0) over a C-ordered block adds the rows in order (no pairwise split).
      for (let c = 0; c < k; c++) grad[nw + c] = 0;
      for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) grad[nw + c] = grad[nw + c]! + raw[i * k + c]!;
    }
    return loss;
  };
}

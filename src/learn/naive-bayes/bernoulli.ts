import { CsrMatrix, Matrix, MlshipError, type AnyMatrix } from '../../core/index.js';
import { registerEstimator } from '../base.js';
import { csrMatMulClassMajor, denseMatMulClassMajor } from '../kernels/index.js';
import { BaseDiscreteNB, rowSums, type DiscreteNBParams } from './base.js';

/** Hyperparameters of {@link BernoulliNB}. */
export interface BernoulliNBParams extends DiscreteNBParams {
  /** Threshold: values above it become 1, others 0. `null` means X is already binary. @default 0.0 */
  binarize: number | null;
}

/**
 * Bernoulli Naive Bayes for binary features (scikit-learn's `BernoulliNB`): presence and absence
 * of each feature both count. X is binarised with `binarize` in fit and predict.
 *
 * @example
 * ```ts
 * import { BernoulliNB } from 'mlship/learn';
 * const nb = new BernoulliNB({ binarize: 0 }).fit(Xtrain, yTrain);
 * nb.predictProba(Xtest);
 * ```
 */
export class BernoulliNB extends BaseDiscreteNB<BernoulliNBParams> {
  static override readonly estimatorName: string = 'BernoulliNB';
  /** `featureLogProb_ - log(1 - P)` and `classLogPrior_ + sum log(1 - P)`, computed on first use after each fit. */
  private jllTerms: { diff: Float64Array; offset: Float64Array } | undefined;

  constructor(params?: Partial<BernoulliNBParams>) {
    super({ alpha: 1.0, fitPrior: true, classPrior: null, forceAlpha: false, binarize: 0.0 }, params);
  }

  protected prepareX(X: AnyMatrix, who: string): AnyMatrix {
    const t = this.params.binarize;
    if (t === null) return X;
    if (typeof t !== 'number' || !(t >= 0) || !Number.isFinite(t)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: binarize must be null or a finite number >= 0, got ${JSON.stringify(t)}`, { field: 'binarize', value: t });
    }
    const data = new Float64Array(X.data.length);
    for (let p = 0; p < data.length; p++) data[p] = X.data[p]! > t ? 1 : 0;
    return X instanceof CsrMatrix ? new CsrMatrix(X.rows, X.cols, data, X.indices, X.indptr) : new Matrix(X.rows, X.cols, data);
  }

  protected override afterCount(): void {
    this.jllTerms = undefined;
  }

  protected updateFeatureLogProb(alpha: Float64Array): void {
    this.jllTerms = undefined;
    const fc = this.featureCount_!;
    const cc = this.classCount_!;
    const k = fc.rows;
    const d = fc.cols;
    const flp = fc.clone();
    for (let c = 0; c < k; c++) {
      for (let j = 0; j < d; j++) flp.data[c * d + j] = Math.log(fc.data[c * d + j]! + alpha[j]!) - Math.log(cc[c]! + alpha[j]! * 2);
    }
    this.featureLogProb_ = flp;
  }

  private terms(): { diff: Float64Array; offset: Float64Array } {
    if (this.jllTerms) return this.jllTerms;
    const flp = this.featureLogProb_!;
    const k = flp.rows;
    const d = flp.cols;
    const neg = new Float64Array(k * d);
    const diff = new Float64Array(k * d);
    for (let p = 0; p < neg.length; p++) {
      neg[p] = Math.log(1 - Math.exp(flp.data[p]!));
      diff[p] = flp.data[p]! - neg[p]!;
    }
    const offset = rowSums(neg, k, d);
    const prior = this.classLogPrior_!;
    for (let c = 0; c < k; c++) offset[c] = prior[c]! + offset[c]!;
    this.jllTerms = { diff, offset };
    return this.jllTerms;
  }

  protected jointLogLikelihood(X: AnyMatrix): Float64Array {
    const k = this.featureLogProb_!.rows;
    const d = this.featureLogProb_!.cols;
    const { diff, offset } = this.terms();
    const out = new Float64Array(X.rows * k);
    if (X instanceof CsrMatrix) csrMatMulClassMajor(X.indptr, X.indices, X.data, X.rows, diff, k, d, out);
    else denseMatMulClassMajor(X.data, X.rows, X.cols, diff, k, out);
    for (let i = 0; i < X.rows; i++) for (let c = 0; c < k; c++) out[i * k + c] = out[i * k + c]! + offset[c]!;
    return out;
  }
}
registerEstimator(BernoulliNB);

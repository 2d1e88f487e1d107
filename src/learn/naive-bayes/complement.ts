import type { AnyMatrix } from '../../core/index.js';
import { registerEstimator } from '../base.js';
import { linearScores } from '../kernels/index.js';
import { BaseDiscreteNB, rejectNegative, rowSums, type DiscreteNBParams } from './base.js';

/** Hyperparameters of {@link ComplementNB}. */
export interface ComplementNBParams extends DiscreteNBParams {
  /** Normalise the complement weights a second time (Rennie et al., Table 9, step 10). @default false */
  norm: boolean;
}

/**
 * Complement Naive Bayes (scikit-learn's `ComplementNB`), suited to imbalanced text classes:
 * weights come from the counts of every *other* class. `fitPrior` and `classPrior` only matter
 * when a single class was seen, as in scikit-learn.
 *
 * @example
 * ```ts
 * import { ComplementNB } from 'mlship/learn';
 * const nb = new ComplementNB({ norm: true }).fit(Xtrain, yTrain);
 * nb.predict(Xtest);
 * ```
 */
export class ComplementNB extends BaseDiscreteNB<ComplementNBParams> {
  static override readonly estimatorName: string = 'ComplementNB';
  /** Total count of each feature over all classes. */
  featureAll_: Float64Array | undefined;

  constructor(params?: Partial<ComplementNBParams>) {
    super({ alpha: 1.0, fitPrior: true, classPrior: null, forceAlpha: false, norm: false }, params);
  }

  protected prepareX(X: AnyMatrix, who: string, training: boolean): AnyMatrix {
    if (training) rejectNegative(X, who);
    return X;
  }

  protected override afterCount(): void {
    const fc = this.featureCount_!;
    const all = new Float64Array(fc.cols);
    // feature_count_.sum(axis=0): rows added in order.
    for (let c = 0; c < fc.rows; c++) for (let j = 0; j < fc.cols; j++) all[j] = all[j]! + fc.data[c * fc.cols + j]!;
    this.featureAll_ = all;
  }

  protected updateFeatureLogProb(alpha: Float64Array): void {
    const fc = this.featureCount_!;
    const all = this.featureAll_!;
    const k = fc.rows;
    const d = fc.cols;
    const comp = new Float64Array(k * d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) comp[c * d + j] = all[j]! + alpha[j]! - fc.data[c * d + j]!;
    const totals = rowSums(comp, k, d);
    for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) comp[c * d + j] = Math.log(comp[c * d + j]! / totals[c]!);
    if (this.params.norm) {
      const summed = rowSums(comp, k, d);
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) comp[c * d + j] = comp[c * d + j]! / summed[c]!;
    } else {
      for (let p = 0; p < comp.length; p++) comp[p] = -comp[p]!;
    }
    this.featureLogProb_ = fc.clone();
    this.featureLogProb_.data.set(comp);
  }

  protected jointLogLikelihood(X: AnyMatrix): Float64Array {
    const k = this.featureLogProb_!.rows;
    const out = linearScores(X, this.featureLogProb_!);
    if (k === 1) {
      const prior = this.classLogPrior_![0]!;
      for (let i = 0; i < X.rows; i++) out[i] = out[i]! + prior;
    }
    return out;
  }

}
registerEstimator(ComplementNB);

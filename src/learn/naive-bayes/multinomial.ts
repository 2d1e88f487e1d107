import { Matrix, type AnyMatrix } from '../../core/index.js';
import type { LinearHead } from '../compose/index.js';
import { registerEstimator } from '../base.js';
import { linearScores } from '../kernels/index.js';
import { BaseDiscreteNB, rejectNegative, rowSums, type DiscreteNBParams } from './base.js';

/** Hyperparameters of {@link MultinomialNB}. */
export type MultinomialNBParams = DiscreteNBParams;

/**
 * Multinomial Naive Bayes for counts or tf-idf weights (scikit-learn's `MultinomialNB`):
 * `featureLogProb_ = log((count + alpha) / sum_j(count + alpha))` per class and
 * `jll = X @ featureLogProb_^T + classLogPrior_`.
 *
 * @example
 * ```ts
 * import { MultinomialNB } from 'mlship/learn';
 * const nb = new MultinomialNB({ alpha: 0.5 }).fit(Xtrain, yTrain); // Xtrain: CsrMatrix of counts
 * nb.predict(Xtest);      // ['spam', 'ham', ...]
 * nb.predictProba(Xtest); // Matrix rows x classes
 * ```
 */
export class MultinomialNB extends BaseDiscreteNB<MultinomialNBParams> {
  static override readonly estimatorName: string = 'MultinomialNB';

  constructor(params?: Partial<MultinomialNBParams>) {
    super({ alpha: 1.0, fitPrior: true, classPrior: null, forceAlpha: false }, params);
  }

  protected prepareX(X: AnyMatrix, who: string, training: boolean): AnyMatrix {
    if (training) rejectNegative(X, who);
    return X;
  }

  protected updateFeatureLogProb(alpha: Float64Array): void {
    const fc = this.featureCount_!;
    const k = fc.rows;
    const d = fc.cols;
    const smoothed = new Float64Array(k * d);
    addRowToRows(fc.data, alpha, k, d, smoothed);
    const totals = rowSums(smoothed, k, d);
    for (let c = 0; c < k; c++) logMinus(smoothed, c * d, d, Math.log(totals[c]!));
    this.featureLogProb_ = new Matrix(k, d, smoothed);
  }

  protected jointLogLikelihood(X: AnyMatrix): Float64Array {
    return linearScores(X, this.featureLogProb_!, this.classLogPrior_!);
  }

  /**
   * The model as linear scores, for pipelines that fuse it with their vectorizer (see `Pipeline`):
   * the joint log-likelihood is `X @ weights^T + bias` (`weights`: classes x features, row-major),
   * and `labels` / `proba` turn such scores (`n x classes`, modified in place) into what `predict`
   * / `predictProba` return. Undefined before fit.
   *
   * @example
   * ```ts
   * const nb = new MultinomialNB().fit([[2, 0], [0, 3]], ['a', 'b']);
   * const head = nb.linearHead()!;
   * head.labels(Float64Array.of(-1, -2), 1); // ['a']
   * ```
   */
  linearHead(): LinearHead | undefined {
    const flp = this.featureLogProb_;
    if (!flp) return undefined;
    if (this.head?.weights !== flp.data || this.head.bias !== this.classLogPrior_) {
      this.head = {
        weights: flp.data,
        bias: this.classLogPrior_!,
        rows: flp.rows,
        nFeatures: flp.cols,
        labels: (s, n) => this.labelsFromJll(s, n),
        proba: (s, n) => this.probaFromJll(s, n),
      };
    }
    return this.head;
  }

  private head: LinearHead | undefined;
}
registerEstimator(MultinomialNB);

/** `out[c*d + j] = a[c*d + j] + row[j]` for the `k` rows of `a` (`k x d`, row-major). */
function addRowToRows(a: Float64Array, row: Float64Array, k: number, d: number, out: Float64Array): void {
  for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) out[c * d + j] = a[c * d + j]! + row[j]!;
}

/** `a[o + j] = log(a[o + j]) - sub` for `j < n`, in place. */
function logMinus(a: Float64Array, o: number, n: number, sub: number): void {
  for (let j = 0; j < n; j++) a[o + j] = Math.log(a[o + j]!) - sub;
}

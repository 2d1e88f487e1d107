import { CsrMatrix, Matrix, MlshipError, encodeLabels, uniqueLabels, type AnyMatrix, type Label } from '../../core/index.js';
import { BaseEstimator, type Classifier, type EstimatorState } from '../base.js';
import {
  argmaxRows,
  checkFeatureCount,
  checkLabels,
  checkMatrix,
  csrClassSumsAdd,
  labelAccuracy,
  logNormalizeRows,
  pairwiseSum,
  type MatrixInput,
} from '../kernels/index.js';

/** Hyperparameters shared by the discrete Naive Bayes classifiers (scikit-learn's `_BaseDiscreteNB`). */
export interface DiscreteNBParams {
  /**
   * Additive (Laplace/Lidstone) smoothing: one value, or one per feature. Values below 1e-10 are
   * raised to 1e-10 (with a warning) unless `forceAlpha` is true.
   * @default 1.0
   */
  alpha: number | number[];
  /** Learn class priors from the data; when false, use a uniform prior. @default true */
  fitPrior: boolean;
  /** Fixed class prior probabilities, one per entry of `classes_` (sorted order). @default null */
  classPrior: number[] | null;
  /** Keep `alpha` as given even below 1e-10 (scikit-learn 1.2's `force_alpha`, whose effective default is false). @default false */
  forceAlpha: boolean;
}

const ALPHA_MIN = 1e-10;

/**
 * The discrete Naive Bayes family (scikit-learn's `_BaseDiscreteNB`): subclasses define how counts
 * become `featureLogProb_` and the joint log-likelihood; `predict`, `predictProba`,
 * `predictLogProba`, `score`, `fit` and `partialFit` are written once here.
 *
 * @example
 * ```ts
 * const nb = new MultinomialNB().fit([[2, 0, 1], [0, 3, 0]], ['spam', 'ham']);
 * nb.predictProba([[1, 0, 0]]).row(0); // P(ham), P(spam)
 * ```
 */
export abstract class BaseDiscreteNB<P extends DiscreteNBParams> extends BaseEstimator<P> implements Classifier<MatrixInput> {
  readonly estimatorType = 'classifier' as const;
  /** Class labels, sorted as Python sorts them. */
  classes_: Label[] | undefined;
  /** Number of training samples per class. */
  classCount_: Float64Array | undefined;
  /** Sum of each feature per class (`classes x features`). */
  featureCount_: Matrix | undefined;
  /** Log probability (or weight, for ComplementNB) of each feature per class (`classes x features`). */
  featureLogProb_: Matrix | undefined;
  /** Log prior probability of each class. */
  classLogPrior_: Float64Array | undefined;
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;

  get isFitted(): boolean {
    return this.featureLogProb_ !== undefined;
  }

  /** Validates X for this model: binarises (BernoulliNB) or rejects negative values (Multinomial, Complement). */
  protected abstract prepareX(X: AnyMatrix, who: string, training: boolean): AnyMatrix;

  /** Recomputes `featureLogProb_` from the counts with the effective alpha (scalar or per feature). */
  protected abstract updateFeatureLogProb(alpha: Float64Array): void;

  /** The joint log-likelihood `log P(c) + log P(x | c)` (or the model's equivalent), `rows x classes`, row-major. */
  protected abstract jointLogLikelihood(X: AnyMatrix): Float64Array;

  /** Hook run after counting (ComplementNB keeps the per-feature totals). */
  protected afterCount(): void {}

  /**
   * Fits the model to X (documents x features, non-negative counts or weights) and labels y.
   * A single class is allowed, as in scikit-learn.
   */
  fit(X: MatrixInput, y: ArrayLike<Label>): this {
    const who = `${this.estimatorName}.fit`;
    this.checkParams(who);
    const Xm = this.prepareX(checkMatrix(X, who), who, true);
    const labels = checkLabels(y, Xm.rows, who);
    const classes = uniqueLabels(labels);
    this.classes_ = classes;
    this.nFeaturesIn_ = Xm.cols;
    this.classCount_ = new Float64Array(classes.length);
    this.featureCount_ = new Matrix(classes.length, Xm.cols);
    this.count(Xm, encodeLabels(labels, classes));
    this.update(who);
    return this;
  }

  /**
   * Incremental fit on a batch, as scikit-learn's `partial_fit`: `classes` (every label that will
   * ever appear) is required on the first call. Counts accumulate; probabilities are recomputed.
   */
  partialFit(X: MatrixInput, y: ArrayLike<Label>, classes?: ArrayLike<Label>): this {
    const who = `${this.estimatorName}.partialFit`;
    const first = this.classes_ === undefined;
    if (first) {
      if (!classes) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: classes must be passed on the first call to partialFit (every label that can appear in y)`, { field: 'classes' });
      }
      this.checkParams(who);
    }
    let Xm = checkMatrix(X, who);
    if (!first) checkFeatureCount(Xm, this.nFeaturesIn_!, who);
    Xm = this.prepareX(Xm, who, true);
    const labels = checkLabels(y, Xm.rows, who);
    if (first) {
      this.classes_ = uniqueLabels(classes!);
      this.nFeaturesIn_ = Xm.cols;
      this.classCount_ = new Float64Array(this.classes_.length);
      this.featureCount_ = new Matrix(this.classes_.length, Xm.cols);
    } else if (classes) {
      const given = uniqueLabels(classes);
      if (given.length !== this.classes_!.length || given.some((c, i) => c !== this.classes_![i])) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: classes=${JSON.stringify(given)} is not the same as on the last call to partialFit, was ${JSON.stringify(this.classes_)}`, { field: 'classes' });
      }
    }
    const codes = encodeLabels(labels, this.classes_!);
    const unknown = new Set<Label>();
    for (let i = 0; i < codes.length; i++) if (codes[i]! < 0) unknown.add(labels[i]!);
    if (unknown.size > 0) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: the label(s) ${JSON.stringify([...unknown])} in y do not exist in the initial classes ${JSON.stringify(this.classes_)}`, { field: 'y' });
    }
    this.count(Xm, codes);
    this.update(who);
    return this;
  }

  private checkParams(who: string): void {
    const { alpha, classPrior } = this.params;
    const alphas = typeof alpha === 'number' ? [alpha] : alpha;
    if (!Array.isArray(alphas) || alphas.length === 0 || alphas.some((a) => typeof a !== 'number' || !(a >= 0) || !Number.isFinite(a))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: alpha must be a non-negative finite number or an array of them, got ${JSON.stringify(alpha)}`, { field: 'alpha', value: alpha });
    }
    if (classPrior !== null && (!Array.isArray(classPrior) || classPrior.some((p) => typeof p !== 'number' || !(p >= 0)))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: classPrior must be null or an array of non-negative numbers, got ${JSON.stringify(classPrior)}`, { field: 'classPrior', value: classPrior });
    }
  }

  private count(X: AnyMatrix, codes: Int32Array): void {
    const fc = this.featureCount_!.data;
    const cc = this.classCount_!;
    const d = X.cols;
    if (X instanceof CsrMatrix) {
      csrClassSumsAdd(X.indptr, X.indices, X.data, X.rows, codes, d, fc);
      for (let i = 0; i < X.rows; i++) cc[codes[i]!] = cc[codes[i]!]! + 1;
    } else {
      const xd = X.data;
      for (let i = 0; i < X.rows; i++) {
        const o = codes[i]! * d;
        const xo = i * d;
        for (let j = 0; j < d; j++) fc[o + j] = fc[o + j]! + xd[xo + j]!;
        cc[codes[i]!] = cc[codes[i]!]! + 1;
      }
    }
    this.afterCount();
  }

  /** The effective alpha per feature (clipped to 1e-10 unless forceAlpha), as scikit-learn's `_check_alpha`. */
  private effectiveAlpha(who: string): Float64Array {
    const { alpha, forceAlpha } = this.params;
    const d = this.nFeaturesIn_!;
    if (Array.isArray(alpha) && alpha.length !== d) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: alpha has ${alpha.length} values but X has ${d} features; pass one alpha or one per feature`, { field: 'alpha' });
    }
    const out = new Float64Array(d);
    let min = Infinity;
    for (let j = 0; j < d; j++) {
      const a = typeof alpha === 'number' ? alpha : alpha[j]!;
      out[j] = a;
      if (a < min) min = a;
    }
    if (min < ALPHA_MIN && !forceAlpha) {
      process.emitWarning(`${who}: alpha too small will result in numeric errors, setting alpha = 1.0e-10. Use forceAlpha: true to keep alpha unchanged.`, {
        code: 'MLSHIP_ALPHA_CLIPPED',
      });
      for (let j = 0; j < d; j++) if (out[j]! < ALPHA_MIN) out[j] = ALPHA_MIN;
    }
    return out;
  }

  private update(who: string): void {
    this.updateFeatureLogProb(this.effectiveAlpha(who));
    const k = this.classes_!.length;
    const { classPrior, fitPrior } = this.params;
    const prior = new Float64Array(k);
    if (classPrior !== null) {
      if (classPrior.length !== k) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: classPrior has ${classPrior.length} values but there are ${k} classes (${JSON.stringify(this.classes_)}); number of priors must match number of classes`, {
          field: 'classPrior',
        });
      }
      for (let c = 0; c < k; c++) prior[c] = Math.log(classPrior[c]!);
    } else if (fitPrior) {
      const cc = this.classCount_!;
      const logTotal = Math.log(pairwiseSum(cc, 0, k));
      for (let c = 0; c < k; c++) prior[c] = Math.log(cc[c]!) - logTotal;
    } else {
      prior.fill(-Math.log(k));
    }
    this.classLogPrior_ = prior;
  }

  private checkedX(X: MatrixInput, method: string): AnyMatrix {
    this.requireFitted(method);
    const who = `${this.estimatorName}.${method}`;
    const Xm = checkMatrix(X, who);
    checkFeatureCount(Xm, this.nFeaturesIn_!, who);
    return this.prepareX(Xm, who, false);
  }

  /** The unnormalised joint log-probability `log P(x, c)` per row and class (`predict_joint_log_proba`). */
  predictJointLogProba(X: MatrixInput): Matrix {
    const Xm = this.checkedX(X, 'predictJointLogProba');
    return new Matrix(Xm.rows, this.classes_!.length, this.jointLogLikelihood(Xm));
  }

  /** The most likely class of each row. */
  predict(X: MatrixInput): Label[] {
    const Xm = this.checkedX(X, 'predict');
    return this.labelsFromJll(this.jointLogLikelihood(Xm), Xm.rows);
  }

  /** The class with the largest joint log-likelihood in each of `rows` rows of `jll` (`rows x classes`). */
  protected labelsFromJll(jll: Float64Array, rows: number): Label[] {
    const k = this.classes_!.length;
    const idx = new Int32Array(rows);
    argmaxRows(jll, rows, k, idx);
    const out = new Array<Label>(rows);
    for (let i = 0; i < rows; i++) out[i] = this.classes_![idx[i]!]!;
    return out;
  }

  /** Probabilities from the joint log-likelihood (`rows x classes`, normalised in place). */
  protected probaFromJll(jll: Float64Array, rows: number): Matrix {
    const k = this.classes_!.length;
    logNormalizeRows(jll, rows, k);
    for (let p = 0; p < jll.length; p++) jll[p] = Math.exp(jll[p]!);
    return new Matrix(rows, k, jll);
  }

  /** Log-probabilities per row and class (columns in `classes_` order): the joint log-likelihood minus its logsumexp. */
  predictLogProba(X: MatrixInput): Matrix {
    const Xm = this.checkedX(X, 'predictLogProba');
    const k = this.classes_!.length;
    const jll = this.jointLogLikelihood(Xm);
    logNormalizeRows(jll, Xm.rows, k);
    return new Matrix(Xm.rows, k, jll);
  }

  /** Probabilities per row and class (columns in `classes_` order), `exp(predictLogProba(X))`. */
  predictProba(X: MatrixInput): Matrix {
    const Xm = this.checkedX(X, 'predictProba');
    return this.probaFromJll(this.jointLogLikelihood(Xm), Xm.rows);
  }

  /** Mean accuracy of `predict(X)` against y; labels never seen in fit count as misses. */
  score(X: MatrixInput, y: ArrayLike<Label>): number {
    return labelAccuracy(y, this.predict(X), `${this.estimatorName}.score`);
  }

  protected getState(): EstimatorState {
    // Copies, so that a model rebuilt from the snapshot never shares (and mutates) these buffers.
    return {
      classes: this.classes_!.slice(),
      nFeaturesIn: this.nFeaturesIn_!,
      classCount: this.classCount_!.slice(),
      featureCount: this.featureCount_!.data.slice(),
      featureLogProb: this.featureLogProb_!.data.slice(),
      classLogPrior: this.classLogPrior_!.slice(),
    };
  }

  protected setState(state: EstimatorState): void {
    const classes = state['classes'];
    const d = state['nFeaturesIn'];
    const cc = state['classCount'];
    const fc = state['featureCount'];
    const flp = state['featureLogProb'];
    const clp = state['classLogPrior'];
    if (
      !Array.isArray(classes) ||
      typeof d !== 'number' ||
      !(cc instanceof Float64Array) ||
      !(fc instanceof Float64Array) ||
      !(flp instanceof Float64Array) ||
      !(clp instanceof Float64Array) ||
      cc.length !== classes.length ||
      clp.length !== classes.length ||
      fc.length !== classes.length * d ||
      flp.length !== classes.length * d
    ) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected classes, nFeaturesIn, classCount, featureCount, featureLogProb, classLogPrior of matching sizes)`);
    }
    this.classes_ = classes as Label[];
    this.nFeaturesIn_ = d;
    this.classCount_ = cc;
    this.featureCount_ = new Matrix(classes.length, d, fc);
    this.featureLogProb_ = new Matrix(classes.length, d, flp);
    this.classLogPrior_ = clp;
    this.afterCount();
  }
}

/** Throws INVALID_ARGUMENT naming the first negative value, as scikit-learn's `check_non_negative`. */
export function rejectNegative(X: AnyMatrix, who: string): void {
  const data = X.data;
  for (let p = 0; p < data.length; p++) {
    if (data[p]! < 0) {
      let row: number;
      let col: number;
      if (X instanceof CsrMatrix) {
        row = 0;
        while (X.indptr[row + 1]! <= p) row++;
        col = X.indices[p]!;
      } else {
        row = Math.floor(p / X.cols);
        col = p % X.cols;
      }
      throw new MlshipError('INVALID_ARGUMENT', `${who}: negative values in data passed to ${who.split('.')[0]} (input X): ${data[p]} at row ${row}, column ${col}; this model needs non-negative counts or weights`, {
        field: 'X',
        line: row,
        column: col,
        value: data[p],
      });
    }
  }
}

/** Row sums of a `k x d` row-major block in NumPy's pairwise order (`a.sum(axis=1)`). */
export function rowSums(a: Float64Array, k: number, d: number): Float64Array {
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) out[c] = pairwiseSum(a, c * d, d);
  return out;
}

import { Matrix, MlshipError, encodeLabels, uniqueLabels, type AnyMatrix, type Label } from '../../core/index.js';
import { BaseEstimator, registerEstimator, type Classifier, type EstimatorState } from '../base.js';
import {
  argmaxRows,
  checkFeatureCount,
  checkLabels,
  checkMatrix,
  linearScores,
  labelAccuracy,
  lbfgs,
  softmaxRows,
  type LbfgsResult,
  type MatrixInput,
} from '../kernels/index.js';
import { binomialLossGrad, multinomialLossGrad } from './linear-loss.js';
import type { LinearHead } from '../compose/index.js';

/** Hyperparameters of {@link LogisticRegression} (scikit-learn 1.2.1's names, camelCased, and defaults). */
export interface LogisticRegressionParams {
  /** `'l2'` adds `||w||^2 / (2C)`; `null` (or the deprecated `'none'`) fits without a penalty and ignores C. @default 'l2' */
  penalty: 'l2' | 'none' | null;
  /** Inverse of regularisation strength; smaller is stronger. Must be > 0. @default 1.0 */
  C: number;
  /** Stop when the largest gradient entry falls to this (scipy L-BFGS-B `gtol`). @default 1e-4 */
  tol: number;
  /** Maximum number of L-BFGS iterations (per binary problem for one-vs-rest). @default 100 */
  maxIter: number;
  /** Fit an (unpenalised) intercept. @default true */
  fitIntercept: boolean;
  /** Accepted for parameter parity; like scikit-learn's lbfgs solver, it has no effect. @default 1 */
  interceptScaling: number;
  /**
   * Per-class weights: `null` (all 1), `'balanced'` (`n / (nClasses * count(class))`), or a record
   * from label (as a string, e.g. `'spam'` or `'1'`) to weight; unlisted classes weigh 1.
   * @default null
   */
  classWeight: null | 'balanced' | Record<string, number>;
  /** `'auto'`: multinomial for more than 2 classes, else one-vs-rest (sklearn 1.2 with lbfgs). @default 'auto' */
  multiClass: 'auto' | 'ovr' | 'multinomial';
  /** Only `'lbfgs'` is implemented. @default 'lbfgs' */
  solver: 'lbfgs';
  /** Start from the previous fit's coefficients when refitting. @default false */
  warmStart: boolean;
  /** Unused by lbfgs (kept for parameter parity). @default null */
  randomState: number | null;
}

const DEFAULTS: LogisticRegressionParams = {
  penalty: 'l2',
  C: 1.0,
  tol: 1e-4,
  maxIter: 100,
  fitIntercept: true,
  interceptScaling: 1,
  classWeight: null,
  multiClass: 'auto',
  solver: 'lbfgs',
  warmStart: false,
  randomState: null,
};

/**
 * L2-regularised logistic regression trained with L-BFGS, reproducing scikit-learn 1.2.1's
 * `LogisticRegression(solver="lbfgs")`: the same summed loss with `l2 = 1/C`, the same L-BFGS-B
 * iterations and stopping rules, binary (one coefficient row), multinomial (one row per class) or
 * one-vs-rest, on dense or CSR input. Not converging within `maxIter` emits a process warning with
 * code `MLSHIP_CONVERGENCE`, as scikit-learn's ConvergenceWarning.
 *
 * @example
 * ```ts
 * import { LogisticRegression } from 'mlship/learn';
 * const lr = new LogisticRegression({ C: 10 }).fit(Xtrain, yTrain); // Xtrain: CsrMatrix (tf-idf)
 * lr.predict(Xtest);          // labels
 * lr.predictProba(Xtest);     // Matrix rows x classes
 * lr.decisionFunction(Xtest); // Matrix rows x 1 for binary, rows x classes otherwise
 * ```
 */
export class LogisticRegression extends BaseEstimator<LogisticRegressionParams> implements Classifier<MatrixInput> {
  static override readonly estimatorName: string = 'LogisticRegression';
  readonly estimatorType = 'classifier' as const;
  /** Class labels, sorted as Python sorts them. */
  classes_: Label[] | undefined;
  /** Coefficients: 1 x features for two classes, classes x features otherwise. */
  coef_: Matrix | undefined;
  /** Intercepts, one per row of `coef_` (zeros when `fitIntercept` is false). */
  intercept_: Float64Array | undefined;
  /** L-BFGS iterations run: one entry, or one per class for one-vs-rest with more than two classes. */
  nIter_: Int32Array | undefined;
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;

  constructor(params?: Partial<LogisticRegressionParams>) {
    super(DEFAULTS, params);
  }

  get isFitted(): boolean {
    return this.coef_ !== undefined;
  }

  private checkParams(who: string): void {
    const p = this.params;
    const bad = (field: string, msg: string): never => {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: ${field} ${msg}, got ${JSON.stringify((p as unknown as Record<string, unknown>)[field])}`, { field });
    };
    if (p.solver !== 'lbfgs') bad('solver', "must be 'lbfgs' (the only solver mlship implements)");
    if (!(p.penalty === 'l2' || p.penalty === null || p.penalty === 'none')) bad('penalty', "must be 'l2' or null");
    if (!(typeof p.C === 'number' && p.C > 0 && !Number.isNaN(p.C))) bad('C', 'must be a number > 0');
    if (!(typeof p.tol === 'number' && p.tol >= 0)) bad('tol', 'must be a number >= 0');
    if (!(Number.isInteger(p.maxIter) && p.maxIter >= 0)) bad('maxIter', 'must be an integer >= 0');
    if (!(p.multiClass === 'auto' || p.multiClass === 'ovr' || p.multiClass === 'multinomial')) bad('multiClass', "must be 'auto', 'ovr' or 'multinomial'");
    const cw = p.classWeight;
    if (!(cw === null || cw === 'balanced' || (typeof cw === 'object' && !Array.isArray(cw) && Object.values(cw).every((v) => typeof v === 'number' && Number.isFinite(v))))) {
      bad('classWeight', "must be null, 'balanced' or a record of label -> finite number");
    }
  }

  /** scikit-learn's `compute_class_weight` for the original labels. */
  private classWeights(classes: Label[], codes: Int32Array, who: string): Float64Array {
    const cw = this.params.classWeight;
    const k = classes.length;
    const out = new Float64Array(k).fill(1);
    if (cw === null) return out;
    if (cw === 'balanced') {
      const counts = new Float64Array(k);
      for (let i = 0; i < codes.length; i++) counts[codes[i]!] = counts[codes[i]!]! + 1;
      for (let c = 0; c < k; c++) out[c] = codes.length / (k * counts[c]!);
      return out;
    }
    const unweighted: Label[] = [];
    for (let c = 0; c < k; c++) {
      const key = String(classes[c]);
      if (Object.prototype.hasOwnProperty.call(cw, key)) out[c] = cw[key]!;
      else unweighted.push(classes[c]!);
    }
    if (unweighted.length > 0 && k - unweighted.length !== Object.keys(cw).length) {
      const known = new Set(classes.map(String));
      const extra = Object.keys(cw).filter((key) => !known.has(key));
      throw new MlshipError('INVALID_ARGUMENT', `${who}: classWeight names label(s) ${JSON.stringify(extra)} that are not classes of y (${JSON.stringify(classes)})`, { field: 'classWeight' });
    }
    return out;
  }

  /**
   * Fits the model. y needs at least two classes. Returns `this`.
   */
  fit(X: MatrixInput, y: ArrayLike<Label>): this {
    const who = 'LogisticRegression.fit';
    this.checkParams(who);
    const Xm = checkMatrix(X, who);
    const labels = checkLabels(y, Xm.rows, who);
    const classes = uniqueLabels(labels);
    if (classes.length < 2) {
      const c = classes[0]!;
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `${who}: This solver needs samples of at least 2 classes in the data, but the data contains only one class: ${typeof c === 'string' ? `'${c}'` : String(c)}`,
        { field: 'y', value: c },
      );
    }
    const p = this.params;
    const k = classes.length;
    const nf = Xm.cols;
    const n = Xm.rows;
    const fi = p.fitIntercept;
    const multinomial = p.multiClass === 'multinomial' || (p.multiClass === 'auto' && k > 2);
    const l2 = p.penalty === 'l2' ? 1 / p.C : 0;
    const codes = encodeLabels(labels, classes);
    const sw = new Float64Array(n).fill(1);
    if (multinomial || (p.classWeight !== null && p.classWeight !== 'balanced')) {
      const cw = this.classWeights(classes, codes, who);
      for (let i = 0; i < n; i++) sw[i] = sw[i]! * cw[codes[i]!]!;
    }
    const warm = p.warmStart && this.coef_ !== undefined ? { coef: this.coef_, intercept: this.intercept_! } : null;
    if (warm && warm.coef.cols !== nf) {
      throw new MlshipError('SHAPE_MISMATCH', `${who}: warmStart: the previous fit had ${warm.coef.cols} features, X has ${nf}; refit with warmStart false`, { field: 'X' });
    }
    const opts = { gtol: p.tol, maxIter: p.maxIter };
    const results: LbfgsResult[] = [];
    let coef: Matrix;
    let intercept: Float64Array;
    if (multinomial) {
      const dof = nf + (fi ? 1 : 0);
      const w0 = new Float64Array(dof * k);
      if (warm) {
        const rows = warm.coef.rows;
        if (rows !== (k === 2 ? 1 : k)) throw new MlshipError('SHAPE_MISMATCH', `${who}: warmStart: the previous fit had ${rows} coefficient rows, this one needs ${k === 2 ? 1 : k}`, { field: 'warmStart' });
        for (let j = 0; j < dof; j++) {
          for (let c = 0; c < k; c++) {
            const v = j < nf ? (k === 2 ? warm.coef.get(0, j) : warm.coef.get(c, j)) : k === 2 ? warm.intercept[0]! : warm.intercept[c]!;
            w0[j * k + c] = k === 2 && c === 0 ? -v : v;
          }
        }
      }
      const res = lbfgs(multinomialLossGrad(Xm, codes, k, sw, l2, fi), w0, opts);
      results.push(res);
      const rows = k === 2 ? 1 : k;
      coef = new Matrix(rows, nf);
      intercept = new Float64Array(rows);
      for (let r = 0; r < rows; r++) {
        const c = k === 2 ? 1 : r;
        for (let j = 0; j < nf; j++) coef.data[r * nf + j] = res.x[j * k + c]!;
        if (fi) intercept[r] = res.x[nf * k + c]!;
      }
    } else {
      const positives = k === 2 ? [1] : classes.map((_, c) => c);
      coef = new Matrix(positives.length, nf);
      intercept = new Float64Array(positives.length);
      const yBin = new Float64Array(n);
      const swBin = new Float64Array(n);
      positives.forEach((pos, r) => {
        let nPos = 0;
        for (let i = 0; i < n; i++) {
          yBin[i] = codes[i] === pos ? 1 : 0;
          nPos += yBin[i]!;
        }
        swBin.set(sw);
        if (p.classWeight === 'balanced') {
          const w1 = n / (2 * nPos);
          const w0 = n / (2 * (n - nPos));
          for (let i = 0; i < n; i++) swBin[i] = swBin[i]! * (yBin[i] === 1 ? w1 : w0);
        }
        const x0 = new Float64Array(nf + (fi ? 1 : 0));
        if (warm) {
          if (warm.coef.rows !== positives.length) throw new MlshipError('SHAPE_MISMATCH', `${who}: warmStart: the previous fit had ${warm.coef.rows} coefficient rows, this one needs ${positives.length}`, { field: 'warmStart' });
          x0.set(warm.coef.row(r));
          if (fi) x0[nf] = warm.intercept[r]!;
        }
        const res = lbfgs(binomialLossGrad(Xm, yBin, swBin, l2, fi), x0, opts);
        results.push(res);
        coef.data.set(res.x.subarray(0, nf), r * nf);
        if (fi) intercept[r] = res.x[nf]!;
      });
    }
    this.classes_ = classes;
    this.nFeaturesIn_ = nf;
    this.coef_ = coef;
    this.intercept_ = intercept;
    this.nIter_ = Int32Array.from(results, (r) => Math.min(r.nIter, p.maxIter));
    const failed = results.find((r) => r.status !== 0);
    if (failed) {
      process.emitWarning(
        `LogisticRegression: lbfgs failed to converge (status=${failed.status}): ${failed.message}. Increase the number of iterations (maxIter, now ${p.maxIter}) or scale the data.`,
        { code: 'MLSHIP_CONVERGENCE', type: 'ConvergenceWarning' },
      );
    }
    return this;
  }

  private checkedX(X: MatrixInput, method: string): AnyMatrix {
    this.requireFitted(method);
    const who = `LogisticRegression.${method}`;
    const Xm = checkMatrix(X, who);
    checkFeatureCount(Xm, this.nFeaturesIn_!, who);
    return Xm;
  }

  private scores(Xm: AnyMatrix): Float64Array {
    return linearScores(Xm, this.coef_!, this.intercept_!);
  }

  /**
   * Signed distances to the hyperplanes, `X @ coef_^T + intercept_`. Returns a Matrix of
   * rows x 1 for two classes (scikit-learn returns the same values as a 1-D array) and
   * rows x classes otherwise.
   */
  decisionFunction(X: MatrixInput): Matrix {
    const Xm = this.checkedX(X, 'decisionFunction');
    return new Matrix(Xm.rows, this.coef_!.rows, this.scores(Xm));
  }

  /** The predicted class of each row: the sign of the score for two classes, the arg-max otherwise. */
  predict(X: MatrixInput): Label[] {
    const Xm = this.checkedX(X, 'predict');
    return this.labelsOf(this.scores(Xm), Xm.rows);
  }

  /** The labels of `n` rows of scores (`n x coef_.rows`). */
  private labelsOf(s: Float64Array, n: number): Label[] {
    const r = this.coef_!.rows;
    const classes = this.classes_!;
    const out = new Array<Label>(n);
    if (r === 1) {
      for (let i = 0; i < n; i++) out[i] = classes[s[i]! > 0 ? 1 : 0]!;
    } else {
      const idx = new Int32Array(n);
      argmaxRows(s, n, r, idx);
      for (let i = 0; i < n; i++) out[i] = classes[idx[i]!]!;
    }
    return out;
  }

  /**
   * The model as linear scores `X @ coef_^T + intercept_`, for pipelines that fuse it with their
   * vectorizer (see `Pipeline`): `labels` / `proba` turn `n` rows of scores into what `predict` /
   * `predictProba` return. Undefined before fit.
   *
   * @example
   * ```ts
   * const lr = new LogisticRegression().fit([[0], [1], [2], [3]], ['a', 'a', 'b', 'b']);
   * lr.linearHead()!.labels(Float64Array.of(2.5), 1); // ['b']
   * ```
   */
  linearHead(): LinearHead | undefined {
    const coef = this.coef_;
    if (!coef) return undefined;
    return {
      weights: coef.data,
      bias: this.intercept_!,
      rows: coef.rows,
      nFeatures: coef.cols,
      labels: (s, n) => this.labelsOf(s, n),
      proba: (s, n) => this.probaOf(s, n),
    };
  }

  /**
   * Class probabilities (columns in `classes_` order): softmax of the scores for multinomial
   * models, normalised sigmoids for one-vs-rest, as scikit-learn.
   */
  predictProba(X: MatrixInput): Matrix {
    const Xm = this.checkedX(X, 'predictProba');
    return this.proba(Xm);
  }

  private proba(Xm: AnyMatrix): Matrix {
    return this.probaOf(this.scores(Xm), Xm.rows);
  }

  /** Class probabilities of `n` rows of scores (`n x coef_.rows`). */
  private probaOf(s: Float64Array, n: number): Matrix {
    const k = this.classes_!.length;
    const r = this.coef_!.rows;
    const mc = this.params.multiClass;
    const ovr = mc === 'ovr' || (mc === 'auto' && k <= 2);
    const out = new Matrix(n, k);
    const o = out.data;
    if (ovr) {
      if (r === 1) {
        for (let i = 0; i < n; i++) {
          const p = 1 / (1 + Math.exp(-s[i]!));
          o[2 * i] = 1 - p;
          o[2 * i + 1] = p;
        }
      } else {
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let c = 0; c < k; c++) {
            const p = 1 / (1 + Math.exp(-s[i * k + c]!));
            o[i * k + c] = p;
            sum += p;
          }
          for (let c = 0; c < k; c++) o[i * k + c] = o[i * k + c]! / sum;
        }
      }
    } else {
      if (r === 1) {
        for (let i = 0; i < n; i++) {
          o[2 * i] = -s[i]!;
          o[2 * i + 1] = s[i]!;
        }
      } else o.set(s);
      softmaxRows(o, n, k);
    }
    return out;
  }

  /** `log(predictProba(X))`. */
  predictLogProba(X: MatrixInput): Matrix {
    const Xm = this.checkedX(X, 'predictLogProba');
    const p = this.proba(Xm);
    for (let q = 0; q < p.data.length; q++) p.data[q] = Math.log(p.data[q]!);
    return p;
  }

  /** Mean accuracy of `predict(X)` against y; labels never seen in fit count as misses. */
  score(X: MatrixInput, y: ArrayLike<Label>): number {
    return labelAccuracy(y, this.predict(X), 'LogisticRegression.score');
  }

  protected getState(): EstimatorState {
    return {
      classes: this.classes_!.slice(),
      nFeaturesIn: this.nFeaturesIn_!,
      coefRows: this.coef_!.rows,
      coef: this.coef_!.data.slice(),
      intercept: this.intercept_!.slice(),
      nIter: this.nIter_!.slice(),
    };
  }

  protected setState(state: EstimatorState): void {
    const classes = state['classes'];
    const d = state['nFeaturesIn'];
    const rows = state['coefRows'];
    const coef = state['coef'];
    const intercept = state['intercept'];
    const nIter = state['nIter'];
    if (
      !Array.isArray(classes) ||
      classes.length < 2 ||
      typeof d !== 'number' ||
      typeof rows !== 'number' ||
      rows !== (classes.length === 2 ? 1 : classes.length) ||
      !(coef instanceof Float64Array) ||
      coef.length !== rows * d ||
      !(intercept instanceof Float64Array) ||
      intercept.length !== rows ||
      !(nIter instanceof Int32Array)
    ) {
      throw new MlshipError('CORRUPT_ARTIFACT', 'LogisticRegression: saved state is malformed (expected classes, nFeaturesIn, coefRows, coef, intercept, nIter of matching sizes)');
    }
    this.classes_ = classes as Label[];
    this.nFeaturesIn_ = d;
    this.coef_ = new Matrix(rows, d, coef);
    this.intercept_ = intercept;
    this.nIter_ = nIter;
  }
}
registerEstimator(LogisticRegression);

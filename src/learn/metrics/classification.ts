import { Matrix, MlshipError, type Label } from '../../core/index.js';
import { checkConsistentLength, checkNonEmpty, pairwiseSum, reprLabels, unionLabels } from './validate.js';

/** How per-label scores are combined, as scikit-learn's `average`. `null` returns one score per label. */
export type Average = 'binary' | 'micro' | 'macro' | 'weighted' | null;

/** Value returned where a ratio divides by zero. `'warn'` behaves as 0 (scikit-learn also warns). */
export type ZeroDivision = 'warn' | 0 | 1;

/** Options shared by precision, recall and F-scores. */
export interface PrfOptions {
  /** The labels to score, in this order; labels absent from the data score by `zeroDivision`. @default all labels of yTrue and yPred, sorted */
  labels?: Label[];
  /** The positive class when `average` is `'binary'` (null means the default). @default 1 */
  posLabel?: Label | null;
  /** How to combine per-label scores. @default 'binary' (null for precisionRecallFscoreSupport) */
  average?: Average;
  /** The value of a ratio whose denominator is 0. @default 'warn' (acts as 0) */
  zeroDivision?: ZeroDivision;
}

/** Per-label or averaged precision, recall, F-score and support. */
export interface PrfsResult<T> {
  precision: T;
  recall: T;
  fscore: T;
  /** Number of true samples per label; null when averaged, as scikit-learn. */
  support: T extends number ? null : Float64Array;
}

function yType(labels: readonly Label[]): 'binary' | 'multiclass' {
  return labels.length <= 2 ? 'binary' : 'multiclass';
}

function checkTargets(fn: string, yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>): Label[] {
  checkConsistentLength(fn, { yTrue, yPred });
  checkNonEmpty(fn, 'yTrue', yTrue);
  return unionLabels(yTrue, yPred);
}

/**
 * Fraction (or count) of correct predictions, as scikit-learn's `accuracy_score`.
 *
 * @example
 * ```ts
 * accuracyScore(['spam', 'ham', 'ham'], ['spam', 'spam', 'ham']); // 0.666...
 * ```
 */
export function accuracyScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: { /** Return the fraction (true) or the count. @default true */ normalize?: boolean } = {}): number {
  checkTargets('accuracyScore', yTrue, yPred);
  let hits = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) hits++;
  return options.normalize === false ? hits : hits / yTrue.length;
}

interface Counts {
  labels: Label[];
  tp: Float64Array;
  pred: Float64Array;
  true: Float64Array;
}

/** Per-label true positive, predicted and true counts for `labels` (sklearn's multilabel_confusion_matrix on 1-D y). */
function countsFor(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, labels: Label[]): Counts {
  const index = new Map<Label, number>();
  labels.forEach((l, i) => index.set(l, i));
  const k = labels.length;
  const tp = new Float64Array(k);
  const pred = new Float64Array(k);
  const tru = new Float64Array(k);
  for (let i = 0; i < yTrue.length; i++) {
    const a = index.get(yTrue[i]!);
    const b = index.get(yPred[i]!);
    if (a !== undefined) tru[a]!++;
    if (b !== undefined) pred[b]!++;
    if (a !== undefined && a === b) tp[a]!++;
  }
  return { labels, tp, pred, true: tru };
}

function prfDivide(num: Float64Array, den: Float64Array, zeroDivision: ZeroDivision): Float64Array {
  const out = new Float64Array(num.length);
  const z = zeroDivision === 1 ? 1 : 0;
  for (let i = 0; i < num.length; i++) out[i] = den[i] === 0 ? z : num[i]! / den[i]!;
  return out;
}

function average(x: Float64Array, weights: Float64Array | null): number {
  if (!weights) return pairwiseSum(x) / x.length;
  const prod = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) prod[i] = x[i]! * weights[i]!;
  return pairwiseSum(prod) / pairwiseSum(weights);
}

function checkZeroDivision(fn: string, z: unknown): ZeroDivision {
  if (z === undefined) return 'warn';
  if (z === 'warn' || z === 0 || z === 1) return z;
  throw new MlshipError('INVALID_ARGUMENT', `${fn}: zeroDivision must be 'warn', 0 or 1, got ${JSON.stringify(z)}`, { field: 'zeroDivision', value: z });
}

export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: PrfOptions & { beta?: number; average: Exclude<Average, null> },
): PrfsResult<number>;
export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options?: PrfOptions & { beta?: number; average?: null },
): PrfsResult<Float64Array>;
/**
 * Precision, recall, F-beta score and support, as scikit-learn's `precision_recall_fscore_support`
 * (same `average`, `labels`, `posLabel` and `zeroDivision` semantics). With `average: null` (the
 * default) each is a Float64Array in the order of `labels`.
 *
 * @example
 * ```ts
 * const { precision, recall, fscore, support } = precisionRecallFscoreSupport(yTrue, yPred);
 * precisionRecallFscoreSupport(yTrue, yPred, { average: 'macro' }).fscore; // a number
 * ```
 */
export function precisionRecallFscoreSupport(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: PrfOptions & { beta?: number } = {},
): PrfsResult<number> | PrfsResult<Float64Array> {
  const fn = 'precisionRecallFscoreSupport';
  const beta = options.beta ?? 1;
  const avg = options.average === undefined ? null : options.average;
  const zeroDivision = checkZeroDivision(fn, options.zeroDivision);
  if (!(beta >= 0)) throw new MlshipError('INVALID_ARGUMENT', `${fn}: beta should be >= 0 in the F-beta score, got ${beta}`, { field: 'beta', value: beta });
  if (avg !== null && !['binary', 'micro', 'macro', 'weighted'].includes(avg)) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: average has to be one of null, 'binary', 'micro', 'macro', 'weighted'; got ${JSON.stringify(avg)}`, { field: 'average', value: avg });
  }
  const present = checkTargets(fn, yTrue, yPred);
  let labels = options.labels ?? present;
  if (avg === 'binary') {
    const posLabel: Label = options.posLabel ?? 1;
    if (yType(present) === 'binary') {
      if (!present.includes(posLabel) && present.length >= 2) {
        throw new MlshipError('INVALID_ARGUMENT', `${fn}: posLabel=${JSON.stringify(posLabel)} is not a valid label. It should be one of ${reprLabels(present)}`, { field: 'posLabel', value: posLabel });
      }
      labels = [posLabel];
    } else {
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `${fn}: target is multiclass but average='binary'. Please choose another average setting, one of [null, 'micro', 'macro', 'weighted'].`,
        { field: 'average', value: avg },
      );
    }
  }
  const c = countsFor(yTrue, yPred, labels);
  let tp = c.tp;
  let predSum = c.pred;
  let trueSum = c.true;
  if (avg === 'micro') {
    tp = Float64Array.of(pairwiseSum(tp));
    predSum = Float64Array.of(pairwiseSum(predSum));
    trueSum = Float64Array.of(pairwiseSum(trueSum));
  }
  const precision = prfDivide(tp, predSum, zeroDivision);
  const recall = prfDivide(tp, trueSum, zeroDivision);
  const fscore = new Float64Array(tp.length);
  const beta2 = beta * beta;
  for (let i = 0; i < fscore.length; i++) {
    if (beta === Infinity) {
      fscore[i] = recall[i]!;
      continue;
    }
    let denom = beta2 * precision[i]! + recall[i]!;
    if (denom === 0) denom = 1;
    fscore[i] = ((1 + beta2) * precision[i]! * recall[i]!) / denom;
  }
  if (avg === null) return { precision, recall, fscore, support: trueSum };
  let weights: Float64Array | null = null;
  if (avg === 'weighted') {
    weights = trueSum;
    if (pairwiseSum(weights) === 0) {
      const z = zeroDivision === 1 ? 1 : 0;
      if (pairwiseSum(predSum) === 0) return { precision: z, recall: z, fscore: z, support: null };
      return { precision: 0, recall: z, fscore: 0, support: null };
    }
  }
  return { precision: average(precision, weights), recall: average(recall, weights), fscore: average(fscore, weights), support: null };
}

type ScoreOptions = PrfOptions;

function single(
  yTrue: ArrayLike<Label>,
  yPred: ArrayLike<Label>,
  options: ScoreOptions & { beta?: number },
  pick: 'precision' | 'recall' | 'fscore',
): number | Float64Array {
  const avg = options.average === undefined ? 'binary' : options.average;
  if (avg === null) return precisionRecallFscoreSupport(yTrue, yPred, { ...options, average: null })[pick];
  return precisionRecallFscoreSupport(yTrue, yPred, { ...options, average: avg })[pick];
}

export function precisionScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrfOptions & { average?: Exclude<Average, null> }): number;
export function precisionScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions & { average: null }): Float64Array;
/**
 * Precision tp / (tp + fp), as scikit-learn's `precision_score` (`average` defaults to `'binary'`
 * with `posLabel` 1).
 *
 * @example
 * ```ts
 * precisionScore(yTrue, yPred, { posLabel: 'spam' });
 * precisionScore(yTrue, yPred, { average: 'macro' });
 * ```
 */
export function precisionScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions = {}): number | Float64Array {
  return single(yTrue, yPred, options, 'precision');
}

export function recallScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrfOptions & { average?: Exclude<Average, null> }): number;
export function recallScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions & { average: null }): Float64Array;
/**
 * Recall tp / (tp + fn), as scikit-learn's `recall_score`.
 *
 * @example
 * ```ts
 * recallScore(yTrue, yPred, { posLabel: 'spam' });
 * ```
 */
export function recallScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions = {}): number | Float64Array {
  return single(yTrue, yPred, options, 'recall');
}

export function f1Score(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: PrfOptions & { average?: Exclude<Average, null> }): number;
export function f1Score(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions & { average: null }): Float64Array;
/**
 * F1 = 2 PR / (P + R), as scikit-learn's `f1_score`.
 *
 * @example
 * ```ts
 * f1Score(yTrue, yPred, { average: 'weighted' });
 * ```
 */
export function f1Score(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions = {}): number | Float64Array {
  return single(yTrue, yPred, { ...options, beta: 1 }, 'fscore');
}

export function fbetaScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions & { beta: number; average?: Exclude<Average, null> }): number;
export function fbetaScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions & { beta: number; average: null }): Float64Array;
/**
 * F-beta score, as scikit-learn's `fbeta_score`; `beta` weighs recall `beta` times as much as precision.
 *
 * @example
 * ```ts
 * fbetaScore(yTrue, yPred, { beta: 2, posLabel: 'spam' });
 * ```
 */
export function fbetaScore(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: PrfOptions & { beta: number }): number | Float64Array {
  if (options?.beta === undefined) throw new MlshipError('INVALID_ARGUMENT', 'fbetaScore: options.beta is required (e.g. { beta: 2 })', { field: 'beta' });
  return single(yTrue, yPred, options, 'fscore');
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions {
  /** Row/column order; samples with other labels are ignored. @default all labels of yTrue and yPred, sorted */
  labels?: Label[];
  /** Normalise over true rows, predicted columns or all cells. @default null */
  normalize?: 'true' | 'pred' | 'all' | null;
}

/**
 * The confusion matrix C where C[i][j] counts samples of true label i predicted as j, as
 * scikit-learn's `confusion_matrix`.
 *
 * @example
 * ```ts
 * confusionMatrix(['a', 'b', 'a'], ['a', 'a', 'a']).toArray(); // [[2, 0], [1, 0]]
 * ```
 */
export function confusionMatrix(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ConfusionMatrixOptions = {}): Matrix {
  const fn = 'confusionMatrix';
  const present = checkTargets(fn, yTrue, yPred);
  const labels = options.labels ?? present;
  const normalize = options.normalize ?? null;
  if (normalize !== null && !['true', 'pred', 'all'].includes(normalize)) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: normalize must be one of 'true', 'pred', 'all' or null, got ${JSON.stringify(normalize)}`, { field: 'normalize', value: normalize });
  }
  if (options.labels) {
    if (labels.length === 0) throw new MlshipError('INVALID_ARGUMENT', `${fn}: 'labels' should contain at least one label`, { field: 'labels' });
    const inTrue = new Set<Label>();
    for (let i = 0; i < yTrue.length; i++) inTrue.add(yTrue[i]!);
    if (!labels.some((l) => inTrue.has(l))) {
      throw new MlshipError('INVALID_ARGUMENT', `${fn}: at least one label specified must be in yTrue; labels=${reprLabels(labels)}`, { field: 'labels' });
    }
  }
  const index = new Map<Label, number>();
  labels.forEach((l, i) => index.set(l, i));
  const k = labels.length;
  const cm = new Matrix(k, k);
  for (let i = 0; i < yTrue.length; i++) {
    const a = index.get(yTrue[i]!);
    const b = index.get(yPred[i]!);
    if (a !== undefined && b !== undefined) cm.data[a * k + b]!++;
  }
  if (normalize === null) return cm;
  const d = cm.data;
  if (normalize === 'all') {
    const s = pairwiseSum(d);
    for (let i = 0; i < d.length; i++) d[i] = s === 0 ? 0 : d[i]! / s;
  } else if (normalize === 'true') {
    for (let i = 0; i < k; i++) {
      const s = pairwiseSum(d, i * k, k);
      for (let j = 0; j < k; j++) d[i * k + j] = s === 0 ? 0 : d[i * k + j]! / s;
    }
  } else {
    const col = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < k; i++) col[i] = d[i * k + j]!;
      const s = pairwiseSum(col);
      for (let i = 0; i < k; i++) d[i * k + j] = s === 0 ? 0 : d[i * k + j]! / s;
    }
  }
  return cm;
}

/** One row of a classification report. */
export interface ReportRow {
  precision: number;
  recall: number;
  'f1-score': number;
  support: number;
}

/** The object form of a classification report (scikit-learn's `output_dict=True`). */
export type ClassificationReportDict = { [label: string]: ReportRow | number };

/** Options of {@link classificationReport}. */
export interface ClassificationReportOptions {
  /** Labels to report, in order. @default all labels of yTrue and yPred, sorted */
  labels?: Label[];
  /** Display names for `labels`. @default the labels as strings */
  targetNames?: string[];
  /** Decimal digits in the text form. @default 2 */
  digits?: number;
  /** See {@link ZeroDivision}. @default 'warn' */
  zeroDivision?: ZeroDivision;
  /** Return the object form instead of text. @default false */
  outputDict?: boolean;
}

/**
 * Formats like Python's `'{:.{digits}f}'` (round half to even on the exact binary value).
 *
 * @example
 * ```ts
 * formatFixed(0.625, 2); // '0.62' (toFixed gives '0.63')
 * ```
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return x !== x ? 'nan' : x > 0 ? 'inf' : '-inf';
  let s = x.toFixed(digits);
  // JS rounds exact ties away from zero; Python rounds them to even. Ties have exactly digits+1 decimals.
  const longer = Math.abs(x).toFixed(Math.min(100, digits + 25));
  const tail = longer.slice(longer.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    const down = Math.abs(x).toFixed(digits + 1).slice(0, -1);
    const lastDigit = Number(down.replace('.', '').slice(-1));
    if (lastDigit % 2 === 0) {
      const trimmed = digits === 0 ? down.replace(/\.$/, '') : down;
      s = (x < 0 ? '-' : '') + trimmed;
    }
  }
  return s;
}

function padLeft(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : ' '.repeat(width - len) + s;
}

export function classificationReport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationReportOptions & { outputDict: true }): ClassificationReportDict;
export function classificationReport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options?: ClassificationReportOptions & { outputDict?: false }): string;
/**
 * A text report of precision, recall, F1 and support per label plus accuracy, macro and weighted
 * averages, formatted exactly like scikit-learn's `classification_report`; with `outputDict: true`
 * the same numbers as an object.
 *
 * @example
 * ```ts
 * console.log(classificationReport(yTest, model.predict(xTest)));
 * const dict = classificationReport(yTest, pred, { outputDict: true });
 * dict['macro avg'];
 * ```
 */
export function classificationReport(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: ClassificationReportOptions = {}): string | ClassificationReportDict {
  const fn = 'classificationReport';
  const present = checkTargets(fn, yTrue, yPred);
  const digits = options.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: digits must be an integer in [0, 20], got ${digits}`, { field: 'digits', value: digits });
  }
  const labelsGiven = options.labels !== undefined;
  const labels = options.labels ?? present;
  const type = yType(present);
  const sameSet = !labelsGiven || (new Set(labels).size === present.length && present.every((l) => labels.includes(l)));
  const microIsAccuracy = (type === 'multiclass' || type === 'binary') && sameSet;
  let targetNames = options.targetNames;
  if (targetNames !== undefined && targetNames.length !== labels.length && !labelsGiven) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `${fn}: number of classes, ${labels.length}, does not match size of targetNames, ${targetNames.length}. Try specifying the labels parameter`,
      { field: 'targetNames' },
    );
  }
  targetNames ??= labels.map((l) => String(l));
  const zeroDivision = options.zeroDivision ?? 'warn';
  const per = precisionRecallFscoreSupport(yTrue, yPred, { labels, average: null, zeroDivision });
  const n = Math.min(targetNames.length, labels.length);
  const totalSupport = pairwiseSum(per.support);
  const averages: { heading: string; row: ReportRow }[] = [];
  for (const avg of ['micro', 'macro', 'weighted'] as const) {
    const heading = avg === 'micro' && microIsAccuracy ? 'accuracy' : `${avg} avg`;
    const r = precisionRecallFscoreSupport(yTrue, yPred, { labels, average: avg, zeroDivision });
    averages.push({ heading, row: { precision: r.precision, recall: r.recall, 'f1-score': r.fscore, support: totalSupport } });
  }
  if (options.outputDict) {
    const out: ClassificationReportDict = {};
    for (let i = 0; i < n; i++) {
      out[targetNames[i]!] = { precision: per.precision[i]!, recall: per.recall[i]!, 'f1-score': per.fscore[i]!, support: per.support[i]! };
    }
    for (const { heading, row } of averages) out[heading] = heading === 'accuracy' ? row.precision : row;
    return out;
  }
  const headers = ['precision', 'recall', 'f1-score', 'support'];
  const nameWidth = Math.max(...targetNames.slice(0, n).map((t) => [...t].length), 0);
  const width = Math.max(nameWidth, 'weighted avg'.length, digits);
  let report = padLeft('', width) + ' ' + headers.map((h) => ' ' + padLeft(h, 9)).join('') + '\n\n';
  const row = (name: string, p: number, r: number, f: number, s: number): string =>
    padLeft(name, width) + ' ' + [p, r, f].map((v) => ' ' + padLeft(formatFixed(v, digits), 9)).join('') + ' ' + padLeft(String(s), 9) + '\n';
  for (let i = 0; i < n; i++) report += row(targetNames[i]!, per.precision[i]!, per.recall[i]!, per.fscore[i]!, per.support[i]!);
  report += '\n';
  for (const { heading, row: r } of averages) {
    if (heading === 'accuracy') {
      report += padLeft(heading, width) + ' ' + ' ' + padLeft('', 9) + ' ' + padLeft('', 9) + ' ' + padLeft(formatFixed(r['f1-score'], digits), 9) + ' ' + padLeft(String(r.support), 9) + '\n';
    } else {
      report += row(heading, r.precision, r.recall, r['f1-score'], r.support);
    }
  }
  return report;
}

/** Options of {@link logLoss}. */
export interface LogLossOptions {
  /** Probabilities are clipped to [eps, 1 - eps]; 'auto' is float64 machine epsilon. @default 'auto' */
  eps?: 'auto' | number;
  /** Return the mean (true) or the sum of per-sample losses. @default true */
  normalize?: boolean;
  /** The classes, in column order of yPred. @default the sorted labels of yTrue */
  labels?: Label[];
}

/**
 * Cross-entropy loss of predicted probabilities, as scikit-learn 1.2's `log_loss` (clipping to
 * [eps, 1-eps] then renormalising rows). `yPred` is `predictProba` output (one column per sorted
 * class) or, for two classes, the probability of the greater class.
 *
 * @example
 * ```ts
 * logLoss(yTest, model.predictProba(xTest));
 * logLoss([0, 1, 1], [0.1, 0.8, 0.6]);
 * ```
 */
export function logLoss(yTrue: ArrayLike<Label>, yPred: Matrix | ArrayLike<number>, options: LogLossOptions = {}): number {
  const fn = 'logLoss';
  const n = yTrue.length;
  const rows = yPred instanceof Matrix ? yPred.rows : yPred.length;
  checkConsistentLength(fn, { yTrue, yPred: { length: rows } });
  checkNonEmpty(fn, 'yTrue', yTrue);
  const eps = options.eps === undefined || options.eps === 'auto' ? Number.EPSILON : options.eps;
  if (!(typeof eps === 'number' && eps >= 0 && eps < 0.5)) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: eps must be 'auto' or a number in [0, 0.5), got ${JSON.stringify(options.eps)}`, { field: 'eps' });
  }
  const classes = options.labels ? unionLabels(options.labels) : unionLabels(yTrue);
  if (classes.length === 1) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      options.labels
        ? `${fn}: the labels array needs to contain at least two labels for logLoss, got ${reprLabels(classes)}`
        : `${fn}: yTrue contains only one label (${String(classes[0])}). Please provide the true labels explicitly through the labels option.`,
      { field: 'labels' },
    );
  }
  const cols = yPred instanceof Matrix ? yPred.cols : 1;
  const k = cols === 1 ? 2 : cols;
  if (classes.length !== k) {
    throw new MlshipError(
      'SHAPE_MISMATCH',
      options.labels
        ? `${fn}: the number of classes in labels (${classes.length}) is different from that in yPred (${k}). Classes found in labels: ${reprLabels(classes)}`
        : `${fn}: yTrue and yPred contain different number of classes ${classes.length}, ${k}. Please provide the true labels explicitly through the labels option. Classes found in yTrue: ${reprLabels(classes)}`,
      { field: 'yPred' },
    );
  }
  const index = new Map<Label, number>();
  classes.forEach((c, i) => index.set(c, i));
  const src = yPred instanceof Matrix ? yPred.data : yPred;
  const lo = eps;
  const hi = 1 - eps;
  const loss = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = index.get(yTrue[i]!);
    if (t === undefined) {
      throw new MlshipError('INVALID_DATA', `${fn}: yTrue[${i}] = ${JSON.stringify(yTrue[i])} is not one of the labels ${reprLabels(classes)}`, { field: 'yTrue', index: i });
    }
    let pt: number;
    let sum: number;
    if (cols === 1) {
      let p = src[i]!;
      if (Number.isNaN(p)) throw new MlshipError('INVALID_DATA', `${fn}: yPred[${i}] is NaN`, { field: 'yPred', index: i });
      p = p < lo ? lo : p > hi ? hi : p;
      const q = 1 - p;
      sum = q + p;
      pt = t === 1 ? p : q;
    } else {
      sum = 0;
      pt = 0;
      for (let j = 0; j < cols; j++) {
        let p = src[i * cols + j]!;
        if (Number.isNaN(p)) throw new MlshipError('INVALID_DATA', `${fn}: yPred row ${i} column ${j} is NaN`, { field: 'yPred', index: i });
        p = p < lo ? lo : p > hi ? hi : p;
        sum += p;
        if (j === t) pt = p;
      }
    }
    loss[i] = -Math.log(pt / sum);
  }
  const total = pairwiseSum(loss);
  return options.normalize === false ? total : total / n;
}

/** Options of {@link businessCost}. */
export interface BusinessCostOptions {
  /** Cost of a false positive (e.g. a legitimate transaction blocked). @default 1 */
  costFp?: number;
  /** Cost of a false negative (e.g. a fraud let through). @default 10 */
  costFn?: number;
  /** Cost of a true positive (e.g. the review of a flagged case). @default 0 */
  costTp?: number;
  /** Cost of a true negative. @default 0 */
  costTn?: number;
  /** The positive class (fraud, spam). @default 1 */
  posLabel?: Label;
}

/** What {@link businessCost} returns. */
export interface BusinessCostResult {
  /** Total cost over all samples. */
  total: number;
  /** Mean cost per sample (total / n). */
  mean: number;
  /** Cost of each sample, in input order. */
  perSample: Float64Array;
  /** Outcome counts for `posLabel`. */
  counts: { tp: number; fp: number; fn: number; tn: number };
}

/**
 * A business cost metric: each false positive and false negative costs a fixed amount (the
 * fraud example: a missed fraud costs e.g. 10x a wrongly blocked payment). Lower is better; use
 * the `'neg_business_cost'` scorer or `makeScorer` to select models by it.
 *
 * @example
 * ```ts
 * const c = businessCost(yTest, pred, { costFp: 5, costFn: 50, posLabel: 'fraud' });
 * c.total; c.mean; c.counts.fn;
 * ```
 */
export function businessCost(yTrue: ArrayLike<Label>, yPred: ArrayLike<Label>, options: BusinessCostOptions = {}): BusinessCostResult {
  const fn = 'businessCost';
  checkConsistentLength(fn, { yTrue, yPred });
  checkNonEmpty(fn, 'yTrue', yTrue);
  const costFp = options.costFp ?? 1;
  const costFn = options.costFn ?? 10;
  const costTp = options.costTp ?? 0;
  const costTn = options.costTn ?? 0;
  for (const [name, v] of Object.entries({ costFp, costFn, costTp, costTn })) {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MlshipError('INVALID_ARGUMENT', `${fn}: ${name} must be a finite number, got ${String(v)}`, { field: name, value: v });
    }
  }
  const posLabel = options.posLabel ?? 1;
  const present = unionLabels(yTrue, yPred);
  if (!present.includes(posLabel) && present.length >= 2) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: posLabel=${JSON.stringify(posLabel)} is not a valid label. It should be one of ${reprLabels(present)}`, { field: 'posLabel', value: posLabel });
  }
  const n = yTrue.length;
  const perSample = new Float64Array(n);
  let tp = 0;
  let fp = 0;
  let fnc = 0;
  let tn = 0;
  for (let i = 0; i < n; i++) {
    const t = yTrue[i] === posLabel;
    const p = yPred[i] === posLabel;
    if (t && p) {
      tp++;
      perSample[i] = costTp;
    } else if (p) {
      fp++;
      perSample[i] = costFp;
    } else if (t) {
      fnc++;
      perSample[i] = costFn;
    } else {
      tn++;
      perSample[i] = costTn;
    }
  }
  const total = tp * costTp + fp * costFp + fnc * costFn + tn * costTn;
  return { total, mean: total / n, perSample, counts: { tp, fp, fn: fnc, tn } };
}

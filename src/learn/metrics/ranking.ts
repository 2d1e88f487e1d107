import { Matrix, MlshipError, type Label } from '../../core/index.js';
import { asScores, checkConsistentLength, checkFinite, checkNonEmpty, pairwiseSum, reprLabels, unionLabels } from './validate.js';

/** Resolves `posLabel` as scikit-learn's `_check_pos_label_consistency`. */
function resolvePosLabel(fn: string, yTrue: ArrayLike<Label>, posLabel: Label | null | undefined): { posLabel: Label; classes: Label[] } {
  const classes = unionLabels(yTrue);
  if (posLabel !== undefined && posLabel !== null) return { posLabel, classes };
  const key = classes.join(',');
  const numeric = classes.every((c) => typeof c === 'number');
  if (!numeric || !['0,1', '-1,1', '0', '-1', '1'].includes(key)) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `${fn}: yTrue takes value in ${reprLabels(classes)} and posLabel is not specified: either make yTrue take value in {0, 1} or {-1, 1} or pass posLabel explicitly.`,
      { field: 'posLabel' },
    );
  }
  return { posLabel: 1, classes };
}

/** The distinct-threshold false and true positive counts (scikit-learn's `_binary_clf_curve`). */
function binaryClfCurve(fn: string, yTrue: ArrayLike<Label>, yScore: ArrayLike<number> | Matrix, posLabel: Label | null | undefined): { fps: Float64Array; tps: Float64Array; thresholds: Float64Array } {
  const score = asScores(fn, 'yScore', yScore);
  checkConsistentLength(fn, { yTrue, yScore: score });
  checkNonEmpty(fn, 'yTrue', yTrue);
  checkFinite(fn, 'yScore', score);
  const resolved = resolvePosLabel(fn, yTrue, posLabel);
  if (resolved.classes.length > 2 && (posLabel === undefined || posLabel === null)) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: multiclass format is not supported; pass posLabel to score one class against the rest`, { field: 'yTrue' });
  }
  const pos = resolved.posLabel;
  const n = score.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => score[b]! - score[a]!);
  // Count distinct thresholds first so that outputs are allocated once.
  let m = 0;
  for (let k = 0; k < n; k++) if (k === n - 1 || score[order[k]!] !== score[order[k + 1]!]) m++;
  const fps = new Float64Array(m);
  const tps = new Float64Array(m);
  const thresholds = new Float64Array(m);
  let tp = 0;
  let j = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    if (yTrue[i] === pos) tp++;
    if (k === n - 1 || score[i] !== score[order[k + 1]!]) {
      tps[j] = tp;
      fps[j] = k + 1 - tp;
      thresholds[j] = score[i]!;
      j++;
    }
  }
  return { fps, tps, thresholds };
}

/** A ROC curve: false and true positive rates at decreasing thresholds. */
export interface RocCurve {
  fpr: Float64Array;
  tpr: Float64Array;
  /** Decreasing; `thresholds[0]` is `max(score) + 1` (scikit-learn 1.2 convention). */
  thresholds: Float64Array;
}

/**
 * The receiver operating characteristic curve, as scikit-learn 1.2.1's `roc_curve` (collinear
 * points dropped with `dropIntermediate`, and `thresholds[0] = thresholds[1] + 1`).
 *
 * @example
 * ```ts
 * const { fpr, tpr, thresholds } = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
 * ```
 */
export function rocCurve(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number> | Matrix,
  options: {
    /** The positive class. @default 1 when yTrue is in {0, 1} or {-1, 1}; required otherwise */
    posLabel?: Label | null;
    /** Drop thresholds whose points are collinear with their neighbours. @default true */
    dropIntermediate?: boolean;
  } = {},
): RocCurve {
  const fn = 'rocCurve';
  let { fps, tps, thresholds } = binaryClfCurve(fn, yTrue, yScore, options.posLabel);
  const m0 = fps.length;
  if ((options.dropIntermediate ?? true) && m0 > 2) {
    const keep: number[] = [0];
    for (let i = 1; i < m0 - 1; i++) {
      const d2f = fps[i + 1]! - 2 * fps[i]! + fps[i - 1]!;
      const d2t = tps[i + 1]! - 2 * tps[i]! + tps[i - 1]!;
      if (d2f !== 0 || d2t !== 0) keep.push(i);
    }
    keep.push(m0 - 1);
    const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i]!);
    fps = pick(fps);
    tps = pick(tps);
    thresholds = pick(thresholds);
  }
  const m = fps.length + 1;
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const th = new Float64Array(m);
  th[0] = thresholds[0]! + 1;
  th.set(thresholds, 1);
  const fLast = fps[fps.length - 1]!;
  const tLast = tps[tps.length - 1]!;
  fpr[0] = fLast <= 0 ? NaN : 0;
  tpr[0] = tLast <= 0 ? NaN : 0;
  for (let i = 1; i < m; i++) {
    fpr[i] = fLast <= 0 ? NaN : fps[i - 1]! / fLast;
    tpr[i] = tLast <= 0 ? NaN : tps[i - 1]! / tLast;
  }
  return { fpr, tpr, thresholds: th };
}

/**
 * Area under a curve by the trapezoidal rule, as scikit-learn's `auc`; `x` must be monotonic.
 *
 * @example
 * ```ts
 * const { fpr, tpr } = rocCurve(y, scores);
 * auc(fpr, tpr);
 * ```
 */
export function auc(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkConsistentLength('auc', { x, y });
  if (x.length < 2) {
    throw new MlshipError('INVALID_ARGUMENT', `auc: at least 2 points are needed to compute area under curve, but x has ${x.length}`, { field: 'x' });
  }
  let direction = 1;
  let anyNeg = false;
  let allNonPos = true;
  for (let i = 1; i < x.length; i++) {
    const d = x[i]! - x[i - 1]!;
    if (d < 0) anyNeg = true;
    if (d > 0) allNonPos = false;
  }
  if (anyNeg) {
    if (allNonPos) direction = -1;
    else throw new MlshipError('INVALID_ARGUMENT', 'auc: x is neither increasing nor decreasing; sort it first', { field: 'x' });
  }
  const terms = new Float64Array(x.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = ((x[i + 1]! - x[i]!) * (y[i + 1]! + y[i]!)) / 2;
  return direction * pairwiseSum(terms);
}

function binaryRocAuc(fn: string, yBin: ArrayLike<Label>, score: ArrayLike<number>): number {
  const classes = unionLabels(yBin);
  if (classes.length !== 2) {
    throw new MlshipError('INVALID_DATA', `${fn}: only one class present in yTrue (${reprLabels(classes)}). ROC AUC score is not defined in that case.`, { field: 'yTrue' });
  }
  const { fpr, tpr } = rocCurve(yBin, score, { posLabel: classes[1]! });
  return auc(fpr, tpr);
}

/** Options of {@link rocAucScore}. */
export interface RocAucOptions {
  /** Multiclass strategy: 'raise' refuses multiclass targets; 'ovr' averages one-vs-rest AUCs. @default 'raise' */
  multiClass?: 'raise' | 'ovr';
  /** Averaging of per-class AUCs in 'ovr'. @default 'macro' */
  average?: 'macro' | 'weighted';
  /** Classes in column order of a multiclass yScore. @default the sorted labels of yTrue */
  labels?: Label[];
}

/**
 * Area under the ROC curve, as scikit-learn's `roc_auc_score`. Binary: `yScore` is the score of
 * the greater label (e.g. `predictProba(x).col(1)`). Multiclass with `multiClass: 'ovr'`: `yScore`
 * is the probability matrix (rows summing to 1).
 *
 * @example
 * ```ts
 * rocAucScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.75
 * rocAucScore(y3, model.predictProba(x), { multiClass: 'ovr' });
 * ```
 */
export function rocAucScore(yTrue: ArrayLike<Label>, yScore: ArrayLike<number> | Matrix, options: RocAucOptions = {}): number {
  const fn = 'rocAucScore';
  checkNonEmpty(fn, 'yTrue', yTrue);
  const present = unionLabels(yTrue);
  const isMatrix = yScore instanceof Matrix && yScore.cols > 1;
  if (present.length <= 2 && !isMatrix) return binaryRocAuc(fn, yTrue, asScores(fn, 'yScore', yScore));
  if (present.length <= 2 && isMatrix && (yScore as Matrix).cols === 2 && !options.labels) {
    throw new MlshipError('SHAPE_MISMATCH', `${fn}: yScore has 2 columns for a binary target; pass the score of the greater class, e.g. proba.col(1)`, { field: 'yScore' });
  }
  const multiClass = options.multiClass ?? 'raise';
  if (multiClass !== 'ovr') {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: multiClass must be 'ovr' for a multiclass target (got ${JSON.stringify(multiClass)})`, { field: 'multiClass' });
  }
  const average = options.average ?? 'macro';
  if (average !== 'macro' && average !== 'weighted') {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: average must be 'macro' or 'weighted' for multiclass ROC AUC, got ${JSON.stringify(average)}`, { field: 'average' });
  }
  if (!(yScore instanceof Matrix)) {
    throw new MlshipError('SHAPE_MISMATCH', `${fn}: a multiclass target needs yScore as a Matrix of probabilities, one column per class`, { field: 'yScore' });
  }
  checkConsistentLength(fn, { yTrue, yScore: { length: yScore.rows } });
  checkFinite(fn, 'yScore', yScore.data);
  const k = yScore.cols;
  for (let i = 0; i < yScore.rows; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += yScore.data[i * k + j]!;
    if (Math.abs(s - 1) > 1e-8 + 1e-5) {
      throw new MlshipError('INVALID_DATA', `${fn}: target scores need to be probabilities for multiclass roc_auc, i.e. they should sum up to 1.0 over classes (row ${i} sums to ${s})`, { field: 'yScore', index: i });
    }
  }
  const classes = options.labels ? [...options.labels] : present;
  if (classes.length !== k) {
    throw new MlshipError('SHAPE_MISMATCH', `${fn}: number of classes in yTrue (${classes.length}) not equal to the number of columns in yScore (${k})`, { field: 'yScore' });
  }
  const scores = new Float64Array(k);
  const weights = new Float64Array(k);
  const bin = new Array<number>(yTrue.length);
  for (let c = 0; c < k; c++) {
    let w = 0;
    for (let i = 0; i < yTrue.length; i++) {
      bin[i] = yTrue[i] === classes[c] ? 1 : 0;
      w += bin[i]!;
    }
    weights[c] = w;
    scores[c] = binaryRocAuc(fn, bin, yScore.col(c));
  }
  if (average === 'macro') return pairwiseSum(scores) / k;
  const prod = new Float64Array(k);
  for (let c = 0; c < k; c++) prod[c] = scores[c]! * weights[c]!;
  return pairwiseSum(prod) / pairwiseSum(weights);
}

/** A precision-recall curve (recall decreasing; the last point is precision 1, recall 0). */
export interface PrecisionRecallCurve {
  precision: Float64Array;
  recall: Float64Array;
  /** Increasing distinct scores; one fewer than precision/recall. */
  thresholds: Float64Array;
}

/**
 * Precision and recall at every distinct threshold, as scikit-learn 1.2.1's `precision_recall_curve`.
 *
 * @example
 * ```ts
 * const { precision, recall, thresholds } = precisionRecallCurve(yTest, proba.col(1), { posLabel: 'spam' });
 * ```
 */
export function precisionRecallCurve(
  yTrue: ArrayLike<Label>,
  probasPred: ArrayLike<number> | Matrix,
  options: {
    /** The positive class. @default 1 when yTrue is in {0, 1} or {-1, 1}; required otherwise */
    posLabel?: Label | null;
  } = {},
): PrecisionRecallCurve {
  const { fps, tps, thresholds } = binaryClfCurve('precisionRecallCurve', yTrue, probasPred, options.posLabel);
  const m = tps.length;
  const precision = new Float64Array(m + 1);
  const recall = new Float64Array(m + 1);
  const th = new Float64Array(m);
  const tLast = tps[m - 1]!;
  for (let i = 0; i < m; i++) {
    const src = m - 1 - i;
    const ps = tps[src]! + fps[src]!;
    precision[i] = ps === 0 ? 0 : tps[src]! / ps;
    recall[i] = tLast === 0 ? 1 : tps[src]! / tLast;
    th[i] = thresholds[src]!;
  }
  precision[m] = 1;
  recall[m] = 0;
  return { precision, recall, thresholds: th };
}

/**
 * Average precision (the step-wise area under the precision-recall curve), as scikit-learn's
 * `average_precision_score` for a binary target.
 *
 * @example
 * ```ts
 * averagePrecisionScore([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]); // 0.8333...
 * ```
 */
export function averagePrecisionScore(
  yTrue: ArrayLike<Label>,
  yScore: ArrayLike<number> | Matrix,
  options: {
    /** The positive class. @default 1 */
    posLabel?: Label;
  } = {},
): number {
  const fn = 'averagePrecisionScore';
  checkNonEmpty(fn, 'yTrue', yTrue);
  const posLabel = options.posLabel ?? 1;
  const present = unionLabels(yTrue);
  if (present.length > 2) throw new MlshipError('INVALID_ARGUMENT', `${fn}: multiclass format is not supported`, { field: 'yTrue' });
  if (present.length === 2 && !present.includes(posLabel)) {
    throw new MlshipError('INVALID_ARGUMENT', `${fn}: posLabel=${JSON.stringify(posLabel)} is not a valid label. It should be one of ${reprLabels(present)}`, { field: 'posLabel', value: posLabel });
  }
  const { precision, recall } = precisionRecallCurve(yTrue, yScore, { posLabel });
  const terms = new Float64Array(recall.length - 1);
  for (let i = 0; i < terms.length; i++) terms[i] = (recall[i + 1]! - recall[i]!) * precision[i]!;
  return -pairwiseSum(terms);
}

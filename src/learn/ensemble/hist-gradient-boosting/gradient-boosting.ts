import { availableParallelism } from 'node:os';
import { CsrMatrix, Matrix, MlshipError, encodeLabels, resolveJobs, toRng, uniqueLabels, type Label } from '../../../core/index.js';
import { BaseEstimator, registerEstimator, type Classifier, type EstimatorState, type Regressor, type StateValue } from '../../base.js';
import { checkFeatureCount, checkLabels, checkMatrix, type MatrixInput } from '../../kernels/index.js';
import { accuracyScore, getScorer, r2Score, type Scorer } from '../../metrics/index.js';
import { trainTestIndices } from '../../model-selection/index.js';
import { binSubsample, mapToBins } from './binning.js';
import { growTree, type GrowOptions, type TreeArrays } from './grower.js';
import { HistogramStore, predictParallel } from './histogram-store.js';
import { absoluteError, binomialLoss, multinomialLoss, npMedian, squaredError, type HgbLoss } from './loss.js';
import { compileForest, packForest, predictBinned, predictCompiled, type CompiledForest, type Forest } from './predictor.js';

/**
 * Hyperparameters shared by {@link HistGradientBoostingRegressor} and {@link HistGradientBoostingClassifier}.
 *
 * @example
 * ```ts
 * const params: Partial<HistGradientBoostingParams> = { learningRate: 0.05, maxIter: 300, maxLeafNodes: 63 };
 * new HistGradientBoostingRegressor(params);
 * ```
 */
export interface HistGradientBoostingParams {
  /** Shrinkage of every leaf value. Must be > 0. @default 0.1 */
  learningRate: number;
  /** Boosting iterations (trees per iteration: 1, or one per class for multiclass). @default 100 */
  maxIter: number;
  /** Maximum leaves per tree (>= 2), or null for no limit. @default 31 */
  maxLeafNodes: number | null;
  /** Maximum depth of each tree (>= 1; the root has depth 0), or null for no limit. @default null */
  maxDepth: number | null;
  /** Minimum samples per leaf. @default 20 */
  minSamplesLeaf: number;
  /** L2 regularisation of the leaf values (`-G / (H + l2)`). @default 0 */
  l2Regularization: number;
  /** Bins for non-missing values per feature, 2..255; one more bin holds missing values. @default 255 */
  maxBins: number;
  /** Categorical features; not implemented: must be null (bin the categories as numbers or one-hot encode them). @default null */
  categoricalFeatures: null;
  /** Monotonic constraints; not implemented: must be null. @default null */
  monotonicCst: null;
  /** Interaction constraints; not implemented: must be null. @default null */
  interactionCst: null;
  /** Keep the fitted trees and add more when refitting with a larger maxIter; not implemented: must be false. @default false */
  warmStart: boolean;
  /** `'auto'`: early stopping when there are more than 10,000 samples; true/false force it. @default 'auto' */
  earlyStopping: 'auto' | boolean;
  /**
   * What early stopping watches: `'loss'` (the training loss, computed from the raw predictions), a
   * scorer name (as `'r2'` or `'accuracy'`) or null for the estimator's `score` (R² / accuracy).
   * @default 'loss'
   */
  scoring: string | null;
  /** Part of the training data held out for early stopping: a fraction in (0, 1), a sample count, or null to watch the training data. @default 0.1 */
  validationFraction: number | null;
  /** Stop when none of the last nIterNoChange scores beat the one before them by more than tol. @default 10 */
  nIterNoChange: number;
  /** Minimum improvement counted by early stopping. @default 1e-7 */
  tol: number;
  /** 0: silent; 1 or more: a progress line per iteration on stderr. @default 0 */
  verbose: number;
  /** Seed of the validation split and of the binning subsample (more than 200,000 rows). @default null */
  randomState: number | null;
  /**
   * Threads building histograms and binning (features are shared among them) and predicting (rows
   * are); results are identical for any value. null picks all cores for large work (fit: samples x
   * features >= 1,000,000; predict: rows x trees >= 500,000) and 1 otherwise; -1 all cores; n that
   * many.
   * @default null
   */
  nJobs: number | null;
}

/**
 * Hyperparameters of {@link HistGradientBoostingRegressor}.
 *
 * @example
 * ```ts
 * new HistGradientBoostingRegressor({ loss: 'absolute_error', l2Regularization: 1 });
 * ```
 */
export interface HistGradientBoostingRegressorParams extends HistGradientBoostingParams {
  /** `'squared_error'` or `'absolute_error'` (leaves refitted to the median residual). @default 'squared_error' */
  loss: 'squared_error' | 'absolute_error';
}

/**
 * Hyperparameters of {@link HistGradientBoostingClassifier}.
 *
 * @example
 * ```ts
 * new HistGradientBoostingClassifier({ earlyStopping: true, scoring: 'accuracy', randomState: 0 });
 * ```
 */
export interface HistGradientBoostingClassifierParams extends HistGradientBoostingParams {
  /** `'log_loss'`: binomial for two classes, multinomial (one tree per class and iteration) for more. @default 'log_loss' */
  loss: 'log_loss';
  /** Class weights; not implemented: must be null. @default null */
  classWeight: null;
}

const COMMON: HistGradientBoostingParams = {
  learningRate: 0.1,
  maxIter: 100,
  maxLeafNodes: 31,
  maxDepth: null,
  minSamplesLeaf: 20,
  l2Regularization: 0,
  maxBins: 255,
  categoricalFeatures: null,
  monotonicCst: null,
  interactionCst: null,
  warmStart: false,
  earlyStopping: 'auto',
  scoring: 'loss',
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
  verbose: 0,
  randomState: null,
  nJobs: null,
};

/** Binned rows, passed to predict during fit so that scorers score binned data (as scikit-learn). */
class BinnedRows {
  constructor(
    readonly xb: Uint8Array,
    readonly n: number,
  ) {}
}

/** Samples x features from which `nJobs: null` uses every core. */
const AUTO_PARALLEL_WORK = 1_000_000;
/** Rows x trees from which prediction with `nJobs: null` uses every core. */
const AUTO_PARALLEL_PREDICT = 500_000;
/** Rows x trees below which prediction stays on the main thread whatever nJobs says. */
const MIN_PARALLEL_PREDICT = 20_000;
/** Rows of the training subset scored by a scorer during early stopping (scikit-learn's 10,000). */
const SMALL_TRAINSET = 10_000;

function isInt(v: unknown, min: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min;
}

/**
 * Validates X for histogram gradient boosting: a dense Matrix or rows of numbers; NaN marks a
 * missing value (handled natively) and ±Infinity is allowed, as scikit-learn's `force_all_finite=False`.
 */
function checkDense(X: MatrixInput, who: string): Matrix {
  let m: Matrix;
  if (X instanceof Matrix) m = X;
  else if (X instanceof CsrMatrix) {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: X is a sparse CsrMatrix; histogram gradient boosting needs dense data (as scikit-learn): pass X.toDense()`, { field: 'X' });
  } else if (Array.isArray(X)) {
    for (let i = 0; i < X.length; i++) {
      const row = X[i];
      if (!row || typeof row !== 'object' || typeof (row as ArrayLike<number>).length !== 'number') {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: X[${i}] is not an array of numbers; pass X as rows of numbers or a Matrix`, { field: 'X', line: i });
      }
      if (row.length !== (X[0] as ArrayLike<number>).length) {
        throw new MlshipError('SHAPE_MISMATCH', `${who}: X[${i}] has ${row.length} values but X[0] has ${(X[0] as ArrayLike<number>).length}; every row needs the same number of features`, { field: 'X', line: i });
      }
    }
    m = X.length === 0 ? new Matrix(0, 0) : Matrix.fromRows(X);
  } else {
    const c = checkMatrix(X, who);
    if (c instanceof CsrMatrix) throw new MlshipError('INVALID_ARGUMENT', `${who}: X is sparse; pass dense data`, { field: 'X' });
    m = c;
  }
  if (m.rows === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X is empty (0 rows, shape ${m.rows} x ${m.cols}); at least 1 sample is required`, { field: 'X', value: [m.rows, m.cols] });
  if (m.cols === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X has 0 features (shape ${m.rows} x 0); at least 1 feature is required`, { field: 'X', value: [m.rows, m.cols] });
  // A Float64Array holds only numbers: only data put into a Matrix some other way (from plain
  // JavaScript) is checked value by value.
  const d: ArrayLike<unknown> = m.data;
  if (d instanceof Float64Array) return m;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (typeof v !== 'number') throw new MlshipError('INVALID_ARGUMENT', `${who}: X[${Math.floor(i / m.cols)}][${i % m.cols}] is not a number`, { field: 'X' });
  }
  return m;
}

function takeValues(y: Float64Array, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = y[rows[i]!]!;
  return out;
}

/**
 * The shared fit and predict of histogram gradient boosting (scikit-learn 1.2's
 * `BaseHistGradientBoosting`): bin X, start from the loss's baseline, and each iteration grow one
 * tree per output on the gradients and hessians, with optional early stopping on held-out data.
 *
 * @example
 * ```ts
 * const hgb = new HistGradientBoostingRegressor({ earlyStopping: true, nIterNoChange: 5 }).fit(X, y);
 * hgb.nIter_;            // iterations run
 * hgb.validationScore_;  // negated validation loss, one per iteration (plus the baseline's)
 * hgb.forest_!.feature;  // the trees as flat typed arrays
 * ```
 */
export abstract class BaseHistGradientBoosting<P extends HistGradientBoostingParams & { loss: string }> extends BaseEstimator<P> {
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Iterations run (fewer than maxIter when early stopping fired). */
  nIter_: number | undefined;
  /** Trees per iteration: 1, or the number of classes for multiclass log loss. */
  nTreesPerIteration_: number | undefined;
  /** Whether early stopping was used. */
  doEarlyStopping_: boolean | undefined;
  /** Scores on the training data, one per iteration plus the baseline's first (only with early stopping). Greater is better (losses negated). */
  trainScore_: Float64Array | undefined;
  /** Scores on the validation data, same layout (empty without validation data). */
  validationScore_: Float64Array | undefined;
  /** The baseline raw prediction, one value per tree of an iteration. */
  baseline_: Float64Array | undefined;
  /** Bin thresholds per feature (scikit-learn's `_bin_mapper.bin_thresholds_`). */
  binThresholds_: Float64Array[] | undefined;
  /** Bins used by non-missing values, per feature. */
  nBinsNonMissing_: Int32Array | undefined;
  /** The fitted trees as flat arrays. */
  forest_: Forest | undefined;
  /** The trees compiled for prediction (built on first use, not saved). */
  private compiled: { forest: Forest; c: CompiledForest } | null = null;

  get isFitted(): boolean {
    return this.forest_ !== undefined;
  }

  protected abstract makeLoss(who: string): HgbLoss;
  /** Encodes y for training (floats: values or class codes); classifiers set classes_. */
  protected abstract encodeTarget(y: ArrayLike<Label>, n: number, who: string): Float64Array;
  protected abstract get isClassifierModel(): boolean;

  private checkParams(who: string): void {
    const p = this.params;
    const bad = (field: string, what: string): never => {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: ${field} must be ${what}, got ${JSON.stringify((p as Record<string, unknown>)[field])}`, { field, value: (p as Record<string, unknown>)[field] });
    };
    if (!(typeof p.learningRate === 'number' && p.learningRate > 0 && Number.isFinite(p.learningRate))) bad('learningRate', 'a number > 0');
    if (!isInt(p.maxIter, 1)) bad('maxIter', 'an integer >= 1');
    if (p.maxLeafNodes !== null && !isInt(p.maxLeafNodes, 2)) bad('maxLeafNodes', 'an integer >= 2 or null');
    if (p.maxDepth !== null && !isInt(p.maxDepth, 1)) bad('maxDepth', 'an integer >= 1 or null');
    if (!isInt(p.minSamplesLeaf, 1)) bad('minSamplesLeaf', 'an integer >= 1');
    if (!(typeof p.l2Regularization === 'number' && p.l2Regularization >= 0)) bad('l2Regularization', 'a number >= 0');
    if (!(isInt(p.maxBins, 2) && p.maxBins <= 255)) bad('maxBins', 'an integer in 2..255');
    if (p.categoricalFeatures !== null) bad('categoricalFeatures', 'null (categorical splits are not implemented; one-hot or ordinal-encode the categories)');
    if (p.monotonicCst !== null) bad('monotonicCst', 'null (monotonic constraints are not implemented)');
    if (p.interactionCst !== null) bad('interactionCst', 'null (interaction constraints are not implemented)');
    if (p.warmStart !== false) bad('warmStart', 'false (warm start is not implemented; refit with the larger maxIter)');
    if (!(p.earlyStopping === 'auto' || typeof p.earlyStopping === 'boolean')) bad('earlyStopping', "'auto', true or false");
    if (!(p.scoring === null || typeof p.scoring === 'string')) bad('scoring', "'loss', a scorer name or null");
    if (p.validationFraction !== null && !(typeof p.validationFraction === 'number' && ((p.validationFraction > 0 && p.validationFraction < 1) || isInt(p.validationFraction, 1)))) {
      bad('validationFraction', 'a fraction in (0, 1), a sample count >= 1, or null');
    }
    if (!isInt(p.nIterNoChange, 1)) bad('nIterNoChange', 'an integer >= 1');
    if (!(typeof p.tol === 'number' && p.tol >= 0)) bad('tol', 'a number >= 0');
    if (!(typeof p.verbose === 'number' && p.verbose >= 0)) bad('verbose', 'a number >= 0');
    if (p.randomState !== null && !(typeof p.randomState === 'number' && Number.isFinite(p.randomState))) bad('randomState', 'a number or null');
    if (p.nJobs !== null && !(typeof p.nJobs === 'number' && Number.isInteger(p.nJobs) && p.nJobs !== 0)) bad('nJobs', 'a non-zero integer or null');
  }

  private threads(n: number, d: number): number {
    const { nJobs } = this.params;
    if (nJobs === null) return n * d >= AUTO_PARALLEL_WORK ? availableParallelism() : 1;
    return resolveJobs(nJobs);
  }

  /** Fits the model (see the class documentation). Returns `this`. */
  protected fitImpl(X: MatrixInput, y: ArrayLike<Label>, who: string): this {
    this.checkParams(who);
    const Xm = checkDense(X, who);
    const p = this.params;
    const nAll = Xm.rows;
    const d = Xm.cols;
    if (!y || typeof (y as ArrayLike<Label>).length !== 'number') throw new MlshipError('INVALID_ARGUMENT', `${who}: y must be an array, got ${String(y)}`, { field: 'y' });
    if (y.length !== nAll) {
      throw new MlshipError('SHAPE_MISMATCH', `${who}: X and y have inconsistent numbers of samples: [${nAll}, ${y.length}]; pass one target per row of X`, { field: 'y', value: y.length, expected: nAll });
    }
    const yAll = this.encodeTarget(y, nAll, who);
    const loss = this.makeLoss(who);
    const K = loss.k;
    const rng = toRng(p.randomState);
    const seed = rng.nextUint32();
    const early = p.earlyStopping === 'auto' ? nAll > 10_000 : p.earlyStopping;
    const useVal = early && p.validationFraction !== null;
    const scorerName = p.scoring;
    let scorer: Scorer | null = null;
    if (early && scorerName !== 'loss') scorer = scorerName === null ? null : getScorer(scorerName);

    // The training and validation rows of X are taken where they are binned (no copies of the rows).
    let trainRows: Int32Array | null = null;
    let valRows: Int32Array | null = null;
    let yTrain = yAll;
    let yVal: Float64Array | null = null;
    if (useVal) {
      const stratify = this.isClassifierModel ? Array.from(yAll) : undefined;
      const fold = trainTestIndices(nAll, { testSize: p.validationFraction!, randomState: seed, ...(stratify ? { stratify } : {}) });
      trainRows = fold.train;
      valRows = fold.test;
      yTrain = takeValues(yAll, fold.train);
      yVal = takeValues(yAll, fold.test);
    }
    const n = yTrain.length;
    const t0 = performance.now();
    const threads = this.threads(n, d);
    const store = new HistogramStore({
      n,
      nFeatures: d,
      nBins: p.maxBins + 1,
      constantHessian: loss.constantHessian,
      k: K,
      workers: threads - 1,
      slotsPerPage: p.maxLeafNodes === null ? 64 : Math.min(64, p.maxLeafNodes + 3),
    });
    try {
      const xb = store.src.xb;
      const mapping = store.bin(Xm.data, trainRows, p.maxBins, binSubsample(n, toRng(seed)));
      let xbVal: Uint8Array | null = null;
      if (valRows) {
        xbVal = new Uint8Array(valRows.length * d);
        mapToBins(Xm.data, valRows.length, d, mapping, p.maxBins, xbVal, valRows);
      }
      const verbose = p.verbose > 0;
      if (verbose) process.stderr.write(`Binning ${((n * d * 8) / 1e9).toFixed(3)} GB of training data: ${((performance.now() - t0) / 1000).toFixed(3)} s (${store.threads} thread${store.threads > 1 ? 's' : ''})\n`);
      const hasMissing = new Uint8Array(d);
      for (let j = 0; j < d; j++) {
        const col = xb.subarray(j * n, (j + 1) * n);
        if (col.indexOf(mapping.missingBin) >= 0) hasMissing[j] = 1;
      }
      const baseline = loss.baseline(yTrain);
      this.nFeaturesIn_ = d;
      this.nTreesPerIteration_ = K;
      this.baseline_ = baseline;
      this.binThresholds_ = mapping.thresholds;
      this.nBinsNonMissing_ = mapping.nBinsNonMissing;
      this.doEarlyStopping_ = early;
      this.forest_ = undefined;
      const raw = store.raw;
      for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = baseline[k]!;
      const nVal = yVal ? yVal.length : 0;
      const rawVal = new Float64Array(nVal * K);
      for (let i = 0; i < nVal; i++) for (let k = 0; k < K; k++) rawVal[i * K + k] = baseline[k]!;
      const trainScores: number[] = [];
      const valScores: number[] = [];
      const trees: TreeArrays[] = [];
      let forest: Forest = packForest([]);
      // Scorer-based early stopping scores a subset of the training data (as scikit-learn).
      let small: { xb: Uint8Array; n: number; y: Float64Array } | null = null;
      if (early && scorerName !== 'loss') {
        let rows: Int32Array | null = null;
        if (n > SMALL_TRAINSET) {
          const stratify = this.isClassifierModel ? Array.from(yTrain) : undefined;
          rows = trainTestIndices(n, { trainSize: SMALL_TRAINSET, randomState: seed, ...(stratify ? { stratify } : {}) }).train;
        }
        if (rows) {
          const sx = new Uint8Array(rows.length * d);
          for (let j = 0; j < d; j++) for (let i = 0; i < rows.length; i++) sx[j * rows.length + i] = xb[j * n + rows[i]!]!;
          small = { xb: sx, n: rows.length, y: takeValues(yTrain, rows) };
        } else small = { xb: xb.slice(), n, y: yTrain };
      }
      const stopNow = (scores: number[]): boolean => {
        const ref = p.nIterNoChange + 1;
        if (scores.length < ref) return false;
        const refScore = scores[scores.length - ref]! + p.tol;
        for (let s = scores.length - ref + 1; s < scores.length; s++) if (scores[s]! > refScore) return false;
        return true;
      };
      // The gradients of the next iteration, when computed ahead (alongside the loss).
      let gradientsReady = false;
      const nextGradients = (): void => {
        loss.gradients(yTrain, raw, store.src.grad, store.src.hess);
        gradientsReady = true;
      };
      /** Scores the iteration; `next`: the next iteration's first work, run alongside the training loss (it does not write `raw`). */
      const checkEarlyStop = (next: (() => void) | null): boolean => {
        if (scorerName === 'loss') {
          let valLoss = 0;
          const trainLoss = store.trainLoss(loss, yTrain, () => {
            if (useVal) valLoss = loss.loss(yVal!, rawVal);
            next?.();
          });
          trainScores.push(-trainLoss);
          if (useVal) {
            valScores.push(-valLoss);
            return stopNow(valScores);
          }
          return stopNow(trainScores);
        }
        this.forest_ = forest;
        trainScores.push(this.scoreBinned(scorer, small!.xb, small!.n, small!.y));
        if (useVal) {
          valScores.push(this.scoreBinned(scorer, xbVal!, nVal, yVal!));
          return stopNow(valScores);
        }
        return stopNow(trainScores);
      };
      if (early) checkEarlyStop(p.maxIter > 0 ? nextGradients : null);
      const grow: GrowOptions = {
        maxLeafNodes: p.maxLeafNodes,
        maxDepth: p.maxDepth,
        minSamplesLeaf: p.minSamplesLeaf,
        l2Regularization: p.l2Regularization,
        shrinkage: p.learningRate,
        nBinsNonMissing: mapping.nBinsNonMissing,
        hasMissing,
        missingBin: mapping.missingBin,
      };
      const residuals = loss.updatesLeaves ? new Float64Array(n) : null;
      let iter = 0;
      const fitStart = performance.now();
      for (; iter < p.maxIter; iter++) {
        const itStart = performance.now();
        if (!gradientsReady) loss.gradients(yTrain, raw, store.src.grad, store.src.hess);
        gradientsReady = false;
        let leavesCount = 0;
        let maxDepth = 0;
        for (let k = 0; k < K; k++) {
          const { tree, leaves } = growTree(store, k * n, grow, mapping.thresholds);
          const part = store.src.part;
          if (residuals) {
            for (const leaf of leaves) {
              const m = leaf.stop - leaf.start;
              const r = residuals.subarray(0, m);
              for (let j = 0; j < m; j++) {
                const idx = part[leaf.start + j]!;
                r[j] = yTrain[idx]! - raw[idx * K + k]!;
              }
              leaf.value = p.learningRate * npMedian(r);
            }
            refreshLeafValues(tree, leaves);
          }
          trees.push(tree);
          // The loss-based early stopping predicts the validation rows with this iteration's trees
          // only, while the workers update the training rows' raw predictions.
          const predictVal = early && scorerName === 'loss' && useVal && k === K - 1;
          store.addLeafValues(leaves, K, k, predictVal ? () => predictBinned(packForest(trees.slice(-K)), 0, K, xbVal!, nVal, K, mapping.missingBin, rawVal) : null);
          for (const leaf of leaves) if (leaf.depth > maxDepth) maxDepth = leaf.depth;
          leavesCount += leaves.length;
        }
        let stop = false;
        if (early) {
          // Scorers predict with the whole forest.
          if (scorerName !== 'loss') forest = packForest(trees);
          stop = checkEarlyStop(iter + 1 < p.maxIter ? nextGradients : null);
        }
        if (verbose) {
          let line = `[${iter + 1}/${p.maxIter}] ${K} tree${K > 1 ? 's' : ''}, ${leavesCount} leaves, max depth = ${maxDepth}`;
          if (early) {
            const name = scorerName === 'loss' ? 'loss' : 'score';
            line += `, train ${name}: ${(scorerName === 'loss' ? -trainScores.at(-1)! : trainScores.at(-1)!).toPrecision(5)}`;
            if (useVal) line += `, val ${name}: ${(scorerName === 'loss' ? -valScores.at(-1)! : valScores.at(-1)!).toPrecision(5)}`;
          }
          process.stderr.write(`${line}, in ${((performance.now() - itStart) / 1000).toFixed(3)}s\n`);
        }
        if (stop) {
          iter++;
          break;
        }
      }
      forest = packForest(trees);
      if (verbose) {
        process.stderr.write(`Fit ${trees.length} trees in ${((performance.now() - t0) / 1000).toFixed(3)} s (boosting ${((performance.now() - fitStart) / 1000).toFixed(3)} s), ${forest.feature.filter((f) => f < 0).length} leaves in total\n`);
      }
      this.forest_ = forest;
      this.nIter_ = Math.min(iter, p.maxIter);
      this.trainScore_ = Float64Array.from(trainScores);
      this.validationScore_ = Float64Array.from(valScores);
    } finally {
      store.close();
    }
    return this;
  }

  private scoreBinned(scorer: Scorer | null, xb: Uint8Array, n: number, y: Float64Array): number {
    const rows = new BinnedRows(xb, n);
    const labels = this.decodeTarget(y);
    if (scorer) return scorer(this as any, rows, labels as any);
    return (this as any).score(rows, labels);
  }

  /** Targets as given to scorers (classifiers: the labels). */
  protected abstract decodeTarget(y: Float64Array): ArrayLike<Label>;

  /** The raw predictions (`n x K` row-major) for X, or binned rows during fit. */
  protected rawPredict(X: MatrixInput | BinnedRows, who: string): { raw: Float64Array; n: number } {
    this.requireFitted(who.slice(who.indexOf('.') + 1));
    const K = this.nTreesPerIteration_!;
    const f = this.forest_!;
    const nTrees = f.treeStart.length - 1;
    if (X instanceof BinnedRows) {
      const raw = new Float64Array(X.n * K);
      for (let i = 0; i < X.n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = this.baseline_![k]!;
      predictBinned(f, 0, nTrees, X.xb, X.n, K, this.params.maxBins, raw);
      return { raw, n: X.n };
    }
    const Xm = checkDense(X, who);
    checkFeatureCount(Xm, this.nFeaturesIn_!, who);
    const n = Xm.rows;
    const raw = new Float64Array(n * K);
    for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) raw[i * K + k] = this.baseline_![k]!;
    if (this.compiled?.forest !== f) this.compiled = { forest: f, c: compileForest(f) };
    const work = n * nTrees;
    const threads = this.params.nJobs === null ? (work >= AUTO_PARALLEL_PREDICT ? availableParallelism() : 1) : resolveJobs(this.params.nJobs);
    if (threads > 1 && work >= MIN_PARALLEL_PREDICT) predictParallel(this.compiled.c, Xm.data, n, Xm.cols, K, raw, threads);
    else predictCompiled(this.compiled.c, Xm.data, n, Xm.cols, K, raw);
    return { raw, n };
  }

  protected getState(): EstimatorState {
    const f = this.forest_!;
    return {
      nFeaturesIn: this.nFeaturesIn_!,
      nIter: this.nIter_!,
      nTreesPerIteration: this.nTreesPerIteration_!,
      doEarlyStopping: this.doEarlyStopping_!,
      trainScore: this.trainScore_!,
      validationScore: this.validationScore_!,
      baseline: this.baseline_!,
      binThresholds: this.binThresholds_! as StateValue[],
      nBinsNonMissing: this.nBinsNonMissing_!,
      forest: { ...f } as unknown as StateValue,
    };
  }

  protected setState(state: EstimatorState): void {
    this.nFeaturesIn_ = state.nFeaturesIn as number;
    this.nIter_ = state.nIter as number;
    this.nTreesPerIteration_ = state.nTreesPerIteration as number;
    this.doEarlyStopping_ = state.doEarlyStopping as boolean;
    this.trainScore_ = state.trainScore as Float64Array;
    this.validationScore_ = state.validationScore as Float64Array;
    this.baseline_ = state.baseline as Float64Array;
    this.binThresholds_ = state.binThresholds as Float64Array[];
    this.nBinsNonMissing_ = state.nBinsNonMissing as Int32Array;
    this.forest_ = { ...(state.forest as unknown as Forest) };
  }
}

/** Copies the (refitted) values of `leaves` into the tree arrays, matching leaves by pre-order position. */
function refreshLeafValues(tree: TreeArrays, leaves: { start: number; stop: number; value: number }[]): void {
  // Leaves are disjoint partition ranges; in pre-order, leaves appear in partition order.
  const sorted = leaves.slice().sort((a, b) => a.start - b.start || a.stop - b.stop);
  let li = 0;
  for (let i = 0; i < tree.feature.length; i++) {
    if (tree.feature[i]! >= 0) continue;
    tree.value[i] = sorted[li++]!.value;
  }
}

const REGRESSOR_DEFAULTS: HistGradientBoostingRegressorParams = { loss: 'squared_error', ...COMMON };

/**
 * Histogram-based gradient boosting for regression, reproducing scikit-learn 1.2's
 * `HistGradientBoostingRegressor`: features binned into at most 255 quantile bins plus one for
 * missing values (NaN is handled natively: each split sends it to the better side), leaf-wise trees
 * grown on gradient histograms with the subtraction trick, early stopping on a held-out 10% when
 * there are more than 10,000 samples. Histograms are built on several threads for large data
 * (`nJobs`), with identical results for any thread count.
 *
 * @example
 * ```ts
 * import { HistGradientBoostingRegressor, makeSyntheticRegression } from 'mlship/learn';
 * const { X, y } = makeSyntheticRegression({ nSamples: 2000, nFeatures: 20, seed: 0 });
 * const hgb = new HistGradientBoostingRegressor({ maxIter: 200, learningRate: 0.1 }).fit(X, y);
 * hgb.predict(X);   // Float64Array
 * hgb.score(X, y);  // R²
 * hgb.predict([[Number.NaN, ...new Array(19).fill(0.5)]]); // NaN follows the learned side
 * ```
 */
export class HistGradientBoostingRegressor extends BaseHistGradientBoosting<HistGradientBoostingRegressorParams> implements Regressor<MatrixInput> {
  static override readonly estimatorName: string = 'HistGradientBoostingRegressor';
  readonly estimatorType = 'regressor' as const;

  constructor(params?: Partial<HistGradientBoostingRegressorParams>) {
    super(REGRESSOR_DEFAULTS, params);
  }

  protected get isClassifierModel(): boolean {
    return false;
  }

  protected makeLoss(who: string): HgbLoss {
    const { loss } = this.params;
    if (loss === 'squared_error') return squaredError;
    if (loss === 'absolute_error') return absoluteError;
    throw new MlshipError('INVALID_ARGUMENT', `${who}: loss must be 'squared_error' or 'absolute_error', got ${JSON.stringify(loss)} ('poisson' and 'quantile' are not implemented)`, { field: 'loss', value: loss });
  }

  protected encodeTarget(y: ArrayLike<Label>, n: number, who: string): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = y[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: y[${i}] is ${JSON.stringify(v)}; regression targets must be finite numbers`, { field: 'y', line: i, value: v });
      }
      out[i] = v;
    }
    return out;
  }

  protected decodeTarget(y: Float64Array): ArrayLike<Label> {
    return y;
  }

  /** Fits the model on X (dense; NaN = missing) and numeric targets y. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>): this {
    return this.fitImpl(X, y, `${this.estimatorName}.fit`);
  }

  /** Predicted values, one per row of X. */
  predict(X: MatrixInput): Float64Array {
    return this.rawPredict(X, `${this.estimatorName}.predict`).raw;
  }

  /** R² of the predictions (scikit-learn's `score`). */
  score(X: MatrixInput, y: ArrayLike<number>): number {
    return r2Score(y, this.predict(X));
  }
}
registerEstimator(HistGradientBoostingRegressor);

const CLASSIFIER_DEFAULTS: HistGradientBoostingClassifierParams = { loss: 'log_loss', ...COMMON, classWeight: null };

/**
 * Histogram-based gradient boosting for classification, reproducing scikit-learn 1.2's
 * `HistGradientBoostingClassifier` with `loss='log_loss'`: one tree per iteration on the log-odds
 * for two classes, one tree per class on softmax scores for more. Same binning, native missing
 * values, tree growth and early stopping (on a stratified split) as
 * {@link HistGradientBoostingRegressor}.
 *
 * @example
 * ```ts
 * import { HistGradientBoostingClassifier } from 'mlship/learn';
 * const clf = new HistGradientBoostingClassifier({ maxIter: 50 }).fit(X, labels);
 * clf.predict(X);          // labels
 * clf.predictProba(X);     // Matrix rows x classes
 * clf.decisionFunction(X); // Matrix rows x 1 (binary) or rows x classes
 * ```
 */
export class HistGradientBoostingClassifier extends BaseHistGradientBoosting<HistGradientBoostingClassifierParams> implements Classifier<MatrixInput> {
  static override readonly estimatorName: string = 'HistGradientBoostingClassifier';
  readonly estimatorType = 'classifier' as const;
  /** Class labels, sorted as Python sorts them. */
  classes_: Label[] | undefined;

  constructor(params?: Partial<HistGradientBoostingClassifierParams>) {
    super(CLASSIFIER_DEFAULTS, params);
  }

  protected get isClassifierModel(): boolean {
    return true;
  }

  protected makeLoss(who: string): HgbLoss {
    const { loss, classWeight } = this.params;
    if (classWeight !== null) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: classWeight must be null (class weights are not implemented), got ${JSON.stringify(classWeight)}`, { field: 'classWeight', value: classWeight });
    }
    if (loss !== 'log_loss') throw new MlshipError('INVALID_ARGUMENT', `${who}: loss must be 'log_loss', got ${JSON.stringify(loss)}`, { field: 'loss', value: loss });
    const k = this.classes_!.length;
    return k <= 2 ? binomialLoss : multinomialLoss(k);
  }

  protected encodeTarget(y: ArrayLike<Label>, n: number, who: string): Float64Array {
    const labels = checkLabels(y, n, who);
    const classes = uniqueLabels(labels);
    this.classes_ = classes;
    return Float64Array.from(encodeLabels(labels, classes));
  }

  protected decodeTarget(y: Float64Array): ArrayLike<Label> {
    return Array.from(y, (c) => this.classes_![c]!);
  }

  /** Fits the model on X (dense; NaN = missing) and labels y. Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<Label>): this {
    return this.fitImpl(X, y, `${this.estimatorName}.fit`);
  }

  /** Raw scores: log-odds of `classes_[1]` for two classes (rows x 1), else one column per class. */
  decisionFunction(X: MatrixInput): Matrix {
    const { raw, n } = this.rawPredict(X, `${this.estimatorName}.decisionFunction`);
    return new Matrix(n, this.nTreesPerIteration_!, raw);
  }

  /** Class probabilities, one column per entry of `classes_`. */
  predictProba(X: MatrixInput): Matrix {
    const { raw, n } = this.rawPredict(X, `${this.estimatorName}.predictProba`);
    const K = this.nTreesPerIteration_!;
    if (K === 1) {
      const out = new Matrix(n, 2);
      for (let i = 0; i < n; i++) {
        const r = raw[i]!;
        const p = r >= 0 ? 1 / (1 + Math.exp(-r)) : Math.exp(r) / (1 + Math.exp(r));
        out.data[2 * i] = 1 - p;
        out.data[2 * i + 1] = p;
      }
      return out;
    }
    const out = new Matrix(n, K);
    for (let i = 0; i < n; i++) {
      const o = i * K;
      let max = -Infinity;
      for (let k = 0; k < K; k++) if (raw[o + k]! > max) max = raw[o + k]!;
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const e = Math.exp(raw[o + k]! - max);
        out.data[o + k] = e;
        sum += e;
      }
      for (let k = 0; k < K; k++) out.data[o + k] = out.data[o + k]! / sum;
    }
    return out;
  }

  /** `log(predictProba(X))`. */
  predictLogProba(X: MatrixInput): Matrix {
    const p = this.predictProba(X);
    for (let i = 0; i < p.data.length; i++) p.data[i] = Math.log(p.data[i]!);
    return p;
  }

  /** The most probable class of each row. */
  predict(X: MatrixInput): Label[] {
    const { raw, n } = this.rawPredict(X, `${this.estimatorName}.predict`);
    const K = this.nTreesPerIteration_!;
    const classes = this.classes_!;
    const out = new Array<Label>(n);
    for (let i = 0; i < n; i++) {
      if (K === 1) out[i] = classes[raw[i]! > 0 && classes.length > 1 ? 1 : 0]!;
      else {
        let best = 0;
        for (let k = 1; k < K; k++) if (raw[i * K + k]! > raw[i * K + best]!) best = k;
        out[i] = classes[best]!;
      }
    }
    return out;
  }

  /** Mean accuracy (scikit-learn's `score`). */
  score(X: MatrixInput, y: ArrayLike<Label>): number {
    return accuracyScore(y, this.predict(X));
  }

  protected override getState(): EstimatorState {
    return { ...super.getState(), classes: this.classes_! };
  }

  protected override setState(state: EstimatorState): void {
    super.setState(state);
    this.classes_ = state.classes as Label[];
  }
}
registerEstimator(HistGradientBoostingClassifier);

import { CsrMatrix, Matrix, MlshipError, encodeLabels, uniqueLabels, type AnyMatrix, type Label } from '../../core/index.js';
import { BaseEstimator, registerEstimator, type Classifier, type EstimatorState, type Regressor } from '../base.js';
import { argmaxRows, checkFeatureCount, checkLabels, checkMatrix, labelAccuracy, type MatrixInput } from '../kernels/index.js';
import { r2Score } from '../metrics/index.js';
import { argsortColumns, buildTree, type TreeData } from './builder.js';
import { RAND_R_MAX, RandR } from './random.js';
import {
  applyTree,
  concatTrees,
  exportTreeText,
  leafCount,
  packTrees,
  packedPredict,
  treeImportances,
  treeSetFromState,
  treeSetState,
  type ExportTextOptions,
  type PackedTrees,
  type TreeSet,
} from './flat.js';
import { checkSampleWeight, criterionCode, resolveGrowth, type ClassificationCriterion, type RegressionCriterion, type TreeGrowthParams } from './params.js';

/** Hyperparameters shared by {@link DecisionTreeRegressor} and {@link DecisionTreeClassifier}. */
export interface BaseTreeParams extends TreeGrowthParams {
  /**
   * 'best': the best threshold of each tried feature (midpoints between consecutive distinct
   * values); 'random': one uniformly drawn threshold per tried feature (as ExtraTrees).
   * @default 'best'
   */
  splitter: 'best' | 'random';
  /**
   * Seed of the order in which features are tried (and which, when `maxFeatures` is below the
   * number of features) and of the random thresholds. The draws reproduce scikit-learn's (NumPy's
   * `RandomState` and the splitter's `rand_r`), so the same seed grows the same tree as
   * scikit-learn 1.2, up to float rounding in near-ties. null draws a random seed. @default null
   */
  randomState: number | null;
}

/** Hyperparameters of {@link DecisionTreeRegressor} (scikit-learn 1.2's names in camelCase). */
export interface DecisionTreeRegressorParams extends BaseTreeParams {
  /** Split quality: 'squared_error' or 'friedman_mse' ('absolute_error' and 'poisson' are not implemented). @default 'squared_error' */
  criterion: RegressionCriterion;
}

/** Hyperparameters of {@link DecisionTreeClassifier}. */
export interface DecisionTreeClassifierParams extends BaseTreeParams {
  /** Split quality: 'gini', or 'entropy' / 'log_loss' (the same, Shannon entropy). @default 'gini' */
  criterion: ClassificationCriterion;
}

/**
 * The growth defaults shared by trees and forests:
 * maxDepth null (grow until pure or limited by the other rules), minSamplesSplit 2,
 * minSamplesLeaf 1, minWeightFractionLeaf 0, maxFeatures null (all), maxLeafNodes null
 * (depth-first growth), minImpurityDecrease 0, ccpAlpha 0.
 */
export const GROWTH_DEFAULTS: TreeGrowthParams = {
  maxDepth: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  minWeightFractionLeaf: 0,
  maxFeatures: null,
  maxLeafNodes: null,
  minImpurityDecrease: 0,
  ccpAlpha: 0,
};

/**
 * X as a dense row-major Float32Array (CSR input is densified). Trees compare features in
 * float32, as scikit-learn's do, so that thresholds and decisions match its trees.
 */
export function denseData(X: AnyMatrix): Float32Array {
  return checkFloat32(Float32Array.from(X instanceof CsrMatrix ? X.toDense().data : X.data), X.cols);
}

/** Rejects values that overflow float32 (scikit-learn: "a value too large for dtype('float32')"). */
function checkFloat32<T extends Float32Array>(a: T, cols: number, featureMajorRows = 0): T {
  for (let k = 0; k < a.length; k++) {
    if (a[k] === Infinity || a[k] === -Infinity) {
      const [row, col] = featureMajorRows > 0 ? [k % featureMajorRows, Math.floor(k / featureMajorRows)] : [Math.floor(k / cols), k % cols];
      throw new MlshipError('INVALID_ARGUMENT', `X has a value too large for float32 at row ${row}, column ${col}; trees compare features in float32 (as scikit-learn), so scale X below 3.4e38`, { field: 'X', line: row, column: col });
    }
  }
  return a;
}

/** X feature-major in float32 (`out[f * n + i]`), the layout the tree builder scans; `out` may be given (e.g. shared memory). */
export function featureMajor(X: AnyMatrix, out: Float32Array = new Float32Array(X.rows * X.cols)): Float32Array {
  const n = X.rows;
  const d = X.cols;
  if (X instanceof CsrMatrix) {
    for (let i = 0; i < n; i++) for (let p = X.indptr[i]!; p < X.indptr[i + 1]!; p++) out[X.indices[p]! * n + i] = X.data[p]!;
    return checkFloat32(out, d, n);
  }
  const x = (X as Matrix).data;
  for (let i = 0, r = 0; i < n; i++, r += d) for (let f = 0; f < d; f++) out[f * n + i] = x[r + f]!;
  return checkFloat32(out, d, n);
}

/** A seed for scikit-learn's tree generator: `randomState`, or a random one when null. */
export function treeSeed(randomState: number | null, who: string): number {
  if (randomState === null || randomState === undefined) return Math.floor(Math.random() * RAND_R_MAX);
  if (!(Number.isInteger(randomState) && randomState >= 0 && randomState <= 0xffffffff)) {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: randomState must be null or an integer in [0, 2^32 - 1], got ${JSON.stringify(randomState)}`, { field: 'randomState', value: randomState });
  }
  return randomState;
}

/** Validates regression targets: one finite number per row. */
export function checkTargets(y: ArrayLike<number>, n: number, who: string): Float64Array {
  if (!y || typeof y.length !== 'number') throw new MlshipError('INVALID_ARGUMENT', `${who}: y must be an array of numbers`, { field: 'y' });
  if (y.length !== n) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: X and y have inconsistent numbers of samples: [${n}, ${y.length}]; pass one target per row of X`, { field: 'y', value: y.length, expected: n });
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = y[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: y[${i}] is ${String(v)}; regression targets must be finite numbers`, { field: 'y', line: i, value: v });
    }
    out[i] = v;
  }
  return out;
}

/**
 * The decision trees' shared machinery (scikit-learn's `BaseDecisionTree`): fit on flat arrays,
 * leaf lookup, depth, leaf count, importances, text export and the learned state.
 */
export abstract class BaseDecisionTree<P extends BaseTreeParams & { criterion: string }> extends BaseEstimator<P> {
  /** The fitted tree as flat typed arrays (scikit-learn's `tree_`). */
  tree_: TreeSet | undefined;
  /** Number of features seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Impurity-based feature importances, normalised to sum 1. */
  featureImportances_: Float64Array | undefined;

  get isFitted(): boolean {
    return this.tree_ !== undefined;
  }

  protected abstract readonly classification: boolean;
  private packedCache: { from: TreeSet; packed: PackedTrees } | undefined;

  /** The tree in the inference layout (built once per fitted tree). */
  protected packed(): PackedTrees {
    if (this.packedCache?.from !== this.tree_) this.packedCache = { from: this.tree_!, packed: packTrees(this.tree_!, this.classification) };
    return this.packedCache!.packed;
  }

  /** Grows the tree on validated X and targets (class codes for classifiers). */
  protected fitTree(X: AnyMatrix, target: Float64Array, nClasses: number, sampleWeight: ArrayLike<number> | undefined, who: string): void {
    const n = X.rows;
    const d = X.cols;
    const w = checkSampleWeight(sampleWeight, n, who);
    let wsum = 0;
    for (let i = 0; i < n; i++) wsum += w[i]!;
    const p = this.params;
    if (p.splitter !== 'best' && p.splitter !== 'random') {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: splitter must be 'best' or 'random', got ${JSON.stringify(p.splitter)}`, { field: 'splitter', value: p.splitter });
    }
    const build = resolveGrowth(p, criterionCode(p.criterion, this.classification, who), p.splitter === 'random', n, d, wsum, who);
    const xc = featureMajor(X);
    const data: TreeData = { n, d, xc, order: argsortColumns(xc, n, d), y: target, nClasses };
    const tree = buildTree(data, build, w, RandR.fromSeed(treeSeed(p.randomState, who)));
    this.tree_ = concatTrees([tree], nClasses > 0 ? nClasses : 1);
    this.nFeaturesIn_ = d;
    this.featureImportances_ = treeImportances(this.tree_, 0, d);
  }

  /** Validated, dense row-major X for inference. */
  protected rows(X: MatrixInput, method: string): { x: Float32Array; n: number } {
    this.requireFitted(method);
    const who = `${this.estimatorName}.${method}`;
    const m = checkMatrix(X, who);
    checkFeatureCount(m, this.nFeaturesIn_!, who);
    return { x: denseData(m), n: m.rows };
  }

  /** The index of the leaf each row ends in (scikit-learn's `apply`). */
  apply(X: MatrixInput): Int32Array {
    const { x, n } = this.rows(X, 'apply');
    return applyTree(this.tree_!, 0, x, n, this.nFeaturesIn_!, new Int32Array(n));
  }

  /** The depth of the tree (a single leaf has depth 0). */
  getDepth(): number {
    this.requireFitted('getDepth');
    return this.tree_!.depths[0]!;
  }

  /** The number of leaves. */
  getNLeaves(): number {
    this.requireFitted('getNLeaves');
    return leafCount(this.tree_!, 0);
  }

  /**
   * The tree as text, as `sklearn.tree.export_text`.
   *
   * @example
   * ```ts
   * console.log(new DecisionTreeRegressor({ maxDepth: 2 }).fit(X, y).exportText({ featureNames: ['age', 'income'] }));
   * // |--- income <= 0.50
   * // |   |--- value: [1.20]
   * // ...
   * ```
   */
  exportText(options: ExportTextOptions = {}): string {
    this.requireFitted('exportText');
    return exportTreeText(this.tree_!, 0, this.nFeaturesIn_!, this.classNames(), options);
  }

  protected classNames(): Label[] | null {
    return null;
  }

  protected getState(): EstimatorState {
    return { nFeaturesIn: this.nFeaturesIn_!, tree: treeSetState(this.tree_!) };
  }

  protected setState(state: EstimatorState): void {
    const d = state['nFeaturesIn'];
    const tree = state['tree'];
    if (typeof d !== 'number' || !tree || typeof tree !== 'object' || Array.isArray(tree) || ArrayBuffer.isView(tree)) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected nFeaturesIn and tree)`);
    }
    this.tree_ = treeSetFromState(tree as EstimatorState, d, this.estimatorName);
    this.nFeaturesIn_ = d;
    this.featureImportances_ = treeImportances(this.tree_, 0, d);
  }
}

/**
 * A regression tree (scikit-learn 1.2's `DecisionTreeRegressor`): the same splits as
 * scikit-learn's `BestSplitter` on data without ties when all features are tried; predictions are
 * leaf means. Accepts sample weights.
 *
 * @example
 * ```ts
 * import { DecisionTreeRegressor } from 'mlship/learn';
 * const tree = new DecisionTreeRegressor({ maxDepth: 3 }).fit([[0], [1], [2], [3]], [0, 0, 1, 1]);
 * tree.predict([[2.5]]); // Float64Array [1]
 * tree.getDepth();       // 1
 * ```
 */
export class DecisionTreeRegressor extends BaseDecisionTree<DecisionTreeRegressorParams> implements Regressor<MatrixInput> {
  static override readonly estimatorName: string = 'DecisionTreeRegressor';
  readonly estimatorType = 'regressor' as const;
  protected readonly classification = false;

  constructor(params?: Partial<DecisionTreeRegressorParams>) {
    super({ criterion: 'squared_error', splitter: 'best', randomState: null, ...GROWTH_DEFAULTS }, params);
  }

  /** Grows the tree on X and targets y (optionally weighted). Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<number>, sampleWeight?: ArrayLike<number>): this {
    const who = `${this.estimatorName}.fit`;
    const m = checkMatrix(X, who);
    this.fitTree(m, checkTargets(y, m.rows, who), 0, sampleWeight, who);
    return this;
  }

  /** The leaf mean of each row. */
  predict(X: MatrixInput): Float64Array {
    const { x, n } = this.rows(X, 'predict');
    return packedPredict(this.packed(), x, n, this.nFeaturesIn_!);
  }

  /** R² of `predict(X)` against y. */
  score(X: MatrixInput, y: ArrayLike<number>): number {
    return r2Score(y, this.predict(X));
  }
}
registerEstimator(DecisionTreeRegressor);

/**
 * A classification tree (scikit-learn 1.2's `DecisionTreeClassifier`): labels are strings or
 * numbers, `predictProba` gives the leaf's weighted class frequencies in `classes_` order.
 *
 * @example
 * ```ts
 * import { DecisionTreeClassifier } from 'mlship/learn';
 * const tree = new DecisionTreeClassifier({ criterion: 'entropy' }).fit([[0], [1], [2]], ['a', 'a', 'b']);
 * tree.predict([[1.8]]);      // ['b']
 * tree.predictProba([[0.2]]); // Matrix [[1, 0]]
 * ```
 */
export class DecisionTreeClassifier extends BaseDecisionTree<DecisionTreeClassifierParams> implements Classifier<MatrixInput> {
  static override readonly estimatorName: string = 'DecisionTreeClassifier';
  readonly estimatorType = 'classifier' as const;
  protected readonly classification = true;
  /** Class labels, sorted as Python sorts them. */
  classes_: Label[] | undefined;

  constructor(params?: Partial<DecisionTreeClassifierParams>) {
    super({ criterion: 'gini', splitter: 'best', randomState: null, ...GROWTH_DEFAULTS }, params);
  }

  /** Grows the tree on X and labels y (optionally weighted). Returns `this`. */
  fit(X: MatrixInput, y: ArrayLike<Label>, sampleWeight?: ArrayLike<number>): this {
    const who = `${this.estimatorName}.fit`;
    const m = checkMatrix(X, who);
    const labels = checkLabels(y, m.rows, who);
    const classes = uniqueLabels(labels);
    const codes = encodeLabels(labels, classes);
    this.fitTree(m, Float64Array.from(codes), classes.length, sampleWeight, who);
    this.classes_ = classes;
    return this;
  }

  /** Class probabilities per row (columns in `classes_` order). */
  predictProba(X: MatrixInput): Matrix {
    const { x, n } = this.rows(X, 'predictProba');
    return new Matrix(n, this.classes_!.length, packedPredict(this.packed(), x, n, this.nFeaturesIn_!));
  }

  /** Log of {@link predictProba}. */
  predictLogProba(X: MatrixInput): Matrix {
    const p = this.predictProba(X);
    for (let k = 0; k < p.data.length; k++) p.data[k] = Math.log(p.data[k]!);
    return p;
  }

  /** The most probable class of each row (the first in `classes_` order on ties). */
  predict(X: MatrixInput): Label[] {
    const { x, n } = this.rows(X, 'predict');
    const k = this.classes_!.length;
    const proba = packedPredict(this.packed(), x, n, this.nFeaturesIn_!);
    const idx = new Int32Array(n);
    argmaxRows(proba, n, k, idx);
    const out = new Array<Label>(n);
    for (let i = 0; i < n; i++) out[i] = this.classes_![idx[i]!]!;
    return out;
  }

  /** Mean accuracy of `predict(X)` against y. */
  score(X: MatrixInput, y: ArrayLike<Label>): number {
    return labelAccuracy(y, this.predict(X), `${this.estimatorName}.score`);
  }

  protected override classNames(): Label[] | null {
    return this.classes_ ?? null;
  }

  protected override getState(): EstimatorState {
    return { ...super.getState(), classes: this.classes_!.slice() };
  }

  protected override setState(state: EstimatorState): void {
    const classes = state['classes'];
    if (!Array.isArray(classes) || classes.some((c) => typeof c !== 'string' && typeof c !== 'number')) {
      throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved state is malformed (expected classes)`);
    }
    super.setState(state);
    if (this.tree_!.stride !== classes.length) throw new MlshipError('CORRUPT_ARTIFACT', `${this.estimatorName}: saved tree has ${this.tree_!.stride} values per node but ${classes.length} classes`);
    this.classes_ = classes as Label[];
  }
}
registerEstimator(DecisionTreeClassifier);

/**
 * Validation and resolution of the tree hyperparameters shared by the decision trees and the
 * forests, as scikit-learn 1.2's `BaseDecisionTree.fit` does it.
 */
import { MlshipError } from '../../core/index.js';
import { CRITERION_ENTROPY, CRITERION_FRIEDMAN_MSE, CRITERION_GINI, CRITERION_SQUARED_ERROR, type BuildParams } from './builder.js';

/** Criteria of the regression trees. `absolute_error` and `poisson` are not implemented yet. */
export type RegressionCriterion = 'squared_error' | 'friedman_mse';
/** Criteria of the classification trees (`log_loss` is `entropy`, as in scikit-learn). */
export type ClassificationCriterion = 'gini' | 'entropy' | 'log_loss';
/**
 * How many features to try per split: null (all), 'sqrt', 'log2', a fraction in (0, 1] of the
 * features, or a count >= 2. JavaScript has one number type, so `1` is the fraction 1.0 (all
 * features, scikit-learn's `1.0`), not one feature; for a single feature pass a fraction below
 * 2 / nFeatures.
 */
export type MaxFeatures = number | 'sqrt' | 'log2' | null;

/** The growth hyperparameters common to trees and forests (scikit-learn 1.2's, in camelCase). */
export interface TreeGrowthParams {
  /** Deepest level a node may have (the root is level 0); null grows until the leaves are pure or too small. @default null */
  maxDepth: number | null;
  /** Fewest samples a node needs to be split: a count >= 2, or a fraction of the rows (rounded up; `1` is the fraction 1.0). @default 2 */
  minSamplesSplit: number;
  /** Fewest samples in each leaf: a count >= 1, or a fraction in (0, 1) of the rows (rounded up). @default 1 */
  minSamplesLeaf: number;
  /** Smallest fraction of the total sample weight in each leaf, in [0, 0.5]. @default 0 */
  minWeightFractionLeaf: number;
  /**
   * Features tried per split (see {@link MaxFeatures}). Trees and RandomForestRegressor: null / 1
   * (all); RandomForestClassifier: 'sqrt'. @default null (trees), 1 (RandomForestRegressor), 'sqrt' (RandomForestClassifier)
   */
  maxFeatures: MaxFeatures;
  /** Grow best-first (largest impurity decrease first) to at most this many leaves; null grows depth-first without a limit. @default null */
  maxLeafNodes: number | null;
  /** Split a node only if the weighted impurity decrease is at least this. @default 0 */
  minImpurityDecrease: number;
  /** Minimal cost-complexity pruning; not implemented, only 0 is accepted. @default 0 */
  ccpAlpha: number;
}

const MAX_DEPTH_NONE = 0x7fffffff;

function bad(who: string, field: string, value: unknown, what: string): MlshipError {
  return new MlshipError('INVALID_ARGUMENT', `${who}: ${field} must be ${what}, got ${JSON.stringify(value)}`, { field, value });
}

/** The criterion code, or INVALID_ARGUMENT naming the supported ones. */
export function criterionCode(criterion: unknown, classification: boolean, who: string): number {
  if (classification) {
    if (criterion === 'gini') return CRITERION_GINI;
    if (criterion === 'entropy' || criterion === 'log_loss') return CRITERION_ENTROPY;
    throw bad(who, 'criterion', criterion, "one of 'gini', 'entropy', 'log_loss'");
  }
  if (criterion === 'squared_error') return CRITERION_SQUARED_ERROR;
  if (criterion === 'friedman_mse') return CRITERION_FRIEDMAN_MSE;
  if (criterion === 'absolute_error' || criterion === 'poisson') {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: criterion '${String(criterion)}' is not implemented in mlship yet; use 'squared_error' or 'friedman_mse'`, { field: 'criterion', value: criterion });
  }
  throw bad(who, 'criterion', criterion, "one of 'squared_error', 'friedman_mse'");
}

/**
 * Resolves the growth hyperparameters for a training set of `nSamples` rows, `nFeatures` columns
 * and total sample weight `weightSum` (scikit-learn's rules: fractions of `nSamples` rounded up,
 * `minSamplesSplit >= 2 * minSamplesLeaf`, `maxFeatures` 'sqrt' / 'log2' / fraction floored and at
 * least 1).
 */
export function resolveGrowth(
  p: TreeGrowthParams,
  criterion: number,
  randomSplits: boolean,
  nSamples: number,
  nFeatures: number,
  weightSum: number,
  who: string,
): BuildParams {
  const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (p.maxDepth !== null && !(isInt(p.maxDepth) && p.maxDepth >= 1)) throw bad(who, 'maxDepth', p.maxDepth, 'null or an integer >= 1');
  let minSamplesLeaf: number;
  if (isInt(p.minSamplesLeaf) && p.minSamplesLeaf >= 1) minSamplesLeaf = p.minSamplesLeaf;
  else if (isNum(p.minSamplesLeaf) && p.minSamplesLeaf > 0 && p.minSamplesLeaf < 1) minSamplesLeaf = Math.ceil(p.minSamplesLeaf * nSamples);
  else throw bad(who, 'minSamplesLeaf', p.minSamplesLeaf, 'an integer >= 1 or a fraction in (0, 1)');
  let minSamplesSplit: number;
  if (isInt(p.minSamplesSplit) && p.minSamplesSplit >= 2) minSamplesSplit = p.minSamplesSplit;
  else if (isNum(p.minSamplesSplit) && p.minSamplesSplit > 0 && p.minSamplesSplit <= 1) {
    minSamplesSplit = Math.max(2, Math.ceil(p.minSamplesSplit * nSamples));
  } else throw bad(who, 'minSamplesSplit', p.minSamplesSplit, 'an integer >= 2 or a fraction in (0, 1]');
  minSamplesSplit = Math.max(minSamplesSplit, 2 * minSamplesLeaf);
  // (`1` is scikit-learn's fraction 1.0: as JavaScript cannot tell 1 from 1.0, an integer 1 is not a count here.)
  if (!(isNum(p.minWeightFractionLeaf) && p.minWeightFractionLeaf >= 0 && p.minWeightFractionLeaf <= 0.5)) {
    throw bad(who, 'minWeightFractionLeaf', p.minWeightFractionLeaf, 'a number in [0, 0.5]');
  }
  let maxFeatures: number;
  const mf = p.maxFeatures;
  if (mf === null) maxFeatures = nFeatures;
  else if (mf === 'sqrt') maxFeatures = Math.max(1, Math.floor(Math.sqrt(nFeatures)));
  else if (mf === 'log2') maxFeatures = Math.max(1, Math.floor(Math.log2(nFeatures)));
  else if (isNum(mf) && mf > 0 && mf <= 1) maxFeatures = Math.max(1, Math.floor(mf * nFeatures));
  else if (isInt(mf) && mf >= 2) {
    if (mf > nFeatures) throw bad(who, 'maxFeatures', mf, `at most the number of features (${nFeatures})`);
    maxFeatures = mf;
  }
  else throw bad(who, 'maxFeatures', mf, "null, 'sqrt', 'log2', an integer >= 1 or a fraction in (0, 1]");
  if (p.maxLeafNodes !== null && !(isInt(p.maxLeafNodes) && p.maxLeafNodes >= 2)) throw bad(who, 'maxLeafNodes', p.maxLeafNodes, 'null or an integer >= 2');
  if (!(isNum(p.minImpurityDecrease) && p.minImpurityDecrease >= 0)) throw bad(who, 'minImpurityDecrease', p.minImpurityDecrease, 'a number >= 0');
  if (!(isNum(p.ccpAlpha) && p.ccpAlpha >= 0)) throw bad(who, 'ccpAlpha', p.ccpAlpha, 'a number >= 0');
  if (p.ccpAlpha > 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${who}: ccpAlpha=${p.ccpAlpha}: minimal cost-complexity pruning is not implemented in mlship yet; use ccpAlpha: 0 and limit growth with maxDepth, minSamplesLeaf or maxLeafNodes`, {
      field: 'ccpAlpha',
      value: p.ccpAlpha,
    });
  }
  return {
    criterion,
    randomSplits,
    maxDepth: p.maxDepth ?? MAX_DEPTH_NONE,
    minSamplesSplit,
    minSamplesLeaf,
    minWeightLeaf: p.minWeightFractionLeaf * weightSum,
    maxFeatures,
    maxLeafNodes: p.maxLeafNodes ?? 0,
    minImpurityDecrease: p.minImpurityDecrease,
  };
}

/** Validates sample weights: one finite non-negative number per row, not all zero. */
export function checkSampleWeight(sampleWeight: ArrayLike<number> | undefined | null, n: number, who: string): Float64Array {
  const w = new Float64Array(n);
  if (sampleWeight === undefined || sampleWeight === null) {
    w.fill(1);
    return w;
  }
  if (typeof sampleWeight.length !== 'number' || sampleWeight.length !== n) {
    throw new MlshipError('SHAPE_MISMATCH', `${who}: sampleWeight has ${String(sampleWeight.length)} values but X has ${n} rows; pass one weight per row`, { field: 'sampleWeight' });
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = sampleWeight[i]!;
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: sampleWeight[${i}] is ${String(v)}; weights must be finite and non-negative`, { field: 'sampleWeight', line: i, value: v });
    }
    w[i] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new MlshipError('INVALID_ARGUMENT', `${who}: sampleWeight sums to 0; at least one row needs a positive weight`, { field: 'sampleWeight' });
  return w;
}

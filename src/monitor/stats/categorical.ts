// Tests on categorical columns, as Evidently computes them: the chi-squared goodness of fit of the
// current counts against the reference proportions, and the two-proportion Z test for two values.
import { MlshipError, compareLabels } from '../../core/index.js';
import { gammaincc, normalCdf } from './special.js';

/** One categorical value; `null`, `undefined` and NaN count as missing and are dropped. */
export type Category = string | number | boolean | null | undefined;

/** A statistical test's outcome. */
export interface TestResult {
  statistic: number;
  pValue: number;
}

/** Counts of the non-missing values, in first-seen order, and how many were missing. */
export function countCategories(values: ArrayLike<Category>): { counts: Map<Category, number>; total: number; droppedNaN: number } {
  const counts = new Map<Category, number>();
  let dropped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) {
      dropped++;
      continue;
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return { counts, total: values.length - dropped, droppedNaN: dropped };
}

/**
 * Pearson's chi-squared goodness-of-fit test, equal to `scipy.stats.chisquare(observed, expected)`:
 * statistic Σ (o − e)² / e and p = Q((k − 1) / 2, statistic / 2). A category expected 0 times but
 * observed gives an infinite statistic and p = 0.
 *
 * @throws MlshipError INVALID_ARGUMENT when the lengths differ, are empty, or the sums disagree
 *   beyond a relative 1e-8 (scipy's check).
 * @example
 * ```ts
 * import { chiSquare } from 'mlship/monitor';
 * chiSquare([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]).pValue; // ≈ 0.408
 * ```
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  const k = observed.length;
  if (k === 0 || expected.length !== k)
    throw new MlshipError('INVALID_ARGUMENT', `chiSquare: observed (${k}) and expected (${expected.length}) must have the same non-zero length`);
  let so = 0;
  let se = 0;
  for (let i = 0; i < k; i++) {
    so += observed[i]!;
    se += expected[i]!;
  }
  if (Math.abs(so - se) / Math.min(so, se) > 1e-8)
    throw new MlshipError('INVALID_ARGUMENT', `chiSquare: observed sums to ${so} but expected to ${se}; scale expected to the observed total`);
  let stat = 0;
  for (let i = 0; i < k; i++) {
    const o = observed[i]!;
    const e = expected[i]!;
    const diff = o - e;
    stat += e === 0 ? (diff === 0 ? NaN : Infinity) : (diff * diff) / e;
  }
  const pValue = k < 2 || Number.isNaN(stat) ? NaN : stat === Infinity ? 0 : gammaincc((k - 1) / 2, stat / 2);
  return { statistic: stat, pValue };
}

/** The result of {@link chiSquareTest} and {@link zTestProportions}. */
export interface CategoricalTestResult extends TestResult {
  /** The categories compared, in the order of the counts. */
  categories: Category[];
  /** Missing values dropped from the reference and the current sample. */
  droppedNaN: [number, number];
}

function referenceCounts(ref: ArrayLike<Category> | Record<string, number> | Map<Category, number>): { counts: Map<Category, number>; total: number; dropped: number } {
  if (ref instanceof Map || !('length' in ref)) {
    const counts = new Map<Category, number>(ref instanceof Map ? ref : Object.entries(ref));
    let total = 0;
    for (const [key, c] of counts) {
      if (!(Number.isFinite(c) && c >= 0))
        throw new MlshipError('INVALID_ARGUMENT', `chiSquareTest: reference count of ${JSON.stringify(key)} is ${c}, expected a count >= 0`);
      total += c;
    }
    return { counts, total, dropped: 0 };
  }
  const { counts, total, droppedNaN } = countCategories(ref as ArrayLike<Category>);
  return { counts, total, dropped: droppedNaN };
}

/**
 * Evidently's chi-squared drift test for a categorical column: the categories seen in either
 * sample, expected counts = reference counts × (current size / reference size), then
 * `scipy.stats.chisquare(currentCounts, expected)`. The reference may be its raw values or its
 * counts per category. Missing values are dropped first.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty.
 * @example
 * ```ts
 * import { chiSquareTest } from 'mlship/monitor';
 * const { pValue } = chiSquareTest(['a', 'a', 'b', 'c'], ['a', 'b', 'b', 'c', 'c', 'c']);
 * const drift = pValue <= 0.05;
 * ```
 */
export function chiSquareTest(
  reference: ArrayLike<Category> | Record<string, number> | Map<Category, number>,
  current: ArrayLike<Category>,
): CategoricalTestResult {
  const ref = referenceCounts(reference);
  const cur = countCategories(current);
  if (ref.total === 0) throw new MlshipError('INVALID_ARGUMENT', 'chiSquareTest: the reference sample is empty (or all missing)');
  if (cur.total === 0) throw new MlshipError('INVALID_ARGUMENT', 'chiSquareTest: the current sample is empty (or all missing)');
  const keys: Category[] = [...ref.counts.keys()];
  for (const k of cur.counts.keys()) if (!ref.counts.has(k)) keys.push(k);
  const kNorm = cur.total / ref.total;
  const expected = keys.map((k) => (ref.counts.get(k) ?? 0) * kNorm);
  const observed = keys.map((k) => cur.counts.get(k) ?? 0);
  const { statistic, pValue } = chiSquare(observed, expected);
  return { statistic, pValue, categories: keys, droppedNaN: [ref.dropped, cur.droppedNaN] };
}

function compareCategories(a: Category, b: Category): number {
  const norm = (v: Category): string | number => (typeof v === 'boolean' ? Number(v) : (v as string | number));
  return compareLabels(norm(a), norm(b));
}

/**
 * Evidently's two-proportion Z test for a column with (at most) two values: the smallest value
 * (Python's sort order) is coded 0, every other value 1; z = (p_ref − p_cur) /
 * √(P(1 − P)(1/n_ref + 1/n_cur)) with the pooled proportion P, and p = 2·(1 − Φ(|z|)). When both
 * samples hold one and the same value, z = 0 and p = 1 (Evidently's special case).
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty.
 * @example
 * ```ts
 * import { zTestProportions } from 'mlship/monitor';
 * const { statistic, pValue } = zTestProportions(['yes', 'no', 'no', 'no'], ['yes', 'yes', 'yes', 'no']);
 * ```
 */
export function zTestProportions(reference: ArrayLike<Category>, current: ArrayLike<Category>): CategoricalTestResult {
  const ref = countCategories(reference);
  const cur = countCategories(current);
  if (ref.total === 0) throw new MlshipError('INVALID_ARGUMENT', 'zTestProportions: the reference sample is empty (or all missing)');
  if (cur.total === 0) throw new MlshipError('INVALID_ARGUMENT', 'zTestProportions: the current sample is empty (or all missing)');
  const keys = [...new Set<Category>([...ref.counts.keys(), ...cur.counts.keys()])].sort(compareCategories);
  const dropped: [number, number] = [ref.droppedNaN, cur.droppedNaN];
  if (ref.counts.size === 1 && cur.counts.size === 1 && keys.length === 1)
    return { statistic: 0, pValue: 1, categories: keys, droppedNaN: dropped };
  const first = keys[0];
  const z = twoProportionZ(ref.total, ref.total - (ref.counts.get(first) ?? 0), cur.total, cur.total - (cur.counts.get(first) ?? 0));
  return { ...z, categories: keys, droppedNaN: dropped };
}

/**
 * The pooled two-proportion Z test of `x1` successes in `n1` against `x2` in `n2`, two-sided, as
 * Evidently's `proportions_diff_z_test`. Internal: {@link zTestProportions} is the public form.
 */
export function twoProportionZ(n1: number, x1: number, n2: number, x2: number): { statistic: number; pValue: number } {
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const P = (p1 * n1 + p2 * n2) / (n1 + n2);
  const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
  return { statistic: z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

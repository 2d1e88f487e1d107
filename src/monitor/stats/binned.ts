// Distances between binned distributions, as Evidently computes them (calculations/stattests/
// utils.py `get_binned_data`, jensenshannon.py, psi.py): numeric columns with more than 20 distinct
// reference values are binned on Sturges' histogram edges over both samples together; other
// columns are compared per value.
import { MlshipError } from '../../core/index.js';
import { countCategories, type Category } from './categorical.js';

/** Options of {@link binnedPercents}, {@link jensenShannonDistance} and {@link psi}. */
export interface BinnedOptions {
  /**
   * 'numeric' bins numbers on histogram edges when the reference has more than 20 distinct values;
   * 'categorical' compares per value. Default: 'numeric' when every non-missing value is a number.
   */
  kind?: 'numeric' | 'categorical';
  /**
   * Histogram edges for numeric columns: 'sturges' (numpy's rule, Evidently's choice) or a
   * number of equal-width bins over the range of both samples.
   * @default 'sturges'
   */
  bins?: 'sturges' | number;
}

/** The frequency vectors compared by the binned distances. */
export interface BinnedPercents {
  reference: Float64Array;
  current: Float64Array;
  /** Histogram edges (numeric binning) or the categories (per-value comparison). */
  edges?: Float64Array;
  categories?: Category[];
  droppedNaN: [number, number];
}

/** The non-missing values as an ascending Float64Array, or null when one is not a number. */
function sortedNumbers(x: ArrayLike<Category>): { sorted: Float64Array; dropped: number } | null {
  const n = x.length;
  let out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return null;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  if (k < n) out = out.slice(0, k);
  return { sorted: out.sort(), dropped: n - k };
}

function distinctSorted(x: Float64Array): number {
  let d = 0;
  for (let i = 0; i < x.length; i++) if (i === 0 || x[i] !== x[i - 1]) d++;
  return d;
}

/** numpy's linspace(first, last, count + 1) with the last edge set exactly. */
function linspaceEdges(first: number, last: number, count: number): Float64Array {
  const edges = new Float64Array(count + 1);
  const step = (last - first) / count;
  for (let i = 0; i <= count; i++) edges[i] = i * step + first;
  edges[count] = last;
  return edges;
}

/** np.histogram counts of an ascending sample on explicit edges (last bin closed). */
function histogram(sorted: Float64Array, edges: Float64Array): Float64Array {
  const nb = edges.length - 1;
  const counts = new Float64Array(nb);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    const x = sorted[i]!;
    if (x < edges[0]! || x > edges[nb]!) continue;
    while (b < nb - 1 && x >= edges[b + 1]!) b++;
    counts[b]!++;
  }
  return counts;
}

/** Evidently's `fill_zeroes`: empty bins get 0.0001, or a millionth of the smallest share when that is smaller. Internal. */
export function fillZeroes(p: Float64Array): void {
  let min = Infinity;
  for (const v of p) if (v !== 0 && v < min) min = v;
  if (min === Infinity) return;
  const fill = min <= 0.0001 ? min / 1e6 : 0.0001;
  for (let i = 0; i < p.length; i++) if (p[i] === 0) p[i] = fill;
}

/**
 * The reference and current frequency vectors as Evidently's `get_binned_data`: for a numeric
 * column whose reference has more than 20 distinct values, counts on numpy's Sturges histogram
 * edges over both samples (`np.histogram_bin_edges(concat, 'sturges')`) divided by each sample's
 * size; otherwise the share of each value seen in either sample. With `fillZeroes`, empty bins
 * get min(non-zero share) / 10⁶ when that minimum is ≤ 0.0001, else 0.0001 (per vector).
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty (after dropping missing values).
 * @example
 * ```ts
 * import { binnedPercents } from 'mlship/monitor';
 * const { reference, current } = binnedPercents(['a', 'b', 'b'], ['a', 'a', 'c'], false);
 * ```
 */
export function binnedPercents(
  reference: ArrayLike<Category>,
  current: ArrayLike<Category>,
  fill: boolean,
  options: BinnedOptions = {},
): BinnedPercents {
  if (options.kind !== 'categorical') {
    const r = sortedNumbers(reference);
    const c = r && sortedNumbers(current);
    if (r && c) return binnedPercentsSorted(r.sorted, c.sorted, fill, options.bins, [r.dropped, c.dropped]);
    if (options.kind === 'numeric')
      throw new MlshipError('INVALID_ARGUMENT', "binnedPercents: kind 'numeric' needs numbers only; use kind 'categorical' for other values");
  }
  const ref = countCategories(reference);
  const cur = countCategories(current);
  if (ref.total === 0) throw new MlshipError('INVALID_ARGUMENT', 'binnedPercents: the reference sample is empty (or all missing)');
  if (cur.total === 0) throw new MlshipError('INVALID_ARGUMENT', 'binnedPercents: the current sample is empty (or all missing)');
  const keys: Category[] = [...ref.counts.keys()];
  for (const k of cur.counts.keys()) if (!ref.counts.has(k)) keys.push(k);
  const rp = Float64Array.from(keys, (k) => (ref.counts.get(k) ?? 0) / ref.total);
  const cp = Float64Array.from(keys, (k) => (cur.counts.get(k) ?? 0) / cur.total);
  if (fill) {
    fillZeroes(rp);
    fillZeroes(cp);
  }
  return { reference: rp, current: cp, categories: keys, droppedNaN: [ref.droppedNaN, cur.droppedNaN] };
}

/**
 * {@link binnedPercents} for a numeric column given as two ascending NaN-free samples: Sturges
 * histogram when the reference has more than 20 distinct values, else shares per value.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty or holds ±Infinity with histogram binning.
 * @example
 * ```ts
 * import { binnedPercentsSorted } from 'mlship/monitor';
 * const b = binnedPercentsSorted(Float64Array.of(1, 2, 2), Float64Array.of(2, 3), false);
 * ```
 */
export function binnedPercentsSorted(
  r: Float64Array,
  c: Float64Array,
  fill: boolean,
  bins: 'sturges' | number = 'sturges',
  droppedNaN: [number, number] = [0, 0],
): BinnedPercents {
  if (r.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'binnedPercents: the reference sample is empty (or all missing)');
  if (c.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'binnedPercents: the current sample is empty (or all missing)');
  let rp: Float64Array;
  let cp: Float64Array;
  let result: BinnedPercents;
  if (distinctSorted(r) > 20) {
    const lo = Math.min(r[0]!, c[0]!);
    const hi = Math.max(r[r.length - 1]!, c[c.length - 1]!);
    if (!Number.isFinite(lo) || !Number.isFinite(hi))
      throw new MlshipError('INVALID_ARGUMENT', `binnedPercents: the values span [${lo}, ${hi}], which is not finite; drop infinite values first`);
    let first = lo;
    let last = hi;
    if (first === last) {
      first -= 0.5;
      last += 0.5;
    }
    let count: number;
    if (bins === 'sturges') {
      const width = (hi - lo) / (Math.log2(r.length + c.length) + 1);
      count = width ? Math.ceil((last - first) / width) : 1;
    } else {
      if (!(Number.isInteger(bins) && bins > 0)) throw new MlshipError('INVALID_ARGUMENT', `binnedPercents: bins must be 'sturges' or a positive integer, got ${bins}`);
      count = bins;
    }
    const edges = linspaceEdges(first, last, count);
    rp = histogram(r, edges).map((v) => v / r.length);
    cp = histogram(c, edges).map((v) => v / c.length);
    result = { reference: rp, current: cp, edges, droppedNaN };
  } else {
    // Shares per value: one merge walk over the two sorted samples.
    const keys: number[] = [];
    const rc: number[] = [];
    const cc: number[] = [];
    let i = 0;
    let j = 0;
    while (i < r.length || j < c.length) {
      const v = j >= c.length || (i < r.length && r[i]! <= c[j]!) ? r[i]! : c[j]!;
      const i0 = i;
      const j0 = j;
      while (i < r.length && r[i] === v) i++;
      while (j < c.length && c[j] === v) j++;
      keys.push(v);
      rc.push((i - i0) / r.length);
      cc.push((j - j0) / c.length);
    }
    rp = Float64Array.from(rc);
    cp = Float64Array.from(cc);
    result = { reference: rp, current: cp, categories: keys, droppedNaN };
  }
  if (fill) {
    fillZeroes(rp);
    fillZeroes(cp);
  }
  return result;
}

function relEntr(x: number, y: number): number {
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Infinity;
}

/**
 * The Jensen-Shannon distance between two frequency vectors, equal to
 * `scipy.spatial.distance.jensenshannon(p, q, base)`: both normalised to sum 1, then
 * √((KL(p‖m) + KL(q‖m)) / 2 / ln(base)) with m = (p + q) / 2.
 *
 * @example
 * ```ts
 * import { jensenShannon } from 'mlship/monitor';
 * jensenShannon([1, 0], [0, 1]); // 1 (base 2)
 * ```
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>, base = 2): number {
  const k = p.length;
  if (q.length !== k) throw new MlshipError('INVALID_ARGUMENT', `jensenShannon: p has ${k} entries but q has ${q.length}`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < k; i++) {
    sp += p[i]!;
    sq += q[i]!;
  }
  let left = 0;
  let right = 0;
  for (let i = 0; i < k; i++) {
    const pi = p[i]! / sp;
    const qi = q[i]! / sq;
    const m = (pi + qi) / 2;
    left += relEntr(pi, m);
    right += relEntr(qi, m);
  }
  let js = left + right;
  js /= Math.log(base);
  return Math.sqrt(js / 2);
}

/** The result of {@link jensenShannonDistance} and {@link psi}. */
export interface BinnedDistanceResult {
  distance: number;
  /** NaN / missing values dropped from the reference and the current sample. */
  droppedNaN: [number, number];
  /** Number of bins or categories compared. */
  bins: number;
}

/**
 * Evidently's Jensen-Shannon drift score (`jensenshannon` stattest): {@link binnedPercents}
 * without zero filling, then {@link jensenShannon} in base 2 (so the distance lies in [0, 1]).
 * Evidently flags drift at ≥ 0.1.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty.
 * @example
 * ```ts
 * import { jensenShannonDistance } from 'mlship/monitor';
 * const { distance } = jensenShannonDistance(['a', 'a', 'b'], ['b', 'b', 'c']);
 * ```
 */
export function jensenShannonDistance(
  reference: ArrayLike<Category>,
  current: ArrayLike<Category>,
  options: BinnedOptions & {
    /** Logarithm base. @default 2 */
    base?: number;
  } = {},
): BinnedDistanceResult {
  const b = binnedPercents(reference, current, false, options);
  return { distance: jensenShannon(b.reference, b.current, options.base ?? 2), droppedNaN: b.droppedNaN, bins: b.reference.length };
}

/**
 * Evidently's Population Stability Index (`psi` stattest): {@link binnedPercents} with zero
 * filling, then Σ (ref − cur) · ln(ref / cur). Evidently flags drift at ≥ 0.1.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty.
 * @example
 * ```ts
 * import { psi } from 'mlship/monitor';
 * const { distance } = psi([1, 2, 2, 3], [2, 3, 3, 3]);
 * ```
 */
export function psi(reference: ArrayLike<Category>, current: ArrayLike<Category>, options: BinnedOptions = {}): BinnedDistanceResult {
  const b = binnedPercents(reference, current, true, options);
  return { distance: psiOfPercents(b.reference, b.current), droppedNaN: b.droppedNaN, bins: b.reference.length };
}

/**
 * Σ (ref − cur) · ln(ref / cur) over two zero-filled share vectors (Evidently's `sub_psi` sum).
 *
 * @example
 * ```ts
 * import { psiOfPercents } from 'mlship/monitor';
 * psiOfPercents([0.5, 0.5], [0.25, 0.75]); // ≈ 0.2747
 * ```
 */
export function psiOfPercents(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let value = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = reference[i]!;
    const c = current[i]!;
    value += (r - c) * Math.log(r / c);
  }
  return value;
}

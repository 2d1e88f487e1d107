// Column sketches: the reference side (built once from the held-out data, stored in the profile) and
// the current side (streamed chunk by chunk on the reference's bins, O(1) memory per row).
import { MlshipError } from '../../core/index.js';
import type { Category } from '../stats/categorical.js';
import type { CategoricalColumnProfile, ColumnProfile, NumericColumnProfile } from './types.js';

/**
 * Default bins of a numeric sketch: up to maxBins + 1 quantile edges merged with maxBins + 1
 * equally spaced ones.
 *
 * @example
 * ```ts
 * import { DEFAULT_MAX_BINS, profileColumn } from 'mlship/monitor';
 * profileColumn(values, { maxBins: 2 * DEFAULT_MAX_BINS });
 * ```
 */
export const DEFAULT_MAX_BINS = 1000;
/**
 * Default values kept by a categorical sketch (the rest go to its `other` bucket).
 *
 * @example
 * ```ts
 * import { DEFAULT_TOP_K, profileColumn } from 'mlship/monitor';
 * profileColumn(cities, { topK: DEFAULT_TOP_K / 10 });
 * ```
 */
export const DEFAULT_TOP_K = 1000;
/** Distinct current values remembered outside the reference's values (beyond: counted only). */
const OTHERS_CAP = 1000;
/** Distinct current categories counted one by one (beyond: folded into one bucket). */
const CATEGORIES_CAP = 10000;
/** Bins of each tail histogram (values beyond the reference's min and max). */
const TAIL_BINS = 256;

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
}

/** True when every non-missing value is a number (typed arrays: always). */
export function isNumericColumn(values: ArrayLike<Category>): boolean {
  if (ArrayBuffer.isView(values)) return true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && typeof v !== 'number') return false;
  }
  return true;
}

/** Numeric sketch of ascending finite values (see {@link NumericColumnProfile}). */
export function numericProfileOfSorted(sorted: Float64Array, missing: number, maxBins = DEFAULT_MAX_BINS): NumericColumnProfile {
  const n = sorted.length;
  if (n === 0) throw new MlshipError('INVALID_ARGUMENT', `profileColumn: the column has no finite values (${missing} missing); drop it or pass data`);
  // Mean and population std exactly as populationStd (sum in ascending order, two passes).
  let mean = 0;
  for (let i = 0; i < n; i++) mean += sorted[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    ss += d * d;
  }
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  const exact = distinct <= maxBins + 1;
  const edges: number[] = [];
  if (exact) {
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) edges.push(sorted[i]!);
  } else {
    // Equal-mass edges (reference quantiles) merged with equal-width edges over [min, max]: every
    // bin holds at most 1/maxBins of the rows and spans at most 1/maxBins of the range, which
    // bounds the sketch's error in the sparse tails as well as in the dense middle.
    const lo = sorted[0]!;
    const hi = sorted[n - 1]!;
    const cand = new Float64Array(2 * maxBins + 2);
    for (let k = 0; k <= maxBins; k++) {
      cand[2 * k] = sorted[Math.floor((k * (n - 1)) / maxBins)]!;
      cand[2 * k + 1] = k === maxBins ? hi : lo + ((hi - lo) * k) / maxBins;
    }
    cand.sort();
    for (const v of cand) if (edges.length === 0 || v > edges[edges.length - 1]!) edges.push(v);
  }
  const m = edges.length;
  const counts = new Array<number>(m).fill(0);
  const equal = new Array<number>(m).fill(0);
  const below = new Array<number>(m).fill(0);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const x = sorted[i]!;
    while (edges[k]! < x) k++;
    counts[k]!++;
    if (edges[k] === x) equal[k]!++;
    else below[k]! += edges[k]! - x;
  }
  return { kind: 'numeric', count: n, missing, mean, std: Math.sqrt(ss / n), min: sorted[0]!, max: sorted[n - 1]!, distinct, exact, edges, counts, equal, below };
}

/** Categorical sketch from value counts in first-seen order. */
function categoricalProfileOfCounts(counts: Map<Category, number>, missing: number, topK: number): CategoricalColumnProfile {
  const entries = [...counts.entries()] as Array<[string | number | boolean, number]>;
  // Stable sort: ties keep first-seen order.
  entries.sort((a, b) => b[1] - a[1]);
  const values = entries.slice(0, topK);
  let other = 0;
  for (let i = topK; i < entries.length; i++) other += entries[i]![1];
  let count = 0;
  for (const [, c] of entries) count += c;
  return { kind: 'categorical', count, missing, distinct: entries.length, values, other, otherDistinct: Math.max(0, entries.length - topK) };
}

/**
 * Sketches one column: numeric when every non-missing value is a number (or `kind` says so),
 * categorical otherwise. Missing values (null, undefined, NaN) and ±Infinity are counted in
 * `missing` and left out, as the drift tests drop them.
 *
 * @throws MlshipError INVALID_ARGUMENT when no value remains, or `kind: 'numeric'` meets non-numbers.
 * @example
 * ```ts
 * import { profileColumn } from 'mlship/monitor';
 * const age = profileColumn(Float64Array.from({ length: 5000 }, (_, i) => 20 + (i % 50)));
 * const plan = profileColumn(['free', 'pro', 'free', null]); // categorical, missing: 1
 * ```
 */
export function profileColumn(values: ArrayLike<Category>, options: { kind?: 'numeric' | 'categorical'; maxBins?: number; topK?: number; column?: string } = {}): ColumnProfile {
  const where = options.column !== undefined ? ` (column ${JSON.stringify(options.column)})` : '';
  const maxBins = options.maxBins ?? DEFAULT_MAX_BINS;
  const topK = options.topK ?? DEFAULT_TOP_K;
  if (!(Number.isInteger(maxBins) && maxBins >= 1)) throw new MlshipError('INVALID_ARGUMENT', `profileColumn${where}: maxBins must be a positive integer, got ${maxBins}`, { field: 'maxBins', value: maxBins });
  if (!(Number.isInteger(topK) && topK >= 1)) throw new MlshipError('INVALID_ARGUMENT', `profileColumn${where}: topK must be a positive integer, got ${topK}`, { field: 'topK', value: topK });
  const numeric = options.kind !== 'categorical' && isNumericColumn(values);
  if (options.kind === 'numeric' && !numeric)
    throw new MlshipError('INVALID_ARGUMENT', `profileColumn${where}: kind 'numeric' but the column holds non-numeric values; use kind 'categorical'`, { field: options.column });
  if (numeric) {
    const n = values.length;
    let out = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i] as number | null | undefined;
      if (v !== null && v !== undefined && Number.isFinite(v)) out[k++] = v;
    }
    if (k < n) out = out.slice(0, k);
    out.sort();
    if (k === 0) throw new MlshipError('INVALID_ARGUMENT', `profileColumn${where}: the column has no finite values (${n} missing); drop the column or fill it`, { field: options.column });
    return numericProfileOfSorted(out, n - k, maxBins);
  }
  const counts = new Map<Category, number>();
  let missing = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (isMissing(v)) {
      missing++;
      continue;
    }
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  if (counts.size === 0) throw new MlshipError('INVALID_ARGUMENT', `profileColumn${where}: the column has no values (${missing} missing); drop the column or fill it`, { field: options.column });
  return categoricalProfileOfCounts(counts, missing, topK);
}

/**
 * Counts of non-negative distances in equal-width bins that double their width (merging pairs) when
 * a distance falls beyond the last bin: memory stays at {@link TAIL_BINS} counts whatever the range.
 */
export class TailHistogram {
  readonly counts = new Float64Array(TAIL_BINS);
  width: number;
  total = 0;

  constructor(initialWidth: number) {
    this.width = initialWidth > 0 && Number.isFinite(initialWidth) ? initialWidth : 1;
  }

  add(d: number): void {
    while (d >= this.width * TAIL_BINS) {
      const c = this.counts;
      for (let i = 0; i < TAIL_BINS / 2; i++) c[i] = c[2 * i]! + c[2 * i + 1]!;
      c.fill(0, TAIL_BINS / 2);
      this.width *= 2;
    }
    this.counts[Math.floor(d / this.width)]!++;
    this.total++;
  }

  /** Number of distances ≤ d (linear inside a bin). */
  countAtMost(d: number): number {
    if (d < 0) return 0;
    const pos = d / this.width;
    if (pos >= TAIL_BINS) return this.total;
    const b = Math.floor(pos);
    let s = 0;
    for (let i = 0; i < b; i++) s += this.counts[i]!;
    return s + this.counts[b]! * (pos - b);
  }
}

/**
 * The current side of a numeric column, accumulated on the reference's bins: per bin the count,
 * the count equal to the edge and Σ (edge − x); beyond the reference's range the exact count and
 * Σ distance, plus a {@link TailHistogram}; and the current values that are not reference values
 * (up to 1,000 distinct) for per-value tests. O(1) work per value (a bin lookup through a uniform
 * index over the edges), memory O(bins).
 */
export class NumericAccumulator {
  readonly edges: Float64Array;
  readonly counts: Float64Array;
  readonly equal: Float64Array;
  readonly below: Float64Array;
  lowCount = 0;
  lowSum = 0;
  highCount = 0;
  highSum = 0;
  readonly lowTail: TailHistogram;
  readonly highTail: TailHistogram;
  count = 0;
  missing = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  /** Counts of current values that are not reference edges; null once more than 1,000 distinct. */
  others: Map<number, number> | null = new Map();
  private readonly index: Int32Array;
  private readonly indexScale: number;
  private readonly lo: number;
  private readonly hi: number;
  private readonly trackOthers: boolean;

  constructor(
    readonly column: string,
    profile: NumericColumnProfile,
  ) {
    const e = Float64Array.from(profile.edges);
    const m = e.length;
    this.edges = e;
    this.counts = new Float64Array(m);
    this.equal = new Float64Array(m);
    this.below = new Float64Array(m);
    this.lo = e[0]!;
    this.hi = e[m - 1]!;
    this.trackOthers = profile.exact;
    const span = this.hi - this.lo;
    this.lowTail = new TailHistogram(span / TAIL_BINS);
    this.highTail = new TailHistogram(span / TAIL_BINS);
    // index[c] = first k with edges[k] >= the start of cell c, over 4·m cells on [lo, hi].
    const cells = span > 0 ? 4 * m : 1;
    this.indexScale = span > 0 ? cells / span : 0;
    this.index = new Int32Array(cells + 1);
    let k = 0;
    for (let c = 0; c <= cells; c++) {
      const start = span > 0 ? this.lo + c / this.indexScale : this.lo;
      while (k < m - 1 && e[k]! < start) k++;
      this.index[c] = k;
    }
  }

  private other(x: number): void {
    const o = this.others;
    if (o === null) return;
    const c = o.get(x);
    if (c !== undefined) o.set(x, c + 1);
    else if (o.size >= OTHERS_CAP) this.others = null;
    else o.set(x, 1);
  }

  /** Adds one chunk of values (numbers; null/undefined/NaN/±Infinity count as missing). */
  add(values: ArrayLike<Category>): void {
    if (values instanceof Float64Array) {
      this.addNumbers(values);
      return;
    }
    // Other arrays are checked and copied into a Float64Array (missing values as NaN) once.
    const n = values.length;
    const buf = new Float64Array(n);
    const typed = ArrayBuffer.isView(values);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (typed || typeof v === 'number') buf[i] = v as number;
      else if (v === null || v === undefined) buf[i] = NaN;
      else
        throw new MlshipError('INVALID_ARGUMENT', `profileDrift: column ${JSON.stringify(this.column)} is numeric in the profile but the current value ${JSON.stringify(v)} is not a number; convert it or leave the column out`, { field: this.column, value: v });
    }
    this.addNumbers(buf);
  }

  /** The hot loop: one bin lookup per value through the uniform index, no allocation. */
  private addNumbers(values: Float64Array): void {
    const e = this.edges;
    const m = e.length;
    const lo = this.lo;
    const hi = this.hi;
    const index = this.index;
    const scale = this.indexScale;
    const cells = index.length - 1;
    const counts = this.counts;
    const equal = this.equal;
    const below = this.below;
    const track = this.trackOthers;
    let count = 0;
    let missing = 0;
    let sum = 0;
    let min = this.min;
    let max = this.max;
    for (let i = 0; i < values.length; i++) {
      const x = values[i]!;
      if (!(x - x === 0)) {
        missing++;
        continue;
      }
      count++;
      sum += x;
      if (x < min) min = x;
      if (x > max) max = x;
      if (x < lo) {
        this.lowCount++;
        this.lowSum += lo - x;
        this.lowTail.add(lo - x);
        if (track) this.other(x);
      } else if (x > hi) {
        this.highCount++;
        this.highSum += x - hi;
        this.highTail.add(x - hi);
        if (track) this.other(x);
      } else {
        let c = Math.floor((x - lo) * scale);
        if (c > cells) c = cells;
        let k = index[c]!;
        // Binary search for the first edge >= x in [index[c], index[c + 1]].
        let r = c < cells ? index[c + 1]! : m - 1;
        while (k < r) {
          const mid = (k + r) >>> 1;
          if (e[mid]! < x) k = mid + 1;
          else r = mid;
        }
        // Guard against rounding at cell boundaries.
        while (k > 0 && e[k - 1]! >= x) k--;
        while (e[k]! < x) k++;
        counts[k]!++;
        const ek = e[k]!;
        if (ek === x) equal[k]!++;
        else {
          below[k]! += ek - x;
          if (track) this.other(x);
        }
      }
    }
    this.count += count;
    this.missing += missing;
    this.sum += sum;
    this.min = min;
    this.max = max;
  }
}

/** The current side of a categorical column: counts per value, up to 10,000 distinct (beyond: one bucket). */
export class CategoricalAccumulator {
  readonly counts = new Map<Category, number>();
  /** Rows whose value arrived after 10,000 distinct values were seen. */
  overflow = 0;
  overflowDistinct = false;
  count = 0;
  missing = 0;

  add(values: ArrayLike<Category>): void {
    const counts = this.counts;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (isMissing(v)) {
        this.missing++;
        continue;
      }
      this.count++;
      const c = counts.get(v);
      if (c !== undefined) counts.set(v, c + 1);
      else if (counts.size >= CATEGORIES_CAP) {
        this.overflow++;
        this.overflowDistinct = true;
      } else counts.set(v, 1);
    }
  }
}

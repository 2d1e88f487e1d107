/**
 * Binning of continuous features, as scikit-learn 1.2's `_BinMapper`: per feature, up to
 * `maxBins` bins for non-missing values with thresholds at quantiles (or at midpoints between
 * distinct values when there are few of them), and one extra bin, the last, for missing values.
 */
import type { Rng } from '../../../core/index.js';

/** Thresholds above this are clipped (scikit-learn's `ALMOST_INF`): +inf only marks a split on NaN. */
export const ALMOST_INF = 1e300;

/** The number of rows the quantiles are computed from (scikit-learn's `subsample=2e5`). */
export const BIN_SUBSAMPLE = 200_000;

/** Columns with fewer values than this are sorted whole (the bucket pass would cost more than it saves). */
const BUCKET_MIN = 4096;

/**
 * The non-NaN values of a column in an order where ranks can be read as from a full sort, sorting
 * as little as possible: the values are scattered into about `m / 4` buckets by a linear map of
 * their finite range (a monotone map, so bucket order is value order, and equal values share a
 * bucket), and a bucket is sorted only when a rank inside it is read. Reading every rank therefore
 * gives the fully sorted column, bit for bit (TypedArray sort order, -0 before +0).
 */
class RankedColumn {
  /** The values, bucket after bucket. */
  readonly data: Float64Array;
  /** Bucket b holds `data[starts[b] .. starts[b + 1])`; a single bucket when the values were sorted whole. */
  private readonly starts: Int32Array;
  /** 1 once bucket b is sorted. */
  private readonly sorted: Uint8Array;
  /** Buckets holding at least one value: a lower bound of the distinct values when there are several buckets. */
  readonly nonEmpty: number;

  constructor(values: Float64Array) {
    let m = 0;
    const col = new Float64Array(values.length);
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v !== v) continue;
      col[m++] = v;
      if (v < lo && v !== -Infinity) lo = v;
      if (v > hi && v !== Infinity) hi = v;
    }
    const nb = m >> 2;
    const scale = nb / (hi - lo);
    if (m < BUCKET_MIN || !(hi > lo) || !Number.isFinite(hi - lo) || !Number.isFinite(scale)) {
      this.data = col.subarray(0, m).sort();
      this.starts = Int32Array.of(0, m);
      this.sorted = Uint8Array.of(1);
      this.nonEmpty = m > 0 ? 1 : 0;
      return;
    }
    const bucketOf = new Int32Array(m);
    const starts = new Int32Array(nb + 1);
    for (let i = 0; i < m; i++) {
      const v = col[i]!;
      const b = v <= lo ? 0 : v >= hi ? nb - 1 : Math.min(nb - 1, Math.floor((v - lo) * scale));
      bucketOf[i] = b;
      starts[b + 1]!++;
    }
    let nonEmpty = 0;
    for (let b = 0; b < nb; b++) {
      if (starts[b + 1]! > 0) nonEmpty++;
      starts[b + 1] = starts[b + 1]! + starts[b]!;
    }
    const data = new Float64Array(m);
    const next = starts.slice(0, nb);
    for (let i = 0; i < m; i++) data[next[bucketOf[i]!]!++] = col[i]!;
    this.data = data;
    this.starts = starts;
    this.sorted = new Uint8Array(nb);
    this.nonEmpty = nonEmpty;
  }

  /** The value of rank `r` (0-based) of the sorted column. */
  at(r: number): number {
    const starts = this.starts;
    // The bucket holding r: the last b with starts[b] <= r.
    let lo = 0;
    let hi = starts.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= r) lo = mid;
      else hi = mid - 1;
    }
    if (this.sorted[lo] === 0) {
      this.data.subarray(starts[lo]!, starts[lo + 1]!).sort();
      this.sorted[lo] = 1;
    }
    return this.data[r]!;
  }

  /** The whole column, sorted. */
  all(): Float64Array {
    for (let b = 0; b < this.sorted.length; b++) {
      if (this.sorted[b] === 0) {
        this.data.subarray(this.starts[b]!, this.starts[b + 1]!).sort();
        this.sorted[b] = 1;
      }
    }
    return this.data;
  }
}

/**
 * The binning thresholds of one column as scikit-learn's `_find_binning_thresholds`: NaN ignored;
 * with at most `maxBins` distinct values, the midpoints between consecutive ones; otherwise the
 * `maxBins - 1` inner percentiles of numpy's `method="midpoint"` (bit for bit, including numpy's
 * `linspace` and `_lerp` roundings). Values `x <= t[i]` (and `> t[i-1]`) fall into bin `i`. Only
 * the parts of the sorted column holding the percentiles are sorted when the column has clearly
 * more than `maxBins` distinct values (see {@link RankedColumn}).
 */
export function findBinningThresholds(values: Float64Array, maxBins: number): Float64Array {
  const ranked = new RankedColumn(values);
  const m = ranked.data.length;
  let out: Float64Array;
  if (ranked.nonEmpty <= maxBins) {
    const col = ranked.all();
    let distinct = 0;
    for (let i = 0; i < m; i++) if (i === 0 || col[i] !== col[i - 1]) distinct++;
    if (distinct <= maxBins) {
      const u = new Float64Array(distinct);
      let k = 0;
      for (let i = 0; i < m; i++) if (i === 0 || col[i] !== col[i - 1]) u[k++] = col[i]!;
      out = new Float64Array(Math.max(0, distinct - 1));
      for (let i = 0; i + 1 < distinct; i++) out[i] = (u[i]! + u[i + 1]!) * 0.5;
    } else out = percentiles(ranked, m, maxBins);
  } else out = percentiles(ranked, m, maxBins);
  for (let i = 0; i < out.length; i++) if (out[i]! > ALMOST_INF) out[i] = ALMOST_INF;
  return out;
}

/** The `maxBins - 1` inner percentiles (numpy's `method="midpoint"`) of a column of `m` values. */
function percentiles(col: RankedColumn, m: number, maxBins: number): Float64Array {
  const out = new Float64Array(maxBins - 1);
  const step = 100 / maxBins;
  for (let p = 1; p < maxBins; p++) {
    const q = (p * step) / 100;
    const idx = (m - 1) * q;
    const lo = Math.floor(idx);
    const hi = Math.ceil(idx);
    const virtual = 0.5 * (lo + hi);
    const prev = Math.floor(virtual);
    const a = col.at(Math.min(prev, m - 1));
    const b = col.at(Math.min(prev + 1, m - 1));
    if (virtual % 1 === 0) out[p - 1] = a + (b - a) * 0;
    else out[p - 1] = b - (b - a) * 0.5;
  }
  return out;
}

/** Fitted binning: thresholds per feature and the bin count of non-missing values. */
export interface BinMapping {
  /** Thresholds per feature (`nBinsNonMissing[f] - 1` values each). */
  thresholds: Float64Array[];
  /** Number of bins used by non-missing values, per feature. */
  nBinsNonMissing: Int32Array;
  /** The bin of missing values (`maxBins`). */
  missingBin: number;
}

/**
 * Copies `n` rows of row-major X (`d` values per row) into columns (`d x n`), in blocks of rows so
 * that reads stay in cache: rows `take[0..n)` when given (a split taken without copying the rows
 * first), else the first `n`.
 */
export function toColumns(data: Float64Array, n: number, d: number, out: Float64Array, take: Int32Array | null = null): void {
  const B = 256;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j = 0; j < d; j++) {
      const o = j * n;
      if (take) for (let i = i0; i < i1; i++) out[o + i] = data[take[i]! * d + j]!;
      else for (let i = i0; i < i1; i++) out[o + i] = data[i * d + j]!;
    }
  }
}

/** The sorted row subset the thresholds are computed from when there are more than 200,000 rows, else null. */
export function binSubsample(n: number, rng: Rng): Int32Array | null {
  if (n <= BIN_SUBSAMPLE) return null;
  return rng.permutation(n).subarray(0, BIN_SUBSAMPLE).slice().sort();
}

/**
 * Bins features `[fStart, fEnd)` of column-major X (`cols`, `d x n`): fits each feature's thresholds
 * (on `rows` when given), writes them to `thr` (`maxBins` slots per feature, `+Infinity` padded)
 * and their count to `nThr`, then maps the column into `xb` (`d x n` bytes). Used by the main
 * thread and the histogram workers alike.
 */
export function binColumns(cols: Float64Array, n: number, fStart: number, fEnd: number, maxBins: number, rows: Int32Array | null, thr: Float64Array, nThr: Int32Array, xb: Uint8Array): void {
  const sub = rows ? new Float64Array(rows.length) : null;
  for (let j = fStart; j < fEnd; j++) {
    const col = cols.subarray(j * n, (j + 1) * n);
    if (sub) for (let i = 0; i < sub.length; i++) sub[i] = col[rows![i]!]!;
    const t = findBinningThresholds(sub ?? col, maxBins);
    const o = j * maxBins;
    thr.fill(Infinity, o, o + maxBins);
    thr.set(t, o);
    nThr[j] = t.length;
    mapColumn(col, n, thr.subarray(o, o + maxBins), maxBins, xb, j * n);
  }
}

/**
 * {@link binColumns} on the features `[0, d)` claimed one at a time (an `Atomics.add` on
 * `claim[0]`) until none is left: every thread taking part calls this, so a thread that starts
 * late or runs slowly simply bins fewer features.
 */
export function binClaimedColumns(cols: Float64Array, n: number, d: number, maxBins: number, rows: Int32Array | null, thr: Float64Array, nThr: Int32Array, xb: Uint8Array, claim: Int32Array): void {
  for (;;) {
    const j = Atomics.add(claim, 0, 1);
    if (j >= d) return;
    binColumns(cols, n, j, j + 1, maxBins, rows, thr, nThr, xb);
  }
}

/**
 * Maps one column to bins (scikit-learn's `_map_to_bins`): NaN to `missingBin`, otherwise the
 * number of thresholds below x, i.e. the first threshold `>= x`. `t` holds the thresholds padded
 * with +Infinity to `maxBins` values. Sorted finite thresholds are found through a table of cells
 * over their range (see {@link cellTable}); other threshold sets by a branch-free binary search.
 */
export function mapColumn(col: Float64Array, n: number, t: Float64Array, missingBin: number, out: Uint8Array, outOff: number): void {
  const cells = cellTable(t);
  if (cells) {
    const { lo, hi, scale, first, last } = cells;
    const real = cells.count;
    for (let i = 0; i < n; i++) {
      const x = col[i]!;
      let pos: number;
      if (x !== x) pos = missingBin;
      else if (x <= lo) pos = 0;
      else if (x > hi) pos = real;
      else {
        pos = first[Math.min(last, Math.floor((x - lo) * scale))]!;
        while (t[pos]! < x) pos++;
      }
      out[outOff + i] = pos;
    }
    return;
  }
  const len = t.length;
  let top = 1;
  while (top * 2 <= len) top *= 2;
  // Padded with +Infinity to 2 * top - 1 values, so that every probe is in range: no bounds test,
  // and the step taken is arithmetic rather than a branch (which random data mispredicts).
  const tp = new Float64Array(2 * top).fill(Infinity);
  tp.set(t.subarray(0, Math.min(len, 2 * top)));
  for (let i = 0; i < n; i++) {
    const x = col[i]!;
    if (x !== x) {
      out[outOff + i] = missingBin;
      continue;
    }
    let pos = 0;
    for (let step = top; step >= 1; step >>= 1) {
      const below = +(tp[pos + step - 1]! < x);
      pos += step & -below;
    }
    out[outOff + i] = pos;
  }
}

/** Cells over the range of a column's thresholds, for {@link mapColumn}. */
interface CellTable {
  /** The first and the last threshold (the range), and cells per unit of value. */
  lo: number;
  hi: number;
  scale: number;
  /** Thresholds before the +Infinity padding. */
  count: number;
  /** Per cell, the number of thresholds in earlier cells; the last cell's index. */
  first: Int32Array;
  last: number;
}

/**
 * The cells of `(lo, hi]` (about 4 per threshold, of equal width) for sorted, finite thresholds
 * `t` padded with +Infinity, or null for other threshold sets (fewer than 2, unsorted, NaN or
 * infinite ones). A value x of the range falls into cell `c = min(last, floor((x - lo) * scale))`,
 * a monotone map; `first[c]` counts the thresholds of earlier cells, all below x, and no
 * threshold of a later cell is below x, so the thresholds below x are found by stepping from
 * `first[c]` over the few of cell c.
 */
function cellTable(t: Float64Array): CellTable | null {
  let count = 0;
  while (count < t.length && t[count] !== Infinity) count++;
  if (count < 2) return null;
  for (let j = 0; j < count; j++) if (!Number.isFinite(t[j]!) || (j > 0 && !(t[j]! >= t[j - 1]!))) return null;
  const lo = t[0]!;
  const hi = t[count - 1]!;
  let nCells = 1;
  while (nCells < 4 * count) nCells *= 2;
  const scale = nCells / (hi - lo);
  if (!(hi > lo) || !Number.isFinite(hi - lo) || !Number.isFinite(scale)) return null;
  const last = nCells - 1;
  const first = new Int32Array(nCells);
  for (let j = 0; j < count; j++) {
    const c = Math.min(last, Math.floor((t[j]! - lo) * scale));
    if (c < last) first[c + 1]!++;
  }
  for (let c = 1; c < nCells; c++) first[c] = first[c]! + first[c - 1]!;
  return { lo, hi, scale, count, first, last };
}

/**
 * Maps `n` rows of row-major X (`d` values per row; rows `take[0..n)` when given, else the first
 * `n`) to bins with a fitted mapping, column-major into `out` (`d x n` bytes).
 */
export function mapToBins(data: Float64Array, n: number, d: number, mapping: BinMapping, maxBins: number, out: Uint8Array, take: Int32Array | null = null): void {
  const cols = new Float64Array(n * d);
  toColumns(data, n, d, cols, take);
  const t = new Float64Array(maxBins);
  for (let j = 0; j < d; j++) {
    t.fill(Infinity);
    t.set(mapping.thresholds[j]!);
    mapColumn(cols.subarray(j * n, (j + 1) * n), n, t, mapping.missingBin, out, j * n);
  }
}

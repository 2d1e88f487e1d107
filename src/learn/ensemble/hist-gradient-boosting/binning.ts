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

/**
 * The binning thresholds of one column as scikit-learn's `_find_binning_thresholds`: NaN ignored;
 * with at most `maxBins` distinct values, the midpoints between consecutive ones; otherwise the
 * `maxBins - 1` inner percentiles of numpy's `method="midpoint"` (bit for bit, including numpy's
 * `linspace` and `_lerp` roundings). Values `x <= t[i]` (and `> t[i-1]`) fall into bin `i`.
 */
export function findBinningThresholds(values: Float64Array, maxBins: number): Float64Array {
  let m = 0;
  const sorted = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === v) sorted[m++] = v;
  }
  const col = sorted.subarray(0, m).sort();
  let distinct = 0;
  for (let i = 0; i < m; i++) if (i === 0 || col[i] !== col[i - 1]) distinct++;
  let out: Float64Array;
  if (distinct <= maxBins) {
    const u = new Float64Array(distinct);
    let k = 0;
    for (let i = 0; i < m; i++) if (i === 0 || col[i] !== col[i - 1]) u[k++] = col[i]!;
    out = new Float64Array(Math.max(0, distinct - 1));
    for (let i = 0; i + 1 < distinct; i++) out[i] = (u[i]! + u[i + 1]!) * 0.5;
  } else {
    out = new Float64Array(maxBins - 1);
    const step = 100 / maxBins;
    for (let p = 1; p < maxBins; p++) {
      const q = (p * step) / 100;
      const idx = (m - 1) * q;
      const lo = Math.floor(idx);
      const hi = Math.ceil(idx);
      const virtual = 0.5 * (lo + hi);
      const prev = Math.floor(virtual);
      const a = col[Math.min(prev, m - 1)]!;
      const b = col[Math.min(prev + 1, m - 1)]!;
      if (virtual % 1 === 0) out[p - 1] = a + (b - a) * 0;
      else out[p - 1] = b - (b - a) * 0.5;
    }
  }
  for (let i = 0; i < out.length; i++) if (out[i]! > ALMOST_INF) out[i] = ALMOST_INF;
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

/** Copies row-major X (`n x d`) into columns (`d x n`), in blocks of rows so that reads stay in cache. */
export function toColumns(data: Float64Array, n: number, d: number, out: Float64Array): void {
  const B = 256;
  for (let i0 = 0; i0 < n; i0 += B) {
    const i1 = Math.min(n, i0 + B);
    for (let j = 0; j < d; j++) {
      const o = j * n;
      for (let i = i0; i < i1; i++) out[o + i] = data[i * d + j]!;
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
 * Maps one column to bins (scikit-learn's `_map_to_bins`): NaN to `missingBin`, otherwise the
 * number of thresholds below x, i.e. the first threshold `>= x`. `t` holds the thresholds padded
 * with +Infinity to `maxBins` values; a branch-free search over powers of two.
 */
export function mapColumn(col: Float64Array, n: number, t: Float64Array, missingBin: number, out: Uint8Array, outOff: number): void {
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

/** Maps row-major X (`n x d`) to bins with a fitted mapping, column-major into `out` (`d x n` bytes). */
export function mapToBins(data: Float64Array, n: number, d: number, mapping: BinMapping, maxBins: number, out: Uint8Array): void {
  const cols = new Float64Array(n * d);
  toColumns(data, n, d, cols);
  const t = new Float64Array(maxBins);
  for (let j = 0; j < d; j++) {
    t.fill(Infinity);
    t.set(mapping.thresholds[j]!);
    mapColumn(cols.subarray(j * n, (j + 1) * n), n, t, mapping.missingBin, out, j * n);
  }
}

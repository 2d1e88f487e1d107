// The two-sample Kolmogorov-Smirnov test, as scipy.stats.ks_2samp (scipy 1.10): statistic from one
// sort per sample and a merge walk; exact p-values by Hodges' lattice-path counts, asymptotic ones
// from the one-sample Kolmogorov distribution at n = round(n1·n2 / (n1 + n2)).
import { MlshipError } from '../../core/index.js';
import { kolmogorovSf } from './special.js';
import { sortedFinite } from './sample.js';

/** Options of {@link ksTwoSample}. */
export interface KsOptions {
  /**
   * 'exact' counts lattice paths; 'asymp' uses the Kolmogorov distribution; 'auto' is exact when
   * both samples have at most 10,000 values (scipy's MAX_AUTO_N), asymptotic otherwise.
   * @default 'auto'
   */
  mode?: 'auto' | 'exact' | 'asymp';
  /** Only the two-sided test is implemented (Evidently's choice). @default 'two-sided' */
  alternative?: 'two-sided';
}

/** The result of {@link ksTwoSample}. */
export interface KsResult {
  /** sup |F₁(x) − F₂(x)|. */
  statistic: number;
  pValue: number;
  /** The method that produced the p-value ('exact' may fall back to 'asymp', as in scipy). */
  method: 'exact' | 'asymp';
  /** NaN values dropped from the first and the second sample. */
  droppedNaN: [number, number];
}

const MAX_AUTO_N = 10000;
const INT32_MAX = 2147483647;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Round half to even, as numpy's round. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** sup |F_a − F_b| over two ascending samples (ties handled as scipy's searchsorted 'right'). */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let maxS = -Infinity;
  let minS = Infinity;
  while (i < n1 || j < n2) {
    const v = j >= n2 || (i < n1 && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  }
  const minClipped = Math.min(1, Math.max(0, -minS));
  return minClipped > maxS ? minClipped : maxS;
}

/** Pr(D ≥ h/n) for two samples of size n (scipy's `_compute_prob_outside_square`). */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k--;
  }
  return 2 * P;
}

/** 1 − Pr(paths stay strictly inside the band), Viehmann's recursion (scipy's `_compute_outer_prob_inside_method`). */
function outerProbInside(m0: number, n0: number, g: number, h: number): number {
  let m = m0;
  let n = n0;
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  for (let x = minj; x < maxj; x++) A[x] = 0;
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}

/** scipy's `_attempt_exact_2kssamp` for the two-sided alternative: [success, statistic, p]. */
function exactTwoSided(n1: number, n2: number, g: number, d: number): [boolean, number, number] {
  const lcm = (n1 / g) * n2;
  const h = roundHalfEven(d * lcm);
  const dd = h / lcm;
  if (h === 0) return [true, dd, 1];
  const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
  if (!Number.isFinite(prob) || !(prob >= 0 && prob <= 1)) return [false, dd, prob];
  return [true, dd, prob];
}

/**
 * The two-sample Kolmogorov-Smirnov test, equal to `scipy.stats.ks_2samp(a, b)` (scipy 1.10,
 * two-sided). NaN values are dropped first and counted in `droppedNaN`. O(n log n): one sort of
 * each sample on a Float64Array and a merge walk.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty (after dropping NaN).
 * @example
 * ```ts
 * import { ksTwoSample } from 'mlship/monitor';
 * const { statistic, pValue } = ksTwoSample([0.1, 0.4, 0.7, 0.9], [0.3, 0.5, 1.2, 1.5, 2.0]);
 * if (pValue <= 0.05) console.log('drift', statistic);
 * ```
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, options: KsOptions = {}): KsResult {
  const mode0 = options.mode ?? 'auto';
  if (mode0 !== 'auto' && mode0 !== 'exact' && mode0 !== 'asymp')
    throw new MlshipError('INVALID_ARGUMENT', `ksTwoSample: mode must be 'auto', 'exact' or 'asymp', got ${String(mode0)}`);
  if ((options.alternative ?? 'two-sided') !== 'two-sided')
    throw new MlshipError('INVALID_ARGUMENT', `ksTwoSample: only alternative 'two-sided' is supported, got ${String(options.alternative)}`);
  const [sa, dropA] = sortedFinite(a, 'ksTwoSample', 'a');
  const [sb, dropB] = sortedFinite(b, 'ksTwoSample', 'b');
  return ksTwoSampleSorted(sa, sb, mode0, [dropA, dropB]);
}

/**
 * {@link ksTwoSample} on two ascending, NaN-free, non-empty samples: no copy and no sort, for
 * callers that already hold sorted columns (as {@link columnDrift} does).
 *
 * @example
 * ```ts
 * import { ksTwoSampleSorted } from 'mlship/monitor';
 * ksTwoSampleSorted(Float64Array.of(1, 2, 3), Float64Array.of(4, 5, 6)).pValue; // 0.1
 * ```
 */
export function ksTwoSampleSorted(sa: Float64Array, sb: Float64Array, mode0: 'auto' | 'exact' | 'asymp' = 'auto', droppedNaN: [number, number] = [0, 0]): KsResult {
  return { ...ksPValue(ksStatisticSorted(sa, sb), sa.length, sb.length, mode0), droppedNaN };
}

/**
 * The two-sided KS p-value of a statistic `d` between samples of sizes n1 and n2, as
 * `scipy.stats.ks_2samp` computes it (exact lattice paths when both sizes are at most 10,000 in
 * 'auto' mode, else asymptotic); `statistic` is `d` as scipy reports it (rounded to the lattice in
 * exact mode). For callers that know `d` without the samples (drift from a reference profile).
 *
 * @example
 * ```ts
 * import { ksPValue } from 'mlship/monitor';
 * ksPValue(1, 3, 3).pValue; // 0.1, as ks_2samp([1, 2, 3], [4, 5, 6])
 * ```
 */
export function ksPValue(d0: number, n1: number, n2: number, mode0: 'auto' | 'exact' | 'asymp' = 'auto'): { statistic: number; pValue: number; method: 'exact' | 'asymp' } {
  let d = d0;
  const g = gcd(n1, n2);
  let mode: 'exact' | 'asymp';
  if (mode0 === 'auto') mode = Math.max(n1, n2) <= MAX_AUTO_N ? 'exact' : 'asymp';
  else if (mode0 === 'exact') mode = n1 / g >= INT32_MAX / (n2 / g) ? 'asymp' : 'exact';
  else mode = 'asymp';
  let prob = NaN;
  if (mode === 'exact') {
    const [ok, dd, p] = exactTwoSided(n1, n2, g, d);
    d = dd;
    if (ok) prob = p;
    else mode = 'asymp';
  }
  if (mode === 'asymp') {
    const m = Math.max(n1, n2);
    const n = Math.min(n1, n2);
    const en = (m * n) / (m + n);
    prob = kolmogorovSf(roundHalfEven(en), d);
  }
  return { statistic: d, pValue: Math.min(1, Math.max(0, prob)), method: mode };
}

// One column's drift from its reference sketch and the current accumulator, with the same tests,
// defaults and result shape as columnDrift on raw data.
import { MlshipError, compareLabels } from '../../core/index.js';
import { DEFAULT_THRESHOLDS, defaultDriftMethod, type ColumnDriftResult, type ColumnKind, type DriftMethod } from '../drift.js';
import { chiSquare, twoProportionZ, type Category } from '../stats/categorical.js';
import { ksPValue } from '../stats/ks.js';
import { fillZeroes, jensenShannon, psiOfPercents } from '../stats/binned.js';
import { CategoricalAccumulator, NumericAccumulator } from './sketch.js';
import type { ColumnProfile, NumericColumnProfile } from './types.js';

const DRIFT_METHODS: readonly DriftMethod[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

/** The current side of one column. */
export type ColumnAccumulator = NumericAccumulator | CategoricalAccumulator;

/** Test and threshold requested for a column. */
export interface ColumnTestChoice {
  kind?: ColumnKind;
  method?: DriftMethod;
  threshold?: number;
}

function compareCategories(a: Category, b: Category): number {
  const norm = (v: Category): string | number => (typeof v === 'boolean' ? Number(v) : (v as string | number));
  return compareLabels(norm(a), norm(b));
}

/** Value counts of a column on either side, with a bucket for values not listed. */
interface ValueCounts {
  counts: Map<Category, number>;
  /** Rows whose individual value is unknown (beyond the sketch's top-K or the current cap). */
  rest: number;
  total: number;
}

function refValueCounts(ref: ColumnProfile, column: string, method: DriftMethod): ValueCounts {
  if (ref.kind === 'categorical') return { counts: new Map<Category, number>(ref.values), rest: ref.other, total: ref.count };
  if (!ref.exact)
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `profileDrift: column ${JSON.stringify(column)}: method '${method}' compares values one by one, but the profile keeps a sketch of ${ref.distinct} distinct values (values are stored one by one only up to maxBins + 1); use 'wasserstein', 'ks', 'jensenshannon' or 'psi'`,
      { field: column, value: method },
    );
  const counts = new Map<Category, number>();
  for (let k = 0; k < ref.edges.length; k++) counts.set(ref.edges[k]!, ref.equal[k]!);
  return { counts, rest: 0, total: ref.count };
}

function curValueCounts(cur: ColumnAccumulator): ValueCounts {
  if (cur instanceof CategoricalAccumulator) return { counts: cur.counts, rest: cur.overflow, total: cur.count };
  const counts = new Map<Category, number>();
  let listed = 0;
  for (let k = 0; k < cur.edges.length; k++) {
    const c = cur.equal[k]!;
    if (c > 0) {
      counts.set(cur.edges[k]!, c);
      listed += c;
    }
  }
  if (cur.others) for (const [v, c] of cur.others) {
    counts.set(v, c);
    listed += c;
  }
  return { counts, rest: cur.count - listed, total: cur.count };
}

/** Distinct values over both sides (exact while both sides list their values; else a lower bound). */
function unionDistinct(ref: ColumnProfile, cur: ColumnAccumulator): number {
  if (ref.kind === 'numeric' && cur instanceof NumericAccumulator) {
    if (!ref.exact) return ref.distinct;
    return cur.others === null ? ref.distinct + 1001 : ref.distinct + cur.others.size;
  }
  const refKeys = ref.kind === 'categorical' ? new Set<Category>(ref.values.map((p) => p[0])) : new Set<Category>(ref.edges);
  let d = ref.distinct;
  const counts = cur instanceof CategoricalAccumulator ? cur.counts : curValueCounts(cur).counts;
  for (const k of counts.keys()) if (!refKeys.has(k)) d++;
  return d;
}

/** Keys and share vectors for the per-value tests (reference order, then new current values). */
function valueShares(ref: ValueCounts, cur: ValueCounts): { keys: Category[]; r: Float64Array; c: Float64Array; observed: number[]; expected: number[] } {
  const keys: Category[] = [...ref.counts.keys()];
  let curRest = cur.rest;
  // When the reference folded rare values into its `other` bucket, a current value it does not
  // list may be one of them: it goes to that bucket too, rather than counting as never seen.
  for (const [k, c] of cur.counts) if (!ref.counts.has(k)) {
    if (ref.rest > 0) curRest += c;
    else keys.push(k);
  }
  const rc = keys.map((k) => ref.counts.get(k) ?? 0);
  const cc = keys.map((k) => cur.counts.get(k) ?? 0);
  if (ref.rest > 0 || curRest > 0) {
    // One bucket for the values neither side lists one by one.
    keys.push('(other)');
    rc.push(ref.rest);
    cc.push(curRest);
  }
  const kNorm = cur.total / ref.total;
  return {
    keys,
    r: Float64Array.from(rc, (v) => v / ref.total),
    c: Float64Array.from(cc, (v) => v / cur.total),
    observed: cc,
    expected: rc.map((v) => v * kNorm),
  };
}

function zFromCounts(ref: ValueCounts, cur: ValueCounts): { statistic: number; pValue: number } {
  const keys = [...new Set<Category>([...ref.counts.keys(), ...cur.counts.keys()])].sort(compareCategories);
  if (ref.counts.size === 1 && cur.counts.size === 1 && keys.length === 1 && ref.rest === 0 && cur.rest === 0) return { statistic: 0, pValue: 1 };
  const first = keys[0];
  return twoProportionZ(ref.total, ref.total - (ref.counts.get(first) ?? 0), cur.total, cur.total - (cur.counts.get(first) ?? 0));
}

/** Cumulative counts at each edge: ref rows ≤ edges[k]; current rows ≤ edges[k] (low tail included). */
function cumulative(counts: ArrayLike<number>, start: number): Float64Array {
  const out = new Float64Array(counts.length);
  let s = start;
  for (let k = 0; k < counts.length; k++) {
    s += counts[k]!;
    out[k] = s;
  }
  return out;
}

/** KS statistic from the two sketches (exact when the reference sketch is exact; see NumericColumnProfile). */
function ksStatistic(ref: NumericColumnProfile, cur: NumericAccumulator): number {
  const nr = ref.count;
  const nc = cur.count;
  const rc = cumulative(ref.counts, 0);
  const cc = cumulative(cur.counts, cur.lowCount);
  let maxS = -Infinity;
  let minS = Infinity;
  const see = (i: number, j: number): void => {
    const diff = i / nr - j / nc;
    if (diff > maxS) maxS = diff;
    if (diff < minS) minS = diff;
  };
  // Current values below the reference minimum: F_r = 0 there, F_c reaches lowCount / nc.
  if (cur.lowCount > 0) see(0, cur.lowCount);
  for (let k = 0; k < rc.length; k++) {
    // Just before edge k: the reference at its previous edge (plus its in-bin rows, for a
    // non-exact sketch), the current at every row strictly inside the bin.
    if (k > 0) see(rc[k]! - ref.equal[k]!, cc[k]! - cur.equal[k]!);
    see(rc[k]!, cc[k]!);
  }
  // Above the reference maximum F_r = 1 and F_c only rises: nothing larger than at the last edge.
  const minClipped = Math.min(1, Math.max(0, -minS));
  return minClipped > maxS ? minClipped : maxS;
}

/** Wasserstein distance from the two sketches: exact tails, Σ |∫ (F_r − F_c)| over the bins. */
function wasserstein(ref: NumericColumnProfile, cur: NumericAccumulator): number {
  const nr = ref.count;
  const nc = cur.count;
  const e = ref.edges;
  let w = cur.lowSum / nc + cur.highSum / nc;
  let fr = ref.counts[0]! / nr;
  let fc = (cur.lowCount + cur.counts[0]!) / nc;
  // With an exact reference and every current value known, the CDFs are step functions known
  // everywhere: integrate piecewise through the current values that fall between reference values.
  let others: Float64Array | null = null;
  if (ref.exact && cur.others !== null && cur.others.size > 0) others = Float64Array.from(cur.others.keys()).sort();
  let o = 0;
  for (let k = 1; k < e.length; k++) {
    const width = e[k]! - e[k - 1]!;
    if (others !== null) {
      while (o < others.length && others[o]! <= e[k - 1]!) o++;
      if (o < others.length && others[o]! < e[k]!) {
        let a = e[k - 1]!;
        let f = fc;
        while (o < others.length && others[o]! < e[k]!) {
          const v = others[o++]!;
          w += Math.abs(fr - f) * (v - a);
          f += cur.others!.get(v)! / nc;
          a = v;
        }
        w += Math.abs(fr - f) * (e[k]! - a);
        fr += ref.counts[k]! / nr;
        fc += cur.counts[k]! / nc;
        continue;
      }
    }
    // The exact ∫ (F_r − F_c) over the bin; where the difference changes sign inside the bin, the
    // CDFs are taken as linear between the bin's ends (the crossing's area on both sides).
    const d0 = fr - fc;
    const d1 = d0 + (ref.counts[k]! - ref.equal[k]!) / nr - (cur.counts[k]! - cur.equal[k]!) / nc;
    if (d0 * d1 < 0) w += (width * (d0 * d0 + d1 * d1)) / (2 * Math.abs(d0 - d1));
    else w += Math.abs(width * d0 + ref.below[k]! / nr - cur.below[k]! / nc);
    fr += ref.counts[k]! / nr;
    fc += cur.counts[k]! / nc;
  }
  return w;
}

/** Rows strictly below x in the bins of `edges` (x inside them), linear inside a bin; `cum[k]` = rows up to edges[k]. */
function belowInBins(edges: ArrayLike<number>, counts: ArrayLike<number>, equal: ArrayLike<number>, cum: Float64Array, x: number): number {
  let lo = 0;
  let hi = edges.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const k = lo;
  const inside = counts[k]! - equal[k]!;
  const frac = (x - edges[k - 1]!) / (edges[k]! - edges[k - 1]!);
  return cum[k - 1]! + inside * Math.min(1, frac);
}

/** Rows strictly below x on the reference sketch (linear inside a bin). */
function refBelow(ref: NumericColumnProfile, rc: Float64Array, x: number): number {
  const e = ref.edges;
  if (x <= e[0]!) return 0;
  if (x > e[e.length - 1]!) return ref.count;
  return belowInBins(e, ref.counts, ref.equal, rc, x);
}

/** Rows strictly below x on the current accumulator. */
function curBelow(cur: NumericAccumulator, cc: Float64Array, x: number): number {
  const e = cur.edges;
  const lo0 = e[0]!;
  const hi0 = e[e.length - 1]!;
  if (x <= lo0) return cur.lowCount - (x === lo0 ? 0 : cur.lowTail.countAtMost(lo0 - x));
  if (x > hi0) return cc[cc.length - 1]! + cur.highTail.countAtMost(x - hi0);
  return belowInBins(e, cur.counts, cur.equal, cc, x);
}

/** Sturges-binned shares of both sides (Evidently's get_binned_data for > 20 distinct reference values). */
function sturgesShares(ref: NumericColumnProfile, cur: NumericAccumulator): { r: Float64Array; c: Float64Array } {
  const nr = ref.count;
  const nc = cur.count;
  const lo = Math.min(ref.min, cur.min);
  const hi = Math.max(ref.max, cur.max);
  let first = lo;
  let last = hi;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const width = (hi - lo) / (Math.log2(nr + nc) + 1);
  const count = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / count;
  const edges = new Float64Array(count + 1);
  for (let i = 0; i <= count; i++) edges[i] = i * step + first;
  edges[count] = last;
  const rc = cumulative(ref.counts, 0);
  const cc = cumulative(cur.counts, cur.lowCount);
  const r = new Float64Array(count);
  const c = new Float64Array(count);
  let prevR = refBelow(ref, rc, edges[0]!);
  let prevC = curBelow(cur, cc, edges[0]!);
  for (let i = 1; i <= count; i++) {
    // The last bin is closed: it takes every row up to and including the maximum.
    const nextR = i === count ? nr : refBelow(ref, rc, edges[i]!);
    const nextC = i === count ? nc : curBelow(cur, cc, edges[i]!);
    r[i - 1] = Math.max(0, nextR - prevR) / nr;
    c[i - 1] = Math.max(0, nextC - prevC) / nc;
    prevR = nextR;
    prevC = nextC;
  }
  return { r, c };
}

/**
 * Drift of one column from its profile sketch and the current accumulator, choosing the test as
 * Evidently does (see defaultDriftMethod) unless `choice.method` is given.
 */
export function sketchColumnDrift(column: string, ref: ColumnProfile, cur: ColumnAccumulator, choice: ColumnTestChoice = {}): ColumnDriftResult {
  const where = ` (column ${JSON.stringify(column)})`;
  const curNumeric = cur instanceof NumericAccumulator;
  let kind: ColumnKind = choice.kind ?? (ref.kind === 'numeric' && curNumeric ? 'numeric' : 'categorical');
  if (kind === 'numeric' && !(ref.kind === 'numeric' && curNumeric))
    throw new MlshipError('INVALID_ARGUMENT', `profileDrift${where}: kind 'numeric' but the profile keeps the column as categories; use kind 'categorical'`, { field: column });
  if (ref.kind === 'categorical') kind = 'categorical';
  const nRef = ref.count;
  const nCur = cur.count;
  if (nCur === 0) throw new MlshipError('INVALID_ARGUMENT', `profileDrift${where}: the current sample is empty after dropping ${cur.missing} missing values`, { field: column });
  let method = choice.method;
  if (method === undefined) method = defaultDriftMethod(kind, nRef, unionDistinct(ref, cur));
  if (!DRIFT_METHODS.includes(method)) throw new MlshipError('INVALID_ARGUMENT', `profileDrift${where}: unknown method ${JSON.stringify(method)}; use one of ${DRIFT_METHODS.join(', ')}`, { field: column, value: method });
  if ((method === 'ks' || method === 'wasserstein') && kind !== 'numeric') throw new MlshipError('INVALID_ARGUMENT', `profileDrift${where}: method '${method}' needs a numeric column`, { field: column, value: method });
  const threshold = choice.threshold ?? DEFAULT_THRESHOLDS[method];
  if (!Number.isFinite(threshold)) throw new MlshipError('INVALID_ARGUMENT', `profileDrift${where}: threshold must be a finite number, got ${threshold}`, { field: column, value: threshold });
  const base = { column, kind, method, threshold, nReference: nRef, nCurrent: nCur, droppedNaN: [ref.missing, cur.missing] as [number, number] };
  const numeric = kind === 'numeric' && ref.kind === 'numeric' && cur instanceof NumericAccumulator;
  switch (method) {
    case 'ks': {
      const r = ksPValue(ksStatistic(ref as NumericColumnProfile, cur as NumericAccumulator), nRef, nCur);
      return { ...base, statistic: r.statistic, pValue: r.pValue, drift: r.pValue < threshold };
    }
    case 'wasserstein': {
      const distance = wasserstein(ref as NumericColumnProfile, cur as NumericAccumulator) / Math.max((ref as NumericColumnProfile).std, 0.001);
      return { ...base, distance, drift: distance >= threshold };
    }
    case 'chisquare':
    case 'z': {
      const rv = refValueCounts(ref, column, method);
      const cv = curValueCounts(cur);
      let r: { statistic: number; pValue: number };
      if (method === 'z') r = zFromCounts(rv, cv);
      else {
        const s = valueShares(rv, cv);
        r = chiSquare(s.observed, s.expected);
      }
      return { ...base, statistic: r.statistic, pValue: r.pValue, drift: r.pValue < threshold };
    }
    case 'jensenshannon':
    case 'psi': {
      let r: Float64Array;
      let c: Float64Array;
      if (numeric && !((ref as NumericColumnProfile).exact && ref.distinct <= 20)) ({ r, c } = sturgesShares(ref as NumericColumnProfile, cur as NumericAccumulator));
      else ({ r, c } = valueShares(refValueCounts(ref, column, method), curValueCounts(cur)));
      if (method === 'psi') {
        fillZeroes(r);
        fillZeroes(c);
      }
      const distance = method === 'psi' ? psiOfPercents(r, c) : jensenShannon(r, c);
      return { ...base, distance, drift: distance >= threshold };
    }
  }
}

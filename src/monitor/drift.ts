// Column and dataset drift with Evidently's default choice of test (calculations/stattests/
// registry.py `_get_default_stattest`, data_drift `get_one_column_drift`): missing and infinite
// values are dropped, the test is chosen from the reference size and the number of distinct values,
// p-value tests flag drift when p < threshold, distances when distance >= threshold.
import { MlshipError } from '../core/index.js';
import { ksTwoSampleSorted } from './stats/ks.js';
import { chiSquareTest, zTestProportions, type Category } from './stats/categorical.js';
import { normalizedWassersteinSorted } from './stats/wasserstein.js';
import { binnedPercentsSorted, jensenShannon, jensenShannonDistance, psi, psiOfPercents } from './stats/binned.js';

/** The drift tests {@link columnDrift} can apply. */
export type DriftMethod = 'ks' | 'chisquare' | 'z' | 'wasserstein' | 'jensenshannon' | 'psi';

/** A column's kind: numbers compared as a distribution, or values compared as categories. */
export type ColumnKind = 'numeric' | 'categorical';

/** Default thresholds, as Evidently's StatTest definitions. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = Object.freeze({
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
});

const NUMERIC_ONLY = new Set<DriftMethod>(['ks', 'wasserstein']);

/** Options of {@link columnDrift}. */
export interface ColumnDriftOptions {
  /** Column name, echoed in the result. */
  column?: string;
  /** The column's kind. Default: 'numeric' when every non-missing value is a number, else 'categorical'. */
  kind?: ColumnKind;
  /** The test to apply. Default: Evidently's choice (see {@link defaultDriftMethod}). */
  method?: DriftMethod;
  /** The drift threshold. Default: the method's (0.05 for p-values, 0.1 for distances). */
  threshold?: number;
}

/** One column's drift verdict. */
export interface ColumnDriftResult {
  column?: string;
  kind: ColumnKind;
  method: DriftMethod;
  /** The test statistic (p-value tests) or the distance (distance methods). */
  statistic?: number;
  distance?: number;
  /** Present for the p-value tests ('ks', 'chisquare', 'z'). */
  pValue?: number;
  threshold: number;
  /** p-value tests: pValue < threshold; distances: distance >= threshold. */
  drift: boolean;
  nReference: number;
  nCurrent: number;
  /** Missing (null, undefined, NaN) and infinite values dropped from the reference and current. */
  droppedNaN: [number, number];
}

const DRIFT_METHODS: readonly DriftMethod[] = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

/** Non-missing, finite values; `allNumbers` when every kept value is a number. */
function clean(values: ArrayLike<Category>): { values: Category[]; dropped: number; allNumbers: boolean } {
  const out: Category[] = [];
  let dropped = 0;
  let allNumbers = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
      dropped++;
      continue;
    }
    if (typeof v !== 'number') allNumbers = false;
    out.push(v);
  }
  return { values: out, dropped, allNumbers };
}

/** The finite numbers of a column, sorted once, or null when a kept value is not a number. */
function cleanNumeric(values: ArrayLike<Category>): { sorted: Float64Array; dropped: number } | null {
  const n = values.length;
  let out = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number') return null;
    if (Number.isFinite(v)) out[k++] = v;
  }
  if (k < n) out = out.slice(0, k);
  return { sorted: out.sort(), dropped: n - k };
}

/** True when every non-missing value is a number (no allocation). */
function allNumeric(values: ArrayLike<Category>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined && typeof v !== 'number') return false;
  }
  return true;
}

function distinctInSorted(a: Float64Array, b: Float64Array): number {
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    d++;
  }
  return d;
}

/**
 * Evidently's default test for a column: with at most 1,000 reference rows, KS for numeric columns
 * with more than 5 distinct values (over both samples), chi-squared for 3 or more distinct values
 * (numeric with 3–5, or categorical), the Z test for at most 2; with more than 1,000 reference
 * rows, the normalised Wasserstein distance for numeric columns with more than 5 distinct values
 * and Jensen-Shannon otherwise.
 *
 * @example
 * ```ts
 * import { defaultDriftMethod } from 'mlship/monitor';
 * defaultDriftMethod('numeric', 500, 40); // 'ks'
 * ```
 */
export function defaultDriftMethod(kind: ColumnKind, nReference: number, nDistinct: number): DriftMethod {
  if (nReference <= 1000) {
    if (kind === 'numeric' && nDistinct > 5) return 'ks';
    return nDistinct > 2 ? 'chisquare' : 'z';
  }
  if (kind === 'numeric' && nDistinct > 5) return 'wasserstein';
  return 'jensenshannon';
}

/**
 * Drift of one column between a reference and a current sample, choosing the test as Evidently
 * does unless `method` is given. Missing and infinite values are dropped first (Evidently replaces
 * ±inf with NaN and drops NaN) and counted in `droppedNaN`.
 *
 * @throws MlshipError INVALID_ARGUMENT when a sample is empty after dropping missing values, the
 *   method is unknown, or a numeric-only method meets non-numeric values.
 * @example
 * ```ts
 * import { columnDrift } from 'mlship/monitor';
 * const r = columnDrift([1.2, 3.4, 2.2, 5.1, 0.3, 4.4, 2.9], [6.1, 7.3, 5.9, 8.8, 7.7, 6.6, 9.1]);
 * console.log(r.method, r.pValue, r.drift); // 'ks' ... true
 * ```
 */
export function columnDrift(reference: ArrayLike<Category>, current: ArrayLike<Category>, options: ColumnDriftOptions = {}): ColumnDriftResult {
  const where = options.column !== undefined ? ` (column ${JSON.stringify(options.column)})` : '';
  if (options.kind !== undefined && options.kind !== 'numeric' && options.kind !== 'categorical')
    throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: kind must be 'numeric' or 'categorical', got ${String(options.kind)}`);
  // Numbers are sorted once here and every numeric test works on the sorted arrays.
  const rNum = options.kind === 'categorical' ? null : cleanNumeric(reference);
  const cNum = rNum && cleanNumeric(current);
  let kind: ColumnKind;
  let rVals: Category[] | undefined;
  let cVals: Category[] | undefined;
  let dropped: [number, number];
  let nRef: number;
  let nCur: number;
  if (rNum && cNum) {
    kind = options.kind ?? 'numeric';
    dropped = [rNum.dropped, cNum.dropped];
    nRef = rNum.sorted.length;
    nCur = cNum.sorted.length;
  } else {
    if (options.kind === 'numeric') throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: kind 'numeric' but the column holds non-numeric values; use kind 'categorical'`);
    kind = 'categorical';
    const r = clean(reference);
    const c = clean(current);
    rVals = r.values;
    cVals = c.values;
    dropped = [r.dropped, c.dropped];
    nRef = rVals.length;
    nCur = cVals.length;
  }
  if (nRef === 0) throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: the reference sample is empty after dropping ${dropped[0]} missing values`);
  if (nCur === 0) throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: the current sample is empty after dropping ${dropped[1]} missing values`);
  let method = options.method;
  if (method === undefined) {
    let distinct: number;
    if (rNum && cNum) distinct = distinctInSorted(rNum.sorted, cNum.sorted);
    else {
      const set = new Set<Category>(rVals);
      for (const v of cVals!) set.add(v);
      distinct = set.size;
    }
    method = defaultDriftMethod(kind, nRef, distinct);
  }
  if (!DRIFT_METHODS.includes(method)) throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: unknown method ${JSON.stringify(method)}; use one of ${DRIFT_METHODS.join(', ')}`);
  if (NUMERIC_ONLY.has(method) && !(rNum && cNum && kind === 'numeric')) throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: method '${method}' needs a numeric column`);
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
  if (!Number.isFinite(threshold)) throw new MlshipError('INVALID_ARGUMENT', `columnDrift${where}: threshold must be a finite number, got ${threshold}`);
  const base = {
    ...(options.column !== undefined ? { column: options.column } : {}),
    kind,
    method,
    threshold,
    nReference: nRef,
    nCurrent: nCur,
    droppedNaN: dropped,
  };
  // Categorical tests on a numeric column compare its values as categories.
  const refValues = (): Category[] => rVals ?? Array.from(rNum!.sorted);
  const curValues = (): Category[] => cVals ?? Array.from(cNum!.sorted);
  switch (method) {
    case 'ks': {
      const r = ksTwoSampleSorted(rNum!.sorted, cNum!.sorted);
      return { ...base, statistic: r.statistic, pValue: r.pValue, drift: r.pValue < threshold };
    }
    case 'chisquare':
    case 'z': {
      const r = method === 'z' ? zTestProportions(refValues(), curValues()) : chiSquareTest(refValues(), curValues());
      return { ...base, statistic: r.statistic, pValue: r.pValue, drift: r.pValue < threshold };
    }
    case 'wasserstein': {
      const r = normalizedWassersteinSorted(rNum!.sorted, cNum!.sorted);
      return { ...base, distance: r.distance, drift: r.distance >= threshold };
    }
    case 'jensenshannon':
    case 'psi': {
      let distance: number;
      if (rNum && cNum && kind === 'numeric') {
        const b = binnedPercentsSorted(rNum.sorted, cNum.sorted, method === 'psi');
        distance = method === 'psi' ? psiOfPercents(b.reference, b.current) : jensenShannon(b.reference, b.current);
      } else {
        const opts = { kind: 'categorical' as const };
        distance = (method === 'psi' ? psi(refValues(), curValues(), opts) : jensenShannonDistance(refValues(), curValues(), opts)).distance;
      }
      return { ...base, distance, drift: distance >= threshold };
    }
  }
}

/** A per-column or per-kind override of the test and its threshold. */
export interface DriftOverride {
  method?: DriftMethod;
  threshold?: number;
}

/** Options of {@link datasetDrift}. */
export interface DatasetDriftOptions {
  /** The dataset drifts when the share of drifted columns is at least this. @default 0.5 */
  share?: number;
  /**
   * Overrides for named columns. They take precedence over `perKind`; a column's own `method`
   * comes with its own `threshold` or that method's default, never the kind's threshold.
   */
  perColumn?: Record<string, DriftOverride & { kind?: ColumnKind }>;
  /** Overrides for every numeric or categorical column. */
  perKind?: Partial<Record<ColumnKind, DriftOverride>>;
  /** Columns to compare. Default: every column of the reference. */
  columns?: string[];
}

/** The result of {@link datasetDrift}. */
export interface DatasetDriftResult {
  columns: Record<string, ColumnDriftResult>;
  driftedColumns: number;
  numberOfColumns: number;
  /** driftedColumns / numberOfColumns. */
  shareDrifted: number;
  /** The share threshold applied. */
  share: number;
  drift: boolean;
}

/**
 * Drift of every column of a dataset given as columns (name → values), as Evidently's
 * DataDriftPreset: each column through {@link columnDrift}, and dataset drift when the share of
 * drifted columns is at least `share`.
 *
 * @throws MlshipError INVALID_ARGUMENT when a column is missing from the current data or `share`
 *   is outside (0, 1].
 * @example
 * ```ts
 * import { datasetDrift } from 'mlship/monitor';
 * const report = datasetDrift(
 *   { age: [31, 45, 27, 52, 38, 41, 29], plan: ['a', 'b', 'a', 'a', 'b', 'a', 'b'] },
 *   { age: [61, 75, 67, 72, 58, 81, 69], plan: ['a', 'b', 'b', 'a', 'b', 'a', 'b'] },
 *   { share: 0.5, perColumn: { age: { method: 'wasserstein' } } },
 * );
 * console.log(report.driftedColumns, report.drift);
 * ```
 */
export function datasetDrift(
  reference: Record<string, ArrayLike<Category>>,
  current: Record<string, ArrayLike<Category>>,
  options: DatasetDriftOptions = {},
): DatasetDriftResult {
  const share = options.share ?? 0.5;
  if (!(share > 0 && share <= 1)) throw new MlshipError('INVALID_ARGUMENT', `datasetDrift: share must be in (0, 1], got ${share}`);
  const names = options.columns ?? Object.keys(reference);
  if (names.length === 0) throw new MlshipError('INVALID_ARGUMENT', 'datasetDrift: no columns to compare');
  const columns: Record<string, ColumnDriftResult> = {};
  let drifted = 0;
  for (const name of names) {
    const ref = reference[name];
    const cur = current[name];
    if (ref === undefined) throw new MlshipError('INVALID_ARGUMENT', `datasetDrift: column ${JSON.stringify(name)} is missing from the reference data`);
    if (cur === undefined) throw new MlshipError('INVALID_ARGUMENT', `datasetDrift: column ${JSON.stringify(name)} is missing from the current data; pass the same columns in both`);
    const own = options.perColumn?.[name];
    let kind = own?.kind;
    if (kind === undefined) kind = allNumeric(ref) && allNumeric(cur) ? 'numeric' : 'categorical';
    const byKind = options.perKind?.[kind];
    // A column's own method brings its own threshold (or the method's default), never the kind's.
    const method = own?.method ?? byKind?.method;
    const threshold = own?.method !== undefined ? own.threshold : (own?.threshold ?? byKind?.threshold);
    const result = columnDrift(ref, cur, {
      column: name,
      kind,
      ...(method !== undefined ? { method } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
    });
    columns[name] = result;
    if (result.drift) drifted++;
  }
  const shareDrifted = drifted / names.length;
  return { columns, driftedColumns: drifted, numberOfColumns: names.length, shareDrifted, share, drift: shareDrifted >= share };
}

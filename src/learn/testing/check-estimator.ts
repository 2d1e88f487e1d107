import { CategoryColumn, CsrMatrix, Matrix, MlshipError, NumericColumn, StringColumn, Table, isMlshipError, takeRows, type Column, type Label } from '../../core/index.js';
import { BaseEstimator, isEstimator } from '../base.js';

/** The named checks of {@link checkEstimator}. */
export const ESTIMATOR_CHECKS = [
  'paramsRoundTrip',
  'constructorStoresParams',
  'cloneUnfittedEqualParams',
  'notFittedError',
  'fitReturnsThis',
  'refitIdentical',
  'snapshotRoundTrip',
  'nFeaturesMismatch',
  'nanInput',
  'emptyInput',
  'fitDoesNotModifyInputs',
  'deterministicRandomState',
] as const;

/** A check name. */
export type EstimatorCheck = (typeof ESTIMATOR_CHECKS)[number];

/** The outcome of one check. */
export interface CheckResult {
  check: EstimatorCheck;
  status: 'passed' | 'failed' | 'skipped';
  /** Why it failed, or why it was skipped. */
  message?: string;
}

/** What {@link checkEstimator} returns. */
export interface CheckReport {
  estimator: string;
  /** True when no check failed. */
  passed: boolean;
  results: CheckResult[];
  /** The failed checks. */
  failures: CheckResult[];
}

/** Options of {@link checkEstimator}. */
export interface CheckEstimatorOptions {
  /** Training input: documents (string[]), a numeric Matrix / CsrMatrix, or a Table. */
  X: unknown;
  /** Targets, for supervised estimators. @default undefined */
  y?: ArrayLike<Label>;
  /** Checks to skip, each with its reason. @default {} */
  skip?: Partial<Record<EstimatorCheck, string>>;
}

type Any = any;
const OUTPUT_METHODS = ['predict', 'predictProba', 'predictLogProba', 'decisionFunction', 'transform'] as const;

function can(est: Any, method: string): boolean {
  return typeof est[method] === 'function' && (typeof est.canCall !== 'function' || est.canCall(method));
}

/** Every output the estimator gives for X, as plain comparable values. */
function outputs(est: Any, X: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of OUTPUT_METHODS) if (can(est, m)) out[m] = plain(est[m](X));
  return out;
}

function plain(v: unknown): unknown {
  if (v instanceof Matrix) return { rows: v.rows, cols: v.cols, data: Array.from(v.data) };
  if (v instanceof CsrMatrix) return { rows: v.rows, cols: v.cols, data: Array.from(v.data), indices: Array.from(v.indices), indptr: Array.from(v.indptr) };
  if (v instanceof Table) return { rows: v.numRows, columns: v.columns.map((c) => ({ name: c.name, kind: c.kind, values: Array.from({ length: c.length }, (_, i) => c.get(i)) })) };
  if (ArrayBuffer.isView(v)) return Array.from(v as Float64Array);
  if (Array.isArray(v)) return v.map(plain);
  if (isEstimator(v)) return { estimator: v.estimatorName, params: plainParams(v.getParams(false)) };
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

function plainParams(p: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k, plain(v)]));
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) === JSON.stringify(b, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
}

function firstDiff(a: Record<string, unknown>, b: Record<string, unknown>): string {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) if (!same(a[k], b[k])) return k;
  return '(none)';
}

function copyInput(x: unknown): unknown {
  if (x instanceof Matrix || x instanceof CsrMatrix) return x.clone();
  if (Array.isArray(x)) return x.slice();
  if (ArrayBuffer.isView(x)) return (x as Float64Array).slice();
  return x;
}

function expectCodedError(fn: () => unknown, what: string, code?: string): void {
  try {
    fn();
  } catch (err) {
    if (!isMlshipError(err)) throw new Error(`${what} threw a ${(err as Error)?.name ?? typeof err} without a code: ${(err as Error)?.message ?? String(err)}`);
    if (code && err.code !== code) throw new Error(`${what} threw code ${err.code}, expected ${code}: ${err.message}`);
    return;
  }
  throw new Error(`${what} did not throw`);
}

function withExtraColumn(X: Matrix | CsrMatrix | Table): Matrix | CsrMatrix | Table {
  if (X instanceof Table) return X.withColumn(new NumericColumn('__extra_column__', new Float64Array(X.numRows), 'number'));
  if (X instanceof CsrMatrix) return new CsrMatrix(X.rows, X.cols + 1, X.data.slice(), X.indices.slice(), X.indptr.slice());
  const m = new Matrix(X.rows, X.cols + 1);
  for (let i = 0; i < X.rows; i++) m.data.set(X.row(i), i * (X.cols + 1));
  return m;
}

/** A Table with row 0 of its first column missing (null). */
function withNull(X: Table): Table {
  const c = X.columns[0];
  if (!c || X.numRows === 0) throw new Error('the Table input has no cell to set to null');
  let out: Column;
  if (c instanceof NumericColumn) {
    const nulls = c.nulls ? c.nulls.slice() : new Uint8Array(c.length);
    nulls[0] = 1;
    out = new NumericColumn(c.name, c.values.slice(), c.kind, nulls);
  } else if (c instanceof StringColumn) {
    const nulls = c.nulls ? c.nulls.slice() : new Uint8Array(c.length);
    nulls[0] = 1;
    out = new StringColumn(c.name, c.values, nulls);
  } else {
    const codes = (c as CategoryColumn).codes.slice();
    codes[0] = -1;
    out = new CategoryColumn(c.name, codes, (c as CategoryColumn).categories);
  }
  return X.withColumn(out);
}

function withNaN(X: Matrix | CsrMatrix | Table): Matrix | CsrMatrix | Table {
  if (X instanceof Table) return withNull(X);
  if (X instanceof CsrMatrix) {
    if (X.nnz === 0) throw new Error('the CSR input has no stored value to set to NaN');
    const data = X.data.slice();
    data[0] = Number.NaN;
    return new CsrMatrix(X.rows, X.cols, data, X.indices.slice(), X.indptr.slice());
  }
  const m = X.clone();
  m.data[0] = Number.NaN;
  return m;
}

/**
 * The conformance suite every mlship estimator passes (scikit-learn's `check_estimator` spirit):
 * params round trip, constructor stores params, clone, NOT_FITTED before fit, fit returns this,
 * identical refit, snapshot round trip, n-features mismatch, NaN and empty input errors with a code,
 * inputs left unmodified, determinism under a fixed randomState. X may be a Table: the n-features
 * check then adds a column and the NaN check sets a null. Returns a report; never throws
 * for a failing check.
 *
 * @example
 * ```ts
 * const report = checkEstimator(new MultinomialNB(), { X: counts, y: labels });
 * report.failures; // [] when conformant
 * ```
 */
export function checkEstimator(estimator: BaseEstimator<any>, options: CheckEstimatorOptions): CheckReport {
  if (!isEstimator(estimator)) throw new MlshipError('INVALID_ARGUMENT', 'checkEstimator: estimator must be an mlship estimator', { field: 'estimator' });
  const { X, y } = options;
  const skip = options.skip ?? {};
  const numeric = X instanceof Matrix || X instanceof CsrMatrix || X instanceof Table;
  const Ctor = estimator.constructor as new (p: Record<string, unknown>) => BaseEstimator<any>;
  const fresh = (): Any => estimator.clone();
  // A stateless estimator (HashingVectorizer) is usable without fit, as in scikit-learn.
  const stateless = fresh().isFitted === true;
  const fitted = (): Any => fresh().fit(copyInput(X), y === undefined ? undefined : Array.from(y));
  const checks: Record<EstimatorCheck, () => string | void> = {
    paramsRoundTrip: () => {
      const p = estimator.getParams(false);
      const q = fresh().setParams(p).getParams(false);
      if (!same(plainParams(p), plainParams(q))) throw new Error(`setParams(getParams()) changed '${firstDiff(plainParams(p), plainParams(q))}'`);
      const deep = estimator.getParams(true);
      const nested = Object.fromEntries(Object.entries(deep).filter(([k]) => k.includes('.')));
      const r = fresh().setParams(nested).getParams(true);
      if (!same(plainParams(deep), plainParams(r))) throw new Error(`setParams of the nested params changed '${firstDiff(plainParams(deep), plainParams(r))}'`);
    },
    constructorStoresParams: () => {
      const p = estimator.getParams(false);
      const built = new Ctor(p).getParams(false);
      for (const [k, v] of Object.entries(p)) if (built[k] !== v) throw new Error(`the constructor did not store '${k}' unchanged (the same value)`);
    },
    cloneUnfittedEqualParams: () => {
      const f = fitted();
      const c = f.clone();
      if (c.isFitted && !stateless) throw new Error('clone() of a fitted estimator is fitted');
      if (c === f) throw new Error('clone() returned the same object');
      if (!same(plainParams(c.getParams(true)), plainParams(f.getParams(true)))) throw new Error(`clone() changed param '${firstDiff(plainParams(c.getParams(true)), plainParams(f.getParams(true)))}'`);
    },
    notFittedError: () => {
      if (stateless) return 'stateless estimator: usable before fit';
      const e = fresh();
      let tried = 0;
      for (const m of OUTPUT_METHODS) {
        if (typeof e[m] !== 'function') continue;
        tried++;
        expectCodedError(() => e[m](X), `${m}() before fit`, 'NOT_FITTED');
      }
      return tried === 0 ? 'no predict/transform method' : undefined;
    },
    fitReturnsThis: () => {
      const e = fresh();
      const r = e.fit(copyInput(X), y === undefined ? undefined : Array.from(y));
      if (r !== e) throw new Error('fit() did not return this');
      if (!e.isFitted) throw new Error('isFitted is false after fit()');
    },
    refitIdentical: () => {
      const e = fresh();
      e.fit(copyInput(X), y);
      const a = outputs(e, X);
      e.fit(copyInput(X), y);
      const b = outputs(e, X);
      if (!same(a, b)) throw new Error(`a second fit on the same data changed ${firstDiff(a, b)}()`);
    },
    snapshotRoundTrip: () => {
      const e = fitted();
      const back = BaseEstimator.fromSnapshot(e.toSnapshot());
      if (back.estimatorName !== e.estimatorName) throw new Error(`fromSnapshot built a ${back.estimatorName}`);
      if (!back.isFitted) throw new Error('the restored estimator is not fitted');
      const a = outputs(e, X);
      const b = outputs(back, X);
      if (!same(a, b)) throw new Error(`the restored estimator's ${firstDiff(a, b)}() differs`);
      const unfitted = BaseEstimator.fromSnapshot(fresh().toSnapshot());
      if (unfitted.isFitted && !stateless) throw new Error('an unfitted snapshot restored as fitted');
    },
    nFeaturesMismatch: () => {
      if (!numeric) return 'input is not a matrix or a table (the feature count is learned from the documents)';
      const e = fitted();
      const wide = withExtraColumn(X as Matrix | CsrMatrix | Table);
      let tried = 0;
      for (const m of OUTPUT_METHODS) {
        if (!can(e, m)) continue;
        tried++;
        expectCodedError(() => e[m](wide), `${m}() with one more feature than in fit`);
      }
      return tried === 0 ? 'no predict/transform method' : undefined;
    },
    nanInput: () => {
      if (!numeric) return 'input is not numeric';
      expectCodedError(() => fresh().fit(withNaN(X as Matrix | CsrMatrix | Table), y), X instanceof Table ? 'fit() with a null value' : 'fit() with a NaN value');
      return undefined;
    },
    emptyInput: () => {
      const empty = takeRows(X, []);
      expectCodedError(() => fresh().fit(empty, y === undefined ? undefined : []), 'fit() with 0 samples');
    },
    fitDoesNotModifyInputs: () => {
      const xBefore = plain(X);
      const yBefore = y === undefined ? undefined : Array.from(y);
      fresh().fit(X, y);
      if (!same(plain(X), xBefore)) throw new Error('fit() modified X');
      if (y !== undefined && !same(Array.from(y), yBefore)) throw new Error('fit() modified y');
    },
    deterministicRandomState: () => {
      if (!('randomState' in estimator.getParams(false))) return 'no randomState parameter';
      const a = fresh().setParams({ randomState: 0 });
      const b = fresh().setParams({ randomState: 0 });
      a.fit(copyInput(X), y);
      b.fit(copyInput(X), y);
      const oa = outputs(a, X);
      const ob = outputs(b, X);
      if (!same(oa, ob)) throw new Error(`two fits with randomState 0 differ in ${firstDiff(oa, ob)}()`);
      return undefined;
    },
  };
  const results: CheckResult[] = [];
  for (const name of ESTIMATOR_CHECKS) {
    const reason = skip[name];
    if (reason !== undefined) {
      results.push({ check: name, status: 'skipped', message: reason });
      continue;
    }
    try {
      const notApplicable = checks[name]();
      results.push(notApplicable ? { check: name, status: 'skipped', message: notApplicable } : { check: name, status: 'passed' });
    } catch (err) {
      results.push({ check: name, status: 'failed', message: err instanceof Error ? err.message : String(err) });
    }
  }
  const failures = results.filter((r) => r.status === 'failed');
  return { estimator: estimator.estimatorName, passed: failures.length === 0, results, failures };
}

/**
 * {@link checkEstimator} that throws an INTERNAL MlshipError listing every failed check.
 *
 * @example
 * ```ts
 * assertEstimator(new TfidfVectorizer(), { X: docs });
 * ```
 */
export function assertEstimator(estimator: BaseEstimator<any>, options: CheckEstimatorOptions): CheckReport {
  const report = checkEstimator(estimator, options);
  if (!report.passed) {
    throw new MlshipError('INTERNAL', `${report.estimator} failed ${report.failures.length} conformance check(s):\n${report.failures.map((f) => `  - ${f.check}: ${f.message}`).join('\n')}`, {
      value: report.failures,
    });
  }
  return report;
}

import { Matrix, MlshipError, NumericColumn, StringColumn, Table } from '../../core/index.js';
import { namedFunction, registerEstimator, registerFunction, type EstimatorState } from '../base.js';
import { checkMatrix, type MatrixInput } from '../kernels/index.js';
import { PreprocessorBase, readFrame } from './frame.js';

/** A transform function: receives X and `kwArgs`, returns the transformed X. */
export type TransformFunction = (X: any, kwArgs: Record<string, unknown>) => unknown;

/** Computes output feature names: receives the transformer and the input feature names. */
export type FeatureNamesOutFunction = (transformer: FunctionTransformer, inputFeatures: string[]) => string[];

/** Hyperparameters of {@link FunctionTransformer}. */
export interface FunctionTransformerParams {
  /** The transform: a name given to `registerFunction` (saveable), a function (not saveable), or null for identity. @default null */
  func: string | TransformFunction | null;
  /** The inverse transform, same forms as `func`. @default null */
  inverseFunc: string | TransformFunction | null;
  /** Check X with `checkMatrix` (numeric, finite, at least one row) before calling func; X becomes a Matrix. @default false */
  validate: boolean;
  /** Extra arguments passed to func as its second argument. @default null */
  kwArgs: Record<string, unknown> | null;
  /** Extra arguments passed to inverseFunc. @default null */
  invKwArgs: Record<string, unknown> | null;
  /** Output feature names: null (unknown), `'one-to-one'`, or a registered name / function `(transformer, inputFeatures) => names`. @default null */
  featureNamesOut: null | 'one-to-one' | string | FeatureNamesOutFunction;
}

function resolve<F extends (...args: any[]) => unknown>(v: string | F, param: string): F {
  return typeof v === 'string' ? namedFunction<F>(v, param) : v;
}

/**
 * Applies a function to X, as scikit-learn's `FunctionTransformer`: `fit` learns nothing (it
 * records the input's feature count and names); `transform(X)` returns `func(X, kwArgs)`.
 * Name the function with {@link registerFunction} to save the transformer in a model package; a
 * function value works but cannot be saved. Built-in functions for derived features:
 * `'columnRatios'` (e.g. rooms per household) and `'dateParts'` (year, month, day, weekday, hour of
 * a date column); see {@link columnRatios} and {@link dateParts}.
 *
 * @example
 * ```ts
 * import { FunctionTransformer } from 'mlship/learn';
 * const ratios = new FunctionTransformer({
 *   func: 'columnRatios',
 *   kwArgs: { ratios: { rooms_per_household: ['total_rooms', 'households'] } },
 *   featureNamesOut: 'columnRatios.names',
 * });
 * ratios.fitTransform(housing); // the table with a rooms_per_household column added
 * ```
 */
export class FunctionTransformer extends PreprocessorBase<FunctionTransformerParams> {
  static override readonly estimatorName: string = 'FunctionTransformer';

  constructor(params?: Partial<FunctionTransformerParams>) {
    super({ func: null, inverseFunc: null, validate: false, kwArgs: null, invKwArgs: null, featureNamesOut: null }, params);
  }

  private checkX(X: unknown, who: string, fitting: boolean): unknown {
    if (this.params.validate) {
      const m = checkMatrix(X as MatrixInput, who);
      if (fitting) {
        this.nFeaturesIn_ = m.cols;
        this.featureNamesIn_ = X instanceof Table ? X.columnNames : undefined;
      } else if (m.cols !== this.nFeaturesIn_) {
        throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${m.cols} features, but FunctionTransformer was fitted with ${this.nFeaturesIn_} features`, { field: 'X', value: m.cols, expected: this.nFeaturesIn_ });
      }
      if (!fitting && X instanceof Table && this.featureNamesIn_) this.checkInput(readFrame(X, who), who);
      return m;
    }
    if (fitting) {
      let n = 0;
      let names: string[] | undefined;
      if (X instanceof Table) {
        n = X.columns.length;
        names = X.columnNames;
      } else if (X && typeof X === 'object' && 'cols' in X) n = (X as Matrix).cols;
      else if (Array.isArray(X)) n = X.length > 0 && Array.isArray(X[0]) ? (X[0] as unknown[]).length : 1;
      this.nFeaturesIn_ = n;
      this.featureNamesIn_ = names;
    }
    return X;
  }

  /** Records the input's feature count and names (and validates X with `validate`); returns `this`. */
  fit(X: unknown, _y?: unknown): this {
    const { func, inverseFunc, featureNamesOut } = this.params;
    if (typeof func === 'string') namedFunction(func, 'FunctionTransformer.func');
    if (typeof inverseFunc === 'string') namedFunction(inverseFunc, 'FunctionTransformer.inverseFunc');
    if (typeof featureNamesOut === 'string' && featureNamesOut !== 'one-to-one') namedFunction(featureNamesOut, 'FunctionTransformer.featureNamesOut');
    this.checkX(X, 'FunctionTransformer.fit', true);
    return this;
  }

  /** `func(X, kwArgs)` (X itself when func is null). */
  transform(X: unknown): any {
    this.requireFitted('transform');
    const Xc = this.checkX(X, 'FunctionTransformer.transform', false);
    const { func } = this.params;
    if (func === null) return Xc;
    return resolve<TransformFunction>(func, 'FunctionTransformer.func')(Xc, this.params.kwArgs ?? {});
  }

  /** `inverseFunc(X, invKwArgs)` (X itself when inverseFunc is null). */
  inverseTransform(X: unknown): any {
    this.requireFitted('inverseTransform');
    const Xc = this.params.validate ? checkMatrix(X as MatrixInput, 'FunctionTransformer.inverseTransform') : X;
    const { inverseFunc } = this.params;
    if (inverseFunc === null) return Xc;
    return resolve<TransformFunction>(inverseFunc, 'FunctionTransformer.inverseFunc')(Xc, this.params.invKwArgs ?? {});
  }

  /** Output names per `featureNamesOut`; INVALID_ARGUMENT when it is null (the names are unknown). */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    const names = this.inputFeatureNames(inputFeatures);
    const fno = this.params.featureNamesOut;
    if (fno === null) {
      throw new MlshipError('INVALID_ARGUMENT', "FunctionTransformer.getFeatureNamesOut: the output names are unknown; set featureNamesOut ('one-to-one', or a registered names function such as 'columnRatios.names')", { field: 'featureNamesOut' });
    }
    if (fno === 'one-to-one') return names;
    return resolve<FeatureNamesOutFunction>(fno, 'FunctionTransformer.featureNamesOut')(this, names);
  }

  /** The keyword arguments (for names functions). */
  get kwArgs(): Record<string, unknown> {
    return this.params.kwArgs ?? {};
  }

  protected getState(): EstimatorState {
    return this.baseState();
  }

  protected setState(state: EstimatorState): void {
    this.setBaseState(state);
  }
}
registerEstimator(FunctionTransformer);

// ---------------------------------------------------------------- built-in functions

/** Options of the `'columnRatios'` function: new column name → [numerator, denominator] (names on a Table, indices on a Matrix). */
export interface ColumnRatiosArgs {
  ratios: Record<string, [string | number, string | number]>;
}

function ratioSpec(kw: Record<string, unknown>): [string, string | number, string | number][] {
  const r = (kw as unknown as ColumnRatiosArgs).ratios;
  if (!r || typeof r !== 'object') {
    throw new MlshipError('INVALID_ARGUMENT', "columnRatios: kwArgs.ratios must map each new column to [numerator, denominator], e.g. { rooms_per_household: ['total_rooms', 'households'] }", { field: 'kwArgs.ratios' });
  }
  return Object.entries(r).map(([name, pair]) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new MlshipError('INVALID_ARGUMENT', `columnRatios: ratios.${name} must be [numerator, denominator], got ${JSON.stringify(pair)}`, { field: `kwArgs.ratios.${name}` });
    return [name, pair[0], pair[1]];
  });
}

function numericValues(X: Table, col: string | number, who: string): Float64Array {
  const c = typeof col === 'number' ? X.columns[col] : X.column(col);
  if (!c) throw new MlshipError('NOT_FOUND', `${who}: no column ${col}; the table has ${X.columns.length} columns`, { field: String(col) });
  if (!(c instanceof NumericColumn)) throw new MlshipError('INVALID_ARGUMENT', `${who}: column '${c.name}' is a ${c.kind} column; ratios need numeric columns`, { field: c.name });
  return c.values;
}

/**
 * Adds ratio columns (`numerator / denominator`, NaN where either is missing, ±Infinity for a zero
 * denominator as NumPy; imputers and scalers reject infinity, so filter such rows first) to a
 * Table, or appends them as columns to a Matrix. Registered as
 * `'columnRatios'` (names function for `featureNamesOut`: `'columnRatios.names'`).
 *
 * @example
 * ```ts
 * columnRatios(housing, { ratios: { rooms_per_household: ['total_rooms', 'households'] } });
 * ```
 */
export function columnRatios(X: Table | Matrix | ArrayLike<number>[], kwArgs: Record<string, unknown>): Table | Matrix {
  const spec = ratioSpec(kwArgs);
  const who = 'columnRatios';
  if (X instanceof Table) {
    let out = X;
    for (const [name, a, b] of spec) {
      const num = numericValues(X, a, who);
      const den = numericValues(X, b, who);
      out = out.withColumn(new NumericColumn(name, Float64Array.from(num, (v, i) => v / den[i]!), 'number'));
    }
    return out;
  }
  const m = X instanceof Matrix ? X : Matrix.fromRows(X);
  const d = m.cols + spec.length;
  const out = new Matrix(m.rows, d);
  for (let i = 0; i < m.rows; i++) {
    out.data.set(m.row(i), i * d);
    spec.forEach(([, a, b], k) => {
      if (typeof a !== 'number' || typeof b !== 'number' || a < 0 || b < 0 || a >= m.cols || b >= m.cols) {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: on a Matrix, numerator and denominator must be column indices in 0..${m.cols - 1}, got [${a}, ${b}]`, { field: 'kwArgs.ratios' });
      }
      out.data[i * d + m.cols + k] = m.get(i, a) / m.get(i, b);
    });
  }
  return out;
}

/** A date part that {@link dateParts} can extract. */
export type DatePart = 'year' | 'month' | 'day' | 'weekday' | 'hour' | 'minute' | 'dayofyear';

/** Options of the `'dateParts'` function. */
export interface DatePartsArgs {
  /** The date columns: `date` columns (epoch ms) or string columns (ISO dates). */
  columns: string[];
  /** Parts to extract, each added as `<column>_<part>`. @default ['year', 'month', 'day', 'weekday'] */
  parts?: DatePart[];
  /** Drop the source date columns. @default true */
  drop?: boolean;
}

const DEFAULT_PARTS: DatePart[] = ['year', 'month', 'day', 'weekday'];

function dateArgs(kw: Record<string, unknown>): Required<DatePartsArgs> {
  const a = kw as unknown as DatePartsArgs;
  if (!Array.isArray(a.columns) || a.columns.length === 0) {
    throw new MlshipError('INVALID_ARGUMENT', "dateParts: kwArgs.columns must list the date columns, e.g. { columns: ['sold_at'] }", { field: 'kwArgs.columns' });
  }
  const parts = a.parts ?? DEFAULT_PARTS;
  for (const p of parts) {
    if (!['year', 'month', 'day', 'weekday', 'hour', 'minute', 'dayofyear'].includes(p)) {
      throw new MlshipError('INVALID_ARGUMENT', `dateParts: unknown part '${p}'; use year, month, day, weekday, hour, minute or dayofyear`, { field: 'kwArgs.parts', value: p });
    }
  }
  return { columns: a.columns, parts, drop: a.drop ?? true };
}

function part(ms: number, p: DatePart): number {
  if (ms !== ms) return Number.NaN;
  const d = new Date(ms);
  switch (p) {
    case 'year':
      return d.getUTCFullYear();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'day':
      return d.getUTCDate();
    case 'weekday':
      return (d.getUTCDay() + 6) % 7;
    case 'hour':
      return d.getUTCHours();
    case 'minute':
      return d.getUTCMinutes();
    case 'dayofyear':
      return Math.floor((ms - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
  }
}

/**
 * Adds date-part columns `<column>_<part>` (UTC; month and day from 1, weekday Monday = 0 as
 * pandas) to a Table, from `date` columns or ISO-date string columns; missing dates give NaN.
 * Drops the source columns unless `drop: false`. Registered as `'dateParts'` (names function for
 * `featureNamesOut`: `'dateParts.names'`).
 *
 * @example
 * ```ts
 * dateParts(sales, { columns: ['sold_at'], parts: ['year', 'month', 'weekday'] });
 * ```
 */
export function dateParts(X: Table, kwArgs: Record<string, unknown>): Table {
  if (!(X instanceof Table)) throw new MlshipError('INVALID_ARGUMENT', 'dateParts: X must be a Table with date columns', { field: 'X' });
  const { columns, parts, drop } = dateArgs(kwArgs);
  let out = X;
  for (const name of columns) {
    const c = X.column(name);
    let ms: Float64Array;
    if (c instanceof NumericColumn) ms = c.values;
    else if (c instanceof StringColumn) {
      ms = new Float64Array(c.length);
      for (let i = 0; i < c.length; i++) {
        const s = c.get(i);
        const v = s === null ? Number.NaN : Date.parse(s);
        if (s !== null && Number.isNaN(v)) throw new MlshipError('INVALID_ARGUMENT', `dateParts: column '${name}' row ${i} is ${JSON.stringify(s)}, not a date`, { field: name, line: i, value: s });
        ms[i] = v;
      }
    } else throw new MlshipError('INVALID_ARGUMENT', `dateParts: column '${name}' is a ${c.kind} column; pass a date or string column`, { field: name });
    for (const p of parts) out = out.withColumn(new NumericColumn(`${name}_${p}`, Float64Array.from(ms, (v) => part(v, p)), 'number'));
  }
  return drop ? out.drop(columns) : out;
}

registerFunction('columnRatios', columnRatios);
registerFunction('dateParts', dateParts);
registerFunction('columnRatios.names', ((t: FunctionTransformer, input: string[]) => [...input, ...ratioSpec(t.kwArgs).map(([n]) => n)]) as FeatureNamesOutFunction);
registerFunction('dateParts.names', ((t: FunctionTransformer, input: string[]) => {
  const { columns, parts, drop } = dateArgs(t.kwArgs);
  const added = columns.flatMap((c) => parts.map((p) => `${c}_${p}`));
  return [...(drop ? input.filter((n) => !columns.includes(n)) : input), ...added];
}) as FeatureNamesOutFunction);

import { CsrMatrix, Matrix, MlshipError, NumericColumn, StringColumn, Table, isNumericKind, type Column, type ColumnKind } from '../../core/index.js';
import { BaseEstimator, isEstimator, registerEstimator, type EstimatorSnapshot, type EstimatorState, type EstimatorType, type StateValue } from '../base.js';

type Any = any;

/** A transformer entry's estimator: an estimator with fit/transform, `'drop'` or `'passthrough'`. */
export type ColumnTransformerEstimator = BaseEstimator<any> | 'drop' | 'passthrough';

/**
 * A column selector made by {@link makeColumnSelector}: a plain, saveable object that picks Table
 * columns by kind and name pattern.
 */
export interface ColumnSelector {
  selector: 'columns';
  /** Kinds to keep (see {@link makeColumnSelector}); null keeps all. */
  dtypeInclude: string[] | null;
  /** Kinds to leave out; null leaves none out. */
  dtypeExclude: string[] | null;
  /** A regular expression (JavaScript syntax) the column name must contain a match of; null matches all. */
  pattern: string | null;
}

/**
 * Which columns a transformer gets: a column name or index (a name of a text column gives the
 * transformer a 1-D list of strings, as scikit-learn passes a Series, for vectorizers), a list of
 * names or indices, a boolean mask, a {@link ColumnSelector}, or a function of the Table that
 * returns names or indices (not saveable).
 */
export type ColumnSpec = string | number | readonly (string | number)[] | readonly boolean[] | ColumnSelector | ((X: Table) => readonly (string | number)[]);

/** One entry of {@link ColumnTransformerParams.transformers}. */
export type TransformerEntry = [name: string, transformer: ColumnTransformerEstimator, columns: ColumnSpec];

/** Hyperparameters of {@link ColumnTransformer}. */
export interface ColumnTransformerParams {
  /** The `[name, transformer, columns]` entries. @default [] */
  transformers: TransformerEntry[];
  /** What happens to the columns no entry selects: `'drop'`, `'passthrough'` or a transformer. @default 'drop' */
  remainder: 'drop' | 'passthrough' | BaseEstimator<any>;
  /** Output a CsrMatrix when some part is sparse and the overall density is below this. @default 0.3 */
  sparseThreshold: number;
  /** Accepted for scikit-learn compatibility; the transformers are fitted one after another (parallelism comes from cross-validation and the estimators themselves). @default null */
  nJobs: number | null;
  /** Multipliers of each transformer's output, by name. @default null */
  transformerWeights: Record<string, number> | null;
  /** Prefix output feature names with the transformer name (`num__age`). @default true */
  verboseFeatureNamesOut: boolean;
  /** Log each transformer's fit time to stderr. @default false */
  verbose: boolean;
}

const RESERVED = new Set(['transformers', 'remainder', 'sparseThreshold', 'nJobs', 'transformerWeights', 'verboseFeatureNamesOut', 'verbose']);

const KIND_GROUPS: Record<string, ColumnKind[]> = {
  numeric: ['number', 'integer'],
  object: ['string'],
  text: ['string', 'category'],
};

function kindsOf(list: string[] | null): Set<ColumnKind> | null {
  if (list === null) return null;
  const out = new Set<ColumnKind>();
  for (const k of list) {
    const group = KIND_GROUPS[k];
    if (group) group.forEach((g) => out.add(g));
    else if (['number', 'integer', 'boolean', 'date', 'string', 'category'].includes(k)) out.add(k as ColumnKind);
    else {
      throw new MlshipError('INVALID_ARGUMENT', `makeColumnSelector: unknown kind '${k}'; use number, integer, boolean, date, string, category, or the groups numeric (number + integer), object (string), text (string + category)`, { field: 'dtypeInclude', value: k });
    }
  }
  return out;
}

/** Options of {@link makeColumnSelector}. */
export interface ColumnSelectorOptions {
  /** Kinds (or groups) to keep. @default null (all kinds) */
  dtypeInclude?: string | string[] | null;
  /** Kinds (or groups) to leave out. @default null (none) */
  dtypeExclude?: string | string[] | null;
  /** A regular expression the column name must contain a match of. @default null (all names) */
  pattern?: string | null;
}

/**
 * A column selector for {@link ColumnTransformer}, as scikit-learn's `make_column_selector`:
 * Table columns whose kind is in `dtypeInclude`, not in `dtypeExclude`, and whose name contains a
 * match of `pattern`, in table order. Kinds are Table column kinds (`number`, `integer`, `boolean`,
 * `date`, `string`, `category`) or groups: `numeric` (number + integer, as `np.number`), `object`
 * (string), `text` (string + category). The selector is a plain object, so it can be saved.
 *
 * @example
 * ```ts
 * const ct = new ColumnTransformer([
 *   ['num', new StandardScaler(), makeColumnSelector({ dtypeInclude: 'numeric' })],
 *   ['cat', new OneHotEncoder(), makeColumnSelector({ dtypeInclude: 'text' })],
 * ]);
 * ```
 */
export function makeColumnSelector(options: ColumnSelectorOptions = {}): ColumnSelector {
  const list = (v: string | string[] | null | undefined): string[] | null => (v === undefined || v === null ? null : Array.isArray(v) ? [...v] : [v]);
  const sel: ColumnSelector = { selector: 'columns', dtypeInclude: list(options.dtypeInclude), dtypeExclude: list(options.dtypeExclude), pattern: options.pattern ?? null };
  kindsOf(sel.dtypeInclude);
  kindsOf(sel.dtypeExclude);
  return sel;
}

function isSelector(v: unknown): v is ColumnSelector {
  return !!v && typeof v === 'object' && !Array.isArray(v) && (v as ColumnSelector).selector === 'columns';
}

function applySelector(sel: ColumnSelector, X: Table): string[] {
  const inc = kindsOf(sel.dtypeInclude);
  const exc = kindsOf(sel.dtypeExclude);
  const re = sel.pattern === null ? null : new RegExp(sel.pattern);
  return X.columns.filter((c) => (!inc || inc.has(c.kind)) && (!exc || !exc.has(c.kind)) && (!re || re.test(c.name))).map((c) => c.name);
}

/** X seen by the ColumnTransformer: a Table or a dense Matrix. */
type CtInput = Table | Matrix;

function toInput(X: unknown, who: string): CtInput {
  if (X instanceof Table || X instanceof Matrix) return X;
  if (X instanceof CsrMatrix) return X.toDense();
  if (Array.isArray(X)) {
    if (X.some((r) => Array.isArray(r) && r.some((v: unknown) => typeof v === 'string'))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: rows with strings are ambiguous for column selection; pass a Table (Table.fromRecords) instead`, { field: 'X' });
    }
    return Matrix.fromRows((X as ArrayLike<number>[]).map((r) => Array.from(r, (v) => (v === null ? Number.NaN : v))));
  }
  throw new MlshipError('INVALID_ARGUMENT', `${who}: X must be a Table, a Matrix or an array of rows`, { field: 'X' });
}

function nCols(X: CtInput): number {
  return X instanceof Table ? X.columns.length : X.cols;
}

function nRowsOf(X: CtInput): number {
  return X instanceof Table ? X.numRows : X.rows;
}

/** A fitted entry: resolved input column indices, and whether the transformer got 1-D input. */
interface FittedEntry {
  name: string;
  transformer: ColumnTransformerEstimator;
  columns: number[];
  oneD: boolean;
  /** Number of output columns (undefined for 'drop' and empty selections). */
  width: number;
}

/**
 * Applies transformers to columns of a Table (or a Matrix) and concatenates their outputs, as
 * scikit-learn's `ColumnTransformer`. Columns are chosen by name, index, boolean mask or
 * {@link makeColumnSelector}; the other columns are dropped, passed through or given to the
 * `remainder` transformer. Nested params are addressed as `'<name>.<param>'` (in a Pipeline:
 * `'prep.num.strategy'`), so GridSearchCV can tune them.
 *
 * Output: a Matrix; a CsrMatrix when some output is sparse and the overall density is below
 * `sparseThreshold`; a Table when some output is text (e.g. passthrough string columns).
 * At transform a Table is matched by column names (extra columns are ignored, as scikit-learn).
 *
 * @example
 * ```ts
 * import { ColumnTransformer, Pipeline, SimpleImputer, OneHotEncoder, StandardScaler } from 'mlship/learn';
 * const prep = new ColumnTransformer([
 *   ['num', new Pipeline([['impute', new SimpleImputer({ strategy: 'median' })], ['scale', new StandardScaler()]]), ['total_rooms', 'total_bedrooms']],
 *   ['cat', new OneHotEncoder({ handleUnknown: 'ignore' }), ['ocean_proximity']],
 * ]);
 * prep.fitTransform(housing);   // Matrix rows x (2 + categories)
 * prep.getFeatureNamesOut();    // ['num__total_rooms', 'num__total_bedrooms', 'cat__ocean_proximity_INLAND', ...]
 * ```
 */
export class ColumnTransformer extends BaseEstimator<ColumnTransformerParams> {
  static override readonly estimatorName: string = 'ColumnTransformer';
  readonly estimatorType: EstimatorType = 'transformer';
  /** Number of input columns seen in fit. */
  nFeaturesIn_: number | undefined;
  /** Input column names seen in fit (Table input). */
  featureNamesIn_: string[] | undefined;
  /** Whether the output is a CsrMatrix. */
  sparseOutput_: boolean | undefined;
  /** Per transformer name, the [start, stop) range of its output columns. */
  outputIndices_: Record<string, [number, number]> | undefined;
  private fittedEntries: FittedEntry[] | undefined;

  constructor(transformers: TransformerEntry[] | Partial<ColumnTransformerParams> = [], options: Partial<ColumnTransformerParams> = {}) {
    super(
      { transformers: [], remainder: 'drop', sparseThreshold: 0.3, nJobs: null, transformerWeights: null, verboseFeatureNamesOut: true, verbose: false },
      Array.isArray(transformers) ? { ...options, transformers } : transformers,
    );
  }

  get isFitted(): boolean {
    return this.fittedEntries !== undefined;
  }

  /** The fitted `[name, transformer, columns]` entries, the remainder last (as scikit-learn's `transformers_`). */
  get transformers_(): TransformerEntry[] | undefined {
    if (!this.fittedEntries) return undefined;
    return this.fittedEntries.map((e) => [e.name, e.transformer, this.featureNamesIn_ ? e.columns.map((j) => this.featureNamesIn_![j]!) : [...e.columns]]);
  }

  /** The fitted transformers by name. */
  get namedTransformers_(): Record<string, ColumnTransformerEstimator> | undefined {
    if (!this.fittedEntries) return undefined;
    return Object.fromEntries(this.fittedEntries.map((e) => [e.name, e.transformer]));
  }

  override getParams(deep = true): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.params };
    if (!deep) return out;
    for (const [name, est] of this.params.transformers) {
      out[name] = est;
      if (isEstimator(est)) for (const [k, v] of Object.entries(est.getParams(true))) out[`${name}.${k}`] = v;
    }
    const rem = this.params.remainder;
    if (isEstimator(rem)) for (const [k, v] of Object.entries(rem.getParams(true))) out[`remainder.${k}`] = v;
    return out;
  }

  override setParams(params: Record<string, unknown>): this {
    const rest: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) {
      const at = this.params.transformers.findIndex(([n]) => n === key);
      if (at >= 0 && key !== 'transformers') {
        if (!(isEstimator(value) || value === 'drop' || value === 'passthrough')) {
          throw new MlshipError('INVALID_ARGUMENT', `ColumnTransformer.setParams: transformer '${key}' must be set to an estimator, 'drop' or 'passthrough'`, { field: key });
        }
        const list = [...this.params.transformers];
        const old = list[at]!;
        list[at] = [old[0], value as ColumnTransformerEstimator, old[2]];
        this.params.transformers = list;
      } else rest[key] = value;
    }
    return super.setParams(rest);
  }

  protected override nestedEstimator(name: string): BaseEstimator<any> | undefined {
    const entry = this.params.transformers.find(([n]) => n === name);
    if (entry) return isEstimator(entry[1]) ? entry[1] : undefined;
    return super.nestedEstimator(name);
  }

  protected override nestedNames(): string[] {
    return [...this.params.transformers.filter(([, e]) => isEstimator(e)).map(([n]) => n), ...super.nestedNames()];
  }

  private validateEntries(who: string): void {
    const list = this.params.transformers;
    if (!Array.isArray(list)) throw new MlshipError('INVALID_ARGUMENT', `${who}: transformers must be an array of [name, transformer, columns]`, { field: 'transformers' });
    const seen = new Set<string>();
    list.forEach((entry, i) => {
      if (!Array.isArray(entry) || entry.length !== 3 || typeof entry[0] !== 'string') {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: transformers[${i}] must be [name, transformer, columns]`, { field: 'transformers' });
      }
      const [name, est] = entry;
      if (seen.has(name)) throw new MlshipError('INVALID_ARGUMENT', `${who}: names provided are not unique: '${name}' appears twice`, { field: 'transformers', value: name });
      seen.add(name);
      if (name.includes('.') || name.includes('__')) throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer names must not contain '.' or '__', got '${name}'`, { field: 'transformers', value: name });
      if (RESERVED.has(name) || name === 'remainder') throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer name '${name}' conflicts with a ColumnTransformer parameter; rename it`, { field: 'transformers', value: name });
      if (est === 'drop' || est === 'passthrough') return;
      if (!isEstimator(est) || typeof (est as Any).fit !== 'function' || typeof (est as Any).transform !== 'function') {
        throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer '${name}' must be an estimator with fit and transform, or 'drop' / 'passthrough'`, { field: 'transformers', value: name });
      }
    });
    const rem = this.params.remainder;
    if (!(rem === 'drop' || rem === 'passthrough' || (isEstimator(rem) && typeof (rem as Any).transform === 'function'))) {
      throw new MlshipError('INVALID_ARGUMENT', `${who}: remainder must be 'drop', 'passthrough' or a transformer`, { field: 'remainder' });
    }
    const t = this.params.sparseThreshold;
    if (!(typeof t === 'number' && t >= 0 && t <= 1)) throw new MlshipError('INVALID_ARGUMENT', `${who}: sparseThreshold must be in [0, 1], got ${t}`, { field: 'sparseThreshold', value: t });
  }

  /** Resolves a column spec to input indices; `oneD` when a single text column name was given. */
  private resolve(spec: ColumnSpec, X: CtInput, who: string, name: string): { cols: number[]; oneD: boolean } {
    const d = nCols(X);
    const byName = (n: string): number => {
      if (!(X instanceof Table)) throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer '${name}' selects column '${n}' by name, but X is a Matrix without column names; pass a Table or use indices`, { field: 'columns', value: n });
      const j = X.columnNames.indexOf(n);
      if (j < 0) throw new MlshipError('NOT_FOUND', `${who}: transformer '${name}' selects column '${n}', which X does not have; X has: ${X.columnNames.join(', ')}`, { field: 'columns', value: n });
      return j;
    };
    const byIndex = (j: number): number => {
      const k = j < 0 ? d + j : j;
      if (!(Number.isInteger(k) && k >= 0 && k < d)) throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer '${name}' selects column index ${j}, outside 0..${d - 1}`, { field: 'columns', value: j });
      return k;
    };
    if (typeof spec === 'string') {
      const j = byName(spec);
      const kind = (X as Table).columns[j]!.kind;
      return { cols: [j], oneD: kind === 'string' || kind === 'category' };
    }
    if (typeof spec === 'number') return { cols: [byIndex(spec)], oneD: false };
    if (typeof spec === 'function') {
      if (!(X instanceof Table)) throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer '${name}' selects columns with a function, which needs a Table`, { field: 'columns' });
      return this.resolve(spec(X) as (string | number)[], X, who, name);
    }
    if (isSelector(spec)) {
      if (!(X instanceof Table)) throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer '${name}' uses a column selector, which needs a Table`, { field: 'columns' });
      return { cols: applySelector(spec, X).map(byName), oneD: false };
    }
    if (Array.isArray(spec)) {
      if (spec.length > 0 && spec.every((v) => typeof v === 'boolean')) {
        if (spec.length !== d) throw new MlshipError('SHAPE_MISMATCH', `${who}: transformer '${name}' has a boolean mask of ${spec.length} entries for ${d} columns`, { field: 'columns' });
        return { cols: spec.flatMap((b, j) => (b ? [j] : [])), oneD: false };
      }
      return { cols: spec.map((v) => (typeof v === 'string' ? byName(v) : typeof v === 'number' ? byIndex(v) : byName(String(v)))), oneD: false };
    }
    throw new MlshipError('INVALID_ARGUMENT', `${who}: transformer '${name}' has an invalid column selection ${JSON.stringify(spec)}; use names, indices, a boolean mask or makeColumnSelector()`, { field: 'columns' });
  }

  /** The part of X a transformer gets. */
  private subset(X: CtInput, cols: number[], oneD: boolean): unknown {
    if (X instanceof Table) {
      const names = cols.map((j) => X.columns[j]!.name);
      if (oneD) {
        const c = X.columns[cols[0]!]!;
        return Array.from({ length: X.numRows }, (_, i) => {
          const v = c.get(i);
          return v === null ? '' : String(v);
        });
      }
      return X.select(names);
    }
    const out = new Matrix(X.rows, cols.length);
    for (let i = 0; i < X.rows; i++) for (let k = 0; k < cols.length; k++) out.data[i * cols.length + k] = X.data[i * X.cols + cols[k]!]!;
    return out;
  }

  /** Fits every transformer on its columns; returns `this`. */
  fit(X: unknown, y?: unknown): this {
    this.fitTransform(X, y);
    return this;
  }

  /** Fits every transformer and returns the concatenated outputs of the training data. */
  fitTransform(X: unknown, y?: unknown): Matrix | CsrMatrix | Table {
    const who = 'ColumnTransformer.fit';
    this.validateEntries(who);
    const Xi = toInput(X, who);
    if (nRowsOf(Xi) === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X is empty (0 rows); at least 1 sample is required`, { field: 'X' });
    if (nCols(Xi) === 0) throw new MlshipError('INVALID_ARGUMENT', `${who}: X has 0 columns; at least 1 feature is required`, { field: 'X' });
    this.fittedEntries = undefined;
    const entries: FittedEntry[] = [];
    const used = new Set<number>();
    for (const [name, est, spec] of this.params.transformers) {
      const { cols, oneD } = this.resolve(spec, Xi, who, name);
      cols.forEach((j) => used.add(j));
      entries.push({ name, transformer: est, columns: cols, oneD, width: 0 });
    }
    const rest = Array.from({ length: nCols(Xi) }, (_, j) => j).filter((j) => !used.has(j));
    if (rest.length > 0) entries.push({ name: 'remainder', transformer: this.params.remainder, columns: rest, oneD: false, width: 0 });
    const parts: unknown[] = [];
    for (const e of entries) {
      if (e.transformer === 'drop' || e.columns.length === 0) continue;
      const sub = this.subset(Xi, e.columns, e.oneD);
      if (e.transformer === 'passthrough') {
        parts.push(sub);
        continue;
      }
      const t0 = performance.now();
      const fitted = (e.transformer as BaseEstimator<any>).clone() as Any;
      e.transformer = fitted;
      const out = typeof fitted.fitTransform === 'function' ? fitted.fitTransform(sub, y) : fitted.fit(sub, y).transform(sub);
      parts.push(this.weighted(e.name, out));
      if (this.params.verbose) process.stderr.write(`[ColumnTransformer] ${e.name}: fitted in ${((performance.now() - t0) / 1000).toFixed(3)}s\n`);
    }
    this.nFeaturesIn_ = nCols(Xi);
    this.featureNamesIn_ = Xi instanceof Table ? Xi.columnNames : undefined;
    const live = entries.filter((e) => !(e.transformer === 'drop' || e.columns.length === 0));
    live.forEach((e, k) => (e.width = widthOf(parts[k], `${who}: transformer '${e.name}'`)));
    const total = parts.reduce<number>((s, p) => s + cellsOf(p), 0);
    const nnz = parts.reduce<number>((s, p) => s + (p instanceof CsrMatrix ? p.nnz : cellsOf(p)), 0);
    this.sparseOutput_ = parts.some((p) => p instanceof CsrMatrix) && total > 0 && nnz / total < this.params.sparseThreshold;
    this.fittedEntries = entries;
    this.outputIndices_ = {};
    let start = 0;
    for (const e of entries) {
      const w = live.includes(e) ? e.width : 0;
      this.outputIndices_[e.name] = [start, start + w];
      start += w;
    }
    return this.stack(parts, live, who);
  }

  private weighted(name: string, out: unknown): unknown {
    const w = this.params.transformerWeights?.[name];
    if (w === undefined || w === 1) return out;
    if (out instanceof Matrix) return new Matrix(out.rows, out.cols, out.data.map((v) => v * w));
    if (out instanceof CsrMatrix) return new CsrMatrix(out.rows, out.cols, out.data.map((v) => v * w), out.indices, out.indptr);
    if (out instanceof Table) return new Matrix(out.numRows, out.columns.length, out.toMatrix().data.map((v) => v * w));
    return out;
  }

  /** Applies the fitted transformers and concatenates their outputs. */
  transform(X: unknown): Matrix | CsrMatrix | Table {
    const who = 'ColumnTransformer.transform';
    this.requireFitted('transform');
    let Xi = toInput(X, who);
    const names = this.featureNamesIn_;
    if (names && Xi instanceof Table) {
      const T = Xi;
      const needed = [...new Set(this.fittedEntries!.filter((e) => e.transformer !== 'drop').flatMap((e) => e.columns))].map((j) => names[j]!);
      const missing = needed.filter((n) => !T.has(n));
      if (missing.length > 0) {
        throw new MlshipError('SCHEMA_MISMATCH', `${who}: columns are missing: ${missing.join(', ')}; pass a Table with the columns seen in fit`, { field: 'X', value: missing });
      }
      // Match by name: rebuild X in the fitted column order (columns only dropped may be absent).
      const cols: Column[] = names.map((n) => (T.has(n) ? T.column(n) : new NumericColumn(n, new Float64Array(T.numRows))));
      Xi = new Table(cols, T.numRows);
    } else if (nCols(Xi) !== this.nFeaturesIn_) {
      throw new MlshipError('SHAPE_MISMATCH', `${who}: X has ${nCols(Xi)} features, but ColumnTransformer was fitted with ${this.nFeaturesIn_} features`, { field: 'X', value: nCols(Xi), expected: this.nFeaturesIn_ });
    }
    const parts: unknown[] = [];
    const live = this.fittedEntries!.filter((e) => !(e.transformer === 'drop' || e.columns.length === 0));
    for (const e of live) {
      const sub = this.subset(Xi, e.columns, e.oneD);
      parts.push(e.transformer === 'passthrough' ? sub : this.weighted(e.name, (e.transformer as Any).transform(sub)));
    }
    live.forEach((e, k) => {
      const w = widthOf(parts[k], `${who}: transformer '${e.name}'`);
      if (w !== e.width) throw new MlshipError('SHAPE_MISMATCH', `${who}: transformer '${e.name}' returned ${w} columns at transform but ${e.width} in fit`, { field: e.name });
    });
    return this.stack(parts, live, who);
  }

  /** Concatenates the parts: a Table if some part is text, else a CsrMatrix (sparseOutput_) or a Matrix. */
  private stack(parts: unknown[], live: FittedEntry[], who: string): Matrix | CsrMatrix | Table {
    const rows = parts.length === 0 ? 0 : rowsOf(parts[0]);
    const numeric = parts.map((p) => (p instanceof Table && p.columns.every((c) => isNumericKind(c.kind)) ? p.toMatrix() : p));
    if (numeric.some((p) => p instanceof Table || Array.isArray(p))) {
      const names = this.safeNames(live, parts);
      const cols: Column[] = [];
      let at = 0;
      numeric.forEach((p) => {
        if (p instanceof Table) {
          for (const c of p.columns) cols.push(c.rename(names[at++]!));
        } else if (Array.isArray(p)) {
          cols.push(StringColumn.from(names[at++]!, p as string[]));
        } else {
          const m = p instanceof CsrMatrix ? p.toDense() : (p as Matrix);
          for (let j = 0; j < m.cols; j++) cols.push(new NumericColumn(names[at++]!, m.col(j), 'number'));
        }
      });
      return new Table(cols, rows);
    }
    const mats = numeric as (Matrix | CsrMatrix)[];
    for (const m of mats) {
      if (!(m instanceof Matrix || m instanceof CsrMatrix)) throw new MlshipError('INVALID_ARGUMENT', `${who}: a transformer returned ${typeof m}; transformers must return a Matrix, a CsrMatrix or a Table`, { field: 'transformers' });
      if (m.rows !== rows) throw new MlshipError('SHAPE_MISMATCH', `${who}: a transformer returned ${m.rows} rows for ${rows} input rows`, { field: 'transformers' });
    }
    const d = mats.reduce((s, m) => s + m.cols, 0);
    if (this.sparseOutput_) {
      const indptr = new Int32Array(rows + 1);
      const idx: number[] = [];
      const vals: number[] = [];
      for (let i = 0; i < rows; i++) {
        let off = 0;
        for (const m of mats) {
          if (m instanceof CsrMatrix) {
            for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) {
              idx.push(off + m.indices[p]!);
              vals.push(m.data[p]!);
            }
          } else {
            for (let j = 0; j < m.cols; j++) {
              const v = m.data[i * m.cols + j]!;
              if (v !== 0) {
                idx.push(off + j);
                vals.push(v);
              }
            }
          }
          off += m.cols;
        }
        indptr[i + 1] = idx.length;
      }
      return new CsrMatrix(rows, d, Float64Array.from(vals), Int32Array.from(idx), indptr);
    }
    const out = new Matrix(rows, d);
    let off = 0;
    for (const m of mats) {
      if (m instanceof CsrMatrix) {
        for (let i = 0; i < rows; i++) for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) out.data[i * d + off + m.indices[p]!] = m.data[p]!;
      } else {
        const c = m.cols;
        const src = m.data;
        const dst = out.data;
        for (let i = 0; i < rows; i++) for (let j = 0; j < c; j++) dst[i * d + off + j] = src[i * c + j]!;
      }
      off += m.cols;
    }
    return out;
  }

  /** Output names, falling back to `<name>__x<k>` when a transformer cannot name its outputs. */
  private safeNames(live: FittedEntry[], parts: unknown[]): string[] {
    try {
      return this.getFeatureNamesOut();
    } catch {
      return live.flatMap((e, k) => {
        const p = parts[k];
        if (p instanceof Table) return p.columnNames.map((n) => `${e.name}__${n}`);
        return Array.from({ length: e.width }, (_, j) => `${e.name}__x${j}`);
      });
    }
  }

  /** The input names (`x0, x1, ...` for a Matrix). */
  private inputNames(inputFeatures?: readonly string[]): string[] {
    this.requireFitted('getFeatureNamesOut');
    if (inputFeatures) {
      if (inputFeatures.length !== this.nFeaturesIn_) throw new MlshipError('SHAPE_MISMATCH', `ColumnTransformer.getFeatureNamesOut: inputFeatures has ${inputFeatures.length} names, expected ${this.nFeaturesIn_}`, { field: 'inputFeatures' });
      return [...inputFeatures];
    }
    return this.featureNamesIn_ ?? Array.from({ length: this.nFeaturesIn_! }, (_, j) => `x${j}`);
  }

  /**
   * The output feature names: each transformer's names prefixed `<name>__` (verboseFeatureNamesOut),
   * passthrough columns by their input names. Without the prefix the names must be unique.
   */
  getFeatureNamesOut(inputFeatures?: readonly string[]): string[] {
    const input = this.inputNames(inputFeatures);
    const out: string[] = [];
    for (const e of this.fittedEntries!) {
      if (e.transformer === 'drop' || e.columns.length === 0) continue;
      const names = e.columns.map((j) => input[j]!);
      let own: string[];
      if (e.transformer === 'passthrough') own = names;
      else {
        own = namesOut(e.transformer as Any, names, e.oneD, e.name);
      }
      for (const n of own) out.push(this.params.verboseFeatureNamesOut ? `${e.name}__${n}` : n);
    }
    if (!this.params.verboseFeatureNamesOut) {
      const seen = new Set<string>();
      const dup = out.filter((n) => (seen.has(n) ? true : (seen.add(n), false)));
      if (dup.length > 0) {
        throw new MlshipError('INVALID_ARGUMENT', `ColumnTransformer.getFeatureNamesOut: output feature names ${JSON.stringify([...new Set(dup)].slice(0, 5))} are not unique; set verboseFeatureNamesOut: true`, { field: 'verboseFeatureNamesOut' });
      }
    }
    return out;
  }

  protected getState(): EstimatorState {
    return {
      nFeaturesIn: this.nFeaturesIn_!,
      featureNamesIn: this.featureNamesIn_ ?? null,
      sparseOutput: this.sparseOutput_!,
      outputIndices: Object.fromEntries(Object.entries(this.outputIndices_!).map(([k, v]) => [k, [v[0], v[1]]])),
      entries: this.fittedEntries!.map((e) => ({
        name: e.name,
        transformer: isEstimator(e.transformer) ? (e.transformer.toSnapshot() as unknown as StateValue) : e.transformer,
        columns: Int32Array.from(e.columns),
        oneD: e.oneD,
        width: e.width,
      })),
    };
  }

  protected setState(state: EstimatorState): void {
    this.nFeaturesIn_ = state.nFeaturesIn as number;
    this.featureNamesIn_ = state.featureNamesIn ? [...(state.featureNamesIn as string[])] : undefined;
    this.sparseOutput_ = state.sparseOutput as boolean;
    this.outputIndices_ = Object.fromEntries(Object.entries(state.outputIndices as Record<string, number[]>).map(([k, v]) => [k, [v[0]!, v[1]!]]));
    this.fittedEntries = (state.entries as Record<string, StateValue>[]).map((e) => ({
      name: e.name as string,
      transformer: typeof e.transformer === 'string' ? (e.transformer as 'drop' | 'passthrough') : BaseEstimator.fromSnapshot(e.transformer as unknown as EstimatorSnapshot),
      columns: Array.from(e.columns as Int32Array),
      oneD: e.oneD as boolean,
      width: e.width as number,
    }));
  }
}
registerEstimator(ColumnTransformer);

/** A fitted transformer's output names; a Pipeline chains its steps' names. */
function namesOut(t: Any, names: string[], oneD: boolean, entry: string): string[] {
  if (Array.isArray(t.steps) && typeof t.getFeatureNamesOut !== 'function') {
    let cur = names;
    let first = true;
    for (const [, step] of t.steps as [string, Any][]) {
      if (step === 'passthrough' || step === null) continue;
      cur = namesOut(step, cur, oneD && first, entry);
      first = false;
    }
    return cur;
  }
  if (typeof t.getFeatureNamesOut !== 'function') {
    throw new MlshipError('INVALID_ARGUMENT', `ColumnTransformer.getFeatureNamesOut: transformer '${entry}' (${t.estimatorName}) does not provide getFeatureNamesOut`, { field: entry });
  }
  return oneD || t.getFeatureNamesOut.length === 0 ? t.getFeatureNamesOut() : t.getFeatureNamesOut(names);
}

function rowsOf(p: unknown): number {
  if (p instanceof Table) return p.numRows;
  if (p instanceof Matrix || p instanceof CsrMatrix) return p.rows;
  if (Array.isArray(p)) return p.length;
  return 0;
}

function widthOf(p: unknown, who: string): number {
  if (p instanceof Table) return p.columns.length;
  if (p instanceof Matrix || p instanceof CsrMatrix) return p.cols;
  if (Array.isArray(p)) return 1;
  throw new MlshipError('INVALID_ARGUMENT', `${who} returned ${p === null ? 'null' : typeof p}; transformers must return a Matrix, a CsrMatrix or a Table`, { field: 'transformers' });
}

function cellsOf(p: unknown): number {
  return rowsOf(p) * (p instanceof Table ? p.columns.length : p instanceof Matrix || p instanceof CsrMatrix ? p.cols : 1);
}

/**
 * Builds a {@link ColumnTransformer} naming each transformer by its lower-cased class name
 * (duplicates get `-1`, `-2`, ...), as scikit-learn's `make_column_transformer`.
 *
 * @example
 * ```ts
 * const ct = makeColumnTransformer([new StandardScaler(), ['rm', 'lstat']], [new OneHotEncoder(), ['chas']], { remainder: 'passthrough' });
 * ```
 */
export function makeColumnTransformer(...args: ([ColumnTransformerEstimator, ColumnSpec] | Partial<ColumnTransformerParams>)[]): ColumnTransformer {
  let options: Partial<ColumnTransformerParams> = {};
  const last = args[args.length - 1];
  if (last && !Array.isArray(last)) {
    options = last;
    args = args.slice(0, -1);
  }
  const pairs = args as [ColumnTransformerEstimator, ColumnSpec][];
  const names = pairs.map(([t]) => (isEstimator(t) ? t.estimatorName.toLowerCase() : t));
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const used = new Map<string, number>();
  const entries: TransformerEntry[] = pairs.map(([t, cols], i) => {
    const n = names[i]!;
    if (counts.get(n)! > 1) {
      const k = (used.get(n) ?? 0) + 1;
      used.set(n, k);
      return [`${n}-${k}`, t, cols];
    }
    return [n, t, cols];
  });
  return new ColumnTransformer(entries, options);
}

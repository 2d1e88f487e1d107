import { MlshipError } from './errors.js';
import { Matrix } from './matrix.js';

/**
 * The type of a table column. Numeric kinds (`number`, `integer`, `boolean`, `date`) keep their
 * values in a Float64Array (booleans as 0/1, dates as epoch milliseconds, missing as NaN);
 * `string` keeps an array of strings; `category` keeps integer codes into a list of categories.
 */
export type ColumnKind = 'number' | 'integer' | 'boolean' | 'date' | 'string' | 'category';

/** A cell value as {@link Table.get} returns it: missing values are `null`. */
export type CellValue = number | string | boolean | null;

const NUMERIC_KINDS: readonly ColumnKind[] = ['number', 'integer', 'boolean', 'date'];

/** True for the kinds stored as numbers (`number`, `integer`, `boolean`, `date`). */
export function isNumericKind(kind: ColumnKind): kind is NumericKind {
  return NUMERIC_KINDS.includes(kind);
}

/** The kinds stored as float64 values. */
export type NumericKind = 'number' | 'integer' | 'boolean' | 'date';

abstract class ColumnBase {
  abstract readonly kind: ColumnKind;
  /** `nulls[i] === 1` marks row i missing; undefined when the column has no missing values. */
  readonly nulls: Uint8Array | undefined;

  protected constructor(
    readonly name: string,
    readonly length: number,
    nulls: Uint8Array | undefined,
  ) {
    if (typeof name !== 'string' || name === '') throw new MlshipError('INVALID_ARGUMENT', `column name must be a non-empty string, got ${JSON.stringify(name)}`, { field: 'name' });
    if (nulls && nulls.length !== length) throw new MlshipError('SHAPE_MISMATCH', `column '${name}': null mask has ${nulls.length} entries for ${length} values`, { field: name });
    this.nulls = nulls && nulls.includes(1) ? nulls : undefined;
  }

  /** True when row i is missing. */
  isNull(i: number): boolean {
    return this.nulls !== undefined && this.nulls[i] === 1;
  }

  /** How many rows are missing. */
  get nullCount(): number {
    if (!this.nulls) return 0;
    let n = 0;
    for (let i = 0; i < this.length; i++) n += this.nulls[i]!;
    return n;
  }

  /** The value of row i (`null` when missing). */
  abstract get(i: number): CellValue;
  /** A new column of the same kind with the given rows. */
  abstract take(idx: ArrayLike<number>): Column;
  /** The same column under another name. */
  abstract rename(name: string): Column;

  protected takeNulls(idx: ArrayLike<number>): Uint8Array | undefined {
    if (!this.nulls) return undefined;
    const out = new Uint8Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = this.nulls[idx[k]!]!;
    return out;
  }
}

/**
 * A numeric column (`number`, `integer`, `boolean` as 0/1, `date` as epoch ms) on a Float64Array;
 * missing rows hold NaN and are marked in `nulls`.
 *
 * @example
 * ```ts
 * const c = NumericColumn.from('age', [31, null, 47]);
 * c.values; // Float64Array [31, NaN, 47]
 * c.isNull(1); // true
 * ```
 */
export class NumericColumn extends ColumnBase {
  constructor(
    name: string,
    readonly values: Float64Array,
    readonly kind: NumericKind = 'number',
    nulls?: Uint8Array,
  ) {
    let mask = nulls;
    if (!mask) {
      for (let i = 0; i < values.length; i++) {
        if (Number.isNaN(values[i]!)) {
          mask ??= new Uint8Array(values.length);
          mask[i] = 1;
        }
      }
    }
    super(name, values.length, mask);
    if (!NUMERIC_KINDS.includes(kind)) throw new MlshipError('INVALID_ARGUMENT', `column '${name}': '${kind}' is not a numeric kind; use one of ${NUMERIC_KINDS.join(', ')}`, { field: name, value: kind });
    if (this.nulls) for (let i = 0; i < values.length; i++) if (this.nulls[i]) values[i] = NaN;
  }

  /**
   * A column from numbers, booleans, Dates or null/undefined/NaN (missing). The kind is inferred
   * (`boolean` if every value is a boolean, `date` for Dates, `integer` if every value is a whole
   * number, else `number`) unless given.
   */
  static from(name: string, values: ArrayLike<number | boolean | Date | null | undefined>, kind?: NumericKind): NumericColumn {
    const out = new Float64Array(values.length);
    let allBool = values.length > 0;
    let allDate = values.length > 0;
    let allInt = true;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        out[i] = NaN;
        continue;
      }
      if (typeof v === 'boolean') {
        out[i] = v ? 1 : 0;
        allDate = false;
      } else if (v instanceof Date) {
        out[i] = v.getTime();
        allBool = false;
      } else if (typeof v === 'number') {
        out[i] = v;
        allBool = false;
        allDate = false;
        if (!Number.isNaN(v) && !Number.isInteger(v)) allInt = false;
      } else {
        throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${i} is ${JSON.stringify(v)}, not a number; use a string column or convert the value`, { field: name, line: i, value: v });
      }
    }
    const inferred: NumericKind = allBool ? 'boolean' : allDate ? 'date' : allInt ? 'integer' : 'number';
    return new NumericColumn(name, out, kind ?? inferred);
  }

  get(i: number): number | boolean | null {
    if (this.isNull(i)) return null;
    const v = this.values[i]!;
    return this.kind === 'boolean' ? v !== 0 : v;
  }

  take(idx: ArrayLike<number>): NumericColumn {
    const out = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = this.values[idx[k]!]!;
    return new NumericColumn(this.name, out, this.kind, this.takeNulls(idx));
  }

  rename(name: string): NumericColumn {
    return new NumericColumn(name, this.values, this.kind, this.nulls);
  }
}

/**
 * A column of free text; missing rows hold `''` and are marked in `nulls`.
 *
 * @example
 * ```ts
 * const c = StringColumn.from('city', ['Oslo', null]);
 * c.get(1); // null
 * ```
 */
export class StringColumn extends ColumnBase {
  readonly kind = 'string' as const;

  constructor(
    name: string,
    readonly values: readonly string[],
    nulls?: Uint8Array,
  ) {
    super(name, values.length, nulls);
  }

  /** A column from strings and null/undefined (missing). */
  static from(name: string, values: ArrayLike<string | null | undefined>): StringColumn {
    const out = new Array<string>(values.length);
    let nulls: Uint8Array | undefined;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        nulls ??= new Uint8Array(values.length);
        nulls[i] = 1;
        out[i] = '';
      } else if (typeof v === 'string') out[i] = v;
      else throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${i} is ${JSON.stringify(v)}, not a string`, { field: name, line: i, value: v });
    }
    return new StringColumn(name, out, nulls);
  }

  get(i: number): string | null {
    return this.isNull(i) ? null : this.values[i]!;
  }

  take(idx: ArrayLike<number>): StringColumn {
    const out = new Array<string>(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = this.values[idx[k]!]!;
    return new StringColumn(this.name, out, this.takeNulls(idx));
  }

  rename(name: string): StringColumn {
    return new StringColumn(name, this.values, this.nulls);
  }
}

/**
 * A categorical column: `codes[i]` indexes `categories`, -1 for missing. Categories keep the
 * order given (by default: sorted).
 *
 * @example
 * ```ts
 * const c = CategoryColumn.from('ocean', ['NEAR BAY', 'INLAND', null, 'INLAND']);
 * c.categories; // ['INLAND', 'NEAR BAY']
 * c.codes;      // Int32Array [1, 0, -1, 0]
 * ```
 */
export class CategoryColumn extends ColumnBase {
  readonly kind = 'category' as const;

  constructor(
    name: string,
    readonly codes: Int32Array,
    readonly categories: readonly string[],
  ) {
    let nulls: Uint8Array | undefined;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      if (c === -1) {
        nulls ??= new Uint8Array(codes.length);
        nulls[i] = 1;
      } else if (!(c >= 0 && c < categories.length)) {
        throw new MlshipError('INVALID_ARGUMENT', `column '${name}': code ${c} at row ${i} is outside 0..${categories.length - 1}`, { field: name, line: i, value: c });
      }
    }
    super(name, codes.length, nulls);
  }

  /** A column from strings and null/undefined; `categories` fixes the order (others are an error). */
  static from(name: string, values: ArrayLike<string | null | undefined>, categories?: readonly string[]): CategoryColumn {
    let cats = categories;
    if (!cats) {
      const set = new Set<string>();
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v === 'string') set.add(v);
      }
      cats = [...set].sort();
    }
    const index = new Map(cats.map((c, k) => [c, k]));
    const codes = new Int32Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        codes[i] = -1;
        continue;
      }
      const k = index.get(String(v));
      if (k === undefined) {
        throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${i} is ${JSON.stringify(v)}, which is not one of its categories (${cats.slice(0, 10).join(', ')}${cats.length > 10 ? ', ...' : ''}); add it to the categories`, { field: name, line: i, value: v });
      }
      codes[i] = k;
    }
    return new CategoryColumn(name, codes, cats);
  }

  get(i: number): string | null {
    const c = this.codes[i]!;
    return c < 0 ? null : this.categories[c]!;
  }

  take(idx: ArrayLike<number>): CategoryColumn {
    const out = new Int32Array(idx.length);
    for (let k = 0; k < idx.length; k++) out[k] = this.codes[idx[k]!]!;
    return new CategoryColumn(this.name, out, this.categories);
  }

  rename(name: string): CategoryColumn {
    return new CategoryColumn(name, this.codes, this.categories);
  }
}

/** A table column. */
export type Column = NumericColumn | StringColumn | CategoryColumn;

/** Options of {@link Table.fromRecords} and {@link Table.fromArrays}. */
export interface TableFromOptions {
  /** Column kinds that override inference, by column name. @default {} */
  kinds?: Record<string, ColumnKind>;
  /** Column order; columns not listed are dropped. @default the keys in order of first appearance */
  columns?: string[];
}

/**
 * A small columnar table: named, typed columns of equal length with null masks. Numeric columns
 * are Float64Arrays, so `toMatrix()` hands numeric features to estimators without per-cell work.
 * Tables are immutable: `select`, `drop`, `withColumn` and `takeRows` return new tables (sharing
 * unchanged columns).
 *
 * @example
 * ```ts
 * const t = Table.fromRecords([
 *   { rooms: 3, city: 'Oslo', price: 410 },
 *   { rooms: 2, city: 'Bergen', price: null },
 * ]);
 * t.shape;                 // [2, 3]
 * t.column('price').kind;  // 'integer'
 * t.get(1, 'price');       // null
 * t.select(['rooms']).toMatrix(); // Matrix 2 x 1
 * ```
 */
export class Table {
  readonly columns: readonly Column[];
  readonly numRows: number;
  private readonly byName: Map<string, Column>;

  constructor(columns: readonly Column[], numRows?: number) {
    const n = numRows ?? columns[0]?.length ?? 0;
    const byName = new Map<string, Column>();
    for (const c of columns) {
      if (byName.has(c.name)) throw new MlshipError('INVALID_ARGUMENT', `duplicate column name '${c.name}'; column names must be unique`, { field: c.name });
      if (c.length !== n) {
        throw new MlshipError('SHAPE_MISMATCH', `column '${c.name}' has ${c.length} rows, but the table has ${n} (column '${columns[0]?.name}'); all columns must have the same length`, { field: c.name, value: c.length, expected: n });
      }
      byName.set(c.name, c);
    }
    this.columns = columns;
    this.numRows = n;
    this.byName = byName;
  }

  /**
   * Builds a table from records (plain objects), inferring each column's kind: all numbers →
   * `integer`/`number`; all booleans → `boolean`; Dates → `date`; anything with a string →
   * `string`. Missing keys, `null`, `undefined` and NaN are missing values. `kinds` overrides.
   */
  static fromRecords(records: readonly Record<string, unknown>[], options: TableFromOptions = {}): Table {
    const names = options.columns ?? [...new Set(records.flatMap((r) => Object.keys(r)))];
    const arrays: Record<string, unknown[]> = {};
    for (const name of names) arrays[name] = records.map((r) => r[name]);
    return Table.fromArrays(arrays, { ...options, columns: names });
  }

  /**
   * Builds a table from one array per column (plain arrays or typed arrays), with the same
   * inference and overrides as {@link Table.fromRecords}.
   *
   * @example
   * ```ts
   * Table.fromArrays({ x: Float64Array.of(1, 2), label: ['a', 'b'] }, { kinds: { label: 'category' } });
   * ```
   */
  static fromArrays(arrays: Record<string, ArrayLike<unknown>>, options: TableFromOptions = {}): Table {
    const names = options.columns ?? Object.keys(arrays);
    const cols: Column[] = [];
    for (const name of names) {
      const values = arrays[name];
      if (!values) throw new MlshipError('NOT_FOUND', `no array for column '${name}'`, { field: name });
      cols.push(makeColumn(name, values, options.kinds?.[name]));
    }
    return new Table(cols, cols.length === 0 ? 0 : undefined);
  }

  /** [rows, columns]. */
  get shape(): [number, number] {
    return [this.numRows, this.columns.length];
  }

  /** The column names in order. */
  get columnNames(): string[] {
    return this.columns.map((c) => c.name);
  }

  /** True when the table has a column of that name. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The named column; NOT_FOUND lists the table's columns. */
  column(name: string): Column {
    const c = this.byName.get(name);
    if (!c) {
      throw new MlshipError('NOT_FOUND', `no column '${name}'; the table has: ${this.columnNames.join(', ') || '(no columns)'}`, { field: name });
    }
    return c;
  }

  /**
   * The values of a numeric column (missing as NaN), e.g. a regression target; INVALID_ARGUMENT
   * for a string or category column.
   *
   * @example
   * ```ts
   * const y = boston.numeric('medv'); // Float64Array
   * ```
   */
  numeric(name: string): Float64Array {
    const c = this.column(name);
    if (!(c instanceof NumericColumn)) {
      throw new MlshipError('INVALID_ARGUMENT', `column '${name}' is a ${c.kind} column, not numeric; encode it first or pick a numeric column`, { field: name, value: c.kind });
    }
    return c.values;
  }

  /** The value at row i of a column (`null` when missing). */
  get(i: number, name: string): CellValue {
    if (!(Number.isInteger(i) && i >= 0 && i < this.numRows)) {
      throw new MlshipError('INVALID_ARGUMENT', `row ${i} is outside 0..${this.numRows - 1}`, { value: i });
    }
    return this.column(name).get(i);
  }

  /** Row i as a record. */
  row(i: number): Record<string, CellValue> {
    const out: Record<string, CellValue> = {};
    for (const c of this.columns) out[c.name] = c.get(i);
    return out;
  }

  /** All rows as records (for printing and JSON; use columns for bulk work). */
  toRecords(): Record<string, CellValue>[] {
    const out: Record<string, CellValue>[] = [];
    for (let i = 0; i < this.numRows; i++) out.push(this.row(i));
    return out;
  }

  /** A table of the named columns, in that order. */
  select(names: readonly string[]): Table {
    return new Table(names.map((n) => this.column(n)), this.numRows);
  }

  /** A table without the named columns (each must exist). */
  drop(names: readonly string[]): Table {
    for (const n of names) this.column(n);
    const gone = new Set(names);
    return new Table(this.columns.filter((c) => !gone.has(c.name)), this.numRows);
  }

  /** A table with `column` added, or replacing the column of the same name in place. */
  withColumn(column: Column): Table {
    const cols = this.has(column.name) ? this.columns.map((c) => (c.name === column.name ? column : c)) : [...this.columns, column];
    return new Table(cols, this.columns.length === 0 ? column.length : this.numRows);
  }

  /** The given rows (in that order) as a new table. */
  takeRows(idx: ArrayLike<number>): Table {
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      if (!(Number.isInteger(i) && i >= 0 && i < this.numRows)) throw new MlshipError('INVALID_ARGUMENT', `row index ${i} is outside 0..${this.numRows - 1}`, { value: i });
    }
    return new Table(this.columns.map((c) => c.take(idx)), idx.length);
  }

  /** The first n rows. */
  head(n = 5): Table {
    const m = Math.max(0, Math.min(n, this.numRows));
    return this.takeRows(Array.from({ length: m }, (_, i) => i));
  }

  /**
   * The numeric columns (all of them, or the named ones) as a dense row-major Matrix, missing
   * values as NaN. A string or category column is an INVALID_ARGUMENT error that says how to
   * encode it.
   */
  toMatrix(names?: readonly string[]): Matrix {
    const cols = names ? names.map((n) => this.column(n)) : this.columns;
    const d = cols.length;
    const m = new Matrix(this.numRows, d);
    for (let j = 0; j < d; j++) {
      const c = cols[j]!;
      if (!(c instanceof NumericColumn)) {
        throw new MlshipError(
          'INVALID_ARGUMENT',
          `column '${c.name}' is a ${c.kind} column, not numeric; encode it first (OneHotEncoder or OrdinalEncoder, e.g. inside a ColumnTransformer) or drop it`,
          { field: c.name, value: c.kind },
        );
      }
      const v = c.values;
      for (let i = 0; i < this.numRows; i++) m.data[i * d + j] = v[i]!;
    }
    return m;
  }
}

function makeColumn(name: string, values: ArrayLike<unknown>, kind: ColumnKind | undefined): Column {
  if (values instanceof Float64Array && (kind === undefined || isNumericKind(kind))) {
    return new NumericColumn(name, values.slice(), (kind as NumericKind | undefined) ?? 'number');
  }
  const list = Array.from(values, (v) => (v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v));
  const target = kind ?? inferKind(list);
  if (target === 'string' || target === 'category') {
    const strings = list.map((v, i) => {
      if (v === null) return null;
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${i} is ${describe(v)}; a ${target} column takes strings`, { field: name, line: i });
    });
    return target === 'string' ? StringColumn.from(name, strings) : CategoryColumn.from(name, strings);
  }
  const nums = list.map((v, i) => {
    if (v === null || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
    if (typeof v === 'string') return parseAs(name, v, target, i);
    throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${i} is ${describe(v)}; a ${target} column takes numbers`, { field: name, line: i });
  });
  const col = NumericColumn.from(name, nums, target);
  if (target === 'integer') {
    for (let i = 0; i < col.length; i++) {
      const v = col.values[i]!;
      if (!col.isNull(i) && !Number.isInteger(v)) {
        throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${i} is ${v}, not a whole number; declare the column as 'number'`, { field: name, line: i, value: v });
      }
    }
  }
  return col;
}

function inferKind(values: readonly unknown[]): ColumnKind {
  let sawNumber = false;
  let sawBool = false;
  let sawDate = false;
  let allInt = true;
  for (const v of values) {
    if (v === null) continue;
    if (typeof v === 'string') return 'string';
    if (typeof v === 'boolean') sawBool = true;
    else if (v instanceof Date) sawDate = true;
    else if (typeof v === 'number') {
      sawNumber = true;
      if (!Number.isInteger(v)) allInt = false;
    } else return 'string';
  }
  if (sawNumber) return allInt && !sawBool && !sawDate ? 'integer' : 'number';
  if (sawDate && !sawBool) return 'date';
  if (sawBool) return 'boolean';
  return 'number';
}

/** Parses a text value into a numeric kind (a kinds override on text input). */
function parseAs(name: string, s: string, kind: NumericKind, line: number): number | null {
  const t = s.trim();
  if (t === '') return null;
  if (kind === 'boolean') {
    const l = t.toLowerCase();
    if (l === 'true' || l === '1' || l === 'yes') return 1;
    if (l === 'false' || l === '0' || l === 'no') return 0;
  } else if (kind === 'date') {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  } else {
    const v = Number(t);
    if (!Number.isNaN(v)) return v;
  }
  throw new MlshipError('INVALID_ARGUMENT', `column '${name}': row ${line} is ${JSON.stringify(s)}, which is not a valid ${kind}; fix the value or declare the column as 'string'`, {
    field: name,
    line,
    value: s,
  });
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'an object';
  return `${typeof v} ${String(v)}`;
}

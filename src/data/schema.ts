import { readFile } from 'node:fs/promises';
import { CategoryColumn, isNumericKind, MlshipError, writeFileAtomic, NumericColumn, type CellValue, type Column, type ColumnKind, type Table } from '../core/index.js';
import { fsError } from './read-text.js';
import { COLUMN_KINDS } from './table-columns.js';

/**
 * The schema file format version {@link saveSchema} writes and {@link loadSchema} reads.
 *
 * @example
 * ```ts
 * import { SCHEMA_FORMAT_VERSION, type TableSchema } from 'mlship/data';
 * const empty: TableSchema = { formatVersion: SCHEMA_FORMAT_VERSION, columns: [] };
 * ```
 */
export const SCHEMA_FORMAT_VERSION = 1;

/**
 * What one column must look like. Numeric bounds are numbers; for `date` columns they are ISO-8601
 * strings (`"2024-01-01"` or a full timestamp) so the file stays readable.
 *
 * @example
 * ```ts
 * import type { ColumnSchema } from 'mlship/data';
 * const price: ColumnSchema = { name: 'price', kind: 'number', nullable: false, min: 0, max: 500000 };
 * ```
 */
export interface ColumnSchema {
  /** The column name. */
  name: string;
  /** The kind its values must have (`integer` data also satisfies `number`; `string` data satisfies `category`). */
  kind: ColumnKind;
  /** Whether missing values are allowed. */
  nullable: boolean;
  /** Smallest allowed value (numeric and date columns). @default no bound */
  min?: number | string;
  /** Largest allowed value (numeric and date columns). @default no bound */
  max?: number | string;
  /** The allowed values (category and string columns). @default any value */
  categories?: string[];
  /** Whether every non-missing value must be distinct. @default false */
  unique?: boolean;
}

/**
 * A table's expected shape, as {@link inferSchema} writes it and a person may edit it: plain JSON.
 *
 * @example
 * ```ts
 * import { inferSchema, loadTableDataset } from 'mlship/data';
 * const schema = inferSchema(await loadTableDataset('boston-housing'), { target: 'medv' });
 * schema.columns[0]; // { name: 'crim', kind: 'number', nullable: false, min: 0.00632, max: 88.9762, unique: false }
 * ```
 */
export interface TableSchema {
  /** The format version ({@link SCHEMA_FORMAT_VERSION}). */
  formatVersion: number;
  /** The column to predict, if any (informational; the CLI uses it for reports). @default absent */
  target?: string;
  /** Bounds on the number of rows. @default no bounds */
  rows?: { min?: number; max?: number };
  /** Whether columns not listed are allowed. @default false */
  allowExtraColumns?: boolean;
  /** The columns, in order. */
  columns: ColumnSchema[];
}

/**
 * Options of {@link inferSchema}.
 *
 * @example
 * ```ts
 * inferSchema(table, { target: 'price', maxCategories: 50, minRows: 100 });
 * ```
 */
export interface InferSchemaOptions {
  /**
   * The target column (recorded in the schema).
   * @default undefined
   */
  target?: string;
  /**
   * A string column with at most this many distinct values gets an allowed-values list.
   * @default 20
   */
  maxCategories?: number;
  /**
   * The schema's minimum row count.
   * @default 1
   */
  minRows?: number;
  /**
   * The schema's maximum row count.
   * @default undefined (no bound)
   */
  maxRows?: number;
  /**
   * Only tables with at least this many rows get `unique: true` on all-distinct string and
   * integer columns (a few rows are distinct by chance).
   * @default 10
   */
  minRowsForUnique?: number;
}

function isoOf(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

function distinctStrings(c: Column): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < c.length; i++) {
    if (c.isNull(i)) continue;
    const v = String(c.get(i));
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

/**
 * Infers a schema from a table: each column's kind, whether it has missing values, its range
 * (numeric and date columns), its allowed values (category columns, and string columns with at
 * most `maxCategories` distinct values), and `unique` for all-distinct, non-missing string and
 * integer columns of tables with at least `minRowsForUnique` rows. Row bounds: `{ min: minRows }`.
 * Save it with {@link saveSchema}, edit it by hand, check new data with {@link validateTable}.
 *
 * @example
 * ```ts
 * import { inferSchema, readTable, saveSchema } from 'mlship/data';
 * const schema = inferSchema(await readTable('train.csv'), { target: 'price' });
 * await saveSchema(schema, 'schema.json');
 * ```
 */
export function inferSchema(table: Table, options: InferSchemaOptions = {}): TableSchema {
  const maxCategories = options.maxCategories ?? 20;
  const minRowsForUnique = options.minRowsForUnique ?? 10;
  if (options.target !== undefined) table.column(options.target);
  const columns: ColumnSchema[] = table.columns.map((c) => {
    const col: ColumnSchema = { name: c.name, kind: c.kind, nullable: c.nullCount > 0 };
    if (c instanceof NumericColumn && c.kind !== 'boolean') {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < c.length; i++) {
        if (c.isNull(i)) continue;
        const v = c.values[i]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo <= hi) {
        col.min = c.kind === 'date' ? isoOf(lo) : lo;
        col.max = c.kind === 'date' ? isoOf(hi) : hi;
      }
    }
    if (c instanceof CategoryColumn) col.categories = [...c.categories];
    else if (c.kind === 'string') {
      const counts = distinctStrings(c);
      if (counts.size <= maxCategories && counts.size < c.length - c.nullCount) col.categories = [...counts.keys()].sort();
    }
    if ((c.kind === 'string' || c.kind === 'integer') && c.nullCount === 0 && table.numRows >= minRowsForUnique) {
      col.unique = countDuplicates(c).count === 0;
    } else col.unique = false;
    return col;
  });
  return {
    formatVersion: SCHEMA_FORMAT_VERSION,
    ...(options.target !== undefined ? { target: options.target } : {}),
    rows: { min: options.minRows ?? 1, ...(options.maxRows !== undefined ? { max: options.maxRows } : {}) },
    allowExtraColumns: false,
    columns,
  };
}

/**
 * Saves a schema as pretty-printed JSON (two-space indent, one key per line, for hand editing),
 * atomically (a temporary file renamed into place). The schema is checked first.
 *
 * @example
 * ```ts
 * import { inferSchema, saveSchema } from 'mlship/data';
 * await saveSchema(inferSchema(table), 'schema.json');
 * ```
 */
export async function saveSchema(schema: TableSchema, path: string): Promise<void> {
  parseSchema(JSON.parse(JSON.stringify(schema)) as unknown, '<schema>');
  try {
    await writeFileAtomic(path, JSON.stringify(schema, null, 2) + '\n');
  } catch (err) {
    throw fsError(path, err);
  }
}

/**
 * Loads a schema saved by {@link saveSchema} (or written by hand) and checks it: unknown keys,
 * wrong types, unknown kinds, min above max, duplicate column names. Every problem is reported
 * with its JSON path (`$.columns[2].kind`), up to 10, in one INVALID_DATA error.
 *
 * @example
 * ```ts
 * import { loadSchema, readTable, assertValid } from 'mlship/data';
 * assertValid(await readTable('new.csv'), await loadSchema('schema.json'));
 * ```
 */
export async function loadSchema(path: string): Promise<TableSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw fsError(path, err);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MlshipError('PARSE_ERROR', `${path}: not valid JSON (${(err as Error).message}); a schema file is one JSON object as saveSchema writes it.`, { file: path });
  }
  return parseSchema(value, path);
}

const SCHEMA_KEYS = new Set(['formatVersion', 'target', 'rows', 'allowExtraColumns', 'columns']);
const COLUMN_KEYS = new Set(['name', 'kind', 'nullable', 'min', 'max', 'categories', 'unique']);
const ROWS_KEYS = new Set(['min', 'max']);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

/**
 * Checks a parsed JSON value against the schema format and returns it as a TableSchema, or throws
 * INVALID_DATA listing every problem (up to 10) with its JSON path. `source` names the file.
 *
 * @example
 * ```ts
 * import { parseSchema } from 'mlship/data';
 * const schema = parseSchema(JSON.parse(text), 'schema.json');
 * ```
 */
export function parseSchema(value: unknown, source = '<schema>'): TableSchema {
  const problems: string[] = [];
  const bad = (path: string, what: string): void => void problems.push(`${path}: ${what}`);
  const unknownKeys = (obj: Record<string, unknown>, allowed: Set<string>, path: string): void => {
    for (const k of Object.keys(obj)) if (!allowed.has(k)) bad(`${path}.${k}`, `unknown key; allowed keys are ${[...allowed].join(', ')}`);
  };
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  const count = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (!isObj(value)) {
    bad('$', `expected an object with formatVersion and columns, got ${typeName(value)}`);
  } else {
    unknownKeys(value, SCHEMA_KEYS, '$');
    if (value.formatVersion !== SCHEMA_FORMAT_VERSION) {
      bad('$.formatVersion', value.formatVersion === undefined ? `missing; set it to ${SCHEMA_FORMAT_VERSION}` : `expected ${SCHEMA_FORMAT_VERSION}, got ${typeName(value.formatVersion)}`);
    }
    if (value.target !== undefined && typeof value.target !== 'string') bad('$.target', `expected a column name (string), got ${typeName(value.target)}`);
    if (value.allowExtraColumns !== undefined && typeof value.allowExtraColumns !== 'boolean') bad('$.allowExtraColumns', `expected true or false, got ${typeName(value.allowExtraColumns)}`);
    if (value.rows !== undefined) {
      if (!isObj(value.rows)) bad('$.rows', `expected an object such as { "min": 1, "max": 100000 }, got ${typeName(value.rows)}`);
      else {
        unknownKeys(value.rows, ROWS_KEYS, '$.rows');
        for (const k of ['min', 'max'] as const) if (value.rows[k] !== undefined && !count(value.rows[k])) bad(`$.rows.${k}`, `expected a non-negative integer, got ${typeName(value.rows[k])}`);
        const { min, max } = value.rows;
        if (count(min) && count(max) && (min as number) > (max as number)) bad('$.rows', `min ${String(min)} is above max ${String(max)}`);
      }
    }
    if (!Array.isArray(value.columns)) bad('$.columns', value.columns === undefined ? 'missing; list the columns' : `expected an array of columns, got ${typeName(value.columns)}`);
    else {
      const seen = new Set<string>();
      value.columns.forEach((c: unknown, k: number) => {
        const p = `$.columns[${k}]`;
        if (!isObj(c)) return bad(p, `expected an object with name, kind and nullable, got ${typeName(c)}`);
        unknownKeys(c, COLUMN_KEYS, p);
        if (typeof c.name !== 'string' || c.name === '') bad(`${p}.name`, `expected a non-empty string, got ${typeName(c.name)}`);
        else if (seen.has(c.name)) bad(`${p}.name`, `column '${c.name}' is listed twice`);
        else seen.add(c.name);
        const kindOk = COLUMN_KINDS.includes(c.kind as ColumnKind);
        if (!kindOk) bad(`${p}.kind`, `expected one of ${COLUMN_KINDS.map((x) => `"${x}"`).join(', ')}, got ${typeName(c.kind)}`);
        if (typeof c.nullable !== 'boolean') bad(`${p}.nullable`, `expected true or false, got ${typeName(c.nullable)}`);
        if (c.unique !== undefined && typeof c.unique !== 'boolean') bad(`${p}.unique`, `expected true or false, got ${typeName(c.unique)}`);
        if (c.categories !== undefined && (!Array.isArray(c.categories) || c.categories.some((x) => typeof x !== 'string'))) {
          bad(`${p}.categories`, `expected an array of strings, got ${typeName(c.categories)}`);
        }
        if (kindOk && c.categories !== undefined && c.kind !== 'category' && c.kind !== 'string') bad(`${p}.categories`, `only category and string columns take categories, this one is "${String(c.kind)}"`);
        const bounds: number[] = [];
        for (const b of ['min', 'max'] as const) {
          const v = c[b];
          if (v === undefined) continue;
          if (kindOk && !isNumericKind(c.kind as ColumnKind)) bad(`${p}.${b}`, `only numeric and date columns take ${b}, this one is "${String(c.kind)}"`);
          else if (c.kind === 'date') {
            const ms = typeof v === 'string' ? Date.parse(v) : typeof v === 'number' ? v : NaN;
            if (Number.isNaN(ms)) bad(`${p}.${b}`, `expected an ISO-8601 date such as "2024-01-31", got ${typeName(v)}`);
            else bounds.push(ms);
          } else if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${p}.${b}`, `expected a finite number, got ${typeName(v)}`);
          else bounds.push(v);
        }
        if (c.min !== undefined && c.max !== undefined && bounds.length === 2 && bounds[0]! > bounds[1]!) bad(p, `min ${JSON.stringify(c.min)} is above max ${JSON.stringify(c.max)}`);
      });
    }
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 10).map((s) => `  ${s}`);
    if (problems.length > 10) shown.push(`  ... and ${problems.length - 10} more`);
    throw new MlshipError(
      'INVALID_DATA',
      `${source}: not a valid table schema (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${shown.join('\n')}\nFix the file, or write a fresh one with inferSchema()/saveSchema() (CLI: mlship data schema <data> --out schema.json).`,
      { file: source, problems },
    );
  }
  return value as TableSchema;
}

/**
 * The rules {@link validateTable} checks.
 *
 * @example
 * ```ts
 * const ranges = validateTable(table, schema).violations.filter((v) => v.rule === 'min' || v.rule === 'max');
 * ```
 */
export type SchemaRule = 'missing_column' | 'extra_column' | 'kind' | 'nullable' | 'min' | 'max' | 'categories' | 'unique' | 'row_count';

/**
 * One rule broken by a table: which column and rule, how many rows, up to 5 examples and a message.
 *
 * @example
 * ```ts
 * import type { Violation } from 'mlship/data';
 * const v: Violation = { column: 'price', rule: 'min', count: 2, examples: [{ row: 7, value: -1 }], message: '...' };
 * ```
 */
export interface Violation {
  /** The column, or null for a table-level rule (`row_count`). */
  column: string | null;
  rule: SchemaRule;
  /** How many rows break the rule (1 for column- and table-level rules). */
  count: number;
  /** Up to 5 offending rows (0-based row index) and values. */
  examples: { row: number; value: CellValue }[];
  message: string;
}

/**
 * The outcome of {@link validateTable}.
 *
 * @example
 * ```ts
 * const result: ValidationResult = validateTable(table, schema);
 * if (!result.valid) for (const v of result.violations) console.log(v.message);
 * ```
 */
export interface ValidationResult {
  valid: boolean;
  rows: number;
  violations: Violation[];
}

const MAX_EXAMPLES = 5;
const SINGULAR: Record<string, string> = { are: 'is', hold: 'holds', repeat: 'repeats' };

/** Collects offending rows: count and the first few examples. */
class Offenders {
  count = 0;
  readonly examples: { row: number; value: CellValue }[] = [];

  add(row: number, value: CellValue): void {
    this.count++;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push({ row, value });
  }
}

function showValue(v: CellValue, kind: ColumnKind): string {
  if (kind === 'date' && typeof v === 'number') return isoOf(v);
  return JSON.stringify(v);
}

function rowsWord(n: number): string {
  return `${n} row${n === 1 ? '' : 's'}`;
}

function examplesText(o: Offenders, kind: ColumnKind): string {
  return o.examples.map((e) => `row ${e.row}: ${showValue(e.value, kind)}`).join(', ') + (o.count > o.examples.length ? ', ...' : '');
}

function countDuplicates(c: Column): Offenders {
  const seen = new Set<string | number>();
  const out = new Offenders();
  for (let i = 0; i < c.length; i++) {
    if (c.isNull(i)) continue;
    const key = c instanceof NumericColumn ? c.values[i]! : c instanceof CategoryColumn ? c.codes[i]! : c.values[i]!;
    if (seen.has(key)) out.add(i, c.get(i));
    else seen.add(key);
  }
  return out;
}

/** Whether data of kind `actual` satisfies a schema kind. */
function kindFits(actual: ColumnKind, expected: ColumnKind): boolean {
  if (actual === expected) return true;
  if (expected === 'number' && actual === 'integer') return true;
  if (expected === 'category' && actual === 'string') return true;
  if (expected === 'string' && actual === 'category') return true;
  // A CSV column of category codes such as 1, 2, 3 is read as integers: compare them as text.
  if ((expected === 'category' || expected === 'string') && actual === 'integer') return true;
  return false;
}

function boundOf(v: number | string | undefined): number | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'number' ? v : Date.parse(v);
}

/**
 * Checks a table against a schema and returns **every** violation, not only the first: missing and
 * (unless `allowExtraColumns`) extra columns, kinds, missing values in non-nullable columns, values
 * below `min` / above `max`, values outside `categories`, repeated values in `unique` columns, and
 * the row count. Each violation has the column, the rule, how many rows break it, up to 5 example
 * rows and values, and a message. Kinds are lenient where data is: integer data fits `number`,
 * string data fits `category` (its values are then checked against the categories), `number`
 * data fits `integer` when every value is whole, integer data fits `category`/`string` (codes such
 * as 1, 2, 3 read from CSV; compared as text), and an all-missing column fits any kind.
 *
 * @example
 * ```ts
 * import { validateTable, loadSchema, readTable } from 'mlship/data';
 * const result = validateTable(await readTable('new.csv'), await loadSchema('schema.json'));
 * if (!result.valid) for (const v of result.violations) console.error(v.message);
 * ```
 */
export function validateTable(table: Table, schema: TableSchema): ValidationResult {
  parseSchema(schema, '<schema>');
  const violations: Violation[] = [];
  const n = table.numRows;
  const rowsMin = schema.rows?.min;
  const rowsMax = schema.rows?.max;
  if ((rowsMin !== undefined && n < rowsMin) || (rowsMax !== undefined && n > rowsMax)) {
    const bound = rowsMin !== undefined && n < rowsMin ? `at least ${rowsMin}` : `at most ${rowsMax}`;
    violations.push({ column: null, rule: 'row_count', count: 1, examples: [], message: `the table has ${rowsWord(n)}; the schema wants ${bound}` });
  }
  const listed = new Set(schema.columns.map((c) => c.name));
  for (const cs of schema.columns) {
    if (!table.has(cs.name)) {
      violations.push({ column: cs.name, rule: 'missing_column', count: 1, examples: [], message: `column '${cs.name}' (${cs.kind}) is missing` });
      continue;
    }
    const c = table.column(cs.name);
    // An all-missing column has no values to contradict the kind (inference calls it 'number').
    const fits = kindFits(c.kind, cs.kind) || (c.length > 0 && c.nullCount === c.length);
    if (!fits && !(cs.kind === 'integer' && c.kind === 'number')) {
      violations.push({ column: cs.name, rule: 'kind', count: 1, examples: [], message: `column '${cs.name}' is ${c.kind}; the schema wants ${cs.kind}` });
      continue;
    }
    // `what` starts with a plural verb in brackets, e.g. '[are] missing', made singular for one row.
    const col = (rule: SchemaRule, o: Offenders, what: string): void => {
      if (o.count === 0) return;
      const text = what.replace(/^\[(\w+)\]/, (_m, verb: string) => (o.count === 1 ? SINGULAR[verb] ?? verb : verb));
      violations.push({ column: cs.name, rule, count: o.count, examples: o.examples, message: `column '${cs.name}': ${rowsWord(o.count)} ${text} (${examplesText(o, c.kind)})` });
    };
    if (cs.kind === 'integer' && c.kind === 'number') {
      const o = new Offenders();
      const v = (c as NumericColumn).values;
      for (let i = 0; i < n; i++) if (!c.isNull(i) && !Number.isInteger(v[i]!)) o.add(i, v[i]!);
      col('kind', o, '[hold] non-whole numbers; the schema wants integer');
    }
    if (!cs.nullable && c.nullCount > 0) {
      const o = new Offenders();
      for (let i = 0; i < n; i++) if (c.isNull(i)) o.add(i, null);
      col('nullable', o, '[are] missing; the schema says the column is not nullable');
    }
    if (c instanceof NumericColumn && isNumericKind(cs.kind)) {
      const lo = boundOf(cs.min);
      const hi = boundOf(cs.max);
      const below = new Offenders();
      const above = new Offenders();
      const v = c.values;
      for (let i = 0; i < n; i++) {
        if (c.isNull(i)) continue;
        const x = v[i]!;
        if (lo !== undefined && x < lo) below.add(i, c.get(i));
        if (hi !== undefined && x > hi) above.add(i, c.get(i));
      }
      col('min', below, `[are] below the minimum ${JSON.stringify(cs.min)}`);
      col('max', above, `[are] above the maximum ${JSON.stringify(cs.max)}`);
    }
    if (cs.categories !== undefined && (cs.kind === 'category' || cs.kind === 'string')) {
      const allowed = new Set(cs.categories);
      const o = new Offenders();
      for (let i = 0; i < n; i++) {
        const v = c.get(i);
        if (v !== null && !allowed.has(String(v))) o.add(i, v);
      }
      const shown = cs.categories.slice(0, 10).map((x) => JSON.stringify(x)).join(', ') + (cs.categories.length > 10 ? ', ...' : '');
      col('categories', o, `[hold] values outside the allowed categories [${shown}]`);
    }
    if (cs.unique) col('unique', countDuplicates(c), '[repeat] a value seen in an earlier row; the schema says values are unique');
  }
  if (!schema.allowExtraColumns) {
    for (const c of table.columns) {
      if (!listed.has(c.name)) {
        violations.push({ column: c.name, rule: 'extra_column', count: 1, examples: [], message: `column '${c.name}' (${c.kind}) is not in the schema; drop it, add it to the schema, or set "allowExtraColumns": true` });
      }
    }
  }
  return { valid: violations.length === 0, rows: n, violations };
}

/**
 * The validation gate: throws one SCHEMA_MISMATCH error listing **every** violation when the table
 * does not match the schema (`details.violations` holds the structured list); returns the table
 * when it does, so it chains.
 *
 * @example
 * ```ts
 * import { assertValid, loadSchema, readTable } from 'mlship/data';
 * const table = assertValid(await readTable('new.csv'), await loadSchema('schema.json'));
 * ```
 */
export function assertValid(table: Table, schema: TableSchema, source = 'the table'): Table {
  const result = validateTable(table, schema);
  if (!result.valid) throw schemaMismatch(result, source);
  return table;
}

/** The SCHEMA_MISMATCH error for an invalid result (every violation in the message). */
export function schemaMismatch(result: ValidationResult, source = 'the table'): MlshipError {
  const v = result.violations;
  return new MlshipError(
    'SCHEMA_MISMATCH',
    `${source} does not match the schema (${v.length} violation${v.length === 1 ? '' : 's'}):\n${v.map((x) => `  - ${x.message}`).join('\n')}\n` +
      `Fix the data, or edit the schema if the data is right.`,
    { violations: v, rows: result.rows },
  );
}

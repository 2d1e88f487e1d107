import { CategoryColumn, MlshipError, NumericColumn, StringColumn, type Column, type ColumnKind, type NumericKind } from '../core/index.js';

// Builds typed table columns from raw cell values (CSV text, JSON values or Parquet values), with
// per-column kind inference and overrides. Internal to src/data: readTable and the Parquet reader
// use it; the error style (file, line, column, value, fix; up to 10 problems, then a count) is
// shared with the other loaders.

/** The kinds a column can be declared as. */
export const COLUMN_KINDS: readonly ColumnKind[] = ['number', 'integer', 'boolean', 'date', 'string', 'category'];

/**
 * The text values {@link readTable} treats as missing by default: the common ones of pandas'
 * `read_csv` defaults.
 *
 * @example
 * ```ts
 * import { DEFAULT_NULL_VALUES, readTable } from 'mlship/data';
 * await readTable('survey.csv', { nullValues: [...DEFAULT_NULL_VALUES, '-', '?'] });
 * ```
 */
export const DEFAULT_NULL_VALUES: readonly string[] = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A'];

const INTEGER_RE = /^[+-]?\d+$/;
const NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INFINITY_RE = /^[+-]?(?:inf|Infinity)$/i;
// ISO-8601 calendar date, optionally with a time (T or space), fraction and zone.
const DATE_RE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const TRUE_WORDS = new Set(['true', 'True', 'TRUE']);
const FALSE_WORDS = new Set(['false', 'False', 'FALSE']);

/** Parses an ISO-8601 date or timestamp to epoch ms (UTC when it has no zone), or NaN. */
export function parseIsoDate(s: string): number {
  const t = s.trim();
  if (!DATE_RE.test(t)) return NaN;
  if (t.length === 10) return Date.parse(t);
  let iso = t.replace(' ', 'T');
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  // Date.parse accepts at most millisecond precision on every engine we run on; cut extra digits.
  iso = iso.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(iso.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** Parses text as a number (decimal, exponent, inf/Infinity), or NaN. */
export function parseNumber(s: string): number {
  const c = s.charCodeAt(0);
  // Fast path: a digit, sign or dot first and Number() accepts it, except 0x/0o/0b literals.
  if ((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) {
    const x = Number(s);
    if (x === x) {
      const c1 = s.charCodeAt(1) | 32;
      if (!(c === 48 && (c1 === 120 || c1 === 111 || c1 === 98))) return x;
    }
  }
  const t = s.trim();
  if (NUMBER_RE.test(t)) return Number(t);
  if (INFINITY_RE.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  return NaN;
}

function parseBoolean(s: string): number {
  const t = s.trim();
  if (TRUE_WORDS.has(t) || t === '1' || t.toLowerCase() === 'yes') return 1;
  if (FALSE_WORDS.has(t) || t === '0' || t.toLowerCase() === 'no') return 0;
  return NaN;
}

/** Infers the kind of a column of text cells (nulls already removed as `null`). */
export function inferTextKind(values: readonly (string | null)[]): ColumnKind {
  let integer = true;
  let number = true;
  let boolean = true;
  let date = true;
  let seen = false;
  for (const v of values) {
    if (v === null) continue;
    seen = true;
    const t = v.trim();
    if (integer && !INTEGER_RE.test(t)) integer = false;
    if (number && !integer && !NUMBER_RE.test(t) && !INFINITY_RE.test(t)) number = false;
    if (boolean && !TRUE_WORDS.has(t) && !FALSE_WORDS.has(t)) boolean = false;
    if (date && !DATE_RE.test(t)) date = false;
    if (!integer && !number && !boolean && !date) return 'string';
  }
  if (!seen) return 'number';
  if (integer) return 'integer';
  if (number) return 'number';
  if (boolean) return 'boolean';
  return date ? 'date' : 'string';
}

/** Infers the kind of a column of JSON / Parquet values. */
export function inferValueKind(values: readonly unknown[]): ColumnKind {
  let nums = 0;
  let ints = 0;
  let bools = 0;
  let dates = 0;
  let strings = 0;
  let other = 0;
  const texts: string[] = [];
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'number') {
      nums++;
      if (Number.isInteger(v)) ints++;
    } else if (typeof v === 'bigint') {
      nums++;
      ints++;
    } else if (typeof v === 'boolean') bools++;
    else if (v instanceof Date) dates++;
    else if (typeof v === 'string') {
      strings++;
      texts.push(v);
    } else other++;
  }
  const total = nums + bools + dates + strings + other;
  if (total === 0) return 'number';
  if (nums === total) return ints === nums ? 'integer' : 'number';
  if (bools === total) return 'boolean';
  if (dates === total) return 'date';
  if (strings === total) return inferTextKind(texts) === 'date' ? 'date' : 'string';
  return 'string';
}

/** One cell that did not parse as its column's kind. */
export interface CellProblem {
  column: string;
  line: number | undefined;
  value: unknown;
}

/** Collects cell problems; throws one INVALID_DATA listing up to 10, then a count. */
export class ProblemList {
  readonly problems: CellProblem[] = [];
  count = 0;

  /** Keeps the 10 earliest problems by line (columns are checked one after another). */
  add(p: CellProblem): void {
    this.count++;
    if (this.problems.length < 10) {
      this.problems.push(p);
      return;
    }
    let worst = 0;
    for (let k = 1; k < this.problems.length; k++) if ((this.problems[k]!.line ?? 0) > (this.problems[worst]!.line ?? 0)) worst = k;
    if ((p.line ?? 0) < (this.problems[worst]!.line ?? 0)) this.problems[worst] = p;
  }

  throwIfAny(file: string, kinds: Readonly<Record<string, ColumnKind>>, lineWord = 'line'): void {
    if (this.count === 0) return;
    this.problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    const lines = this.problems.map((p) => {
      const kind = kinds[p.column]!;
      const where = p.line === undefined ? '' : ` ${lineWord} ${p.line}`;
      return `  ${file}${where}, column '${p.column}': ${JSON.stringify(p.value)} is not a valid ${kind}`;
    });
    if (this.count > this.problems.length) lines.push(`  ... and ${this.count - this.problems.length} more`);
    const first = this.problems[0]!;
    const cols = [...new Set(this.problems.map((p) => p.column))];
    throw new MlshipError(
      'INVALID_DATA',
      `${file}: ${this.count} value${this.count === 1 ? '' : 's'} did not parse as the column's declared kind:\n${lines.join('\n')}\n` +
        `Fix the values, add them to nullValues if they mean "missing", or declare the column${cols.length > 1 ? 's' : ''} ` +
        `${cols.map((c) => `'${c}'`).join(', ')} as 'string' (kinds: { ${cols.map((c) => `${JSON.stringify(c)}: 'string'`).join(', ')} }).`,
      { file, line: first.line, field: first.column, value: first.value, count: this.count, problems: this.problems },
    );
  }
}

function valueToText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

function toNumeric(v: unknown, kind: NumericKind): number {
  if (typeof v === 'number') return kind === 'boolean' ? (v === 1 ? 1 : v === 0 ? 0 : NaN) : v;
  if (typeof v === 'bigint') return kind === 'boolean' ? NaN : Number(v);
  if (typeof v === 'boolean') return kind === 'boolean' || kind === 'integer' || kind === 'number' ? (v ? 1 : 0) : NaN;
  if (v instanceof Date) return kind === 'date' ? v.getTime() : NaN;
  if (typeof v === 'string') {
    if (kind === 'boolean') return parseBoolean(v);
    if (kind === 'date') return parseIsoDate(v);
    return parseNumber(v);
  }
  return NaN;
}

/**
 * Builds one column of `kind` from raw values (`null` = missing). Values that do not convert are
 * added to `problems` (with `lines[i]` when given) and left missing.
 */
export function buildColumn(
  name: string,
  values: readonly unknown[],
  kind: ColumnKind,
  problems: ProblemList,
  lines?: ArrayLike<number>,
  categories?: readonly string[],
): Column {
  const n = values.length;
  if (kind === 'string' || kind === 'category') {
    const texts = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      texts[i] = v === null || v === undefined ? null : valueToText(v);
    }
    if (kind === 'string') return StringColumn.from(name, texts);
    if (categories) {
      const allowed = new Set(categories);
      for (let i = 0; i < n; i++) {
        const t = texts[i];
        if (t !== null && t !== undefined && !allowed.has(t)) {
          problems.add({ column: name, line: lines?.[i], value: t });
          texts[i] = null;
        }
      }
    }
    return CategoryColumn.from(name, texts, categories);
  }
  const out = new Float64Array(n);
  let nulls: Uint8Array | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let x = NaN;
    if (v !== null && v !== undefined) {
      x = toNumeric(v, kind);
      const bad = Number.isNaN(x) || (kind === 'integer' && !Number.isInteger(x)) || (kind === 'date' && !Number.isFinite(x));
      if (bad && !(typeof v === 'number' && Number.isNaN(v))) {
        problems.add({ column: name, line: lines?.[i], value: v });
        x = NaN;
      }
    }
    if (Number.isNaN(x)) {
      nulls ??= new Uint8Array(n);
      nulls[i] = 1;
    }
    out[i] = x;
  }
  return new NumericColumn(name, out, kind, nulls);
}

/** Checks a `kinds` option: known kinds only. */
export function checkKinds(kinds: Readonly<Record<string, unknown>> | undefined): void {
  if (kinds === undefined) return;
  if (kinds === null || typeof kinds !== 'object') {
    throw new MlshipError('INVALID_ARGUMENT', `kinds must be an object mapping column names to kinds, got ${JSON.stringify(kinds)}`, { field: 'kinds' });
  }
  for (const [col, k] of Object.entries(kinds)) {
    if (!COLUMN_KINDS.includes(k as ColumnKind)) {
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `kinds.${col} is ${JSON.stringify(k)}, not a column kind; use one of ${COLUMN_KINDS.map((c) => `'${c}'`).join(', ')}`,
        { field: `kinds.${col}`, value: k },
      );
    }
  }
}

/** readTable's options after defaults and checks. */
export interface Resolved {
  kinds: Record<string, ColumnKind>;
  categories: Record<string, string[]>;
  columns: string[] | undefined;
  nullValues: Set<string>;
  maxRows: number;
}

/** Checks that every column named in `columns`, `kinds` and `categories` is in the file. */
export function checkNames(file: string, header: readonly string[], opts: Resolved, where: string): void {
  const have = new Set(header);
  const asked: [string, string][] = [
    ...(opts.columns ?? []).map((c): [string, string] => [c, 'columns']),
    ...Object.keys(opts.kinds).map((c): [string, string] => [c, 'kinds']),
  ];
  const missing = asked.filter(([c]) => !have.has(c));
  if (missing.length === 0) return;
  const shown = header.slice(0, 50).map((c) => `'${c}'`).join(', ') + (header.length > 50 ? `, ... (${header.length} in all)` : '');
  throw new MlshipError(
    'INVALID_ARGUMENT',
    `${file}: ${missing.map(([c, opt]) => `${opt} names column '${c}'`).join('; ')}, but ${where} has no such column. It has: ${shown || '(no columns)'}. Check the spelling.`,
    { file, field: missing[0]![0], value: header },
  );
}

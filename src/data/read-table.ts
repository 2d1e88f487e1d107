import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { MlshipError, NumericColumn, Table, type Column, type ColumnKind } from '../core/index.js';
import { csvBatches, CsvParser, fieldCountMessage, type CsvRow } from './csv.js';
import { jsonlBatches } from './jsonl.js';
import { readParquetTable } from './parquet.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';
import { tableRead } from './read-events.js';
import { detach, fileSize, fsError } from './read-text.js';
import { buildColumn, checkKinds, checkNames, DEFAULT_NULL_VALUES, inferTextKind, inferValueKind, parseNumber, ProblemList, type Resolved } from './table-columns.js';

/**
 * The file formats {@link readTable} reads.
 *
 * @example
 * ```ts
 * import { readTable, type TableFormat } from 'mlship/data';
 * const format: TableFormat = 'jsonl';
 * await readTable('export.log', { format });
 * ```
 */
export type TableFormat = 'csv' | 'jsonl' | 'parquet';

/**
 * Options of {@link readTable} and {@link parseTable}.
 *
 * @example
 * ```ts
 * import { readTable } from 'mlship/data';
 * const t = await readTable('housing.csv', { kinds: { ocean_proximity: 'category' }, maxRows: 1000 });
 * ```
 */
export interface ReadTableOptions {
  /**
   * The file format.
   * @default from the extension: .csv/.tsv → csv, .jsonl/.ndjson → jsonl, .parquet → parquet
   */
  format?: TableFormat;
  /**
   * Column kinds that override inference, by column name (`{ ocean_proximity: 'category' }`).
   * A value that does not parse as its declared kind is an INVALID_DATA error naming the file,
   * line, column and value.
   * @default {}
   */
  kinds?: Record<string, ColumnKind>;
  /**
   * The categories of `category` columns, in order; any other value is an error.
   * @default the sorted distinct values
   */
  categories?: Record<string, string[]>;
  /**
   * The columns to keep, in this order (each must exist).
   * @default every column, in file order
   */
  columns?: string[];
  /**
   * CSV: the text values that mean "missing" (compared exactly, as pandas does).
   * @default ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', 'None', '#N/A']
   */
  nullValues?: string[];
  /**
   * CSV: the field delimiter.
   * @default ',' (a tab for .tsv files)
   */
  delimiter?: string;
  /**
   * Read at most this many data rows.
   * @default Infinity
   */
  maxRows?: number;
  /**
   * Called at most about ten times a second with bytes and rows read.
   * @default undefined
   */
  onProgress?: ProgressCallback;
}

/** Picks the format from the options or the file extension. */
export function tableFormat(file: string, format: TableFormat | undefined): TableFormat {
  if (format !== undefined) {
    if (format !== 'csv' && format !== 'jsonl' && format !== 'parquet') {
      throw new MlshipError('INVALID_ARGUMENT', `format is ${JSON.stringify(format)}; use 'csv', 'jsonl' or 'parquet'`, { field: 'format', value: format });
    }
    return format;
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new MlshipError(
    'INVALID_ARGUMENT',
    `${file}: cannot tell the format from the extension '${ext}'; use a .csv, .tsv, .jsonl, .ndjson or .parquet file, or pass { format: 'csv' | 'jsonl' | 'parquet' }`,
    { file, field: 'format' },
  );
}

function resolveOptions(options: ReadTableOptions): Resolved {
  checkKinds(options.kinds);
  const maxRows = options.maxRows ?? Infinity;
  if (!(maxRows === Infinity || (Number.isInteger(maxRows) && maxRows >= 0))) {
    throw new MlshipError('INVALID_ARGUMENT', `maxRows must be a non-negative integer, got ${String(options.maxRows)}`, { field: 'maxRows', value: options.maxRows });
  }
  if (options.columns !== undefined && (!Array.isArray(options.columns) || options.columns.some((c) => typeof c !== 'string'))) {
    throw new MlshipError('INVALID_ARGUMENT', `columns must be an array of column names, got ${JSON.stringify(options.columns)}`, { field: 'columns' });
  }
  const categories = options.categories ?? {};
  const kinds = { ...(options.kinds ?? {}) };
  for (const col of Object.keys(categories)) {
    if (kinds[col] === undefined) kinds[col] = 'category';
    else if (kinds[col] !== 'category') {
      throw new MlshipError('INVALID_ARGUMENT', `categories.${col} is given but kinds.${col} is '${kinds[col]}'; categories apply to 'category' columns only`, { field: `categories.${col}` });
    }
  }
  return { kinds, categories, columns: options.columns, nullValues: new Set(options.nullValues ?? DEFAULT_NULL_VALUES), maxRows };
}

/** Accumulates raw JSON cells per column, then types them. */
class TableBuilder {
  readonly cells: unknown[][] = [];
  readonly lines: number[] = [];

  constructor(
    private readonly file: string,
    readonly names: string[],
    private readonly opts: Resolved,
  ) {
    for (let k = 0; k < names.length; k++) this.cells.push([]);
  }

  get rows(): number {
    return this.lines.length;
  }

  addColumn(name: string): number {
    this.names.push(name);
    this.cells.push(new Array<unknown>(this.lines.length).fill(null));
    return this.names.length - 1;
  }

  finish(): Table {
    const keep = this.opts.columns ?? this.names;
    const problems = new ProblemList();
    const kinds: Record<string, ColumnKind> = {};
    const cols: Column[] = [];
    for (const name of keep) {
      const values = this.cells[this.names.indexOf(name)]!;
      const kind = this.opts.kinds[name] ?? inferValueKind(values);
      kinds[name] = kind;
      cols.push(buildColumn(name, values, kind, problems, this.lines, this.opts.categories[name]));
    }
    problems.throwIfAny(this.file, kinds);
    return new Table(cols, this.rows);
  }
}

function emptyError(file: string, what: string): MlshipError {
  return new MlshipError('INVALID_DATA', `${file} is empty; ${what}`, { file });
}

function checkHeader(file: string, row: CsvRow): void {
  const seen = new Set<string>();
  row.fields.forEach((name, k) => {
    if (name.trim() === '') {
      throw new MlshipError('INVALID_DATA', `${file} line ${row.line}: header field ${k + 1} is empty; give every column a name.`, { file, line: row.line });
    }
    if (seen.has(name)) {
      throw new MlshipError('INVALID_DATA', `${file} line ${row.line}: the header names column '${name}' twice; give every column a distinct name.`, { file, line: row.line, field: name });
    }
    seen.add(name);
  });
}

/**
 * One CSV column being read. Columns start numeric: values are parsed as they stream in and kept
 * in a Float64Array, so numeric columns never hold a string per cell. The first value that is not
 * a number turns the column into text; if numbers were already read, their text is recovered with
 * a second pass over the input at the end (rare: a numeric-looking column with text far down).
 * Columns declared `number`/`integer` stay numeric and record values that do not parse as
 * problems; other declared kinds are kept as text and converted at the end.
 */
class CsvColumn {
  nums: Float64Array | undefined = new Float64Array(1024);
  texts: (string | null)[] | undefined;
  /** Whole numbers written without '.', 'e' or 'E' so far. */
  allInt = true;
  sawValue = false;
  /** True when numbers were read before the column turned to text (needs a second pass). */
  reread = false;
  private n = 0;

  constructor(
    readonly name: string,
    readonly index: number,
    readonly declared: ColumnKind | undefined,
  ) {
    if (declared !== undefined && declared !== 'number' && declared !== 'integer') {
      this.nums = undefined;
      this.texts = [];
    }
  }

  push(v: string | null, line: number, problems: ProblemList): void {
    if (this.texts !== undefined) {
      this.texts.push(v === null ? null : detach(v));
      return;
    }
    let x = NaN;
    if (v !== null) {
      x = parseNumber(v);
      if (Number.isNaN(x)) {
        if (this.declared === undefined) {
          this.toText(v);
          return;
        }
        problems.add({ column: this.name, line, value: v });
      } else {
        if (this.allInt && !(Number.isInteger(x) && v.indexOf('.') < 0 && v.indexOf('e') < 0 && v.indexOf('E') < 0)) this.allInt = false;
        if (this.declared === 'integer' && !Number.isInteger(x)) {
          problems.add({ column: this.name, line, value: v });
          x = NaN;
        }
        this.sawValue = true;
      }
    }
    let nums = this.nums!;
    if (this.n === nums.length) {
      const grown = new Float64Array(nums.length * 2);
      grown.set(nums);
      nums = this.nums = grown;
    }
    nums[this.n++] = x;
  }

  private toText(v: string): void {
    this.reread = this.sawValue;
    this.texts = new Array<string | null>(this.n).fill(null);
    this.texts.push(detach(v));
    this.nums = undefined;
  }

  /** The typed column; `texts` must be complete (after a second pass when `reread`). */
  finish(problems: ProblemList, lines: ArrayLike<number>, categories: string[] | undefined): { column: Column; kind: ColumnKind } {
    if (this.texts === undefined) {
      const kind: ColumnKind = this.declared ?? (this.allInt && this.sawValue ? 'integer' : 'number');
      return { column: new NumericColumn(this.name, this.nums!.slice(0, this.n), kind as 'number' | 'integer'), kind };
    }
    const kind = this.declared ?? inferTextKind(this.texts);
    return { column: buildColumn(this.name, this.texts, kind, problems, lines, categories), kind };
  }
}

/** Feeds CSV records into typed columns: header first, then rows (all must be as wide). */
class CsvTableSink {
  private columns: CsvColumn[] | undefined;
  private header: string[] = [];
  readonly lines: number[] = [];
  private width = 0;
  done = false;
  private readonly problems = new ProblemList();
  private readonly ragged = new ProblemList();
  private raggedFirst: { line: number; got: number } | undefined;

  constructor(
    private readonly file: string,
    private readonly opts: Resolved,
    private readonly delimiter: string,
  ) {}

  push(batch: readonly CsvRow[]): void {
    const nulls = this.opts.nullValues;
    for (const row of batch) {
      if (this.done) return;
      if (this.columns === undefined) {
        checkHeader(this.file, row);
        this.header = row.fields;
        this.width = row.fields.length;
        checkNames(this.file, row.fields, this.opts, 'the header (line 1)');
        const keep = this.opts.columns ?? row.fields;
        this.columns = keep.map((name) => new CsvColumn(name, row.fields.indexOf(name), this.opts.kinds[name]));
        if (this.opts.maxRows === 0) this.done = true;
        continue;
      }
      const f = row.fields;
      if (f.length !== this.width) {
        this.raggedFirst ??= { line: row.line, got: f.length };
        this.ragged.add({ column: '', line: row.line, value: f.length });
        continue;
      }
      for (const c of this.columns) {
        const v = f[c.index]!;
        c.push(nulls.has(v) ? null : v, row.line, this.problems);
      }
      this.lines.push(row.line);
      if (this.lines.length >= this.opts.maxRows) this.done = true;
    }
  }

  /** The columns whose text must be re-read (see {@link CsvColumn}). */
  get rereadIndices(): number[] {
    return (this.columns ?? []).filter((c) => c.reread).map((c) => c.index);
  }

  /** Supplies re-read text for the columns of {@link rereadIndices}, row by row. */
  setTexts(index: number, texts: (string | null)[]): void {
    const c = this.columns!.find((x) => x.index === index)!;
    c.texts = texts;
  }

  /** Throws for an empty input or rows with the wrong number of fields (listing them). */
  checkShape(): void {
    if (this.columns === undefined) throw emptyError(this.file, 'a CSV table needs a header row.');
    if (this.ragged.count > 0) {
      const first = this.raggedFirst!;
      const list = this.ragged.problems.map((p) => `  line ${p.line}: ${String(p.value)} fields`);
      if (this.ragged.count > list.length) list.push(`  ... and ${this.ragged.count - list.length} more`);
      throw new MlshipError(
        'INVALID_DATA',
        `${fieldCountMessage(`${this.file} line ${first.line}`, first.got, this.width, this.delimiter)}\n` +
          `${this.ragged.count} row${this.ragged.count === 1 ? '' : 's'} have the wrong number of fields:\n${list.join('\n')}`,
        { file: this.file, line: first.line, expected: this.width, value: first.got, count: this.ragged.count },
      );
    }
  }

  finish(): Table {
    this.checkShape();
    const kinds: Record<string, ColumnKind> = {};
    const cols: Column[] = [];
    for (const c of this.columns!) {
      const { column, kind } = c.finish(this.problems, this.lines, this.opts.categories[c.name]);
      kinds[c.name] = kind;
      cols.push(column);
    }
    this.problems.throwIfAny(this.file, kinds);
    return new Table(cols, this.lines.length);
  }

  /** Collects the re-read columns' text from a second pass over the same records. */
  rereader(): { push(batch: readonly CsvRow[]): boolean; finish(): void } {
    const wanted = this.rereadIndices;
    const texts = wanted.map(() => [] as (string | null)[]);
    const nulls = this.opts.nullValues;
    const total = this.lines.length;
    let header = true;
    let n = 0;
    return {
      push: (batch) => {
        for (const row of batch) {
          if (header) {
            header = false;
            continue;
          }
          if (n >= total) return false;
          if (row.fields.length !== this.width) continue;
          wanted.forEach((k, j) => {
            const v = row.fields[k]!;
            texts[j]!.push(nulls.has(v) ? null : detach(v));
          });
          n++;
        }
        return n < total;
      },
      finish: () => wanted.forEach((k, j) => this.setTexts(k, texts[j]!)),
    };
  }
}

async function readCsvTable(file: string, opts: Resolved, delimiter: string, onProgress: ProgressCallback | undefined): Promise<Table> {
  const tracker = new ProgressTracker(onProgress, await fileSize(file));
  const sink = new CsvTableSink(file, opts, delimiter);
  for await (const batch of csvBatches(file, delimiter, tracker)) {
    sink.push(batch);
    if (sink.done) break;
  }
  tracker.done();
  sink.checkShape();
  if (sink.rereadIndices.length > 0) {
    const again = sink.rereader();
    for await (const batch of csvBatches(file, delimiter, new ProgressTracker(undefined, undefined))) if (!again.push(batch)) break;
    again.finish();
  }
  return sink.finish();
}

/** Feeds JSONL records (one object per line) into a builder; new keys add columns. */
class JsonlTableSink {
  readonly builder: TableBuilder;
  private readonly index = new Map<string, number>();
  done = false;

  constructor(
    private readonly file: string,
    private readonly opts: Resolved,
  ) {
    this.builder = new TableBuilder(file, [], opts);
    if (opts.maxRows === 0) this.done = true;
  }

  push(line: number, value: unknown): void {
    if (this.done) return;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      const shown = JSON.stringify(value);
      throw new MlshipError(
        'INVALID_DATA',
        `${this.file} line ${line}: expected a JSON object such as {"price": 1.5, "city": "Oslo"}, got ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}. Each line of a table JSONL file holds one row as an object.`,
        { file: this.file, line },
      );
    }
    const b = this.builder;
    const row = b.rows;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      let k = this.index.get(key);
      if (k === undefined) {
        k = b.addColumn(key);
        this.index.set(key, k);
      }
      b.cells[k]!.push(v === undefined ? null : v);
    }
    b.lines.push(line);
    for (const cells of b.cells) if (cells.length === row) cells.push(null);
    if (b.rows >= this.opts.maxRows) this.done = true;
  }

  finish(): Table {
    if (this.builder.rows === 0 && this.opts.maxRows !== 0) throw emptyError(this.file, 'a JSONL table needs at least one line with a JSON object.');
    checkNames(this.file, this.builder.names, this.opts, 'the data');
    return this.builder.finish();
  }
}

async function readJsonlTable(file: string, opts: Resolved, onProgress: ProgressCallback | undefined): Promise<Table> {
  const tracker = new ProgressTracker(onProgress, await fileSize(file));
  const sink = new JsonlTableSink(file, opts);
  for await (const batch of jsonlBatches(file, tracker)) {
    for (const rec of batch) sink.push(rec.line, rec.value);
    if (sink.done) break;
  }
  tracker.done();
  return sink.finish();
}

/**
 * Reads a table from a CSV, JSONL or Parquet file. CSV and JSONL are streamed (memory holds the
 * parsed cells, not the file text); the format comes from the extension or `format`.
 *
 * Kinds are inferred per column: CSV text that is all whole numbers → `integer`, all numbers →
 * `number`, all `true`/`false` → `boolean`, all ISO-8601 dates or timestamps (`2024-05-01`,
 * `2024-05-01T12:30:00Z`; no zone means UTC) → `date`, else `string`. JSONL uses the JSON types
 * (strings holding ISO dates → `date`). Parquet uses the file's types (INT32/INT64 → `integer`,
 * FLOAT/DOUBLE/DECIMAL → `number`, BOOLEAN → `boolean`, DATE/TIMESTAMP → `date`, strings →
 * `string`, ENUM → `category`) and its nulls. `kinds` overrides any of these.
 *
 * Errors: NOT_FOUND for a missing file; INVALID_DATA for an empty file, rows with the wrong number
 * of fields, values that do not parse as a declared kind, non-object JSONL lines or a corrupt
 * Parquet file (each names the file and line, listing up to 10 problems and a count);
 * PARSE_ERROR for broken quoting or JSON; INVALID_ARGUMENT for unknown columns in `columns` or
 * `kinds` (the message lists the file's columns).
 *
 * @example
 * ```ts
 * import { readTable } from 'mlship/data';
 * const t = await readTable('housing.csv', { kinds: { ocean_proximity: 'category' } });
 * console.log(t.shape, t.column('total_bedrooms').nullCount);
 * const X = t.drop(['median_house_value', 'ocean_proximity']).toMatrix();
 * ```
 */
export async function readTable(file: string, options: ReadTableOptions = {}): Promise<Table> {
  const format = tableFormat(file, options.format);
  const opts = resolveOptions(options);
  if (format === 'parquet') return tableRead(file, format, await readParquetTable(file, opts, options.onProgress));
  if (format === 'jsonl') return tableRead(file, format, await readJsonlTable(file, opts, options.onProgress));
  const delimiter = options.delimiter ?? (extname(file).toLowerCase() === '.tsv' ? '\t' : ',');
  return tableRead(file, format, await readCsvTable(file, opts, delimiter, options.onProgress));
}

/**
 * Parses a table from text or bytes already in memory, with the options of {@link readTable}
 * (`format` is required unless the bytes are a Parquet file). `name` is used in error messages.
 *
 * @example
 * ```ts
 * import { parseTable } from 'mlship/data';
 * const t = await parseTable('x,y\n1,a\n2,b\n', { format: 'csv' });
 * t.column('x').kind; // 'integer'
 * ```
 */
export async function parseTable(content: string | Uint8Array, options: ReadTableOptions & { name?: string } = {}): Promise<Table> {
  const name = options.name ?? '<memory>';
  const isParquet = typeof content !== 'string' && content.length >= 4 && Buffer.from(content.subarray(0, 4)).toString('latin1') === 'PAR1';
  const format = options.format ?? (isParquet ? 'parquet' : undefined);
  if (format === undefined) {
    throw new MlshipError('INVALID_ARGUMENT', `parseTable needs { format: 'csv' | 'jsonl' | 'parquet' } for text input`, { field: 'format' });
  }
  tableFormat(name, format);
  const opts = resolveOptions(options);
  if (format === 'parquet') {
    if (typeof content === 'string') throw new MlshipError('INVALID_ARGUMENT', 'Parquet content must be bytes (a Buffer or Uint8Array), not a string', { field: 'content' });
    return readParquetTable(name, opts, options.onProgress, content);
  }
  let text = typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: false }).decode(content);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (format === 'jsonl') {
    const sink = new JsonlTableSink(name, opts);
    let line = 0;
    for (const s of text.split('\n')) {
      line++;
      if (s.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(s);
      } catch (err) {
        throw new MlshipError('PARSE_ERROR', `${name} line ${line}: invalid JSON (${(err as Error).message}). Each line must hold one JSON object.`, { file: name, line });
      }
      sink.push(line, value);
      if (sink.done) break;
    }
    return sink.finish();
  }
  const delimiter = options.delimiter ?? ',';
  const parser = new CsvParser(name, delimiter);
  const rows: CsvRow[] = [];
  parser.push(text, rows);
  parser.end(rows);
  const sink = new CsvTableSink(name, opts, delimiter);
  sink.push(rows);
  if (sink.rereadIndices.length > 0) {
    const again = sink.rereader();
    again.push(rows);
    again.finish();
  }
  return sink.finish();
}

/**
 * Options of {@link writeTableCsv}.
 *
 * @example
 * ```ts
 * await writeTableCsv(table, 'out.tsv', { delimiter: '\t' });
 * ```
 */
export interface WriteTableCsvOptions {
  /**
   * Field delimiter.
   * @default ','
   */
  delimiter?: string;
}

/** The text of one cell: missing → '', booleans → true/false, dates → ISO-8601, numbers as JS prints them. */
function cellText(c: Column, i: number): string {
  if (c.isNull(i)) return '';
  if (c.kind === 'date') return new Date(c.values[i]!).toISOString();
  const v = c.get(i);
  return String(v);
}

function quote(s: string, delimiter: string): string {
  if (s === '') return s;
  if (s.includes('"') || s.includes(delimiter) || s.includes('\n') || s.includes('\r') || s !== s.trim()) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/**
 * Writes a table as CSV (header row, RFC 4180 quoting, `\n` line ends) atomically: it writes a
 * temporary file next to `path` and renames it into place, so readers never see half a file.
 * Missing values are written as empty fields, dates as ISO-8601 UTC timestamps and booleans as
 * `true`/`false`, so {@link readTable} reads the same kinds back (categories come back as strings
 * unless declared). An empty string and a string equal to a missing-value marker (`NA`, `null`,
 * ...) read back as missing, as with pandas.
 *
 * @example
 * ```ts
 * import { loadTableDataset, writeTableCsv } from 'mlship/data';
 * await writeTableCsv(await loadTableDataset('boston-housing'), 'boston.csv');
 * ```
 */
export async function writeTableCsv(table: Table, path: string, options: WriteTableCsvOptions = {}): Promise<void> {
  const delimiter = options.delimiter ?? ',';
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let handle;
  try {
    handle = await open(tmp, 'w');
  } catch (err) {
    throw fsError(path, err);
  }
  try {
    const cols = table.columns;
    let buf = cols.map((c) => quote(c.name, delimiter)).join(delimiter) + '\n';
    for (let i = 0; i < table.numRows; i++) {
      let line = '';
      for (let k = 0; k < cols.length; k++) {
        if (k > 0) line += delimiter;
        line += quote(cellText(cols[k]!, i), delimiter);
      }
      buf += line + '\n';
      if (buf.length > 1 << 20) {
        await handle.write(buf);
        buf = '';
      }
    }
    await handle.write(buf);
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (err) {
    await handle?.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw fsError(path, err);
  }
}


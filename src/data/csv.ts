import { MlshipError } from '../core/index.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';
import { fileSize, readTextChunks } from './read-text.js';

/**
 * One parsed CSV record: the 1-based line it starts on, and its fields.
 *
 * @example
 * ```ts
 * import { streamCsv, type CsvRow } from 'mlship/data';
 * const rows: CsvRow[] = [];
 * for await (const row of streamCsv('small.csv')) rows.push(row); // rows[0] is the header
 * ```
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

/**
 * Options for {@link streamCsv}.
 *
 * @example
 * ```ts
 * import { streamCsv } from 'mlship/data';
 * for await (const row of streamCsv('data.tsv', { delimiter: '\t' })) console.log(row.fields);
 * ```
 */
export interface StreamCsvOptions {
  /**
   * Field delimiter, one character.
   * @default ','
   */
  delimiter?: string;
  /**
   * Called at most about ten times a second with bytes and rows read.
   * @default undefined
   */
  onProgress?: ProgressCallback;
}

/**
 * Options for {@link readCsv}.
 *
 * @example
 * ```ts
 * import { readCsv } from 'mlship/data';
 * for await (const r of readCsv('imdb.csv', { columns: ['review', 'sentiment'] })) console.log(r.sentiment);
 * ```
 */
export interface ReadCsvOptions extends StreamCsvOptions {
  /**
   * Columns the header must contain; a missing one throws INVALID_DATA listing the header.
   * @default []
   */
  columns?: string[];
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

const enum State {
  /** At the first character of a field. */
  FieldStart,
  /** Inside a field that did not start with a quote. */
  Unquoted,
  /** Inside a quoted field. */
  Quoted,
  /** Just after a quote inside a quoted field: either `""`, or the field's closing quote. */
  QuoteInQuoted,
}

/**
 * An incremental RFC 4180 parser: feed it text chunks with {@link CsvParser.push}, call
 * {@link CsvParser.end} at the end of input. Handles quoted fields with delimiters, doubled quotes
 * and newlines inside, CRLF, LF or CR line ends, and records split anywhere across chunks.
 * Blank lines are skipped. Internal to src/data; the public entry points are streamCsv/readCsv.
 */
export class CsvParser {
  private state = State.FieldStart;
  private fields: string[] = [];
  private acc = '';
  private line = 1;
  private recordLine = 1;
  private fieldLine = 1;
  private pendingCr = false;
  private readonly delim: number;

  constructor(
    private readonly file: string,
    delimiter = ',',
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new MlshipError(
        'INVALID_ARGUMENT',
        `delimiter must be one character other than a quote or a line break, got ${JSON.stringify(delimiter)}.`,
        { field: 'delimiter', value: delimiter },
      );
    }
    this.delim = delimiter.charCodeAt(0);
  }

  /** Parses `s`, appending every record it completes to `out`. */
  push(s: string, out: CsvRow[]): void {
    const n = s.length;
    const delim = this.delim;
    let i = 0;
    // Position of the next LF at or after the scan position (n when none), found lazily, for
    // counting lines inside quoted fields without a per-character loop.
    let nextLf = -1;
    if (this.pendingCr && n > 0) {
      this.pendingCr = false;
      if (s.charCodeAt(0) === LF) i = 1;
    }
    while (i < n) {
      switch (this.state) {
        case State.FieldStart: {
          const c = s.charCodeAt(i);
          if (c === QUOTE) {
            this.state = State.Quoted;
            this.fieldLine = this.line;
            i++;
            break;
          }
          if ((c === LF || c === CR) && this.fields.length === 0) {
            i = this.newline(s, i, c);
            this.recordLine = this.line;
            break;
          }
          this.state = State.Unquoted;
          break;
        }
        case State.Unquoted: {
          let j = i;
          let c = 0;
          while (j < n) {
            c = s.charCodeAt(j);
            if (c === delim || c === LF || c === CR) break;
            j++;
          }
          if (j === n) {
            this.acc += s.slice(i);
            i = n;
            break;
          }
          this.fields.push(this.acc.length === 0 ? s.slice(i, j) : this.acc + s.slice(i, j));
          this.acc = '';
          this.state = State.FieldStart;
          if (c === delim) i = j + 1;
          else {
            this.endRecord(out);
            i = this.newline(s, j, c);
            this.recordLine = this.line;
          }
          break;
        }
        case State.Quoted: {
          const j = s.indexOf('"', i);
          const end = j < 0 ? n : j;
          if (nextLf < i) {
            nextLf = s.indexOf('\n', i);
            if (nextLf < 0) nextLf = n;
          }
          while (nextLf < end) {
            this.line++;
            nextLf = s.indexOf('\n', nextLf + 1);
            if (nextLf < 0) nextLf = n;
          }
          this.acc += s.slice(i, end);
          if (j < 0) i = n;
          else {
            i = j + 1;
            this.state = State.QuoteInQuoted;
          }
          break;
        }
        case State.QuoteInQuoted: {
          const c = s.charCodeAt(i);
          if (c === QUOTE) {
            this.acc += '"';
            this.state = State.Quoted;
            i++;
          } else if (c === delim) {
            this.fields.push(this.acc);
            this.acc = '';
            this.state = State.FieldStart;
            i++;
          } else if (c === LF || c === CR) {
            this.fields.push(this.acc);
            this.acc = '';
            this.state = State.FieldStart;
            this.endRecord(out);
            i = this.newline(s, i, c);
            this.recordLine = this.line;
          } else {
            throw new MlshipError(
              'PARSE_ERROR',
              `${this.file} line ${this.line}: unexpected character ${JSON.stringify(s[i])} after the closing quote ` +
                `of a field that started on line ${this.fieldLine}. Inside a quoted field write a quote as two quotes ("").`,
              { file: this.file, line: this.line, value: s[i] },
            );
          }
          break;
        }
      }
    }
  }

  /** Ends the input: completes the last record, or throws PARSE_ERROR for an unterminated quote. */
  end(out: CsvRow[]): void {
    switch (this.state) {
      case State.Quoted:
        throw new MlshipError(
          'PARSE_ERROR',
          `${this.file} line ${this.fieldLine}: unterminated quoted field (it starts on line ${this.fieldLine} and ` +
            `runs to the end of the file). Close the quote, and write quotes inside a quoted field as "".`,
          { file: this.file, line: this.fieldLine },
        );
      case State.Unquoted:
      case State.QuoteInQuoted:
        this.fields.push(this.acc);
        this.acc = '';
        this.endRecord(out);
        break;
      case State.FieldStart:
        if (this.fields.length > 0) {
          this.fields.push('');
          this.endRecord(out);
        }
        break;
    }
    this.state = State.FieldStart;
  }

  private endRecord(out: CsvRow[]): void {
    out.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
  }

  /** Consumes the line break `c` at `i` (CRLF counts once) and returns the next index. */
  private newline(s: string, i: number, c: number): number {
    this.line++;
    if (c === CR) {
      if (i + 1 < s.length) return s.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      this.pendingCr = true;
    }
    return i + 1;
  }
}

/**
 * Streams a CSV file as batches of rows (one batch per chunk read). Internal: the loaders use it to
 * avoid one promise per row. `tracker.rows` counts records.
 */
export async function* csvBatches(
  file: string,
  delimiter: string | undefined,
  tracker: ProgressTracker,
): AsyncGenerator<CsvRow[], void, undefined> {
  const parser = new CsvParser(file, delimiter);
  for await (const text of readTextChunks(file, tracker)) {
    const out: CsvRow[] = [];
    parser.push(text, out);
    if (out.length > 0) {
      tracker.rows += out.length;
      yield out;
    }
  }
  const out: CsvRow[] = [];
  parser.end(out);
  tracker.rows += out.length;
  if (out.length > 0) yield out;
  tracker.done();
}

/**
 * Streams the records of a CSV file (RFC 4180), header row included, each with the line it starts
 * on. Memory holds one chunk, not the file. Quoted fields may hold delimiters, `""` and line
 * breaks; CRLF, LF and a UTF-8 BOM are handled; blank lines are skipped.
 *
 * Errors: NOT_FOUND for a missing file; INVALID_DATA for invalid UTF-8 (names the line);
 * PARSE_ERROR for an unterminated quote (names the line where the field started) or text after a
 * closing quote.
 *
 * @example
 * ```ts
 * import { streamCsv } from 'mlship/data';
 * for await (const { line, fields } of streamCsv('reviews.csv')) {
 *   if (line === 1) console.log('header:', fields);
 * }
 * ```
 */
export async function* streamCsv(file: string, options: StreamCsvOptions = {}): AsyncGenerator<CsvRow, void, undefined> {
  const tracker = new ProgressTracker(options.onProgress, await fileSize(file));
  for await (const batch of csvBatches(file, options.delimiter, tracker)) yield* batch;
}

/** Checks `header` has every column in `required`; returns their indices (first occurrence). */
export function columnIndices(file: string, header: string[], required: readonly string[]): number[] {
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new MlshipError(
      'INVALID_DATA',
      `${file}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `'${c}'`).join(', ')}. ` +
        `The header (line 1) has: ${header.map((c) => `'${c}'`).join(', ')}. ` +
        `Pick the columns to use by name (for example { textColumn, labelColumn }).`,
      { file, line: 1, field: missing[0], value: header },
    );
  }
  return required.map((c) => header.indexOf(c));
}

/** The message for a row whose field count differs from the header's; `where` is e.g. `f.csv line 7`. */
export function fieldCountMessage(where: string, got: number, expected: number, delimiter: string): string {
  return (
    `${where}: expected ${expected} fields (as in the header) but got ${got}. ` +
    `Quote fields that contain the delimiter ${JSON.stringify(delimiter)} or line breaks.`
  );
}

/**
 * Streams a CSV file with a header row as objects keyed by column name. Every row must have as
 * many fields as the header (INVALID_DATA naming the file, line, expected and actual count), and
 * the header must contain every name in `columns` (INVALID_DATA listing the header's columns).
 * An empty file throws INVALID_DATA. Other errors as in {@link streamCsv}.
 *
 * @example
 * ```ts
 * import { readCsv } from 'mlship/data';
 * for await (const row of readCsv('reviews.csv', { columns: ['review', 'sentiment'] })) {
 *   console.log(row.sentiment, row.review.length);
 * }
 * ```
 */
export async function* readCsv(
  file: string,
  options: ReadCsvOptions = {},
): AsyncGenerator<Record<string, string>, void, undefined> {
  const delimiter = options.delimiter ?? ',';
  const tracker = new ProgressTracker(options.onProgress, await fileSize(file));
  let header: string[] | undefined;
  for await (const batch of csvBatches(file, delimiter, tracker)) {
    for (const row of batch) {
      if (header === undefined) {
        header = row.fields;
        const seen = new Set<string>();
        for (const name of header) {
          if (seen.has(name)) {
            throw new MlshipError(
              'INVALID_DATA',
              `${file} line ${row.line}: the header names column '${name}' twice; give every column a distinct name.`,
              { file, line: row.line, field: name },
            );
          }
          seen.add(name);
        }
        columnIndices(file, header, options.columns ?? []);
        continue;
      }
      if (row.fields.length !== header.length) {
        throw new MlshipError('INVALID_DATA', fieldCountMessage(`${file} line ${row.line}`, row.fields.length, header.length, delimiter), {
          file,
          line: row.line,
          expected: header.length,
          value: row.fields.length,
        });
      }
      const record: Record<string, string> = {};
      for (let k = 0; k < header.length; k++) record[header[k]!] = row.fields[k]!;
      yield record;
    }
  }
  if (header === undefined) {
    throw new MlshipError('INVALID_DATA', `${file} is empty; a CSV file needs a header row and at least one data row.`, { file });
  }
}

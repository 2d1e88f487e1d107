import { MlshipError } from '../core/index.js';
import { columnIndices, csvBatches, fieldCountMessage } from './csv.js';
import { jsonlBatches } from './jsonl.js';
import { ProgressTracker } from './progress.js';
import { textRead } from './read-events.js';
import { detach, fileSize } from './read-text.js';
import { TextDatasetBuilder, isBlankText, type TextDataset, type TextLoadOptions } from './text-dataset.js';

/**
 * Options for {@link loadTextCsv}.
 *
 * @example
 * ```ts
 * import { loadTextCsv } from 'mlship/data';
 * const ds = await loadTextCsv('t.csv', { textColumn: 'body', labelColumn: 'queue', idColumn: 'id' });
 * ```
 */
export interface LoadTextCsvOptions extends TextLoadOptions {
  /**
   * Column holding the document text.
   * @default 'text'
   */
  textColumn?: string;
  /**
   * Column holding the class label.
   * @default 'label'
   */
  labelColumn?: string;
  /**
   * Column holding a document id, kept as `ids`; none when omitted.
   * @default undefined
   */
  idColumn?: string;
  /**
   * Field delimiter, one character.
   * @default ','
   */
  delimiter?: string;
}

/**
 * Options for {@link loadTextJsonl}.
 *
 * @example
 * ```ts
 * import { loadTextJsonl } from 'mlship/data';
 * const ds = await loadTextJsonl('t.jsonl', { textField: 'body', labelField: 'stars', idField: 'id' });
 * ```
 */
export interface LoadTextJsonlOptions extends TextLoadOptions {
  /**
   * Field holding the document text (a string).
   * @default 'text'
   */
  textField?: string;
  /**
   * Field holding the class label (a string; numbers and booleans are converted to strings).
   * @default 'label'
   */
  labelField?: string;
  /**
   * Field holding a document id, kept as `ids`; none when omitted.
   * @default undefined
   */
  idField?: string;
}

/** The labels of the IMDB CSV layout. */
const IMDB_LABELS = new Set(['positive', 'negative']);

type LabelCheck = (label: string) => string | undefined;

async function loadCsvText(
  file: string,
  textColumn: string,
  labelColumn: string,
  idColumn: string | undefined,
  delimiter: string,
  options: TextLoadOptions,
  checkLabel?: LabelCheck,
): Promise<TextDataset> {
  const builder = new TextDatasetBuilder(file, options);
  const tracker = new ProgressTracker(options.onProgress, await fileSize(file));
  let header: string[] | undefined;
  let ti = 0;
  let li = 0;
  let ii = -1;
  outer: for await (const batch of csvBatches(file, delimiter, tracker)) {
    for (const row of batch) {
      if (header === undefined) {
        header = row.fields;
        const wanted = idColumn === undefined ? [textColumn, labelColumn] : [textColumn, labelColumn, idColumn];
        [ti, li, ii = -1] = columnIndices(file, header, wanted) as [number, number, number?];
        continue;
      }
      builder.rows++;
      const { line, fields } = row;
      if (fields.length !== header.length) {
        builder.problem(line, fieldCountMessage(`line ${line}`, fields.length, header.length, delimiter));
        continue;
      }
      const text = fields[ti]!;
      const label = fields[li]!;
      let ok = true;
      if (isBlankText(text)) {
        builder.problem(line, `line ${line}: empty text in column '${textColumn}'; fill it in or remove the row.`);
        ok = false;
      }
      if (isBlankText(label)) {
        builder.problem(line, `line ${line}: empty label in column '${labelColumn}'; give the row a label or remove it.`);
        ok = false;
      } else if (checkLabel !== undefined) {
        const why = checkLabel(label);
        if (why !== undefined) {
          builder.problem(line, `line ${line}: ${why}`);
          ok = false;
        }
      }
      let id: string | undefined;
      if (ii >= 0) {
        id = fields[ii]!;
        if (id.length === 0) {
          builder.problem(line, `line ${line}: empty id in column '${idColumn}'; give every row an id or drop idColumn.`);
          ok = false;
        }
      }
      if (!ok) continue;
      builder.add(detach(text), detach(label), id === undefined ? undefined : detach(id), line);
      if (builder.full) break outer;
    }
  }
  if (header === undefined) {
    throw new MlshipError('INVALID_DATA', `${file} is empty; a CSV file needs a header row and at least one data row.`, { file });
  }
  if (builder.full) tracker.done();
  return builder.finish('the file has a header but no data rows');
}

/**
 * Loads a labelled text dataset from a CSV file with a header row, keeping only the text, label
 * (and optional id) columns. Streams the file: memory holds what is kept, not the file.
 *
 * Errors (`MlshipError`): NOT_FOUND for a missing file; INVALID_DATA for an empty file, a missing
 * column (lists the header), rows with the wrong number of fields, empty text or label, a single
 * class, or invalid UTF-8 (row problems are collected, up to 10 listed with file and line, plus a
 * count of the rest); PARSE_ERROR for an unterminated quote.
 *
 * @example
 * ```ts
 * import { loadTextCsv } from 'mlship/data';
 * const ds = await loadTextCsv('tickets.csv', { textColumn: 'body', labelColumn: 'queue' });
 * console.log(ds.texts.length, new Set(ds.labels));
 * ```
 */
export async function loadTextCsv(file: string, options: LoadTextCsvOptions = {}): Promise<TextDataset> {
  const ds = await loadCsvText(
    file,
    options.textColumn ?? 'text',
    options.labelColumn ?? 'label',
    options.idColumn,
    options.delimiter ?? ',',
    options,
  );
  return textRead(file, 'csv', ds);
}

/**
 * Loads the IMDB movie-review CSV layout (the 50,000-row Kaggle file): header `review,sentiment`,
 * labels `positive` / `negative`. Reviews keep their raw text, `<br />` tags included; strip them
 * with the vectorizer's HTML preprocessor. Any other label is INVALID_DATA naming the line and
 * value; other errors as in {@link loadTextCsv}.
 *
 * @example
 * ```ts
 * import { loadImdbCsv } from 'mlship/data';
 * const ds = await loadImdbCsv('IMDB Dataset.csv');
 * console.log(ds.texts.length); // 50000
 * ```
 */
export async function loadImdbCsv(file: string, options: TextLoadOptions = {}): Promise<TextDataset> {
  const ds = await loadCsvText(file, 'review', 'sentiment', undefined, ',', options, (label) =>
    IMDB_LABELS.has(label)
      ? undefined
      : `label ${JSON.stringify(label)} in column 'sentiment' is neither 'positive' nor 'negative'; fix the label or load the file with loadTextCsv.`,
  );
  return textRead(file, 'csv', ds);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

/**
 * Loads a labelled text dataset from a JSONL file (one JSON object per line), keeping only the
 * text, label (and optional id) fields. Streams the file: memory holds what is kept, not the file.
 * Blank lines are skipped.
 *
 * Errors (`MlshipError`): NOT_FOUND for a missing file; PARSE_ERROR for a line that is not JSON;
 * INVALID_DATA for an empty file, a line that is not an object, a missing, non-string or empty
 * text, a missing or empty label, a single class, or invalid UTF-8 (row problems are collected, up
 * to 10 listed with file and line, plus a count of the rest).
 *
 * @example
 * ```ts
 * import { loadTextJsonl } from 'mlship/data';
 * const ds = await loadTextJsonl('reviews.jsonl', { textField: 'body', labelField: 'stars', limit: 10_000 });
 * ```
 */
export async function loadTextJsonl(file: string, options: LoadTextJsonlOptions = {}): Promise<TextDataset> {
  const textField = options.textField ?? 'text';
  const labelField = options.labelField ?? 'label';
  const idField = options.idField;
  const builder = new TextDatasetBuilder(file, options);
  const tracker = new ProgressTracker(options.onProgress, await fileSize(file));
  outer: for await (const batch of jsonlBatches(file, tracker)) {
    for (const { line, value } of batch) {
      builder.rows++;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        builder.problem(line, `line ${line}: expected a JSON object with fields '${textField}' and '${labelField}', got ${typeName(value)}.`);
        continue;
      }
      const obj = value as Record<string, unknown>;
      const text = obj[textField];
      const rawLabel = obj[labelField];
      let ok = true;
      if (text === undefined || text === null) {
        builder.problem(line, `line ${line}: missing field '${textField}'; every line needs the document text there (or set textField).`);
        ok = false;
      } else if (typeof text !== 'string') {
        builder.problem(line, `line ${line}: field '${textField}' must be a string, got ${typeName(text)}.`);
        ok = false;
      } else if (isBlankText(text)) {
        builder.problem(line, `line ${line}: empty text in field '${textField}'; fill it in or remove the line.`);
        ok = false;
      }
      let label = '';
      if (rawLabel === undefined || rawLabel === null) {
        builder.problem(line, `line ${line}: missing field '${labelField}'; every line needs a label there (or set labelField).`);
        ok = false;
      } else if (typeof rawLabel === 'string' || typeof rawLabel === 'boolean' || (typeof rawLabel === 'number' && Number.isFinite(rawLabel))) {
        label = String(rawLabel);
        if (isBlankText(label)) {
          builder.problem(line, `line ${line}: empty label in field '${labelField}'; give the line a label or remove it.`);
          ok = false;
        }
      } else {
        builder.problem(line, `line ${line}: field '${labelField}' must be a string, number or boolean, got ${typeName(rawLabel)}.`);
        ok = false;
      }
      let id: string | undefined;
      if (idField !== undefined) {
        const rawId = obj[idField];
        if (typeof rawId === 'string' || typeof rawId === 'number') id = String(rawId);
        else {
          builder.problem(line, `line ${line}: field '${idField}' must be a string or number, got ${typeName(rawId)}.`);
          ok = false;
        }
      }
      if (!ok) continue;
      builder.add(text as string, label, id, line);
      if (builder.full) break outer;
    }
  }
  if (builder.full) tracker.done();
  return textRead(file, 'jsonl', builder.finish('the file is empty (no JSON lines)'));
}

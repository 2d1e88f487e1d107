import { stat } from 'node:fs/promises';
import { MlshipError } from '../core/index.js';
import { loadAclImdb, type AclImdbSplit } from './acl-imdb.js';
import { isBuiltinDataset, listDatasets, loadDataset } from './builtin.js';
import { streamCsv } from './csv.js';
import { fsError } from './read-text.js';
import type { TextDataset, TextLoadOptions } from './text-dataset.js';
import { loadImdbCsv, loadTextCsv, loadTextJsonl } from './text-files.js';

/**
 * Options for {@link loadText}: the common loader options plus those of each format.
 *
 * @example
 * ```ts
 * import { loadText } from 'mlship/data';
 * const ds = await loadText('tickets.csv', { textColumn: 'body', labelColumn: 'queue', limit: 5000 });
 * ```
 */
export interface LoadTextOptions extends TextLoadOptions {
  /**
   * CSV: the text column. When neither column is given and the header is exactly
   * `review,sentiment`, the file is read as the IMDB layout.
   * @default 'text'
   */
  textColumn?: string;
  /**
   * CSV: the label column.
   * @default 'label'
   */
  labelColumn?: string;
  /**
   * CSV: an id column to keep.
   * @default undefined
   */
  idColumn?: string;
  /**
   * CSV: the delimiter.
   * @default ',' (a tab for .tsv files)
   */
  delimiter?: string;
  /**
   * JSONL: the text field.
   * @default 'text'
   */
  textField?: string;
  /**
   * JSONL: the label field.
   * @default 'label'
   */
  labelField?: string;
  /**
   * JSONL: an id field to keep.
   * @default undefined
   */
  idField?: string;
  /**
   * aclImdb directory: which split.
   * @default 'all'
   */
  split?: AclImdbSplit;
}

async function csvHeader(file: string, delimiter: string): Promise<string[] | undefined> {
  for await (const row of streamCsv(file, { delimiter })) return row.fields;
  return undefined;
}

/**
 * Loads a labelled text dataset from a source string, picking the loader from it:
 * - a built-in dataset name (`spam-assassin`, see {@link listDatasets}) → {@link loadDataset};
 * - a directory → {@link loadAclImdb} (the aclImdb tree);
 * - `*.csv` / `*.tsv` → {@link loadImdbCsv} when the header is exactly `review,sentiment` and no
 *   columns are given, else {@link loadTextCsv} with `textColumn` / `labelColumn`;
 * - `*.jsonl` / `*.ndjson` → {@link loadTextJsonl}.
 *
 * Errors: NOT_FOUND when the source is neither a built-in name nor an existing path;
 * INVALID_ARGUMENT for an unknown file extension; otherwise those of the chosen loader.
 *
 * @example
 * ```ts
 * import { loadText } from 'mlship/data';
 * const builtin = await loadText('spam-assassin');
 * const imdb = await loadText('IMDB Dataset.csv', { onProgress: (p) => console.log(p.bytes, p.totalBytes) });
 * const tickets = await loadText('tickets.jsonl', { textField: 'body', labelField: 'queue' });
 * ```
 */
export async function loadText(source: string, options: LoadTextOptions = {}): Promise<TextDataset> {
  if (isBuiltinDataset(source)) return loadDataset(source, options);
  let info;
  try {
    info = await stat(source);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new MlshipError(
        'NOT_FOUND',
        `${source}: not a built-in dataset (${listDatasets()
          .filter((d) => d.kind === 'text')
          .map((d) => d.name)
          .join(', ')}) and no such file or directory. Pass a built-in name, a .csv/.tsv/.jsonl file or an aclImdb directory.`,
        { file: source, value: source },
        { cause: err },
      );
    }
    throw fsError(source, err);
  }
  if (info.isDirectory()) return loadAclImdb(source, options);
  const lower = source.toLowerCase();
  if (lower.endsWith('.csv') || lower.endsWith('.tsv')) {
    const delimiter = options.delimiter ?? (lower.endsWith('.tsv') ? '\t' : ',');
    if (options.textColumn === undefined && options.labelColumn === undefined && delimiter === ',') {
      const header = await csvHeader(source, delimiter);
      if (header !== undefined && header.length === 2 && header[0] === 'review' && header[1] === 'sentiment') {
        return loadImdbCsv(source, options);
      }
    }
    return loadTextCsv(source, { ...options, delimiter });
  }
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return loadTextJsonl(source, options);
  throw new MlshipError(
    'INVALID_ARGUMENT',
    `${source}: cannot tell the format from the name. Use a .csv, .tsv, .jsonl or .ndjson file, an aclImdb directory, ` +
      `or a built-in dataset (${listDatasets()
        .filter((d) => d.kind === 'text')
        .map((d) => d.name)
        .join(', ')}).`,
    { file: source, value: source },
  );
}

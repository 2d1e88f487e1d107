import { Fingerprint, MlshipError } from '../core/index.js';
import type { ProgressCallback } from './progress.js';

/**
 * A labelled text dataset: parallel arrays of documents and their class labels, plus where they
 * came from. Loaders validate it: every text and label is non-empty, and there are at least two
 * classes.
 *
 * @example
 * ```ts
 * import { loadText, type TextDataset } from 'mlship/data';
 * const ds: TextDataset = await loadText('spam-assassin');
 * const spamShare = ds.labels.filter((l) => l === 'spam').length / ds.labels.length;
 * ```
 */
export interface TextDataset {
  /** The documents, in file order. */
  texts: string[];
  /** One class label per document. */
  labels: string[];
  /** Where the data came from: a file path, a directory or `builtin:<name>`. */
  source: string;
  /** Optional stable ids, one per document (for example `train/pos/123_9`). */
  ids?: string[];
  /** Review ratings (aclImdb only: the `<rating>` in `<id>_<rating>.txt`). */
  ratings?: number[];
  /** Sub-corpus of each document (spam-assassin only: `easy-ham-1`, `spam-2`, ...). */
  groups?: string[];
}

/**
 * One document as a loader's `filter` sees it, before it is kept.
 *
 * @example
 * ```ts
 * import { loadTextCsv, type TextExample } from 'mlship/data';
 * const short = (ex: TextExample) => ex.text.length < 5_000;
 * const ds = await loadTextCsv('tickets.csv', { filter: short });
 * ```
 */
export interface TextExample {
  text: string;
  label: string;
  /** The document id when the layout has one. */
  id?: string;
  /** The 1-based line where the row starts (CSV, JSONL), when the layout has lines. */
  line?: number;
}

/**
 * Options every text loader accepts.
 *
 * @example
 * ```ts
 * import { loadText } from 'mlship/data';
 * const sample = await loadText('big.jsonl', { limit: 10_000, filter: (ex) => ex.label !== 'unknown' });
 * ```
 */
export interface TextLoadOptions {
  /**
   * Keep at most this many documents (after `filter`) and stop reading once reached.
   * @default Infinity
   */
  limit?: number;
  /**
   * Keep only documents for which this returns true. Rows are validated before filtering.
   * @default undefined (keep all)
   */
  filter?: (example: TextExample) => boolean;
  /**
   * Called at most about ten times a second with `{ bytes, totalBytes, rows }`, and once at the end.
   * @default undefined
   */
  onProgress?: ProgressCallback;
}

/** How many problems a validation error lists before summarising the rest as a count. */
export const MAX_LISTED_PROBLEMS = 10;

/** True when `s` is empty or only whitespace. */
export function isBlankText(s: string): boolean {
  return s.trim().length === 0;
}

/**
 * Accumulates validated documents for a loader, applying `limit` and `filter`, collecting row
 * problems, and checking the result at the end. Internal to src/data.
 */
export class TextDatasetBuilder {
  readonly texts: string[] = [];
  readonly labels: string[] = [];
  readonly ids: string[] = [];
  private readonly listed: { line: number | undefined; message: string }[] = [];
  private problemCount = 0;
  private readonly limit: number;
  private readonly filter: ((example: TextExample) => boolean) | undefined;
  /** Rows offered (valid or not), to tell an empty source from one whose rows were all filtered. */
  rows = 0;

  constructor(
    readonly source: string,
    options: TextLoadOptions,
  ) {
    const limit = options.limit ?? Infinity;
    if (!(limit === Infinity || (Number.isInteger(limit) && limit > 0))) {
      throw new MlshipError('INVALID_ARGUMENT', `limit must be a positive integer, got ${String(limit)}.`, {
        field: 'limit',
        value: limit,
      });
    }
    this.limit = limit;
    this.filter = options.filter;
  }

  /** True once `limit` documents are kept; the loader should stop reading. */
  get full(): boolean {
    return this.texts.length >= this.limit;
  }

  /** Records a problem with one row (`where` is e.g. `line 7` or a file name). */
  problem(line: number | undefined, message: string): void {
    this.problemCount++;
    if (this.listed.length < MAX_LISTED_PROBLEMS) this.listed.push({ line, message });
  }

  /** Offers one valid document; keeps it unless the filter rejects it. */
  add(text: string, label: string, id?: string, line?: number): boolean {
    if (this.filter !== undefined) {
      const example: TextExample = { text, label };
      if (id !== undefined) example.id = id;
      if (line !== undefined) example.line = line;
      if (!this.filter(example)) return false;
    }
    this.texts.push(text);
    this.labels.push(label);
    if (id !== undefined) this.ids.push(id);
    return true;
  }

  /**
   * Throws the collected problems, an empty-data error or a one-class error; otherwise returns
   * the dataset. `emptyMessage` says why there were no rows (empty file, header only...).
   */
  finish(emptyMessage: string): TextDataset {
    if (this.problemCount > 0) {
      const first = this.listed[0]!;
      const lines = this.listed.map((p) => `  ${p.message}`);
      const rest = this.problemCount - this.listed.length;
      if (rest > 0) lines.push(`  ... and ${rest} more problem${rest > 1 ? 's' : ''}`);
      const head =
        this.problemCount === 1 ? `${this.source}: 1 problem found:` : `${this.source}: ${this.problemCount} problems found:`;
      throw new MlshipError('INVALID_DATA', `${head}\n${lines.join('\n')}`, {
        file: this.source,
        line: first.line,
        problems: this.listed.map((p) => p.message),
        count: this.problemCount,
      });
    }
    if (this.texts.length === 0) {
      const why = this.rows > 0 && this.filter !== undefined ? `no rows passed the filter (${this.rows} rows read)` : emptyMessage;
      throw new MlshipError('INVALID_DATA', `${this.source}: ${why}. A text dataset needs labelled documents of at least two classes.`, {
        file: this.source,
      });
    }
    const classes = new Set(this.labels);
    if (classes.size < 2) {
      const only = this.labels[0]!;
      const hint =
        this.limit !== Infinity || this.filter !== undefined
          ? ' The limit or filter may have cut the other classes (files are often sorted by label); raise the limit or loosen the filter.'
          : ' Add documents of another class.';
      throw new MlshipError(
        'INVALID_DATA',
        `${this.source}: needs at least two classes, found only '${only}' (in ${this.labels.length} documents).${hint}`,
        { file: this.source, value: only },
      );
    }
    const ds: TextDataset = { texts: this.texts, labels: this.labels, source: this.source };
    if (this.ids.length === this.texts.length) ds.ids = this.ids;
    return ds;
  }
}

/**
 * SHA-256 fingerprint of a text dataset's documents and labels, in order. The same texts and
 * labels always give the same hex string (ids, ratings and source do not count); the model
 * package records it as the training-data fingerprint.
 *
 * @example
 * ```ts
 * import { loadDataset, fingerprintTextDataset } from 'mlship/data';
 * const ds = await loadDataset('spam-assassin');
 * console.log(fingerprintTextDataset(ds)); // 64 hex characters
 * ```
 */
export function fingerprintTextDataset(dataset: Pick<TextDataset, 'texts' | 'labels'>): string {
  const { texts, labels } = dataset;
  if (texts.length !== labels.length) {
    throw new MlshipError(
      'INVALID_ARGUMENT',
      `dataset has ${texts.length} texts but ${labels.length} labels; they must have the same length.`,
      { field: 'labels', value: labels.length },
    );
  }
  const fp = new Fingerprint().update('mlship.text-dataset/1').update(texts.length);
  for (let i = 0; i < texts.length; i++) fp.update(texts[i]!).update(labels[i]!);
  return fp.digest();
}

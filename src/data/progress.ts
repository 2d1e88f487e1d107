/**
 * What a loader reports while it reads: bytes read so far, the total when known, rows parsed.
 *
 * @example
 * ```ts
 * import { loadText, type ProgressInfo } from 'mlship/data';
 * const show = (p: ProgressInfo) =>
 *   process.stderr.write(p.totalBytes ? `\r${((100 * p.bytes) / p.totalBytes).toFixed(0)}%` : `\r${p.rows} rows`);
 * await loadText('reviews.csv', { onProgress: show });
 * ```
 */
export interface ProgressInfo {
  /** Bytes read so far. */
  bytes: number;
  /** Total bytes to read, or `undefined` when unknown up front (directory layouts). */
  totalBytes: number | undefined;
  /** Rows (records, lines or files) parsed so far. */
  rows: number;
  /** Total rows when known up front (directory layouts and built-in datasets), else `undefined`. */
  totalRows?: number | undefined;
}

/**
 * A progress callback. Loaders call it at most about ten times a second while reading, and once
 * more when reading is done.
 *
 * @example
 * ```ts
 * import { streamJsonl, type ProgressCallback } from 'mlship/data';
 * const log: ProgressCallback = ({ bytes, rows }) => console.error(`${rows} rows, ${bytes} bytes`);
 * for await (const rec of streamJsonl('events.jsonl', { onProgress: log })) void rec;
 * ```
 */
export type ProgressCallback = (progress: ProgressInfo) => void;

/** Minimum time between two progress calls, in milliseconds. */
const INTERVAL_MS = 100;

/** Counts bytes and rows and calls the user's callback at a bounded rate. Internal to src/data. */
export class ProgressTracker {
  bytes = 0;
  rows = 0;
  private last = -Infinity;

  constructor(
    private readonly callback: ProgressCallback | undefined,
    readonly totalBytes: number | undefined,
    readonly totalRows?: number,
  ) {}

  addBytes(n: number): void {
    this.bytes += n;
    this.tick();
  }

  /** Reports if the callback has not been called in the last 100 ms. */
  tick(): void {
    if (this.callback === undefined) return;
    const now = performance.now();
    if (now - this.last < INTERVAL_MS) return;
    this.last = now;
    this.report();
  }

  /** The final report, always made. */
  done(): void {
    if (this.callback !== undefined) this.report();
  }

  private report(): void {
    this.callback!({ bytes: this.bytes, totalBytes: this.totalBytes, rows: this.rows, totalRows: this.totalRows });
  }
}

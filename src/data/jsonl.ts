import { MlshipError } from '../core/index.js';
import { ProgressTracker, type ProgressCallback } from './progress.js';
import { fileSize, readTextChunks } from './read-text.js';

/**
 * One parsed JSONL line: its 1-based line number and the parsed JSON value.
 *
 * @example
 * ```ts
 * import { streamJsonl, type JsonlRecord } from 'mlship/data';
 * for await (const rec of streamJsonl('events.jsonl')) {
 *   const { line, value }: JsonlRecord = rec;
 *   if (value === null) console.warn(`null on line ${line}`);
 * }
 * ```
 */
export interface JsonlRecord {
  line: number;
  value: unknown;
}

/**
 * Options for {@link streamJsonl}.
 *
 * @example
 * ```ts
 * import { streamJsonl } from 'mlship/data';
 * for await (const r of streamJsonl('a.jsonl', { onProgress: (p) => console.error(p.rows) })) void r;
 * ```
 */
export interface StreamJsonlOptions {
  /**
   * Called at most about ten times a second with bytes and rows read.
   * @default undefined
   */
  onProgress?: ProgressCallback;
}

function isBlank(s: string): boolean {
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

function parseLine(file: string, text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    throw new MlshipError(
      'PARSE_ERROR',
      `${file} line ${line}: invalid JSON (${reason}): ${shown}. Each line of a JSONL file must hold one complete JSON value.`,
      { file, line, value: shown },
    );
  }
}

/**
 * Streams a JSONL file as batches of parsed lines (one batch per chunk read). Internal: the
 * loaders use it to avoid one promise per line. `tracker.rows` counts non-blank lines.
 */
export async function* jsonlBatches(file: string, tracker: ProgressTracker): AsyncGenerator<JsonlRecord[], void, undefined> {
  let pending: string[] = [];
  let line = 1;
  for await (const text of readTextChunks(file, tracker)) {
    const out: JsonlRecord[] = [];
    let i = 0;
    for (;;) {
      const j = text.indexOf('\n', i);
      if (j < 0) {
        if (i < text.length) pending.push(text.slice(i));
        break;
      }
      let s = text.slice(i, j);
      if (pending.length > 0) {
        pending.push(s);
        s = pending.join('');
        pending = [];
      }
      if (!isBlank(s)) out.push({ line, value: parseLine(file, s, line) });
      line++;
      i = j + 1;
    }
    if (out.length > 0) {
      tracker.rows += out.length;
      yield out;
    }
  }
  if (pending.length > 0) {
    const s = pending.join('');
    if (!isBlank(s)) {
      tracker.rows++;
      yield [{ line, value: parseLine(file, s, line) }];
    }
  }
  tracker.done();
}

/**
 * Streams a JSONL (JSON Lines) file one parsed line at a time, with its line number. Memory holds
 * one chunk of the file plus what the caller keeps, so files larger than memory can be read.
 * Blank lines are skipped; CRLF line ends and a UTF-8 BOM are accepted.
 *
 * Errors: NOT_FOUND for a missing file; PARSE_ERROR for a line that is not valid JSON (names the
 * file and line); INVALID_DATA for invalid UTF-8 (names the line).
 *
 * @example
 * ```ts
 * import { streamJsonl } from 'mlship/data';
 * let n = 0;
 * for await (const { value } of streamJsonl('events.jsonl')) {
 *   if ((value as { label?: string }).label === 'spam') n++;
 * }
 * ```
 */
export async function* streamJsonl(file: string, options: StreamJsonlOptions = {}): AsyncGenerator<JsonlRecord, void, undefined> {
  const tracker = new ProgressTracker(options.onProgress, await fileSize(file));
  for await (const batch of jsonlBatches(file, tracker)) yield* batch;
}

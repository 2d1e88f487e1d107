import { createReadStream, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { MlshipError, isMlshipError } from '../core/index.js';
import { findInvalidUtf8InFile, invalidUtf8Error } from './utf8.js';
import type { ProgressTracker } from './progress.js';

/** Read size for streamed files: large enough that per-chunk overhead does not show. */
const CHUNK_BYTES = 1 << 18;

/** Turns a Node fs error into an MlshipError naming the file. */
export function fsError(file: string, err: unknown): MlshipError {
  if (isMlshipError(err)) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new MlshipError('NOT_FOUND', `${file}: no such file or directory; check the path.`, { file }, { cause: err });
  }
  if (code === 'EISDIR') {
    return new MlshipError('INVALID_ARGUMENT', `${file} is a directory; pass a file path.`, { file }, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new MlshipError('IO_ERROR', `${file}: permission denied; check the file's permissions.`, { file }, { cause: err });
  }
  const msg = err instanceof Error ? err.message : String(err);
  return new MlshipError('IO_ERROR', `${file}: could not read the file (${msg}).`, { file }, { cause: err });
}

/** The size of a regular file, or NOT_FOUND / INVALID_ARGUMENT naming it. */
export async function fileSize(file: string): Promise<number> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw fsError(file, err);
  }
  if (info.isDirectory()) throw fsError(file, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  return info.size;
}

/**
 * Streams a UTF-8 file as decoded text chunks (a leading BOM dropped). Invalid UTF-8 anywhere
 * throws INVALID_DATA naming the file and line. Bytes read are added to `tracker`.
 */
export async function* readTextChunks(file: string, tracker?: ProgressTracker): AsyncGenerator<string, void, undefined> {
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let text: string;
      try {
        text = decoder.decode(chunk, { stream: true });
      } catch {
        throw invalidUtf8Error(file, await findInvalidUtf8InFile(file));
      }
      tracker?.addBytes(chunk.length);
      if (text.length > 0) yield text;
    }
    let tail: string;
    try {
      tail = decoder.decode();
    } catch {
      throw invalidUtf8Error(file, await findInvalidUtf8InFile(file));
    }
    if (tail.length > 0) yield tail;
  } catch (err) {
    throw fsError(file, err);
  } finally {
    stream.destroy();
  }
}

/**
 * A copy of `s` that does not keep its source chunk alive. V8 represents `chunk.slice(a, b)` as a
 * view into `chunk`; a loader that keeps one short field per row would otherwise keep every chunk.
 */
export function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/** Files read per batch by {@link readFileBatches}; between batches the event loop runs. */
const FILES_PER_BATCH = 64;

/**
 * Reads many small files in order, yielding them in batches. Each batch is read synchronously
 * and the event loop gets a turn between batches: for thousands of small files this is 2-4x
 * faster than `fs/promises.readFile` in parallel (which pays four thread-pool round trips per
 * file) while blocking the loop for only a few milliseconds at a time.
 */
export async function* readFileBatches(paths: readonly string[]): AsyncGenerator<Buffer[], void, undefined> {
  for (let start = 0; start < paths.length; start += FILES_PER_BATCH) {
    const end = Math.min(paths.length, start + FILES_PER_BATCH);
    const out: Buffer[] = new Array<Buffer>(end - start);
    for (let k = start; k < end; k++) {
      try {
        out[k - start] = readFileSync(paths[k]!);
      } catch (err) {
        throw fsError(paths[k]!, err);
      }
    }
    yield out;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

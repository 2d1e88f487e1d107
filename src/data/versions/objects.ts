import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MlshipError } from '../../core/index.js';

// The content-addressed object store: files kept by sha256 under <dir>/ab/cdef..., written
// atomically (temp file + rename) and verified by hash. Internal to src/data/versions.

/** Read buffer size of every stream: 1 MiB keeps memory bounded and syscalls few. */
export const CHUNK_BYTES = 1 << 20;

const HEX64 = /^[0-9a-f]{64}$/;

/** True when `hash` is a lowercase hex sha256. */
export function isSha256(hash: unknown): hash is string {
  return typeof hash === 'string' && HEX64.test(hash);
}

/** Path of the object with `hash` under the store `dir`: `dir/ab/cdef...`. */
export function objectPath(dir: string, hash: string): string {
  if (!isSha256(hash)) throw new MlshipError('INVALID_ARGUMENT', `hash ${JSON.stringify(hash)} is not a sha256 hex digest; the pointer file may be damaged: re-run mlship data add`, { value: hash });
  return join(dir, hash.slice(0, 2), hash.slice(2));
}

/** A temporary path next to `target` (same folder, so rename is atomic). */
export function tempPath(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** Called with the number of bytes each time a chunk is read. */
export type ByteCounter = (bytes: number) => void;

/**
 * Streams `path` through sha256 (never the whole file in memory) and returns its hex digest.
 *
 * @example
 * ```ts
 * const hex = await hashFile('data/train.csv');
 * ```
 */
export async function hashFile(path: string, onBytes?: ByteCounter): Promise<string> {
  const h = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) {
      h.update(chunk as Buffer);
      onBytes?.((chunk as Buffer).length);
    }
  } catch (err) {
    throw ioError(err, path, 'read');
  }
  return h.digest('hex');
}

/**
 * Copies `src` to `dest` atomically (temp + rename) while hashing the bytes written, and returns
 * their sha256. When `expected` is given and the bytes differ, the temp file is removed and the
 * copy fails with CORRUPT_ARTIFACT (a corrupted cache object, or a file changed while copying).
 */
export async function copyHashed(src: string, dest: string, expected: string | undefined, onBytes?: ByteCounter): Promise<string> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = tempPath(dest);
  const h = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      h.update(chunk);
      onBytes?.(chunk.length);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(src, { highWaterMark: CHUNK_BYTES }), tap, createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw ioError(err, src, 'copy');
  }
  const actual = h.digest('hex');
  if (expected !== undefined && actual !== expected) {
    await rm(tmp, { force: true });
    throw new MlshipError('CORRUPT_ARTIFACT', `${src} has sha256 ${actual} but ${expected} was expected: the object is corrupted or the file changed while it was copied. Remove the bad object and re-run (mlship data add on the original data, or mlship data pull from the remote)`, {
      file: src,
      expected,
      actual,
    });
  }
  await rename(tmp, dest);
  return actual;
}

/** True when a regular file exists at `path`. */
export async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Wraps a Node file-system error as IO_ERROR (NOT_FOUND for a missing file). */
export function ioError(err: unknown, path: string, action: string): MlshipError {
  if (err instanceof MlshipError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new MlshipError('NOT_FOUND', `cannot ${action} ${path}: no such file or folder`, { file: path }, { cause: err });
  return new MlshipError('IO_ERROR', `cannot ${action} ${path}: ${e?.message ?? String(err)}`, { file: path }, { cause: err });
}

/**
 * Runs `task` on every item with at most `limit` running at once (a bounded pool of concurrent
 * streams) and returns the results in input order.
 */
export async function mapPool<T, R>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await task(items[i]!, i);
    }
  });
  await Promise.all(runners);
  return out;
}

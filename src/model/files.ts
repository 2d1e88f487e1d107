import { createHash } from 'node:crypto';
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MlshipError, writeFileAtomic } from '../core/index.js';
import type { BaseEstimator } from '../learn/index.js';
import {
  CHECKSUM_BYTES,
  HEADER_BYTES,
  checkVersionAndLayout,
  checksumMatches,
  decodeContainer,
  encodeModel,
  parseHeader,
  parseMetadata,
  rebuild,
  type LoadedModel,
} from './format.js';
import type { ModelMetadata, SaveModelOptions } from './metadata.js';

/** What {@link saveModel} returns. */
export interface SavedModel {
  /** Absolute path of the written file. */
  path: string;
  /** File size in bytes. */
  bytes: number;
  /** Hex sha256 of the whole file (what `sha256sum` prints). */
  sha256: string;
  /** The metadata block that was written. */
  metadata: ModelMetadata;
}

/**
 * Saves a fitted estimator (usually a Pipeline) as one model package file, atomically: the bytes
 * go to a temporary file in the same directory, which is flushed to disk and then renamed over
 * `path`, so readers never see a half-written model. Missing parent directories are created.
 *
 * @example
 * ```ts
 * const saved = await saveModel('mlship/models/spam-nb.mlship', pipeline, {
 *   metrics: { accuracy: 0.97 },
 *   signature: textClassifierSignature(pipeline.classes_!),
 *   tags: { dataset: 'spam-assassin' },
 * });
 * console.log(saved.path, saved.bytes);
 * ```
 */
export async function saveModel(path: string, estimator: BaseEstimator<any>, options: SaveModelOptions = {}): Promise<SavedModel> {
  if (typeof path !== 'string' || path === '') {
    throw new MlshipError('INVALID_ARGUMENT', 'saveModel: path must be a non-empty file path such as "model.mlship"', { field: 'path', value: path });
  }
  const bytes = encodeModel(estimator, options);
  const target = resolve(path);
  try {
    await writeFileAtomic(target, bytes, { mkdir: true });
  } catch (err) {
    throw ioError(err, target, 'write');
  }
  const metadata = parseMetadata(bytes.subarray(HEADER_BYTES, HEADER_BYTES + metaLengthOf(bytes)), target);
  return { path: target, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), metadata };
}

function metaLengthOf(bytes: Uint8Array): number {
  return Number(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(24, true));
}

/**
 * Loads a model package written by {@link saveModel}: checks size, checksum and format version,
 * then rebuilds the fitted estimator. The arrays are views into the one buffer the file was read
 * into.
 *
 * @example
 * ```ts
 * const { estimator, metadata } = await loadModel('mlship/models/spam-nb.mlship');
 * estimator.predict(['cheap meds, click here']);
 * metadata.metrics.accuracy;
 * ```
 */
export async function loadModel(path: string): Promise<LoadedModel> {
  const target = resolve(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(target);
  } catch (err) {
    throw ioError(err, target, 'read');
  }
  const { metadata, snapshot } = decodeContainer(bytes, target, true);
  return { estimator: rebuild(snapshot, metadata, target), metadata };
}

/** Options of {@link readModelMetadata}. */
export interface ReadMetadataOptions {
  /** Verify the whole-file checksum (streamed, without keeping the arrays in memory). @default true */
  verify?: boolean;
}

/**
 * Reads only the metadata block of a model package: the arrays are never materialised (the
 * checksum is streamed over the file unless `verify` is false), so this is cheap on big models.
 *
 * @example
 * ```ts
 * const meta = await readModelMetadata('model.mlship');
 * console.log(meta.estimator, meta.classes, meta.metrics);
 * ```
 */
export async function readModelMetadata(path: string, options: ReadMetadataOptions = {}): Promise<ModelMetadata> {
  const target = resolve(path);
  let fh: FileHandle;
  try {
    fh = await open(target, 'r');
  } catch (err) {
    throw ioError(err, target, 'read');
  }
  try {
    const stat = await fh.stat();
    const size = stat.size;
    if (!stat.isFile()) throw new MlshipError('INVALID_ARGUMENT', `${target} is not a file; pass the path of a model package`, { file: target });
    const head = new Uint8Array(Math.min(HEADER_BYTES, size));
    await readFully(fh, head, 0);
    const header = parseHeader(head, size, target);
    if (options.verify ?? true) {
      const hash = createHash('sha256');
      const chunk = new Uint8Array(1 << 20);
      const end = size - CHECKSUM_BYTES;
      for (let pos = 0; pos < end; ) {
        const n = Math.min(chunk.length, end - pos);
        await readFully(fh, chunk.subarray(0, n), pos);
        hash.update(chunk.subarray(0, n));
        pos += n;
      }
      const stored = new Uint8Array(CHECKSUM_BYTES);
      await readFully(fh, stored, end);
      checksumMatches(hash.digest(), stored, target);
    }
    checkVersionAndLayout(header, target);
    const meta = new Uint8Array(header.metaLength);
    await readFully(fh, meta, HEADER_BYTES);
    return parseMetadata(meta, target);
  } catch (err) {
    if (err instanceof MlshipError) throw err;
    throw ioError(err, target, 'read');
  } finally {
    await fh.close();
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < into.length) {
    const { bytesRead } = await fh.read(into, done, into.length - done, position + done);
    if (bytesRead === 0) throw new MlshipError('CORRUPT_ARTIFACT', `file ended after ${position + done} bytes while reading the model package`, {});
    done += bytesRead;
  }
}

function ioError(err: unknown, path: string, op: 'read' | 'write'): MlshipError {
  if (err instanceof MlshipError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' && op === 'read') {
    return new MlshipError('NOT_FOUND', `model file ${path} does not exist; check the path (models saved by \`mlship train\` go to ./mlship/models/)`, { file: path }, { cause: err });
  }
  if (code === 'EISDIR') {
    return new MlshipError('INVALID_ARGUMENT', `${path} is a directory; pass the path of a model package file such as model.mlship`, { file: path }, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new MlshipError('IO_ERROR', `permission denied to ${op} ${path}`, { file: path }, { cause: err });
  }
  return new MlshipError('IO_ERROR', `could not ${op} ${path}: ${(err as Error).message}`, { file: path }, { cause: err });
}

import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MlshipError } from '../../core/index.js';
import { ProgressTracker } from '../progress.js';
import { copyHashed, mapPool, objectPath } from './objects.js';
import { readPointer } from './pointer.js';
import { checkoutData, display, expectedFiles, resolveOptions, targetsOf, type CheckoutResult, type DataVersionOptions, type Resolved } from './versions.js';

/** Options of {@link pushData} and {@link pullData}. */
export interface TransferOptions extends DataVersionOptions {
  /**
   * The remote folder (objects under `xx/yyyy...`, the cache's layout). Relative paths resolve from
   * the root.
   * @default the `data.remote` of `<root>/mlship/config.json`
   */
  remote?: string;
}

/** Options of {@link pullData}. */
export interface PullOptions extends TransferOptions {
  /**
   * Overwrite local changes when checking the fetched data out (see `checkoutData`).
   * @default false
   */
  force?: boolean;
}

/** What a push or a pull transferred. */
export interface TransferResult {
  /** The remote folder (absolute). */
  remote: string;
  /** Objects copied. */
  transferred: number;
  /** Objects already present at the destination. */
  skipped: number;
  /** Bytes copied. */
  bytes: number;
  /** Objects absent from the source (the local cache for push, the remote for pull). */
  missing: string[];
  /** For a pull: what the checkout that follows the fetch restored. */
  checkout?: CheckoutResult[];
}

/** Reads `data.remote` from `<root>/mlship/config.json`. */
async function configuredRemote(o: Resolved): Promise<string | undefined> {
  const file = join(o.root, 'mlship', 'config.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const remote = (JSON.parse(text) as { data?: { remote?: unknown } }).data?.remote;
    if (remote === undefined) return undefined;
    if (typeof remote !== 'string' || remote === '') throw new Error('"data.remote" must be a folder path');
    return resolve(o.root, remote);
  } catch (err) {
    throw new MlshipError('PARSE_ERROR', `${file}: ${(err as Error).message}; expected {"data": {"remote": "/path/to/remote"}}`, { file }, { cause: err });
  }
}

async function remoteOf(o: Resolved, remote: string | undefined): Promise<string> {
  const dir = remote !== undefined ? resolve(o.root, remote) : await configuredRemote(o);
  if (dir === undefined) {
    throw new MlshipError('INVALID_ARGUMENT', 'no data remote: pass --remote /path/to/folder, or set {"data": {"remote": "/path/to/folder"}} in mlship/config.json', {
      field: 'remote',
      hint: 'mlship data push --remote /mnt/shared/mlship-data',
    });
  }
  return dir;
}

/** Size of the file at `path`, or -1 when absent. */
async function sizeOf(path: string): Promise<number> {
  try {
    const st = await stat(path);
    return st.isFile() ? st.size : -1;
  } catch {
    return -1;
  }
}

/** Every object (hash → size) referenced by the selected pointers. */
async function objectsOf(paths: string | readonly string[] | undefined, o: Resolved): Promise<Map<string, number>> {
  const objects = new Map<string, number>();
  for (const t of await targetsOf(paths, o)) {
    const pointer = await readPointer(t.pointer);
    for (const f of expectedFiles(pointer, t.data)) objects.set(f.entry.sha256, f.entry.size);
  }
  return objects;
}

async function transfer(objects: Map<string, number>, from: string, to: string, o: Resolved, options: DataVersionOptions, remote: string): Promise<TransferResult> {
  const list = [...objects];
  const todo: [string, number][] = [];
  const missing: string[] = [];
  let skipped = 0;
  for (const [hash, size] of list) {
    if ((await sizeOf(objectPath(to, hash))) === size) skipped++;
    else if ((await sizeOf(objectPath(from, hash))) < 0) missing.push(hash);
    else todo.push([hash, size]);
  }
  const progress = new ProgressTracker(options.onProgress, todo.reduce((s, [, n]) => s + n, 0), todo.length);
  let bytes = 0;
  await mapPool(todo, o.jobs, async ([hash, size]) => {
    await copyHashed(objectPath(from, hash), objectPath(to, hash), hash, (n) => progress.addBytes(n));
    bytes += size;
    progress.rows++;
  });
  progress.done();
  return { remote, transferred: todo.length, skipped, bytes, missing };
}

/**
 * Copies the cache objects of the selected pointers (all pointers under the root by default) to a
 * remote folder: only objects the remote lacks, each verified by hash and written atomically.
 *
 * @example
 * ```ts
 * import { pushData } from 'mlship/data';
 * const r = await pushData(undefined, { remote: '/mnt/shared/mlship-data' });
 * console.log(`${r.transferred} objects pushed, ${r.skipped} already there`);
 * ```
 */
export async function pushData(paths?: string | readonly string[], options: TransferOptions = {}): Promise<TransferResult> {
  const o = resolveOptions(options);
  const remote = await remoteOf(o, options.remote);
  const result = await transfer(await objectsOf(paths, o), o.cacheDir, remote, o, options, remote);
  if (result.missing.length > 0) {
    throw new MlshipError('NOT_FOUND', `${result.missing.length} object(s) are in no local cache (${display(o.cacheDir, o.root)}), so they were not pushed (${result.transferred} other objects were); re-run mlship data add on the data, or pull it first. First missing: ${result.missing[0]}`, {
      missing: result.missing,
    });
  }
  return result;
}

/**
 * Fetches the objects of the selected pointers (all pointers under the root by default) that the
 * local cache lacks from a remote folder, verifying each hash, then checks the data out into the
 * workspace (never overwriting local changes unless `force`).
 *
 * @example
 * ```ts
 * import { pullData } from 'mlship/data';
 * const r = await pullData(['data/train.csv'], { remote: '/mnt/shared/mlship-data' });
 * ```
 */
export async function pullData(paths?: string | readonly string[], options: PullOptions = {}): Promise<TransferResult> {
  const o = resolveOptions(options);
  const remote = await remoteOf(o, options.remote);
  const result = await transfer(await objectsOf(paths, o), remote, o.cacheDir, o, options, remote);
  if (result.missing.length > 0) {
    throw new MlshipError('NOT_FOUND', `${result.missing.length} object(s) are not on the remote ${remote} (${result.transferred} others were fetched); push them from a machine that has the data. First missing: ${result.missing[0]}`, {
      missing: result.missing,
    });
  }
  return { ...result, checkout: await checkoutData(paths, options) };
}

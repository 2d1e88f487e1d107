/**
 * Atomic, durable file writes: data goes to a hidden temporary file beside the target, is fsynced
 * and renamed over the target, then the folder is fsynced. A reader sees the old file or the new
 * one, never a torn write; a crash leaves at most a stray temporary file. Errors are the file
 * system's own (callers translate them into MlshipErrors naming what they were doing).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Options of {@link writeFileAtomic} and {@link copyFileAtomic}. */
export interface AtomicWriteOptions {
  /** Create the target's folder first. @default false */
  mkdir?: boolean;
  /** The temporary file's suffix (a reader listing the folder can hide such files). @default '.tmp' */
  tempSuffix?: string;
  /** fsync the file (and, with `syncFolder`, its folder), so the write survives a power cut. @default true */
  durable?: boolean;
  /** Also fsync the folder after the rename; turn off when the caller syncs it once after many writes. @default true */
  syncFolder?: boolean;
}

/**
 * A hidden, unique temporary path beside `target`: `.<name>.<pid>-<random><suffix>`.
 *
 * @example
 * ```ts
 * tempPathFor('/data/model.mlship'); // '/data/.model.mlship.4242-9f2c1a0b3d4e.tmp'
 * ```
 */
export function tempPathFor(target: string, suffix = '.tmp'): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}${suffix}`);
}

/**
 * fsyncs a folder so that a rename in it is durable. Best effort: some platforms and file systems
 * cannot open or sync a folder, and the rename itself is atomic anyway.
 *
 * @example
 * ```ts
 * await syncDir('/data');
 * ```
 */
export async function syncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch {
    // not supported here; the rename is still atomic
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/**
 * Writes `data` to `path` atomically and durably (temporary file, fsync, rename, folder fsync).
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from 'mlship/core';
 * await writeFileAtomic('out/report.json', JSON.stringify({ ok: true }), { mkdir: true });
 * ```
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  if (options.mkdir) await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(path, options.tempSuffix);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      if (options.durable ?? true) await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if ((options.durable ?? true) && (options.syncFolder ?? true)) await syncDir(dir);
}

/**
 * Copies `src` to `dest` atomically and durably; the kernel copies, so `src` is never read into
 * memory whole.
 *
 * @example
 * ```ts
 * import { copyFileAtomic } from 'mlship/core';
 * await copyFileAtomic('model.mlship', 'registry/housing/3/model.mlship', { mkdir: true });
 * ```
 */
export async function copyFileAtomic(src: string, dest: string, options: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(dest);
  if (options.mkdir) await mkdir(dir, { recursive: true });
  const tmp = tempPathFor(dest, options.tempSuffix);
  try {
    await copyFile(src, tmp, fsConstants.COPYFILE_EXCL);
    if (options.durable ?? true) {
      const fh = await open(tmp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
  if ((options.durable ?? true) && (options.syncFolder ?? true)) await syncDir(dir);
}

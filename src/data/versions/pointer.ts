import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { MlshipError, writeFileAtomic } from '../../core/index.js';
import { ioError, isSha256 } from './objects.js';

/**
 * Suffix of a pointer file: `data.csv` → `data.csv.mlship.json`.
 *
 * @example
 * ```ts
 * import { POINTER_SUFFIX } from 'mlship/data';
 * const pointerFile = 'data/train.csv' + POINTER_SUFFIX; // 'data/train.csv.mlship.json'
 * ```
 */
export const POINTER_SUFFIX = '.mlship.json';

/**
 * Format version written in every pointer file; a newer one fails with UNSUPPORTED_VERSION.
 *
 * @example
 * ```ts
 * import { POINTER_FORMAT_VERSION, readPointer } from 'mlship/data';
 * (await readPointer('data.csv.mlship.json')).version <= POINTER_FORMAT_VERSION; // true
 * ```
 */
export const POINTER_FORMAT_VERSION = 1;

/** One file of a versioned folder. */
export interface ManifestEntry {
  /** sha256 (hex) of the file's bytes. */
  sha256: string;
  /** Size in bytes. */
  size: number;
}

/**
 * The small pointer file meant for git (`<path>.mlship.json`): it records the content hash of a
 * file, or of a folder's manifest, while the data itself lives in the cache and is git-ignored.
 *
 * @example
 * ```ts
 * import { readPointer } from 'mlship/data';
 * const p = await readPointer('data/train.csv.mlship.json');
 * console.log(p.sha256, p.size, p.files);
 * ```
 */
export interface DataPointer {
  /** Always `'mlship-data'`. */
  format: 'mlship-data';
  /** Pointer format version ({@link POINTER_FORMAT_VERSION}). */
  version: number;
  /** The data's name relative to the pointer's folder (`train.csv` or `images`). */
  path: string;
  /** `'file'` or `'folder'`. */
  kind: 'file' | 'folder';
  /** sha256 of the file, or of the folder's manifest (see {@link manifestHash}). */
  sha256: string;
  /** Total size in bytes. */
  size: number;
  /** Number of files (1 for a file). */
  files: number;
  /** For a folder: relative path (with `/`) → hash and size, sorted by path. */
  manifest?: Record<string, ManifestEntry>;
}

/**
 * The deterministic sha256 of a folder manifest: one line `<sha256> <size> <path>\n` per file,
 * sorted by path (JavaScript string order), hashed as UTF-8. The same files give the same hash
 * whatever the order they were listed or hashed in.
 *
 * @example
 * ```ts
 * import { manifestHash } from 'mlship/data';
 * manifestHash({ 'a.txt': { sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', size: 0 } });
 * ```
 */
export function manifestHash(manifest: Record<string, ManifestEntry>): string {
  const h = createHash('sha256');
  for (const path of Object.keys(manifest).sort()) {
    const e = manifest[path]!;
    h.update(`${e.sha256} ${e.size} ${path}\n`);
  }
  return h.digest('hex');
}

/** Returns `manifest` with its keys sorted (stable JSON, small git diffs). */
export function sortManifest(manifest: Record<string, ManifestEntry>): Record<string, ManifestEntry> {
  const out: Record<string, ManifestEntry> = {};
  for (const k of Object.keys(manifest).sort()) out[k] = manifest[k]!;
  return out;
}

/**
 * Reads and validates a pointer file.
 *
 * @example
 * ```ts
 * import { readPointer } from 'mlship/data';
 * const pointer = await readPointer('data.csv.mlship.json');
 * ```
 */
export async function readPointer(file: string): Promise<DataPointer> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw ioError(err, file, 'read the pointer file');
  }
  let p: Partial<DataPointer>;
  try {
    p = JSON.parse(text) as Partial<DataPointer>;
  } catch (err) {
    throw new MlshipError('PARSE_ERROR', `${file} is not valid JSON (${(err as Error).message}); restore it from git or re-run mlship data add`, { file }, { cause: err });
  }
  const bad = (what: string): never => {
    throw new MlshipError('PARSE_ERROR', `${file} is not an mlship data pointer: ${what}; restore it from git or re-run mlship data add`, { file });
  };
  if (p === null || typeof p !== 'object' || p.format !== 'mlship-data') bad('"format" must be "mlship-data"');
  if (typeof p.version !== 'number') bad('"version" is missing');
  if (p.version! > POINTER_FORMAT_VERSION) {
    throw new MlshipError('UNSUPPORTED_VERSION', `${file} has pointer format version ${p.version}, newer than this mlship understands (${POINTER_FORMAT_VERSION}); upgrade mlship`, { file, value: p.version });
  }
  if (typeof p.path !== 'string' || p.path === '' || p.path.includes('/') || p.path.includes('\\') || p.path === '..' || p.path === '.') bad('"path" must be a plain file or folder name');
  if (p.kind !== 'file' && p.kind !== 'folder') bad('"kind" must be "file" or "folder"');
  if (!isSha256(p.sha256)) bad('"sha256" must be a sha256 hex digest');
  if (!Number.isSafeInteger(p.size) || p.size! < 0 || !Number.isSafeInteger(p.files) || p.files! < 0) bad('"size" and "files" must be non-negative integers');
  if (p.kind === 'folder') {
    if (!p.manifest || typeof p.manifest !== 'object') bad('a folder pointer needs a "manifest"');
    for (const [rel, e] of Object.entries(p.manifest!)) {
      if (!isSafeRelative(rel)) bad(`manifest path ${JSON.stringify(rel)} escapes the folder`);
      if (!e || !isSha256(e.sha256) || !Number.isSafeInteger(e.size)) bad(`manifest entry ${JSON.stringify(rel)} needs a sha256 and a size`);
    }
    if (manifestHash(p.manifest!) !== p.sha256) bad('"sha256" does not match the manifest (edited by hand?)');
  }
  return p as DataPointer;
}

/** Writes a pointer file atomically, with sorted keys and a trailing newline. */
export async function writePointer(file: string, pointer: DataPointer): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(pointer, null, 2) + '\n');
}

/** A relative `/`-separated path that stays inside its folder (no `..`, no absolute, no empty part). */
export function isSafeRelative(rel: string): boolean {
  if (rel === '' || rel.startsWith('/') || rel.includes('\\') || rel.includes('\0')) return false;
  return rel.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/**
 * Dataset capture: while a run is active, every file or folder mlship's data module reads
 * (published on the `mlship:data:read` channel) is recorded as one of the run's dataset inputs,
 * with the content hash of its data version when it has one.
 *
 * Tracking may not import the data module, so the pointer file (`<path>.mlship.json`, written by
 * `mlship data add`) is read here directly; only the fields needed are checked.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { subscribeDataRead } from '../core/index.js';
import type { DataReadEvent } from '../core/index.js';
import type { DatasetInput } from './entities.js';

/** The suffix of a data-version pointer file (`train.csv` → `train.csv.mlship.json`). */
const POINTER_SUFFIX = '.mlship.json';
/** The prefix of the digest recorded for data that has no version. */
export const UNVERSIONED_DIGEST_PREFIX = 'unversioned:';

interface Pointer {
  kind: 'file' | 'folder';
  sha256: string;
  size: number;
  manifest?: Record<string, { sha256: string; size: number }>;
}

async function readPointerFile(file: string, dataName: string): Promise<Pointer | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const p = JSON.parse(text) as Partial<Pointer> & { format?: unknown; path?: unknown };
    if (p?.format !== 'mlship-data' || p.path !== dataName) return null;
    if (typeof p.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(p.sha256)) return null;
    if (p.kind !== 'file' && p.kind !== 'folder') return null;
    return { kind: p.kind, sha256: p.sha256, size: typeof p.size === 'number' ? p.size : -1, manifest: p.manifest };
  } catch {
    return null;
  }
}

/** The versioned path covering `path` (itself or a parent folder) and its pointer, if any. */
async function findPointer(path: string): Promise<{ versioned: string; pointer: Pointer } | null> {
  let at = path;
  for (let depth = 0; depth < 64; depth++) {
    const name = basename(at);
    if (name !== '') {
      const pointer = await readPointerFile(at + POINTER_SUFFIX, name);
      if (pointer) return { versioned: at, pointer };
    }
    const up = dirname(at);
    if (up === at) return null;
    at = up;
  }
  return null;
}

/**
 * Whether the data at `path` still matches its pointer, checked cheaply by size: the file's size
 * for a file pointer, the manifest entry's size for a file read from a versioned folder (a file
 * missing from the manifest is a change). A folder read whole is trusted.
 */
async function matchesPointer(path: string, versioned: string, pointer: Pointer, size: number | null): Promise<boolean> {
  if (size === null) return true;
  if (path === versioned) return pointer.kind === 'folder' || pointer.size === size;
  if (pointer.kind !== 'folder' || !pointer.manifest) return false;
  const rel = relative(versioned, path).split(sep).join('/');
  const entry = pointer.manifest[rel];
  return entry !== undefined && entry.size === size;
}

/**
 * The dataset input recorded for one read: name = the basename of the versioned file or folder,
 * digest = the pointer's sha256 (hex) when `path` or a parent folder is versioned and the data
 * still matches it by size; otherwise `unversioned:` + sha256 of the path, size and modification
 * time, which changes whenever the file does but is not a content hash.
 *
 * @example
 * ```ts
 * import { describeDatasetRead } from 'mlship/tracking';
 * const input = await describeDatasetRead({ path: '/data/train.csv', format: 'csv', rows: 100, schema: null });
 * console.log(input?.digest); // the sha256 in /data/train.csv.mlship.json, or 'unversioned:…'
 * ```
 */
export async function describeDatasetRead(event: DataReadEvent, context = 'training'): Promise<DatasetInput | null> {
  const path = resolve(event.path);
  let size: number | null = null;
  let mtimeMs = 0;
  try {
    const st = await stat(path);
    size = st.isFile() ? st.size : null;
    mtimeMs = st.mtimeMs;
  } catch {
    return null; // gone since it was read: nothing reliable to record
  }
  const schema = event.schema ?? null;
  const rowCount = event.rows ?? null;
  const found = await findPointer(path);
  if (found && (await matchesPointer(path, found.versioned, found.pointer, size))) {
    return { name: basename(found.versioned), digest: found.pointer.sha256, source: path, schema, rowCount, context };
  }
  const digest = createHash('sha256').update(`${path}\n${size ?? 'folder'}\n${mtimeMs}`).digest('hex');
  return { name: basename(path), digest: UNVERSIONED_DIGEST_PREFIX + digest, source: path, schema, rowCount, context };
}

/** What a data-read event is recorded on: the run active when the data was read. */
export interface CaptureTarget {
  readonly captureDatasets: boolean;
  logInputs(inputs: DatasetInput[]): Promise<void>;
  track(p: Promise<unknown>): void;
}

let subscribers = 0;
let unsubscribe: (() => void) | undefined;
let reported = false;

/**
 * Subscribes to data reads while at least one capturing run is active (reference counted); the
 * returned function releases this hold. `current` names the run a read belongs to (called
 * synchronously in the reader's async context).
 */
export function holdDatasetCapture(current: () => CaptureTarget | undefined): () => void {
  subscribers++;
  if (subscribers === 1) {
    unsubscribe = subscribeDataRead((event) => {
      const run = current();
      if (!run || !run.captureDatasets) return;
      run.track(
        describeDatasetRead(event)
          .then((input) => (input ? run.logInputs([input]) : undefined))
          .catch((err: unknown) => {
            if (reported) return;
            reported = true;
            process.stderr.write(`mlship tracking: could not record the dataset ${event.path} on the active run: ${err instanceof Error ? err.message : String(err)}\n`);
          }),
      );
    });
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    subscribers--;
    if (subscribers === 0) {
      unsubscribe?.();
      unsubscribe = undefined;
    }
  };
}

import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { MlshipError } from '../../core/index.js';
import { ProgressTracker, type ProgressCallback } from '../progress.js';
import { copyHashed, fileExists, hashFile, ioError, mapPool, objectPath, tempPath } from './objects.js';
import { manifestHash, POINTER_FORMAT_VERSION, POINTER_SUFFIX, readPointer, sortManifest, writePointer, type DataPointer, type ManifestEntry } from './pointer.js';
import { StateIndex } from './state.js';

/** Options shared by the data-version functions. */
export interface DataVersionOptions {
  /**
   * Project root: relative paths, the default cache and the state index resolve from it.
   * @default process.cwd()
   */
  root?: string;
  /**
   * The local content-addressed cache (objects under `xx/yyyy...`).
   * @default '<root>/mlship/cache'
   */
  cacheDir?: string;
  /**
   * The state index that remembers file hashes by path, size, mtime and inode.
   * @default '<root>/mlship/tmp/data-state.json'
   */
  stateFile?: string;
  /**
   * Files hashed or copied at once (a bounded pool of concurrent streams; measured faster here
   * than worker threads, as Node's sha256 already runs at disk speed on one core).
   * @default 4
   */
  jobs?: number;
  /** Progress while hashing or copying: bytes done of the total, files done in `rows`. */
  onProgress?: ProgressCallback;
}

interface Resolved {
  root: string;
  cacheDir: string;
  stateFile: string;
  jobs: number;
}

function resolveOptions(opts: DataVersionOptions): Resolved {
  const root = resolve(opts.root ?? process.cwd());
  const jobs = opts.jobs ?? 4;
  if (!Number.isSafeInteger(jobs) || jobs < 1) throw new MlshipError('INVALID_ARGUMENT', `jobs must be a positive integer, got ${String(jobs)}; use 4 if unsure`, { field: 'jobs', value: jobs });
  return {
    root,
    cacheDir: resolve(root, opts.cacheDir ?? join('mlship', 'cache')),
    stateFile: resolve(root, opts.stateFile ?? join('mlship', 'tmp', 'data-state.json')),
    jobs,
  };
}

/** A data path and its pointer file, both absolute. */
interface Target {
  data: string;
  pointer: string;
}

/** `data.csv` or `data.csv.mlship.json` → both paths. */
function resolveTarget(path: string, root: string): Target {
  const abs = resolve(root, path.replace(/[\\/]+$/, '') || path);
  if (abs.endsWith(POINTER_SUFFIX)) return { data: abs.slice(0, -POINTER_SUFFIX.length), pointer: abs };
  return { data: abs, pointer: abs + POINTER_SUFFIX };
}

/** A path for messages and results: relative to the root when inside it. */
function display(abs: string, root: string): string {
  const rel = relative(root, abs);
  return rel && !rel.startsWith('..') && !rel.startsWith(sep) ? rel.split(sep).join('/') : abs;
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/** One file of a data target: its relative name in the manifest and its absolute path. */
interface FileRef {
  rel: string;
  abs: string;
}

/** Regular files under `dir`, sorted, with `/`-separated relative paths; symlinked folders are skipped. */
async function walk(dir: string, skip: (abs: string) => boolean = () => false): Promise<FileRef[]> {
  const out: FileRef[] = [];
  const visit = async (abs: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (err) {
      throw ioError(err, abs, 'list');
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const childAbs = join(abs, e.name);
      const childRel = rel ? `${rel}/${e.name}` : e.name;
      if (skip(childAbs)) continue;
      if (e.isDirectory()) await visit(childAbs, childRel);
      else if (e.isFile()) out.push({ rel: childRel, abs: childAbs });
      else if (e.isSymbolicLink()) {
        const st = await stat(childAbs).catch(() => undefined);
        if (st?.isFile()) out.push({ rel: childRel, abs: childAbs });
      }
    }
  };
  await visit(dir, '');
  return out;
}

/** Counts of one hashing pass: files hashed vs reused from the state index. */
interface HashStats {
  hashed: number;
  reused: number;
}

/** The sha256 of `abs`, from the state index when size, mtime and inode are unchanged. */
async function hashWithState(abs: string, state: StateIndex, stats: HashStats, progress: ProgressTracker): Promise<{ sha256: string; size: number }> {
  const st = await statBig(abs);
  const known = state.lookup(abs, st);
  if (known !== undefined) {
    stats.reused++;
    progress.addBytes(Number(st.size));
    return { sha256: known, size: Number(st.size) };
  }
  const sha = await hashFile(abs, (n) => progress.addBytes(n));
  state.record(abs, st, sha);
  stats.hashed++;
  return { sha256: sha, size: Number(st.size) };
}

async function statBig(abs: string): Promise<BigIntStats> {
  try {
    return await stat(abs, { bigint: true });
  } catch (err) {
    throw ioError(err, abs, 'read');
  }
}

async function totalSize(files: readonly FileRef[]): Promise<number> {
  let total = 0;
  for (const f of files) total += (await stat(f.abs).catch(() => ({ size: 0 }))).size;
  return total;
}

/** The files of a data target: itself for a file, its walked contents for a folder. */
async function filesOf(data: string, cacheDir: string, root: string): Promise<{ kind: 'file' | 'folder'; files: FileRef[] }> {
  let st;
  try {
    st = await stat(data);
  } catch (err) {
    throw ioError(err, display(data, root), 'version');
  }
  if (st.isFile()) return { kind: 'file', files: [{ rel: basename(data), abs: data }] };
  if (!st.isDirectory()) throw new MlshipError('INVALID_ARGUMENT', `${display(data, root)} is neither a file nor a folder; version a regular file or a folder`, { file: data });
  return { kind: 'folder', files: await walk(data, (abs) => abs === cacheDir || abs.endsWith(POINTER_SUFFIX)) };
}

/** What {@link addData} did for one path. */
export interface AddResult {
  /** The data path, relative to the root when inside it. */
  path: string;
  /** The pointer file written (relative to the root when inside it). */
  pointerFile: string;
  /** The pointer's content. */
  pointer: DataPointer;
  /** Files whose bytes were hashed in this call. */
  hashed: number;
  /** Files whose hash came from the state index (unchanged since last hashed). */
  reused: number;
  /** Objects newly written to the cache. */
  stored: number;
}

/**
 * Versions a file or a folder: hashes it (sha256, streaming, several files at once, unchanged
 * files not rehashed), stores every file in the local content-addressed cache (atomic writes,
 * verified hashes), writes the pointer file `<path>.mlship.json` meant for git, and git-ignores
 * the data in a `.gitignore` next to it.
 *
 * @example
 * ```ts
 * import { addData } from 'mlship/data';
 * const r = await addData('data/train.csv');
 * console.log(r.pointer.sha256, r.pointerFile); // data/train.csv.mlship.json
 * ```
 */
export async function addData(path: string, options: DataVersionOptions = {}): Promise<AddResult> {
  const o = resolveOptions(options);
  const target = resolveTarget(path, o.root);
  const shown = display(target.data, o.root);
  if (target.data === o.root || inside(o.cacheDir, target.data) || inside(target.data, o.cacheDir)) {
    throw new MlshipError('INVALID_ARGUMENT', `cannot version ${shown}: it is the project root, the cache (${display(o.cacheDir, o.root)}) or contains it; version a data file or folder inside the project`, { file: shown });
  }
  const { kind, files } = await filesOf(target.data, o.cacheDir, o.root);
  const state = await StateIndex.load(o.stateFile);
  const progress = new ProgressTracker(options.onProgress, await totalSize(files), files.length);
  const stats: HashStats = { hashed: 0, reused: 0 };
  let stored = 0;
  const tmpDir = join(o.cacheDir, 'tmp');
  await mkdir(tmpDir, { recursive: true });

  const entries = await mapPool(files, o.jobs, async (f): Promise<ManifestEntry> => {
    const st = await statBig(f.abs);
    let sha = state.lookup(f.abs, st);
    if (sha !== undefined) {
      stats.reused++;
      if (!(await fileExists(objectPath(o.cacheDir, sha)))) {
        await copyHashed(f.abs, objectPath(o.cacheDir, sha), sha, (n) => progress.addBytes(n));
        stored++;
      } else progress.addBytes(Number(st.size));
    } else {
      // One pass: hash the bytes while writing them to a temp file in the cache, then move it in.
      const tmp = tempPath(join(tmpDir, 'new'));
      sha = await copyHashed(f.abs, tmp, undefined, (n) => progress.addBytes(n));
      const obj = objectPath(o.cacheDir, sha);
      if (await fileExists(obj)) await rm(tmp, { force: true });
      else {
        await mkdir(dirname(obj), { recursive: true });
        await rename(tmp, obj);
        stored++;
      }
      state.record(f.abs, st, sha);
      stats.hashed++;
    }
    progress.rows++;
    return { sha256: sha, size: Number(st.size) };
  });
  progress.done();

  const name = basename(target.data);
  let pointer: DataPointer;
  if (kind === 'file') {
    const e = entries[0]!;
    pointer = { format: 'mlship-data', version: POINTER_FORMAT_VERSION, path: name, kind, sha256: e.sha256, size: e.size, files: 1 };
  } else {
    const manifest: Record<string, ManifestEntry> = {};
    files.forEach((f, i) => (manifest[f.rel] = entries[i]!));
    pointer = {
      format: 'mlship-data',
      version: POINTER_FORMAT_VERSION,
      path: name,
      kind,
      sha256: manifestHash(manifest),
      size: entries.reduce((s, e) => s + e.size, 0),
      files: files.length,
      manifest: sortManifest(manifest),
    };
  }
  await writePointer(target.pointer, pointer);
  await gitignore(dirname(target.data), kind === 'file' ? `/${name}` : `/${name}/`);
  await state.save();
  return { path: shown, pointerFile: display(target.pointer, o.root), pointer, hashed: stats.hashed, reused: stats.reused, stored };
}

/** Adds `entry` to the `.gitignore` in `dir` unless it is already there. */
async function gitignore(dir: string, entry: string): Promise<void> {
  const file = join(dir, '.gitignore');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch {
    // no .gitignore yet
  }
  if (text.split(/\r?\n/).some((l) => l.trim() === entry)) return;
  await writeFile(file, text + (text && !text.endsWith('\n') ? '\n' : '') + entry + '\n');
}

/** One changed file of a versioned folder. */
export interface DataChange {
  /** Path relative to the versioned folder (`/`-separated). */
  path: string;
  /** `modified` (content differs), `added` (not in the pointer), `deleted` (missing from the workspace). */
  change: 'modified' | 'added' | 'deleted';
}

/** The state of one pointer: workspace vs pointer vs cache. */
export interface DataStatus {
  /** The data path (relative to the root when inside it). */
  path: string;
  /** The pointer file. */
  pointerFile: string;
  /** Whether the pointer records a file or a folder. */
  kind: 'file' | 'folder';
  /** sha256 recorded in the pointer. */
  sha256: string;
  /**
   * Summary: `clean`, `modified` (workspace differs from the pointer), `missing-workspace` (data
   * absent: run checkout), `missing-cache` (workspace matches but cache objects are absent: run
   * pull or add), `corrupt-cache` (with `verify`: a cache object's bytes do not match its hash).
   */
  status: 'clean' | 'modified' | 'missing-workspace' | 'missing-cache' | 'corrupt-cache';
  /** Workspace vs pointer. */
  workspace: 'clean' | 'modified' | 'missing';
  /** Pointer vs cache: every object present (`ok`), some absent, or (with `verify`) some corrupt. */
  cache: 'ok' | 'missing' | 'corrupt';
  /** Changed files of a folder (empty for a file). */
  changes: DataChange[];
  /** Objects of the pointer absent from the cache. */
  missingObjects: number;
  /** Objects whose bytes do not match their hash (only checked with `verify`). */
  corruptObjects: number;
}

/** Options of {@link dataStatus}. */
export interface DataStatusOptions extends DataVersionOptions {
  /**
   * Also rehash every cache object to detect corruption (slow on big data).
   * @default false
   */
  verify?: boolean;
}

/** Pointer files under the root (skipping `.git`, `node_modules` and the cache). */
async function findPointers(o: Resolved): Promise<string[]> {
  const files = await walk(o.root, (abs) => {
    const name = basename(abs);
    return name === '.git' || name === 'node_modules' || abs === o.cacheDir || abs === dirname(o.stateFile);
  });
  return files.filter((f) => f.abs.endsWith(POINTER_SUFFIX)).map((f) => f.abs);
}

async function targetsOf(paths: string | readonly string[] | undefined, o: Resolved): Promise<Target[]> {
  const list = typeof paths === 'string' ? [paths] : paths ?? [];
  if (list.length === 0) return (await findPointers(o)).map((p) => resolveTarget(p, o.root));
  return list.map((p) => resolveTarget(p, o.root));
}

/** The (relative path → expected entry) of a pointer, with the absolute workspace path of each. */
function expectedFiles(pointer: DataPointer, data: string): { rel: string; abs: string; entry: ManifestEntry }[] {
  if (pointer.kind === 'file') return [{ rel: pointer.path, abs: data, entry: { sha256: pointer.sha256, size: pointer.size } }];
  return Object.entries(pointer.manifest ?? {}).map(([rel, entry]) => ({ rel, abs: join(data, ...rel.split('/')), entry }));
}

/**
 * Compares each versioned path's workspace with its pointer and the cache: clean, modified (with
 * the changed files of a folder), missing from the workspace, or missing from the cache. With no
 * paths, every pointer file under the root is checked. Unchanged files are not rehashed.
 *
 * @example
 * ```ts
 * import { dataStatus } from 'mlship/data';
 * for (const s of await dataStatus()) console.log(s.path, s.status, s.changes);
 * ```
 */
export async function dataStatus(paths?: string | readonly string[], options: DataStatusOptions = {}): Promise<DataStatus[]> {
  const o = resolveOptions(options);
  const targets = await targetsOf(paths, o);
  const state = await StateIndex.load(o.stateFile);
  const out: DataStatus[] = [];
  for (const t of targets) {
    const pointer = await readPointer(t.pointer);
    const expected = expectedFiles(pointer, t.data);
    const progress = new ProgressTracker(options.onProgress, pointer.size, expected.length);
    const stats: HashStats = { hashed: 0, reused: 0 };
    const changes: DataChange[] = [];
    const dataSt = await lstat(t.data).catch(() => undefined);
    let workspace: DataStatus['workspace'];
    if (!dataSt || (pointer.kind === 'folder') !== (await stat(t.data).then((s) => s.isDirectory()).catch(() => false))) {
      workspace = dataSt ? 'modified' : 'missing';
    } else {
      const actual = await mapPool(expected, o.jobs, async (f) => ((await fileExists(f.abs)) ? (await hashWithState(f.abs, state, stats, progress)).sha256 : undefined));
      expected.forEach((f, i) => {
        if (actual[i] === undefined) changes.push({ path: f.rel, change: 'deleted' });
        else if (actual[i] !== f.entry.sha256) changes.push({ path: f.rel, change: 'modified' });
      });
      if (pointer.kind === 'folder') {
        const known = new Set(Object.keys(pointer.manifest ?? {}));
        for (const f of await walk(t.data, (abs) => abs.endsWith(POINTER_SUFFIX))) if (!known.has(f.rel)) changes.push({ path: f.rel, change: 'added' });
        changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      }
      workspace = changes.length === 0 ? 'clean' : pointer.kind === 'folder' && changes.length === expected.length && changes.every((c) => c.change === 'deleted') && expected.length > 0 ? 'missing' : 'modified';
      if (pointer.kind === 'file') changes.length = 0;
    }
    progress.done();
    const unique = new Map(expected.map((f) => [f.entry.sha256, f.entry]));
    let missingObjects = 0;
    let corruptObjects = 0;
    for (const [hash] of unique) {
      const obj = objectPath(o.cacheDir, hash);
      if (!(await fileExists(obj))) missingObjects++;
      else if (options.verify && (await hashFile(obj)) !== hash) corruptObjects++;
    }
    const cache: DataStatus['cache'] = missingObjects > 0 ? 'missing' : corruptObjects > 0 ? 'corrupt' : 'ok';
    const status: DataStatus['status'] =
      workspace === 'missing' ? 'missing-workspace' : workspace === 'modified' ? 'modified' : cache === 'missing' ? 'missing-cache' : cache === 'corrupt' ? 'corrupt-cache' : 'clean';
    out.push({ path: display(t.data, o.root), pointerFile: display(t.pointer, o.root), kind: pointer.kind, sha256: pointer.sha256, status, workspace, cache, changes, missingObjects, corruptObjects });
  }
  await state.save();
  return out;
}

/** Options of {@link checkoutData}. */
export interface CheckoutOptions extends DataVersionOptions {
  /**
   * Overwrite workspace files that differ from the pointer (and delete files a versioned folder
   * does not list). Without it such files make the checkout fail before anything is written.
   * @default false
   */
  force?: boolean;
}

/** What {@link checkoutData} did for one pointer. */
export interface CheckoutResult {
  /** The data path (relative to the root when inside it). */
  path: string;
  /** The pointer file it was restored from. */
  pointerFile: string;
  /** Files written from the cache. */
  restored: number;
  /** Files already matching the pointer. */
  unchanged: number;
  /** Files deleted from a versioned folder because the pointer does not list them (with `force`). */
  removed: number;
}

/**
 * Restores versioned data in the workspace from the cache, file by file (each written to a temp
 * file, its hash verified, then renamed into place). Workspace files that differ from the pointer
 * are not overwritten unless `force` is set: such a pointer is skipped, the others are restored,
 * and the call then fails with ALREADY_EXISTS listing the changed files.
 *
 * @example
 * ```ts
 * import { checkoutData } from 'mlship/data';
 * await checkoutData('data/train.csv');                 // restore a deleted file
 * await checkoutData(undefined, { force: true });       // every pointer, discarding local edits
 * ```
 */
export async function checkoutData(paths?: string | readonly string[], options: CheckoutOptions = {}): Promise<CheckoutResult[]> {
  const o = resolveOptions(options);
  const targets = await targetsOf(paths, o);
  const state = await StateIndex.load(o.stateFile);
  const out: CheckoutResult[] = [];
  const refused: MlshipError[] = [];
  try {
    // A pointer with local changes is skipped, the others are still restored; the refusals are
    // reported together at the end.
    for (const t of targets) {
      try {
        out.push(await checkoutOne(t, o, state, options));
      } catch (err) {
        if (err instanceof MlshipError && err.code === 'ALREADY_EXISTS') refused.push(err);
        else throw err;
      }
    }
  } finally {
    await state.save();
  }
  if (refused.length === 1) throw refused[0]!;
  if (refused.length > 1) {
    throw new MlshipError('ALREADY_EXISTS', `${refused.length} versioned paths have local changes and were not checked out (the others were):\n${refused.map((e) => `  - ${e.message}`).join('\n')}`, {
      files: refused.flatMap((e) => (e.details.files as string[] | undefined) ?? []),
      hint: refused[0]!.details.hint,
    });
  }
  return out;
}

async function checkoutOne(t: Target, o: Resolved, state: StateIndex, options: CheckoutOptions): Promise<CheckoutResult> {
  const pointer = await readPointer(t.pointer);
  const shown = display(t.data, o.root);
  const expected = expectedFiles(pointer, t.data);
  const stats: HashStats = { hashed: 0, reused: 0 };
  const progress = new ProgressTracker(options.onProgress, pointer.size, expected.length);
  const dataSt = await stat(t.data).catch(() => undefined);
  const wrongKind = dataSt !== undefined && (pointer.kind === 'folder' ? !dataSt.isDirectory() : !dataSt.isFile());
  if (wrongKind) {
    if (!options.force) throw conflict(shown, [`${shown} is a ${dataSt!.isDirectory() ? 'folder' : 'file'} but the pointer records a ${pointer.kind}`]);
    await rm(t.data, { recursive: true, force: true });
  }
  // Hash the workspace first, so a conflict fails before anything is written.
  const actual = await mapPool(expected, o.jobs, async (f) => ((await fileExists(f.abs)) ? (await hashWithState(f.abs, state, stats, new ProgressTracker(undefined, 0))).sha256 : undefined));
  const extra = pointer.kind === 'folder' && dataSt?.isDirectory() && !wrongKind ? (await walk(t.data, (abs) => abs.endsWith(POINTER_SUFFIX))).filter((f) => !(pointer.manifest ?? {})[f.rel]) : [];
  const conflicts = [...expected.filter((f, i) => actual[i] !== undefined && actual[i] !== f.entry.sha256).map((f) => display(f.abs, o.root)), ...extra.map((f) => `${display(f.abs, o.root)} (not in the pointer)`)];
  if (conflicts.length > 0 && !options.force) throw conflict(shown, conflicts);
  const missing = [...new Set(expected.filter((f, i) => actual[i] !== f.entry.sha256).map((f) => f.entry.sha256))];
  for (const hash of missing) {
    if (!(await fileExists(objectPath(o.cacheDir, hash)))) {
      throw new MlshipError('NOT_FOUND', `cannot check out ${shown}: object ${hash} is not in the cache ${display(o.cacheDir, o.root)}; fetch it with mlship data pull`, { file: shown, value: hash, hint: 'mlship data pull --remote <dir>' });
    }
  }
  let restored = 0;
  await mapPool(expected, o.jobs, async (f, i) => {
    if (actual[i] === f.entry.sha256) {
      progress.addBytes(f.entry.size);
    } else {
      await copyHashed(objectPath(o.cacheDir, f.entry.sha256), f.abs, f.entry.sha256, (n) => progress.addBytes(n));
      state.record(f.abs, await statBig(f.abs), f.entry.sha256);
      restored++;
    }
    progress.rows++;
  });
  for (const f of extra) await rm(f.abs, { force: true });
  if (pointer.kind === 'folder') await mkdir(t.data, { recursive: true });
  progress.done();
  return { path: shown, pointerFile: display(t.pointer, o.root), restored, unchanged: expected.length - restored, removed: extra.length };
}

function conflict(shown: string, files: string[]): MlshipError {
  const list = files.slice(0, 10).join(', ') + (files.length > 10 ? `, and ${files.length - 10} more` : '');
  return new MlshipError('ALREADY_EXISTS', `cannot check out ${shown}: the workspace has changes the pointer does not record (${list}); version them with mlship data add, or discard them with --force`, {
    file: shown,
    files,
    hint: 'mlship data add <path> to keep the changes, or mlship data checkout <path> --force to discard them',
  });
}

/** The version of a dataset: what a run that read it records. */
export interface DataVersion {
  /** The data path (relative to the root when inside it). */
  path: string;
  /** sha256 of the file, or of the folder's manifest. */
  sha256: string;
  /** Total size in bytes. */
  size: number;
  /** Number of files. */
  files: number;
  /** The pointer file, when the data is versioned. */
  pointerFile?: string;
  /** True when the workspace differs from the pointer (the hash is then the workspace's). */
  modified: boolean;
}

/**
 * The content hash of a dataset, for lineage: a run that reads `path` records it. With a pointer
 * file the pointer's hash is returned once the workspace is confirmed to match it (unchanged files
 * are not rehashed, thanks to the state index); otherwise the hash is computed the same way
 * {@link addData} would (sha256 of a file, manifest hash of a folder), with nothing stored.
 *
 * @example
 * ```ts
 * import { dataVersionOf } from 'mlship/data';
 * const v = await dataVersionOf('data/train.csv'); // { path, sha256, size, files, modified }
 * ```
 */
export async function dataVersionOf(path: string, options: DataVersionOptions = {}): Promise<DataVersion> {
  const o = resolveOptions(options);
  const t = resolveTarget(path, o.root);
  const state = await StateIndex.load(o.stateFile);
  const progress = new ProgressTracker(options.onProgress, undefined);
  const stats: HashStats = { hashed: 0, reused: 0 };
  const { kind, files } = await filesOf(t.data, o.cacheDir, o.root);
  const hashes = await mapPool(files, o.jobs, (f) => hashWithState(f.abs, state, stats, progress));
  await state.save();
  let sha256: string;
  if (kind === 'file') sha256 = hashes[0]!.sha256;
  else {
    const manifest: Record<string, ManifestEntry> = {};
    files.forEach((f, i) => (manifest[f.rel] = hashes[i]!));
    sha256 = manifestHash(manifest);
  }
  const pointer = await readPointer(t.pointer).catch((err: unknown) => {
    if (err instanceof MlshipError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  });
  return {
    path: display(t.data, o.root),
    sha256,
    size: hashes.reduce((s, h) => s + h.size, 0),
    files: files.length,
    ...(pointer ? { pointerFile: display(t.pointer, o.root) } : {}),
    modified: pointer !== undefined && pointer.sha256 !== sha256,
  };
}

export { resolveOptions, targetsOf, expectedFiles, display, type Resolved };

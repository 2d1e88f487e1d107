/**
 * The local artifact backend: a folder on this machine's file system. Every write goes to a
 * temporary file in the destination folder, is fsynced and renamed into place, so a reader (or a
 * crash) never sees half a file; files are copied by the kernel (`copyFile`), never buffered whole.
 */
import { lstat, mkdir, readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlshipError, copyFileAtomic, syncDir, writeFileAtomic } from '../../core/index.js';
import type { ArtifactInfo, ArtifactStore } from './artifact-store.js';

/** Temporary files end with this suffix; {@link LocalArtifactStore.list} hides them. */
const TEMP_SUFFIX = '.mlship-tmp';

function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

/** Translates a file-system error into an MlshipError naming the path and what was being done. */
function fsError(err: unknown, path: string, action: string): MlshipError {
  if (err instanceof MlshipError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return new MlshipError('NOT_FOUND', `cannot ${action} ${path}: no such file or folder`, { file: path }, { cause: err });
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return new MlshipError('PERMISSION_DENIED', `cannot ${action} ${path}: permission denied`, { file: path }, { cause: err });
  return new MlshipError('IO_ERROR', `cannot ${action} ${path}: ${e?.message ?? String(err)}`, { file: path }, { cause: err });
}

/** `stat` of `path` (`lstat`, not following a link, when `follow` is false), failing with `fsError` and `action`. */
async function statOr(path: string, action: string, follow = true): Promise<Stats> {
  try {
    return await (follow ? stat(path) : lstat(path));
  } catch (err) {
    throw fsError(err, path, action);
  }
}

/**
 * Checks an artifact path and returns its segments: relative, `/`-separated, no `..`, no NUL. An
 * empty path (or `.`) is the root. Backslashes are ordinary name characters on POSIX, but a `..`
 * between backslashes is refused too, so a path means the same thing on every platform.
 */
export function artifactPathSegments(artifactPath: string | undefined, field = 'artifactPath'): string[] {
  if (artifactPath === undefined) return [];
  if (typeof artifactPath !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be a string, got ${typeof artifactPath}`, { field, value: artifactPath });
  }
  if (artifactPath.includes('\0')) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} ${JSON.stringify(artifactPath)} contains a NUL byte; use a plain relative path such as 'plots/roc.png'`, { field, value: artifactPath });
  }
  if (artifactPath.startsWith('/') || artifactPath.startsWith('\\') || /^[a-zA-Z]:/.test(artifactPath) || isAbsolute(artifactPath)) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} '${artifactPath}' is absolute; artifact paths are relative to the run's artifact root, e.g. 'plots/roc.png'`, { field, value: artifactPath });
  }
  const parts = artifactPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.split('\\').includes('..'))) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} '${artifactPath}' contains '..' and would escape the artifact root; use a path inside it, e.g. 'plots/roc.png'`, { field, value: artifactPath });
  }
  if (sep === '\\' && parts.some((p) => p.includes('\\'))) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} '${artifactPath}' contains a backslash; use '/' to separate folders`, { field, value: artifactPath });
  }
  return parts;
}

/** True when `child` is `parent` or inside it (both absolute, normalised). */
function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** Copies `src` to `dest` atomically (kernel copy to a hidden temporary file, fsync, rename); the folder is synced by the caller. */
function copyAtomic(src: string, dest: string): Promise<void> {
  return copyFileAtomic(src, dest, { tempSuffix: TEMP_SUFFIX, syncFolder: false });
}

/** Writes `data` to `dest` atomically (hidden temporary file, fsync, rename). */
function writeAtomic(dest: string, data: Uint8Array): Promise<void> {
  return writeFileAtomic(dest, data, { tempSuffix: TEMP_SUFFIX, syncFolder: false });
}

/** One file or folder of a local tree being logged, relative to its root. */
interface TreeEntry {
  rel: string[];
  abs: string;
  isDir: boolean;
}

/**
 * Lists a local folder recursively (folders before their contents), refusing symbolic links (which
 * could smuggle files from outside the folder into the store) and special files.
 */
async function walkLocal(dir: string, rel: string[] = [], out: TreeEntry[] = []): Promise<TreeEntry[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch (err) {
    throw fsError(err, dir, 'read the folder');
  }
  for (const name of names) {
    const abs = join(dir, name);
    const st = await statOr(abs, 'read', false);
    if (st.isSymbolicLink()) {
      throw new MlshipError('PERMISSION_DENIED', `${abs} is a symbolic link: links are not logged as artifacts (they could point outside the folder); copy the file it points to instead`, { file: abs });
    }
    if (st.isDirectory()) {
      out.push({ rel: [...rel, name], abs, isDir: true });
      await walkLocal(abs, [...rel, name], out);
    } else if (st.isFile()) {
      out.push({ rel: [...rel, name], abs, isDir: false });
    } else {
      throw new MlshipError('INVALID_ARGUMENT', `${abs} is not a regular file or folder (a socket, pipe or device); only files and folders can be logged`, { file: abs });
    }
  }
  return out;
}

/**
 * An {@link ArtifactStore} over a local folder. Artifact paths are checked (no `..`, no absolute
 * paths, no NUL bytes); a symbolic link inside the store that points outside its root is refused
 * with PERMISSION_DENIED, as is a symbolic link inside a folder being logged. Every write is atomic.
 * The root folder is created on the first write.
 *
 * @example
 * ```ts
 * import { openArtifactStore } from 'mlship/tracking';
 * const store = await openArtifactStore('/tmp/mlship-demo/artifacts/run-1'); // a LocalArtifactStore
 * await store.writeBytes('notes/readme.txt', new TextEncoder().encode('hello'));
 * console.log(await store.list('notes')); // [{ path: 'notes/readme.txt', isDir: false, size: 5 }]
 * ```
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly rootUri: string;
  /** The absolute root folder. */
  readonly root: string;

  /**
   * @param rootUri - a `file:` URI or a file-system path (relative paths are resolved against the
   *   working folder)
   */
  constructor(rootUri: string) {
    if (typeof rootUri !== 'string' || rootUri === '') {
      throw new MlshipError('INVALID_ARGUMENT', `the artifact root must be a non-empty path or file: URI, got ${JSON.stringify(rootUri)}`, { field: 'rootUri', value: rootUri });
    }
    this.rootUri = rootUri;
    let path = rootUri;
    if (/^file:/i.test(rootUri)) {
      try {
        path = fileURLToPath(rootUri);
      } catch (err) {
        throw new MlshipError('INVALID_ARGUMENT', `the artifact URI '${rootUri}' is not a valid file: URI (${(err as Error).message}); write file:///absolute/path`, { field: 'rootUri', value: rootUri }, { cause: err });
      }
    }
    this.root = resolve(path);
  }

  /** The absolute local path of an artifact path (checked lexically). */
  private target(artifactPath: string | undefined, field = 'artifactPath'): { abs: string; parts: string[] } {
    const parts = artifactPathSegments(artifactPath, field);
    return { abs: join(this.root, ...parts), parts };
  }

  /**
   * Refuses access through a symbolic link that leads outside the root: resolves the deepest
   * existing prefix of `abs` (the whole path when `followLast`, else its parent) and checks it
   * stays inside the resolved root.
   */
  private async checkInsideRoot(abs: string, followLast = true): Promise<void> {
    let realRoot: string;
    try {
      realRoot = await realpath(this.root);
    } catch {
      return; // no root yet: nothing inside it can be a link
    }
    if (!followLast && abs === this.root) return;
    let probe = followLast ? abs : dirname(abs);
    for (;;) {
      let real: string | undefined;
      try {
        real = await realpath(probe);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw fsError(err, probe, 'resolve');
      }
      if (real !== undefined) {
        if (!isInside(real, realRoot)) {
          const link = await this.findLink(probe);
          throw new MlshipError('PERMISSION_DENIED', link
            ? `${link} is a symbolic link leading to ${real}, outside the artifact root ${this.root}; artifacts may not be read or written through it (remove the link)`
            : `${probe} resolves to ${real}, outside the artifact root ${this.root}; artifacts may not be read or written there`, {
            file: link ?? probe,
            value: real,
          });
        }
        return;
      }
      if (probe === this.root || !isInside(probe, this.root)) return;
      probe = dirname(probe);
    }
  }

  /** The first symbolic link on the way from the root to `abs`, for error messages. */
  private async findLink(abs: string): Promise<string | undefined> {
    const parts = relative(this.root, abs).split(sep).filter(Boolean);
    let at = this.root;
    for (const part of parts) {
      at = join(at, part);
      try {
        if ((await lstat(at)).isSymbolicLink()) return at;
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Creates a folder inside the root (and its parents), checking none of them is an escaping link. */
  private async ensureDir(abs: string): Promise<void> {
    await this.checkInsideRoot(abs);
    try {
      await mkdir(abs, { recursive: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'EEXIST' || e.code === 'ENOTDIR') {
        throw new MlshipError('INVALID_ARGUMENT', `cannot create the artifact folder ${abs}: a file is in the way; choose another artifact path`, { file: abs }, { cause: err });
      }
      throw fsError(err, abs, 'create the artifact folder');
    }
  }

  /** `stat` of the artifact at `abs`: NOT_FOUND naming `parts` when there is none, else `fsError` with `action`. */
  private async statArtifact(abs: string, parts: string[], artifactPath: string, action: string): Promise<Stats> {
    try {
      return await stat(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new MlshipError('NOT_FOUND', `there is no artifact '${parts.join('/')}' under ${this.rootUri}`, { field: 'artifactPath', value: artifactPath, file: abs });
      }
      throw fsError(err, abs, action);
    }
  }

  /** Fails when an existing folder is where a file is to be written. */
  private async refuseDirAt(abs: string, artifactPath: string): Promise<void> {
    let st: Stats | undefined;
    try {
      st = await lstat(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      throw new MlshipError('INVALID_ARGUMENT', `the artifact '${artifactPath}' is a folder; a file cannot replace it (delete it first or choose another path)`, { field: 'artifactPath', value: artifactPath });
    }
  }

  async logFile(localPath: string, artifactPath?: string): Promise<void> {
    const src = resolve(localPath);
    const st = await statOr(src, 'log the file');
    if (st.isDirectory()) {
      throw new MlshipError('INVALID_ARGUMENT', `${src} is a folder: log it with logDir (or ActiveRun.logArtifact, which takes both)`, { file: src });
    }
    if (!st.isFile()) throw new MlshipError('INVALID_ARGUMENT', `${src} is not a regular file; only files and folders can be logged`, { file: src });
    const { abs: dir, parts } = this.target(artifactPath);
    const dest = join(dir, basename(src));
    await this.ensureDir(dir);
    await this.refuseDirAt(dest, [...parts, basename(src)].join('/'));
    try {
      await copyAtomic(src, dest);
    } catch (err) {
      throw fsError(err, src, `copy to ${dest}`);
    }
    await syncDir(dir);
  }

  async logDir(localDir: string, artifactPath?: string): Promise<void> {
    const src = resolve(localDir);
    const st = await statOr(src, 'log the folder');
    if (!st.isDirectory()) throw new MlshipError('INVALID_ARGUMENT', `${src} is not a folder: log it with logFile`, { file: src });
    const { abs: destRoot } = this.target(artifactPath);
    // Check the whole tree before writing anything, so a refused link leaves the store unchanged.
    const entries = await walkLocal(src);
    await this.ensureDir(destRoot);
    const dirs = new Set<string>([destRoot]);
    for (const e of entries) {
      const dest = join(destRoot, ...e.rel);
      if (e.isDir) {
        await this.ensureDir(dest);
        dirs.add(dest);
        continue;
      }
      await this.refuseDirAt(dest, e.rel.join('/'));
      try {
        await copyAtomic(e.abs, dest);
      } catch (err) {
        throw fsError(err, e.abs, `copy to ${dest}`);
      }
    }
    for (const d of dirs) await syncDir(d);
  }

  async writeBytes(artifactPath: string, data: Uint8Array): Promise<void> {
    const { abs, parts } = this.target(artifactPath);
    if (parts.length === 0) {
      throw new MlshipError('INVALID_ARGUMENT', `writeBytes needs a file path such as 'notes/readme.txt', got ${JSON.stringify(artifactPath)}`, { field: 'artifactPath', value: artifactPath });
    }
    if (!(data instanceof Uint8Array)) {
      throw new MlshipError('INVALID_ARGUMENT', `data for '${artifactPath}' must be a Uint8Array (encode text with new TextEncoder().encode(text))`, { field: 'data' });
    }
    const dir = dirname(abs);
    await this.ensureDir(dir);
    await this.checkInsideRoot(abs, false);
    await this.refuseDirAt(abs, parts.join('/'));
    try {
      await writeAtomic(abs, data);
    } catch (err) {
      throw fsError(err, abs, 'write the artifact');
    }
    await syncDir(dir);
  }

  async readBytes(artifactPath: string): Promise<Uint8Array> {
    const { abs, parts } = this.target(artifactPath);
    await this.checkInsideRoot(abs);
    const st = await this.statArtifact(abs, parts, artifactPath, 'read the artifact');
    if (st.isDirectory()) {
      throw new MlshipError('INVALID_ARGUMENT', `the artifact '${parts.join('/')}' is a folder: list it, or download it with download()`, { field: 'artifactPath', value: artifactPath });
    }
    try {
      const buf = await readFile(abs);
      return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    } catch (err) {
      throw fsError(err, abs, 'read the artifact');
    }
  }

  async list(artifactPath?: string): Promise<ArtifactInfo[]> {
    const { abs, parts } = this.target(artifactPath);
    await this.checkInsideRoot(abs);
    let names: string[];
    try {
      names = await readdir(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return [];
      throw fsError(err, abs, 'list the artifacts in');
    }
    const out: ArtifactInfo[] = [];
    for (const name of names) {
      if (isTempName(name)) continue;
      const child = join(abs, name);
      let st: Stats;
      try {
        st = await lstat(child);
        if (st.isSymbolicLink()) {
          await this.checkInsideRoot(child);
          st = await stat(child);
        }
      } catch (err) {
        if (err instanceof MlshipError) throw err;
        continue; // vanished or dangling: not an artifact
      }
      const path = [...parts, name].join('/');
      if (st.isDirectory()) out.push({ path, isDir: true, size: null });
      else if (st.isFile()) out.push({ path, isDir: false, size: st.size });
    }
    return out.sort((a, b) => (a.isDir !== b.isDir ? (a.isDir ? -1 : 1) : a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async download(artifactPath: string, destDir: string): Promise<string> {
    const { abs, parts } = this.target(artifactPath);
    await this.checkInsideRoot(abs);
    const st = await this.statArtifact(abs, parts, artifactPath, 'download the artifact');
    const destBase = resolve(destDir);
    const dest = parts.length === 0 ? destBase : join(destBase, parts[parts.length - 1]!);
    try {
      await mkdir(destBase, { recursive: true });
      if (!st.isDirectory()) {
        await copyAtomic(abs, dest);
        return dest;
      }
      await mkdir(dest, { recursive: true });
      await this.copyTreeOut(abs, dest);
      return dest;
    } catch (err) {
      throw fsError(err, dest, `download '${parts.join('/')}' to`);
    }
  }

  /** Copies a store folder out, checking each symbolic link stays inside the root. */
  private async copyTreeOut(from: string, to: string): Promise<void> {
    for (const name of (await readdir(from)).sort()) {
      if (isTempName(name)) continue;
      const src = join(from, name);
      const dest = join(to, name);
      let st = await lstat(src);
      if (st.isSymbolicLink()) {
        await this.checkInsideRoot(src);
        st = await stat(src);
      }
      if (st.isDirectory()) {
        await mkdir(dest, { recursive: true });
        await this.copyTreeOut(src, dest);
      } else if (st.isFile()) {
        await copyAtomic(src, dest);
      }
    }
  }

  async delete(artifactPath?: string): Promise<void> {
    const { abs } = this.target(artifactPath);
    await this.checkInsideRoot(abs, false);
    try {
      await rm(abs, { recursive: true, force: true });
    } catch (err) {
      throw fsError(err, abs, 'delete the artifact');
    }
  }

  localPath(artifactPath?: string): string | null {
    return this.target(artifactPath).abs;
  }
}

/**
 * The artifact store interface: the files a run produces (model packages, plots, reports, CV
 * results), kept under the run's artifact URI. Backends are chosen by URI scheme (`file:` or a
 * plain path now; `s3:` later) and imported lazily.
 */

/** One entry of {@link ArtifactStore.list}. */
export interface ArtifactInfo {
  /** The path relative to the store's root (not to the folder listed), with `/` separators: it can be passed back to `readBytes`. */
  path: string;
  isDir: boolean;
  /** Size in bytes; `null` for folders. */
  size: number | null;
}

/**
 * Files under one root URI (a run's `artifactUri`). Artifact paths are relative, use `/`, and may
 * not escape the root: `..` segments, absolute paths and symlinks (in the source being logged or
 * in the store) are INVALID_ARGUMENT / PERMISSION_DENIED errors that name the path. Writes are
 * atomic: a reader never sees a half-written file.
 *
 * @example
 * ```ts
 * import { openArtifactStore } from 'mlship/tracking';
 * const artifacts = await openArtifactStore(run.info.artifactUri);
 * await artifacts.logFile('report.html', 'reports');          // → reports/report.html
 * await artifacts.writeBytes('metrics/cv.json', new TextEncoder().encode('{}'));
 * console.log(await artifacts.list('reports'));
 * ```
 */
export interface ArtifactStore {
  /** The root URI this store writes under. */
  readonly rootUri: string;
  /** Copies a local file to `<artifactPath>/<basename>` (or the root when `artifactPath` is omitted). */
  logFile(localPath: string, artifactPath?: string): Promise<void>;
  /** Copies a local folder's contents (recursively) under `artifactPath`. */
  logDir(localDir: string, artifactPath?: string): Promise<void>;
  /** Writes bytes to exactly `artifactPath`. */
  writeBytes(artifactPath: string, data: Uint8Array): Promise<void>;
  /** Reads one artifact file. NOT_FOUND names the path. */
  readBytes(artifactPath: string): Promise<Uint8Array>;
  /** The direct children of a folder (the root when omitted), folders first then by name. */
  list(artifactPath?: string): Promise<ArtifactInfo[]>;
  /** Copies an artifact file or folder to a local destination folder; returns the local path. */
  download(artifactPath: string, destDir: string): Promise<string>;
  /** Deletes a file or folder (the whole root when omitted). Missing paths are not an error. */
  delete(artifactPath?: string): Promise<void>;
  /** A local filesystem path for the artifact when the backend is local, else `null`. */
  localPath(artifactPath?: string): string | null;
}

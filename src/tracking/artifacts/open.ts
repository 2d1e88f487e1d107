/**
 * Opening an artifact store from a URI: the scheme picks the backend, whose module is imported
 * only when it is used (so the S3 client, later, costs nothing to users of local files).
 */
import { MlshipError } from '../../core/index.js';
import type { ArtifactStore } from './artifact-store.js';

type Opener = (uri: string) => Promise<ArtifactStore>;

const local: Opener = async (uri) => {
  const { LocalArtifactStore } = await import('./local.js');
  return new LocalArtifactStore(uri);
};

const BACKENDS: Record<string, Opener> = { file: local };

/**
 * The URI schemes {@link openArtifactStore} knows (plain paths, without a scheme, are local too).
 *
 * @example
 * ```ts
 * import { artifactStoreSchemes } from 'mlship/tracking';
 * console.log(artifactStoreSchemes()); // ['file']
 * ```
 */
export function artifactStoreSchemes(): string[] {
  return Object.keys(BACKENDS);
}

/**
 * Opens the artifact store rooted at `uri` (a run's `artifactUri`, usually). `file:` URIs and
 * plain paths (absolute, or relative to the working folder) open a {@link LocalArtifactStore};
 * another scheme is NOT_FOUND, listing the known ones. Opening has no side effects: the root
 * folder is created by the first write.
 *
 * @param uri - e.g. `/data/mlship/artifacts/0/<run-id>/artifacts` or `file:///data/mlship/artifacts`
 *
 * @example
 * ```ts
 * import { openArtifactStore } from 'mlship/tracking';
 * const store = await openArtifactStore('file:///tmp/mlship-demo/artifacts');
 * await store.writeBytes('hello.txt', new TextEncoder().encode('hi'));
 * console.log(new TextDecoder().decode(await store.readBytes('hello.txt'))); // 'hi'
 * ```
 */
export async function openArtifactStore(uri: string): Promise<ArtifactStore> {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw new MlshipError('INVALID_ARGUMENT', `the artifact URI must be a non-empty string, got ${JSON.stringify(uri)}`, { field: 'uri', value: uri });
  }
  // Two or more letters before the colon, so that a Windows drive (`C:\...`) is a path.
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri);
  if (!match) return local(uri);
  const scheme = match[1]!.toLowerCase();
  const open = Object.prototype.hasOwnProperty.call(BACKENDS, scheme) ? BACKENDS[scheme] : undefined;
  if (!open) {
    throw new MlshipError('NOT_FOUND', `no artifact store backend for the URI scheme '${scheme}:' (in '${uri}'); known schemes: ${artifactStoreSchemes().map((s) => `${s}:`).join(', ')}, or a plain path`, {
      field: 'uri',
      value: uri,
    });
  }
  return open(uri);
}

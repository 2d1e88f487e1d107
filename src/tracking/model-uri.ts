/**
 * Model URIs: the one way every command and API names a model, whether registered, logged by a run
 * or a file on disk. Parsing only; `MlshipClient.resolveModelUri` turns a URI into a local file.
 */
import { fileURLToPath } from 'node:url';
import { MlshipError } from '../core/index.js';

/** The forms a model URI may take, for error messages. */
export const MODEL_URI_FORMS =
  "models:/<name>@<alias> (e.g. models:/housing@champion), models:/<name>/<version> (models:/housing/3), models:/<name>/latest, runs:/<run-id>/<artifact path> (runs:/<run-id>/model), or a local path to a .mlship file or to a folder holding model.mlship";

/**
 * A parsed model URI.
 *
 * @example
 * ```ts
 * import { parseModelUri } from 'mlship/tracking';
 * parseModelUri('models:/housing@champion'); // { kind: 'alias', name: 'housing', alias: 'champion' }
 * ```
 */
export type ModelUri =
  | { kind: 'alias'; name: string; alias: string }
  | { kind: 'version'; name: string; version: number }
  | { kind: 'latest'; name: string }
  | { kind: 'run'; runId: string; artifactPath: string }
  | { kind: 'path'; path: string };

function invalid(uri: string, why: string): MlshipError {
  return new MlshipError('INVALID_ARGUMENT', `invalid model URI '${uri}': ${why}. Accepted forms: ${MODEL_URI_FORMS}`, { field: 'modelUri', value: uri });
}

const ALIAS = /^[A-Za-z_-][A-Za-z0-9_-]*$/;

/**
 * Parses a model URI. `models:/<name>@<alias>`, `models:/<name>/<version>`,
 * `models:/<name>/latest`, `runs:/<run-id>/<artifact path>`, a `file:` URI or a path without a
 * scheme. Malformed URIs are INVALID_ARGUMENT errors that list the accepted forms.
 *
 * @example
 * ```ts
 * import { parseModelUri } from 'mlship/tracking';
 * parseModelUri('models:/housing/3');          // { kind: 'version', name: 'housing', version: 3 }
 * parseModelUri('runs:/4f2a…/model');          // { kind: 'run', runId: '4f2a…', artifactPath: 'model' }
 * parseModelUri('./model.mlship');             // { kind: 'path', path: './model.mlship' }
 * ```
 */
export function parseModelUri(uri: string): ModelUri {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw new MlshipError('INVALID_ARGUMENT', `a model URI must be a non-empty string, got ${JSON.stringify(uri)}. Accepted forms: ${MODEL_URI_FORMS}`, { field: 'modelUri', value: uri });
  }
  if (uri.includes('\0')) throw invalid(uri, 'it contains a NUL byte');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]+):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'path', path: uri };
  if (scheme === 'file') {
    try {
      return { kind: 'path', path: fileURLToPath(uri) };
    } catch (err) {
      throw invalid(uri, `not a valid file: URI (${(err as Error).message})`);
    }
  }
  const rest = uri.slice(scheme.length + 1);
  if (scheme === 'models') {
    if (!rest.startsWith('/') || rest.startsWith('//')) throw invalid(uri, "write models:/ followed by the model name (one slash)");
    const body = rest.slice(1);
    const at = body.lastIndexOf('@');
    if (at >= 0) {
      const name = body.slice(0, at);
      const alias = body.slice(at + 1);
      if (name === '') throw invalid(uri, 'the model name is empty');
      if (!ALIAS.test(alias)) throw invalid(uri, `'${alias}' is not an alias name (letters, digits, '_' and '-', not starting with a digit)`);
      return { kind: 'alias', name, alias };
    }
    const slash = body.lastIndexOf('/');
    if (slash <= 0) throw invalid(uri, 'it names no version or alias');
    const name = body.slice(0, slash);
    const tail = body.slice(slash + 1);
    if (tail === 'latest') return { kind: 'latest', name };
    if (!/^[1-9][0-9]*$/.test(tail) || !Number.isSafeInteger(Number(tail))) throw invalid(uri, `'${tail}' is not a version number (1, 2, ...) or 'latest'`);
    return { kind: 'version', name, version: Number(tail) };
  }
  if (scheme === 'runs') {
    if (!rest.startsWith('/') || rest.startsWith('//')) throw invalid(uri, 'write runs:/ followed by the run id (one slash)');
    const body = rest.slice(1);
    const slash = body.indexOf('/');
    const runId = slash < 0 ? body : body.slice(0, slash);
    const artifactPath = slash < 0 ? '' : body.slice(slash + 1).replace(/\/+$/, '');
    if (runId === '') throw invalid(uri, 'the run id is empty');
    if (artifactPath === '') throw invalid(uri, "it names no artifact path after the run id (the model a run logged is at 'model')");
    return { kind: 'run', runId, artifactPath };
  }
  throw invalid(uri, `unknown scheme '${scheme}:'`);
}

/**
 * Formats a model URI. The inverse of {@link parseModelUri} for registry and run URIs.
 *
 * @example
 * ```ts
 * import { formatModelUri } from 'mlship/tracking';
 * formatModelUri({ kind: 'alias', name: 'housing', alias: 'champion' }); // 'models:/housing@champion'
 * ```
 */
export function formatModelUri(uri: ModelUri): string {
  switch (uri.kind) {
    case 'alias':
      return `models:/${uri.name}@${uri.alias}`;
    case 'version':
      return `models:/${uri.name}/${uri.version}`;
    case 'latest':
      return `models:/${uri.name}/latest`;
    case 'run':
      return `runs:/${uri.runId}/${uri.artifactPath}`;
    case 'path':
      return uri.path;
  }
}

/**
 * Opening a tracking store from a URI: the scheme picks the backend, whose module is imported only
 * when it is used.
 */
import { MlshipError } from '../../core/index.js';
import type { TrackingStore } from '../store.js';

/** The default store URI: a SQLite file under `./mlship/`. */
export const DEFAULT_TRACKING_URI = 'sqlite:mlship/mlship.db';

/** Options of {@link openTrackingStore}. */
export interface OpenTrackingStoreOptions {
  /** Create or upgrade the schema on open (`store.migrate()`). @default true */
  migrate?: boolean;
  /** Root folder of artifact locations. @default `<folder of the database>/artifacts` */
  artifactRoot?: string;
}

type Opener = (rest: string, uri: string, options: OpenTrackingStoreOptions) => Promise<TrackingStore>;

const BACKENDS: Record<string, Opener> = {
  sqlite: async (rest, uri, options) => {
    const { SqliteTrackingStore } = await import('./sqlite.js');
    return new SqliteTrackingStore({ path: sqlitePath(rest, uri), artifactRoot: options.artifactRoot });
  },
};

/** The URI schemes {@link openTrackingStore} knows. */
export function trackingStoreSchemes(): string[] {
  return Object.keys(BACKENDS);
}

/**
 * `sqlite:///abs/path.db` → `/abs/path.db`; `sqlite:rel/path.db` and `sqlite://rel/path.db` → a path
 * relative to the working folder; `sqlite::memory:` → an in-memory database.
 */
function sqlitePath(rest: string, uri: string): string {
  let path = rest;
  if (path.startsWith('//')) path = path.slice(2);
  if (path === '' || path === '/') {
    throw new MlshipError('INVALID_ARGUMENT', `the tracking URI '${uri}' names no database file; write sqlite:///abs/path/mlship.db or sqlite:rel/path/mlship.db`, { field: 'uri', value: uri });
  }
  return path === ':memory:' ? path : decodeURIComponent(path);
}

/**
 * Opens the tracking store a URI names, imports its backend lazily and, by default, migrates it.
 * Without a URI it uses `MLSHIP_TRACKING_URI`, else `./mlship/mlship.db`. A value without a scheme
 * is taken as a SQLite file path.
 *
 * @param uri - e.g. `sqlite:///data/mlship.db`, `sqlite:mlship/mlship.db`, `sqlite::memory:`
 * @default uri process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db'
 *
 * @example
 * ```ts
 * import { openTrackingStore } from 'mlship/tracking';
 * const store = await openTrackingStore('sqlite:///tmp/mlship-demo/mlship.db');
 * const expId = await store.getOrCreateExperiment('housing');
 * const run = await store.createRun({ experimentId: expId });
 * await store.logMetric(run.info.runId, 'rmse', 3.1);
 * await store.close();
 * ```
 */
export async function openTrackingStore(uri?: string, options: OpenTrackingStoreOptions = {}): Promise<TrackingStore> {
  const text = uri ?? process.env.MLSHIP_TRACKING_URI ?? DEFAULT_TRACKING_URI;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new MlshipError('INVALID_ARGUMENT', `the tracking URI must be a non-empty string, got ${JSON.stringify(uri)}`, { field: 'uri', value: uri });
  }
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):(.*)$/s.exec(text);
  const scheme = match ? match[1]!.toLowerCase() : 'sqlite';
  const rest = match ? match[2]! : text;
  const open = Object.prototype.hasOwnProperty.call(BACKENDS, scheme) ? BACKENDS[scheme] : undefined;
  if (!open) {
    throw new MlshipError('NOT_FOUND', `no tracking store backend for the URI scheme '${scheme}:' (in '${text}'); known schemes: ${trackingStoreSchemes().map((s) => `${s}:`).join(', ')}`, {
      field: 'uri',
      value: text,
    });
  }
  const store = await open(rest, text, options);
  if (options.migrate ?? true) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

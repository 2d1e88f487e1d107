/**
 * Opening a tracking store or a model registry from a URI: the scheme picks the backend, whose
 * module is imported only when it is used.
 */
import { MlshipError } from '../../core/index.js';
import type { RegistryStore } from '../registry.js';
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
 * relative to the working folder; `sqlite::memory:` → an in-memory database. Shared by every store
 * opened from a tracking URI (tracking, registry, prediction log).
 * @internal
 */
export function sqlitePath(rest: string, uri: string): string {
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
  const { open, rest, text } = pickBackend(BACKENDS, uri, uri ?? process.env.MLSHIP_TRACKING_URI ?? DEFAULT_TRACKING_URI, 'tracking');
  return migrated(await open(rest, text, options), options.migrate);
}

/** Options of {@link openRegistryStore}. */
export interface OpenRegistryStoreOptions {
  /** Create or upgrade the schema on open (`registry.migrate()`). @default true */
  migrate?: boolean;
}

type RegistryOpener = (rest: string, uri: string, options: OpenRegistryStoreOptions) => Promise<RegistryStore>;

const REGISTRY_BACKENDS: Record<string, RegistryOpener> = {
  sqlite: async (rest, uri) => {
    const { SqliteRegistryStore } = await import('./sqlite-registry.js');
    return new SqliteRegistryStore({ path: sqlitePath(rest, uri) });
  },
};

/**
 * Opens the model registry a URI names, imports its backend lazily and, by default, migrates it.
 * The URI rules are {@link openTrackingStore}'s; the registry normally shares the tracking store's
 * database (the SQLite backend opens its own connection to the same file; `sqlite::memory:` gives
 * the registry a private in-memory database of its own).
 *
 * @param uri - e.g. `sqlite:///data/mlship.db`, `sqlite:mlship/mlship.db`, `sqlite::memory:`
 * @default uri process.env.MLSHIP_REGISTRY_URI ?? process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db'
 *
 * @example
 * ```ts
 * import { openRegistryStore } from 'mlship/tracking';
 * const registry = await openRegistryStore('sqlite:///tmp/mlship-demo/mlship.db');
 * const v = await registry.createModelVersion('housing', { source: '/tmp/mlship-demo/model.mlship' });
 * await registry.setAlias('housing', 'champion', v.version);
 * await registry.close();
 * ```
 */
export async function openRegistryStore(uri?: string, options: OpenRegistryStoreOptions = {}): Promise<RegistryStore> {
  const fallback = uri ?? process.env.MLSHIP_REGISTRY_URI ?? process.env.MLSHIP_TRACKING_URI ?? DEFAULT_TRACKING_URI;
  const { open, rest, text } = pickBackend(REGISTRY_BACKENDS, uri, fallback, 'registry');
  return migrated(await open(rest, text, options), options.migrate);
}

/** Splits a URI into scheme and rest and finds its backend; a value without a scheme is a SQLite path. */
const BACKEND_NAME = { tracking: 'tracking store', registry: 'model registry', prediction: 'prediction log' } as const;

/**
 * The backend a store URI's scheme names (a value without a scheme is a SQLite path), or a clear
 * error listing the known schemes. Shared by every store opened from a URI.
 * @internal
 */
export function pickBackend<T>(backends: Record<string, T>, given: unknown, text: string, kind: keyof typeof BACKEND_NAME): { open: T; rest: string; text: string } {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new MlshipError('INVALID_ARGUMENT', `the ${kind === 'registry' ? 'registry' : 'tracking'} URI must be a non-empty string, got ${JSON.stringify(given)}`, { field: 'uri', value: given });
  }
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):(.*)$/s.exec(text);
  const scheme = match ? match[1]!.toLowerCase() : 'sqlite';
  const rest = match ? match[2]! : text;
  const open = Object.prototype.hasOwnProperty.call(backends, scheme) ? backends[scheme] : undefined;
  if (!open) {
    const known = Object.keys(backends).map((s) => `${s}:`).join(', ');
    throw new MlshipError('NOT_FOUND', `no ${BACKEND_NAME[kind]} backend for the URI scheme '${scheme}:' (in '${text}'); known schemes: ${known}`, {
      field: 'uri',
      value: text,
    });
  }
  return { open, rest, text };
}

/** Migrates a freshly opened store unless told not to; closes it when that fails. @internal */
export async function migrated<S extends { migrate(): Promise<void>; close(): Promise<void> }>(store: S, migrate: boolean | undefined): Promise<S> {
  if (migrate ?? true) {
    try {
      await store.migrate();
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}

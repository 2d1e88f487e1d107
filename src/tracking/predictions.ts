/**
 * The prediction log: what a model server predicted (inputs, outputs, model version, latency,
 * request id) and, once it arrives, the ground-truth label. Monitoring reads it back through
 * {@link PredictionStore.searchPredictions}; the model server appends to it through a
 * {@link PredictionLogWriter} (see prediction-writer.ts), which never delays a response.
 *
 * One request may carry many items (`{"texts": [...]}`, `{"instances": [...]}`): the store keeps
 * one row per item, keyed by (request id, item index), so drift and quality are computed per item
 * and a label can be posted for one item of a batch.
 */
import { MlshipError } from '../core/index.js';
import type { Page } from './entities.js';
import { DEFAULT_TRACKING_URI, migrated, pickBackend, sqlitePath } from './stores/open.js';

/**
 * One served request, as the model server logs it. A request with several items logs its
 * `inputs` and `outputs` as two arrays of the same length (item `i` is `inputs[i]` → `outputs[i]`);
 * any other record is one item (see {@link predictionItems}).
 *
 * @example
 * ```ts
 * const record: PredictionRecord = {
 *   requestId: 'b1f0c7e2', modelName: 'spam', modelVersion: '3', modelUri: 'models:/spam@champion',
 *   timestamp: Date.now(), latencyMs: 0.8,
 *   inputs: [{ text: 'Win a FREE cruise' }], outputs: [{ label: 'spam', probabilities: { ham: 0.02, spam: 0.98 } }],
 * };
 * ```
 */
export interface PredictionRecord {
  /** Unique id of the request: the `x-request-id` of the response, used to post labels later. */
  requestId: string;
  modelName: string;
  /** Registry version number as text; `null` for a plain model file. */
  modelVersion: string | null;
  modelUri: string;
  /** When the request arrived, in ms since the epoch (rounded to whole ms when stored). */
  timestamp: number;
  latencyMs: number;
  /** The validated request items (JSON-serializable; NaN and ±Infinity are kept). */
  inputs: unknown;
  /** The predictions (JSON-serializable). */
  outputs: unknown;
}

/**
 * One stored item of a request, as searches return it.
 *
 * @example
 * ```ts
 * const { items } = await store.searchPredictions({ modelName: 'spam', labelled: true });
 * const accuracy = items.filter((p) => (p.outputs as { label: string }).label === p.label).length / items.length;
 * ```
 */
export interface StoredPrediction {
  requestId: string;
  /** The item's position in its request (0 for a single-item request). */
  index: number;
  modelName: string;
  modelVersion: string | null;
  modelUri: string;
  timestamp: number;
  latencyMs: number;
  inputs: unknown;
  outputs: unknown;
  /** The ground-truth label, or `null` until one is posted. */
  label: unknown;
  /** When the label was posted (ms since the epoch), or `null`. */
  labelTimestamp: number | null;
}

/**
 * A ground-truth label for a logged prediction.
 *
 * @example
 * ```ts
 * await store.logLabels([{ requestId: 'b1f0c7e2', label: 'ham' }, { requestId: 'c9a1', index: 2, label: 'spam' }]);
 * ```
 */
export interface LabelInput {
  requestId: string;
  /** The item of the request; without it the label applies to every item of the request. @default undefined (all items) */
  index?: number;
  /** Any JSON value except `null` (NaN and ±Infinity are kept). */
  label: unknown;
  /** When the label was observed, ms since the epoch. @default Date.now() */
  timestamp?: number;
}

/**
 * What {@link PredictionStore.logLabels} did: how many labels matched a stored prediction, and the
 * request ids of those that did not.
 *
 * @example
 * ```ts
 * const { matched, missing } = await store.logLabels(labels);
 * if (missing.length) console.warn(`no prediction logged for ${missing.join(', ')}`);
 * ```
 */
export interface LabelResult {
  /** Labels (entries of the input) that matched at least one stored item. */
  matched: number;
  /** The `requestId` of every label that matched no stored item, in input order. */
  missing: string[];
}

/**
 * What {@link PredictionStore.logPredictions} wrote.
 *
 * @example
 * ```ts
 * const { written, duplicates } = await store.logPredictions(records); // duplicates: request ids logged twice
 * ```
 */
export interface LogPredictionsResult {
  /** Items (rows) written. */
  written: number;
  /** Items skipped because an item with the same (request id, index) was already stored (the first one is kept). */
  duplicates: number;
}

/**
 * Which predictions a search, count or delete concerns. Every field narrows; none means all.
 *
 * @example
 * ```ts
 * const filter: PredictionFilter = { modelName: 'spam', modelVersion: '3', from: Date.parse('2026-11-01'), labelled: true };
 * ```
 */
export interface PredictionFilter {
  /** @default undefined (every model) */
  modelName?: string;
  /** A registry version as text, or `null` for predictions of a plain model file. @default undefined (every version) */
  modelVersion?: string | null;
  /** One request's items. @default undefined */
  requestId?: string;
  /** Earliest request time, inclusive, ms since the epoch. @default undefined */
  from?: number;
  /** Latest request time, exclusive, ms since the epoch. @default undefined */
  to?: number;
  /** `true`: only items with a label; `false`: only items without. @default undefined (both) */
  labelled?: boolean;
}

/** Options of {@link PredictionStore.searchPredictions}. */
export interface SearchPredictionsOptions extends PredictionFilter {
  /** Page size, 1 to 50,000. @default 1000 */
  maxResults?: number;
  /** The `nextPageToken` of the previous page. @default undefined (first page) */
  pageToken?: string;
  /** By request time (then request id, then item index): oldest first or newest first. @default 'asc' */
  order?: 'asc' | 'desc';
}

/**
 * The prediction log backend (SQLite today, on the tracking store's file). Errors are
 * `MlshipError`s: INVALID_ARGUMENT naming the field for bad input, IO_ERROR when the file stays
 * locked; driver errors never cross this interface.
 *
 * @example
 * ```ts
 * import { openPredictionStore } from 'mlship/tracking';
 * const store = await openPredictionStore('sqlite:///tmp/mlship-demo/mlship.db');
 * await store.logPredictions([record]);
 * await store.logLabels([{ requestId: record.requestId, label: 'ham' }]); // { matched: 1, missing: [] }
 * const page = await store.searchPredictions({ modelName: 'spam', from: Date.now() - 3_600_000 });
 * await store.close();
 * ```
 */
export interface PredictionStore {
  /** Creates or upgrades the schema (shared with the tracking store). Idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Appends requests (one row per item, see {@link predictionItems}) in one transaction. */
  logPredictions(records: readonly PredictionRecord[]): Promise<LogPredictionsResult>;
  /** Sets labels (a later label replaces an earlier one) in one transaction. */
  logLabels(labels: readonly LabelInput[]): Promise<LabelResult>;
  /** Items in request-time order, paged (`limit + 1` rows; an opaque `nextPageToken`). */
  searchPredictions(options?: SearchPredictionsOptions): Promise<Page<StoredPrediction>>;
  /** How many items match. */
  countPredictions(filter?: PredictionFilter): Promise<number>;
  /** Deletes items older than `before` (ms since the epoch, exclusive), optionally of one model; returns how many. */
  deletePredictions(options: { before: number; modelName?: string }): Promise<number>;
}

/**
 * The items of a record: `[inputs[i], outputs[i]]` pairs when both are arrays of the same
 * non-zero length (a batch request), else one item `[inputs, outputs]`.
 *
 * @example
 * ```ts
 * predictionItems({ ...record, inputs: ['a', 'b'], outputs: [{ label: 'x' }, { label: 'y' }] }).length; // 2
 * predictionItems({ ...record, inputs: { text: 'a' }, outputs: { label: 'x' } }).length; // 1
 * ```
 */
export function predictionItems(record: Pick<PredictionRecord, 'inputs' | 'outputs'>): [unknown, unknown][] {
  const { inputs, outputs } = record;
  if (Array.isArray(inputs) && Array.isArray(outputs) && inputs.length === outputs.length && inputs.length > 0) {
    const items: [unknown, unknown][] = new Array(inputs.length);
    for (let i = 0; i < inputs.length; i++) items[i] = [inputs[i], outputs[i]];
    return items;
  }
  return [[inputs, outputs]];
}

/** Options of {@link openPredictionStore}. */
export interface OpenPredictionStoreOptions {
  /** Create or upgrade the schema on open (`store.migrate()`). @default true */
  migrate?: boolean;
  /** How long a writer waits for the file's lock, in ms. @default 10000 */
  busyTimeoutMs?: number;
}

type PredictionOpener = (rest: string, uri: string, options: OpenPredictionStoreOptions) => Promise<PredictionStore>;

const BACKENDS: Record<string, PredictionOpener> = {
  sqlite: async (rest, uri, options) => {
    const { SqlitePredictionStore } = await import('./stores/sqlite-predictions.js');
    return new SqlitePredictionStore({ path: sqlitePath(rest, uri), busyTimeoutMs: options.busyTimeoutMs });
  },
};

/**
 * The URI schemes {@link openPredictionStore} knows.
 *
 * @example
 * ```ts
 * predictionStoreSchemes(); // ['sqlite']
 * ```
 */
export function predictionStoreSchemes(): string[] {
  return Object.keys(BACKENDS);
}

/** The scheme and rest of a prediction log URI (a value without a scheme is a SQLite path). */
export function splitPredictionUri(uri: string | undefined): { scheme: string; rest: string; text: string } {
  const text = uri ?? process.env.MLSHIP_TRACKING_URI ?? DEFAULT_TRACKING_URI;
  if (typeof text !== 'string' || text.trim() === '') {
    throw new MlshipError('INVALID_ARGUMENT', `the tracking URI must be a non-empty string, got ${JSON.stringify(uri)}`, { field: 'uri', value: uri });
  }
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]+):(.*)$/s.exec(text);
  return { scheme: match ? match[1]!.toLowerCase() : 'sqlite', rest: match ? match[2]! : text, text };
}

/**
 * Opens the prediction log a tracking URI names (the URI rules are `openTrackingStore`'s: the
 * log lives in the tracking store's database), imports its backend lazily and, by default,
 * migrates it.
 *
 * @param uri - e.g. `sqlite:///data/mlship.db`, `sqlite:mlship/mlship.db`, `sqlite::memory:`
 * @default uri process.env.MLSHIP_TRACKING_URI ?? 'sqlite:mlship/mlship.db'
 *
 * @example
 * ```ts
 * import { openPredictionStore } from 'mlship/tracking';
 * const store = await openPredictionStore('sqlite:///tmp/mlship-demo/mlship.db');
 * console.log(await store.countPredictions({ modelName: 'spam', labelled: true }));
 * await store.close();
 * ```
 */
export async function openPredictionStore(uri?: string, options: OpenPredictionStoreOptions = {}): Promise<PredictionStore> {
  const { open, rest, text } = pickBackend(BACKENDS, uri, uri ?? process.env.MLSHIP_TRACKING_URI ?? DEFAULT_TRACKING_URI, 'prediction');
  return migrated(await open(rest, text, options), options.migrate);
}

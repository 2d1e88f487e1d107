/**
 * The prediction log over HTTP, for the model server: `POST /feedback` posts ground-truth labels by
 * request id (the `x-request-id` of the prediction's response), `GET /predictions` and
 * `GET /predictions/count` read the log back for inspection.
 */
import type { FastifyInstance } from 'fastify';
import { MlshipError } from '../../core/index.js';
import type { LabelInput, PredictionFilter, PredictionLogWriter, PredictionStore, StoredPrediction } from '../../tracking/index.js';
import { arr, bool, int, nonEmpty, nullableInt, nullableStr, obj, out, str } from '../schemas.js';

/** Options of {@link predictionRoutes}. */
export interface PredictionRoutesOptions {
  /** The prediction log that labels are written to and predictions read from. */
  store: PredictionStore;
  /**
   * The writer the server appends predictions with: flushed before labels are written, so a label
   * posted right after its prediction matches. @default undefined (nothing to flush)
   */
  writer?: PredictionLogWriter;
  /** Most labels in one `POST /feedback`. @default 10000 */
  maxLabels?: number;
}

const anyJson = { description: 'any JSON value' } as const;
const time = { type: 'string', description: 'ms since the epoch, or an ISO 8601 date such as 2026-11-27T10:00:00Z' } as const;
const labelItem = obj(
  { request_id: { ...nonEmpty, maxLength: 1000 }, label: anyJson, index: { type: 'integer', minimum: 0 }, timestamp: { type: 'integer', minimum: 0 } },
  ['request_id', 'label'],
);

const predictionSchema = out({
  request_id: str,
  index: int,
  model_name: str,
  model_version: nullableStr,
  model_uri: str,
  timestamp: int,
  latency_ms: { type: 'number' },
  inputs: anyJson,
  outputs: anyJson,
  label: anyJson,
  label_timestamp: nullableInt,
});

const filterQuery = {
  model: { ...nonEmpty, description: 'model name' },
  version: { ...nonEmpty, description: "registry version number, or 'file' for predictions of a plain model file" },
  request_id: nonEmpty,
  from: { ...time, description: `earliest request time, inclusive: ${time.description}` },
  to: { ...time, description: `latest request time, exclusive: ${time.description}` },
  labelled: { ...bool, description: 'true: only predictions with a label; false: only those without' },
};

/** A query time: ms since the epoch or an ISO 8601 date; INVALID_ARGUMENT names the field. */
function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new MlshipError('INVALID_ARGUMENT', `querystring.${field} ${JSON.stringify(value)} is not a time: give ms since the epoch or an ISO 8601 date such as 2026-11-27T10:00:00Z`, { field, value });
  }
  return ms;
}

interface FilterQuery {
  model?: string;
  version?: string;
  request_id?: string;
  from?: string;
  to?: string;
  labelled?: boolean;
}

function filterOf(q: FilterQuery): PredictionFilter {
  const f: PredictionFilter = {};
  if (q.model !== undefined) f.modelName = q.model;
  if (q.version !== undefined) f.modelVersion = q.version === 'file' ? null : q.version;
  if (q.request_id !== undefined) f.requestId = q.request_id;
  const from = parseTime(q.from, 'from');
  const to = parseTime(q.to, 'to');
  if (from !== undefined) f.from = from;
  if (to !== undefined) f.to = to;
  if (q.labelled !== undefined) f.labelled = q.labelled;
  return f;
}

/** JSON has no NaN or infinities: they are sent as the strings "NaN", "Infinity", "-Infinity" (as metric values are). */
function jsonSafe(v: unknown, depth = 0): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  if (v === null || typeof v !== 'object' || depth > 64) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = jsonSafe(v[i], depth + 1);
      if (x !== v[i]) (copy ??= v.slice())[i] = x;
    }
    return copy ?? v;
  }
  let copy: Record<string, unknown> | undefined;
  for (const [k, x] of Object.entries(v)) {
    const y = jsonSafe(x, depth + 1);
    if (y !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = y;
  }
  return copy ?? v;
}

/**
 * A stored prediction as the HTTP API and the CLI's JSON show it: snake_case keys, NaN and
 * infinities as strings.
 *
 * @example
 * ```ts
 * import { predictionToJson } from 'mlship/serve';
 * JSON.stringify(predictionToJson(stored)); // {"request_id":"…","index":0,"model_name":"spam",…}
 * ```
 */
export function predictionToJson(p: StoredPrediction): Record<string, unknown> {
  return {
    request_id: p.requestId,
    index: p.index,
    model_name: p.modelName,
    model_version: p.modelVersion,
    model_uri: p.modelUri,
    timestamp: p.timestamp,
    latency_ms: p.latencyMs,
    inputs: jsonSafe(p.inputs),
    outputs: jsonSafe(p.outputs),
    label: jsonSafe(p.label),
    label_timestamp: p.labelTimestamp,
  };
}

/**
 * Registers `POST /feedback`, `GET /predictions` and `GET /predictions/count` on `app` (the model
 * server mounts it at its root). Bodies and queries are validated against JSON schemas; errors go
 * through the app's error handler (`{ error_code, message }`).
 *
 * - `POST /feedback` with `{"request_id": "...", "label": <value>, "index"?: n}` or
 *   `{"labels": [{"request_id", "label", "index"?}, ...]}` → `{"matched": n, "missing": [...]}`
 *   (without `index` a label applies to every item of the request).
 * - `GET /predictions?model=&version=&request_id=&from=&to=&labelled=&order=&max_results=&page_token=`
 *   → `{"predictions": [...], "next_page_token"?}`.
 *
 * @example
 * ```ts
 * import { openPredictionLogWriter, openPredictionStore } from 'mlship/tracking';
 * const store = await openPredictionStore(uri);
 * const writer = await openPredictionLogWriter(uri);
 * app.register(predictionRoutes, { store, writer });
 * // curl -X POST localhost:8080/feedback -H 'content-type: application/json' -d '{"request_id":"b1f0","label":"spam"}'
 * ```
 */
export async function predictionRoutes(app: FastifyInstance, options: PredictionRoutesOptions): Promise<void> {
  const { store, writer } = options;
  if (!store || typeof store.logLabels !== 'function') {
    throw new MlshipError('INVALID_ARGUMENT', 'predictionRoutes needs { store }: a PredictionStore from openPredictionStore(uri)', { field: 'store' });
  }
  const maxLabels = options.maxLabels ?? 10_000;
  const tags = ['predictions'];

  app.post(
    '/feedback',
    {
      schema: {
        summary: 'Post ground-truth labels for logged predictions, by request id',
        description:
          'One label: {"request_id", "label", "index"?}. Several: {"labels": [{"request_id", "label", "index"?}, ...]}. Without index the label applies to every item of the request. Answers how many labels matched a logged prediction and the request ids that did not.',
        tags,
        body: obj({
          request_id: { ...nonEmpty, maxLength: 1000 },
          label: anyJson,
          index: { type: 'integer', minimum: 0 },
          timestamp: { type: 'integer', minimum: 0, description: 'when the label was observed, ms since the epoch; default now' },
          labels: { type: 'array', items: labelItem, minItems: 1, maxItems: maxLabels },
        }),
        response: { 200: out({ matched: int, missing: arr(str) }) },
      },
    },
    async (req) => {
      const b = req.body as { request_id?: string; label?: unknown; index?: number; timestamp?: number; labels?: { request_id: string; label: unknown; index?: number; timestamp?: number }[] };
      let items: { request_id: string; label: unknown; index?: number; timestamp?: number }[];
      if (b.labels !== undefined) {
        if (b.request_id !== undefined || b.label !== undefined) {
          throw new MlshipError('INVALID_ARGUMENT', 'body has both labels and request_id/label: send either {"request_id", "label"} or {"labels": [...]}', { field: 'body' });
        }
        items = b.labels;
      } else {
        if (b.request_id === undefined) {
          throw new MlshipError('INVALID_ARGUMENT', 'body.request_id is required: send {"request_id": "<x-request-id of the prediction>", "label": <value>} or {"labels": [...]}', { field: 'request_id' });
        }
        items = [{ request_id: b.request_id, label: b.label, index: b.index, timestamp: b.timestamp }];
      }
      const labels: LabelInput[] = items.map((l, i) => {
        const where = b.labels !== undefined ? `body.labels[${i}]` : 'body';
        if (l.label === undefined || l.label === null) {
          throw new MlshipError('INVALID_ARGUMENT', `${where}.label is ${l.label === null ? 'null' : 'required'}: give the ground truth (a class name, a number or any JSON value)`, { field: `${where}.label` });
        }
        const input: LabelInput = { requestId: l.request_id, label: l.label };
        if (l.index !== undefined) input.index = l.index;
        if (l.timestamp !== undefined) input.timestamp = l.timestamp;
        return input;
      });
      // A label may follow its prediction within milliseconds: write what is queued first.
      if (writer) await writer.flush();
      return store.logLabels(labels);
    },
  );

  app.get(
    '/predictions',
    {
      schema: {
        summary: 'Logged predictions (one entry per item of a request) in request-time order, paged',
        tags,
        querystring: obj({
          ...filterQuery,
          order: { type: 'string', enum: ['asc', 'desc'], description: 'by request time; default asc (oldest first)' },
          max_results: { type: 'integer', minimum: 1, maximum: 50000, description: 'page size; default 100' },
          page_token: { type: 'string', description: 'the next_page_token of the previous page' },
        }),
        response: { 200: out({ predictions: arr(predictionSchema), next_page_token: str }, ['predictions']) },
      },
    },
    async (req) => {
      const q = req.query as FilterQuery & { order?: 'asc' | 'desc'; max_results?: number; page_token?: string };
      const page = await store.searchPredictions({ ...filterOf(q), order: q.order, maxResults: q.max_results ?? 100, pageToken: q.page_token });
      const body: { predictions: Record<string, unknown>[]; next_page_token?: string } = { predictions: page.items.map(predictionToJson) };
      if (page.nextPageToken) body.next_page_token = page.nextPageToken;
      return body;
    },
  );

  app.get(
    '/predictions/count',
    {
      schema: { summary: 'How many logged prediction items match the filter', tags, querystring: obj(filterQuery), response: { 200: out({ count: int }) } },
    },
    async (req) => ({ count: await store.countPredictions(filterOf(req.query as FilterQuery)) }),
  );
}

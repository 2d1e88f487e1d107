/**
 * The worker thread of a prediction log writer (see prediction-writer.ts): it owns its own store
 * connection, collects the records it is handed (in arrival order) and writes them in batches of
 * `batchSize`, one transaction each; on `flush` it writes what it holds without waiting for a full batch.
 *
 * Messages in: `{ type: 'records', records }`, `{ type: 'flush' }`, `{ type: 'close' }`. Messages
 * out: `{ type: 'ready' }` or `{ type: 'open-error', error }` once, `{ type: 'done', written,
 * failed, error? }` per batch written, `{ type: 'closed' }` last.
 *
 * @internal
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isMlshipError } from '../core/index.js';
import { openPredictionStore, type PredictionRecord, type PredictionStore } from './predictions.js';

/** An error as it crosses the thread boundary. */
export interface WireError {
  code?: string;
  message: string;
  details?: Record<string, unknown>;
}

/** What the writer passes as `workerData`. */
export interface WriterWorkerData {
  uri: string;
  busyTimeoutMs?: number;
  /** Records per write (one transaction). */
  batchSize: number;
}

function wire(err: unknown): WireError {
  if (isMlshipError(err)) {
    // Details may hold values that do not clone (a failed input): keep the plain fields only.
    const details: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(err.details)) if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) details[k] = v;
    return { code: err.code, message: err.message, details };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

const port = parentPort!;
const data = workerData as WriterWorkerData;
let store: PredictionStore | undefined;
const opened: Promise<PredictionStore> = openPredictionStore(data.uri, { busyTimeoutMs: data.busyTimeoutMs }).then((s) => (store = s));
opened.then(
  () => port.postMessage({ type: 'ready' }),
  (err: unknown) => port.postMessage({ type: 'open-error', error: wire(err) }),
);

/** Writes one batch; when a record is invalid, writes the others one by one so only the bad ones fail. */
async function writeBatch(records: PredictionRecord[]): Promise<{ written: number; failed: number; error?: WireError }> {
  let s: PredictionStore;
  try {
    s = await opened;
  } catch (err) {
    return { written: 0, failed: records.length, error: wire(err) };
  }
  try {
    await s.logPredictions(records);
    return { written: records.length, failed: 0 };
  } catch (err) {
    if (!isMlshipError(err, 'INVALID_ARGUMENT') || records.length === 1) return { written: 0, failed: records.length, error: wire(err) };
    let written = 0;
    let failed = 0;
    let first: WireError | undefined;
    for (const r of records) {
      try {
        await s.logPredictions([r]);
        written++;
      } catch (e) {
        failed++;
        first ??= wire(e);
      }
    }
    return first ? { written, failed, error: first } : { written, failed };
  }
}

let buffer: PredictionRecord[] = [];

/** Writes full batches from the buffer; with `all`, the rest too. */
async function drain(all: boolean): Promise<void> {
  while (buffer.length >= data.batchSize || (all && buffer.length > 0)) {
    const batch = buffer.length <= data.batchSize ? buffer : buffer.slice(0, data.batchSize);
    buffer = batch === buffer ? [] : buffer.slice(data.batchSize);
    port.postMessage({ type: 'done', ...(await writeBatch(batch)) });
  }
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (m: { type: 'records'; records: PredictionRecord[] } | { type: 'flush' } | { type: 'close' }) => {
  if (m.type === 'records') {
    // Collect at once (not behind a write in progress), so the next batch is as full as it can be.
    for (const r of m.records) buffer.push(r);
    if (buffer.length < data.batchSize) return;
  }
  chain = chain.then(async () => {
    if (m.type === 'records') {
      await drain(false);
    } else if (m.type === 'flush') {
      await drain(true);
    } else {
      await drain(true);
      await opened.catch(() => undefined);
      await store?.close().catch(() => undefined);
      port.postMessage({ type: 'closed' });
      port.close();
    }
  });
});

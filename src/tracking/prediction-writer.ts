/**
 * The prediction log writer: how a model server logs every request without ever waiting on the
 * database. `append` pushes the record onto a bounded in-memory queue and returns. Records are
 * handed to a worker thread that owns its own store connection (better-sqlite3 is synchronous:
 * writing on the server's thread would stall every request behind the disk) in small parts, so
 * that copying them to the thread never blocks the event loop for long; the worker writes them in
 * batches of `batchSize` (one transaction each), and whatever is left every `flushIntervalMs`.
 * When the queue is full, records are dropped and counted.
 */
import type { Worker } from 'node:worker_threads';
import { MlshipError, siblingModule, startWorker, type ErrorCode } from '../core/index.js';
import { splitPredictionUri, type PredictionRecord } from './predictions.js';
import type { WireError, WriterWorkerData } from './prediction-writer-worker.js';

/**
 * The counters of a writer. `queued` counts records accepted and not yet written or failed (in
 * memory or being written); `dropped` the records refused because the queue was full (or the
 * writer closed); `failed` the records whose write failed. Every accepted record ends up in
 * exactly one of `written` and `failed`.
 *
 * @example
 * ```ts
 * const { queued, written, dropped, failed } = log.stats; // exported as Prometheus counters by `mlship serve`
 * ```
 */
export interface PredictionLogStats {
  queued: number;
  written: number;
  dropped: number;
  failed: number;
}

/**
 * Appends prediction records to the log asynchronously, in batches, through a bounded queue.
 *
 * @example
 * ```ts
 * const log = await openPredictionLogWriter('sqlite:///srv/mlship/mlship.db');
 * if (!log.append(record)) console.warn('prediction log overloaded: record dropped');
 * await log.flush(); // everything appended so far is in the store
 * console.log(log.stats); // { queued: 0, written: 1, dropped: 0, failed: 0 }
 * await log.close();
 * ```
 */
export interface PredictionLogWriter {
  /** Queues a record. Never blocks, never throws; `false` when the record was dropped (queue full, or the writer closed). */
  append(record: PredictionRecord): boolean;
  /** A snapshot of the counters. */
  readonly stats: PredictionLogStats;
  /** Resolves once every record appended before the call is written (or has failed). */
  flush(): Promise<void>;
  /** Flushes, then stops the worker thread and releases the store. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openPredictionLogWriter}. */
export interface PredictionLogWriterOptions {
  /** Most records held in memory (queued and being written); beyond it `append` drops. @default 100_000 */
  maxQueue?: number;
  /**
   * Most items held in memory, a batch request counting one item per prediction; beyond it `append`
   * drops. Bounds memory when requests carry many items. @default 100_000
   */
  maxItems?: number;
  /** Most records per write (one transaction). @default 1000 */
  batchSize?: number;
  /** Longest time a record waits in memory before its (partial) batch is sent, in ms. @default 200 */
  flushIntervalMs?: number;
  /** Called with each write failure (an `MlshipError`); the writer keeps going. @default writes one line to stderr */
  onError?: (err: unknown) => void;
  /** How long the worker's connection waits for the file's write lock, in ms. @default 10000 */
  busyTimeoutMs?: number;
}

function positiveInt(value: unknown, field: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be a positive integer, got ${JSON.stringify(value)}`, { field, value });
  }
  return value;
}

/** How many items a record holds (one per prediction of a batch request), as the store splits it. */
function itemCount(r: PredictionRecord): number {
  if (r === null || typeof r !== 'object') return 1; // not a record: it fails in the worker, never here
  return Array.isArray(r.inputs) && Array.isArray(r.outputs) && r.inputs.length === r.outputs.length && r.inputs.length > 0 ? r.inputs.length : 1;
}

function fromWire(e: WireError): MlshipError {
  return e.code ? new MlshipError(e.code as ErrorCode, e.message, e.details ?? {}) : new MlshipError('INTERNAL', `prediction log writer: ${e.message}`);
}

function defaultOnError(err: unknown): void {
  process.stderr.write(`mlship prediction log: ${err instanceof Error ? err.message : String(err)}\n`);
}

/** Most records per message to the worker thread. */
const HAND_OFF = 128;

type WorkerMessage =
  | { type: 'ready' }
  | { type: 'open-error'; error: WireError }
  | { type: 'done'; written: number; failed: number; error?: WireError }
  | { type: 'closed' };

/**
 * Opens a prediction log writer on the store a tracking URI names (its worker thread opens and
 * migrates the store; a bad URI or an unreadable file rejects here). The writer does not keep the
 * process alive when idle; while records are pending or being written it does, so they are not lost.
 *
 * @param trackingUri - e.g. `sqlite:///srv/mlship/mlship.db` (a file: an in-memory database would be private to the worker)
 *
 * @example
 * ```ts
 * import { openPredictionLogWriter } from 'mlship/tracking';
 * const log = await openPredictionLogWriter('sqlite:///tmp/mlship-demo/mlship.db', { onError: (e) => console.error(e) });
 * log.append({ requestId: 'r1', modelName: 'spam', modelVersion: '2', modelUri: 'models:/spam@champion', timestamp: Date.now(), latencyMs: 0.7, inputs: { text: 'hi' }, outputs: { label: 'ham' } });
 * await log.close();
 * ```
 */
export async function openPredictionLogWriter(trackingUri: string, options: PredictionLogWriterOptions = {}): Promise<PredictionLogWriter> {
  const maxQueue = positiveInt(options.maxQueue, 'maxQueue', 100_000);
  const maxItems = positiveInt(options.maxItems, 'maxItems', 100_000);
  const batchSize = positiveInt(options.batchSize, 'batchSize', 1000);
  const flushIntervalMs = options.flushIntervalMs ?? 200;
  if (typeof flushIntervalMs !== 'number' || !Number.isFinite(flushIntervalMs) || flushIntervalMs < 0) {
    throw new MlshipError('INVALID_ARGUMENT', `flushIntervalMs must be a non-negative number of ms, got ${JSON.stringify(flushIntervalMs)}`, { field: 'flushIntervalMs', value: flushIntervalMs });
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new MlshipError('INVALID_ARGUMENT', `onError must be a function, got ${typeof options.onError}`, { field: 'onError' });
  }
  const { scheme, rest, text } = splitPredictionUri(trackingUri);
  if (scheme === 'sqlite' && /^(\/\/)?:memory:$/.test(rest)) {
    throw new MlshipError('INVALID_ARGUMENT', `the prediction log writer cannot use '${text}': it writes from a worker thread with its own connection, and an in-memory database would be private to that thread; use a database file (sqlite:///path/mlship.db)`, {
      field: 'trackingUri',
      value: text,
    });
  }
  const writer = new WorkerPredictionLogWriter({ uri: text, busyTimeoutMs: options.busyTimeoutMs, batchSize }, maxQueue, batchSize, flushIntervalMs, options.onError ?? defaultOnError, maxItems);
  await writer.start();
  return writer;
}

/** The worker-thread writer behind {@link openPredictionLogWriter}. */
class WorkerPredictionLogWriter implements PredictionLogWriter {
  private pending: PredictionRecord[] = [];
  /** Records posted to the worker and not yet acknowledged. */
  private inFlight = 0;
  /** Records per hand-off to the worker (a structured clone on this thread: small parts keep each one short). */
  private readonly part: number;
  private accepted = 0;
  private completed = 0;
  private written = 0;
  private dropped = 0;
  private failed = 0;
  private waiters: { target: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private drainScheduled = false;
  private worker: Worker | undefined;
  private closing: Promise<void> | undefined;
  private closedResolve: (() => void) | undefined;
  private started = false;

  constructor(
    private readonly data: WriterWorkerData,
    private readonly maxQueue: number,
    private readonly batchSize: number,
    private readonly flushIntervalMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly maxItems: number = Infinity,
  ) {
    this.part = Math.min(batchSize, HAND_OFF);
  }

  /** Items of each record held (pending or in flight), in the order they were accepted. */
  private held: number[] = [];
  private heldHead = 0;
  private heldItems = 0;

  /** `n` records left memory (written, failed or lost): their items no longer count. Records finish in order, so they are the oldest. */
  private release(n: number): void {
    for (let i = 0; i < n && this.heldHead < this.held.length; i++) this.heldItems -= this.held[this.heldHead++]!;
    if (this.heldHead > 4096 && this.heldHead * 2 > this.held.length) {
      this.held = this.held.slice(this.heldHead);
      this.heldHead = 0;
    }
  }

  get stats(): PredictionLogStats {
    return { queued: this.pending.length + this.inFlight, written: this.written, dropped: this.dropped, failed: this.failed };
  }

  /** Starts the worker and waits until its store is open (rejects with the store's error). */
  async start(): Promise<void> {
    const worker = this.spawn();
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type === 'ready') {
          cleanup();
          resolve();
        } else if (m.type === 'open-error') {
          cleanup();
          void worker.terminate();
          this.worker = undefined;
          reject(fromWire(m.error));
        }
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new MlshipError('INTERNAL', `the prediction log worker thread exited (code ${code}) before opening the store`));
      };
      const onWorkerError = (err: Error): void => {
        cleanup();
        this.worker = undefined;
        reject(new MlshipError('INTERNAL', `the prediction log worker thread failed to start: ${err.message}`, {}, { cause: err }));
      };
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onWorkerError);
      };
      worker.on('message', onMessage);
      worker.on('exit', onExit);
      worker.on('error', onWorkerError);
    });
    this.started = true;
    this.updateRef();
  }

  append(record: PredictionRecord): boolean {
    const items = itemCount(record);
    if (this.closing !== undefined || this.pending.length + this.inFlight >= this.maxQueue || (this.heldItems > 0 && this.heldItems + items > this.maxItems)) {
      this.dropped++;
      return false;
    }
    this.held.push(items);
    this.heldItems += items;
    this.pending.push(record);
    this.accepted++;
    if (this.pending.length >= this.part && !this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.send(false);
      });
    }
    this.armTimer();
    return true;
  }

  /** Every record appended is written at most about `flushIntervalMs` later, batch full or not. */
  private armTimer(): void {
    if (this.timer !== undefined || this.closing !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.pending.length + this.inFlight > 0) this.send(true);
    }, this.flushIntervalMs);
  }

  flush(): Promise<void> {
    const target = this.accepted;
    this.send(true);
    if (this.completed >= target) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.flush();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    await new Promise<void>((resolve) => {
      this.closedResolve = resolve;
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
    });
    this.worker = undefined;
  }

  // ---------------------------------------------------------------- sending

  /**
   * Hands full parts to the worker; with `all`, the last partial part too, and tells the worker to
   * write everything it holds now instead of waiting for a full batch.
   */
  private send(all: boolean): void {
    let offset = 0;
    while (this.pending.length - offset >= this.part || (all && offset < this.pending.length)) {
      this.post(this.pending.slice(offset, offset + this.part));
      offset += this.part;
    }
    this.pending = offset >= this.pending.length ? [] : this.pending.slice(offset);
    if (all && this.inFlight > 0) (this.worker ?? this.spawn()).postMessage({ type: 'flush' });
  }

  private post(batch: PredictionRecord[]): void {
    const worker = this.worker ?? this.spawn();
    let records = batch;
    try {
      worker.postMessage({ type: 'records', records });
    } catch (err) {
      // A record that cannot be cloned (a function, a symbol...): fail those, send the rest.
      records = batch.filter((r) => {
        try {
          structuredClone(r);
          return true;
        } catch {
          return false;
        }
      });
      const bad = batch.length - records.length;
      this.failed += bad;
      this.completed += bad;
      this.release(bad);
      this.report(new MlshipError('INVALID_ARGUMENT', `${bad} prediction record(s) could not be sent to the log writer (${(err as Error).message}); log plain JSON values only`, { field: 'record' }));
      if (records.length > 0) worker.postMessage({ type: 'records', records });
      this.resolveWaiters();
    }
    if (records.length === 0) return;
    this.inFlight += records.length;
    this.updateRef();
  }

  private spawn(): Worker {
    const worker = startWorker(siblingModule(import.meta.url, 'prediction-writer-worker'), { workerData: this.data });
    worker.on('message', (m: WorkerMessage) => this.onMessage(m));
    worker.on('error', (err) => this.onWorkerGone(worker, err));
    worker.on('exit', (code) => this.onWorkerGone(worker, new Error(`exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'done') {
      this.inFlight -= m.written + m.failed;
      this.release(m.written + m.failed);
      this.written += m.written;
      this.failed += m.failed;
      this.completed += m.written + m.failed;
      if (m.error) this.report(fromWire(m.error));
      this.updateRef();
      this.resolveWaiters();
    } else if (m.type === 'open-error') {
      // A respawned worker could not open the store: its batches report the error one by one.
    } else if (m.type === 'closed') {
      this.closedResolve?.();
    }
  }

  /** The worker died: what it held is lost (counted failed); the next batch starts a new one. */
  private onWorkerGone(worker: Worker, err: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    if (!this.started) return;
    if (this.closing !== undefined && this.inFlight === 0) return;
    const lost = this.inFlight;
    this.inFlight = 0;
    this.release(lost);
    this.failed += lost;
    this.completed += lost;
    if (lost > 0 || this.closing === undefined) this.report(new MlshipError('INTERNAL', `the prediction log worker thread stopped (${err.message}); ${lost} record(s) in flight were lost`));
    this.resolveWaiters();
    if (this.pending.length > 0) this.armTimer();
  }

  private report(err: unknown): void {
    try {
      this.onError(err);
    } catch {
      // an onError that throws must not break the writer
    }
  }

  private resolveWaiters(): void {
    if (this.waiters.length === 0) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (this.completed >= w.target) w.resolve();
      else still.push(w);
    }
    this.waiters = still;
  }

  /** The worker keeps the process alive only while it has records to write. */
  private updateRef(): void {
    if (!this.worker) return;
    if (this.inFlight > 0) this.worker.ref();
    else this.worker.unref();
  }
}

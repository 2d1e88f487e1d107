import diagnostics from 'node:diagnostics_channel';

/**
 * Instrumentation channels: learn and data publish what they do, tracking and autolog subscribe.
 * Built on Node's `node:diagnostics_channel`, so a publisher costs one boolean check when nobody
 * listens, and no layer has to import the layer that listens to it.
 */

/**
 * The channel learn publishes on when an outermost `fit` (or `fitTransform`) ends, nested fits
 * (pipeline steps, cross-validation clones) excluded.
 */
export const FIT_CHANNEL = 'mlship:learn:fit';

/** What {@link FIT_CHANNEL} carries. */
export interface FitEvent {
  /** The estimator whose `fit` ended (fitted, unless `error` is set). */
  estimator: unknown;
  /** The training input passed to `fit`. */
  X: unknown;
  /** The training target passed to `fit` (`undefined` for unsupervised fits). */
  y: unknown;
  /** Wall time of the fit in milliseconds. */
  durationMs: number;
  /** Set when `fit` threw; the error is rethrown to the caller after publishing. */
  error?: unknown;
}

/** The channel data publishes on when a user's file or folder has been read. */
export const DATA_READ_CHANNEL = 'mlship:data:read';

/** What {@link DATA_READ_CHANNEL} carries. */
export interface DataReadEvent {
  /** Absolute path of the file or folder that was read. */
  path: string;
  /** Format read: `csv`, `jsonl`, `parquet`, `text-folder`, ... */
  format: string;
  /** Rows (or documents) read, or `null` when unknown. */
  rows: number | null;
  /** Column names and kinds for tables, `null` for text. */
  schema: { name: string; kind: string }[] | null;
}

const fitChannel = diagnostics.channel(FIT_CHANNEL);
const dataReadChannel = diagnostics.channel(DATA_READ_CHANNEL);

/** Whether anybody listens to {@link FIT_CHANNEL}; check it before building an event. */
export function hasFitSubscribers(): boolean {
  return fitChannel.hasSubscribers;
}

/** Whether anybody listens to {@link DATA_READ_CHANNEL}. */
export function hasDataReadSubscribers(): boolean {
  return dataReadChannel.hasSubscribers;
}

/**
 * Publishes a fit event; a no-op without subscribers.
 *
 * @example
 * ```ts
 * import { publishFit, hasFitSubscribers } from 'mlship/core';
 * if (hasFitSubscribers()) publishFit({ estimator: {}, X: [], y: [], durationMs: 1 });
 * ```
 */
export function publishFit(event: FitEvent): void {
  if (fitChannel.hasSubscribers) fitChannel.publish(event);
}

/**
 * Publishes a data-read event; a no-op without subscribers.
 *
 * @example
 * ```ts
 * import { publishDataRead } from 'mlship/core';
 * publishDataRead({ path: '/data/train.csv', format: 'csv', rows: 10, schema: [{ name: 'x', kind: 'float64' }] });
 * ```
 */
export function publishDataRead(event: DataReadEvent): void {
  if (dataReadChannel.hasSubscribers) dataReadChannel.publish(event);
}

/**
 * Calls `fn` for every outermost fit that ends. Returns the function that unsubscribes. A
 * subscriber that throws (or returns a rejected promise) never breaks the fit that published:
 * the error is reported as a process warning.
 *
 * @example
 * ```ts
 * import { subscribeFit } from 'mlship/core';
 * const stop = subscribeFit((e) => console.log('fit took', e.durationMs, 'ms'));
 * stop();
 * ```
 */
export function subscribeFit(fn: (event: FitEvent) => void | Promise<void>): () => void {
  return subscribe(FIT_CHANNEL, fn as (event: unknown) => void | Promise<void>);
}

/**
 * Calls `fn` every time data reads a user's file or folder. Returns the function that
 * unsubscribes. Errors thrown by `fn` are reported as a process warning, never to the reader.
 *
 * @example
 * ```ts
 * import { subscribeDataRead } from 'mlship/core';
 * const stop = subscribeDataRead((e) => console.log('read', e.path, e.rows));
 * stop();
 * ```
 */
export function subscribeDataRead(fn: (event: DataReadEvent) => void | Promise<void>): () => void {
  return subscribe(DATA_READ_CHANNEL, fn as (event: unknown) => void | Promise<void>);
}

function subscribe(name: string, fn: (event: unknown) => void | Promise<void>): () => void {
  const listener = (message: unknown): void => {
    try {
      const result = fn(message);
      if (result && typeof (result as Promise<void>).then === 'function') {
        (result as Promise<void>).then(undefined, (err: unknown) => warn(name, err));
      }
    } catch (err) {
      warn(name, err);
    }
  };
  diagnostics.subscribe(name, listener);
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    diagnostics.unsubscribe(name, listener);
  };
}

function warn(name: string, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  process.emitWarning(`a subscriber of ${name} failed: ${message}`, { code: 'MLSHIP_INSTRUMENT' });
}

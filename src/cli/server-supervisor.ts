/**
 * `mlship server`'s process supervision: the server in a worker thread with its own heap limits: the HTTP app, the stores and every
 * request live in one V8 isolate whose young generation is small and whose old generation is
 * capped, so the process stays compact under load. The process stays one process: the main thread
 * only supervises. If the server isolate dies (a request that needs more than the heap cap), the
 * supervisor starts a fresh one on the same address, as a process manager would, and says so.
 */
import type { Worker } from 'node:worker_threads';
import { MlshipError, siblingModule, startWorker, type ErrorCode } from '../core/index.js';
import type { ServerOptions } from '../serve/index.js';

/** Options of {@link startIsolatedServer}: the server's, plus the isolate's heap limits. */
export interface IsolatedServerOptions extends Omit<ServerOptions, 'onInternalError'> {
  /** Largest old-generation heap of the server isolate, in MB. @default 512 */
  maxHeapMb?: number;
  /** Young-generation size of the server isolate, in MB (smaller: less memory, more frequent minor GCs). @default 6 */
  youngGenerationMb?: number;
  /** Restarts allowed within one minute after the server isolate dies; then {@link IsolatedServer.exited} rejects. @default 3 */
  maxRestartsPerMinute?: number;
  /** Told about each restart (why the isolate died). @default writes `mlship server: ...` to stderr */
  onRestart?: (reason: Error) => void;
}

/** A server running in a worker thread. */
export interface IsolatedServer {
  /** e.g. `http://127.0.0.1:5000` */
  url: string;
  /** How many times the server isolate was restarted after dying. */
  readonly restarts: number;
  /** Stops accepting connections, finishes in-flight requests, closes the stores, ends the worker. Idempotent. */
  close(): Promise<void>;
  /** Settles when the server is gone for good: resolves after {@link close}, rejects when it kept dying. */
  readonly exited: Promise<void>;
}

type WireError = { code?: string; message: string; details?: unknown; stack?: string };
type WorkerMessage = { type: 'listening'; url: string } | { type: 'closed' } | { type: 'error'; error: WireError };

function toError(e: WireError): Error {
  if (e.code) return new MlshipError(e.code as ErrorCode, e.message, (e.details ?? {}) as Record<string, unknown>);
  const err = new Error(e.message);
  if (e.stack) err.stack = e.stack;
  return err;
}

/** One server isolate: resolves `started` with its URL, `ended` with why it ended (null after a requested close). */
function launch(serverOptions: ServerOptions, limits: { maxHeapMb: number; youngGenerationMb: number }): { worker: Worker; started: Promise<string>; ended: Promise<Error | null>; close: () => void } {
  const worker = startWorker(siblingModule(import.meta.url, 'server-worker'), {
    workerData: { options: serverOptions },
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: limits.youngGenerationMb },
  });
  let failure: Error | undefined;
  let closeRequested = false;
  let resolveStarted!: (url: string) => void;
  let rejectStarted!: (err: Error) => void;
  const started = new Promise<string>((res, rej) => {
    resolveStarted = res;
    rejectStarted = rej;
  });
  started.catch(() => undefined);
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'listening') resolveStarted(m.url);
    else if (m.type === 'error') {
      failure = toError(m.error);
      rejectStarted(failure);
    }
  });
  worker.on('error', (err: Error & { code?: string }) => {
    failure =
      err.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new MlshipError('INTERNAL', `the server ran out of memory (heap limit ${limits.maxHeapMb} MB); give it more with --max-heap, or ask for smaller pages`, { cause: err })
        : err;
  });
  const ended = new Promise<Error | null>((resolveEnded) => {
    worker.on('exit', (code) => {
      const why = closeRequested && !failure ? null : (failure ?? new MlshipError('INTERNAL', `the server worker exited with code ${code}`));
      if (why) rejectStarted(why);
      resolveEnded(why);
    });
  });
  return {
    worker,
    started,
    ended,
    close: () => {
      closeRequested = true;
      worker.postMessage('close');
    },
  };
}

/**
 * Starts {@link startServer} in a worker thread with heap limits and resolves once it listens.
 *
 * @example
 * ```ts
 * // (used by `mlship server`; not a public export)
 * const server = await startIsolatedServer({ port: 0, trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db', maxHeapMb: 256 });
 * console.log(server.url);
 * await server.close();
 * ```
 */
export async function startIsolatedServer(options: IsolatedServerOptions = {}): Promise<IsolatedServer> {
  const { maxHeapMb = 512, youngGenerationMb = 6, maxRestartsPerMinute = 3, onRestart, ...serverOptions } = options;
  for (const [name, v] of [['maxHeapMb', maxHeapMb], ['youngGenerationMb', youngGenerationMb]] as const) {
    if (!Number.isFinite(v) || v < 4) throw new MlshipError('INVALID_ARGUMENT', `${name} must be a number of MB >= 4, got ${v}`, { field: name, value: v });
  }
  const limits = { maxHeapMb, youngGenerationMb };
  const report = onRestart ?? ((reason: Error) => void process.stderr.write(`mlship server: ${reason.message}; restarting it\n`));
  let current = launch(serverOptions, limits);
  const url = await current.started; // a failure to start (port taken, bad store) rejects here
  // Restarts listen where the first isolate did (a port of 0 was resolved to a real one).
  const restartOptions: ServerOptions = { ...serverOptions, port: Number(new URL(url).port) };
  let restarts = 0;
  let closing = false;
  const recent: number[] = [];
  const exited = (async () => {
    for (;;) {
      const why = await current.ended;
      if (why === null) return;
      if (closing) throw why;
      const now = Date.now();
      while (recent.length > 0 && now - recent[0]! > 60_000) recent.shift();
      if (recent.length >= maxRestartsPerMinute) throw new MlshipError('INTERNAL', `the server died ${recent.length + 1} times within a minute; last: ${why.message}`, { cause: why });
      recent.push(now);
      restarts++;
      report(why);
      current = launch(restartOptions, limits);
      await current.started.catch(() => undefined); // a failed start ends the isolate: the loop sees it
    }
  })();
  exited.catch(() => undefined); // observed by whoever awaits it
  let closed: Promise<void> | undefined;
  return {
    url,
    get restarts() {
      return restarts;
    },
    exited,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        current.close();
        await exited;
      })()),
  };
}

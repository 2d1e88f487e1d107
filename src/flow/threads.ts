/**
 * The thread executor: tasks defined with `thread: true` run on a pool of worker threads, for
 * CPU-bound work that would otherwise hold the event loop (and every other task) up. A worker
 * imports the module that defines the task and finds it by name, so a thread task must be defined
 * at the top level of a module. Arguments and results cross by structured clone (plain data, typed
 * arrays, Map, Set, Date, Error; class instances arrive as plain objects). A timeout or a
 * cancellation terminates the worker, so unlike an event-loop task the work really stops.
 */
import { availableParallelism } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { MlshipError, siblingModule, startWorker } from '../core/index.js';
import type { LogLevel } from './logger.js';

/** What a worker is asked to run. @internal */
export interface ThreadJob {
  module: string;
  task: string;
  args: unknown[];
  ctx: { taskRunId: string; name: string; task: string; attempt: number };
}

/** A worker's messages to the pool. @internal */
export type ThreadMessage =
  | { type: 'log'; level: LogLevel; message: string; time: number }
  | { type: 'done'; ok: true; value: unknown }
  | { type: 'done'; ok: false; error: SerializedError };

/** An error sent across threads. @internal */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** @internal */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; details?: unknown };
    const out: SerializedError = { name: e.name, message: e.message };
    if (e.stack !== undefined) out.stack = e.stack;
    if (typeof e.code === 'string') out.code = e.code;
    if (e.details && typeof e.details === 'object') {
      try {
        out.details = structuredClone(e.details) as Record<string, unknown>;
      } catch {
        // details that cannot cross are left behind
      }
    }
    return out;
  }
  return { name: 'Error', message: String(err) };
}

/** @internal */
export function deserializeError(s: SerializedError): Error {
  let err: Error;
  if (s.name === 'MlshipError' && s.code !== undefined) err = new MlshipError(s.code as never, s.message, s.details ?? {});
  else {
    err = new Error(s.message);
    err.name = s.name;
  }
  if (s.stack !== undefined) err.stack = s.stack;
  return err;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

interface Pending {
  job: ThreadJob;
  signal: AbortSignal | undefined;
  onLog: (level: LogLevel, message: string, time: number) => void;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

const ENTRY = siblingModule(import.meta.url, 'thread-worker');

/**
 * A fixed-size pool of worker threads running thread tasks one at a time each; idle workers do not
 * keep the process alive.
 * @internal
 */
export class ThreadPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];

  constructor(readonly size: number) {}

  /** Workers started and alive. */
  get threads(): number {
    return this.slots.size;
  }

  /** Runs a job on a free worker (starting one when below `size`), or queues it. */
  run(job: ThreadJob, signal: AbortSignal | undefined, onLog: Pending['onLog']): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      this.queue.push({ job, signal, onLog, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops every worker (running jobs are rejected). */
  async close(): Promise<void> {
    const all = [...this.slots];
    this.slots.clear();
    await Promise.all(all.map((s) => s.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot: Slot | undefined;
      for (const s of this.slots) {
        if (!s.busy) {
          slot = s;
          break;
        }
      }
      if (!slot) {
        if (this.slots.size >= this.size) return;
        slot = { worker: startWorker(ENTRY), busy: false };
        this.slots.add(slot);
      }
      const p = this.queue.shift()!;
      if (p.signal?.aborted) {
        p.reject(p.signal.reason);
        continue;
      }
      this.start(slot, p);
    }
  }

  private start(slot: Slot, p: Pending): void {
    const w = slot.worker;
    slot.busy = true;
    w.ref();
    let settled = false;
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
      p.signal?.removeEventListener('abort', onAbort);
    };
    const settle = (ok: boolean, v: unknown, reusable: boolean) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (reusable) {
        slot.busy = false;
        w.unref();
      } else {
        this.slots.delete(slot);
        void w.terminate();
      }
      if (ok) p.resolve(v);
      else p.reject(v);
      this.dispatch();
    };
    const onMessage = (m: ThreadMessage) => {
      if (m.type === 'log') p.onLog(m.level, m.message, m.time);
      else if (m.ok) settle(true, m.value, true);
      else settle(false, deserializeError(m.error), true);
    };
    const onError = (err: unknown) => {
      settle(false, new MlshipError('INTERNAL', `the worker thread of task '${p.job.task}' crashed: ${(err as Error)?.message ?? String(err)}`, { task: p.job.task }, { cause: err }), false);
    };
    const onExit = (code: number) => {
      settle(false, new MlshipError('INTERNAL', `the worker thread of task '${p.job.task}' exited with code ${code} before the task ended`, { task: p.job.task }), false);
    };
    const onAbort = () => settle(false, p.signal!.reason, false); // terminating the thread stops the work
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
    p.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      w.postMessage(p.job);
    } catch (err) {
      settle(
        false,
        new MlshipError('INVALID_ARGUMENT', `the arguments of thread task '${p.job.task}' cannot be sent to a worker thread (${(err as Error).message}): pass plain data, typed arrays, Maps, Sets or Dates, or run the task on the event loop (thread: false)`, { task: p.job.task }, { cause: err }),
        true,
      );
    }
  }
}

let pool: ThreadPool | null = null;
let poolSize: number | null = null;

function defaultSize(): number {
  const env = process.env.MLSHIP_FLOW_THREADS;
  if (env !== undefined && env !== '') {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1) throw new MlshipError('INVALID_ARGUMENT', `MLSHIP_FLOW_THREADS is '${env}'; use a whole number ≥ 1`, { field: 'MLSHIP_FLOW_THREADS', value: env });
    return n;
  }
  return availableParallelism();
}

/** The process's thread pool, started on first use. @internal */
export function threadPool(): ThreadPool {
  pool ??= new ThreadPool(poolSize ?? defaultSize());
  return pool;
}

/**
 * Sets how many worker threads run thread tasks at once (the default is the number of cores, or
 * `MLSHIP_FLOW_THREADS`). Workers already started are stopped once their tasks end.
 *
 * @param size - threads, ≥ 1.
 *
 * @example
 * ```ts
 * import { setThreadPoolSize } from 'mlship/flow';
 * setThreadPoolSize(4);
 * ```
 */
export function setThreadPoolSize(size: number): void {
  if (!Number.isInteger(size) || size < 1) throw new MlshipError('INVALID_ARGUMENT', `the thread pool size must be a whole number ≥ 1, got ${String(size)}`, { field: 'size', value: size });
  poolSize = size;
  const old = pool;
  pool = null;
  if (old) void old.close();
}

/** Stops the pool's workers (they are restarted on the next thread task). @internal */
export async function closeThreadPool(): Promise<void> {
  const old = pool;
  pool = null;
  await old?.close();
}

// ----------------------------------------------------------------------------- task registry

interface Registered {
  module: string;
  fn: (...args: unknown[]) => unknown;
}

const KEY = Symbol.for('mlship.flow.threadTasks');
/** name → definitions; on globalThis so every copy of this module in a thread shares it. */
function registry(): Map<string, Registered[]> {
  const g = globalThis as unknown as Record<symbol, Map<string, Registered[]> | undefined>;
  return (g[KEY] ??= new Map());
}

/** Records a thread task defined at a module's top level, so a worker importing it finds it. @internal */
export function registerThreadTask(name: string, module: string, fn: (...args: unknown[]) => unknown): void {
  const list = registry().get(name) ?? [];
  if (!list.some((r) => r.fn === fn && r.module === module)) list.push({ module, fn });
  registry().set(name, list);
}

function samePath(a: string, b: string): boolean {
  const strip = (u: string) => u.replace(/[?#].*$/, '');
  return strip(a) === strip(b);
}

/** The function of thread task `name` defined in `module` (after the module was imported). @internal */
export function findThreadTask(name: string, module: string): ((...args: unknown[]) => unknown) | undefined {
  const list = registry().get(name) ?? [];
  return (list.find((r) => samePath(r.module, module)) ?? (list.length === 1 ? list[0] : undefined))?.fn;
}

/**
 * The module that called `task()`: the first stack frame outside this folder's engine.
 * @internal
 */
export function callerModule(skip: readonly string[]): string | undefined {
  const stack = new Error().stack?.split('\n').slice(2) ?? []; // past 'Error' and this function
  for (const line of stack) {
    const m = /((?:file:\/\/)?\/[^():\s]+\.[cm]?[jt]sx?)(?:\?[^:)]*)?:\d+:\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const url = m[1]!.startsWith('file://') ? m[1]! : pathToFileURL(m[1]!).href;
    if (skip.some((s) => samePath(s, url))) continue;
    return url;
  }
  return undefined;
}

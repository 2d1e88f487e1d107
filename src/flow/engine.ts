/**
 * The flow engine: tasks and flows over plain async functions, run on the event loop. A task
 * called inside a flow run starts a task run and returns a {@link TaskFuture}; futures (and
 * promises) passed as arguments, or listed in `waitFor`, are the dependency graph, so independent
 * tasks run concurrently and a task starts when its inputs are ready.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { MlshipError } from '../core/index.js';
import { MlshipClient, withRunTags } from '../tracking/index.js';
import type { ActiveRun } from '../tracking/index.js';
import { cacheStore, computeCacheKey, DEFAULT_CACHE_DIR, readCache, writeCache } from './cache.js';
import type { CacheStorage } from './cache.js';
import { Semaphore } from './limiter.js';
import { checkForCrashes, ownerTags, startHeartbeat } from './crash.js';
import { errorTag, Recorder, statusOf, warnRecording } from './recorder.js';
import type { TaskEntry, TaskRecord } from './recorder.js';
import { checkRetryDelay, delayFor } from './retry.js';
import type { RetryDelay } from './retry.js';
import { isFailureState } from './state.js';
import type { RunState } from './state.js';
import { envLogLevel, LOG_LEVELS, RunLog } from './logger.js';
import type { LogLevel, LogLine, RunLogger } from './logger.js';
import { callerModule, registerThreadTask, threadPool } from './threads.js';

// ------------------------------------------------------------------------------------------ types

/**
 * A value, or a promise or task future of it; arrays (and plain objects, at run time) may hold
 * futures too.
 *
 * @example
 * ```ts
 * import { flow, task } from 'mlship/flow';
 * const mean = task((xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length, { name: 'mean' });
 * const one = task(() => 1, { name: 'one' });
 * await flow(async () => mean([one(), 2, Promise.resolve(3)]))(); // 2
 * ```
 */
export type Input<T> = T | PromiseLike<T> | (T extends readonly (infer U)[] ? readonly Input<U>[] : never);

/**
 * The arguments of a task or flow, each of which may be a future of the declared type.
 *
 * @example
 * ```ts
 * import type { Inputs } from 'mlship/flow';
 * const args: Inputs<[number, string]> = [Promise.resolve(1), 'a'];
 * ```
 */
export type Inputs<A extends readonly unknown[]> = { [K in keyof A]: Input<A[K]> };

/**
 * A hook run when a task run ends, before its future settles; errors it throws are reported on
 * stderr and ignored (a hook must not await the future of its own run).
 *
 * @example
 * ```ts
 * import { task } from 'mlship/flow';
 * const t = task(() => 1, { onFailure: (run) => console.error(run.name, run.state, run.error) });
 * ```
 */
export type TaskHook = (run: TaskRun) => void | Promise<void>;
/**
 * A hook run when a flow run ends; errors it throws are reported on stderr and ignored.
 *
 * @example
 * ```ts
 * import { flow } from 'mlship/flow';
 * const f = flow(async () => 1, { onCompletion: (run) => console.log(run.name, run.state, run.taskRuns.length) });
 * ```
 */
export type FlowHook = (run: FlowRun) => void | Promise<void>;

/**
 * Options of {@link task}.
 *
 * @example
 * ```ts
 * import { task, exponentialBackoff } from 'mlship/flow';
 * const options = { name: 'fetch', retries: 3, retryDelay: exponentialBackoff({ base: 100 }), timeoutMs: 5000, tags: ['net'] };
 * const fetchText = task(async (url: string) => (await fetch(url)).text(), options);
 * ```
 */
export interface TaskOptions<A extends readonly unknown[] = unknown[]> {
  /** The task's name (task runs are named `<name>-<n>`). @default fn.name, else 'task' */
  name?: string;
  /** Tags, for per-tag concurrency limits (`tagConcurrency` of the flow). @default [] */
  tags?: readonly string[];
  /** How many times to retry after a failed or timed-out attempt. @default 0 */
  retries?: number;
  /** The wait before each retry: ms, a list of ms (one per retry, the last repeating) or {@link exponentialBackoff}. @default 0 */
  retryDelay?: RetryDelay;
  /** Whether to retry after `error` on attempt number `attempt` (1-based). @default every error is retried */
  retryCondition?: (error: unknown, attempt: number) => boolean | Promise<boolean>;
  /**
   * The longest one attempt may run, in ms. When it passes, `ctx.signal` is aborted and the attempt
   * fails with an MlshipError with code `TIMEOUT` (retried like any failure); the last one leaves the run `TimedOut`.
   * JavaScript cannot stop a function that ignores its signal: its promise is abandoned.
   * @default undefined (no limit)
   */
  timeoutMs?: number;
  /** Reuse results when the task's inputs and source (`fn.toString()`) are unchanged. @default false (true when `cacheKey` or `cacheExpirationMs` is given) */
  cache?: boolean;
  /** The cache key of a call, from its resolved arguments; replaces inputs + source (a source change then does not invalidate). @default undefined */
  cacheKey?: (args: A) => string;
  /** How long a cached result stays valid, in ms. @default undefined (forever) */
  cacheExpirationMs?: number;
  /** Where results are cached: a folder, an artifact store URI or an `ArtifactStore`. @default the flow's cacheStorage, else the folder './mlship/cache/tasks' */
  cacheStorage?: CacheStorage;
  /** Ignore cached results (recompute and overwrite them). @default false */
  refresh?: boolean;
  /** Run after the run ends `Completed` or `Cached`. @default [] */
  onCompletion?: TaskHook | readonly TaskHook[];
  /** Run after the run ends `Failed`, `TimedOut` or `Crashed`. @default [] */
  onFailure?: TaskHook | readonly TaskHook[];
  /** Futures or promises this call waits for besides its arguments (set per call with `.with({ waitFor })`). @default [] */
  waitFor?: readonly PromiseLike<unknown>[];
  /**
   * Run the function on a worker thread of the flow thread pool (for CPU-bound work: the event loop
   * and the other tasks go on meanwhile). The task must be defined at the top level of a module,
   * which the worker imports to find it; arguments and result cross by structured clone, and a
   * timeout or cancellation terminates the thread. Use `this` (not closures over module state set
   * at run time) for the task context.
   * @default false
   */
  thread?: boolean;
  /** The module defining a thread task (`import.meta.url`). @default the file `task()` was called from */
  module?: string | URL;
}

/**
 * Options of {@link flow}.
 *
 * @example
 * ```ts
 * import { flow } from 'mlship/flow';
 * const nightly = flow(async () => 'ok', { name: 'nightly', experiment: 'pipelines', timeoutMs: 60_000, maxConcurrency: 4, tagConcurrency: { gpu: 1 } });
 * ```
 */
export interface FlowOptions {
  /** The flow's name. @default fn.name, else 'flow' */
  name?: string;
  /** The experiment flow runs are recorded in (subflows use their parent's). @default 'flows' */
  experiment?: string;
  /**
   * The client flow runs are recorded through. Without one, runs are recorded only when `record`
   * is true or `MLSHIP_TRACKING_URI` is set (a client is then opened and closed per flow run).
   * @default undefined (subflows use their parent's)
   */
  client?: MlshipClient;
  /** Record runs (see `client`); `false` turns recording off even with `MLSHIP_TRACKING_URI` set. @default undefined */
  record?: boolean;
  /** The longest the flow run may take, in ms; then it is cancelled and ends `TimedOut`. @default undefined (no limit) */
  timeoutMs?: number;
  /** The most task runs of this flow run running at once. @default Infinity */
  maxConcurrency?: number;
  /** The most task runs with a tag running at once, per tag, shared with subflows, e.g. `{ gpu: 1 }`. @default {} */
  tagConcurrency?: Record<string, number>;
  /** Where its tasks (and subflows') that set none cache results: a folder, an artifact store URI or an `ArtifactStore`. @default the folder './mlship/cache/tasks' */
  cacheStorage?: CacheStorage;
  /** Ignore every cached result in this run and its subflows (the CLI's `--refresh`). @default false */
  refresh?: boolean;
  /** Run after the run ends `Completed`. @default [] */
  onCompletion?: FlowHook | readonly FlowHook[];
  /** Run after the run ends `Failed`, `TimedOut` or `Crashed`. @default [] */
  onFailure?: FlowHook | readonly FlowHook[];
  /** The lowest level of run logger lines printed and kept (subflows use their parent's). @default process.env.MLSHIP_LOG_LEVEL ?? 'info' */
  logLevel?: LogLevel;
  /** Print run logger lines on stderr (they are recorded either way). @default true */
  printLogs?: boolean;
}

/**
 * What a task function sees as `this` (and through {@link taskContext}).
 *
 * @example
 * ```ts
 * import { task } from 'mlship/flow';
 * import type { TaskContext } from 'mlship/flow';
 * const get = task(async function (this: TaskContext, url: string) {
 *   console.log(`${this.name}: attempt ${this.attempt}`);
 *   return (await fetch(url, { signal: this.signal })).status;
 * }, { name: 'get', retries: 2 });
 * ```
 */
export interface TaskContext {
  /** The task run's id (a UUID). */
  readonly taskRunId: string;
  /** The task run's name, `<task>-<n>`. */
  readonly name: string;
  /** The task's name. */
  readonly task: string;
  /** The attempt number, 1 for the first. */
  readonly attempt: number;
  /** Aborted when this attempt times out or the flow run is cancelled; pass it to fetch, streams, timers. */
  readonly signal: AbortSignal;
  /** The flow run, `null` for a task called outside any flow (and in a thread task). */
  readonly flowRun: FlowRun | null;
  /** The run's logger: lines are printed on stderr and recorded as the task run's `logs.jsonl` artifact. */
  readonly logger: RunLogger;
}

/**
 * A task: call it like its function (inside a flow run) to start a task run.
 *
 * @example
 * ```ts
 * import { flow, task } from 'mlship/flow';
 * const inc = task((x: number) => x + 1, { name: 'inc' });
 * const patient = inc.with({ retries: 5 });
 * await flow(async () => patient(inc(1)))(); // 3
 * ```
 */
export interface Task<A extends unknown[], R> {
  (...args: Inputs<A>): TaskFuture<R>;
  /** The task's name. */
  readonly name: string;
  /** The options it was defined with. */
  readonly options: Readonly<TaskOptions<A>>;
  /** The wrapped function. */
  readonly fn: (this: TaskContext, ...args: A) => R | Promise<R>;
  /** A copy with some options changed, e.g. `.with({ waitFor: [a], retries: 3 })`. */
  with(options: TaskOptions<A>): Task<A, R>;
}

/**
 * A flow: call it to run it and get its result; `start` gives the {@link FlowRun} handle.
 *
 * @example
 * ```ts
 * import { flow } from 'mlship/flow';
 * const hello = flow(async (who: string) => `hello ${who}`, { name: 'hello' });
 * await hello('world');                      // 'hello world'
 * const run = hello.with({ record: false }).start('you');
 * console.log(await run.result(), run.state); // 'hello you' 'Completed'
 * ```
 */
export interface Flow<A extends unknown[], R> {
  (...args: Inputs<A>): Promise<R>;
  /** The flow's name. */
  readonly name: string;
  /** The options it was defined with. */
  readonly options: Readonly<FlowOptions>;
  /** The wrapped function. */
  readonly fn: (...args: A) => R | Promise<R>;
  /** Starts a flow run and returns its handle at once (for `cancel()`, states, task runs). */
  start(...args: Inputs<A>): FlowRun<R>;
  /** A copy with some options changed, e.g. `.with({ refresh: true })`. */
  with(options: FlowOptions): Flow<A, R>;
}

// ---------------------------------------------------------------------------------- internals

interface Store {
  flow: FlowRun;
  ctx?: TaskContext;
}

const als = new AsyncLocalStorage<Store>();
type Abortable = (reason: unknown) => void;

function toArray<T>(x: T | readonly T[] | undefined): readonly T[] {
  if (x === undefined) return [];
  return Array.isArray(x) ? (x as readonly T[]) : [x as T];
}

function cancelledError(message: string): Error {
  return new MlshipError('CANCELLED', message);
}
function timeoutError(message: string): Error {
  return new MlshipError('TIMEOUT', message);
}

function reportHookError(kind: string, name: string, err: unknown): void {
  process.stderr.write(`mlship flow: the ${kind} hook of '${name}' threw (ignored): ${(err as Error)?.message ?? String(err)}\n`);
}

function checkName(field: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be a non-empty string of at most 200 characters, got ${JSON.stringify(name)}`, { field, value: name });
  }
  return name;
}
function checkPositive(field: string, value: number | undefined, integer = false, allowInfinity = false): void {
  if (value === undefined) return;
  const ok = typeof value === 'number' && value > 0 && (Number.isFinite(value) ? !integer || Number.isInteger(value) : allowInfinity && value === Infinity);
  if (!ok) throw new MlshipError('INVALID_ARGUMENT', `${field} must be a ${integer ? 'whole ' : ''}number > 0${allowInfinity ? ' (or Infinity)' : ''}, got ${String(value)}`, { field, value });
}
function checkFunction(field: string, fn: unknown): void {
  if (fn !== undefined && typeof fn !== 'function') throw new MlshipError('INVALID_ARGUMENT', `${field} must be a function, got ${typeof fn}`, { field });
}

/** Promise-like values (task futures included). */
function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === 'object' || typeof v === 'function') && typeof (v as { then?: unknown }).then === 'function';
}
function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Collects the futures and promises in `value` (walking arrays and plain objects). */
function collect(value: unknown, runs: TaskRun[], promises: PromiseLike<unknown>[], depth: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (value instanceof TaskFuture) {
    runs.push(value.taskRun);
    return true;
  }
  if (isThenable(value)) {
    promises.push(value);
    return true;
  }
  if (depth > 32) return false;
  let found = false;
  if (Array.isArray(value)) {
    for (const v of value) if (collect(v, runs, promises, depth + 1)) found = true;
  } else if (isPlain(value)) {
    for (const k in value) if (collect((value as Record<string, unknown>)[k], runs, promises, depth + 1)) found = true;
  }
  return found;
}

/** A copy of `value` with futures and promises replaced by their values. */
function substitute(value: unknown, settled: Map<PromiseLike<unknown>, unknown>, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof TaskFuture) return value.taskRun.value;
  if (isThenable(value)) return settled.get(value);
  if (depth > 32) return value;
  if (Array.isArray(value)) return value.map((v) => substitute(v, settled, depth + 1));
  if (isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const k in value) out[k] = substitute((value as Record<string, unknown>)[k], settled, depth + 1);
    return out;
  }
  return value;
}

/**
 * Waits for the dependencies of a run. Returns the settled promise values, or the error of the
 * first failed dependency. Rejects with the abort reason when the flow run is aborted first.
 */
async function awaitInputs(flow: FlowRun, args: readonly unknown[], waitFor: readonly PromiseLike<unknown>[]): Promise<{ ok: true; args: unknown[] } | { ok: false; error: unknown; from: string }> {
  const runs: TaskRun[] = [];
  const promises: PromiseLike<unknown>[] = [];
  let found = false;
  for (const a of args) if (collect(a, runs, promises, 0)) found = true;
  for (const w of waitFor) collect(w, runs, promises, 0);
  if (runs.length === 0 && promises.length === 0) return { ok: true, args: args as unknown[] };
  const settled = new Map<PromiseLike<unknown>, unknown>();
  let failure: { error: unknown; from: string } | null = null;
  const all = Promise.all([
    ...runs.map((r) => r.settled),
    ...promises.map((p) =>
      Promise.resolve(p).then(
        (v) => void settled.set(p, v),
        (e: unknown) => void (failure ??= { error: e, from: 'a promise passed as input' }),
      ),
    ),
  ]);
  await flow.race(all);
  for (const r of runs) {
    r.observed = true;
    if (!failure && r.state !== 'Completed' && r.state !== 'Cached') failure = { error: r.error, from: `task run '${r.name}'` };
  }
  if (failure) return { ok: false, ...(failure as { error: unknown; from: string }) };
  return { ok: true, args: found ? args.map((a) => substitute(a, settled, 0)) : (args as unknown[]) };
}

/** One attempt of a task run: the context its function sees. */
class Attempt implements TaskContext {
  private controller: AbortController | null = null;
  timedOut = false;
  abortReason: unknown = undefined;

  constructor(
    readonly run: TaskRun,
    readonly attempt: number,
  ) {}

  get taskRunId(): string {
    return this.run.id;
  }
  get name(): string {
    return this.run.name;
  }
  get task(): string {
    return this.run.task;
  }
  get flowRun(): FlowRun | null {
    return this.run.flowRun.detached ? null : this.run.flowRun;
  }
  get logger(): RunLogger {
    return this.run.logger;
  }
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }
  abort(reason: unknown): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}

// ------------------------------------------------------------------------------------ task runs

/**
 * One run of a task: its state, attempts, timing, result or error. Live: the fields change as the
 * run proceeds.
 *
 * @example
 * ```ts
 * import { flow, task } from 'mlship/flow';
 * const double = task(async (x: number) => 2 * x);
 * const run = flow(async () => double(21)).start();
 * await run.wait();
 * const [t] = run.taskRuns;
 * console.log(t.name, t.state, t.attempts, t.durationMs); // 'double-1' 'Completed' 1 0.05
 * ```
 */
export class TaskRun {
  /** A UUID. */
  readonly id = randomUUID();
  /** `<task>-<n>`, unique within the flow run. */
  readonly name: string;
  /** The task's name. */
  readonly task: string;
  /** The task's tags. */
  readonly tags: readonly string[];
  state: RunState = 'Pending';
  /** Attempts started (0 when it never ran, e.g. cached or an upstream task failed). */
  attempts = 0;
  /** When it was created (ms since the epoch). */
  readonly createdTime = Date.now();
  /** When its first attempt started, `null` before. */
  startTime: number | null = null;
  /** When it ended, `null` before. */
  endTime: number | null = null;
  /** From creation to end, in ms (fractional), `null` before the end. */
  durationMs: number | null = null;
  /** Its result, once `Completed` or `Cached`. */
  value: unknown = undefined;
  /** Its error, once `Failed`, `TimedOut`, `Cancelled` or `Crashed`. */
  error: unknown = undefined;
  /** True when it never ran because a task it depends on did not complete. */
  upstreamFailed = false;
  /** The cache key, when caching is on. */
  cacheKey: string | null = null;
  /** @internal */
  settled!: Promise<void>;
  /** @internal its entry in the flow run's recorder, once its start is recorded */
  recording: TaskEntry | null = null;
  /** @internal whether someone consumed its outcome (awaited it, or depends on it) */
  observed = false;
  /** @internal */
  readonly flowRun: FlowRun;
  private readonly t0 = performance.now();
  private log: RunLog | null = null;

  /** The run's logger (see {@link TaskContext.logger}). */
  get logger(): RunLog {
    this.log ??= new RunLog(`Task run '${this.name}'`, this.flowRun.logLevel, this.flowRun.printLogs);
    return this.log;
  }

  /** What the run logged so far. */
  get logs(): readonly LogLine[] {
    return this.log?.lines ?? [];
  }

  /** @internal the logs as JSON Lines, `null` when nothing was logged */
  logText(): string | null {
    return this.log && (this.log.lines.length > 0 || this.log.dropped > 0) ? this.log.toJsonl() : null;
  }

  /** @internal */
  constructor(def: TaskDef, flowRun: FlowRun) {
    this.task = def.name;
    this.tags = def.tags;
    this.flowRun = flowRun;
    this.name = `${def.name}-${flowRun.nextIndex(def.name)}`;
  }

  /** @internal */
  finish(state: RunState, valueOrError?: unknown): void {
    this.state = state;
    if (state === 'Completed' || state === 'Cached') this.value = valueOrError;
    else this.error = valueOrError;
    this.endTime = Date.now();
    this.durationMs = performance.now() - this.t0;
  }
}

/**
 * The future result of a task run: await it for the value (it rejects with the task's error).
 * Pass it to other tasks as an argument, or in `waitFor`, to make them depend on it.
 *
 * @example
 * ```ts
 * import { flow, task } from 'mlship/flow';
 * const load = task(async () => [1, 2, 3]);
 * const total = task(async (xs: number[]) => xs.reduce((a, b) => a + b, 0));
 * const sum = await flow(async () => {
 *   const xs = load();           // a TaskFuture<number[]>
 *   return total(xs);             // runs when load is done
 * })();
 * console.log(sum); // 6
 * ```
 */
export class TaskFuture<R> implements PromiseLike<R> {
  /** The task run behind this future. */
  readonly taskRun: TaskRun;

  /** @internal */
  constructor(run: TaskRun) {
    this.taskRun = run;
  }

  /** The run's current state. */
  get state(): RunState {
    return this.taskRun.state;
  }

  /** Settles with the final {@link TaskRun} (never rejects). */
  wait(): Promise<TaskRun> {
    return this.taskRun.settled.then(() => this.taskRun);
  }

  then<T1 = R, T2 = never>(onfulfilled?: ((value: R) => T1 | PromiseLike<T1>) | null, onrejected?: ((reason: unknown) => T2 | PromiseLike<T2>) | null): Promise<T1 | T2> {
    this.taskRun.observed = true;
    const run = this.taskRun;
    return run.settled
      .then(() => {
        if (run.state === 'Completed' || run.state === 'Cached') return run.value as R;
        throw run.error;
      })
      .then(onfulfilled, onrejected);
  }

  catch<T = never>(onrejected?: ((reason: unknown) => T | PromiseLike<T>) | null): Promise<R | T> {
    return this.then(undefined, onrejected);
  }

  finally(onfinally?: (() => void) | null): Promise<R> {
    return this.then().finally(onfinally);
  }
}

interface TaskDef {
  name: string;
  fn: (...args: unknown[]) => unknown;
  /** the module a worker thread imports to run it, `null` for an event-loop task */
  thread: string | null;
  source: string;
  tags: readonly string[];
  options: TaskOptions<any>;
  caching: boolean;
  onCompletion: readonly TaskHook[];
  onFailure: readonly TaskHook[];
}

async function runHooks<T>(hooks: readonly ((run: T) => void | Promise<void>)[], run: T, kind: string, name: string): Promise<void> {
  for (const hook of hooks) {
    try {
      await hook(run);
    } catch (err) {
      reportHookError(kind, name, err);
    }
  }
}

/** Runs one attempt: the function in the task's context, raced against timeout and cancellation. */
function runAttempt(def: TaskDef, run: TaskRun, attempt: Attempt, args: unknown[]): Promise<unknown> {
  const flow = run.flowRun;
  return new Promise<unknown>((resolve, reject) => {
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const stop: Abortable = (reason) => {
      attempt.abort(reason);
      finish(false, reason);
    };
    const finish = (ok: boolean, v: unknown) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      flow.abortables.delete(stop);
      if (ok) resolve(v);
      else reject(v);
    };
    flow.abortables.add(stop);
    const timeoutMs = def.options.timeoutMs;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        attempt.timedOut = true;
        stop(timeoutError(`task run '${run.name}' timed out after ${timeoutMs} ms (timeoutMs) on attempt ${attempt.attempt}`));
      }, timeoutMs);
    }
    let out: unknown;
    try {
      if (def.thread !== null) {
        const job = { module: def.thread, task: def.name, args, ctx: { taskRunId: run.id, name: run.name, task: run.task, attempt: attempt.attempt } };
        out = threadPool().run(job, attempt.signal, (level, message, time) => run.logger.add(level, message, time));
      } else if (flow.trackingRun) {
        // runs the task creates through a client are tagged with the flow run and task run that created them
        const tags = { [SOURCE_FLOW_RUN_TAG]: flow.trackingRun.runId, [SOURCE_TASK_RUN_TAG]: run.name };
        out = withRunTags(tags, () => als.run({ flow, ctx: attempt }, () => def.fn.apply(attempt, args)));
      } else out = als.run({ flow, ctx: attempt }, () => def.fn.apply(attempt, args));
    } catch (err) {
      finish(false, err);
      return;
    }
    if (isThenable(out)) out.then((v) => finish(true, v), (e: unknown) => finish(false, e));
    else finish(true, out);
  });
}

async function executeTask(def: TaskDef, run: TaskRun, rawArgs: readonly unknown[], waitFor: readonly PromiseLike<unknown>[]): Promise<void> {
  const flow = run.flowRun;
  try {
    await null; // let the caller go on (build its fan-out) before the function starts
    let inputs: Awaited<ReturnType<typeof awaitInputs>>;
    try {
      inputs = await awaitInputs(flow, rawArgs, waitFor);
    } catch (reason) {
      return await end(def, run, 'Cancelled', reason);
    }
    if (flow.abortReason !== undefined) return await end(def, run, 'Cancelled', flow.abortReason);
    if (!inputs.ok) {
      run.upstreamFailed = true;
      return await end(def, run, 'Failed', inputs.error);
    }
    const args = inputs.args;
    const opts = def.options;
    let store: Awaited<ReturnType<typeof cacheStore>> | null = null;
    if (def.caching) {
      try {
        run.cacheKey = computeCacheKey(def.name, def.source, args, opts.cacheKey ? opts.cacheKey(args) : undefined);
      } catch (err) {
        return await end(def, run, 'Failed', err);
      }
      try {
        store = await cacheStore(opts.cacheStorage ?? flow.cacheStorage ?? DEFAULT_CACHE_DIR);
      } catch (err) {
        return await end(def, run, 'Failed', err);
      }
      if (!(opts.refresh || flow.refresh)) {
        const hit = await readCache(store, run.cacheKey, opts.cacheExpirationMs, Date.now());
        if (hit.hit) return await end(def, run, 'Cached', hit.value);
      }
    }
    const retries = opts.retries ?? 0;
    for (let n = 1; ; n++) {
      if (flow.abortReason !== undefined) return await end(def, run, 'Cancelled', flow.abortReason);
      const held = flow.acquire(def.tags);
      let slots: Semaphore[];
      try {
        slots = Array.isArray(held) ? held : await held;
      } catch (reason) {
        return await end(def, run, 'Cancelled', reason);
      }
      run.attempts = n;
      run.state = 'Running';
      if (run.startTime === null) {
        run.startTime = Date.now();
        if (flow.recorder) run.recording = flow.recorder.begin(recordOf(run));
      }
      const attempt = new Attempt(run, n);
      let value: unknown;
      let error: unknown;
      let failed = false;
      try {
        value = await runAttempt(def, run, attempt, args);
      } catch (err) {
        failed = true;
        error = err;
      } finally {
        for (const s of slots) s.release();
      }
      if (!failed) {
        if (run.cacheKey !== null && store !== null) {
          try {
            await writeCache(store, run.cacheKey, def.name, value, Date.now());
          } catch (err) {
            process.stderr.write(`mlship flow: the result of task run '${run.name}' was not cached: ${(err as Error).message}\n`);
          }
        }
        return await end(def, run, 'Completed', value);
      }
      if (flow.abortReason !== undefined && !attempt.timedOut) return await end(def, run, 'Cancelled', flow.abortReason);
      let retry = n <= retries;
      if (retry && opts.retryCondition) {
        try {
          retry = Boolean(await opts.retryCondition(error, n));
        } catch (err) {
          process.stderr.write(`mlship flow: retryCondition of task '${def.name}' threw (not retrying): ${(err as Error)?.message ?? String(err)}\n`);
          retry = false;
        }
      }
      if (!retry) return await end(def, run, attempt.timedOut ? 'TimedOut' : 'Failed', error);
      run.state = 'Retrying';
      try {
        await flow.sleep(delayFor(opts.retryDelay, n));
      } catch (reason) {
        return await end(def, run, 'Cancelled', reason);
      }
    }
  } catch (err) {
    // an error of the engine itself, not of the task's function
    if (run.endTime === null) await end(def, run, 'Crashed', err);
  }
}

function recordOf(run: TaskRun): TaskRecord {
  return {
    name: run.name,
    task: run.task,
    state: run.state,
    attempts: run.attempts,
    startTime: run.startTime ?? run.createdTime,
    endTime: run.endTime,
    durationMs: run.durationMs,
    error: run.error,
    cacheKey: run.cacheKey,
    logs: run.endTime === null ? null : run.logText(),
  };
}

async function end(def: TaskDef, run: TaskRun, state: RunState, valueOrError: unknown): Promise<void> {
  run.finish(state, valueOrError);
  const flow = run.flowRun;
  if (flow.recorder) flow.recorder.end(run.recording, recordOf(run));
  if (state === 'Completed' || state === 'Cached') {
    if (def.onCompletion.length > 0) await runHooks(def.onCompletion, run, 'onCompletion', run.name);
  } else if (isFailureState(state) && def.onFailure.length > 0) {
    await runHooks(def.onFailure, run, 'onFailure', run.name);
  }
}

function validateTaskOptions(options: TaskOptions<any>): void {
  if (options.name !== undefined) checkName('task name', options.name);
  const r = options.retries;
  if (r !== undefined && !(Number.isInteger(r) && r >= 0)) throw new MlshipError('INVALID_ARGUMENT', `retries must be a whole number ≥ 0, got ${String(r)}`, { field: 'retries', value: r });
  checkRetryDelay('retryDelay', options.retryDelay);
  checkPositive('timeoutMs', options.timeoutMs);
  checkPositive('cacheExpirationMs', options.cacheExpirationMs);
  checkFunction('retryCondition', options.retryCondition);
  checkFunction('cacheKey', options.cacheKey);
  for (const h of [...toArray(options.onCompletion), ...toArray(options.onFailure)]) checkFunction('hook', h);
  if (options.tags !== undefined && (!Array.isArray(options.tags) || options.tags.some((t) => typeof t !== 'string' || t === ''))) {
    throw new MlshipError('INVALID_ARGUMENT', `tags must be a list of non-empty strings, got ${JSON.stringify(options.tags)}`, { field: 'tags', value: options.tags });
  }
  if (options.module !== undefined && !(typeof options.module === 'string' || options.module instanceof URL)) {
    throw new MlshipError('INVALID_ARGUMENT', 'module must be the URL of the module defining the task (import.meta.url)', { field: 'module' });
  }
  if (options.waitFor !== undefined && !Array.isArray(options.waitFor)) {
    throw new MlshipError('INVALID_ARGUMENT', 'waitFor must be a list of task futures or promises', { field: 'waitFor' });
  }
}

/**
 * Wraps an async (or plain) function as a task. Called inside a flow run, it starts a task run and
 * returns a {@link TaskFuture} at once; futures and promises among its arguments (also inside
 * arrays and plain objects) are awaited first, so the values passed between tasks are the graph.
 * The function gets its {@link TaskContext} as `this` (and from {@link taskContext}), with the
 * `signal` to honour for timeouts and cancellation. Called outside a flow, it runs the same way,
 * unrecorded and without concurrency limits.
 *
 * @param fn - the work; its result should be plain data if it is cached.
 * @param options - retries, timeouts, caching, tags, hooks.
 *
 * @example
 * ```ts
 * import { flow, task, exponentialBackoff } from 'mlship/flow';
 * const download = task(async function (url: string) {
 *   const res = await fetch(url, { signal: this.signal });
 *   return res.text();
 * }, { retries: 3, retryDelay: exponentialBackoff({ base: 500 }), timeoutMs: 10_000 });
 * const words = task((text: string) => text.split(/\s+/).length, { cache: true });
 * const count = flow(async (url: string) => words(download(url)));
 * console.log(await count('https://example.com'));
 * ```
 */
export function task<A extends unknown[], R>(fn: (this: TaskContext, ...args: A) => R | Promise<R>, options: TaskOptions<A> = {}): Task<A, Awaited<R>> {
  if (typeof fn !== 'function') throw new MlshipError('INVALID_ARGUMENT', `task(fn) needs a function, got ${typeof fn}`, { field: 'fn' });
  validateTaskOptions(options);
  const name = options.name ?? (fn.name || 'task');
  let thread: string | null = null;
  if (options.thread) {
    thread = options.module !== undefined ? String(options.module) : (callerModule(ENGINE_MODULES) ?? null);
    if (thread === null) throw new MlshipError('INVALID_ARGUMENT', `cannot tell which module defines thread task '${name}': pass module: import.meta.url`, { field: 'module' });
    registerThreadTask(name, thread, fn as (...args: unknown[]) => unknown);
  }
  const def: TaskDef = {
    name,
    fn: fn as (...args: unknown[]) => unknown,
    thread,
    source: fn.toString(),
    tags: [...new Set(options.tags ?? [])].sort(),
    options,
    caching: options.cache ?? (options.cacheKey !== undefined || options.cacheExpirationMs !== undefined),
    onCompletion: toArray(options.onCompletion),
    onFailure: toArray(options.onFailure),
  };
  const waitFor = options.waitFor ?? [];
  const call = (...args: unknown[]): TaskFuture<Awaited<R>> => {
    const store = als.getStore();
    const flowRun = store?.flow ?? detachedFlowRun();
    const run = new TaskRun(def, flowRun);
    run.settled = executeTask(def, run, args, waitFor);
    flowRun.adopt(run);
    return new TaskFuture<Awaited<R>>(run);
  };
  Object.defineProperty(call, 'name', { value: name });
  return Object.assign(call, {
    options,
    fn,
    with: (more: TaskOptions<A>) => task(fn, { ...options, ...(thread !== null ? { module: thread } : {}), ...more }),
  }) as unknown as Task<A, Awaited<R>>;
}

/**
 * The context of the task attempt running now, or `undefined` outside a task.
 *
 * @example
 * ```ts
 * import { task, taskContext } from 'mlship/flow';
 * const slow = task(async () => {
 *   const { signal, attempt } = taskContext()!;
 *   await new Promise((r) => setTimeout(r, 1000)).then(() => signal.throwIfAborted());
 *   return attempt;
 * });
 * ```
 */
export function taskContext(): TaskContext | undefined {
  return als.getStore()?.ctx;
}

/**
 * The logger of the caller's run: the task run's inside a task, else the flow run's inside a flow,
 * else one that only prints. Lines are printed on stderr and recorded with the run (`logs.jsonl`).
 *
 * @example
 * ```ts
 * import { flow, runLogger } from 'mlship/flow';
 * await flow(async () => { runLogger().info('loading %s', 'data.csv'); })();
 * ```
 */
export function runLogger(): RunLogger {
  const store = als.getStore();
  if (store?.ctx) return store.ctx.logger;
  return (store?.flow ?? detachedFlowRun()).logger;
}

/** The files of the engine itself, skipped when finding the module that called `task()`. */
const ENGINE_MODULES = [import.meta.url];

/**
 * Runs a thread task's function inside its worker thread, with `ctx` as `this` and as
 * {@link taskContext}.
 * @internal
 */
export function callInThread(fn: (...args: unknown[]) => unknown, ctx: Omit<TaskContext, 'signal' | 'flowRun'>, args: unknown[]): unknown {
  const full: TaskContext = { ...ctx, signal: new AbortController().signal, flowRun: null };
  return als.run({ flow: detachedFlowRun(), ctx: full }, () => fn.apply(full, args));
}

/**
 * The flow run the caller runs in (inside a flow function or its tasks), or `undefined`.
 *
 * @example
 * ```ts
 * import { flow, flowContext } from 'mlship/flow';
 * const f = flow(async () => {
 *   const run = flowContext()!;
 *   return `${run.name} ${run.signal.aborted}`;
 * });
 * console.log(await f()); // 'f-1a2b3c4d false'
 * ```
 */
export function flowContext(): FlowRun | undefined {
  const f = als.getStore()?.flow;
  return f && !f.detached ? f : undefined;
}

// ------------------------------------------------------------------------------------ flow runs

interface FlowDef {
  name: string;
  fn: (...args: unknown[]) => unknown;
  options: FlowOptions;
  onCompletion: readonly FlowHook[];
  onFailure: readonly FlowHook[];
}

let detached: FlowRun | null = null;
/**
 * The tag on a run created (through an `MlshipClient`) inside a recorded flow run: the flow run's
 * tracking run id. Find them with `tags.\`mlship.sourceFlowRun\` = '<run id>'`.
 */
export const SOURCE_FLOW_RUN_TAG = 'mlship.sourceFlowRun';
/** The tag on a run created inside a task of a recorded flow run: the task run's name (`train-1`). */
export const SOURCE_TASK_RUN_TAG = 'mlship.sourceTaskRun';

/** Stores a run's log lines as its `logs.jsonl` artifact. */
async function writeLogs(client: MlshipClient, runId: string, text: string): Promise<void> {
  const store = await client.artifacts(runId);
  await store.writeBytes(LOGS_ARTIFACT, Buffer.from(text, 'utf8'));
}

/**
 * The artifact holding a recorded run's log lines (JSON Lines of `{ time, level, message }`).
 *
 * @example
 * ```ts
 * import { LOGS_ARTIFACT } from 'mlship/flow';
 * console.log(LOGS_ARTIFACT); // 'logs.jsonl'
 * ```
 */
export const LOGS_ARTIFACT = 'logs.jsonl';

function detachedFlowRun(): FlowRun {
  detached ??= new FlowRun({ name: '(no flow)', fn: () => undefined, options: {}, onCompletion: [], onFailure: [] }, null, true);
  return detached;
}

/**
 * One run of a flow: its state, task runs, subflow runs, and `cancel()`. Get it from
 * `myFlow.start(...)`; `await run.result()` for the flow's return value.
 *
 * @example
 * ```ts
 * import { flow, task } from 'mlship/flow';
 * const sleep = task(async function (ms: number) {
 *   await new Promise((r, j) => { const t = setTimeout(r, ms); this.signal.addEventListener('abort', () => { clearTimeout(t); j(this.signal.reason); }); });
 * });
 * const run = flow(async () => { await sleep(60_000); }).start();
 * setTimeout(() => run.cancel(), 100);
 * await run.wait();
 * console.log(run.state, run.taskRuns[0]?.state); // 'Cancelled' 'Cancelled'
 * ```
 */
export class FlowRun<R = unknown> {
  /** A UUID. */
  readonly id = randomUUID();
  /** `<flow>-<first 8 characters of the id>`. */
  readonly name: string;
  /** The flow's name. */
  readonly flow: string;
  state: RunState = 'Pending';
  /** The parent flow run of a subflow run, else `null`. */
  readonly parent: FlowRun | null;
  /** The task runs started in this flow run, in call order. */
  readonly taskRuns: TaskRun[] = [];
  /** The subflow runs started in this flow run. */
  readonly subflowRuns: FlowRun[] = [];
  /** The run recording it in the tracking store, once started (`null` when not recorded). */
  trackingRun: ActiveRun | null = null;
  /** When it started (ms since the epoch), `null` before. */
  startTime: number | null = null;
  /** When it ended, `null` before. */
  endTime: number | null = null;
  /** Its result once `Completed`. */
  value: R | undefined = undefined;
  /** Its error once `Failed`, `TimedOut`, `Cancelled` or `Crashed`. */
  error: unknown = undefined;
  /** @internal */
  readonly detached: boolean;
  /** @internal */
  abortReason: unknown = undefined;
  /** @internal */
  readonly abortables = new Set<Abortable>();
  /** @internal */
  recorder: Recorder | null = null;
  /** @internal */
  client: MlshipClient | null = null;
  /** @internal */
  cacheStorage: CacheStorage | undefined;
  /** @internal */
  refresh: boolean;
  /** @internal */
  readonly logLevel: LogLevel;
  /** @internal */
  readonly printLogs: boolean;
  /** @internal */
  observed = false;
  private log: RunLog | null = null;
  /** @internal */
  done!: Promise<void>;
  private timedOut = false;
  private readonly controller = new AbortController();
  private readonly limiter: Semaphore | null;
  /** @internal the per-tag limiters, shared with subflows */
  readonly tagLimiters: Map<string, Semaphore>;
  private readonly counters = new Map<string, number>();
  private pending = 0;
  private drained: (() => void) | null = null;

  /** @internal */
  constructor(
    private readonly def: FlowDef,
    parent: FlowRun | null,
    isDetached = false,
  ) {
    this.flow = def.name;
    this.name = `${def.name}-${this.id.slice(0, 8)}`;
    this.parent = parent;
    this.detached = isDetached;
    const o = def.options;
    this.limiter = o.maxConcurrency !== undefined && o.maxConcurrency !== Infinity ? new Semaphore(o.maxConcurrency) : null;
    this.tagLimiters = new Map(parent?.tagLimiters ?? []);
    for (const [tag, limit] of Object.entries(o.tagConcurrency ?? {})) {
      if (!this.tagLimiters.has(tag)) this.tagLimiters.set(tag, new Semaphore(limit));
    }
    this.cacheStorage = o.cacheStorage ?? parent?.cacheStorage;
    this.refresh = Boolean(o.refresh || parent?.refresh);
    this.logLevel = o.logLevel ?? parent?.logLevel ?? envLogLevel();
    this.printLogs = o.printLogs ?? parent?.printLogs ?? true;
  }

  /** The flow run's own logger (tasks have theirs: {@link TaskContext.logger}). */
  get logger(): RunLog {
    this.log ??= new RunLog(this.detached ? 'mlship' : `Flow run '${this.name}'`, this.logLevel, this.printLogs);
    return this.log;
  }

  /** What the flow run itself logged so far. */
  get logs(): readonly LogLine[] {
    return this.log?.lines ?? [];
  }

  /** Aborted when the run is cancelled or times out; its `reason` says which. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** The most task runs of this flow run that ran at once (with `maxConcurrency` set; else 0). */
  get maxTasksInFlight(): number {
    return this.limiter?.maxObserved ?? 0;
  }

  /**
   * Cancels the run: running tasks see their `signal` aborted and end `Cancelled` at once (their
   * functions' promises are abandoned), pending tasks never start, subflows are cancelled too, and
   * the run ends `Cancelled`. No effect once it has ended.
   */
  cancel(reason = 'cancelled by flowRun.cancel()'): void {
    this.abort(cancelledError(`flow run '${this.name}' ${reason}`));
  }

  /** Settles when the run has ended (never rejects), with the run. */
  wait(): Promise<this> {
    return this.done.then(() => this);
  }

  /** The flow function's result; rejects with the run's error when it did not complete. */
  result(): Promise<R> {
    this.observed = true;
    return this.done.then(() => {
      if (this.state === 'Completed') return this.value as R;
      throw this.error;
    });
  }

  /** @internal */
  nextIndex(taskName: string): number {
    const n = (this.counters.get(taskName) ?? 0) + 1;
    this.counters.set(taskName, n);
    return n;
  }

  /** @internal tracks a task run until it settles */
  adopt(run: TaskRun): void {
    if (this.detached) return;
    this.taskRuns.push(run);
    this.track(run.settled);
  }

  /** @internal */
  track(p: Promise<void>): void {
    this.pending++;
    void p.then(() => {
      if (--this.pending === 0 && this.drained) {
        const d = this.drained;
        this.drained = null;
        d();
      }
    });
  }

  /** @internal resolves when every tracked task run and subflow run has settled */
  drain(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => {
      this.drained = r;
    });
  }

  /** @internal */
  abort(reason: unknown, timedOut = false): void {
    if (this.abortReason !== undefined || this.endTime !== null || this.detached) return;
    this.abortReason = reason;
    this.timedOut = timedOut;
    this.controller.abort(reason);
    for (const a of [...this.abortables]) a(reason);
    this.abortables.clear();
  }

  /** @internal `p`, or a rejection with the abort reason when the run is aborted first */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.abortReason !== undefined) return Promise.reject(this.abortReason);
    if (this.detached) return p;
    return new Promise<T>((resolve, reject) => {
      const stop: Abortable = (reason) => reject(reason);
      this.abortables.add(stop);
      p.then(
        (v) => {
          this.abortables.delete(stop);
          resolve(v);
        },
        (e: unknown) => {
          this.abortables.delete(stop);
          reject(e);
        },
      );
    });
  }

  /** @internal an abortable sleep */
  sleep(ms: number): Promise<void> {
    if (this.abortReason !== undefined) return Promise.reject(this.abortReason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const stop: Abortable = (reason) => {
        clearTimeout(timer);
        reject(reason);
      };
      const timer = setTimeout(() => {
        this.abortables.delete(stop);
        resolve();
      }, ms);
      if (!this.detached) this.abortables.add(stop);
    });
  }

  /** @internal takes the concurrency slots of a task with `tags` (sync when free) */
  acquire(tags: readonly string[]): Semaphore[] | Promise<Semaphore[]> {
    const held: Semaphore[] = [];
    const sems: Semaphore[] = [];
    if (this.limiter) sems.push(this.limiter);
    for (const t of tags) {
      const s = this.tagLimiters.get(t);
      if (s) sems.push(s);
    }
    let i = 0;
    for (; i < sems.length; i++) {
      if (!sems[i]!.tryAcquire()) break;
      held.push(sems[i]!);
    }
    if (i === sems.length) return held;
    return (async () => {
      try {
        for (; i < sems.length; i++) {
          const s = sems[i]!;
          if (!s.tryAcquire()) {
            const w = s.wait();
            this.abortables.add(w.cancel);
            try {
              await w.promise;
            } finally {
              this.abortables.delete(w.cancel);
            }
          }
          held.push(s);
        }
        return held;
      } catch (err) {
        for (const s of held) s.release();
        throw err;
      }
    })();
  }

  /** @internal runs the flow function and everything around it */
  async execute(args: readonly unknown[]): Promise<void> {
    await null;
    const o = this.def.options;
    let client = o.client ?? this.parent?.client ?? null;
    let owned = false;
    if (!client && (o.record === true || (o.record !== false && !this.parent && process.env.MLSHIP_TRACKING_URI))) {
      try {
        client = await MlshipClient.open();
        owned = true;
      } catch (err) {
        warnRecording(err);
      }
    }
    if (o.record === false) client = null;
    this.client = client;
    let ran = false;
    try {
      if (client) {
        const parentRun = this.parent?.trackingRun ?? null;
        try {
          if (!parentRun) await checkForCrashes(client);
          const where = parentRun ? { parentRunId: parentRun.runId } : { experimentId: await experimentIdOf(client, o.experiment ?? 'flows') };
          await client.withRun(
            {
              ...where,
              runName: this.name,
              tags: { 'mlship.type': 'flow', 'mlship.flow': this.flow, 'mlship.state': 'Running', 'mlship.flowRunId': this.id, ...ownerTags(Date.now()) },
            },
            async (run) => {
              this.trackingRun = run;
              this.recorder = new Recorder(client!.tracking, run.experimentId, run.runId, this.flow, (runId, text) => writeLogs(client!, runId, text));
              ran = true;
              const stopHeartbeat = startHeartbeat(client!.tracking, run.runId);
              try {
                await withRunTags({ [SOURCE_FLOW_RUN_TAG]: run.runId }, () => this.body(args));
              } finally {
                stopHeartbeat();
              }
              await this.recorder.flush();
              const tags: Record<string, string> = { 'mlship.state': this.state };
              if (this.error !== undefined) tags['mlship.error'] = errorTag(this.error);
              await run.setTags(tags);
              await run.logMetrics({ duration_ms: this.endTime! - this.startTime!, task_runs: this.taskRuns.length });
              if (this.log && (this.log.lines.length > 0 || this.log.dropped > 0)) await writeLogs(client!, run.runId, this.log.toJsonl());
              await run.end(statusOf(this.state));
            },
          );
        } catch (err) {
          warnRecording(err);
        }
      }
      if (!ran) await this.body(args);
    } finally {
      if (owned) await client!.close().catch(warnRecording);
    }
    await runHooks(this.state === 'Completed' ? this.def.onCompletion : isFailureState(this.state) ? this.def.onFailure : [], this, this.state === 'Completed' ? 'onCompletion' : 'onFailure', this.name);
  }

  private async body(args: readonly unknown[]): Promise<void> {
    this.state = 'Running';
    this.startTime = Date.now();
    const o = this.def.options;
    let timer: NodeJS.Timeout | undefined;
    if (o.timeoutMs !== undefined) {
      const ms = o.timeoutMs;
      timer = setTimeout(() => this.abort(timeoutError(`flow run '${this.name}' timed out after ${ms} ms (timeoutMs)`), true), ms);
    }
    let state: RunState = 'Completed';
    let error: unknown;
    try {
      const parent = this.parent;
      let inputs: unknown[] = args as unknown[];
      if (parent) {
        const got = await awaitInputs(this, args, []);
        if (!got.ok) throw got.error;
        inputs = got.args;
      }
      const out = als.run({ flow: this }, () => this.def.fn(...inputs));
      this.value = (await this.race(Promise.resolve(out))) as R;
    } catch (err) {
      state = 'Failed';
      error = err;
    }
    await this.drain();
    if (timer !== undefined) clearTimeout(timer);
    if (this.abortReason !== undefined) {
      state = this.timedOut ? 'TimedOut' : 'Cancelled';
      error = this.abortReason;
    } else if (state === 'Completed') {
      const lost = this.taskRuns.find((t) => !t.observed && isFailureState(t.state)) ?? this.subflowRuns.find((f) => !f.observed && isFailureState(f.state));
      if (lost) {
        state = 'Failed';
        error = lost.error;
      }
    }
    if (state !== 'Completed') this.value = undefined;
    this.error = error;
    this.endTime = Date.now();
    this.state = state;
  }
}

/** The id of the experiment `name`, created if missing (safe when concurrent runs create it at once). */
async function experimentIdOf(client: MlshipClient, name: string): Promise<string> {
  try {
    return await client.tracking.getOrCreateExperiment(name);
  } catch (err) {
    const existing = await client.tracking.getExperimentByName(name);
    if (existing) return existing.experimentId;
    throw err;
  }
}

function validateFlowOptions(options: FlowOptions): void {
  if (options.name !== undefined) checkName('flow name', options.name);
  if (options.experiment !== undefined) checkName('experiment', options.experiment);
  checkPositive('timeoutMs', options.timeoutMs);
  checkPositive('maxConcurrency', options.maxConcurrency, true, true);
  for (const [tag, limit] of Object.entries(options.tagConcurrency ?? {})) checkPositive(`tagConcurrency.${tag}`, limit, true);
  for (const h of [...toArray(options.onCompletion), ...toArray(options.onFailure)]) checkFunction('hook', h);
  if (options.client !== undefined && !(options.client instanceof MlshipClient)) {
    throw new MlshipError('INVALID_ARGUMENT', 'client must be an MlshipClient (MlshipClient.open(...))', { field: 'client' });
  }
  if (options.logLevel !== undefined && !LOG_LEVELS.includes(options.logLevel)) {
    throw new MlshipError('INVALID_ARGUMENT', `logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(options.logLevel)}`, { field: 'logLevel', value: options.logLevel });
  }
}

/**
 * Wraps an async function as a flow. Calling it starts a flow run and resolves with the function's
 * result (or rejects with its error); `start(...)` returns the {@link FlowRun} handle instead.
 * Inside, tasks run concurrently as their inputs allow, within `maxConcurrency` and
 * `tagConcurrency`; a flow called inside a flow run is a subflow run (a child run). The run ends
 * when the function has returned and every task and subflow run it started has ended; a failed
 * task whose future nobody awaited fails the flow. Recorded in the tracking store when a `client`
 * is given (or `record: true`, or `MLSHIP_TRACKING_URI` is set): the flow run as a run of the
 * experiment `flows` tagged `mlship.flow` and `mlship.state`, each task run as a child run. Runs
 * are visible while they run (state `Running`: a task run from its first attempt). The flow run
 * also names its process (`mlship.pid`, `mlship.host`) and refreshes a `mlship.heartbeat` tag; a
 * top-level flow run first marks the runs of dead processes `Crashed` (see `markCrashedRuns`), and
 * re-running a killed flow reuses the results its cached tasks had finished.
 *
 * @param fn - the flow's body; call tasks and subflows in it.
 * @param options - recording, timeout, concurrency limits, cache folder, hooks.
 *
 * @example
 * ```ts
 * import { flow, task } from 'mlship/flow';
 * import { MlshipClient } from 'mlship/tracking';
 * const square = task(async (x: number) => x * x);
 * const total = task(async (xs: number[]) => xs.reduce((a, b) => a + b, 0));
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-flows/mlship.db' });
 * const sumOfSquares = flow(async (n: number) => total(Array.from({ length: n }, (_, i) => square(i))), {
 *   client,
 *   maxConcurrency: 8,
 * });
 * console.log(await sumOfSquares(10)); // 285
 * await client.close();
 * ```
 */
export function flow<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>, options: FlowOptions = {}): Flow<A, Awaited<R>> {
  if (typeof fn !== 'function') throw new MlshipError('INVALID_ARGUMENT', `flow(fn) needs a function, got ${typeof fn}`, { field: 'fn' });
  validateFlowOptions(options);
  const name = options.name ?? (fn.name || 'flow');
  const def: FlowDef = {
    name,
    fn: fn as (...args: unknown[]) => unknown,
    options,
    onCompletion: toArray(options.onCompletion),
    onFailure: toArray(options.onFailure),
  };
  const start = (...args: unknown[]): FlowRun<Awaited<R>> => {
    const store = als.getStore();
    const parent = store && !store.flow.detached ? store.flow : null;
    const run = new FlowRun<Awaited<R>>(def, parent);
    let unlink: Abortable | null = null;
    if (parent) {
      parent.subflowRuns.push(run as FlowRun);
      if (parent.abortReason !== undefined) run.abort(parent.abortReason);
      else {
        unlink = (reason) => run.abort(reason);
        parent.abortables.add(unlink);
      }
    }
    run.done = run.execute(args).catch(async (err: unknown) => {
      // the engine itself failed: report it as a crash rather than hang or reject
      run.error = err;
      run.state = 'Crashed';
      run.endTime ??= Date.now();
    });
    run.done = run.done.finally(() => {
      if (unlink) parent!.abortables.delete(unlink);
    });
    if (parent) parent.track(run.done);
    return run;
  };
  const call = (...args: unknown[]): Promise<Awaited<R>> => start(...args).result();
  Object.defineProperty(call, 'name', { value: name });
  return Object.assign(call, {
    options,
    fn,
    start,
    with: (more: FlowOptions) => flow(fn, { ...options, ...more }),
  }) as unknown as Flow<A, Awaited<R>>;
}

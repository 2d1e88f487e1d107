/**
 * Active runs: the run that logging goes to when no run id is given. A run started by
 * `client.withRun` is active inside its callback (through AsyncLocalStorage, so concurrent
 * callbacks each see their own run); a run started by `client.startRun` is pushed on a process-wide
 * stack until it ends, like `mlflow.start_run`. Runs still open when the process is interrupted
 * (SIGINT, SIGTERM) end as KILLED before the signal's default action proceeds.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { MlshipError } from '../core/index.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { artifactPathSegments } from './artifacts/local.js';
import { openArtifactStore } from './artifacts/open.js';
import { holdDatasetCapture } from './dataset-capture.js';
import type { DatasetInput, Run, RunInfo, RunStatus } from './entities.js';
import type { TrackingStore } from './store.js';
import type { MlshipClient } from './client.js';

/**
 * A `withRun` scope: its run, and the runs `startRun` pushed while inside it (kept apart from the
 * process-wide stack so that concurrent scopes never see each other's runs).
 */
interface Scope {
  run: ActiveRun;
  stack: ActiveRun[];
}

const storage = new AsyncLocalStorage<Scope>();
/** Runs started with `startRun` outside any live `withRun` scope. */
const globalStack: ActiveRun[] = [];
const openRuns = new Set<ActiveRun>();

function topOf(stack: ActiveRun[]): ActiveRun | undefined {
  for (let i = stack.length - 1; i >= 0; i--) if (!stack[i]!.ended) return stack[i];
  return undefined;
}

/** The live scope of the calling code, if any (a scope whose run ended no longer counts). */
function liveScope(): Scope | undefined {
  const scope = storage.getStore();
  return scope && !scope.run.ended ? scope : undefined;
}

/**
 * The run logging goes to: the most recent run started with `startRun` (and not yet ended) inside
 * the innermost `withRun` callback this code runs in, else that callback's run; outside any
 * `withRun`, the most recent run started with `startRun` and not yet ended; else `undefined`.
 *
 * @example
 * ```ts
 * import { activeRun } from 'mlship/tracking';
 * await activeRun()?.logMetric('loss', 0.1);
 * ```
 */
export function activeRun(): ActiveRun | undefined {
  const scope = liveScope();
  if (scope) return topOf(scope.stack) ?? scope.run;
  return topOf(globalStack);
}

const ambient = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/**
 * Runs `fn` with `tags` added to every run the client creates inside it (`startRun`, `withRun`,
 * autologging), under the tags a call gives itself; nested calls add to the outer tags. This is how
 * a flow links the runs its tasks create to the task run and flow run that created them.
 *
 * @example
 * ```ts
 * import { withRunTags } from 'mlship/tracking';
 * await withRunTags({ team: 'search' }, () => client.withRun({ experimentName: 'x' }, async (run) => run.logMetric('m', 1)));
 * ```
 */
export function withRunTags<T>(tags: Readonly<Record<string, string>>, fn: () => T): T {
  const outer = ambient.getStore();
  return ambient.run(outer ? { ...outer, ...tags } : tags, fn);
}

/** The tags {@link withRunTags} adds to runs created by the calling code, if any. */
export function ambientRunTags(): Readonly<Record<string, string>> | undefined {
  return ambient.getStore();
}

/** Runs `fn` with `run` active for the code it calls (AsyncLocalStorage). @internal */
export function runWithActive<T>(run: ActiveRun, fn: () => T): T {
  return storage.run({ run, stack: [] }, fn);
}

// ------------------------------------------------------------------ interruption

/** How long ending the open runs may take when the process is interrupted. */
const KILL_TIMEOUT_MS = 5000;
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
let handlersInstalled = false;

function onSignal(signal: NodeJS.Signals): void {
  uninstallHandlers();
  const runs = [...openRuns];
  const ended = Promise.allSettled(runs.map((r) => r.endNow('KILLED', 1000)));
  const timeout = new Promise((r) => setTimeout(r, KILL_TIMEOUT_MS).unref());
  void Promise.race([ended, timeout]).then(() => {
    // Re-raise: with our listener gone, the default action (terminate) runs, unless the
    // application listens to the signal itself, in which case its handler already ran.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function onBeforeExit(): void {
  // The event loop emptied with runs still open (a script that never called end()): end them as
  // FINISHED, as MLflow does at exit.
  uninstallHandlers();
  for (const r of [...openRuns]) void r.end('FINISHED').catch(() => undefined);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('beforeExit', onBeforeExit);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('beforeExit', onBeforeExit);
}

/** Whether the interrupt handlers are installed (only while runs are open). @internal */
export function interruptHandlersInstalled(): boolean {
  return handlersInstalled;
}

// ------------------------------------------------------------------ the active run

/** How an {@link ActiveRun} was started. @internal */
export interface ActiveRunInit {
  client: MlshipClient;
  store: TrackingStore;
  run: Run;
  /** Push on the process-wide stack (startRun) or not (withRun, scoped by AsyncLocalStorage). */
  push: boolean;
  captureDatasets: boolean;
}

/**
 * A run being logged to. Created by `MlshipClient.startRun` or `withRun`; every method logs to
 * this run's store. End it with {@link ActiveRun.end} (withRun does it for you), which first awaits
 * the background logging tracked with {@link ActiveRun.track} (dataset capture, autolog).
 *
 * @example
 * ```ts
 * import { MlshipClient } from 'mlship/tracking';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-demo/mlship.db' });
 * const run = await client.startRun({ experimentName: 'housing', runName: 'baseline' });
 * await run.logParams({ alpha: 0.5, model: 'ridge' });
 * await run.logMetric('rmse', 3.2, { step: 1 });
 * await run.logJson({ folds: 5 }, 'cv/config.json');
 * await run.end();
 * await client.close();
 * ```
 */
export class ActiveRun {
  readonly runId: string;
  readonly experimentId: string;
  readonly artifactUri: string;
  /** Whether data reads are recorded as dataset inputs while this run is active. */
  readonly captureDatasets: boolean;
  /** The client that started the run (its registry and stores). */
  readonly client: MlshipClient;
  private readonly store: TrackingStore;
  private readonly pending = new Set<Promise<unknown>>();
  private artifactStore: Promise<ArtifactStore> | undefined;
  private ending: Promise<RunInfo> | undefined;
  private releaseCapture: (() => void) | undefined;
  private isEnded = false;
  private readonly stack: ActiveRun[] | undefined;

  /** @internal Use `MlshipClient.startRun` or `withRun`. */
  constructor(init: ActiveRunInit) {
    this.store = init.store;
    this.client = init.client;
    this.runId = init.run.info.runId;
    this.experimentId = init.run.info.experimentId;
    this.artifactUri = init.run.info.artifactUri;
    this.captureDatasets = init.captureDatasets;
    openRuns.add(this);
    if (init.push) {
      this.stack = liveScope()?.stack ?? globalStack;
      this.stack.push(this);
    }
    installHandlers();
    if (this.captureDatasets) this.releaseCapture = holdDatasetCapture(activeRun);
  }

  /** True once {@link end} was called. */
  get ended(): boolean {
    return this.isEnded;
  }

  /** The run as stored now (info, latest metrics, params, tags, inputs). */
  getRun(): Promise<Run> {
    return this.store.getRun(this.runId);
  }

  logParam(key: string, value: string | number | boolean): Promise<void> {
    return this.store.logParam(this.runId, key, value);
  }

  logParams(params: Record<string, string | number | boolean>): Promise<void> {
    return this.store.logParams(this.runId, params);
  }

  logMetric(key: string, value: number, options: { step?: number; timestamp?: number } = {}): Promise<void> {
    return this.store.logMetric(this.runId, key, value, options);
  }

  logMetrics(metrics: Record<string, number>, options: { step?: number; timestamp?: number } = {}): Promise<void> {
    return this.store.logMetrics(this.runId, metrics, options);
  }

  setTag(key: string, value: string): Promise<void> {
    return this.store.setTag(this.runId, key, value);
  }

  setTags(tags: Record<string, string>): Promise<void> {
    return this.store.setTags(this.runId, tags);
  }

  /** Records datasets the run read (see also automatic dataset capture). */
  logInputs(inputs: DatasetInput[]): Promise<void> {
    return this.store.logInputs(this.runId, inputs);
  }

  /** The run's artifact store (opened once). */
  artifacts(): Promise<ArtifactStore> {
    this.artifactStore ??= openArtifactStore(this.artifactUri);
    return this.artifactStore;
  }

  /**
   * Logs a local file or folder: a file lands at `<artifactPath>/<basename>`, a folder's tree at
   * `<artifactPath>/<folder name>/...` (the root when `artifactPath` is omitted).
   */
  async logArtifact(localPath: string, artifactPath?: string): Promise<void> {
    const src = resolve(localPath);
    let isDir: boolean;
    try {
      isDir = (await stat(src)).isDirectory();
    } catch (err) {
      throw new MlshipError('NOT_FOUND', `cannot log ${src} as an artifact: no such file or folder`, { file: src }, { cause: err });
    }
    const store = await this.artifacts();
    if (!isDir) return store.logFile(src, artifactPath);
    return store.logDir(src, [...artifactPathSegments(artifactPath), basename(src)].join('/'));
  }

  /** Writes `text` (UTF-8) to exactly `artifactPath`. */
  logText(text: string, artifactPath: string): Promise<void> {
    return this.writeArtifact(artifactPath, new TextEncoder().encode(text));
  }

  /** Writes `value` as indented JSON to exactly `artifactPath`. */
  logJson(value: unknown, artifactPath: string): Promise<void> {
    const json = JSON.stringify(value, null, 2);
    if (json === undefined) {
      throw new MlshipError('INVALID_ARGUMENT', `logJson('${artifactPath}') got a value JSON cannot represent (${typeof value})`, { field: 'value' });
    }
    return this.logText(json + '\n', artifactPath);
  }

  /** Writes bytes to exactly `artifactPath`, atomically. */
  async writeArtifact(artifactPath: string, bytes: Uint8Array): Promise<void> {
    return (await this.artifacts()).writeBytes(artifactPath, bytes);
  }

  /**
   * Adds background work (dataset capture, autolog) that {@link flush} and {@link end} await. Its
   * failure is reported on stderr, never thrown at the caller of `end()`.
   */
  track(p: Promise<unknown>): void {
    const tracked = p.then(
      () => undefined,
      (err: unknown) => {
        process.stderr.write(`mlship tracking: background logging for run ${this.runId} failed: ${err instanceof Error ? err.message : String(err)}\n`);
      },
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Awaits the background logging tracked so far (and any it started in turn). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /**
   * Flushes, then ends the run with `status` and takes it off the active-run stack. Calling it
   * again returns the first call's result.
   *
   * @param status - the final status. @default 'FINISHED'
   */
  end(status: RunStatus = 'FINISHED'): Promise<RunInfo> {
    return this.endNow(status, Infinity);
  }

  /** {@link end} with a bound on the flush (used when the process is interrupted). @internal */
  endNow(status: RunStatus, flushTimeoutMs: number): Promise<RunInfo> {
    if (status === 'RUNNING') {
      return Promise.reject(new MlshipError('INVALID_ARGUMENT', `end() needs a final status (FINISHED, FAILED or KILLED), got 'RUNNING'`, { field: 'status', value: status }));
    }
    this.ending ??= (async () => {
      this.isEnded = true;
      try {
        if (Number.isFinite(flushTimeoutMs)) await Promise.race([this.flush(), new Promise((r) => setTimeout(r, flushTimeoutMs).unref())]);
        else await this.flush();
        return await this.store.endRun(this.runId, status);
      } finally {
        this.detach();
      }
    })();
    return this.ending;
  }

  private detach(): void {
    this.releaseCapture?.();
    this.releaseCapture = undefined;
    const i = this.stack?.lastIndexOf(this) ?? -1;
    if (i >= 0) this.stack!.splice(i, 1);
    openRuns.delete(this);
    if (openRuns.size === 0) uninstallHandlers();
  }
}

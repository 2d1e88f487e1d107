/**
 * `mlship serve --workers N`: N worker processes (node:cluster) share the listening port. The
 * primary only supervises: it forks the workers, restarts one that crashes, forwards shutdown, and
 * sums the workers' metrics. Each worker sends its metrics snapshot to the primary every second; a
 * worker answering `/metrics` sends its fresh snapshot and gets back the total over every worker
 * (plus what workers that died had counted, so counters never go backwards).
 */
import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { MlshipError, siblingModule } from '../../core/index.js';
import type { ModelServerOptions } from './app.js';
import { mergeSnapshots, renderSnapshot, type MetricsSnapshot } from './metrics.js';

/** The options a worker receives (what survives JSON). */
export type WorkerServerOptions = Omit<ModelServerOptions, 'renderMetrics' | 'onEvent' | 'logRequests' | 'monitor'> & { logRequests?: boolean };

/** Messages between the primary and a worker. */
export type ClusterMessage =
  | { type: 'mlship:listening'; url: string }
  | { type: 'mlship:failed'; error: { code?: string; message: string } }
  | { type: 'mlship:metrics'; snapshot: MetricsSnapshot }
  | { type: 'mlship:metrics-request'; id: number; snapshot: MetricsSnapshot }
  | { type: 'mlship:metrics-response'; id: number; text: string };

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Number of worker processes. */
  workers: number;
  /** The server options every worker starts with. */
  server: WorkerServerOptions;
  /** Where supervision messages go (restarts). @default stderr */
  onEvent?: (line: string) => void;
  /** Restarts allowed within a minute before the cluster gives up. @default 10 */
  maxRestartsPerMinute?: number;
  /** Text appended to the summed `/metrics` (the gauges of a monitor the primary runs, `--monitor`). @default none */
  extraMetrics?: () => string;
}

/** A running cluster. */
export interface RunningCluster {
  /** The URL every worker listens on. */
  url: string;
  /** Number of worker restarts after crashes. */
  readonly restarts: number;
  /** The live workers' process ids. */
  pids(): number[];
  /** Asks every worker to shut down gracefully (finish in-flight requests, flush the log) and waits for them. Idempotent. */
  close(): Promise<void>;
  /** Settles when the cluster is gone: resolves after {@link close}, rejects when workers kept crashing. */
  readonly exited: Promise<void>;
}

/**
 * Forks `workers` model server processes and resolves once every one of them listens.
 *
 * @example
 * ```ts
 * const c = await startCluster({ workers: 2, server: { models: ['models:/spam@champion'], port: 8080 } });
 * console.log(c.url);
 * await c.close();
 * ```
 */
export async function startCluster(options: ClusterOptions): Promise<RunningCluster> {
  const { workers: n, server, maxRestartsPerMinute = 10 } = options;
  if (!cluster.isPrimary) throw new MlshipError('INVALID_ARGUMENT', 'startCluster must run in the primary process', { field: 'workers' });
  if (!Number.isSafeInteger(n) || n < 1) throw new MlshipError('INVALID_ARGUMENT', `workers must be a positive integer, got ${n}`, { field: 'workers', value: n });
  const say = options.onEvent ?? ((line: string) => void process.stderr.write(`mlship serve: ${line}\n`));
  const exec = siblingModule(import.meta.url, 'cluster-worker');
  const execPath = fileURLToPath(exec);
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  if (execPath.endsWith('.ts') && !execArgv.some((a, i) => a === 'tsx' && execArgv[i - 1] === '--import')) execArgv.push('--import', 'tsx');
  cluster.setupPrimary({ exec: execPath, execArgv, args: [], silent: false });

  const snapshots = new Map<number, MetricsSnapshot>();
  let retired: MetricsSnapshot = { families: [] };
  let restarts = 0;
  let closing = false;
  const recent: number[] = [];
  const live = new Set<Worker>();
  const total = (): string => {
    const merged = mergeSnapshots([retired, ...snapshots.values()]);
    return `${renderSnapshot(merged)}# HELP mlship_workers Live worker processes\n# TYPE mlship_workers gauge\nmlship_workers ${live.size}\n# HELP mlship_worker_restarts_total Workers restarted after a crash\n# TYPE mlship_worker_restarts_total counter\nmlship_worker_restarts_total ${restarts}\n${options.extraMetrics?.() ?? ''}`;
  };

  let resolveExited!: () => void;
  let rejectExited!: (err: Error) => void;
  const exited = new Promise<void>((res, rej) => {
    resolveExited = res;
    rejectExited = rej;
  });
  exited.catch(() => undefined);

  let firstListening!: (url: string) => void;
  let firstFailed!: (err: Error) => void;
  const listening = new Promise<string>((res, rej) => {
    firstListening = res;
    firstFailed = rej;
  });
  listening.catch(() => undefined);
  let started = false;
  let listeningCount = 0;

  const fork = (): Worker => {
    const w = cluster.fork({ MLSHIP_SERVE_WORKER: JSON.stringify(server) });
    live.add(w);
    w.on('message', (m: ClusterMessage) => {
      if (m.type === 'mlship:listening') {
        if (!started && ++listeningCount === n) {
          started = true;
          firstListening(m.url);
        }
      } else if (m.type === 'mlship:failed') {
        const err = m.error.code ? new MlshipError(m.error.code as never, m.error.message) : new Error(m.error.message);
        if (!started) {
          closing = true;
          firstFailed(err);
        }
      } else if (m.type === 'mlship:metrics') snapshots.set(w.id, m.snapshot);
      else if (m.type === 'mlship:metrics-request') {
        snapshots.set(w.id, m.snapshot);
        if (w.isConnected()) w.send({ type: 'mlship:metrics-response', id: m.id, text: total() } satisfies ClusterMessage);
      }
    });
    w.on('exit', (code, signal) => {
      live.delete(w);
      const last = snapshots.get(w.id);
      // Its counters and histograms stay in the totals; its gauges (its own state) go with it.
      if (last) retired = mergeSnapshots([retired, { families: last.families.filter((f) => f.kind !== 'gauge') }]);
      snapshots.delete(w.id);
      // Exit code 0 is a graceful shutdown (the worker got SIGINT/SIGTERM itself, e.g. Ctrl+C in a terminal reaches the whole group): not restarted.
      if (closing || !started || code === 0) {
        if (live.size === 0) {
          if (!started) firstFailed(new MlshipError('INTERNAL', `the server worker exited with ${signal ?? `code ${code}`} before listening`));
          resolveExited();
        }
        return;
      }
      const now = Date.now();
      while (recent.length > 0 && now - recent[0]! > 60_000) recent.shift();
      if (recent.length >= maxRestartsPerMinute) {
        closing = true;
        for (const other of live) other.process.kill('SIGTERM');
        rejectExited(new MlshipError('INTERNAL', `server workers crashed ${recent.length + 1} times within a minute; giving up (last: ${signal ?? `exit code ${code}`})`));
        return;
      }
      recent.push(now);
      restarts++;
      say(`worker ${w.process.pid} died (${signal ?? `exit code ${code}`}); starting another`);
      fork();
    });
    return w;
  };
  for (let i = 0; i < n; i++) fork();
  let url: string;
  try {
    url = await listening;
  } catch (err) {
    closing = true;
    for (const w of live) w.kill('SIGTERM');
    await exited.catch(() => undefined);
    throw err;
  }
  let closed: Promise<void> | undefined;
  return {
    url,
    get restarts() {
      return restarts;
    },
    pids: () => [...live].map((w) => w.process.pid!).filter((p) => p !== undefined),
    exited,
    close: () =>
      (closed ??= (async () => {
        closing = true;
        if (live.size === 0) resolveExited();
        // SIGTERM: a serving worker shuts down gracefully; one still starting (a restart) just ends.
        for (const w of live) w.process.kill('SIGTERM');
        const force = setTimeout(() => {
          for (const w of live) w.process.kill('SIGKILL');
        }, 45_000);
        force.unref();
        await exited.catch(() => undefined);
        clearTimeout(force);
      })()),
  };
}

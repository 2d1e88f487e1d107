/**
 * Crash detection for recorded flow runs. Every recorded flow run carries its owner (tags
 * `mlship.pid`, `mlship.host`) and a heartbeat (tag `mlship.heartbeat`, ms since the epoch,
 * refreshed every {@link HEARTBEAT_INTERVAL_MS} by an unref'd timer). A run still RUNNING whose
 * process is gone, or whose heartbeat stopped, was left behind by a process that died mid-flow:
 * {@link markCrashedRuns} ends it FAILED with the state `Crashed`, with its RUNNING task runs.
 */
import { hostname } from 'node:os';
import { MlshipError } from '../core/index.js';
import type { MlshipClient, Run, TrackingStore } from '../tracking/index.js';
import { errorTag, warnRecording } from './recorder.js';

/**
 * How often a recorded flow run refreshes its `mlship.heartbeat` tag, in ms.
 *
 * @example
 * ```ts
 * import { HEARTBEAT_INTERVAL_MS } from 'mlship/flow';
 * console.log(HEARTBEAT_INTERVAL_MS); // 5000
 * ```
 */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * The default `staleMs` of {@link markCrashedRuns}: a heartbeat older than this (10 minutes) means
 * the run's process is gone. Generous on purpose: a task that blocks the event loop (CPU-bound
 * work on the main thread) also stops the heartbeat.
 *
 * @example
 * ```ts
 * import { DEFAULT_STALE_MS } from 'mlship/flow';
 * console.log(DEFAULT_STALE_MS / 60_000); // 10
 * ```
 */
export const DEFAULT_STALE_MS = 600_000;

/**
 * Options of {@link markCrashedRuns}.
 *
 * @example
 * ```ts
 * import type { MarkCrashedOptions } from 'mlship/flow';
 * const options: MarkCrashedOptions = { staleMs: 60_000 };
 * ```
 */
export interface MarkCrashedOptions {
  /** A RUNNING flow run whose last heartbeat (else start time) is older than this, in ms, is crashed, whatever its host. @default DEFAULT_STALE_MS (10 minutes) */
  staleMs?: number;
  /** The time to compare heartbeats with (ms since the epoch). @default Date.now() */
  now?: number;
}

/**
 * What {@link markCrashedRuns} marked.
 *
 * @example
 * ```ts
 * import type { CrashedRuns } from 'mlship/flow';
 * const none: CrashedRuns = { flowRunIds: [], taskRunIds: [] };
 * ```
 */
export interface CrashedRuns {
  /** The flow runs (and subflow runs) marked `Crashed`. */
  flowRunIds: string[];
  /** Their task runs that were still RUNNING, marked `Crashed` too. */
  taskRunIds: string[];
}

/** The tags a recorded flow run starts with, naming its process. @internal */
export function ownerTags(now: number): Record<string, string> {
  return { 'mlship.pid': String(process.pid), 'mlship.host': hostname(), 'mlship.heartbeat': String(now) };
}

/** Refreshes the heartbeat of a flow run until the returned function is called; never keeps the process alive. @internal */
export function startHeartbeat(store: TrackingStore, runId: string, intervalMs = HEARTBEAT_INTERVAL_MS): () => void {
  let stopped = false;
  const timer = setInterval(() => {
    if (stopped) return;
    store.setTag(runId, 'mlship.heartbeat', String(Date.now())).catch(warnRecording);
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Whether process `pid` exists on this host (EPERM: it exists, owned by someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why a RUNNING flow run is crashed, or `null` when its process may still be running it. */
function crashReason(run: Run, host: string, now: number, staleMs: number): string | null {
  const tags = run.data.tags;
  const pid = Number(tags['mlship.pid']);
  const runHost = tags['mlship.host'];
  const beat = Number(tags['mlship.heartbeat']);
  const lastSeen = Number.isFinite(beat) && beat > 0 ? beat : run.info.startTime;
  if (runHost === host && Number.isInteger(pid) && pid > 0) {
    if (pid === process.pid) return null; // this process: alive by definition
    if (!processAlive(pid)) return `Crashed: process ${pid} on host '${host}' ended without ending this run`;
  }
  const age = now - lastSeen;
  if (age > staleMs) {
    return `Crashed: no heartbeat for ${Math.round(age / 1000)} s (more than staleMs = ${staleMs} ms) from process ${tags['mlship.pid'] ?? '?'} on host '${runHost ?? '?'}'`;
  }
  return null;
}

async function allExperimentIds(store: TrackingStore): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchExperiments({ maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    for (const e of page.items) ids.push(e.experimentId);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return ids;
}

/**
 * Marks the flow runs left RUNNING by a process that died mid-flow (killed, out of memory, power
 * loss): tracking status FAILED, tag `mlship.state` = `Crashed` and a `mlship.error` saying why,
 * and the same for their task runs still RUNNING. A flow run is crashed when it was recorded on
 * this host by a process that no longer exists (`process.kill(pid, 0)` fails), or when its
 * heartbeat (`mlship.heartbeat`, else its start time) is older than `staleMs`, on any host. Runs of
 * the calling process are never marked. A recorded top-level flow run calls this (with the
 * defaults, at most once a minute per client) before it starts, so the next process that runs a
 * flow on the store cleans up; re-running the flow then resumes from its cached task results.
 *
 * @param client - the client of the tracking store to check.
 * @param options - how old a heartbeat may be.
 * @returns the run ids it marked.
 *
 * @example
 * ```ts
 * import { MlshipClient } from 'mlship/tracking';
 * import { markCrashedRuns } from 'mlship/flow';
 * const client = await MlshipClient.open({ trackingUri: 'sqlite:///tmp/mlship-flows/mlship.db' });
 * const { flowRunIds, taskRunIds } = await markCrashedRuns(client, { staleMs: 60_000 });
 * console.log(`${flowRunIds.length} flow runs and ${taskRunIds.length} task runs crashed`);
 * await client.close();
 * ```
 */
export async function markCrashedRuns(client: MlshipClient, options: MarkCrashedOptions = {}): Promise<CrashedRuns> {
  const staleMs = options.staleMs ?? DEFAULT_STALE_MS;
  if (typeof staleMs !== 'number' || !(staleMs > 0)) {
    throw new MlshipError('INVALID_ARGUMENT', `staleMs must be a number of ms > 0, got ${String(staleMs)}`, { field: 'staleMs', value: staleMs });
  }
  const now = options.now ?? Date.now();
  const store = client.tracking;
  const experimentIds = await allExperimentIds(store);
  const running = await store.searchAllRuns({ experimentIds, filter: "attributes.status = 'RUNNING'" });
  const host = hostname();
  const flows = running.filter((r) => r.data.tags['mlship.type'] === 'flow');
  const crashed = new Map<string, { reason: string; endTime: number }>();
  for (const run of flows) {
    const reason = crashReason(run, host, now, staleMs);
    if (reason === null) continue;
    const beat = Number(run.data.tags['mlship.heartbeat']);
    crashed.set(run.info.runId, { reason, endTime: Number.isFinite(beat) && beat > 0 ? beat : run.info.startTime });
  }
  // a subflow run of a crashed flow run is crashed too (same process)
  for (let grew = true; grew; ) {
    grew = false;
    for (const run of flows) {
      const parent = run.info.parentRunId;
      if (crashed.has(run.info.runId) || parent === null) continue;
      const p = crashed.get(parent);
      if (p) {
        crashed.set(run.info.runId, p);
        grew = true;
      }
    }
  }
  const runningIds = new Set(running.map((r) => r.info.runId));
  const tasks = running.filter((r) => {
    if (r.data.tags['mlship.type'] !== 'task' || r.info.parentRunId === null) return false;
    // its flow run crashed now, or ended earlier without it (an earlier crash)
    return crashed.has(r.info.parentRunId) || !runningIds.has(r.info.parentRunId);
  });
  const mark = async (runId: string, reason: string, endTime: number): Promise<void> => {
    await store.logBatch(runId, { tags: [{ key: 'mlship.state', value: 'Crashed' }, { key: 'mlship.error', value: errorTag(reason) }] });
    await store.updateRun(runId, { status: 'FAILED', endTime });
  };
  const marked: string[] = [];
  for (const t of tasks) {
    const p = crashed.get(t.info.parentRunId!);
    // an orphan seen on an earlier page while its flow run was still running: check it again
    if (!p && (await store.getRun(t.info.runId)).info.status !== 'RUNNING') continue;
    marked.push(t.info.runId);
    await mark(t.info.runId, p?.reason ?? 'Crashed: its flow run ended while it was running', Math.max(t.info.startTime, p?.endTime ?? now));
  }
  for (const [runId, { reason, endTime }] of crashed) await mark(runId, reason, endTime);
  return { flowRunIds: [...crashed.keys()], taskRunIds: marked };
}

const lastCheck = new WeakMap<MlshipClient, number>();
/** How often a flow start checks its store for crashed runs, per client. @internal */
export const CRASH_CHECK_INTERVAL_MS = 60_000;

/** {@link markCrashedRuns} with the defaults, at most once per {@link CRASH_CHECK_INTERVAL_MS} per client; never throws. @internal */
export async function checkForCrashes(client: MlshipClient): Promise<void> {
  const now = Date.now();
  const last = lastCheck.get(client);
  if (last !== undefined && now - last < CRASH_CHECK_INTERVAL_MS) return;
  lastCheck.set(client, now);
  try {
    await markCrashedRuns(client);
  } catch (err) {
    warnRecording(err);
  }
}

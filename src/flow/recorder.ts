/**
 * Writes task runs to the tracking store as nested child runs of their flow run, in the
 * background (write-behind): a task's future settles without waiting for the store, and the flow
 * run waits for the queue before it ends. A task run is created (state `Running`) when its first
 * attempt starts, so it is visible while it runs, and completed when it ends: at most three statements per
 * task run in all (create with its tags; one logBatch with its metrics and final state tags; end),
 * written one after another so the store sees one writer. When a task run ends before its create
 * was written (a fast task), it is created ended with its final tags: two statements; a task run that never ran
 * (cached, upstream failed, cancelled while pending) is only written when it ends.
 */
import type { TrackingStore, RunStatus } from '../tracking/index.js';
import { MAX_TAG_VALUE_LENGTH } from '../tracking/index.js';
import type { RunState } from './state.js';

/** The tracking status a flow or task state is recorded with. @internal */
export function statusOf(state: RunState): RunStatus {
  switch (state) {
    case 'Completed':
    case 'Cached':
      return 'FINISHED';
    case 'Cancelled':
      return 'KILLED';
    case 'Failed':
    case 'TimedOut':
    case 'Crashed':
      return 'FAILED';
    default:
      return 'RUNNING';
  }
}

/** An error as one tag value: its name and message, cut to the store's limit. @internal */
export function errorTag(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_TAG_VALUE_LENGTH ? `${text.slice(0, MAX_TAG_VALUE_LENGTH - 1)}…` : text;
}

/** What is recorded of one task run: its start (`state` Running, no end) or its end. @internal */
export interface TaskRecord {
  name: string;
  task: string;
  state: RunState;
  attempts: number;
  startTime: number;
  endTime: number | null;
  durationMs: number | null;
  error: unknown;
  cacheKey: string | null;
  /** The run's log lines as JSON Lines (at its end), `null` when it logged nothing. */
  logs: string | null;
}

/** One task run in the write queue. @internal */
export class TaskEntry {
  /** The tracking run id once created. */
  runId: string | null = null;
  /** Whether it is in the queue, waiting to be written. */
  queued = false;
  /** Whether the task run has ended. */
  ended = false;
  /** Whether it was created with its final tags. */
  createdFinal = false;
  constructor(public rec: TaskRecord) {}
}

let warned = false;
/** Reports a recording failure once per process on stderr; recording never fails a flow. @internal */
export function warnRecording(err: unknown): void {
  if (warned) return;
  warned = true;
  process.stderr.write(`mlship flow: recording to the tracking store failed (the flow itself is unaffected): ${(err as Error)?.message ?? String(err)}\n`);
}

/** The write-behind queue of one flow run. @internal */
export class Recorder {
  private readonly buffer: TaskEntry[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly store: TrackingStore,
    private readonly experimentId: string,
    private readonly flowRunId: string,
    private readonly flowName: string,
    private readonly writeLogs: (runId: string, text: string) => Promise<void>,
  ) {}

  /** Records that a task run started; returns its entry for {@link Recorder.end}. */
  begin(rec: TaskRecord): TaskEntry {
    const entry = new TaskEntry(rec);
    this.enqueue(entry);
    return entry;
  }

  /** Records that a task run ended (`entry` is `null` when it never started). */
  end(entry: TaskEntry | null, rec: TaskRecord): void {
    const e = entry ?? new TaskEntry(rec);
    e.rec = rec;
    e.ended = true;
    if (!e.queued) this.enqueue(e);
  }

  /** Resolves when everything recorded so far is written (never rejects). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private enqueue(entry: TaskEntry): void {
    entry.queued = true;
    this.buffer.push(entry);
    // start writing on the next turn of the event loop: a task that ends within this turn is then
    // created with its final tags at once (no tag rewrite), and a burst of tasks is written together
    this.draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let i = 0; i < this.buffer.length; i++) {
        const entry = this.buffer[i]!;
        try {
          await this.write(entry);
        } catch (err) {
          warnRecording(err);
        }
      }
    } finally {
      this.buffer.length = 0;
      this.draining = null;
    }
  }

  private stateTags(rec: TaskRecord, into: Record<string, string>): Record<string, string> {
    into['mlship.state'] = rec.state;
    if (rec.error !== undefined) into['mlship.error'] = errorTag(rec.error);
    if (rec.cacheKey !== null) into['mlship.cacheKey'] = rec.cacheKey;
    return into;
  }

  private async write(entry: TaskEntry): Promise<void> {
    // taken off the queue now: an end arriving while this write awaits queues the entry again
    entry.queued = false;
    const ended = entry.ended;
    const rec = entry.rec;
    const endTime = rec.endTime ?? Date.now();
    if (entry.runId === null) {
      const tags = this.stateTags(ended ? rec : { ...rec, state: 'Running', error: undefined }, { 'mlship.type': 'task', 'mlship.task': rec.task, 'mlship.flow': this.flowName });
      // a task run that ended before its create was written is created ended: one write less
      const run = await this.store.createRun({ experimentId: this.experimentId, runName: rec.name, startTime: rec.startTime, parentRunId: this.flowRunId, tags, ...(ended ? { status: statusOf(rec.state), endTime } : {}) });
      entry.runId = run.info.runId;
      entry.createdFinal = ended;
    }
    if (!ended) return;
    const runId = entry.runId;
    await this.store.logBatch(runId, {
      metrics: [
        { key: 'duration_ms', value: rec.durationMs ?? 0, timestamp: endTime },
        { key: 'attempts', value: rec.attempts, timestamp: endTime },
      ],
      ...(entry.createdFinal ? {} : { tags: Object.entries(this.stateTags(rec, {})).map(([key, value]) => ({ key, value })) }),
    });
    if (!entry.createdFinal) await this.store.updateRun(runId, { status: statusOf(rec.state), endTime });
    if (rec.logs !== null) await this.writeLogs(runId, rec.logs);
  }
}

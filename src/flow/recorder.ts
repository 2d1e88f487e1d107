/**
 * Writes task runs to the tracking store as nested child runs of their flow run, in the
 * background (write-behind): a task's future settles without waiting for the store, and the flow
 * run waits for the queue before it ends. Three statements per task run (create with its tags, one
 * logBatch with its metrics, end), written one after another so the store sees one writer.
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

/** What is recorded of one finished task run. @internal */
export interface TaskRecord {
  name: string;
  task: string;
  state: RunState;
  attempts: number;
  startTime: number;
  endTime: number;
  durationMs: number;
  error: unknown;
  cacheKey: string | null;
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
  private readonly buffer: TaskRecord[] = [];
  private draining: Promise<void> | null = null;

  constructor(
    private readonly store: TrackingStore,
    private readonly experimentId: string,
    private readonly flowRunId: string,
    private readonly flowName: string,
  ) {}

  record(rec: TaskRecord): void {
    this.buffer.push(rec);
    this.draining ??= this.drain();
  }

  /** Resolves when everything recorded so far is written (never rejects). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      for (let i = 0; i < this.buffer.length; i++) {
        try {
          await this.write(this.buffer[i]!);
        } catch (err) {
          warnRecording(err);
        }
      }
    } finally {
      this.buffer.length = 0;
      this.draining = null;
    }
  }

  private async write(rec: TaskRecord): Promise<void> {
    const tags: Record<string, string> = {
      'mlship.type': 'task',
      'mlship.task': rec.task,
      'mlship.flow': this.flowName,
      'mlship.state': rec.state,
    };
    if (rec.error !== undefined) tags['mlship.error'] = errorTag(rec.error);
    if (rec.cacheKey !== null) tags['mlship.cacheKey'] = rec.cacheKey;
    const run = await this.store.createRun({
      experimentId: this.experimentId,
      runName: rec.name,
      startTime: rec.startTime,
      parentRunId: this.flowRunId,
      tags,
    });
    const runId = run.info.runId;
    await this.store.logBatch(runId, {
      metrics: [
        { key: 'duration_ms', value: rec.durationMs, timestamp: rec.endTime },
        { key: 'attempts', value: rec.attempts, timestamp: rec.endTime },
      ],
    });
    await this.store.updateRun(runId, { status: statusOf(rec.state), endTime: rec.endTime });
  }
}

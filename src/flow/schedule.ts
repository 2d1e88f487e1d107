import { MlshipError } from '../core/index.js';
import { nextCronTime, parseCron, type CronExpression, type CronTimezone } from './cron.js';
import type { Flow, FlowRun } from './engine.js';

// Schedules (when a flow runs) and serve() (run flows at their times in this process). Each timer
// is set for a time computed from the schedule itself, never from when the previous timer fired,
// so runs do not drift.

/**
 * When something runs: `next(after)` is the first time strictly after `after`.
 *
 * @example
 * ```ts
 * import { interval } from 'mlship/flow';
 * const every5s = interval(5_000, { anchor: 0 });
 * every5s.next(12_000); // 15000
 * ```
 */
export interface Schedule {
  /** `'interval'` or `'cron'`. */
  readonly kind: 'interval' | 'cron';
  /** A short description, e.g. `every 5m` or `cron 0 3 * * * (UTC)`. */
  readonly description: string;
  /** The first time strictly after `after` (ms since the epoch). */
  next(after: number): number;
}

/** Options of {@link interval}. */
export interface IntervalOptions {
  /** A time the schedule fires at; the times are `anchor + k * ms` for every whole k. @default the time interval() is called */
  anchor?: Date | number;
}

/** Options of {@link cron}. */
export interface CronScheduleOptions {
  /** The zone the expression is read in. @default 'UTC' */
  timezone?: CronTimezone;
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A schedule firing every `ms` milliseconds, at `anchor + k * ms`.
 *
 * @param ms - the period, a whole number of ms of at least 1.
 * @param options - the anchor.
 * @throws MlshipError INVALID_ARGUMENT for a bad period or anchor.
 *
 * @example
 * ```ts
 * import { interval } from 'mlship/flow';
 * const hourlyOnTheHour = interval(3_600_000, { anchor: new Date('2026-01-01T00:00:00Z') });
 * new Date(hourlyOnTheHour.next(Date.parse('2026-05-01T10:20:00Z'))).toISOString(); // '2026-05-01T11:00:00.000Z'
 * ```
 */
export function interval(ms: number, options: IntervalOptions = {}): Schedule {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1) {
    throw new MlshipError('INVALID_ARGUMENT', `interval(ms) needs a whole number of milliseconds of at least 1, got ${String(ms)}`, { field: 'ms', value: ms });
  }
  const anchorValue = options.anchor ?? Date.now();
  const anchor = anchorValue instanceof Date ? anchorValue.getTime() : anchorValue;
  if (typeof anchor !== 'number' || !Number.isFinite(anchor)) {
    throw new MlshipError('INVALID_ARGUMENT', `interval anchor must be a valid Date or a number of ms since the epoch, got ${String(anchorValue)}`, { field: 'anchor', value: String(anchorValue) });
  }
  return {
    kind: 'interval',
    description: `every ${formatMs(ms)}`,
    next(after: number): number {
      return anchor + (Math.floor((after - anchor) / ms) + 1) * ms;
    },
  };
}

/**
 * A schedule from a cron expression (see {@link parseCron}: 5 fields, lists, ranges, steps,
 * names, `@daily` and the other macros), read in UTC, the local zone or an IANA zone such as 'Europe/Paris'.
 *
 * @param expr - the cron expression.
 * @param options - the zone.
 * @throws MlshipError INVALID_ARGUMENT naming the field and value of a malformed expression.
 *
 * @example
 * ```ts
 * import { cron } from 'mlship/flow';
 * const weekdays = cron('30 6 * * mon-fri', { timezone: 'local' });
 * new Date(weekdays.next(Date.now()));
 * ```
 */
export function cron(expr: string, options: CronScheduleOptions = {}): Schedule & { readonly expression: CronExpression } {
  const expression = parseCron(expr);
  const timezone = options.timezone ?? 'UTC';
  nextCronTime(expression, Date.now(), { timezone }); // checks the zone, and that it ever fires
  return {
    kind: 'cron',
    description: `cron ${expression.fields} (${timezone})`,
    expression,
    next: (after: number) => nextCronTime(expression, after, { timezone }).getTime(),
  };
}

/**
 * A flow with its schedule, as given to {@link serve}.
 *
 * @example
 * ```ts
 * import { flow, interval } from 'mlship/flow';
 * const retrain = flow(async (days: number) => days, { name: 'retrain' });
 * const deployment = { flow: retrain, schedule: interval(60_000), parameters: [7] };
 * ```
 */
export interface Deployment<A extends unknown[] = any[]> {
  /** The flow to run. */
  flow: Flow<A, unknown>;
  /** When to run it. */
  schedule: Schedule;
  /** The arguments of each run. @default [] */
  parameters?: A;
  /** The deployment's name, unique within a serve() call. @default the flow's name */
  name?: string;
  /** Start a run even while the previous one is still going. @default false (that time is skipped and reported) */
  allowOverlap?: boolean;
}

/** A run started by {@link serve}. */
export interface ServeRunEvent {
  /** The deployment's name. */
  deployment: string;
  /** The time the run was scheduled for (ms since the epoch). */
  scheduledTime: number;
  /** The flow run. */
  run: FlowRun;
}

/** A scheduled time skipped by {@link serve}. */
export interface ServeSkipEvent {
  deployment: string;
  scheduledTime: number;
  /** Why: `'overlap'` (the previous run is still going). */
  reason: 'overlap';
  /** The run still going. */
  running: FlowRun;
}

/** A failure seen by {@link serve}: a run that did not complete, or a flow that could not start. */
export interface ServeErrorEvent {
  deployment: string;
  scheduledTime: number;
  /** The run, when it started. */
  run?: FlowRun;
  /** The run's error. */
  error: unknown;
}

/** Options of {@link serve}. */
export interface ServeOptions {
  /** Called when a run starts. @default undefined */
  onRun?: (event: ServeRunEvent) => void;
  /** Called when a run ends, whatever its state (after `onError` for a failed one). @default undefined */
  onRunEnd?: (event: ServeRunEvent) => void;
  /** Called when a scheduled time is skipped. @default undefined */
  onSkip?: (event: ServeSkipEvent) => void;
  /** Called when a run ends in another state than `Completed`, or cannot start. @default undefined */
  onError?: (event: ServeErrorEvent) => void;
}

/** Options of {@link ServeHandle.stop}. */
export interface StopOptions {
  /** Cancel the running flow runs instead of waiting for them to finish. @default false */
  cancel?: boolean;
}

/** What {@link serve} returns. */
export interface ServeHandle {
  /** Each deployment's name, schedule and next time (ms since the epoch; `null` once stopped). */
  deployments(): Array<{ name: string; schedule: Schedule; nextTime: number | null }>;
  /** The flow runs going now. */
  running(): FlowRun[];
  /** Stops scheduling and resolves once every running flow run has ended. */
  stop(options?: StopOptions): Promise<void>;
}

/** setTimeout's longest delay; longer waits are chained. */
const MAX_DELAY = 2 ** 31 - 1;

interface Slot {
  name: string;
  deployment: Deployment;
  nextTime: number | null;
  timer: NodeJS.Timeout | null;
  active: Set<FlowRun>;
}

function checkDeployments(deployments: readonly Deployment[]): void {
  if (!Array.isArray(deployments)) {
    throw new MlshipError('INVALID_ARGUMENT', `serve(deployments) needs an array of { flow, schedule }, got ${typeof deployments}`, { field: 'deployments' });
  }
  const names = new Set<string>();
  deployments.forEach((d, i) => {
    const at = `deployments[${i}]`;
    if (d === null || typeof d !== 'object') throw new MlshipError('INVALID_ARGUMENT', `${at} must be an object { flow, schedule }, got ${d === null ? 'null' : typeof d}`, { field: at });
    if (typeof d.flow !== 'function' || typeof (d.flow as { start?: unknown }).start !== 'function') {
      throw new MlshipError('INVALID_ARGUMENT', `${at}.flow must be a flow (made with flow() from mlship/flow), got ${typeof d.flow}`, { field: `${at}.flow` });
    }
    if (d.schedule === null || typeof d.schedule !== 'object' || typeof d.schedule.next !== 'function') {
      throw new MlshipError('INVALID_ARGUMENT', `${at}.schedule must be a schedule (interval(ms) or cron('...') from mlship/flow), got ${d.schedule === null ? 'null' : typeof d.schedule}`, {
        field: `${at}.schedule`,
      });
    }
    if (d.parameters !== undefined && !Array.isArray(d.parameters)) {
      throw new MlshipError('INVALID_ARGUMENT', `${at}.parameters must be an array of the flow's arguments, got ${typeof d.parameters}`, { field: `${at}.parameters` });
    }
    const name = d.name ?? d.flow.name;
    if (typeof name !== 'string' || name === '') throw new MlshipError('INVALID_ARGUMENT', `${at}.name must be a non-empty string`, { field: `${at}.name` });
    if (names.has(name)) {
      throw new MlshipError('INVALID_ARGUMENT', `two deployments are named ${JSON.stringify(name)}; give each a unique name`, { field: `${at}.name`, value: name, hint: "set name: '...' on one of them" });
    }
    names.add(name);
  });
}

/**
 * Runs each flow at the times of its schedule, in this process, until `stop()`. A run still going
 * when its deployment's next time comes makes that time skipped (`onSkip`) unless `allowOverlap`.
 * Each timer is set from the schedule's next time, so runs do not drift; times that pass while the
 * process is busy or asleep are not caught up (the next one after now is taken).
 *
 * @param deployments - the flows with their schedules and arguments.
 * @param options - event callbacks.
 * @returns a handle to list the next times and stop.
 * @throws MlshipError INVALID_ARGUMENT when a deployment is malformed or two share a name.
 *
 * @example
 * ```ts
 * import { cron, flow, interval, serve } from 'mlship/flow';
 * const ping = flow(async () => 'pong', { name: 'ping' });
 * const report = flow(async (team: string) => `report for ${team}`, { name: 'report' });
 * const handle = serve(
 *   [
 *     { flow: ping, schedule: interval(1000) },
 *     { flow: report, schedule: cron('0 8 * * mon'), parameters: ['ml'] },
 *   ],
 *   { onRun: (e) => console.log(`${e.deployment}: ${e.run.name}`), onError: (e) => console.error(e.error) },
 * );
 * setTimeout(() => void handle.stop(), 5_000);
 * ```
 */
export function serve(deployments: readonly Deployment[], options: ServeOptions = {}): ServeHandle {
  checkDeployments(deployments);
  let stopped = false;
  const slots: Slot[] = deployments.map((d) => ({ name: d.name ?? d.flow.name, deployment: d, nextTime: null, timer: null, active: new Set() }));

  const emit = <E>(fn: ((e: E) => void) | undefined, event: E, slot: Slot, scheduledTime: number): void => {
    if (!fn) return;
    try {
      fn(event);
    } catch (error) {
      if (fn === options.onError) return; // nowhere left to report it
      emit(options.onError, { deployment: slot.name, scheduledTime, error }, slot, scheduledTime);
    }
  };

  const arm = (slot: Slot): void => {
    if (stopped || slot.nextTime === null) return;
    const delay = slot.nextTime - Date.now();
    slot.timer = setTimeout(() => {
      slot.timer = null;
      if (slot.nextTime !== null && Date.now() < slot.nextTime) arm(slot); // a chained long wait, or a timer a little early
      else fire(slot);
    }, Math.min(Math.max(delay, 0), MAX_DELAY));
  };

  const plan = (slot: Slot, after: number): void => {
    try {
      slot.nextTime = slot.deployment.schedule.next(after);
      if (typeof slot.nextTime !== 'number' || !Number.isFinite(slot.nextTime)) throw new MlshipError('INVALID_ARGUMENT', `the schedule of ${slot.name} returned ${String(slot.nextTime)} instead of a time`);
    } catch (error) {
      slot.nextTime = null;
      emit(options.onError, { deployment: slot.name, scheduledTime: after, error }, slot, after);
      return;
    }
    arm(slot);
  };

  const fire = (slot: Slot): void => {
    const scheduledTime = slot.nextTime!;
    // the following time comes from the schedule, not from now: no drift; times already past are dropped
    plan(slot, Math.max(scheduledTime, Date.now()));
    const d = slot.deployment;
    const previous = [...slot.active][0];
    if (previous && d.allowOverlap !== true) {
      emit(options.onSkip, { deployment: slot.name, scheduledTime, reason: 'overlap', running: previous }, slot, scheduledTime);
      return;
    }
    let run: FlowRun;
    try {
      run = d.flow.start(...((d.parameters ?? []) as never[])) as FlowRun;
    } catch (error) {
      emit(options.onError, { deployment: slot.name, scheduledTime, error }, slot, scheduledTime);
      return;
    }
    slot.active.add(run);
    const event: ServeRunEvent = { deployment: slot.name, scheduledTime, run };
    emit(options.onRun, event, slot, scheduledTime);
    void run.wait().then(() => {
      slot.active.delete(run);
      if (run.state !== 'Completed') emit(options.onError, { deployment: slot.name, scheduledTime, run, error: run.error }, slot, scheduledTime);
      emit(options.onRunEnd, event, slot, scheduledTime);
    });
  };

  const now = Date.now();
  for (const slot of slots) plan(slot, now);

  return {
    deployments: () => slots.map((s) => ({ name: s.name, schedule: s.deployment.schedule, nextTime: stopped ? null : s.nextTime })),
    running: () => slots.flatMap((s) => [...s.active]),
    async stop(stopOptions: StopOptions = {}): Promise<void> {
      stopped = true;
      for (const slot of slots) {
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = null;
      }
      const runs = slots.flatMap((s) => [...s.active]);
      if (stopOptions.cancel === true) for (const r of runs) r.cancel('cancelled because serve() was stopped');
      await Promise.all(runs.map((r) => r.wait()));
      // let the end-of-run callbacks of these runs fire before stop() resolves
      await new Promise((r) => setImmediate(r));
    },
  };
}

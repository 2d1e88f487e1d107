/**
 * Run loggers: what a task or flow says while it runs. Each line is printed on stderr (Prefect's
 * `HH:MM:SS.mmm | LEVEL | Task run 'name' - message` layout) and kept with its run, so the
 * recorder can store it as the run's `logs.jsonl` artifact.
 */
import { format } from 'node:util';
import { MlshipError } from '../core/index.js';

/** Log levels, lowest first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error'] as const;
/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** One logged line. */
export interface LogLine {
  /** ms since the epoch, with a fraction (lines logged within one millisecond keep their order) */
  time: number;
  level: LogLevel;
  message: string;
}

/**
 * What a task or flow logs through (`this.logger` in a task, `flowRun.logger`, or
 * {@link runLogger}). Arguments are formatted like `console.log`'s.
 *
 * @example
 * ```ts
 * import { flow, task, runLogger } from 'mlship/flow';
 * const train = task(async function (rows: number) {
 *   this.logger.info('training on %d rows', rows);
 *   return rows;
 * });
 * await flow(async () => { runLogger().info('starting'); return train(100); })();
 * ```
 */
export interface RunLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warning(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * Now, in ms since the epoch with microseconds: lines of concurrent task runs merged by time keep
 * the order they were logged in, within one millisecond too.
 * @internal
 */
export function logTime(): number {
  return performance.timeOrigin + performance.now();
}

/** The most lines one run keeps; later ones are printed but only counted. */
export const MAX_LOG_LINES = 10_000;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 };

/**
 * The log level from `MLSHIP_LOG_LEVEL` (debug, info, warning or error); lines below it are
 * neither printed nor kept.
 * @internal
 */
export function envLogLevel(): LogLevel {
  const v = process.env.MLSHIP_LOG_LEVEL?.toLowerCase();
  if (v === undefined || v === '') return 'info';
  if (v === 'warn') return 'warning';
  if ((LOG_LEVELS as readonly string[]).includes(v)) return v as LogLevel;
  throw new MlshipError('INVALID_ARGUMENT', `MLSHIP_LOG_LEVEL is '${process.env.MLSHIP_LOG_LEVEL}'; use one of ${LOG_LEVELS.join(', ')}`, { field: 'MLSHIP_LOG_LEVEL', value: v });
}

function clock(time: number): string {
  const d = new Date(time);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/**
 * The lines of one run (a task run or a flow run) and the logger that writes them.
 * @internal
 */
export class RunLog implements RunLogger {
  readonly lines: LogLine[] = [];
  /** Lines past {@link MAX_LOG_LINES}, printed but not kept. */
  dropped = 0;

  constructor(
    /** e.g. `Task run 'train-1'` */
    private readonly who: string,
    private readonly level: LogLevel,
    private readonly print: boolean,
  ) {}

  debug(...args: unknown[]): void {
    this.add('debug', format(...args));
  }
  info(...args: unknown[]): void {
    this.add('info', format(...args));
  }
  warning(...args: unknown[]): void {
    this.add('warning', format(...args));
  }
  error(...args: unknown[]): void {
    this.add('error', format(...args));
  }

  /** Adds one line (also from a worker thread, with its own time). */
  add(level: LogLevel, message: string, time = logTime()): void {
    if (RANK[level] < RANK[this.level]) return;
    if (this.print) process.stderr.write(`${clock(time)} | ${level.toUpperCase().padEnd(7)} | ${this.who} - ${message}\n`);
    if (this.lines.length < MAX_LOG_LINES) this.lines.push({ time, level, message });
    else this.dropped++;
  }

  /** The lines as JSON Lines, with a last line counting the dropped ones (if any). */
  toJsonl(): string {
    let out = '';
    for (const l of this.lines) out += JSON.stringify(l) + '\n';
    if (this.dropped > 0) out += JSON.stringify({ time: Date.now(), level: 'warning', message: `${this.dropped} more lines were printed but not kept (the limit is ${MAX_LOG_LINES} per run)` }) + '\n';
    return out;
  }
}

/**
 * Parses a run's `logs.jsonl` artifact back into lines (skipping lines that are not log lines).
 *
 * @example
 * ```ts
 * import { parseLogLines } from 'mlship/flow';
 * parseLogLines('{"time":0,"level":"info","message":"hi"}\n'); // [{ time: 0, level: 'info', message: 'hi' }]
 * ```
 */
export function parseLogLines(text: string): LogLine[] {
  const out: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    try {
      const l = JSON.parse(raw) as Partial<LogLine>;
      if (typeof l.time === 'number' && typeof l.message === 'string' && (LOG_LEVELS as readonly unknown[]).includes(l.level)) out.push(l as LogLine);
    } catch {
      // not a log line
    }
  }
  return out;
}

/**
 * Formats lines as the console shows them: `HH:MM:SS.mmm | LEVEL   | message`.
 *
 * @example
 * ```ts
 * import { formatLogLines } from 'mlship/flow';
 * formatLogLines([{ time: Date.now(), level: 'info', message: 'hi' }]); // '12:00:00.000 | INFO    | hi\n'
 * ```
 */
export function formatLogLines(lines: readonly LogLine[]): string {
  return lines.map((l) => `${clock(l.time)} | ${l.level.toUpperCase().padEnd(7)} | ${l.message}\n`).join('');
}

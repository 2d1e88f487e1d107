/**
 * Retry delays: a fixed number of milliseconds, a list (one entry per retry, the last one
 * repeating), or exponential backoff with jitter.
 */
import { MlshipError } from '../core/index.js';

/**
 * A delay before retry number `retry` (1 for the first retry), in milliseconds.
 *
 * @example
 * ```ts
 * import type { RetryDelayFn } from 'mlship/flow';
 * const linear: RetryDelayFn = (retry) => 100 * retry;
 * ```
 */
export type RetryDelayFn = (retry: number) => number;

/**
 * How long to wait before a retry: milliseconds, a list of milliseconds (one per retry, the last
 * repeating), or a function such as {@link exponentialBackoff}.
 *
 * @example
 * ```ts
 * import { task } from 'mlship/flow';
 * const t = task(async () => 1, { retries: 3, retryDelay: [100, 1000, 5000] });
 * ```
 */
export type RetryDelay = number | readonly number[] | RetryDelayFn;

/**
 * Options of {@link exponentialBackoff}.
 *
 * @example
 * ```ts
 * import { exponentialBackoff } from 'mlship/flow';
 * const delay = exponentialBackoff({ base: 100, factor: 2, max: 2000, jitter: 0.1 });
 * delay(1); // ≈ 100
 * ```
 */
export interface ExponentialBackoffOptions {
  /** The delay before the first retry, in ms. @default 1000 */
  base?: number;
  /** Each retry waits `factor` times longer than the one before. @default 2 */
  factor?: number;
  /** The longest delay, in ms. @default 60000 */
  max?: number;
  /**
   * Random spread as a fraction of the delay: the delay is drawn uniformly from
   * `delay × (1 ± jitter)` so that many failing tasks do not retry in lockstep. 0 to 1.
   * @default 0
   */
  jitter?: number;
}

function checkNonNegative(field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be a finite number ≥ 0, got ${String(value)}`, { field, value });
  }
}

/**
 * Exponential backoff for `retryDelay`: `min(max, base × factor^(retry-1))`, spread by `jitter`.
 *
 * @example
 * ```ts
 * import { task, exponentialBackoff } from 'mlship/flow';
 * const fetchPage = task(async (url: string) => (await fetch(url)).text(), {
 *   retries: 4,
 *   retryDelay: exponentialBackoff({ base: 200, factor: 2, max: 5000, jitter: 0.2 }),
 * });
 * ```
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryDelayFn {
  const base = options.base ?? 1000;
  const factor = options.factor ?? 2;
  const max = options.max ?? 60_000;
  const jitter = options.jitter ?? 0;
  checkNonNegative('exponentialBackoff.base', base);
  checkNonNegative('exponentialBackoff.max', max);
  if (!(Number.isFinite(factor) && factor >= 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `exponentialBackoff.factor must be a finite number ≥ 1, got ${String(factor)}`, { field: 'factor', value: factor });
  }
  if (!(jitter >= 0 && jitter <= 1)) {
    throw new MlshipError('INVALID_ARGUMENT', `exponentialBackoff.jitter must be between 0 and 1, got ${String(jitter)}`, { field: 'jitter', value: jitter });
  }
  return (retry: number) => {
    const delay = Math.min(max, base * factor ** Math.max(0, retry - 1));
    if (jitter === 0) return delay;
    return Math.max(0, delay * (1 + jitter * (Math.random() * 2 - 1)));
  };
}

/** Validates a `retryDelay` option (INVALID_ARGUMENT naming `field`). @internal */
export function checkRetryDelay(field: string, delay: RetryDelay | undefined): void {
  if (delay === undefined || typeof delay === 'function') return;
  if (typeof delay === 'number') return checkNonNegative(field, delay);
  if (!Array.isArray(delay) || delay.length === 0) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be milliseconds, a non-empty list of milliseconds or exponentialBackoff(...), got ${String(delay)}`, { field, value: delay });
  }
  delay.forEach((d, i) => checkNonNegative(`${field}[${i}]`, d));
}

/** The delay before retry number `retry` (1-based). @internal */
export function delayFor(delay: RetryDelay | undefined, retry: number): number {
  if (delay === undefined) return 0;
  if (typeof delay === 'number') return delay;
  if (typeof delay === 'function') {
    const d = delay(retry);
    return Number.isFinite(d) && d > 0 ? d : 0;
  }
  return delay[Math.min(retry - 1, delay.length - 1)] ?? 0;
}

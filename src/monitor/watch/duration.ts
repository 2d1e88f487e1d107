import { MlshipError } from '../../core/index.js';

// Durations as people write them on a command line: 500ms, 30s, 5m, 1h, 7d, 2w (and 1h30m).

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `30s`, `5m`, `1h`, `1h30m`, `7d`, `2w` or `250ms` into milliseconds
 * (a bare number is milliseconds).
 *
 * @param text - the duration.
 * @param field - the option or field named in the error. @default 'duration'
 * @throws MlshipError INVALID_ARGUMENT naming the field and value when it is not a positive duration.
 *
 * @example
 * ```ts
 * import { parseDuration } from 'mlship/monitor';
 * parseDuration('1h');      // 3600000
 * parseDuration('1m30s');   // 90000
 * parseDuration('250ms');   // 250
 * ```
 */
export function parseDuration(text: string, field = 'duration'): number {
  const s = String(text).trim().toLowerCase();
  if (/^\d+$/.test(s) && Number(s) > 0) return Number(s);
  const parts = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/.test(s) ? s.match(/\d+(?:\.\d+)?(?:ms|s|m|h|d|w)/g) : null;
  let ms = 0;
  for (const p of parts ?? []) {
    const [, n, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(p)!;
    ms += Number(n) * UNITS[unit!]!;
  }
  if (parts === null || !Number.isFinite(ms) || Math.round(ms) < 1) {
    throw new MlshipError('INVALID_ARGUMENT', `${field} must be a positive duration such as 30s, 5m, 1h, 1h30m or 7d, got ${JSON.stringify(text)}`, { field, value: text });
  }
  return Math.round(ms);
}

/**
 * Formats milliseconds as the shortest exact duration: `1h`, `90s`, `1500ms`.
 *
 * @example
 * ```ts
 * import { formatDuration } from 'mlship/monitor';
 * formatDuration(3_600_000); // '1h'
 * formatDuration(90_000);    // '90s'
 * ```
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['w', UNITS.w!],
    ['d', UNITS.d!],
    ['h', UNITS.h!],
    ['m', UNITS.m!],
    ['s', UNITS.s!],
  ] as const) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

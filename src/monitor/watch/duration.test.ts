import { describe, expect, it } from 'vitest';
import { isMlshipError } from '../../core/index.js';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads units, compounds and bare milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(' 1500 ')).toBe(1500);
  });

  it('rejects what is not a positive duration, naming the field', () => {
    for (const bad of ['', '0', '0s', '-5m', '5 minutes', 'h', '1y', '1h 30m']) {
      let err: unknown;
      try {
        parseDuration(bad, 'window');
      } catch (e) {
        err = e;
      }
      expect(isMlshipError(err) && err.code === 'INVALID_ARGUMENT' && err.details.field === 'window', bad).toBe(true);
    }
  });

  it('formats the shortest exact unit', () => {
    expect(formatDuration(3_600_000)).toBe('1h');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(1_209_600_000)).toBe('2w');
  });
});

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MlshipError } from '../core/index.js';
import { cronTimes, nextCronTime, parseCron } from './index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const next = (expr: string, after: string): string => nextCronTime(expr, new Date(after)).toISOString();
const times = (expr: string, after: string, count: number): string[] => cronTimes(expr, { after: new Date(after), count }).map((d) => d.toISOString());

describe('parseCron', () => {
  it('expands *, lists, ranges, steps and names', () => {
    const c = parseCron('*/15 9-17/4 1,15,31 jan-mar,DEC mon-fri');
    expect(c.minutes).toEqual([0, 15, 30, 45]);
    expect(c.hours).toEqual([9, 13, 17]);
    expect(c.daysOfMonth).toEqual([1, 15, 31]);
    expect(c.months).toEqual([1, 2, 3, 12]);
    expect(c.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(c.dayOfMonthRestricted).toBe(true);
    expect(c.dayOfWeekRestricted).toBe(true);
  });

  it('reads 7 as Sunday, `5/15` as 5 to the end, and `*` in day-of-week as 0-6', () => {
    expect(parseCron('0 0 * * 5-7').daysOfWeek).toEqual([0, 5, 6]);
    expect(parseCron('5/15 * * * *').minutes).toEqual([5, 20, 35, 50]);
    expect(parseCron('0 0 * * *').daysOfWeek).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(parseCron('0 0 */2 * *').dayOfMonthRestricted).toBe(false);
  });

  it.each([
    ['@hourly', '0 * * * *'],
    ['@daily', '0 0 * * *'],
    ['@midnight', '0 0 * * *'],
    ['@weekly', '0 0 * * 0'],
    ['@monthly', '0 0 1 * *'],
    ['@yearly', '0 0 1 1 *'],
    ['@annually', '0 0 1 1 *'],
    ['  0   3 * *  *  ', '0 3 * * *'],
  ])('%s is %s', (expr, fields) => {
    expect(parseCron(expr).fields).toBe(fields);
  });

  it.each([
    ['0 0 32 * *', 'day-of-month', '32', /day-of-month field: 32 in "32" is out of range 1-31/],
    ['60 * * * *', 'minute', '60', /minute field: 60 .*out of range 0-59/],
    ['* 24 * * *', 'hour', '24', /hour field: 24 .*0-23/],
    ['* * * 13 *', 'month', '13', /month field: 13 .*1-12/],
    ['* * * * 8', 'day-of-week', '8', /day-of-week field: 8 .*0-7/],
    ['* * * * funday', 'day-of-week', 'funday', /day-of-week field: "funday" is not a number or a name \(sun, mon/],
    ['*/0 * * * *', 'minute', '*/0', /minute field: step "0" .*at least 1/],
    ['5-1 * * * *', 'minute', '5-1', /minute field: range "5-1" starts after it ends/],
    ['1,,2 * * * *', 'minute', '1,,2', /minute field: empty list item/],
    ['1-2-3 * * * *', 'minute', '1-2-3', /not a range like 1-5/],
    ['*/5/2 * * * *', 'minute', '*/5/2', /more than one '\/'/],
    ['0 0 30 feb *', 'day-of-month', '30', /never occurs in month "feb"/],
    ['* * * *', 'cron', '* * * *', /expected 5 fields .* got 4/],
    ['* * * * * *', 'cron', '* * * * * *', /got 6/],
    ['@reboot', 'cron', '@reboot', /unknown macro "@reboot"/],
  ])('%s is rejected naming the field and the value', (expr, field, value, message) => {
    let err: unknown;
    try {
      parseCron(expr);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MlshipError);
    const e = err as MlshipError;
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(message);
    expect(e.message).toContain(JSON.stringify(expr));
    expect(e.details.field).toBe(field);
    expect(e.details.value).toBe(value);
  });

  it('rejects a non-string', () => {
    expect(() => parseCron(5 as unknown as string)).toThrow(/must be a string, got number/);
  });
});

describe('nextCronTime (UTC)', () => {
  it('is strictly after `after`, at a whole minute', () => {
    expect(next('* * * * *', '2026-03-10T10:15:00.000Z')).toBe('2026-03-10T10:16:00.000Z');
    expect(next('* * * * *', '2026-03-10T10:15:59.999Z')).toBe('2026-03-10T10:16:00.000Z');
    expect(next('15 10 * * *', '2026-03-10T10:15:00.000Z')).toBe('2026-03-11T10:15:00.000Z');
    expect(next('15 10 * * *', '2026-03-10T10:14:59.000Z')).toBe('2026-03-10T10:15:00.000Z');
  });

  it('steps and ranges', () => {
    expect(times('*/15 * * * *', '2026-03-10T10:07:00Z', 3)).toEqual(['2026-03-10T10:15:00.000Z', '2026-03-10T10:30:00.000Z', '2026-03-10T10:45:00.000Z']);
    expect(times('0 1-5/2 * * *', '2026-03-10T02:00:00Z', 3)).toEqual(['2026-03-10T03:00:00.000Z', '2026-03-10T05:00:00.000Z', '2026-03-11T01:00:00.000Z']);
  });

  it('rolls over hour, day, month and year ends', () => {
    expect(next('0 * * * *', '2026-12-31T23:59:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@daily', '2026-01-31T12:00:00Z')).toBe('2026-02-01T00:00:00.000Z');
    expect(next('@monthly', '2026-12-15T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@yearly', '2026-01-01T00:00:00Z')).toBe('2027-01-01T00:00:00.000Z');
    expect(next('@hourly', '2026-06-30T23:30:00Z')).toBe('2026-07-01T00:00:00.000Z');
  });

  it('skips months without the day (31st, 30th)', () => {
    expect(times('0 0 31 * *', '2026-01-31T00:00:00Z', 4)).toEqual([
      '2026-03-31T00:00:00.000Z',
      '2026-05-31T00:00:00.000Z',
      '2026-07-31T00:00:00.000Z',
      '2026-08-31T00:00:00.000Z',
    ]);
    expect(next('0 12 30 * *', '2026-01-30T12:00:00Z')).toBe('2026-03-30T12:00:00.000Z');
  });

  it('finds 29 February in leap years only (and 2100 is not one)', () => {
    expect(next('0 0 29 2 *', '2025-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2024-02-29T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2096-03-01T00:00:00Z')).toBe('2104-02-29T00:00:00.000Z');
    expect(next('0 0 29 2 *', '2000-01-01T00:00:00Z')).toBe('2000-02-29T00:00:00.000Z');
    expect(next('0 0 28 2 *', '2027-02-28T00:00:00Z')).toBe('2028-02-28T00:00:00.000Z');
  });

  it('day-of-week: names, 7 as Sunday, @weekly', () => {
    // 2026-11-27 is a Friday
    expect(times('0 9 * * mon-fri', '2026-11-27T12:00:00Z', 2)).toEqual(['2026-11-30T09:00:00.000Z', '2026-12-01T09:00:00.000Z']);
    expect(next('0 0 * * 7', '2026-11-27T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
    expect(next('@weekly', '2026-11-27T00:00:00Z')).toBe('2026-11-29T00:00:00.000Z');
  });

  it('ORs day-of-month and day-of-week when both are restricted (Vixie), ANDs when one starts with *', () => {
    // the 13th or any Friday: from Wed 2026-11-04, Fri 6th comes before the 13th
    expect(times('0 0 13 * fri', '2026-11-04T00:00:00Z', 3)).toEqual(['2026-11-06T00:00:00.000Z', '2026-11-13T00:00:00.000Z', '2026-11-20T00:00:00.000Z']);
    // every other day that is a Friday: */2 starts with *, so both must match (odd days)
    expect(times('0 0 */2 * fri', '2026-11-01T00:00:00Z', 2)).toEqual(['2026-11-13T00:00:00.000Z', '2026-11-27T00:00:00.000Z']);
    // day-of-week * : only the day of the month counts
    expect(next('0 0 13 * *', '2026-11-04T00:00:00Z')).toBe('2026-11-13T00:00:00.000Z');
  });

  it('accepts a parsed expression and a number of ms', () => {
    const c = parseCron('30 4 * * *');
    expect(nextCronTime(c, Date.parse('2026-01-01T05:00:00Z')).toISOString()).toBe('2026-01-02T04:30:00.000Z');
  });

  it('rejects a bad `after`, zone or count', () => {
    expect(() => nextCronTime('* * * * *', Number.NaN)).toThrow(/after must be a valid Date/);
    expect(() => nextCronTime('* * * * *', new Date('nope'))).toThrow(/after must be a valid Date/);
    expect(() => nextCronTime('* * * * *', 0, { timezone: 'Mars/Olympus_Mons' })).toThrow(/timezone must be 'UTC', 'local' or an IANA zone name such as 'Europe\/Paris', got "Mars\/Olympus_Mons"/);
    expect(() => nextCronTime('* * * * *', 0, { timezone: 42 as never })).toThrow(/timezone must be/);
    expect(() => cronTimes('* * * * *', { count: -1 })).toThrow(/count must be a whole number/);
  });

  it('stays fast: searching 8 years ahead for 29 February takes well under a second', () => {
    const t0 = performance.now();
    expect(next('59 23 29 2 *', '2096-03-01T00:00:00Z')).toBe('2104-02-29T23:59:00.000Z');
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('nextCronTime (local zone)', () => {
  // A child process with TZ set is the only reliable way to get a zone with daylight saving.
  function inZone(tz: string, code: string): string {
    const p = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TZ: tz } });
    expect(p.stderr).toBe('');
    return p.stdout.trim();
  }

  it('reads the expression in the local zone, across daylight-saving jumps (Europe/Berlin)', () => {
    const out = inZone(
      'Europe/Berlin',
      `import { cronTimes } from './src/flow/cron.ts';
       const iso = (e, a, n) => cronTimes(e, { after: new Date(a), count: n, timezone: 'local' }).map((d) => d.toISOString());
       console.log(JSON.stringify({
         nine: iso('0 9 * * *', '2026-03-28T12:00:00Z', 2),
         gap: iso('30 2 * * *', '2026-03-28T12:00:00Z', 2),
         repeat: iso('30 2 * * *', '2026-10-24T12:00:00Z', 2),
         hourly: iso('0 * * * *', '2026-10-25T00:30:00Z', 3),
       }));`,
    );
    const r = JSON.parse(out) as Record<string, string[]>;
    // 09:00 CET is 08:00Z; after the 29 March jump, 09:00 CEST is 07:00Z
    expect(r.nine).toEqual(['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    // 02:30 does not exist on 29 March: it fires at the instant 02:30 maps to (03:30 CEST = 01:30Z)
    expect(r.gap).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    // 02:30 happens twice on 25 October: it fires once
    expect(r.repeat).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    // hourly across the jump back: 02:00 CEST (00:00Z) passed; 02:00 CET (01:00Z) is the repeated hour, skipped; 03:00 CET
    expect(r.hourly).toEqual(['2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z', '2026-10-25T04:00:00.000Z']);
  });
});

describe('nextCronTime (named zones)', () => {
  const iso = (e: string, a: string, n: number, timezone: string) => cronTimes(e, { after: new Date(a), count: n, timezone }).map((d) => d.toISOString());

  it('reads the expression in an IANA zone, across daylight-saving jumps, as the local zone does (Europe/Berlin)', () => {
    // the same cases as the TZ=Europe/Berlin child process above, without changing the process zone
    expect(iso('0 9 * * *', '2026-03-28T12:00:00Z', 2, 'Europe/Berlin')).toEqual(['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
    expect(iso('30 2 * * *', '2026-03-28T12:00:00Z', 2, 'Europe/Berlin')).toEqual(['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(iso('30 2 * * *', '2026-10-24T12:00:00Z', 2, 'Europe/Berlin')).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
    expect(iso('0 * * * *', '2026-10-25T00:30:00Z', 3, 'Europe/Berlin')).toEqual(['2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z', '2026-10-25T04:00:00.000Z']);
  });

  it('handles zones west of UTC and half-hour offsets', () => {
    // New York: 09:00 EST is 14:00Z; after 8 March 2026 (EDT) it is 13:00Z; 02:30 on 8 March does not exist → 03:30 EDT
    expect(iso('0 9 * * *', '2026-03-07T00:00:00Z', 2, 'America/New_York')).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
    expect(iso('30 2 8 3 *', '2026-03-01T00:00:00Z', 1, 'America/New_York')).toEqual(['2026-03-08T07:30:00.000Z']);
    // Kolkata is UTC+05:30 all year; Monday 09:00 there is 03:30Z
    expect(iso('0 9 * * mon', '2026-11-26T00:00:00Z', 1, 'Asia/Kolkata')).toEqual(['2026-11-30T03:30:00.000Z']);
    // a month boundary read in the zone, not in UTC: 1 December 00:00 in Tokyo is 30 November 15:00Z
    expect(iso('@monthly', '2026-11-15T00:00:00Z', 1, 'Asia/Tokyo')).toEqual(['2026-11-30T15:00:00.000Z']);
  });
});

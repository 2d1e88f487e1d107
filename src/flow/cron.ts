import { MlshipError } from '../core/index.js';

// A cron expression parser and "next fire time" computation (Vixie cron semantics), written here
// so that schedules need no dependency. Times are searched field by field in calendar space
// (year, month, day, hour, minute) of the chosen zone, then converted to an instant.

/**
 * The zone a cron expression is read in: `'UTC'`, `'local'` (the process's zone, `TZ`) or an IANA
 * zone name such as `'Europe/Paris'` or `'America/New_York'` (daylight saving included).
 */
export type CronTimezone = 'UTC' | 'local' | (string & {});

/**
 * A parsed cron expression: the allowed values of each field.
 *
 * @example
 * ```ts
 * import { parseCron } from 'mlship/flow';
 * const c = parseCron('*\/15 9-17 * * mon-fri');
 * console.log(c.minutes, c.daysOfWeek); // [0, 15, 30, 45] [1, 2, 3, 4, 5]
 * ```
 */
export interface CronExpression {
  /** The expression as given (macros such as `@daily` kept as written). */
  readonly source: string;
  /** The five fields after expanding a macro, e.g. `'0 0 * * *'` for `@daily`. */
  readonly fields: string;
  /** Allowed minutes, 0-59, ascending. */
  readonly minutes: readonly number[];
  /** Allowed hours, 0-23, ascending. */
  readonly hours: readonly number[];
  /** Allowed days of the month, 1-31, ascending. */
  readonly daysOfMonth: readonly number[];
  /** Allowed months, 1-12, ascending. */
  readonly months: readonly number[];
  /** Allowed days of the week, 0-6 (0 is Sunday; 7 in the expression is read as 0), ascending. */
  readonly daysOfWeek: readonly number[];
  /** Whether day-of-month is restricted (does not start with `*`). */
  readonly dayOfMonthRestricted: boolean;
  /** Whether day-of-week is restricted (does not start with `*`). */
  readonly dayOfWeekRestricted: boolean;
}

/** Options of {@link nextCronTime} and {@link cronTimes}. */
export interface CronOptions {
  /** The zone the expression is read in: 'UTC', 'local' or an IANA name such as 'Europe/Paris'. @default 'UTC' */
  timezone?: CronTimezone;
}

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** the value of names[0] */
  namesBase?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesBase: 1 },
  { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES, namesBase: 0 },
];

function invalid(source: string, message: string, field?: string, value?: string): MlshipError {
  return new MlshipError('INVALID_ARGUMENT', `cron expression ${JSON.stringify(source)}: ${message}`, {
    field: field ?? 'cron',
    value: value ?? source,
    hint: "a cron expression has 5 fields 'minute hour day-of-month month day-of-week', e.g. '*/15 * * * *' or '0 3 * * mon-fri', or a macro: @hourly @daily @weekly @monthly @yearly",
  });
}

function parseValue(source: string, spec: FieldSpec, text: string, item: string): number {
  const lower = text.toLowerCase();
  if (spec.names) {
    const i = spec.names.indexOf(lower);
    if (i >= 0) return i + spec.namesBase!;
  }
  if (!/^\d+$/.test(text)) {
    const names = spec.names ? ` or a name (${spec.names.join(', ')})` : '';
    throw invalid(source, `${spec.name} field: ${JSON.stringify(item)} is not a number${names}`, spec.name, item);
  }
  const n = Number(text);
  if (n < spec.min || n > spec.max) {
    throw invalid(source, `${spec.name} field: ${n} in ${JSON.stringify(item)} is out of range ${spec.min}-${spec.max}`, spec.name, item);
  }
  return n;
}

function parseField(source: string, spec: FieldSpec, text: string): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    if (item === '') throw invalid(source, `${spec.name} field: empty list item in ${JSON.stringify(text)}`, spec.name, text);
    const slash = item.split('/');
    if (slash.length > 2) throw invalid(source, `${spec.name} field: ${JSON.stringify(item)} has more than one '/'`, spec.name, item);
    const [range, stepText] = slash as [string, string | undefined];
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
        throw invalid(source, `${spec.name} field: step ${JSON.stringify(stepText)} in ${JSON.stringify(item)} must be a whole number of at least 1`, spec.name, item);
      }
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = spec.min;
      hi = spec.name === 'day-of-week' ? 6 : spec.max;
    } else if (range.includes('-')) {
      const parts = range.split('-');
      if (parts.length !== 2) throw invalid(source, `${spec.name} field: ${JSON.stringify(item)} is not a range like 1-5`, spec.name, item);
      lo = parseValue(source, spec, parts[0]!, item);
      hi = parseValue(source, spec, parts[1]!, item);
      if (lo > hi) throw invalid(source, `${spec.name} field: range ${JSON.stringify(range)} starts after it ends; write it as two ranges`, spec.name, item);
    } else {
      lo = parseValue(source, spec, range, item);
      // `5/15` means from 5 to the end in steps of 15 (as most crons read it)
      hi = stepText !== undefined ? (spec.name === 'day-of-week' ? 6 : spec.max) : lo;
    }
    for (let v = lo; v <= hi; v += step) values.add(spec.name === 'day-of-week' && v === 7 ? 0 : v);
  }
  return [...values].sort((a, b) => a - b);
}

/**
 * Parses a cron expression: 5 fields `minute hour day-of-month month day-of-week`, each `*`, a
 * value, a list (`1,15`), a range (`1-5`), a step (`*\/15`, `1-5/2`, `5/15`) or names (`jan`-`dec`,
 * `sun`-`sat`; 0 and 7 are both Sunday), or a macro `@hourly @daily @weekly @monthly @yearly`.
 * When both day-of-month and day-of-week are restricted, a day matches when either does (Vixie).
 *
 * @param expr - the expression.
 * @returns the allowed values of each field.
 * @throws MlshipError INVALID_ARGUMENT naming the field and the value when it is malformed.
 *
 * @example
 * ```ts
 * import { parseCron } from 'mlship/flow';
 * parseCron('@daily').fields;          // '0 0 * * *'
 * parseCron('0 9 * * mon-fri').hours;  // [9]
 * parseCron('0 0 32 * *');             // throws: day-of-month field: 32 ... is out of range 1-31
 * ```
 */
export function parseCron(expr: string): CronExpression {
  if (typeof expr !== 'string') {
    throw new MlshipError('INVALID_ARGUMENT', `a cron expression must be a string, got ${typeof expr}`, { field: 'cron', value: expr });
  }
  const source = expr;
  const trimmed = expr.trim();
  let fields = trimmed;
  if (trimmed.startsWith('@')) {
    const macro = MACROS[trimmed.toLowerCase()];
    if (macro === undefined) throw invalid(source, `unknown macro ${JSON.stringify(trimmed)}; use one of ${Object.keys(MACROS).join(' ')}`, 'cron', trimmed);
    fields = macro;
  }
  const parts = fields.split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5) throw invalid(source, `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const [minutes, hours, daysOfMonth, months, daysOfWeek] = FIELDS.map((spec, i) => parseField(source, spec, parts[i]!)) as [number[], number[], number[], number[], number[]];
  const dayOfMonthRestricted = !parts[2]!.startsWith('*');
  const dayOfWeekRestricted = !parts[4]!.startsWith('*');
  if (dayOfMonthRestricted && !dayOfWeekRestricted) {
    // a day that no allowed month has (30 February) would never fire
    const longest = Math.max(...months.map((m) => daysInMonth(2000, m)));
    if (daysOfMonth[0]! > longest) {
      throw invalid(source, `day-of-month ${JSON.stringify(parts[2])} never occurs in month ${JSON.stringify(parts[3])}, so it would never fire`, 'day-of-month', parts[2]);
    }
  }
  return { source, fields: parts.join(' '), minutes, hours, daysOfMonth, months, daysOfWeek, dayOfMonthRestricted, dayOfWeekRestricted };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function dayMatches(c: CronExpression, year: number, month: number, day: number): boolean {
  const dom = c.daysOfMonth.includes(day);
  const dow = c.daysOfWeek.includes(new Date(Date.UTC(year, month - 1, day)).getUTCDay());
  if (c.dayOfMonthRestricted && c.dayOfWeekRestricted) return dom || dow;
  return dom && dow;
}

function toMs(value: Date | number, name: string): number {
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new MlshipError('INVALID_ARGUMENT', `${name} must be a valid Date or a number of ms since the epoch, got ${String(value)}`, { field: name, value: String(value) });
  }
  return ms;
}

/** Calendar fields of an instant in a zone (month 1-12). */
interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
}

/** How a zone turns instants into calendar fields and back. */
interface Zone {
  wall(ms: number): Wall;
  /** The instant of a wall time; in a gap (daylight saving forward), the later instant it maps to. */
  instant(w: Wall): number;
}

const UTC_ZONE: Zone = {
  wall: (ms) => {
    const t = new Date(ms);
    return { y: t.getUTCFullYear(), mo: t.getUTCMonth() + 1, d: t.getUTCDate(), h: t.getUTCHours(), mi: t.getUTCMinutes() };
  },
  instant: (w) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi),
};

const LOCAL_ZONE: Zone = {
  wall: (ms) => {
    const t = new Date(ms);
    return { y: t.getFullYear(), mo: t.getMonth() + 1, d: t.getDate(), h: t.getHours(), mi: t.getMinutes() };
  },
  instant: (w) => new Date(w.y, w.mo - 1, w.d, w.h, w.mi).getTime(),
};

const named = new Map<string, Zone>();

/** A zone from its IANA name, through Intl (the offsets come from the ICU time-zone data). */
function namedZone(name: string): Zone {
  let zone = named.get(name);
  if (zone) return zone;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
  } catch {
    throw new MlshipError('INVALID_ARGUMENT', `timezone must be 'UTC', 'local' or an IANA zone name such as 'Europe/Paris', got ${JSON.stringify(name)}`, { field: 'timezone', value: name });
  }
  const wall = (ms: number): Wall => {
    const w: Wall = { y: 0, mo: 0, d: 0, h: 0, mi: 0 };
    for (const p of fmt.formatToParts(ms)) {
      if (p.type === 'year') w.y = Number(p.value);
      else if (p.type === 'month') w.mo = Number(p.value);
      else if (p.type === 'day') w.d = Number(p.value);
      else if (p.type === 'hour') w.h = Number(p.value);
      else if (p.type === 'minute') w.mi = Number(p.value);
    }
    return w;
  };
  const asUtc = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
  /** The zone's offset (ms ahead of UTC) at an instant. */
  const offset = (ms: number) => asUtc(wall(ms)) - Math.floor(ms / 60_000) * 60_000;
  zone = {
    wall,
    instant: (w) => {
      const guess = asUtc(w);
      // the two offsets around the wall time (equal except near a transition)
      const a = guess - offset(guess - 86_400_000);
      const b = guess - offset(guess + 86_400_000);
      const hits = [a, b].filter((t) => asUtc(wall(t)) === guess);
      if (hits.length > 0) return Math.min(...hits); // a repeated time: its first instant
      return Math.max(a, b); // a skipped time: the later instant, as Date does for the local zone
    },
  };
  named.set(name, zone);
  return zone;
}

function zoneOf(timezone: unknown): Zone {
  if (timezone === 'UTC') return UTC_ZONE;
  if (timezone === 'local') return LOCAL_ZONE;
  if (typeof timezone !== 'string' || timezone === '') {
    throw new MlshipError('INVALID_ARGUMENT', `timezone must be 'UTC', 'local' or an IANA zone name such as 'Europe/Paris', got ${JSON.stringify(timezone)}`, { field: 'timezone', value: timezone });
  }
  return namedZone(timezone);
}

/**
 * Checks a zone: `'UTC'`, `'local'` or an IANA name; throws INVALID_ARGUMENT otherwise.
 * @internal
 */
export function checkTimezone(timezone: unknown): CronTimezone {
  zoneOf(timezone);
  return timezone as CronTimezone;
}

/** The search gives up after this many years (a 29 February on a weekday recurs within 28). */
const SEARCH_YEARS = 30;

/**
 * The first time strictly after `after` that a cron expression fires, at a whole minute.
 * In the `'local'` zone, a time skipped by a daylight-saving jump forward fires at the
 * corresponding later instant, and a time repeated by a jump back fires once.
 *
 * @param expr - a cron expression or a parsed one.
 * @param after - the time to search from (exclusive). @default now
 * @param options - the zone.
 * @returns the next fire time.
 * @throws MlshipError INVALID_ARGUMENT when the expression is malformed or never fires.
 *
 * @example
 * ```ts
 * import { nextCronTime } from 'mlship/flow';
 * nextCronTime('0 0 29 2 *', new Date('2025-03-01T00:00:00Z')).toISOString(); // '2028-02-29T00:00:00.000Z'
 * nextCronTime('@hourly', Date.now(), { timezone: 'local' });
 * ```
 */
export function nextCronTime(expr: string | CronExpression, after: Date | number = Date.now(), options: CronOptions = {}): Date {
  const c = typeof expr === 'string' ? parseCron(expr) : expr;
  const afterMs = toMs(after, 'after');
  const zone = zoneOf(options.timezone ?? 'UTC');
  let { y, mo, d, h, mi } = zone.wall(Math.floor(afterMs / 60_000) * 60_000 + 60_000);
  const lastYear = y + SEARCH_YEARS;
  const months = new Set(c.months);
  const hours = new Set(c.hours);
  const minutes = new Set(c.minutes);
  for (;;) {
    if (y > lastYear) {
      throw new MlshipError('INVALID_ARGUMENT', `cron expression ${JSON.stringify(c.source)} never fires (no matching time within ${SEARCH_YEARS} years)`, { field: 'cron', value: c.source });
    }
    // A month the expression excludes, or past the month's last day: go to the next month's start.
    if (!months.has(mo) || d > daysInMonth(y, mo)) {
      mo++;
      if (mo > 12) {
        mo = 1;
        y++;
      }
      d = 1;
      h = 0;
      mi = 0;
      continue;
    }
    if (!dayMatches(c, y, mo, d)) {
      d++;
      h = 0;
      mi = 0;
      continue;
    }
    if (h > 23) {
      d++;
      h = 0;
      mi = 0;
      continue;
    }
    if (!hours.has(h)) {
      h++;
      mi = 0;
      continue;
    }
    if (mi > 59 || !minutes.has(mi)) {
      if (mi > 59) {
        h++;
        mi = 0;
      } else mi++;
      continue;
    }
    const t = zone.instant({ y, mo, d, h, mi });
    if (t > afterMs) return new Date(t);
    // a wall time repeated by a daylight-saving jump back, already past: keep searching
    mi++;
  }
}

/**
 * The next `count` fire times of a cron expression after `after`.
 *
 * @param expr - a cron expression or a parsed one.
 * @param options - `after` (exclusive, @default now), `count` (@default 5) and the zone.
 * @returns the times, ascending.
 *
 * @example
 * ```ts
 * import { cronTimes } from 'mlship/flow';
 * cronTimes('0 9 * * mon-fri', { after: new Date('2026-01-02T12:00:00Z'), count: 2 }).map((d) => d.toISOString());
 * // ['2026-01-05T09:00:00.000Z', '2026-01-06T09:00:00.000Z']
 * ```
 */
export function cronTimes(expr: string | CronExpression, options: CronOptions & { after?: Date | number; count?: number } = {}): Date[] {
  const c = typeof expr === 'string' ? parseCron(expr) : expr;
  const count = options.count ?? 5;
  if (!Number.isInteger(count) || count < 0) {
    throw new MlshipError('INVALID_ARGUMENT', `count must be a whole number of at least 0, got ${String(count)}`, { field: 'count', value: count });
  }
  const out: Date[] = [];
  let t = toMs(options.after ?? Date.now(), 'after');
  for (let i = 0; i < count; i++) {
    const next = nextCronTime(c, t, options);
    out.push(next);
    t = next.getTime();
  }
  return out;
}

// Cron schedules as the Kubernetes CronJob controller reads them (the standard 5-field syntax of
// robfig/cron's ParseStandard, which kube-controller-manager uses): parsed at synth so a typo fails
// `cdktf synth`, not silently at apply (the API server only rejects what it cannot parse; a schedule
// that never fires, such as February 31st, is accepted there). The parsed schedule also gives the
// interval between runs, which the "job stale" alerts and the deadline defaults are derived from.

/** Macros the CronJob controller accepts instead of five fields. */
export const CRON_MACROS: { readonly [macro: string]: string } = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names mapped to values (index + offset). */
  readonly names?: readonly string[];
  readonly nameOffset?: number;
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, nameOffset: 1 },
  { name: 'day of week', min: 0, max: 6, names: DAY_NAMES, nameOffset: 0 },
];

/** A parsed 5-field schedule. */
export interface CronSchedule {
  /** The expression as given. */
  readonly expression: string;
  /** The five fields (macros expanded). */
  readonly fields: string;
  /** Minutes (0-59) the schedule fires at. */
  readonly minutes: readonly number[];
  /** Hours (0-23). */
  readonly hours: readonly number[];
  /** Days of the month (1-31). */
  readonly daysOfMonth: readonly number[];
  /** Months (1-12). */
  readonly months: readonly number[];
  /** Days of the week (0-6, Sunday = 0). */
  readonly daysOfWeek: readonly number[];
  /** Whether day-of-month is unrestricted (`*` or `?`): then day-of-week alone decides, and vice versa. */
  readonly domStar: boolean;
  /** Whether day-of-week is unrestricted. */
  readonly dowStar: boolean;
}

/** Thrown for a schedule the CronJob controller would reject or that never fires. */
export class CronScheduleError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CronScheduleError';
  }
}

function parseValue(raw: string, f: FieldSpec): number {
  const upper = raw.toUpperCase();
  if (f.names) {
    const i = f.names.indexOf(upper);
    if (i >= 0) return i + (f.nameOffset ?? 0);
  }
  if (!/^\d+$/.test(raw)) {
    const names = f.names ? ` or a name (${f.names[0]}-${f.names[f.names.length - 1]})` : '';
    throw new CronScheduleError(`${f.name} field: "${raw}" is not a number${names}`);
  }
  const v = Number(raw);
  if (v < f.min || v > f.max) {
    const hint = f.name === 'day of week' && v === 7 ? ' (use 0 for Sunday: the CronJob controller does not accept 7)' : '';
    throw new CronScheduleError(`${f.name} field: ${v} is outside ${f.min}-${f.max}${hint}`);
  }
  return v;
}

/** One field: comma-separated `*`, `?`, `a`, `a-b`, each with an optional `/step` (`a/step` = `a-max/step`). */
function parseField(text: string, f: FieldSpec): { values: number[]; star: boolean } {
  const values = new Set<number>();
  let star = false;
  if (text.length === 0) throw new CronScheduleError(`${f.name} field is empty`);
  for (const part of text.split(',')) {
    if (part.length === 0) throw new CronScheduleError(`${f.name} field: empty list element in "${text}"`);
    const slash = part.split('/');
    if (slash.length > 2) throw new CronScheduleError(`${f.name} field: "${part}" has more than one "/"`);
    const [range, stepText] = slash;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronScheduleError(`${f.name} field: step "${stepText}" in "${part}" must be a positive integer`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = f.min;
      hi = f.max;
      // A bare `*` (or `*/1`) leaves the field unrestricted; `*/2` restricts it.
      if (step === 1) star = true;
    } else {
      const dash = range.split('-');
      if (dash.length > 2) throw new CronScheduleError(`${f.name} field: "${range}" is not a value or a range a-b`);
      lo = parseValue(dash[0], f);
      hi = dash.length === 2 ? parseValue(dash[1], f) : stepText !== undefined ? f.max : lo;
      if (lo > hi) throw new CronScheduleError(`${f.name} field: range "${range}" starts after it ends`);
    }
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

/**
 * Parses a CronJob schedule: five fields (minute hour day-of-month month day-of-week) with lists,
 * ranges, steps and month/day names, or one of {@link CRON_MACROS}. Throws a {@link CronScheduleError}
 * saying what is wrong. Time zones go in the CronJob's `timeZone`, never in the schedule.
 */
export function parseCronSchedule(expression: string): CronSchedule {
  if (typeof expression !== 'string' || expression.trim().length === 0) throw new CronScheduleError('the schedule is empty');
  const trimmed = expression.trim();
  if (/^(CRON_)?TZ=/i.test(trimmed)) throw new CronScheduleError('time zones in the schedule (CRON_TZ= / TZ=) are rejected by Kubernetes; set timeZone instead');
  let fields = trimmed;
  if (trimmed.startsWith('@')) {
    const m = CRON_MACROS[trimmed.toLowerCase()];
    if (!m) throw new CronScheduleError(`unknown macro "${trimmed}" (use ${Object.keys(CRON_MACROS).join(', ')})`);
    fields = m;
  }
  const parts = fields.split(/\s+/);
  if (parts.length !== 5) throw new CronScheduleError(`expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  const parsed = parts.map((p, i) => parseField(p, FIELDS[i]));
  const schedule: CronSchedule = {
    expression,
    fields,
    minutes: parsed[0].values,
    hours: parsed[1].values,
    daysOfMonth: parsed[2].values,
    months: parsed[3].values,
    daysOfWeek: parsed[4].values,
    domStar: parsed[2].star,
    dowStar: parsed[4].star,
  };
  if (cronIntervals(schedule) === undefined) throw new CronScheduleError('the schedule never fires (no date matches its day-of-month and month)');
  return schedule;
}

/** Days in each month (0-based) of a non-leap year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month0: number): number {
  return month0 === 1 && (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : MONTH_DAYS[month0];
}

/** A lookup table: `table[v]` is true for each value of the field. */
function lookup(values: readonly number[], size: number): boolean[] {
  const table = new Array<boolean>(size).fill(false);
  for (const v of values) table[v] = true;
  return table;
}

/** Shortest and longest time between two consecutive runs, in seconds. */
export interface CronIntervals {
  /** Shortest gap. */
  readonly minSeconds: number;
  /** Longest gap. */
  readonly maxSeconds: number;
}

/**
 * The shortest and longest gap between consecutive runs, in seconds, over five calendar years (every
 * leap-year and weekday combination), on the schedule's own wall clock: a daylight-saving change in
 * the CronJob's time zone moves one gap by an hour, which the alert thresholds leave room for.
 * Undefined when the schedule never fires.
 */
export function cronIntervals(s: CronSchedule): CronIntervals | undefined {
  const known = intervalsOf.get(s);
  if (known !== undefined) return known ?? undefined;
  const computed = computeIntervals(s);
  intervalsOf.set(s, computed ?? null);
  return computed;
}

/** Computed once per parsed schedule (parsing checks it fires; the CronJob's alerts use it again). */
const intervalsOf = new WeakMap<CronSchedule, CronIntervals | null>();

function computeIntervals(s: CronSchedule): CronIntervals | undefined {
  // Minutes of the day it fires at, ascending (hours and minutes are each sorted).
  const day = s.hours.flatMap((h) => s.minutes.map((m) => h * 60 + m));
  let min = Infinity;
  let max = 0;
  for (let i = 1; i < day.length; i++) {
    min = Math.min(min, day[i] - day[i - 1]);
    max = Math.max(max, day[i] - day[i - 1]);
  }
  // Five calendar years from 2024-01-01 (a Monday), walking the UTC calendar day by day.
  const months = lookup(s.months, 13);
  const doms = lookup(s.daysOfMonth, 32);
  const dows = lookup(s.daysOfWeek, 7);
  // Vixie cron: when both day fields are restricted, either one matching is enough.
  const both = s.domStar || s.dowStar;
  const days = 5 * 366;
  let year = 2024;
  let month0 = 0;
  let dom = 1;
  let dow = 1;
  let prev: number | undefined;
  let matched = 0;
  for (let d = 0; d < days; d++) {
    const runs = months[month0 + 1] && (both ? doms[dom] && dows[dow] : doms[dom] || dows[dow]);
    if (runs) {
      matched++;
      if (prev !== undefined) {
        const gap = (d - prev) * 1440 + day[0] - day[day.length - 1];
        min = Math.min(min, gap);
        max = Math.max(max, gap);
      }
      prev = d;
    }
    dow = (dow + 1) % 7;
    if (++dom > daysInMonth(year, month0)) {
      dom = 1;
      if (++month0 === 12) {
        month0 = 0;
        year++;
      }
    }
  }
  if (matched === 0) return undefined;
  // One run in five years cannot happen with valid fields (February 29th matches twice); be safe anyway.
  if (!Number.isFinite(min)) return { minSeconds: days * 86400, maxSeconds: days * 86400 };
  return { minSeconds: min * 60, maxSeconds: max * 60 };
}

/** Characters of an IANA time zone name (`Area/Location`, `UTC`, `EST5EDT`); offsets like `+01:00` are not names. */
const TZ_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** Whether `tz` is an IANA time zone name this runtime's time zone database knows (what CronJob `timeZone` takes). */
export function isIanaTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || !TZ_NAME.test(tz) || tz === 'Local') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

import { CronScheduleError, cronIntervals, isIanaTimeZone, parseCronSchedule } from '../../lib/monitoring/cron';

const H = 3600;
const D = 86400;

describe('parseCronSchedule', () => {
  test.each([
    ['*/15 * * * *', { minutes: [0, 15, 30, 45] }],
    ['0 3 * * *', { minutes: [0], hours: [3] }],
    ['0 9-17/4 * * MON-FRI', { hours: [9, 13, 17], daysOfWeek: [1, 2, 3, 4, 5] }],
    ['30 2 1,15 jan,Jul *', { daysOfMonth: [1, 15], months: [1, 7] }],
    ['5/20 * * * *', { minutes: [5, 25, 45] }],
    ['0 0 ? * sun', { daysOfWeek: [0], domStar: true }],
    ['@daily', { minutes: [0], hours: [0], fields: '0 0 * * *' }],
    ['@HOURLY', { fields: '0 * * * *' }],
    ['  0  4  *  *  *  ', { hours: [4] }],
  ])('accepts %j', (expr, expected) => {
    expect(parseCronSchedule(expr)).toMatchObject(expected);
  });

  test.each([
    ['', /empty/],
    ['* * * *', /expected 5 fields .* got 4/],
    ['* * * * * *', /expected 5 fields .* got 6/],
    ['60 * * * *', /minute field: 60 is outside 0-59/],
    ['0 24 * * *', /hour field: 24 is outside 0-23/],
    ['0 0 0 * *', /day of month field: 0 is outside 1-31/],
    ['0 0 * 13 *', /month field: 13 is outside 1-12/],
    ['0 0 * * 7', /day of week field: 7 is outside 0-6 \(use 0 for Sunday/],
    ['0 0 * * FUN', /day of week field: "FUN" is not a number or a name \(SUN-SAT\)/],
    ['*/0 * * * *', /step "0"/],
    ['5-1 * * * *', /range "5-1" starts after it ends/],
    ['1,,2 * * * *', /empty list element/],
    ['@every 5m', /unknown macro/],
    ['@fortnightly', /unknown macro "@fortnightly"/],
    ['CRON_TZ=UTC 0 3 * * *', /set timeZone instead/],
    ['0 0 31 2 *', /never fires/],
    ['0 0 30 feb *', /never fires/],
  ])('rejects %j', (expr, message) => {
    expect(() => parseCronSchedule(expr)).toThrow(CronScheduleError);
    expect(() => parseCronSchedule(expr)).toThrow(message);
  });
});

describe('cronIntervals', () => {
  const gaps = (expr: string) => {
    const i = cronIntervals(parseCronSchedule(expr))!;
    return [i.minSeconds, i.maxSeconds];
  };

  test.each([
    ['* * * * *', [60, 60]],
    ['*/15 * * * *', [900, 900]],
    ['@hourly', [H, H]],
    ['0 3 * * *', [D, D]],
    ['0 */6 * * *', [6 * H, 6 * H]],
    ['0 0,12 * * *', [12 * H, 12 * H]],
    ['0 1,2 * * *', [H, 23 * H]],
    // Friday 9:00 to Monday 9:00.
    ['0 9 * * 1-5', [D, 3 * D]],
    ['@weekly', [7 * D, 7 * D]],
    ['@monthly', [28 * D, 31 * D]],
    ['0 0 1 1 *', [365 * D, 366 * D]],
    // February 29th only: every four years.
    ['0 0 29 2 *', [1461 * D, 1461 * D]],
  ])('%s runs every %j seconds (shortest, longest)', (expr, expected) => {
    expect(gaps(expr)).toEqual(expected);
  });

  test('day-field combinations give what a walk over JavaScript dates gives (the calendar is counted, not looked up)', () => {
    // An independent walk: JavaScript's own UTC calendar, day by day, over the same five years.
    const byDates = (expr: string): [number, number] | undefined => {
      // Parsing again gives a new schedule object: its intervals are computed afresh, not remembered.
      const s = parseCronSchedule(expr);
      const firstOfDay = s.hours[0] * 60 + s.minutes[0];
      const lastOfDay = s.hours[s.hours.length - 1] * 60 + s.minutes[s.minutes.length - 1];
      const runs: number[] = [];
      for (let d = 0; d < 5 * 366; d++) {
        const date = new Date(Date.UTC(2024, 0, 1 + d));
        const dom = s.daysOfMonth.includes(date.getUTCDate());
        const dow = s.daysOfWeek.includes(date.getUTCDay());
        if (s.months.includes(date.getUTCMonth() + 1) && (s.domStar || s.dowStar ? dom && dow : dom || dow)) runs.push(d);
      }
      if (runs.length === 0) return undefined;
      const within = s.hours.flatMap((h) => s.minutes.map((m) => h * 60 + m)).map((m, i, all) => (i === 0 ? Infinity : m - all[i - 1]));
      const gaps = [...within.filter(Number.isFinite), ...runs.slice(1).map((d, i) => (d - runs[i]) * 1440 + firstOfDay - lastOfDay)];
      return [Math.min(...gaps) * 60, Math.max(...gaps) * 60];
    };
    const days = ['*', '1', '15', '29', '31', '1-7', '*/10', '28-31'];
    const months = ['*', '2', '2,4,6', '*/3', '11-12'];
    const weekdays = ['*', '0', '1-5', '6,0', 'MON', '*/3'];
    let compared = 0;
    for (const dom of days) {
      for (const month of months) {
        for (const dow of weekdays) {
          const expr = `30 4 ${dom} ${month} ${dow}`;
          let parsed;
          try {
            parsed = parseCronSchedule(expr);
          } catch (e) {
            // Refused as never firing (February 30th and the like, any weekday): nothing to compare.
            expect([expr, (e as Error).message]).toEqual([expr, expect.stringMatching(/never fires/)]);
            expect(dow).toBe('*');
            continue;
          }
          const expected = byDates(expr)!;
          const i = cronIntervals(parsed)!;
          expect([expr, i.minSeconds, i.maxSeconds]).toEqual([expr, ...expected]);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  test('both day fields restricted: either one matching is enough (Vixie cron, as the CronJob controller)', () => {
    // The 1st of every month, and every Monday.
    const s = parseCronSchedule('0 0 1 * MON');
    expect(s.domStar || s.dowStar).toBe(false);
    const [min, max] = gaps('0 0 1 * MON');
    expect(min).toBe(D); // e.g. a Monday followed by Tuesday the 1st
    expect(max).toBe(7 * D);
  });

  test('a stepped star restricts the field (only a bare * or ? leaves the other day field in charge)', () => {
    expect(parseCronSchedule('0 0 */2 * MON').domStar).toBe(false);
    expect(parseCronSchedule('0 0 */1 * MON').domStar).toBe(true);
  });
});

describe('isIanaTimeZone', () => {
  test.each(['UTC', 'Etc/UTC', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'US/Pacific'])('accepts %s', (tz) => {
    expect(isIanaTimeZone(tz)).toBe(true);
  });
  test.each(['', 'Local', '+01:00', 'UTC+1', 'Europe/Atlantis', 'europe paris'])('rejects %j', (tz) => {
    expect(isIanaTimeZone(tz)).toBe(false);
  });
});

import { IConstruct } from 'constructs';
import { ValidationError } from '../core/errors';
import { Duration } from '../core/units';
import { cronIntervals, CronScheduleError, parseCronSchedule } from '../monitoring/cron';

/**
 * Checks a disruption freeze with the library's one cron parser (Karpenter reads budget schedules
 * with the same robfig/cron standard syntax as the CronJob controller): the schedule must parse and
 * fire, and each window must end before the next starts. Windows that overlap freeze the pool for
 * good: drifted nodes (new AMIs with security fixes) would never be replaced.
 * @returns the schedule as Karpenter gets it
 */
export function checkDisruptionFreeze(scope: IConstruct, prop: string, schedule: string, duration: Duration): string {
  let intervals;
  try {
    intervals = cronIntervals(parseCronSchedule(schedule));
  } catch (e) {
    if (!(e instanceof CronScheduleError)) throw e;
    throw new ValidationError(scope, `${prop}.schedule`, schedule, `must be a 5-field cron expression in UTC such as "0 8 * * 1-5" (minute hour day-of-month month day-of-week) or a macro such as "@daily": ${e.message}`);
  }
  if (intervals === undefined) throw new ValidationError(scope, `${prop}.schedule`, schedule, 'never fires (e.g. February 30th): the freeze would never start');
  const secs = duration.toSeconds();
  if (secs >= intervals.minSeconds) {
    throw new ValidationError(scope, `${prop}.duration`, duration, `must be shorter than the shortest gap between starts of "${schedule}" (${Duration.seconds(intervals.minSeconds)}): the windows would overlap and freeze the pool for good, so drifted nodes are never replaced`);
  }
  return schedule.trim().split(/\s+/).join(' ');
}

import { IConstruct } from 'constructs';
import { Token } from 'cdktf';
import { ValidationError } from '../core/errors';

// RDS windows (UTC): the daily backup window and the weekly maintenance window must each last at
// least 30 minutes and must not overlap (RDS rejects the pair at apply: "The backup window and
// maintenance window must not overlap"). Checked at synth on the literal values.

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WEEK = 7 * 1440;
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** [start, end) in minutes of the week (end may pass the week's end). */
type Span = [number, number];

function spanLength(start: number, end: number, period: number): number {
  return ((end - start) % period + period) % period;
}

/**
 * Checks the backup and maintenance windows of the registry database against each other.
 * @param prefix prop prefix, e.g. `database.`
 */
export function checkRdsWindows(scope: IConstruct, prefix: string, backupWindow: string | undefined, maintenanceWindow: string | undefined): void {
  const literal = (v: string | undefined): v is string => typeof v === 'string' && !Token.isUnresolved(v);
  let backup: Span[] | undefined;
  if (literal(backupWindow)) {
    const [a, b] = backupWindow.split('-');
    const start = minutes(a);
    const len = spanLength(start, minutes(b), 1440);
    if (len < 30) throw new ValidationError(scope, `${prefix}backupWindow`, backupWindow, 'must last at least 30 minutes (RDS rejects shorter backup windows)');
    backup = Array.from({ length: 10 }, (_, d) => [(d - 1) * 1440 + start, (d - 1) * 1440 + start + len] as Span);
  }
  if (literal(maintenanceWindow)) {
    const [a, b] = maintenanceWindow.split('-');
    const at = (x: string) => DAYS.indexOf(x.slice(0, 3)) * 1440 + minutes(x.slice(4));
    const start = at(a);
    const len = spanLength(start, at(b), WEEK);
    if (len < 30) throw new ValidationError(scope, `${prefix}maintenanceWindow`, maintenanceWindow, 'must last at least 30 minutes (RDS rejects shorter maintenance windows)');
    if (backup) {
      const spans: Span[] = [[start, start + len], [start - WEEK, start - WEEK + len]];
      const clash = spans.some(([s, e]) => backup!.some(([bs, be]) => s < be && bs < e));
      if (clash) {
        throw new ValidationError(scope, `${prefix}maintenanceWindow`, maintenanceWindow, `must not overlap the daily backup window ${backupWindow} (RDS rejects overlapping windows at apply); move one of them, e.g. maintenance "sun:05:00-sun:06:00" with backups "03:00-04:00"`);
      }
    }
  }
}

import { IConstruct } from 'constructs';
import { Annotations } from 'cdktf';
import { ValidationError } from '../core/errors';
import {
  DEFAULT_KUBERNETES_VERSION, EKS_CLUSTER_PRICES, EKS_RELEASE_CALENDAR, EksCalendarEntry, EksSupportPhase,
  eksCalendarEntry, eksSupportPhase, extendedSupportExtraMonthlyUsd,
} from './versions';

/**
 * Context key that pins the date the EKS support calendar is evaluated at (`YYYY-MM-DD`), for a
 * whole app: `new App({ context: { 'ai-platform:support-calendar-date': '2026-12-07' } })` or the
 * `CDKTF_CONTEXT_JSON` environment variable. Without it (and without the construct's own prop) the
 * calendar is evaluated at today's UTC date.
 */
export const SUPPORT_CALENDAR_DATE_CONTEXT = 'ai-platform:support-calendar-date';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The date the calendar is evaluated at: the prop, else the context key, else today (UTC). */
export function supportCalendarDate(scope: IConstruct, prop: string, given: string | undefined): string {
  const fromContext = scope.node.tryGetContext(SUPPORT_CALENDAR_DATE_CONTEXT) as unknown;
  const value = given ?? (fromContext === undefined ? undefined : String(fromContext));
  if (value === undefined) return new Date().toISOString().slice(0, 10);
  const where = given !== undefined ? prop : `context "${SUPPORT_CALENDAR_DATE_CONTEXT}"`;
  if (!ISO_DATE.test(value) || Number.isNaN(Date.parse(value)) || new Date(value).toISOString().slice(0, 10) !== value) {
    throw new ValidationError(scope, where, value, 'must be a date "YYYY-MM-DD" (UTC), e.g. "2026-12-07"');
  }
  return value;
}

/** The outcome of checking a Kubernetes version against the calendar. */
export interface SupportVerdict {
  /** The calendar entry, when the calendar knows the version. */
  readonly entry?: EksCalendarEntry;
  /** The support phase on the date (undefined when the calendar does not know the version). */
  readonly phase?: EksSupportPhase;
  /** The date the calendar was evaluated at. */
  readonly date: string;
}

const DOCS = 'docs/operations.md#kubernetes-versions-and-the-eks-support-calendar';

/**
 * Checks a Kubernetes version against the EKS release calendar on `date`: a ValidationError when
 * the version is past the end of extended support or not yet released, a warning with the cost
 * difference when it is in extended support. `what` says whose version it is (for the messages).
 */
export function checkEksSupport(scope: IConstruct, prop: string, version: string, date: string, what: string): SupportVerdict {
  const entry = eksCalendarEntry(version);
  if (!entry) return { date };
  const phase = eksSupportPhase(entry, date);
  const newest = newestReleased(date);
  switch (phase) {
    case EksSupportPhase.UNRELEASED:
      throw new ValidationError(scope, prop, version, `is not available on EKS on ${date} (released ${entry.eksRelease}${entry.approximateRelease ? ', approximately' : ''}); choose a released version such as "${newest}" (${DOCS})`);
    case EksSupportPhase.ENDED:
      throw new ValidationError(scope, prop, version, `is past the end of EKS extended support (${entry.endOfExtendedSupport}) on ${date}: EKS creates no new ${version} cluster and upgrades existing control planes by itself; ${what} must move to a supported version such as "${newest}" (${DOCS})`);
    case EksSupportPhase.EXTENDED:
      Annotations.of(scope).addWarning(
        `${prop} ${version} is in EKS extended support on ${date} (standard support ended ${entry.endOfStandardSupport}; extended support ends ${entry.endOfExtendedSupport}): ${what} bills $${EKS_CLUSTER_PRICES.extendedHourlyUsd.toFixed(2)} instead of $${EKS_CLUSTER_PRICES.standardHourlyUsd.toFixed(2)} per cluster-hour, about $${extendedSupportExtraMonthlyUsd()} more per month. Upgrade one minor at a time towards "${newest}" (${DOCS}).`,
      );
      break;
    default:
      break;
  }
  return { entry, phase, date };
}

/** The newest version the calendar shows released on `date` (the default when none is). */
function newestReleased(date: string): string {
  const released = EKS_RELEASE_CALENDAR.filter((e) => eksSupportPhase(e, date) === EksSupportPhase.STANDARD);
  return released.length > 0 ? released[released.length - 1].version : DEFAULT_KUBERNETES_VERSION;
}

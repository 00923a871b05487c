import { Duration } from '../core/units';
import { PrometheusRuleEntry } from '../observability/monitoring-objects';
import { JOB_METRICS, KUBE_STATE_METRICS } from './job-metrics';
import { promString } from './promql';

/** Severity label of an alert (Alertmanager routes on it). */
export enum AlertSeverity {
  /** Someone should act now. */
  CRITICAL = 'critical',
  /** Someone should look during working hours. */
  WARNING = 'warning',
  /** Informational: dashboards and digests. */
  INFO = 'info',
}

/** Alert options shared by DriftMonitor and EvalCronJob. */
export interface JobAlertOptions {
  /**
   * Create the PrometheusRule (needs `metrics`).
   * @default true when `metrics` is given
   */
  readonly enabled?: boolean;
  /**
   * Severity of the verdict alert: dataset drift, or a failed eval gate.
   * @default AlertSeverity.WARNING (a scheduled check found a problem; nothing is down)
   */
  readonly severity?: AlertSeverity;
  /**
   * Severity of the job-health alerts: job failed, job stale.
   * @default AlertSeverity.WARNING
   */
  readonly jobHealthSeverity?: AlertSeverity;
  /**
   * Value of the `team` label (Alertmanager routes on `severity`, `model` and `team`).
   * @default - no team label
   */
  readonly team?: string;
  /**
   * The job is stale when no run succeeded within this many schedule intervals (the longest gap of
   * the cron schedule) plus the run's deadlines.
   * @default 2 (one missed run is noise; two is a broken schedule)
   */
  readonly staleAfterRuns?: number;
  /**
   * `runbook_url` annotation of every alert.
   * @default - none
   */
  readonly runbookUrl?: string;
  /**
   * Extra labels on every alert (routing, ownership).
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** What the job-health rules need to know about one job. */
export interface JobRuleTarget {
  /** `job` label of the pushed metrics. */
  readonly pushgatewayJob: string;
  /** Label naming the job in its metrics: `monitor` (drift) or `eval`. */
  readonly nameLabel: string;
  /** The job's name (value of `nameLabel`). */
  readonly name: string;
  /** Namespace of the CronJob (also the `namespace` grouping label of the pushed metrics). */
  readonly namespace: string;
  /** CronJob name. */
  readonly cronJobName: string;
  /** Seconds after which the job counts as stale. */
  readonly staleAfterSeconds: number;
  /** Human name in summaries, e.g. `Drift monitor`. */
  readonly title: string;
  /** Alert name prefix, e.g. `AiPlatformDrift`. */
  readonly alertPrefix: string;
  /** Labels of every alert (severity excluded). */
  readonly labels: Record<string, string>;
  /** Severity of the job-health alerts. */
  readonly severity: AlertSeverity;
  /** Annotations added to every alert. */
  readonly annotations: Record<string, string>;
  /** Labels of the job's pods (for the `kubectl logs` hint). */
  readonly podLabels: Record<string, string>;
}

/**
 * The selector of a job's pushed series: exactly the grouping key the job pushes with (`job`, its
 * name label, `namespace`) and no `instance` (the jobs push none; Prometheus drops the empty one the
 * Pushgateway exposes). A group pushed by anything else under another `instance` does not match.
 */
export function pushedSelector(t: Pick<JobRuleTarget, 'pushgatewayJob' | 'namespace' | 'nameLabel' | 'name'>): string {
  return `job=${promString(t.pushgatewayJob)},namespace=${promString(t.namespace)},${t.nameLabel}=${promString(t.name)},instance=""`;
}

/**
 * Rules that say the job itself is unhealthy, whatever its verdict:
 * - `<prefix>JobFailed`: the last run reported a failure (`aiplatform_job_failed == 1`), or the
 *   Kubernetes Job of the CronJob failed terminally (deadline, retries exhausted, eviction: cases
 *   where the job could not push) more recently than the CronJob's last success;
 * - `<prefix>JobStale`: no run recorded results for `staleAfterSeconds` (or, for a job that never
 *   succeeded, for that long since the CronJob was created), unless the CronJob is suspended. The last
 *   result is the later of the pushed success time and the CronJob's last successful Job
 *   (kube-state-metrics): a Pushgateway restart that loses the pushes does not make a healthy job stale.
 */
export function jobHealthRules(t: JobRuleTarget): PrometheusRuleEntry[] {
  const sel = pushedSelector(t);
  const ns = promString(t.namespace);
  const jobs = `namespace=${ns},job_name=~${promString(`${t.cronJobName}-[0-9]+`)}`;
  const cron = `namespace=${ns},cronjob=${promString(t.cronJobName)}`;
  const failedStart = `max by (namespace) (${KUBE_STATE_METRICS.jobStartTime}{${jobs}} and on (namespace, job_name) (${KUBE_STATE_METRICS.jobStatusFailed}{${jobs},reason=~"BackoffLimitExceeded|DeadlineExceeded|Evicted"} > 0))`;
  const lastK8sSuccess = `max by (namespace) (${KUBE_STATE_METRICS.cronJobLastSuccessfulTime}{${cron}})`;
  const addName = (expr: string) => `label_replace(${expr}, ${promString(t.nameLabel)}, ${promString(t.name)}, "", "")`;
  const suspended = `unless on (namespace) (${KUBE_STATE_METRICS.cronJobSuspend}{${cron}} == 1)`;
  // Exit 0 and exit 2 push a success time; Kubernetes records exit 0 only (exit 2 fails the Job).
  const lastResult = `max by (namespace, ${t.nameLabel}) (${JOB_METRICS.lastSuccessTimestamp}{${sel}} or ${addName(KUBE_STATE_METRICS.cronJobLastSuccessfulTime + `{${cron}}`)})`;
  const labels = { ...t.labels, severity: t.severity };
  return [
    {
      alert: `${t.alertPrefix}JobFailed`,
      expr: [
        `max by (namespace, ${t.nameLabel}) (${JOB_METRICS.failed}{${sel}}) == 1`,
        `or ${addName(`(${failedStart} > on (namespace) ${lastK8sSuccess}) or (${failedStart} unless on (namespace) ${lastK8sSuccess})`)}`,
      ].join('\n'),
      labels,
      annotations: {
        ...t.annotations,
        summary: `${t.title} {{ $labels.${t.nameLabel} }} failed`,
        description: `The last run of ${t.title.toLowerCase()} {{ $labels.${t.nameLabel} }} in namespace {{ $labels.namespace }} failed: bad input or config, an unreachable endpoint, an output it could not write, or it was killed (deadline, memory, eviction). Read \`kubectl -n ${t.namespace} logs -l ${Object.entries(t.podLabels).map(([k, v]) => `${k}=${v}`).join(',')} --tail=50\` and the failed Job's events.`,
      },
    },
    {
      alert: `${t.alertPrefix}JobStale`,
      expr: [
        `(`,
        `  (time() - ${lastResult} > ${t.staleAfterSeconds})`,
        `  or ${addName(`(time() - max by (namespace) (${KUBE_STATE_METRICS.cronJobCreated}{${cron}}) > ${t.staleAfterSeconds})`)} unless on (namespace) ${lastResult}`,
        `) ${suspended}`,
      ].join('\n'),
      labels,
      annotations: {
        ...t.annotations,
        summary: `${t.title} {{ $labels.${t.nameLabel} }} has not completed a run for too long`,
        description: `No run of ${t.title.toLowerCase()} {{ $labels.${t.nameLabel} }} recorded results in the last ${Duration.seconds(t.staleAfterSeconds).toGoDuration()}: the CronJob ${t.namespace}/${t.cronJobName} is not being scheduled, its pods do not start, or every run fails. Check \`kubectl -n ${t.namespace} get cronjob ${t.cronJobName}\` and its events.`,
      },
    },
  ];
}

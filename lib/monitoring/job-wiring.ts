import { IConstruct } from 'constructs';
import { Annotations } from 'cdktf';
import { validateEnum } from '../core/enums';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { validateInteger } from '../core/validate';
import { JobPushgatewayConfig } from '../jobs/config';
import { KubernetesObject } from '../k8s/values';
import { MonitoringObjectError, PrometheusRuleGroup, prometheusRule } from '../observability/monitoring-objects';
import { IMetricsBackbone } from '../observability/types';
import { AlertSeverity, JobAlertOptions } from './job-alerts';
import { parseJobLocation } from './locations';
import { ScheduledJob, validateKubernetesLabelValue, validateKubernetesLabels } from './scheduled-job';
import { checkRuleExpressions } from './serving-drift';

// What DriftMonitor and EvalCronJob do alike around their ScheduledJob: the name, the metrics
// (Pushgateway, egress, the backbone's push grant) and the alert rule. One implementation for both.

/**
 * The job's name (`name` or the construct id): a DNS-1123 label of at most 40 characters, so that
 * `<prefix>-<name>` and the names derived from it fit.
 */
export function validateJobName(scope: IConstruct, name: string, prefix: string): string {
  const n = validateDns1123Label(scope, 'name', name);
  if (n.length > 40) throw new ValidationError(scope, 'name', n, `must be at most 40 characters (the CronJob is named "${prefix}-<name>")`);
  return n;
}

/** The metrics props a scheduled job construct takes. */
export interface JobMetricsProps {
  /** The backbone: its Pushgateway receives the metrics and its Prometheus loads the alerts. */
  readonly metrics?: IMetricsBackbone;
  /** A Pushgateway URL of the user's, instead of the backbone's. */
  readonly pushgatewayUrl?: string;
  /** Whether alerts are wanted. */
  readonly alerts?: Pick<JobAlertOptions, 'enabled'>;
}

/** What {@link wireJobMetrics} decided. */
export interface JobMetricsWiring {
  /** Whether the job gets its PrometheusRule (metrics given and alerts not turned off). */
  readonly alertsWanted: boolean;
  /** The `pushgateway` block of the job config, when there is a Pushgateway. */
  readonly pushgateway?: JobPushgatewayConfig;
  /**
   * Lets the job's pods push to the backbone's Pushgateway (its NetworkPolicy admits only granted
   * pods). Call it after the job is created, so the grant follows the job's objects.
   */
  allowPushes(podLabels: Record<string, string>): void;
}

/**
 * Wires a scheduled job's metrics: checks `metrics`, `pushgatewayUrl` and `alerts.enabled`, warns
 * when nothing is pushed (`noMetrics` says what is then missed), adds the Pushgateway to the job's
 * egress (its URL, or the backbone's namespace) and gives the config's `pushgateway` block.
 */
export function wireJobMetrics(
  scope: IConstruct,
  props: JobMetricsProps,
  namespace: string,
  pushgatewayJob: string,
  noMetrics: string,
  egressNamespaces: string[],
  egressUrls: string[],
): JobMetricsWiring {
  const alertsWanted = props.metrics !== undefined && (props.alerts?.enabled ?? true);
  if (props.alerts?.enabled && !props.metrics) throw new ValidationError(scope, 'alerts.enabled', true, 'needs metrics (the PrometheusRule is loaded by its Prometheus)');
  const pushUrl = props.pushgatewayUrl ?? props.metrics?.pushgatewayUrl;
  if (props.metrics && pushUrl === undefined) {
    throw new ValidationError(scope, 'metrics', props.metrics.node.path, 'has no Pushgateway (Observability pushgateway.enabled is false): enable it or set pushgatewayUrl, or the job\'s metrics and alerts have nothing to read');
  }
  if (!props.metrics && pushUrl === undefined) Annotations.of(scope).addWarning(`no metrics: ${noMetrics}; pass metrics (IMetricsBackbone)`);
  if (props.pushgatewayUrl !== undefined) {
    parseJobLocation(scope, 'pushgatewayUrl', props.pushgatewayUrl);
    egressUrls.push(props.pushgatewayUrl);
  } else if (props.metrics) {
    egressNamespaces.push(props.metrics.namespace);
  }
  const pushgateway: JobPushgatewayConfig | undefined = pushUrl !== undefined ? { url: pushUrl, job: pushgatewayJob, groupingLabels: { namespace } } : undefined;
  return {
    alertsWanted,
    pushgateway,
    allowPushes: (podLabels) => {
      if (props.metrics && props.pushgatewayUrl === undefined && pushUrl !== undefined) props.metrics.allowPushes(namespace, podLabels);
    },
  };
}

/**
 * Seconds without a recorded run after which the stale alert fires: `alerts.staleAfterRuns`
 * (default 2) times the longest gap of the schedule, plus the run's deadlines.
 */
export function jobStaleAfterSeconds(scope: IConstruct, alerts: JobAlertOptions, job: ScheduledJob): number {
  const staleRuns = validateInteger(scope, 'alerts.staleAfterRuns', alerts.staleAfterRuns ?? 2, 1, 100);
  return staleRuns * job.intervals.maxSeconds + job.activeDeadlineSeconds + job.startingDeadlineSeconds;
}

/**
 * Checks the alert options every job alert shares (`severity`, `jobHealthSeverity` and the
 * `extraSeverities` the construct adds, `team`, `labels`) and gives the labels (user labels, team,
 * then `modelLabels`) and annotations (`runbook_url`) of each rule.
 */
export function jobAlertMetadata<A extends JobAlertOptions>(
  scope: IConstruct,
  a: A,
  extraSeverities: readonly (keyof A & string)[],
  modelLabels: Record<string, string>,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  for (const k of ['severity', 'jobHealthSeverity', ...extraSeverities] as const) validateEnum(scope, `alerts.${k}`, a[k as keyof A] as string | undefined, AlertSeverity, 'AlertSeverity');
  if (a.team !== undefined) validateKubernetesLabelValue(scope, 'alerts.team', a.team);
  validateKubernetesLabels(scope, 'alerts.labels', a.labels);
  return {
    labels: { ...a.labels, ...(a.team !== undefined ? { team: a.team } : {}), ...modelLabels },
    annotations: a.runbookUrl ? { runbook_url: a.runbookUrl } : {},
  };
}

/**
 * The job's PrometheusRule `<jobName>-alerts`, loaded by the backbone's Prometheus (its rule labels),
 * added to the job's chart. Expressions are checked; a rule the renderer refuses is a ValidationError
 * at `alerts.<prop>`.
 */
export function addJobAlertRule(scope: IConstruct, job: ScheduledJob, jobName: string, namespace: string, metrics: IMetricsBackbone, groups: PrometheusRuleGroup[]): KubernetesObject {
  checkRuleExpressions(scope, 'alerts', groups);
  let rule: KubernetesObject;
  try {
    rule = prometheusRule({ name: `${jobName}-alerts`, namespace, labels: { ...metrics.ruleLabels }, groups });
  } catch (e) {
    if (e instanceof MonitoringObjectError) throw new ValidationError(scope, `alerts.${e.prop}`, e.value, e.expected);
    throw e;
  }
  job.chart.addManifest(rule);
  return rule;
}

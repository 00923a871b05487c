import { Construct } from 'constructs';
import { Annotations, ITerraformDependable, Token } from 'cdktf';
import { ICluster } from '../cluster/cluster-reference';
import { GPU_INSTANCE_TYPES, GPU_PRICE_SOURCE } from '../gpu/catalog';
import { CostModelEstimate, CostReportJobConfig, JobPushgatewayConfig, COST_REPORT_DEFAULTS, SPOT_PRICE_DEFAULTS, SpotPriceJobConfig } from '../jobs/config';
import { JsonObject } from '../k8s/values';
import { compact, JobMlflowProps, wireJobMlflow } from '../monitoring/job-mlflow';
import { parseJobLocation } from '../monitoring/locations';
import { ScheduledJob, ScheduledJobKind, ScheduledJobOptions, SecretEnvVar } from '../monitoring/scheduled-job';
import type { CostReport } from '../platform/cost-report';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { Duration } from '../core/units';
import { validateNumber, validateWholeDuration } from '../core/validate';
import { ManifestChart } from '../k8s/manifest-chart';
import { KubernetesObject } from '../k8s/values';
import { grafanaDashboardConfigMap, MonitoringObjectError, prometheusRule } from '../observability/monitoring-objects';
import { IMetricsBackbone } from '../observability/types';
import { CostAlertThresholds, costAlertRuleGroups, costDashboard, costRecordingRuleGroups } from './cost-rules';
import { DEFAULT_SPOT_PRICE_FACTOR } from './definitions';

/** The scheduled GPU utilization and inference cost report (a CronJob running `assets/jobs/cost.js`). */
export interface CostReportSchedule extends Omit<ScheduledJobOptions, 'schedule'>, JobMlflowProps {
  /** The cluster (IRSA role of the job, scoped to the report prefix). */
  readonly cluster: ICluster;
  /**
   * Where reports go: `s3://bucket/prefix/` (or `file://`, `http(s)://`); each run writes
   * `<prefix>{{date}}/cost-report.json` and `<prefix>{{date}}/cost-report.md`.
   */
  readonly reportPrefix: string;
  /**
   * Cron schedule (see `ScheduledJobOptions.schedule`).
   * @default '0 6 * * 1' (Mondays 06:00, the week before)
   */
  readonly schedule?: string;
  /**
   * How long each report covers, ending at the run time (1 hour to 93 days, whole hours).
   * @default Duration.days(7)
   */
  readonly period?: Duration;
  /**
   * Namespace of the CronJob (a literal name; it must exist).
   * @default - the backbone's namespace
   */
  readonly namespace?: string;
  /**
   * The pre-deployment estimate (`platformCostReport(platform)`), for the estimate-vs-actual table.
   * @default - no estimate in the report
   */
  readonly estimate?: CostReport;
}

/**
 * The spot price job: every `schedule`, EC2 `DescribeSpotPriceHistory` (read-only IAM through IRSA:
 * `ec2:DescribeSpotPriceHistory` only) for the GPU types in each zone of the region, pushed to the
 * Pushgateway as `aiplatform_spot_price_usd_per_hour{instance_type, zone}`; spot nodes are then priced
 * at their real spot price (`price_source="spot_price_history"`).
 */
export interface SpotPriceSchedule extends Omit<ScheduledJobOptions, 'schedule'> {
  /** The cluster (IRSA role; its region is priced). */
  readonly cluster: ICluster;
  /**
   * Cron schedule.
   * @default '17 * * * *' (hourly; spot prices change a few times a day)
   */
  readonly schedule?: string;
  /**
   * Instance types to price (at most 100).
   * @default - every catalog type with an on-demand list price
   */
  readonly instanceTypes?: string[];
  /**
   * Namespace of the CronJob (a literal name; it must exist).
   * @default - the backbone's namespace
   */
  readonly namespace?: string;
}

/** Props of {@link CostMonitoring}. */
export interface CostMonitoringProps {
  /** The metrics backbone (rule and dashboard labels, CRD dependencies). Its kube-state-metrics must expose the node and pod labels of `costMetricLabelsAllowlist()` (`Observability` does). */
  readonly metrics: IMetricsBackbone;
  /**
   * Namespace of the PrometheusRule and the dashboard ConfigMap.
   * @default - the backbone's namespace
   */
  readonly namespace?: string;
  /**
   * Spot price as a share of on-demand where no real spot price was pushed for a node's type and
   * zone (the `catalog_spot_assumption` price source). The same assumption as the estimate.
   * @default 0.4 (the estimate's default, `platformCostReport`)
   */
  readonly spotPriceFactor?: number;
  /**
   * `AiPlatformCostPerMillionTokensRegressed` fires when a model's cost per 1M output tokens over
   * `costRegressionWindow` is more than this share dearer than the same window a week earlier.
   * @default 0.25
   */
  readonly costRegressionRatio?: number;
  /**
   * Window compared with the same window a week earlier.
   * @default Duration.hours(6)
   */
  readonly costRegressionWindow?: Duration;
  /**
   * How long the regression must hold before the alert fires.
   * @default Duration.hours(1)
   */
  readonly costRegressionFor?: Duration;
  /**
   * Idle GPU spend (GPUs no running pod requests) above which `AiPlatformGpuIdleSpendHigh` fires, USD/h.
   * @default 5 (about two idle L40S GPUs on demand)
   */
  readonly idleSpendThresholdUsdPerHour?: number;
  /**
   * How long idle spend must stay above the threshold.
   * @default Duration.hours(3)
   */
  readonly idleSpendFor?: Duration;
  /**
   * GPU utilization (0–1, DCGM `DCGM_FI_DEV_GPU_UTIL`) of a model below which
   * `AiPlatformModelGpuUtilizationLow` fires.
   * @default 0.3
   */
  readonly minGpuUtilization?: number;
  /**
   * How long utilization must stay below the threshold.
   * @default Duration.hours(3)
   */
  readonly utilizationFor?: Duration;
  /**
   * The scheduled cost report.
   * @default - no report job (the rules, alerts and dashboard only)
   */
  readonly report?: CostReportSchedule;
  /**
   * The spot price job (needs the backbone's Pushgateway).
   * @default - none: spot nodes are priced with `spotPriceFactor` unless something else pushes spot prices
   */
  readonly spotPrices?: SpotPriceSchedule;
  /**
   * Resources the objects wait for besides the Prometheus operator.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Live unit economics of the GPUs: recording rules pricing every GPU node (catalog on-demand prices,
 * real spot prices when pushed, else the catalog's spot assumption) and attributing its cost to the
 * models whose pods request its GPUs (per rollout revision too), idle spend, cost per 1M tokens and
 * per request, GPU utilization and spot share; three alerts; a Grafana dashboard. docs/cost.md.
 */
export class CostMonitoring extends Construct {
  /** The release applying the rules and the dashboard. */
  public readonly chart: ManifestChart;
  /** The recording rules. */
  public readonly recordingRules: KubernetesObject;
  /** The alert rules. */
  public readonly alertRules: KubernetesObject;
  /** The dashboard ConfigMap. */
  public readonly dashboard: KubernetesObject;
  /** Spot factor used for the `catalog_spot_assumption` prices. */
  public readonly spotPriceFactor: number;
  /** Alert thresholds in effect. */
  public readonly thresholds: CostAlertThresholds;
  /** The report CronJob, when `report` is set. */
  public readonly reportJob?: ScheduledJob;
  /** The report job and its config. */
  private report?: { job: ScheduledJob; config: CostReportJobConfig };
  /** The report job's config, when `report` is set (its estimate as last set, see {@link updateEstimate}). */
  public get reportConfig(): CostReportJobConfig | undefined {
    return this.report?.config;
  }
  /** The spot price CronJob, when `spotPrices` is set. */
  public readonly spotPriceJob?: ScheduledJob;
  /** The spot price job's config, when `spotPrices` is set. */
  public readonly spotPriceConfig?: SpotPriceJobConfig;

  /** Creates the rules and the dashboard. */
  public constructor(scope: Construct, id: string, props: CostMonitoringProps) {
    super(scope, id);
    const namespace = validateDns1123Label(this, 'namespace', props.namespace ?? props.metrics.namespace);
    this.spotPriceFactor = validateNumber(this, 'spotPriceFactor', props.spotPriceFactor ?? DEFAULT_SPOT_PRICE_FACTOR, 0.01, 1);
    const hours = (prop: string, d: Duration | undefined, def: Duration, max = 7 * 24): Duration => {
      const v = d ?? def;
      const s = v.toSeconds();
      if (!(s >= 60 && s <= max * 3600 && s % 60 === 0)) throw new ValidationError(this, prop, v, `must be between ${Duration.minutes(1)} and ${Duration.hours(max)}, a whole number of minutes`);
      return v;
    };
    this.thresholds = {
      costRegressionRatio: validateNumber(this, 'costRegressionRatio', props.costRegressionRatio ?? 0.25, 0.01, 10),
      regressionWindow: hours('costRegressionWindow', props.costRegressionWindow, Duration.hours(6), 72),
      regressionFor: hours('costRegressionFor', props.costRegressionFor, Duration.hours(1)),
      idleSpendUsdPerHour: validateNumber(this, 'idleSpendThresholdUsdPerHour', props.idleSpendThresholdUsdPerHour ?? 5, 0, 100000),
      idleSpendFor: hours('idleSpendFor', props.idleSpendFor, Duration.hours(3)),
      minUtilization: validateNumber(this, 'minGpuUtilization', props.minGpuUtilization ?? 0.3, 0.01, 1),
      utilizationFor: hours('utilizationFor', props.utilizationFor, Duration.hours(3)),
    };
    const labels = { ...props.metrics.ruleLabels };
    try {
      this.recordingRules = prometheusRule({ name: 'aiplatform-cost', namespace, labels, groups: costRecordingRuleGroups({ spotPriceFactor: this.spotPriceFactor }) });
      this.alertRules = prometheusRule({ name: 'aiplatform-cost-alerts', namespace, labels, groups: costAlertRuleGroups(this.thresholds) });
      this.dashboard = grafanaDashboardConfigMap({ name: 'aiplatform-cost-dashboard', namespace, labels: { ...props.metrics.dashboardLabels }, dashboardJson: JSON.stringify(costDashboard()) });
    } catch (e) {
      if (e instanceof MonitoringObjectError) throw new ValidationError(this, e.prop, e.value, e.expected);
      throw e;
    }
    this.chart = new ManifestChart(this, 'objects', {
      releaseName: 'aiplatform-cost',
      namespace,
      manifests: [this.recordingRules, this.alertRules, this.dashboard],
      dependsOn: [...props.metrics.crdDependencies, ...(props.dependsOn ?? [])],
    });
    if (props.report) {
      const built = this.scheduleReport(props.metrics, props.report, props.dependsOn ?? []);
      this.reportJob = built.job;
      this.report = built;
    }
    if (props.spotPrices) {
      const built = this.scheduleSpotPrices(props.metrics, props.spotPrices, props.dependsOn ?? []);
      this.spotPriceJob = built.job;
      this.spotPriceConfig = built.config;
    }
  }

  /**
   * Replaces the report's pre-deployment estimate (the report job's config). `AiPlatform` calls it
   * at synth when GPU pools or serving stacks were added after the cost monitoring was created.
   * @param estimate the new estimate (`platformCostReport(platform)`)
   */
  public updateEstimate(estimate: CostReport): void {
    if (!this.report || !this.reportJob) throw new ValidationError(this, 'report', undefined, 'must be set to update the report\'s estimate');
    const { limits: _limits, ...config } = { ...this.report.config, estimates: estimatesOf(estimate) };
    void _limits;
    this.reportJob.updateConfig(config as unknown as JsonObject);
    this.report = { job: this.reportJob, config: { ...config, limits: this.reportJob.limits } as CostReportJobConfig };
  }

  private jobNamespace(prop: string, given: string | undefined, metrics: IMetricsBackbone): string {
    const ns = given ?? metrics.namespace;
    if (Token.isUnresolved(ns)) throw new ValidationError(this, prop, ns, 'must be a literal namespace name (e.g. "monitoring"): the backbone\'s namespace is only known at apply time here, and the job\'s IRSA role is derived from it');
    return ns;
  }

  private scheduleSpotPrices(metrics: IMetricsBackbone, o: SpotPriceSchedule, dependsOn: ITerraformDependable[]): { job: ScheduledJob; config: SpotPriceJobConfig } {
    const namespace = validateDns1123Label(this, 'spotPrices.namespace', this.jobNamespace('spotPrices.namespace', o.namespace, metrics));
    if (!metrics.pushgatewayUrl) throw new ValidationError(this, 'spotPrices', metrics.node.path, 'needs the backbone\'s Pushgateway (Observability pushgateway.enabled): the prices are pushed there');
    const types = o.instanceTypes ?? Object.values(GPU_INSTANCE_TYPES).filter((t) => t.listedOnDemand).map((t) => t.name).sort();
    if (types.length === 0 || types.length > 100) throw new ValidationError(this, 'spotPrices.instanceTypes', types.length, 'must list 1 to 100 instance types');
    types.forEach((t, i) => {
      if (!/^[a-z0-9-]+\.[a-z0-9-]+$/.test(t)) throw new ValidationError(this, `spotPrices.instanceTypes[${i}]`, t, 'must be an instance type such as "g6e.2xlarge"');
    });
    const config = compact({
      name: 'aiplatform-spot-prices',
      region: o.cluster.region,
      instanceTypes: types,
      pushgateway: { url: metrics.pushgatewayUrl, job: SPOT_PRICE_DEFAULTS.pushgatewayJob },
    }) as unknown as SpotPriceJobConfig;
    const job = new ScheduledJob(this, 'spot-prices', {
      ...o,
      schedule: o.schedule ?? '17 * * * *',
      owner: this,
      kind: ScheduledJobKind.SPOT_PRICES,
      name: 'aiplatform-spot-prices',
      namespace,
      config: config as unknown as JsonObject,
      egressNamespaces: [metrics.namespace],
      labels: { 'app.kubernetes.io/name': 'spot-prices', 'app.kubernetes.io/instance': 'aiplatform-spot-prices' },
      // DescribeSpotPriceHistory supports no resource-level permissions: "*" is the only resource.
      extraStatements: [{ sid: 'ReadSpotPrices', actions: ['ec2:DescribeSpotPriceHistory'], resources: ['*'] }],
      dependsOn: [...(o.dependsOn ?? []), ...dependsOn],
    });
    return { job, config: { ...config, limits: job.limits } };
  }

  private scheduleReport(metrics: IMetricsBackbone, r: CostReportSchedule, dependsOn: ITerraformDependable[]): { job: ScheduledJob; config: CostReportJobConfig } {
    const namespace = validateDns1123Label(this, 'report.namespace', this.jobNamespace('report.namespace', r.namespace, metrics));
    const prefix = r.reportPrefix;
    parseJobLocation(this, 'report.reportPrefix', prefix);
    if (!prefix.endsWith('/')) throw new ValidationError(this, 'report.reportPrefix', prefix, 'must end with "/" (reports are written under it as {{date}}/cost-report.json and .md)');
    const periodHours = validateWholeDuration(this, 'report.period', r.period ?? Duration.hours(COST_REPORT_DEFAULTS.periodHours), 'hour', 1, 24 * 93, 'the report job\'s periodHours');
    const egressNamespaces = [metrics.namespace];
    const podLabels = { 'app.kubernetes.io/name': 'cost-report', 'app.kubernetes.io/instance': 'aiplatform-cost-report' };
    const secretEnv: SecretEnvVar[] = [];
    const mlflow = wireJobMlflow(this, r, namespace, podLabels, secretEnv, egressNamespaces, 'aiplatform-cost-report').config;
    if (!metrics.pushgatewayUrl) Annotations.of(this).addWarning('the metrics backbone has no Pushgateway: the cost report pushes no metrics (its job-failure alerts cannot fire)');
    const pushgateway: JobPushgatewayConfig | undefined = metrics.pushgatewayUrl ? { url: metrics.pushgatewayUrl, job: COST_REPORT_DEFAULTS.pushgatewayJob } : undefined;
    const estimates = r.estimate === undefined ? undefined : estimatesOf(r.estimate);
    const config = compact({
      name: 'aiplatform-cost',
      prometheusUrl: metrics.prometheusUrl,
      periodHours,
      reportUrl: `${prefix}{{date}}/cost-report.json`,
      markdownUrl: `${prefix}{{date}}/cost-report.md`,
      estimates,
      priceCatalog: { source: GPU_PRICE_SOURCE.source, date: GPU_PRICE_SOURCE.date, spotPriceFactor: this.spotPriceFactor },
      pushgateway,
      mlflow,
    }) as unknown as CostReportJobConfig;
    const job = new ScheduledJob(this, 'report', {
      ...r,
      schedule: r.schedule ?? '0 6 * * 1',
      owner: this,
      kind: ScheduledJobKind.COST,
      name: 'aiplatform-cost-report',
      namespace,
      config: config as unknown as JsonObject,
      writes: [config.reportUrl as string, config.markdownUrl as string],
      secretEnv,
      egressNamespaces,
      labels: podLabels,
      dependsOn: [...(r.dependsOn ?? []), ...dependsOn],
    });
    return { job, config: { ...config, limits: job.limits } };
  }
}

/** The per-model rows of an estimate, as the report job reads them. */
function estimatesOf(estimate: CostReport): CostModelEstimate[] {
  return estimate.models.map((m) => ({
    namespace: m.namespace, model: m.model, gpusPerReplica: m.gpusPerReplica,
    replicaHourlyLowUsd: m.replicaHourlyLowUsd, replicaHourlyHighUsd: m.replicaHourlyHighUsd,
    tokensPerSecondPerReplica: estimate.assumptions.tokensPerSecondPerReplica,
  }));
}

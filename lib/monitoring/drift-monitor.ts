import { Construct, IConstruct } from 'constructs';
import { checkDriftInputsDiffer, checkJobReadsAndWrites } from './job-io';
import { Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { validateDns1123Label } from '../core/names';
import { Duration } from '../core/units';
import { validateDuration, validateInteger } from '../core/validate';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountRole } from '../cluster/iam';
import { DriftColumnConfig, DriftColumnKind, DriftDataFormat, DriftInputConfig, DriftJobConfig, DriftMethod, DriftThresholds, JobCommonConfig } from '../jobs/config';
import { JsonObject, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { PrometheusRuleEntry, PrometheusRuleGroup } from '../observability/monitoring-objects';
import { IMetricsBackbone } from '../observability/types';
import { compact, wireJobMlflow } from './job-mlflow';
import { addJobAlertRule, jobAlertMetadata, jobStaleAfterSeconds, validateJobName, wireJobMetrics } from './job-wiring';
import { MlflowAccess, MlflowRegistry } from '../registry/mlflow-registry';
import { AlertSeverity, JobAlertOptions, jobHealthRules, pushedSelector } from './job-alerts';
import { DRIFT_PUSHGATEWAY_JOB, JOB_METRICS } from './job-metrics';
import { parseJobLocation } from './locations';
import { promString } from './promql';
import { ScheduledJob, ScheduledJobKind, ScheduledJobOptions, SecretEnvVar } from './scheduled-job';
import { ServingDriftOptions, servingDriftRuleGroups } from './serving-drift';

/** Alert options of a {@link DriftMonitor}. */
export interface DriftAlertOptions extends JobAlertOptions {
  /**
   * Alert per drifted feature (`aiplatform_drift_detected == 1`), besides the dataset-level alert.
   * @default true
   */
  readonly featureDrift?: boolean;
  /**
   * Severity of the per-feature alert.
   * @default AlertSeverity.INFO (one feature moving is common; the dataset alert carries the verdict)
   */
  readonly featureDriftSeverity?: AlertSeverity;
}

/**
 * What the drift job compares and how it decides drift (reference and current windows, columns,
 * thresholds, methods, bins, …): the members of the job config {@link DriftJobConfig} without the
 * fields every job config has. Declared once, in the job config, so the construct and the job share
 * one TSDoc.
 */
export type DriftCheckOptions = Omit<DriftJobConfig, keyof JobCommonConfig>;

/**
 * What a drift monitor checks and when: the drift check ({@link DriftCheckOptions}), its schedule,
 * where it reports and its alerts.
 */
export interface DriftMonitorOptions extends ScheduledJobOptions, DriftCheckOptions {
  /** Namespace the CronJob runs in (a literal name; it must exist: pass its resource in `dependsOn`). */
  readonly namespace: string;
  /**
   * Name of the monitor: the `monitor` label of its metrics, the MLflow run prefix, and (prefixed
   * `drift-`) the CronJob name. DNS-1123 label, at most 40 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Where the JSON report is written (`s3://bucket/key` with date templates, or an `http(s)://` URL the job PUTs to).
   * @default - no report file (the report still goes to MLflow with `registry`)
   */
  readonly reportUrl?: string;
  /**
   * Timeout of each storage, Pushgateway and MLflow call.
   * @default Duration.seconds(30)
   */
  readonly requestTimeout?: Duration;
  /**
   * Region of the S3 buckets.
   * @default - the cluster's region (AWS_REGION)
   */
  readonly s3Region?: string;
  /**
   * Pushgateway URL.
   * @default - `metrics.pushgatewayUrl`
   */
  readonly pushgatewayUrl?: string;
  /**
   * MLflow experiment.
   * @default `drift-<name>`
   */
  readonly mlflowExperimentName?: string;
  /**
   * Extra MLflow run tags.
   * @default - none
   */
  readonly mlflowTags?: Record<string, string>;
  /**
   * The model whose inputs are monitored, by its served name (vLLM's `model_name`, e.g. `llama-8b`):
   * the `model` label of the alerts (Alertmanager routing), as on every model alert. `AiPlatform`
   * turns a Hugging Face id of one of its serving stacks into that model's served name.
   * @default - no model label
   */
  readonly model?: string;
  /**
   * The weights' id of `model` (Hugging Face id or S3 URL): the `model_id` label of the alerts.
   * @default - no model_id label (`AiPlatform` fills it from its serving stacks)
   */
  readonly modelId?: string;
  /**
   * Alerts (dataset drift, feature drift, job failed, job stale).
   * @default - all, when `metrics` is given
   */
  readonly alerts?: DriftAlertOptions;
  /**
   * Also watch the served model's traffic (prompt and generation lengths, error rate) from the vLLM
   * metrics, in the same PrometheusRule (see {@link ServingDriftMonitor} to do that without a job).
   * @default - no serving-signal rules
   */
  readonly servingSignals?: ServingDriftOptions;
}

/** Props of {@link DriftMonitor}: its options and the platform it runs on. */
export interface DriftMonitorProps extends DriftMonitorOptions {
  /** The cluster (IRSA role of the job). */
  readonly cluster: ICluster;
  /**
   * The metrics backbone: the job pushes to its Pushgateway and the alerts are loaded by its Prometheus.
   * @default - no metrics pushed and no alerts (a warning says so)
   */
  readonly metrics?: IMetricsBackbone;
  /**
   * MLflow registry: the job logs a run (params, metrics, the report as artifact) with credentials
   * granted to its pods (`grantAccess`).
   * @default - no MLflow run
   */
  readonly registry?: MlflowRegistry;
}

const COLUMN_NAME_MAX = 256;
const NUMERIC_METHODS = [DriftMethod.PSI, DriftMethod.KS, DriftMethod.JENSEN_SHANNON];
const CATEGORICAL_METHODS = [DriftMethod.PSI, DriftMethod.CHI_SQUARE, DriftMethod.JENSEN_SHANNON];

/**
 * Scheduled feature drift between a reference dataset and the current window (PSI, Kolmogorov–Smirnov,
 * chi-square, Jensen–Shannon; per-column thresholds; dataset drift by share of drifted columns), run
 * as a CronJob from the bundled drift job, with its metrics pushed to the Pushgateway, the report in
 * S3 and MLflow, and PrometheusRule alerts on feature drift, dataset drift, a failed run and a stale
 * job. Optionally the served model's traffic drift from the vLLM metrics.
 */
export class DriftMonitor extends Construct implements IWorkloadSource {
  /** The CronJob and its objects. */
  public readonly job: ScheduledJob;
  /** The PrometheusRule, when alerts are on. */
  public readonly alertRule?: KubernetesObject;
  /** The job config written to the ConfigMap. */
  public readonly config: DriftJobConfig;
  /** The `monitor` label value. */
  public readonly monitorName: string;
  /** The IRSA role, when the job reads or writes S3. */
  public readonly role?: ServiceAccountRole;
  /** The MLflow grant, when `registry` is given. */
  public readonly mlflowAccess?: MlflowAccess;
  /** Seconds without a recorded run after which the stale alert fires. */
  public readonly staleAfterSeconds: number;

  /** Creates the monitor. */
  public constructor(scope: Construct, id: string, props: DriftMonitorProps) {
    super(scope, id);
    const name = validateJobName(this, props.name ?? id, 'drift');
    this.monitorName = name;
    const k8sName = `drift-${name}`;
    if (Token.isUnresolved(props.namespace)) throw new ValidationError(this, 'namespace', props.namespace, 'must be a literal namespace name; pass the namespace resource in dependsOn for ordering');
    const namespace = validateDns1123Label(this, 'namespace', props.namespace);

    // --- data and thresholds --------------------------------------------------------------------
    checkInput(this, 'reference', props.reference);
    checkInput(this, 'current', props.current);
    if (props.reportUrl !== undefined) parseJobLocation(this, 'reportUrl', props.reportUrl, { output: true });
    checkDriftInputsDiffer(this, props.reference.url, props.current.url);
    checkJobReadsAndWrites(this, [{ prop: 'reference.url', url: props.reference.url }, { prop: 'current.url', url: props.current.url }], props.reportUrl !== undefined ? [{ prop: 'reportUrl', url: props.reportUrl }] : []);
    checkThresholds(this, 'thresholds', props.thresholds);
    checkMethods(this, 'numericMethods', props.numericMethods, NUMERIC_METHODS, 'numeric');
    checkMethods(this, 'categoricalMethods', props.categoricalMethods, CATEGORICAL_METHODS, 'categorical');
    if (props.bins !== undefined) validateInteger(this, 'bins', props.bins, 2, 100);
    if (props.psiEpsilon !== undefined) checkOpenInterval(this, 'psiEpsilon', props.psiEpsilon, 0.1);
    if (props.datasetDriftShare !== undefined) checkOpenInterval(this, 'datasetDriftShare', props.datasetDriftShare, 1);
    const ignore = props.ignoreColumns ?? [];
    ignore.forEach((c, i) => checkColumnName(this, `ignoreColumns[${i}]`, c));
    const seen = new Set<string>();
    (props.columns ?? []).forEach((c, i) => {
      const p = `columns[${i}]`;
      checkColumnName(this, `${p}.name`, c.name);
      if (seen.has(c.name)) throw new ValidationError(this, `${p}.name`, c.name, 'is listed twice in columns');
      seen.add(c.name);
      if (ignore.includes(c.name)) throw new ValidationError(this, `${p}.name`, c.name, 'is also in ignoreColumns: declare it or ignore it');
      if (c.kind !== undefined && !Object.values(DriftColumnKind).includes(c.kind)) throw new ValidationError(this, `${p}.kind`, c.kind, 'must be DriftColumnKind.NUMERIC or DriftColumnKind.CATEGORICAL');
      const allowed = c.kind === DriftColumnKind.NUMERIC ? NUMERIC_METHODS : c.kind === DriftColumnKind.CATEGORICAL ? CATEGORICAL_METHODS : Object.values(DriftMethod);
      checkMethods(this, `${p}.methods`, c.methods, allowed, c.kind ?? 'any');
      checkThresholds(this, `${p}.thresholds`, c.thresholds);
      if (c.bins !== undefined) validateInteger(this, `${p}.bins`, c.bins, 2, 100);
    });
    if (props.onlyDeclaredColumns && seen.size === 0) throw new ValidationError(this, 'onlyDeclaredColumns', true, 'needs at least one column in columns');
    (props.missingValues ?? []).forEach((v, i) => {
      if (typeof v !== 'string') throw new ValidationError(this, `missingValues[${i}]`, v, 'must be a string');
    });
    const timeoutMs = props.requestTimeout ? validateDuration(this, 'requestTimeout', props.requestTimeout, { min: Duration.seconds(1), max: Duration.minutes(10), whole: 'millisecond' }).toMilliseconds() : undefined;
    if (props.model !== undefined && (typeof props.model !== 'string' || props.model.trim().length === 0)) throw new ValidationError(this, 'model', props.model, 'must be a non-empty model name');
    if (props.modelId !== undefined && (typeof props.modelId !== 'string' || props.modelId.trim().length === 0)) throw new ValidationError(this, 'modelId', props.modelId, 'must be a non-empty model id');
    if (props.modelId !== undefined && props.model === undefined) throw new ValidationError(this, 'modelId', props.modelId, 'needs model (the served name it belongs to)');

    // --- metrics, MLflow --------------------------------------------------------------------------
    const egressNamespaces: string[] = [];
    const egressUrls: string[] = [];
    const pushes = wireJobMetrics(this, props, namespace, DRIFT_PUSHGATEWAY_JOB, 'the drift job pushes no metrics and no alert fires on drift', egressNamespaces, egressUrls);
    const { alertsWanted, pushgateway } = pushes;

    const podLabels = { 'app.kubernetes.io/name': 'drift-monitor', 'app.kubernetes.io/instance': k8sName };
    const secretEnv: SecretEnvVar[] = [];
    const wired = wireJobMlflow(this, props, namespace, podLabels, secretEnv, egressNamespaces, k8sName);
    this.mlflowAccess = wired.access;
    const mlflow = wired.config;

    this.config = compact({
      name,
      reference: { ...props.reference },
      current: { ...props.current },
      columns: props.columns?.map((c) => compact({ ...c }) as unknown as DriftColumnConfig),
      onlyDeclaredColumns: props.onlyDeclaredColumns,
      ignoreColumns: props.ignoreColumns,
      thresholds: props.thresholds ? (compact({ ...props.thresholds }) as DriftThresholds) : undefined,
      numericMethods: props.numericMethods,
      categoricalMethods: props.categoricalMethods,
      bins: props.bins,
      psiEpsilon: props.psiEpsilon,
      datasetDriftShare: props.datasetDriftShare,
      missingValues: props.missingValues,
      allowEmptyCurrent: props.allowEmptyCurrent,
      failOnDrift: props.failOnDrift,
      reportUrl: props.reportUrl,
      pushgateway,
      mlflow,
      s3: props.s3Region !== undefined ? { region: props.s3Region } : undefined,
      requestTimeoutMs: timeoutMs,
    }) as unknown as DriftJobConfig;

    this.job = new ScheduledJob(this, 'job', {
      ...props,
      owner: this,
      kind: ScheduledJobKind.DRIFT,
      name: k8sName,
      namespace,
      config: this.config as unknown as JsonObject,
      reads: [props.reference.url, props.current.url],
      writes: props.reportUrl !== undefined ? [props.reportUrl] : [],
      secretEnv,
      egressNamespaces,
      egressUrls,
      labels: podLabels,
      inputsInMemory: 2,
      dependsOn: [...(alertsWanted ? props.metrics!.crdDependencies : []), ...(props.dependsOn ?? [])],
    });
    this.role = this.job.role;
    this.config = { ...this.config, limits: this.job.limits };
    pushes.allowPushes(podLabels);

    // --- alerts -----------------------------------------------------------------------------------
    const a = props.alerts ?? {};
    this.staleAfterSeconds = jobStaleAfterSeconds(this, a, this.job);
    if (props.servingSignals && !props.metrics) throw new ValidationError(this, 'servingSignals', props.servingSignals.models, 'needs metrics (the rules are loaded by its Prometheus)');
    if (alertsWanted || props.servingSignals) {
      const groups: PrometheusRuleGroup[] = [];
      if (alertsWanted) groups.push({ name: k8sName, rules: this.alertRules(namespace, k8sName, a, podLabels, props.model, props.modelId) });
      if (props.servingSignals) groups.push(...servingDriftRuleGroups(this, 'servingSignals', name, props.servingSignals));
      this.alertRule = addJobAlertRule(this, this.job, k8sName, namespace, props.metrics!, groups);
    }
  }

  private alertRules(namespace: string, cronJobName: string, a: DriftAlertOptions, podLabels: Record<string, string>, model: string | undefined, modelId: string | undefined): PrometheusRuleEntry[] {
    const { labels, annotations } = jobAlertMetadata(this, a, ['featureDriftSeverity'], {
      ...(model !== undefined ? { model } : {}),
      ...(modelId !== undefined && modelId !== model ? { model_id: modelId } : {}),
    });
    const target = { pushgatewayJob: DRIFT_PUSHGATEWAY_JOB, nameLabel: 'monitor', name: this.monitorName, namespace };
    const sel = pushedSelector(target);
    const rules: PrometheusRuleEntry[] = [];
    const verdictSeverity = a.severity ?? AlertSeverity.WARNING;
    rules.push({
      alert: 'AiPlatformDatasetDrift',
      expr: `max by (namespace, monitor) (${JOB_METRICS.datasetDrift}{${sel}}) == 1`,
      labels: { ...labels, severity: verdictSeverity },
      annotations: {
        ...annotations,
        summary: 'Dataset drift in monitor {{ $labels.monitor }}',
        description: `{{ with query ${promString(`${JOB_METRICS.driftShare}{${sel}}`)} }}{{ . | first | value | humanizePercentage }}{{ end }} of the evaluated columns of drift monitor {{ $labels.monitor }} (namespace {{ $labels.namespace }}) drifted in the last run, at or above its datasetDriftShare: the current data no longer looks like the reference. Read the run's report (reportUrl or MLflow experiment) for the columns and statistics.`,
      },
    });
    if (a.featureDrift ?? true) {
      rules.push({
        alert: 'AiPlatformFeatureDrift',
        expr: `max by (namespace, monitor, feature) (${JOB_METRICS.driftDetected}{${sel}}) == 1`,
        labels: { ...labels, severity: a.featureDriftSeverity ?? AlertSeverity.INFO },
        annotations: {
          ...annotations,
          summary: 'Feature {{ $labels.feature }} drifted in monitor {{ $labels.monitor }}',
          description: 'Column {{ $labels.feature }} of drift monitor {{ $labels.monitor }} (namespace {{ $labels.namespace }}) drifted by its deciding methods in the last run. The run\'s report lists its statistics and thresholds; aiplatform_drift_psi, _ks_pvalue, _chi2_pvalue and _js_distance hold them in Prometheus.',
        },
      });
    }
    rules.push(...jobHealthRules({
      ...target,
      cronJobName,
      staleAfterSeconds: this.staleAfterSeconds,
      title: 'Drift monitor',
      alertPrefix: 'AiPlatformDrift',
      labels,
      severity: a.jobHealthSeverity ?? AlertSeverity.WARNING,
      annotations,
      podLabels,
    }));
    return rules;
  }

  /** The CronJob as it will run (for the policy Aspect). */
  public renderedWorkloads(): RenderedWorkload[] {
    return this.job.renderedWorkloads();
  }
}

function checkInput(scope: IConstruct, prop: string, input: DriftInputConfig | undefined): void {
  if (!input || typeof input !== 'object') throw new ValidationError(scope, prop, input, 'must be { url, format?, delimiter? }');
  parseJobLocation(scope, `${prop}.url`, input.url);
  if (input.format !== undefined && !Object.values(DriftDataFormat).includes(input.format)) {
    throw new ValidationError(scope, `${prop}.format`, input.format, 'must be DriftDataFormat.CSV or DriftDataFormat.JSONL');
  }
  const d = input.delimiter;
  if (d !== undefined && (typeof d !== 'string' || d.length !== 1 || d === '"' || d === '\n' || d === '\r')) {
    throw new ValidationError(scope, `${prop}.delimiter`, d, 'must be one character other than a quote or a line break');
  }
  if (d !== undefined && input.format === DriftDataFormat.JSONL) throw new ValidationError(scope, `${prop}.delimiter`, d, 'applies to CSV only');
}

/** p-values and distances in (0, 1]; PSI any positive number (it has no upper bound). */
function checkThresholds(scope: IConstruct, prop: string, t: DriftThresholds | undefined): void {
  if (t === undefined) return;
  if (t.psi !== undefined && (typeof t.psi !== 'number' || !Number.isFinite(t.psi) || t.psi <= 0)) {
    throw new ValidationError(scope, `${prop}.psi`, t.psi, 'must be a number greater than 0 (PSI is unbounded; 0.1 is a small shift, 0.2 the usual drift level)');
  }
  if (t.ksPValue !== undefined) checkOpenInterval(scope, `${prop}.ksPValue`, t.ksPValue, 1);
  if (t.chiSquarePValue !== undefined) checkOpenInterval(scope, `${prop}.chiSquarePValue`, t.chiSquarePValue, 1);
  if (t.jensenShannon !== undefined) checkOpenInterval(scope, `${prop}.jensenShannon`, t.jensenShannon, 1);
}

function checkOpenInterval(scope: IConstruct, prop: string, v: number, max: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new ValidationError(scope, prop, v, `must be a number in (0, ${max}]: greater than 0 and at most ${max}`);
  }
}

function checkMethods(scope: IConstruct, prop: string, methods: DriftMethod[] | undefined, allowed: readonly DriftMethod[], kind: string): void {
  if (methods === undefined) return;
  if (!Array.isArray(methods) || methods.length === 0) throw new ValidationError(scope, prop, methods, 'must list at least one method');
  methods.forEach((m, i) => {
    if (!allowed.includes(m)) throw new ValidationError(scope, `${prop}[${i}]`, m, `must be one of ${allowed.join(', ')} for ${kind} columns`);
  });
}

function checkColumnName(scope: IConstruct, prop: string, name: string): void {
  // eslint-disable-next-line no-control-regex
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > COLUMN_NAME_MAX || /[\u0000-\u001f]/.test(name)) {
    throw new ValidationError(scope, prop, name, `must be a column name: non-empty, at most ${COLUMN_NAME_MAX} characters, no control characters`);
  }
}

/** Drops undefined members (the job rejects unknown keys, and `undefined` is not JSON). */

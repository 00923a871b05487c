import { Construct, IConstruct } from 'constructs';
import { checkJobReadsAndWrites } from '../monitoring/job-io';
import { Annotations, Token } from 'cdktf';
import { ValidationError } from '../core/errors';
import { validateDns1123Label, validateDns1123Subdomain } from '../core/names';
import { Duration, formatPercent } from '../core/units';
import { validateDuration, validateInteger, validateNumber, validatePattern } from '../core/validate';
import { ICluster } from '../cluster/cluster-reference';
import { ServiceAccountRole } from '../cluster/iam';
import { EVAL_DEFAULTS, EvalJobConfig, EvalJudgeConfig, EvalModelEndpoint, EvalRegressionGate, EvalScorer, EvalThresholdGate } from '../jobs/config';
import { JsonObject, KubernetesObject } from '../k8s/values';
import { IWorkloadSource, RenderedWorkload } from '../k8s/workloads';
import { PrometheusRuleEntry } from '../observability/monitoring-objects';
import { IMetricsBackbone } from '../observability/types';
import { compact, wireJobMlflow } from '../monitoring/job-mlflow';
import { addJobAlertRule, jobAlertMetadata, jobStaleAfterSeconds, validateJobName, wireJobMetrics } from '../monitoring/job-wiring';
import { MlflowAccess, MlflowRegistry } from '../registry/mlflow-registry';
import { AlertSeverity, JobAlertOptions, jobHealthRules, pushedSelector } from '../monitoring/job-alerts';
import { EVAL_PUSHGATEWAY_JOB, JOB_METRICS } from '../monitoring/job-metrics';
import { parseJobLocation } from '../monitoring/locations';
import { ScheduledJob, ScheduledJobKind, ScheduledJobOptions, SecretEnvVar } from '../monitoring/scheduled-job';
import { IOpenAiEndpoint } from './types';

/** A key of a Kubernetes Secret in the eval job's namespace. */
export interface EvalSecretRef {
  /** Secret name. */
  readonly secretName: string;
  /** Key in the Secret. */
  readonly secretKey: string;
}

/** The LLM-as-judge of an {@link EvalCronJob} (rows using the `judge` scorer). */
export interface EvalJudgeOptions {
  /**
   * A judge served in the cluster. Give this or `baseUrl`.
   * @default - `baseUrl`
   */
  readonly endpoint?: IOpenAiEndpoint;
  /**
   * Base URL of an OpenAI-compatible judge outside the cluster (`https://api.openai.com/v1`).
   * @default - `endpoint.baseUrl`
   */
  readonly baseUrl?: string;
  /** Judge model name (one of `endpoint.modelNames` when `endpoint` is given). */
  readonly model: string;
  /**
   * API key of the judge, from a Secret in the job's namespace.
   * @default - the endpoint's Secret when the endpoint is in the job's namespace; else no Authorization header
   */
  readonly apiKeySecret?: EvalSecretRef;
  /**
   * Default rubric (a dataset row's `options.rubric` replaces it).
   * @default - the job's generic correctness rubric
   */
  readonly rubric?: string;
  /**
   * Normalized score (0–1) at or above which the judge scorer passes.
   * @default 0.7
   */
  readonly passScore?: number;
  /**
   * Timeout of one judge request.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Retries after a 429, a 5xx, a timeout or a network error.
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * `max_tokens` of each judge request.
   * @default - the server's default
   */
  readonly maxTokens?: number;
  /**
   * Ask the judge for structured output (`response_format` json_schema of the verdict). Turn off only
   * for a judge server that rejects `response_format`; its whole reply must still be the verdict JSON.
   * @default true
   */
  readonly structuredOutput?: boolean;
}

/** Regression check against the last passing run. */
export interface EvalRegressionOptions {
  /**
   * Gates against the baseline (`tolerance` absolute, or `relativeTolerance`).
   * @default [{ metric: 'pass_rate', tolerance: 0.02 }]
   */
  readonly gates?: EvalRegressionGate[];
  /**
   * Baseline JSON in S3 (or an `http(s)://` URL), read before the run and rewritten after a passing run.
   * @default - the newest MLflow run tagged `status=passed` (requires `registry`)
   */
  readonly baselineUrl?: string;
  /**
   * Fail the run (exit 1) when no baseline exists yet.
   * @default false (the first run has no baseline)
   */
  readonly requireBaseline?: boolean;
}

/** Alert options of an {@link EvalCronJob}. */
export interface EvalAlertOptions extends JobAlertOptions {
  /**
   * Alert when the pass rate is below this (0–1), besides the gate alert.
   * @default - the `pass_rate` gate's `min`, or 0.8
   */
  readonly passRateThreshold?: number;
  /**
   * Create the pass-rate alert.
   * @default true
   */
  readonly passRate?: boolean;
}

/** What an evaluation runs and when: the eval job's settings (`EvalJobConfig`), its schedule and alerts. */
export interface EvalCronJobOptions extends ScheduledJobOptions {
  /**
   * The model evaluated; one of `endpoint.modelNames`.
   * @default - the endpoint's only model: `endpoint.defaultModel` (a serving stack with one model sets it
   * to the model's short name), else the only entry of `endpoint.modelNames`; an error when it serves several models
   */
  readonly model?: string;
  /** JSON Lines dataset (`s3://` or `http(s)://`, a file or a prefix; date templates allowed). */
  readonly datasetUrl: string;
  /**
   * Namespace of the CronJob (a literal name). Kubernetes mounts Secrets of the pod's own namespace
   * only: in another namespace than the endpoint's, give `apiKeySecret` there (and let the serving
   * stack admit it: `clientNamespaces`).
   * @default - the endpoint's namespace
   */
  readonly namespace?: string;
  /**
   * The model's API key in the job's namespace.
   * @default - the endpoint's `apiKeySecretName`/`apiKeySecretKey` (same namespace only)
   */
  readonly apiKeySecret?: EvalSecretRef;
  /**
   * Name of the evaluation: the `eval` label of its metrics, the MLflow run prefix, and (prefixed
   * `eval-`) the CronJob name. DNS-1123 label, at most 40 characters.
   * @default - the construct id
   */
  readonly name?: string;
  /**
   * Requests in flight at once (1–256).
   * @default 4
   */
  readonly concurrency?: number;
  /**
   * Timeout of one model request.
   * @default Duration.seconds(60)
   */
  readonly requestTimeout?: Duration;
  /**
   * Retries after a 429, a 5xx, a timeout or a network error (0–20).
   * @default 3
   */
  readonly maxRetries?: number;
  /**
   * First retry delay (doubles per retry, with jitter; a `Retry-After` header is honoured up to the
   * cap). Up to 10 minutes, whole milliseconds.
   * @default Duration.millis(500)
   */
  readonly retryBaseDelay?: Duration;
  /**
   * Cap of one retry delay (up to 1 hour, whole milliseconds).
   * @default Duration.seconds(10)
   */
  readonly retryMaxDelay?: Duration;
  /**
   * Sampling temperature (0–2).
   * @default 0 (evaluations should be repeatable)
   */
  readonly temperature?: number;
  /**
   * `max_tokens` of each request.
   * @default - the server's default
   */
  readonly maxTokens?: number;
  /**
   * System message prepended to rows whose input is a plain string.
   * @default - none
   */
  readonly systemPrompt?: string;
  /**
   * LLM-as-judge, for rows using the `judge` scorer.
   * @default - no judge
   */
  readonly judge?: EvalJudgeOptions;
  /**
   * Absolute gates: `{ metric, min?, max? }` on `pass_rate`, `pass_rate.<scorer>`, `error_rate`,
   * `errors`, `rows`, `latency_p50_ms`, `latency_p95_ms`, `latency_mean_ms`, `tokens_per_second`,
   * `judge_score_mean`.
   * @default [{ metric: 'pass_rate', min: 0.8 }]
   */
  readonly gates?: EvalThresholdGate[];
  /**
   * Regression gates against the last passing run.
   * @default - no regression check
   */
  readonly regression?: EvalRegressionOptions;
  /**
   * Where the JSON report is written (`s3://bucket/key` with date templates, or an `http(s)://` URL).
   * @default - no report file (the report still goes to MLflow with `registry`)
   */
  readonly reportUrl?: string;
  /**
   * Timeout of each storage, Pushgateway and MLflow call.
   * @default Duration.seconds(30)
   */
  readonly storageTimeout?: Duration;
  /**
   * Region of the S3 buckets.
   * @default - the cluster's region
   */
  readonly s3Region?: string;
  /**
   * Pushgateway URL.
   * @default - `metrics.pushgatewayUrl`
   */
  readonly pushgatewayUrl?: string;
  /**
   * MLflow experiment.
   * @default `eval-<name>`
   */
  readonly mlflowExperimentName?: string;
  /**
   * Extra MLflow run tags.
   * @default - none
   */
  readonly mlflowTags?: Record<string, string>;
  /**
   * Alerts (gate failed, pass rate low, job failed, job stale).
   * @default - all, when `metrics` is given
   */
  readonly alerts?: EvalAlertOptions;
}

/** Props of {@link EvalCronJob}: its options and the platform it runs on. */
export interface EvalCronJobProps extends EvalCronJobOptions {
  /** The cluster (IRSA role of the job). */
  readonly cluster: ICluster;
  /** The OpenAI-compatible endpoint serving the model (the serving stack's router). */
  readonly endpoint: IOpenAiEndpoint;
  /**
   * The metrics backbone: the job pushes to its Pushgateway and the alerts are loaded by its Prometheus.
   * @default - no metrics pushed and no alerts (a warning says so)
   */
  readonly metrics?: IMetricsBackbone;
  /**
   * MLflow registry: runs are logged there (and the regression baseline read from it).
   * @default - no MLflow run
   */
  readonly registry?: MlflowRegistry;
}

/** Metrics a gate may name (besides `pass_rate.<scorer>`), as the eval job computes them. */
export const EVAL_GATE_METRICS = [
  'pass_rate', 'error_rate', 'errors', 'rows', 'latency_p50_ms', 'latency_p95_ms', 'latency_mean_ms', 'tokens_per_second', 'judge_score_mean',
] as const;

/** Gate metrics that are fractions (bounds in [0, 1]). */
const FRACTION_METRICS = ['pass_rate', 'error_rate', 'judge_score_mean'];

/** Environment variable of the model's API key in the job pod. */
export const EVAL_MODEL_API_KEY_ENV = 'EVAL_MODEL_API_KEY';
/** Environment variable of the judge's API key in the job pod. */
export const EVAL_JUDGE_API_KEY_ENV = 'EVAL_JUDGE_API_KEY';

/**
 * A scheduled evaluation of a served model: the bundled eval job runs a JSON Lines dataset against the
 * serving stack's OpenAI-compatible router (API key from its Secret) with bounded concurrency,
 * timeouts and retries, scores it (exact, contains, regex, JSON, JSON Schema, numeric, latency, an
 * LLM judge), applies absolute and regression gates (a failed gate exits 2, never retried), pushes
 * its metrics, logs the run to MLflow and alerts on a failed gate, a low pass rate, a failed run and a
 * stale job.
 */
export class EvalCronJob extends Construct implements IWorkloadSource {
  /** The CronJob and its objects. */
  public readonly job: ScheduledJob;
  /** The PrometheusRule, when alerts are on. */
  public readonly alertRule?: KubernetesObject;
  /** The job config written to the ConfigMap. */
  public readonly config: EvalJobConfig;
  /** The `eval` label value. */
  public readonly evalName: string;
  /** The model evaluated. */
  public readonly model: string;
  /** Namespace of the CronJob. */
  public readonly namespace: string;
  /** The IRSA role, when the job reads or writes S3. */
  public readonly role?: ServiceAccountRole;
  /** The MLflow grant, when `registry` is given. */
  public readonly mlflowAccess?: MlflowAccess;
  /** Seconds without a recorded run after which the stale alert fires. */
  public readonly staleAfterSeconds: number;
  private readonly endpointRef: IOpenAiEndpoint;

  /** Creates the evaluation. */
  public constructor(scope: Construct, id: string, props: EvalCronJobProps) {
    super(scope, id);
    const name = validateJobName(this, props.name ?? id, 'eval');
    this.evalName = name;
    const k8sName = `eval-${name}`;

    // --- endpoint, model, namespace ------------------------------------------------------------------
    const ep = props.endpoint;
    if (!ep) throw new ValidationError(this, 'endpoint', ep, 'must be an IOpenAiEndpoint (the serving stack)');
    checkEndpoint(this, 'endpoint', ep);
    this.endpointRef = ep;
    this.model = this.resolveModel('model', props.model, ep);
    const namespace = props.namespace ?? ep.namespace;
    if (Token.isUnresolved(namespace)) throw new ValidationError(this, 'namespace', namespace, 'must be a literal namespace name (give namespace when the endpoint\'s is computed)');
    validateDns1123Label(this, 'namespace', namespace);
    this.namespace = namespace;
    const sameNamespace = namespace === ep.namespace;
    let apiKey: EvalSecretRef;
    if (props.apiKeySecret) {
      apiKey = checkSecretRef(this, 'apiKeySecret', props.apiKeySecret);
    } else if (sameNamespace) {
      apiKey = { secretName: ep.apiKeySecretName, secretKey: ep.apiKeySecretKey };
    } else {
      throw new ValidationError(this, 'namespace', namespace, `differs from the endpoint's namespace (${ep.namespace}) and the endpoint's API key Secret "${ep.apiKeySecretName}" lives there: a pod can only read Secrets of its own namespace. Run the job in "${ep.namespace}" (the default) or give apiKeySecret, a copy of the key in "${namespace}" (e.g. synced by External Secrets)`);
    }
    if (!sameNamespace) {
      Annotations.of(this).addWarning(`the eval job runs in namespace ${namespace}, not the endpoint's (${ep.namespace}): the serving stack must admit it (VllmServingStack clientNamespaces: ["${namespace}"]) or its NetworkPolicy drops the requests`);
    }

    // --- dataset, gates -----------------------------------------------------------------------------
    parseJobLocation(this, 'datasetUrl', props.datasetUrl);
    if (props.reportUrl !== undefined) parseJobLocation(this, 'reportUrl', props.reportUrl, { output: true });
    const concurrency = props.concurrency !== undefined ? validateInteger(this, 'concurrency', props.concurrency, 1, 256) : undefined;
    const timeoutMs = props.requestTimeout ? validateDuration(this, 'requestTimeout', props.requestTimeout, { min: Duration.seconds(1), max: Duration.hours(1), whole: 'millisecond' }).toMilliseconds() : undefined;
    const maxRetries = props.maxRetries !== undefined ? validateInteger(this, 'maxRetries', props.maxRetries, 0, 20) : undefined;
    const retryBase = props.retryBaseDelay !== undefined ? validateDuration(this, 'retryBaseDelay', props.retryBaseDelay, { min: Duration.seconds(0), max: Duration.minutes(10), whole: 'millisecond' }).toMilliseconds() : undefined;
    const retryMax = props.retryMaxDelay !== undefined ? validateDuration(this, 'retryMaxDelay', props.retryMaxDelay, { min: Duration.seconds(0), max: Duration.hours(1), whole: 'millisecond' }).toMilliseconds() : undefined;
    if ((retryBase ?? 500) > (retryMax ?? 10000)) throw new ValidationError(this, 'retryBaseDelay', Duration.millis(retryBase ?? 500), `cannot be greater than retryMaxDelay (${Duration.millis(retryMax ?? 10000)})`);
    if (props.temperature !== undefined) validateNumber(this, 'temperature', props.temperature, 0, 2);
    if (props.maxTokens !== undefined) validateInteger(this, 'maxTokens', props.maxTokens, 1);
    const judgeEnabled = props.judge !== undefined;
    const gates = props.gates;
    if (gates !== undefined) checkGates(this, 'gates', gates, judgeEnabled);
    const reg = props.regression;
    if (reg) {
      if (reg.gates !== undefined) checkRegressionGates(this, 'regression.gates', reg.gates, judgeEnabled);
      if (reg.baselineUrl !== undefined) parseJobLocation(this, 'regression.baselineUrl', reg.baselineUrl, { output: true });
      else if (!props.registry) throw new ValidationError(this, 'regression', reg, 'needs a baseline: set regression.baselineUrl (s3://…) or registry (the last passing MLflow run)');
    }
    // The baseline is read and rewritten on purpose; the report and the baseline never cover the dataset.
    const baseline = reg?.baselineUrl !== undefined ? [{ prop: 'regression.baselineUrl', url: reg.baselineUrl }] : [];
    checkJobReadsAndWrites(this, [{ prop: 'datasetUrl', url: props.datasetUrl }, ...baseline], [...(props.reportUrl !== undefined ? [{ prop: 'reportUrl', url: props.reportUrl }] : []), ...baseline]);

    // --- metrics, MLflow, secrets --------------------------------------------------------------------
    const egressNamespaces: string[] = [ep.namespace];
    const egressUrls: string[] = [];
    if (!Token.isUnresolved(ep.baseUrl)) egressUrls.push(ep.baseUrl);
    const pushes = wireJobMetrics(this, props, namespace, EVAL_PUSHGATEWAY_JOB, 'the eval job pushes no metrics and no alert fires on a failed gate', egressNamespaces, egressUrls);
    const { alertsWanted, pushgateway } = pushes;
    const secretEnv: SecretEnvVar[] = [{ name: EVAL_MODEL_API_KEY_ENV, secretName: apiKey.secretName, secretKey: apiKey.secretKey }];
    const podLabels = { 'app.kubernetes.io/name': 'eval-cron-job', 'app.kubernetes.io/instance': k8sName };

    let judge: EvalJudgeConfig | undefined;
    if (props.judge) {
      judge = this.judgeConfig(props.judge, namespace, secretEnv, egressNamespaces, egressUrls);
    }

    const wired = wireJobMlflow(this, props, namespace, podLabels, secretEnv, egressNamespaces, k8sName);
    this.mlflowAccess = wired.access;
    const mlflow = wired.config;

    const model: EvalModelEndpoint = compact({
      baseUrl: ep.baseUrl,
      model: this.model,
      apiKeyEnv: EVAL_MODEL_API_KEY_ENV,
      timeoutMs,
      maxRetries,
      retryBaseDelayMs: retryBase,
      retryMaxDelayMs: retryMax,
      temperature: props.temperature,
      maxTokens: props.maxTokens,
      systemPrompt: props.systemPrompt,
    });
    this.config = compact({
      name,
      datasetUrl: props.datasetUrl,
      model,
      judge,
      concurrency,
      gates: gates?.map((g) => compact({ ...g })),
      regression: reg ? compact({ gates: reg.gates?.map((g) => compact({ ...g })), baselineUrl: reg.baselineUrl, requireBaseline: reg.requireBaseline }) : undefined,
      reportUrl: props.reportUrl,
      pushgateway,
      mlflow,
      s3: props.s3Region !== undefined ? { region: props.s3Region } : undefined,
      requestTimeoutMs: props.storageTimeout ? validateDuration(this, 'storageTimeout', props.storageTimeout, { min: Duration.seconds(1), max: Duration.minutes(10), whole: 'millisecond' }).toMilliseconds() : undefined,
    }) as unknown as EvalJobConfig;

    const reads = [props.datasetUrl, ...(reg?.baselineUrl !== undefined ? [reg.baselineUrl] : [])];
    const writes = [...(props.reportUrl !== undefined ? [props.reportUrl] : []), ...(reg?.baselineUrl !== undefined ? [reg.baselineUrl] : [])];
    this.job = new ScheduledJob(this, 'job', {
      ...props,
      owner: this,
      kind: ScheduledJobKind.EVAL,
      name: k8sName,
      namespace,
      config: this.config as unknown as JsonObject,
      reads,
      writes,
      secretEnv,
      egressNamespaces,
      egressUrls,
      labels: podLabels,
      responsesInFlight: (concurrency ?? EVAL_DEFAULTS.concurrency) * (judge ? 2 : 1),
      dependsOn: [...(alertsWanted ? props.metrics!.crdDependencies : []), ...(props.dependsOn ?? [])],
    });
    this.role = this.job.role;
    this.config = { ...this.config, limits: this.job.limits };
    pushes.allowPushes(podLabels);

    // --- alerts ------------------------------------------------------------------------------------
    const a = props.alerts ?? {};
    this.staleAfterSeconds = jobStaleAfterSeconds(this, a, this.job);
    if (alertsWanted) {
      const passRateGate = (gates ?? [{ metric: 'pass_rate', min: 0.8 }]).find((g) => g.metric === 'pass_rate' && g.min !== undefined);
      const threshold = a.passRateThreshold ?? passRateGate?.min ?? 0.8;
      validateNumber(this, 'alerts.passRateThreshold', threshold, 0, 1);
      const groups = [{ name: k8sName, rules: this.alertRules(namespace, k8sName, a, podLabels, threshold) }];
      this.alertRule = addJobAlertRule(this, this.job, k8sName, namespace, props.metrics!, groups);
    }
  }

  private resolveModel(prop: string, model: string | undefined, ep: IOpenAiEndpoint): string {
    if (model === undefined) {
      if (ep.defaultModel !== undefined) {
        if (!ep.modelNames.includes(ep.defaultModel)) throw new ValidationError(this, `${prop === 'model' ? 'endpoint' : 'judge.endpoint'}.defaultModel`, ep.defaultModel, `must be one of the endpoint's modelNames (${ep.modelNames.map((m) => JSON.stringify(m)).join(', ')})`);
        return ep.defaultModel;
      }
      if (ep.modelNames.length === 1) return ep.modelNames[0];
      throw new ValidationError(this, prop, model, `is required: the endpoint serves several models (names ${ep.modelNames.map((m) => JSON.stringify(m)).join(', ')}); pick one`);
    }
    if (typeof model !== 'string' || model.trim().length === 0) throw new ValidationError(this, prop, model, 'must be a non-empty model name');
    if (!ep.modelNames.includes(model)) {
      throw new ValidationError(this, prop, model, `is not served by the endpoint ${ep.baseUrl}: it serves ${ep.modelNames.map((m) => JSON.stringify(m)).join(', ')}`);
    }
    return model;
  }

  private judgeConfig(j: EvalJudgeOptions, namespace: string, secretEnv: SecretEnvVar[], egressNamespaces: string[], egressUrls: string[]): EvalJudgeConfig {
    if ((j.endpoint === undefined) === (j.baseUrl === undefined)) {
      throw new ValidationError(this, 'judge', { endpoint: j.endpoint?.baseUrl, baseUrl: j.baseUrl }, 'must give exactly one of endpoint (a judge served in the cluster) and baseUrl');
    }
    let baseUrl: string;
    let key: EvalSecretRef | undefined = j.apiKeySecret ? checkSecretRef(this, 'judge.apiKeySecret', j.apiKeySecret) : undefined;
    let model: string;
    if (j.endpoint) {
      checkEndpoint(this, 'judge.endpoint', j.endpoint);
      model = this.resolveModel('judge.model', j.model, j.endpoint);
      baseUrl = j.endpoint.baseUrl;
      egressNamespaces.push(j.endpoint.namespace);
      if (!key) {
        if (j.endpoint.namespace !== namespace) {
          throw new ValidationError(this, 'judge.apiKeySecret', undefined, `is required: the judge endpoint's API key Secret "${j.endpoint.apiKeySecretName}" is in namespace ${j.endpoint.namespace}, not the job's (${namespace}); give a copy of the key in ${namespace}`);
        }
        key = { secretName: j.endpoint.apiKeySecretName, secretKey: j.endpoint.apiKeySecretKey };
      }
    } else {
      baseUrl = j.baseUrl as string;
      parseJobLocation(this, 'judge.baseUrl', baseUrl);
      egressUrls.push(baseUrl);
      if (typeof j.model !== 'string' || j.model.trim().length === 0) throw new ValidationError(this, 'judge.model', j.model, 'must be a non-empty model name');
      model = j.model;
    }
    if (key) secretEnv.push({ name: EVAL_JUDGE_API_KEY_ENV, secretName: key.secretName, secretKey: key.secretKey });
    if (j.passScore !== undefined) validateNumber(this, 'judge.passScore', j.passScore, 0, 1);
    if (j.maxRetries !== undefined) validateInteger(this, 'judge.maxRetries', j.maxRetries, 0, 20);
    if (j.maxTokens !== undefined) validateInteger(this, 'judge.maxTokens', j.maxTokens, 1);
    if (j.rubric !== undefined && (typeof j.rubric !== 'string' || j.rubric.trim().length === 0)) throw new ValidationError(this, 'judge.rubric', j.rubric, 'must be a non-empty rubric');
    return compact({
      baseUrl,
      model,
      apiKeyEnv: key ? EVAL_JUDGE_API_KEY_ENV : undefined,
      timeoutMs: j.timeout ? validateDuration(this, 'judge.timeout', j.timeout, { min: Duration.seconds(1), max: Duration.hours(1), whole: 'millisecond' }).toMilliseconds() : undefined,
      maxRetries: j.maxRetries,
      maxTokens: j.maxTokens,
      rubric: j.rubric,
      passScore: j.passScore,
      structuredOutput: j.structuredOutput,
    });
  }

  private alertRules(namespace: string, cronJobName: string, a: EvalAlertOptions, podLabels: Record<string, string>, passRateThreshold: number): PrometheusRuleEntry[] {
    const { labels, annotations } = jobAlertMetadata(this, a, [], modelAlertLabels(this.model, this.endpointRef));
    const target = { pushgatewayJob: EVAL_PUSHGATEWAY_JOB, nameLabel: 'eval', name: this.evalName, namespace };
    const sel = pushedSelector(target);
    const severity = a.severity ?? AlertSeverity.WARNING;
    const rules: PrometheusRuleEntry[] = [{
      alert: 'AiPlatformEvalGateFailed',
      // min: a group that claims a pass cannot hide the job's own failure.
      expr: `min by (namespace, eval) (${JOB_METRICS.evalGatePassed}{${sel}}) == 0`,
      labels: { ...labels, severity },
      annotations: {
        ...annotations,
        summary: 'Evaluation {{ $labels.eval }} of {{ $labels.model }} failed a gate',
        description: `The last run of evaluation {{ $labels.eval }} (namespace {{ $labels.namespace }}) failed at least one gate (absolute threshold or regression against the last passing run): the model {{ $labels.model }} no longer meets its bar. The report's failedGates gives each gate with its numbers; ${JOB_METRICS.evalGateCheckPassed} says which.`,
      },
    }];
    if (a.passRate ?? true) {
      rules.push({
        alert: 'AiPlatformEvalPassRateLow',
        expr: `min by (namespace, eval) (${JOB_METRICS.evalPassRate}{${sel}}) < ${passRateThreshold}`,
        labels: { ...labels, severity },
        annotations: {
          ...annotations,
          summary: 'Evaluation {{ $labels.eval }}: pass rate {{ $value | humanizePercentage }}',
          description: `Only {{ $value | humanizePercentage }} of the dataset rows of evaluation {{ $labels.eval }} passed their scorers in the last run (alert threshold ${passRateThreshold}).`,
        },
      });
    }
    rules.push(...jobHealthRules({
      ...target,
      cronJobName,
      staleAfterSeconds: this.staleAfterSeconds,
      title: 'Evaluation',
      alertPrefix: 'AiPlatformEval',
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

/**
 * The `model` label of the alerts: the served name (the `model_name` label vLLM puts on its metrics,
 * as on the serving and drift alerts), with the weights' id (Hugging Face id) as `model_id` when the
 * endpoint knows it. A request name that is an alias (the Hugging Face id) maps to its served name.
 */
function modelAlertLabels(requested: string, ep: IOpenAiEndpoint): Record<string, string> {
  const served = ep.servedModelNames?.[requested] ?? requested;
  const id = ep.modelIds?.[served];
  return id !== undefined && id !== served ? { model: served, model_id: id } : { model: served };
}

function checkEndpoint(scope: IConstruct, prop: string, ep: IOpenAiEndpoint): void {
  if (!Token.isUnresolved(ep.baseUrl)) {
    validatePattern(scope, `${prop}.baseUrl`, ep.baseUrl, /^https?:\/\/[^\s/]+(\/\S*)?$/, 'be an http(s):// URL');
  }
  if (!Token.isUnresolved(ep.namespace)) validateDns1123Label(scope, `${prop}.namespace`, ep.namespace);
  validateDns1123Subdomain(scope, `${prop}.apiKeySecretName`, ep.apiKeySecretName);
  validatePattern(scope, `${prop}.apiKeySecretKey`, ep.apiKeySecretKey, /^[-._a-zA-Z0-9]{1,253}$/, 'be a Secret key (letters, digits, "-", "_", ".")');
  if (!Array.isArray(ep.modelNames) || ep.modelNames.length === 0) throw new ValidationError(scope, `${prop}.modelNames`, ep.modelNames, 'must list the served model names');
}

function checkSecretRef(scope: IConstruct, prop: string, s: EvalSecretRef): EvalSecretRef {
  validateDns1123Subdomain(scope, `${prop}.secretName`, s.secretName);
  validatePattern(scope, `${prop}.secretKey`, s.secretKey, /^[-._a-zA-Z0-9]{1,253}$/, 'be a Secret key (letters, digits, "-", "_", ".")');
  return { secretName: s.secretName, secretKey: s.secretKey };
}

const SCORERS = Object.values(EvalScorer) as string[];

function checkMetricName(scope: IConstruct, prop: string, metric: string, judge: boolean): void {
  const scorer = /^pass_rate\.(.+)$/.exec(metric ?? '');
  if (scorer) {
    if (!SCORERS.includes(scorer[1])) throw new ValidationError(scope, prop, metric, `names an unknown scorer: use pass_rate.<scorer> with ${SCORERS.join(', ')}`);
    if (scorer[1] === EvalScorer.JUDGE && !judge) throw new ValidationError(scope, prop, metric, 'needs judge (the judge scorer runs only with a judge endpoint)');
    return;
  }
  if (!(EVAL_GATE_METRICS as readonly string[]).includes(metric)) {
    throw new ValidationError(scope, prop, metric, `must be one of ${EVAL_GATE_METRICS.join(', ')} or pass_rate.<scorer>`);
  }
  if (metric === 'judge_score_mean' && !judge) throw new ValidationError(scope, prop, metric, 'needs judge (no judge, no judge score)');
}

function checkBound(scope: IConstruct, prop: string, metric: string, v: number | undefined): void {
  if (v === undefined) return;
  const fraction = FRACTION_METRICS.includes(metric) || metric.startsWith('pass_rate.');
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (fraction && v > 1)) {
    throw new ValidationError(scope, prop, v, fraction ? `must be a number in [0, 1] (${metric} is a fraction)` : 'must be a number >= 0');
  }
}

function checkGates(scope: IConstruct, prop: string, gates: EvalThresholdGate[], judge: boolean): void {
  const seen = new Set<string>();
  gates.forEach((g, i) => {
    const p = `${prop}[${i}]`;
    checkMetricName(scope, `${p}.metric`, g.metric, judge);
    if (seen.has(g.metric)) throw new ValidationError(scope, `${p}.metric`, g.metric, 'has two gates: merge them (one gate takes min and max)');
    seen.add(g.metric);
    if (g.min === undefined && g.max === undefined) throw new ValidationError(scope, p, g, 'must give min, max or both');
    checkBound(scope, `${p}.min`, g.metric, g.min);
    checkBound(scope, `${p}.max`, g.metric, g.max);
    if (g.min !== undefined && g.max !== undefined && g.min > g.max) throw new ValidationError(scope, `${p}.min`, g.min, `cannot be greater than max (${g.max})`);
  });
}

function checkRegressionGates(scope: IConstruct, prop: string, gates: EvalRegressionGate[], judge: boolean): void {
  if (gates.length === 0) throw new ValidationError(scope, prop, gates, 'must list at least one gate (omit regression for no regression check)');
  const seen = new Set<string>();
  gates.forEach((g, i) => {
    const p = `${prop}[${i}]`;
    checkMetricName(scope, `${p}.metric`, g.metric, judge);
    if (seen.has(g.metric)) throw new ValidationError(scope, `${p}.metric`, g.metric, 'has two regression gates');
    seen.add(g.metric);
    for (const k of ['tolerance', 'relativeTolerance'] as const) {
      const v = g[k];
      if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < 0)) throw new ValidationError(scope, `${p}.${k}`, v, 'must be a number >= 0');
    }
    if (g.relativeTolerance !== undefined && g.relativeTolerance > 1) {
      Annotations.of(scope).addWarning(`${p}.relativeTolerance (${g.relativeTolerance}) allows the metric to worsen by more than ${formatPercent(1)} of the baseline`);
    }
  });
}

